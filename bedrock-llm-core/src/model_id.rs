//! `ModelId`: every form a Bedrock model identifier takes, parsed into its parts.
//!
//! Bedrock accepts bare IDs (`anthropic.claude-v2`), versioned IDs (`…-v1:0`, `…-v1:0:200k`),
//! cross-region inference-profile IDs (`us.anthropic.…`), and ARNs for foundation models,
//! inference profiles, provisioned throughput, custom deployments, imported models and prompts.
//! [`ModelId::parse`] accepts all of them, keeps the original text byte for byte, and exposes
//! the normalized `provider.model-version` form that routing uses.

use std::fmt;

use thiserror::Error;

/// Geography prefixes of cross-region (system) inference profiles.
pub const GEOGRAPHY_PREFIXES: &[&str] = &["us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"];

/// Providers Bedrock serves models from, as they appear in the first segment of a model ID.
///
/// Used only to decide whether a leading `us.`-style segment is a geography; a provider that
/// is missing here still parses (see [`ModelId::parse`]).
pub const KNOWN_PROVIDERS: &[&str] = &[
    "ai21",
    "amazon",
    "anthropic",
    "cohere",
    "deepseek",
    "google",
    "luma",
    "meta",
    "minimax",
    "mistral",
    "moonshot",
    "nvidia",
    "openai",
    "qwen",
    "stability",
    "twelvelabs",
    "writer",
];

/// Longest model ID accepted. Bedrock's own limit is 2048 characters.
pub const MAX_MODEL_ID_LEN: usize = 2048;

/// What kind of identifier a [`ModelId`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModelIdForm {
    /// `provider.model[-version]`, e.g. `anthropic.claude-v2:1`.
    Base,
    /// A system inference-profile ID, e.g. `us.anthropic.claude-3-5-sonnet-20240620-v1:0`.
    InferenceProfile,
    /// `arn:…:foundation-model/provider.model…`.
    FoundationModelArn,
    /// `arn:…:inference-profile/[geo.]provider.model…`.
    InferenceProfileArn,
    /// `arn:…:application-inference-profile/<opaque>`; the family cannot be derived.
    ApplicationInferenceProfileArn,
    /// `arn:…:provisioned-model/<opaque>`; the family cannot be derived.
    ProvisionedModelArn,
    /// `arn:…:custom-model-deployment/<opaque>`; the family cannot be derived.
    CustomModelDeploymentArn,
    /// `arn:…:custom-model/…`; the family cannot be derived.
    CustomModelArn,
    /// `arn:…:imported-model/<opaque>`; the family cannot be derived.
    ImportedModelArn,
    /// `arn:…:prompt/<id>[:version]` (Converse only); the family cannot be derived.
    PromptArn,
    /// An ARN whose resource type Bedrock did not document when this was written.
    OtherArn,
}

impl ModelIdForm {
    /// Whether IDs of this form name the underlying model, so a family can be derived.
    pub fn names_model(self) -> bool {
        matches!(
            self,
            Self::Base
                | Self::InferenceProfile
                | Self::FoundationModelArn
                | Self::InferenceProfileArn
        )
    }
}

/// The ARN parts of an ARN-form [`ModelId`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelArn {
    /// `aws`, `aws-us-gov`, `aws-cn`, …
    pub partition: String,
    /// The service, `bedrock` for every ARN Bedrock Runtime accepts.
    pub service: String,
    /// Region, e.g. `us-east-1`.
    pub region: String,
    /// Account ID; empty for foundation models.
    pub account_id: String,
    /// Resource type, e.g. `foundation-model`, `inference-profile`.
    pub resource_type: String,
    /// Everything after the first `/` of the resource.
    pub resource_id: String,
}

/// A parsed Bedrock model identifier. Displays as, and compares by, the original text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelId {
    original: String,
    form: ModelIdForm,
    arn: Option<ModelArn>,
    geography: Option<String>,
    provider: Option<String>,
    model: Option<String>,
    version: Option<String>,
    /// `provider.model[-version]`, built once: routing matches it against every adapter.
    normalized: Option<String>,
}

/// Why a string is not a model ID.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ModelIdError {
    /// The string was empty.
    #[error("model ID is empty")]
    Empty,
    /// The string exceeds [`MAX_MODEL_ID_LEN`].
    #[error("model ID is {len} bytes long; Bedrock accepts at most {MAX_MODEL_ID_LEN}")]
    TooLong {
        /// Length in bytes.
        len: usize,
    },
    /// The string holds whitespace, a control character or another character Bedrock never uses.
    #[error(
        "model ID `{id}` contains {found:?} at byte {at}; expected letters, digits and `.-_:/`"
    )]
    InvalidCharacter {
        /// The offending ID (escaped when printed).
        id: String,
        /// The character.
        found: char,
        /// Its byte offset.
        at: usize,
    },
    /// A bare ID without the `provider.model` shape.
    #[error(
        "model ID `{id}` is not of the form `provider.model[-version]` (e.g. `anthropic.claude-v2`)"
    )]
    NotProviderModel {
        /// The offending ID.
        id: String,
    },
    /// An `arn:` string without the six ARN fields or a `type/id` resource.
    #[error("model ARN `{id}` is malformed: {reason}")]
    MalformedArn {
        /// The offending ARN.
        id: String,
        /// What was wrong.
        reason: &'static str,
    },
}

impl ModelId {
    /// Parses any model-ID form. Never panics; garbage gets a [`ModelIdError`].
    pub fn parse(text: &str) -> Result<Self, ModelIdError> {
        if text.is_empty() {
            return Err(ModelIdError::Empty);
        }
        if text.len() > MAX_MODEL_ID_LEN {
            return Err(ModelIdError::TooLong { len: text.len() });
        }
        if let Some((at, found)) = text.char_indices().find(|&(_, c)| {
            !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '/'))
        }) {
            return Err(ModelIdError::InvalidCharacter {
                id: text.to_owned(),
                found,
                at,
            });
        }
        if text.starts_with("arn:") {
            Self::parse_arn(text)
        } else {
            let mut id =
                Self::parse_named(text, text).ok_or_else(|| ModelIdError::NotProviderModel {
                    id: text.to_owned(),
                })?;
            id.form = if id.geography.is_some() {
                ModelIdForm::InferenceProfile
            } else {
                ModelIdForm::Base
            };
            Ok(id)
        }
    }

    fn parse_arn(text: &str) -> Result<Self, ModelIdError> {
        let malformed = |reason| ModelIdError::MalformedArn {
            id: text.to_owned(),
            reason,
        };
        let mut fields = text.splitn(6, ':');
        let (
            Some(_arn),
            Some(partition),
            Some(service),
            Some(region),
            Some(account_id),
            Some(resource),
        ) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        )
        else {
            return Err(malformed(
                "expected `arn:partition:service:region:account:type/id`",
            ));
        };
        if partition.is_empty() || service.is_empty() {
            return Err(malformed("partition and service must not be empty"));
        }
        let Some((resource_type, resource_id)) = resource.split_once('/') else {
            return Err(malformed("the resource has no `type/id` separator"));
        };
        if resource_type.is_empty() || resource_id.is_empty() {
            return Err(malformed("the resource type and id must not be empty"));
        }
        let arn = ModelArn {
            partition: partition.to_owned(),
            service: service.to_owned(),
            region: region.to_owned(),
            account_id: account_id.to_owned(),
            resource_type: resource_type.to_owned(),
            resource_id: resource_id.to_owned(),
        };
        let form = match resource_type {
            "foundation-model" => ModelIdForm::FoundationModelArn,
            "inference-profile" => ModelIdForm::InferenceProfileArn,
            "application-inference-profile" => ModelIdForm::ApplicationInferenceProfileArn,
            "provisioned-model" => ModelIdForm::ProvisionedModelArn,
            "custom-model-deployment" => ModelIdForm::CustomModelDeploymentArn,
            "custom-model" => ModelIdForm::CustomModelArn,
            "imported-model" => ModelIdForm::ImportedModelArn,
            "prompt" => ModelIdForm::PromptArn,
            _ => ModelIdForm::OtherArn,
        };
        let named = if form.names_model() {
            Self::parse_named(text, resource_id)
        } else {
            None
        };
        Ok(match named {
            Some(mut id) => {
                id.form = form;
                id.arn = Some(arn);
                id
            }
            // A foundation-model ARN whose resource is not `provider.model` still parses: the
            // family is unknown, as for an opaque ARN.
            None => Self {
                original: text.to_owned(),
                form,
                arn: Some(arn),
                geography: None,
                provider: None,
                model: None,
                version: None,
                normalized: None,
            },
        })
    }

    /// Splits `[geo.]provider.model[-version]`. `None` when `named` lacks that shape.
    fn parse_named(original: &str, named: &str) -> Option<Self> {
        let segments: Vec<&str> = named.split('.').collect();
        if segments.len() < 2 || segments.iter().any(|s| s.is_empty()) || named.contains('/') {
            return None;
        }
        let strip_geography = GEOGRAPHY_PREFIXES.contains(&segments[0])
            && (segments.len() >= 3 || KNOWN_PROVIDERS.contains(&segments[1]))
            && !KNOWN_PROVIDERS.contains(&segments[0]);
        let (geography, rest) = if strip_geography && segments.len() >= 3 {
            (
                Some(segments[0].to_owned()),
                &named[segments[0].len() + 1..],
            )
        } else {
            (None, named)
        };
        let (provider, model_and_version) = rest.split_once('.')?;
        let (model, version) = split_version(model_and_version);
        if model.is_empty() {
            return None;
        }
        let normalized = match version {
            Some(version) => format!("{provider}.{model}-{version}"),
            None => format!("{provider}.{model}"),
        };
        Some(Self {
            original: original.to_owned(),
            form: ModelIdForm::Base,
            arn: None,
            geography,
            provider: Some(provider.to_owned()),
            model: Some(model.to_owned()),
            version: version.map(str::to_owned),
            normalized: Some(normalized),
        })
    }

    /// The text exactly as given.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// Which form the ID takes.
    pub fn form(&self) -> ModelIdForm {
        self.form
    }

    /// The ARN parts, for ARN forms.
    pub fn arn(&self) -> Option<&ModelArn> {
        self.arn.as_ref()
    }

    /// The cross-region geography (`us`, `eu`, …) of an inference profile.
    pub fn geography(&self) -> Option<&str> {
        self.geography.as_deref()
    }

    /// The provider (`anthropic`, `amazon`, …) when the ID names a model.
    pub fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    /// The model name without provider or version (`claude-3-sonnet-20240229`).
    pub fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    /// The version suffix (`v1:0`, `v2:1`, `v1:0:200k`), when there is one.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// `provider.model[-version]`: the geography and ARN stripped. This is what routing matches.
    /// `None` when the ID does not name a model (opaque ARNs).
    pub fn normalized(&self) -> Option<String> {
        self.normalized.clone()
    }

    /// [`ModelId::normalized`], borrowed.
    pub fn normalized_str(&self) -> Option<&str> {
        self.normalized.as_deref()
    }

    /// Whether the normalized ID matches `pattern`: an exact ID, or a prefix ending in `*`.
    /// Matching ignores any `:…` suffix of the ID as well as its geography and ARN wrapping.
    pub fn matches(&self, pattern: &str) -> bool {
        let Some(normalized) = self.normalized.as_deref() else {
            return false;
        };
        match pattern.strip_suffix('*') {
            Some(prefix) => normalized.starts_with(prefix),
            None => {
                normalized == pattern
                    || normalized
                        .split_once(':')
                        .is_some_and(|(base, _)| base == pattern)
            }
        }
    }
}

/// Splits a trailing version (`-v1`, `-v1:0`, `-v0:2`, `-1:0`, `-v1:0:200k`) off a model name.
///
/// A suffix counts as a version when it starts with `v` and a digit, or is all digits with a
/// `:` qualifier; anything else stays part of the name (`claude-3-sonnet-20240229` has none).
fn split_version(name: &str) -> (&str, Option<&str>) {
    // The version begins at the last `-` before the first `:`.
    let head_end = name.find(':').unwrap_or(name.len());
    let Some(dash) = name[..head_end].rfind('-') else {
        return (name, None);
    };
    let candidate = &name[dash + 1..];
    let (core, qualifiers) = candidate.split_once(':').unwrap_or((candidate, ""));
    let digits = core.strip_prefix('v').unwrap_or(core);
    let is_number = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let starts_with_digit = digits.bytes().next().is_some_and(|b| b.is_ascii_digit());
    let versioned =
        starts_with_digit && is_number && (core.starts_with('v') || !qualifiers.is_empty());
    if versioned && dash > 0 {
        (&name[..dash], Some(candidate))
    } else {
        (name, None)
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

impl serde::Serialize for ModelId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.original)
    }
}

impl std::str::FromStr for ModelId {
    type Err = ModelIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for ModelId {
    fn as_ref(&self) -> &str {
        &self.original
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(
        id: &str,
    ) -> (
        ModelIdForm,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) {
        let m = ModelId::parse(id).unwrap();
        assert_eq!(m.as_str(), id);
        (
            m.form(),
            m.geography().map(str::to_owned),
            m.provider().map(str::to_owned),
            m.model().map(str::to_owned),
            m.version().map(str::to_owned),
        )
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn bare_and_versioned_ids() {
        use ModelIdForm::*;
        assert_eq!(
            parts("anthropic.claude-v2"),
            (Base, None, s("anthropic"), s("claude"), s("v2"))
        );
        assert_eq!(
            parts("anthropic.claude-v2:1"),
            (Base, None, s("anthropic"), s("claude"), s("v2:1"))
        );
        assert_eq!(
            parts("anthropic.claude-3-sonnet-20240229-v1:0"),
            (
                Base,
                None,
                s("anthropic"),
                s("claude-3-sonnet-20240229"),
                s("v1:0")
            )
        );
        assert_eq!(
            parts("anthropic.claude-3-sonnet-20240229-v1:0:200k"),
            (
                Base,
                None,
                s("anthropic"),
                s("claude-3-sonnet-20240229"),
                s("v1:0:200k")
            )
        );
        assert_eq!(
            parts("amazon.titan-text-express-v1"),
            (Base, None, s("amazon"), s("titan-text-express"), s("v1"))
        );
        assert_eq!(
            parts("mistral.mistral-7b-instruct-v0:2"),
            (
                Base,
                None,
                s("mistral"),
                s("mistral-7b-instruct"),
                s("v0:2")
            )
        );
        assert_eq!(
            parts("openai.gpt-oss-120b-1:0"),
            (Base, None, s("openai"), s("gpt-oss-120b"), s("1:0"))
        );
        assert_eq!(parts("acme.echo"), (Base, None, s("acme"), s("echo"), None));
        assert_eq!(
            parts("meta.llama3-2-1b"),
            (Base, None, s("meta"), s("llama3-2-1b"), None)
        );
    }

    #[test]
    fn inference_profile_ids() {
        use ModelIdForm::*;
        for geo in ["us", "eu", "apac", "global", "us-gov", "jp", "au"] {
            let id = format!("{geo}.anthropic.claude-3-5-sonnet-20240620-v1:0");
            assert_eq!(
                parts(&id),
                (
                    InferenceProfile,
                    s(geo),
                    s("anthropic"),
                    s("claude-3-5-sonnet-20240620"),
                    s("v1:0")
                )
            );
        }
        // An unknown provider behind a geography is still recognised from the segment count.
        assert_eq!(
            parts("us.acme.echo-v1"),
            (InferenceProfile, s("us"), s("acme"), s("echo"), s("v1"))
        );
    }

    #[test]
    fn arns() {
        use ModelIdForm::*;
        let fm =
            "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0";
        assert_eq!(
            parts(fm),
            (
                FoundationModelArn,
                None,
                s("anthropic"),
                s("claude-3-5-sonnet-20241022"),
                s("v2:0")
            )
        );
        let ip = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0";
        assert_eq!(
            parts(ip),
            (
                InferenceProfileArn,
                s("us"),
                s("anthropic"),
                s("claude-haiku-4-5-20251001"),
                s("v1:0")
            )
        );
        let parsed = ModelId::parse(ip).unwrap();
        let arn = parsed.arn().unwrap();
        assert_eq!(
            (arn.partition.as_str(), arn.region.as_str()),
            ("aws", "us-east-1")
        );
        assert_eq!(arn.account_id, "111122223333");
        assert_eq!(
            parsed.normalized().as_deref(),
            Some("anthropic.claude-haiku-4-5-20251001-v1:0")
        );

        for (resource, form) in [
            ("provisioned-model/abc123", ProvisionedModelArn),
            (
                "application-inference-profile/a1b2c3",
                ApplicationInferenceProfileArn,
            ),
            ("custom-model-deployment/xyz", CustomModelDeploymentArn),
            ("imported-model/q9", ImportedModelArn),
            ("prompt/PROMPT12345:1", PromptArn),
        ] {
            let id = format!("arn:aws:bedrock:us-east-1:111122223333:{resource}");
            assert_eq!(parts(&id), (form, None, None, None, None), "{id}");
            assert_eq!(ModelId::parse(&id).unwrap().normalized(), None);
        }
    }

    #[test]
    fn garbage_is_a_typed_error() {
        assert_eq!(ModelId::parse(""), Err(ModelIdError::Empty));
        assert!(matches!(
            ModelId::parse("claude"),
            Err(ModelIdError::NotProviderModel { .. })
        ));
        assert!(matches!(
            ModelId::parse("anthropic..x"),
            Err(ModelIdError::NotProviderModel { .. })
        ));
        assert!(matches!(
            ModelId::parse("a b.c"),
            Err(ModelIdError::InvalidCharacter {
                found: ' ',
                at: 1,
                ..
            })
        ));
        assert!(matches!(
            ModelId::parse("arn:aws:bedrock"),
            Err(ModelIdError::MalformedArn { .. })
        ));
        assert!(matches!(
            ModelId::parse("arn:aws:bedrock:us-east-1::foundation-model"),
            Err(ModelIdError::MalformedArn { .. })
        ));
        let long = "a.".to_owned() + &"b".repeat(MAX_MODEL_ID_LEN);
        assert!(matches!(
            ModelId::parse(&long),
            Err(ModelIdError::TooLong { .. })
        ));
        let message = ModelId::parse("claude").unwrap_err().to_string();
        assert!(message.contains("provider.model"), "{message}");
    }

    #[test]
    fn matching_ignores_wrapping_and_suffixes() {
        let id = ModelId::parse(
            "arn:aws:bedrock:us-east-1:1:inference-profile/eu.meta.llama3-70b-instruct-v1:0",
        )
        .unwrap();
        assert!(id.matches("meta.llama*"));
        assert!(id.matches("meta.llama3-70b-instruct-v1"));
        assert!(!id.matches("meta.llama2*"));
        assert!(
            ModelId::parse("anthropic.claude-v2:1")
                .unwrap()
                .matches("anthropic.claude-v2")
        );
    }
}
