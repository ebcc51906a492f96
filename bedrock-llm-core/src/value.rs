//! Value types for adapter fields where Bedrock bodies are looser than their documentation, and
//! [`FloatVector`], embedding vectors kept as their JSON text.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A token count that parses from an integer or from a float (`12`, `12.0`, even `"12"`), as
/// real Bedrock bodies send both. Serializes as an integer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenCount(pub u64);

impl TokenCount {
    /// The count.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl From<u64> for TokenCount {
    fn from(count: u64) -> Self {
        Self(count)
    }
}

impl Serialize for TokenCount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for TokenCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountVisitor;

        impl serde::de::Visitor<'_> for CountVisitor {
            type Value = TokenCount;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a non-negative token count (integer, or float with no fraction)")
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<TokenCount, E> {
                Ok(TokenCount(v))
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<TokenCount, E> {
                u64::try_from(v)
                    .map(TokenCount)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
            }

            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<TokenCount, E> {
                // Exact for every count a model can produce (< 2^53).
                if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 9_007_199_254_740_992.0 {
                    Ok(TokenCount(v as u64))
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
                }
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TokenCount, E> {
                v.trim()
                    .parse::<u64>()
                    .map(TokenCount)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }

        deserializer.deserialize_any(CountVisitor)
    }
}

/// An id that bodies send as a number (AI21 Jurassic-2) or as a string. Kept as the text the
/// body had, so `1234` and `"1234"` both report `1234`, and serialize back in their own form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NumberOrString {
    /// A JSON number.
    Number(serde_json::Number),
    /// A JSON string.
    String(String),
}

impl std::fmt::Display for NumberOrString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::String(s) => f.write_str(s),
        }
    }
}

impl Serialize for NumberOrString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(n) => n.serialize(serializer),
            Self::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for NumberOrString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Number(n) => Ok(Self::Number(n)),
            serde_json::Value::String(s) => Ok(Self::String(s)),
            other => Err(serde::de::Error::invalid_type(
                unexpected(&other),
                &"a number or a string",
            )),
        }
    }
}

fn unexpected(value: &serde_json::Value) -> serde::de::Unexpected<'_> {
    use serde::de::Unexpected;
    match value {
        serde_json::Value::Null => Unexpected::Unit,
        serde_json::Value::Bool(b) => Unexpected::Bool(*b),
        serde_json::Value::Array(_) => Unexpected::Seq,
        serde_json::Value::Object(_) => Unexpected::Map,
        serde_json::Value::Number(_) => Unexpected::Other("number"),
        serde_json::Value::String(s) => Unexpected::Str(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parse_from_int_float_and_string() {
        for (json, want) in [("12", 12), ("12.0", 12), ("0.0", 0), ("\"7\"", 7)] {
            assert_eq!(
                serde_json::from_str::<TokenCount>(json).unwrap(),
                TokenCount(want),
                "{json}"
            );
        }
        for bad in ["-1", "1.5", "true", "null", "\"x\""] {
            let err = serde_json::from_str::<TokenCount>(bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains("token count"), "{bad}: {err}");
        }
        assert_eq!(serde_json::to_string(&TokenCount(3)).unwrap(), "3");
    }

    #[test]
    fn ids_keep_their_form() {
        let n: NumberOrString = serde_json::from_str("1234").unwrap();
        assert_eq!(n.to_string(), "1234");
        assert_eq!(serde_json::to_string(&n).unwrap(), "1234");
        let s: NumberOrString = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"abc\"");
        assert!(serde_json::from_str::<NumberOrString>("[1]").is_err());
    }
}

/// An embedding vector kept as the JSON text it arrived as: a flat array of numbers, checked
/// and counted when read, its values parsed only when asked for ([`FloatVector::to_f32`]).
///
/// Recording an embedding call needs the vectors' count and length, never their values, and
/// parsing a thousand floats costs about twice as much as reading past them; so the values
/// wait for a caller that wants them. Written back, the text is the logged text, byte for byte.
#[derive(Clone)]
pub struct FloatVector {
    json: Box<serde_json::value::RawValue>,
    len: usize,
}

impl FloatVector {
    /// A vector of `values`.
    pub fn from_values<T: Serialize>(values: &[T]) -> Result<Self, serde_json::Error> {
        let json = serde_json::value::to_raw_value(values)?;
        Self::checked(json).map_err(serde::de::Error::custom)
    }

    /// How many numbers.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the vector is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The JSON text, e.g. `[0.5,-1.25]`.
    pub fn as_json(&self) -> &str {
        self.json.get()
    }

    /// The values as `f32`. Fails only for a number `f32` cannot hold as JSON reads it
    /// (e.g. `1e400`).
    pub fn to_f32(&self) -> Result<Vec<f32>, serde_json::Error> {
        serde_json::from_str(self.json.get())
    }

    /// The values as `f64`.
    pub fn to_f64(&self) -> Result<Vec<f64>, serde_json::Error> {
        serde_json::from_str(self.json.get())
    }

    /// Checks that `json` (valid JSON already) is a flat array of numbers, and counts them.
    /// Valid JSON made only of number characters, commas and whitespace between the brackets
    /// can only be a flat array of numbers, and then each comma separates two of them; the
    /// check is one pass over bytes that the compiler vectorizes.
    fn checked(json: Box<serde_json::value::RawValue>) -> Result<Self, String> {
        let text = json.get().trim_ascii();
        let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) else {
            return Err("expected an array of numbers".to_owned());
        };
        let allowed = |b: u8| {
            b.is_ascii_digit()
                || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b',')
                || b.is_ascii_whitespace()
        };
        let bytes = inner.as_bytes();
        // Two passes on purpose: each alone vectorizes; fused into one fold they did not, and
        // reading a vector took 40% longer.
        if !bytes.iter().fold(true, |ok, &b| ok & allowed(b)) {
            let at = bytes.iter().position(|&b| !allowed(b)).unwrap_or(0);
            let element = bytes[..at].iter().filter(|&&b| b == b',').count();
            return Err(format!(
                "expected an array of numbers; element {element} is not a number"
            ));
        }
        let commas = bytes.iter().filter(|&&b| b == b',').count();
        let len = if inner.trim_ascii().is_empty() {
            0
        } else {
            commas + 1
        };
        Ok(Self { json, len })
    }
}

impl PartialEq for FloatVector {
    fn eq(&self, other: &Self) -> bool {
        self.json.get() == other.json.get()
    }
}

impl std::fmt::Debug for FloatVector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FloatVector")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl Serialize for FloatVector {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for FloatVector {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        Self::checked(json).map_err(serde::de::Error::custom)
    }
}
