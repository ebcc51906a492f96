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

/// The ARN parts of an ARN-form [`ModelId`], borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModelArn<'a> {
    /// `aws`, `aws-us-gov`, `aws-cn`, …
    pub partition: &'a str,
    /// The service, `bedrock` for every ARN Bedrock Runtime accepts.
    pub service: &'a str,
    /// Region, e.g. `us-east-1`.
    pub region: &'a str,
    /// Account ID; empty for foundation models.
    pub account_id: &'a str,
    /// Resource type, e.g. `foundation-model`, `inference-profile`.
    pub resource_type: &'a str,
    /// Everything after the first `/` of the resource.
    pub resource_id: &'a str,
}

/// Where a part lies in the original text. Parts are kept as offsets rather than copies: a
/// model ID is parsed on every recorded call, and one allocation beats six.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Span {
    start: u16,
    end: u16,
}

impl Span {
    /// The span of `part`, a subslice of `whole` (whose length is below `u16::MAX`).
    fn of(whole: &str, part: &str) -> Self {
        let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
        Self {
            start: start as u16,
            end: (start + part.len()) as u16,
        }
    }

    fn get(self, whole: &str) -> &str {
        whole
            .get(usize::from(self.start)..usize::from(self.end))
            .unwrap_or_default()
    }
}

/// The six ARN fields, as spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ArnSpans {
    partition: Span,
    service: Span,
    region: Span,
    account_id: Span,
    resource_type: Span,
    resource_id: Span,
}

/// The parts of `[geo.]provider.model[-version]`, as spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct NamedSpans {
    geography: Option<Span>,
    provider: Span,
    model: Span,
    version: Option<Span>,
    /// `provider.model[-version]`: always one run of the text, so a span too.
    normalized: Span,
}

/// A parsed Bedrock model identifier. Displays as, and compares by, the original text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelId {
    original: String,
    form: ModelIdForm,
    arn: Option<ArnSpans>,
    named: Option<NamedSpans>,
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
            let named =
                Self::parse_named(text, text).ok_or_else(|| ModelIdError::NotProviderModel {
                    id: text.to_owned(),
                })?;
            Ok(Self {
                original: text.to_owned(),
                form: if named.geography.is_some() {
                    ModelIdForm::InferenceProfile
                } else {
                    ModelIdForm::Base
                },
                arn: None,
                named: Some(named),
            })
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
        let span = |part: &str| Span::of(text, part);
        let arn = ArnSpans {
            partition: span(partition),
            service: span(service),
            region: span(region),
            account_id: span(account_id),
            resource_type: span(resource_type),
            resource_id: span(resource_id),
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
        // A foundation-model ARN whose resource is not `provider.model` still parses: the
        // family is unknown, as for an opaque ARN.
        let named = if form.names_model() {
            Self::parse_named(text, resource_id)
        } else {
            None
        };
        Ok(Self {
            original: text.to_owned(),
            form,
            arn: Some(arn),
            named,
        })
    }

    /// Splits `[geo.]provider.model[-version]`, a subslice of `original`. `None` when `named`
    /// lacks that shape.
    fn parse_named(original: &str, named: &str) -> Option<NamedSpans> {
        // Byte scans: a char pattern's searcher costs more to set up than these short IDs take
        // to walk.
        let bytes = named.as_bytes();
        let empty_segment = bytes.first() == Some(&b'.')
            || bytes.last() == Some(&b'.')
            || bytes.windows(2).any(|pair| pair == b"..");
        if empty_segment || bytes.contains(&b'/') {
            return None;
        }
        let mut dots = bytes
            .iter()
            .enumerate()
            .filter_map(|(at, &byte)| (byte == b'.').then_some(at));
        let first_dot = dots.next()?;
        let second_dot = dots.next();
        let first = &named[..first_dot];
        let second = &named[first_dot + 1..second_dot.unwrap_or(named.len())];
        let strip_geography = GEOGRAPHY_PREFIXES.contains(&first)
            && (second_dot.is_some() || KNOWN_PROVIDERS.contains(&second))
            && !KNOWN_PROVIDERS.contains(&first);
        let (geography, rest, provider, model_and_version) = match second_dot {
            Some(second_dot) if strip_geography => (
                Some(first),
                &named[first_dot + 1..],
                second,
                &named[second_dot + 1..],
            ),
            _ => (None, named, first, &named[first_dot + 1..]),
        };
        let (model, version) = split_version(model_and_version);
        if model.is_empty() {
            return None;
        }
        let span = |part: &str| Span::of(original, part);
        Some(NamedSpans {
            geography: geography.map(span),
            provider: span(provider),
            model: span(model),
            version: version.map(span),
            normalized: span(rest),
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
    pub fn arn(&self) -> Option<ModelArn<'_>> {
        let text = self.original.as_str();
        self.arn.map(|arn| ModelArn {
            partition: arn.partition.get(text),
            service: arn.service.get(text),
            region: arn.region.get(text),
            account_id: arn.account_id.get(text),
            resource_type: arn.resource_type.get(text),
            resource_id: arn.resource_id.get(text),
        })
    }

    /// The cross-region geography (`us`, `eu`, …) of an inference profile.
    pub fn geography(&self) -> Option<&str> {
        self.named?.geography.map(|s| s.get(&self.original))
    }

    /// The provider (`anthropic`, `amazon`, …) when the ID names a model.
    pub fn provider(&self) -> Option<&str> {
        self.named.map(|n| n.provider.get(&self.original))
    }

    /// The model name without provider or version (`claude-3-sonnet-20240229`).
    pub fn model(&self) -> Option<&str> {
        self.named.map(|n| n.model.get(&self.original))
    }

    /// The version suffix (`v1:0`, `v2:1`, `v1:0:200k`), when there is one.
    pub fn version(&self) -> Option<&str> {
        self.named?.version.map(|s| s.get(&self.original))
    }

    /// `provider.model[-version]`: the geography and ARN stripped. This is what routing matches.
    /// `None` when the ID does not name a model (opaque ARNs).
    pub fn normalized(&self) -> Option<String> {
        self.normalized_str().map(str::to_owned)
    }

    /// [`ModelId::normalized`], borrowed.
    pub fn normalized_str(&self) -> Option<&str> {
        self.named.map(|n| n.normalized.get(&self.original))
    }

    /// Whether the normalized ID matches `pattern`: an exact ID, or a prefix ending in `*`.
    /// Matching ignores any `:…` suffix of the ID as well as its geography and ARN wrapping.
    pub fn matches(&self, pattern: &str) -> bool {
        let Some(normalized) = self.normalized_str() else {
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
    let head_end = name.bytes().position(|b| b == b':').unwrap_or(name.len());
    let Some(dash) = name.as_bytes()[..head_end].iter().rposition(|&b| b == b'-') else {
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
mod tests;
