//! Attribute values and the limits every event obeys (`docs/llm-events.md` §7): content is never
//! truncated; other strings are cut to `max_attribute_value` bytes on a character boundary;
//! keys over 255 bytes drop the attribute; custom attributes are capped, sorted by key. [`Text`]
//! is the string type of keys and values, shared between a call's events.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Longest attribute key, in bytes.
pub(crate) const MAX_KEY_BYTES: usize = 255;
/// Highest `max_attribute_value` a configuration may set.
pub(crate) const MAX_ATTRIBUTE_VALUE_CEILING: usize = 4095;
/// Most `llm.` custom attributes copied onto one event.
pub(crate) const MAX_CUSTOM_ATTRIBUTES: usize = 128;

/// Text of an attribute key or value. A call's events repeat many values (model, ids, trace
/// ids); sharing them makes a clone a reference-count bump instead of an allocation and a copy.
#[derive(Clone)]
pub enum Text {
    /// A name or constant.
    Static(&'static str),
    /// Anything else, shared between the events that carry it.
    Shared(Arc<str>),
}

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Static(s) => s,
            Self::Shared(s) => s,
        }
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&'static str> for Text {
    fn from(value: &'static str) -> Self {
        Self::Static(value)
    }
}

impl From<String> for Text {
    fn from(value: String) -> Self {
        Self::Shared(value.into())
    }
}

impl From<&String> for Text {
    fn from(value: &String) -> Self {
        Self::Shared(value.as_str().into())
    }
}

impl From<Arc<str>> for Text {
    fn from(value: Arc<str>) -> Self {
        Self::Shared(value)
    }
}

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    /// Text.
    Str(Text),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
}

impl AttrValue {
    /// The text, for string values.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, for integer values.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The float, for float values (integers convert).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Float(f) => Some(*f),
            Self::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The boolean, for boolean values.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl fmt::Display for AttrValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => f.write_str(s),
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => write!(f, "{x}"),
            Self::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl From<&'static str> for AttrValue {
    fn from(value: &'static str) -> Self {
        Self::Str(Text::Static(value))
    }
}

impl From<String> for AttrValue {
    fn from(value: String) -> Self {
        Self::Str(Text::from(value))
    }
}

impl From<i64> for AttrValue {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<f64> for AttrValue {
    fn from(value: f64) -> Self {
        Self::Float(value)
    }
}

impl From<bool> for AttrValue {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

/// An integer that must fit in `i64`; larger ones drop their attribute.
pub(crate) fn int_value(value: u64) -> Option<AttrValue> {
    i64::try_from(value).ok().map(AttrValue::Int)
}

/// The limits applied while building events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes kept of a non-content string value (≤ 4095).
    pub max_attribute_value: usize,
}

impl Limits {
    /// Limits with `max_attribute_value` clamped to 4095.
    pub fn new(max_attribute_value: usize) -> Self {
        Self {
            max_attribute_value: max_attribute_value.min(MAX_ATTRIBUTE_VALUE_CEILING),
        }
    }

    /// `value` cut to the limit on a character boundary.
    pub fn truncate(&self, value: Text) -> Text {
        if value.len() <= self.max_attribute_value {
            return value;
        }
        let cut = floor_char_boundary(&value, self.max_attribute_value);
        match value {
            Text::Static(s) => Text::Static(&s[..cut]),
            Text::Shared(s) => Text::Shared(s[..cut].into()),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(255)
    }
}

/// The largest index ≤ `max` that is a character boundary of `s`.
fn floor_char_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    (0..=max)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries() {
        let limits = Limits::new(4);
        assert_eq!(limits.truncate(Text::Static("abcdef")), "abcd");
        // "é" is two bytes: cutting at 4 would split the second one.
        assert_eq!(limits.truncate(Text::Static("aéé")), "aé");
        assert_eq!(limits.truncate(Text::from("🦀🦀".to_owned())), "🦀");
        assert_eq!(limits.truncate(Text::Static("abc")), "abc");
        assert_eq!(Limits::new(10_000).max_attribute_value, 4095);
    }

    #[test]
    fn oversized_integers_are_dropped() {
        assert_eq!(int_value(5), Some(AttrValue::Int(5)));
        assert_eq!(int_value(u64::MAX), None);
    }
}
