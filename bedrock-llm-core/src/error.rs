//! Typed errors for body conversion: which model family, which side, which JSON path, what
//! was expected.

use serde::Serialize;
use thiserror::Error;

/// Which body of an exchange an error concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum BodySide {
    /// The request body the caller sent.
    Request,
    /// The response body Bedrock returned.
    Response,
}

impl std::fmt::Display for BodySide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Request => "request",
            Self::Response => "response",
        })
    }
}

/// What went wrong with a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum BodyErrorKind {
    /// The bytes are not JSON (or not UTF-8).
    Syntax,
    /// The JSON is well formed but a value has the wrong type or a required key is missing.
    Data,
    /// The body ended early.
    Truncated,
    /// Serializing a typed body failed.
    Serialize,
}

/// A body that could not be converted, with enough detail for a user to act on.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[error(
    "{family} {side} body ({type_name}): {message} at JSON path `{path}`",
    family = self.family.unwrap_or("unregistered model"),
)]
pub struct BodyError {
    /// The model family whose adapter was used, when known.
    pub family: Option<&'static str>,
    /// The Rust type the body was converted to or from.
    pub type_name: &'static str,
    /// Request or response.
    pub side: BodySide,
    /// JSON path to the offending value (`$` is the root), e.g. `$.results[0].tokenCount`.
    pub path: String,
    /// What kind of failure.
    pub kind: BodyErrorKind,
    /// What was found and what was expected, as serde_json reports it (with line and column).
    pub message: String,
}

impl BodyError {
    /// The same error, attributed to `family`.
    pub fn with_family(mut self, family: &'static str) -> Self {
        self.family = Some(family);
        self
    }
}
