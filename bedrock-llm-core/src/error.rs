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

/// An error and its sources, `: `-joined, as the SDK's `DisplayErrorContext` prints them.
pub fn display_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// How many characters of an input value an error message quotes at most: enough to recognise
/// the value, never the megabytes a hostile or mistaken body can hold.
pub const QUOTED_VALUE_CHARS: usize = 32;

/// `message` with every input value it quotes cut to `keep` characters (`…` marks a cut).
///
/// serde's messages quote input strings as `string "…"` (Rust string escapes) and names as
/// `` unknown variant `…` `` / `` unknown field `…` ``; those are the values that come from the
/// input, so those are cut. With `keep == 0` nothing of the value is left: what a caller uses
/// when content must not be recorded.
pub fn shorten_quoted_values(message: &str, keep: usize) -> std::borrow::Cow<'_, str> {
    const TICKED: [&str; 2] = ["unknown variant `", "unknown field `"];
    if !message.contains('"') && !TICKED.iter().any(|t| message.contains(t)) {
        return std::borrow::Cow::Borrowed(message);
    }
    let mut out = String::with_capacity(message.len().min(256));
    let mut rest = message;
    loop {
        let quote = rest.find('"').map(|at| (at, '"', at + 1));
        let tick = TICKED
            .iter()
            .filter_map(|t| rest.find(t).map(|at| (at + t.len() - 1, '`', at + t.len())))
            .min_by_key(|(at, _, _)| *at);
        let Some((open, delimiter, start)) = [quote, tick]
            .into_iter()
            .flatten()
            .min_by_key(|(at, _, _)| *at)
        else {
            out.push_str(rest);
            return std::borrow::Cow::Owned(out);
        };
        out.push_str(&rest[..=open]);
        let body = &rest[start..];
        // The value ends at the first delimiter not escaped by a backslash.
        let mut end = body.len();
        let mut escaped = false;
        for (at, c) in body.char_indices() {
            match c {
                '\\' if delimiter == '"' && !escaped => escaped = true,
                c if c == delimiter && !escaped => {
                    end = at;
                    break;
                }
                _ => escaped = false,
            }
        }
        let value = &body[..end];
        let cut = value
            .char_indices()
            .nth(keep)
            .map_or(value.len(), |(at, _)| at);
        out.push_str(&value[..cut]);
        if cut < value.len() {
            out.push('…');
        }
        if end < body.len() {
            out.push(delimiter);
            rest = &body[end + delimiter.len_utf8()..];
        } else {
            return std::borrow::Cow::Owned(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_cut() {
        let long = "x".repeat(10_000);
        let message = format!("invalid type: string \"{long}\", expected u32 at line 1 column 9");
        assert_eq!(
            shorten_quoted_values(&message, 3),
            "invalid type: string \"xxx…\", expected u32 at line 1 column 9"
        );
        assert_eq!(
            shorten_quoted_values(&message, 0),
            "invalid type: string \"…\", expected u32 at line 1 column 9"
        );
        assert_eq!(
            shorten_quoted_values(r#"invalid value: string "a\"b\"c", expected x"#, 40),
            r#"invalid value: string "a\"b\"c", expected x"#
        );
        assert_eq!(
            shorten_quoted_values("unknown variant `secret`, expected `text` or `image`", 0),
            "unknown variant `…`, expected `text` or `image`"
        );
        assert_eq!(
            shorten_quoted_values("invalid type: string \"ééééé", 2),
            "invalid type: string \"éé…"
        );
        assert_eq!(
            shorten_quoted_values("expected value at line 1 column 1", 0),
            "expected value at line 1 column 1"
        );
    }
}
