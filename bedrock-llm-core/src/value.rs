//! Value types for adapter fields where Bedrock bodies are looser than their documentation.

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
