//! Routing calls whose model ID names no model — application inference profiles, provisioned
//! throughput, custom deployments, imported models — by what a request body's top-level keys
//! say ([`BodyShape`]), or by a user's aliases ([`parse_aliases`], `BEDROCK_LLM_MODEL_ALIASES`).
//! Core knows keys, not families: each family's shape is given where the family lives
//! (`bedrock-llm-models`), and the rule for using them is [`Registry`](crate::Registry)'s.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model_id::{ModelId, ModelIdError};

/// The environment variable holding model-ID aliases: `FROM=TO` pairs separated by commas,
/// semicolons or whitespace, e.g.
/// `arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2=anthropic.claude-3-5-haiku-20241022-v1:0`.
pub const MODEL_ALIASES_ENV: &str = "BEDROCK_LLM_MODEL_ALIASES";

/// A family's request bodies, by top-level keys: every key of `all` present, at least one of
/// `any` (when it lists some), none of `none`. Rules name only keys that tell families apart,
/// so a body fits a wrong family's shape only by carrying that family's own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyShape {
    all: &'static [&'static str],
    any: &'static [&'static str],
    none: &'static [&'static str],
}

impl BodyShape {
    /// Bodies with every key of `all`.
    pub const fn with_all(all: &'static [&'static str]) -> Self {
        Self {
            all,
            any: &[],
            none: &[],
        }
    }

    /// …and at least one key of `any`.
    pub const fn and_any(mut self, any: &'static [&'static str]) -> Self {
        self.any = any;
        self
    }

    /// …and no key of `none`.
    pub const fn and_none(mut self, none: &'static [&'static str]) -> Self {
        self.none = none;
        self
    }

    /// Whether a body with top-level `keys` has this shape.
    pub fn fits(&self, keys: &BTreeSet<String>) -> bool {
        self.all.iter().all(|key| keys.contains(*key))
            && (self.any.is_empty() || self.any.iter().any(|key| keys.contains(*key)))
            && !self.none.iter().any(|key| keys.contains(*key))
    }
}

/// The top-level keys of a JSON object body; `None` when the body is not one.
pub(crate) fn top_level_keys(body: &[u8]) -> Option<BTreeSet<String>> {
    serde_json::from_slice::<std::collections::BTreeMap<String, serde::de::IgnoredAny>>(body)
        .ok()
        .map(|keys| keys.into_keys().collect())
}

/// How a call found the adapter that read its bodies — or why none did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Routing {
    /// A Converse operation: the registry's Converse reader, whatever the model.
    Converse,
    /// The exact model-ID text is pinned to an adapter.
    Pinned,
    /// The model ID names its model (bare, profile, foundation-model or profile ARN).
    ModelId,
    /// The model ID is one of the user's aliases for a model ID that names its model.
    Alias,
    /// The model ID is opaque and the request body has exactly one family's shape.
    BodyShape,
    /// The model ID is opaque and the request body has several families' shapes: left
    /// unread rather than guessed (counted as `…/Routing/AmbiguousBody`).
    AmbiguousBody,
    /// No adapter serves the model ID and no family's shape fits the body.
    Unrecognized,
}

impl Routing {
    /// Whether the bodies were left unread for want of an adapter.
    pub fn is_unread(self) -> bool {
        matches!(self, Self::AmbiguousBody | Self::Unrecognized)
    }
}

/// Why an alias list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AliasError {
    /// An entry is not `FROM=TO`.
    #[error(
        "model alias `{0}` is not FROM=TO (e.g. an application inference profile ARN = anthropic.claude-3-5-haiku-20241022-v1:0)"
    )]
    NotAPair(String),
    /// The target is not a model ID.
    #[error("model alias `{from}`: `{to}` is not a model ID: {source}")]
    BadTarget {
        /// The aliased text.
        from: String,
        /// The target as given.
        to: String,
        /// Why it is not one.
        source: ModelIdError,
    },
    /// The target is itself opaque, so it names no family either.
    #[error(
        "model alias `{from}`: `{to}` does not name a model (give a base model ID, a profile ID or a foundation-model ARN)"
    )]
    OpaqueTarget {
        /// The aliased text.
        from: String,
        /// The target as given.
        to: String,
    },
}

/// Parses `FROM=TO` pairs (separated by commas, semicolons or whitespace); every target must
/// name its model. Empty text is no aliases.
pub fn parse_aliases(text: &str) -> Result<Vec<(String, ModelId)>, AliasError> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (from, to) = entry
                .split_once('=')
                .filter(|(from, to)| !from.is_empty() && !to.is_empty())
                .ok_or_else(|| AliasError::NotAPair(entry.to_owned()))?;
            let target = ModelId::parse(to).map_err(|source| AliasError::BadTarget {
                from: from.to_owned(),
                to: to.to_owned(),
                source,
            })?;
            if !target.form().names_model() {
                return Err(AliasError::OpaqueTarget {
                    from: from.to_owned(),
                    to: to.to_owned(),
                });
            }
            Ok((from.to_owned(), target))
        })
        .collect()
}
