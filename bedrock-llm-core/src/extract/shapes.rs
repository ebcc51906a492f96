//! One trait per value shape a role accepts. A field whose type lacks its role's trait fails to
//! compile at that field, with the trait's `on_unimplemented` message.

use std::collections::{BTreeMap, HashMap};

use super::collector::*;

use crate::value::{NumberOrString, TokenCount};
use crate::view::EmbeddingStats;

/// Implemented by every `#[bedrock_model]` type: reports its annotated fields.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `#[bedrock_model]` type",
    label = "annotate `{Self}` with `#[bedrock_model(part)]` to use it in a nested, message or choice role"
)]
pub trait Extract {
    /// Whether this type (or a nested one) has a `messages` role.
    const HAS_MESSAGES: bool = false;
    /// Whether this type (or a nested one) has an `embedding` role.
    const HAS_EMBEDDING: bool = false;
    /// Whether this type (or a nested one) has an `images` role.
    const HAS_IMAGES: bool = false;
    /// Whether this type (or a nested one) has a `rerank_results` role.
    const HAS_RERANK: bool = false;

    /// Reports the annotated fields to `cx`.
    fn extract(&self, cx: &mut Collector);
}

impl<T: Extract + ?Sized> Extract for Box<T> {
    const HAS_MESSAGES: bool = T::HAS_MESSAGES;
    const HAS_EMBEDDING: bool = T::HAS_EMBEDDING;
    const HAS_IMAGES: bool = T::HAS_IMAGES;
    const HAS_RERANK: bool = T::HAS_RERANK;

    fn extract(&self, cx: &mut Collector) {
        (**self).extract(cx);
    }
}

impl<T: Extract> Extract for Option<T> {
    const HAS_MESSAGES: bool = T::HAS_MESSAGES;
    const HAS_EMBEDDING: bool = T::HAS_EMBEDDING;
    const HAS_IMAGES: bool = T::HAS_IMAGES;
    const HAS_RERANK: bool = T::HAS_RERANK;

    fn extract(&self, cx: &mut Collector) {
        if let Some(inner) = self {
            inner.extract(cx);
        }
    }
}

impl<T: Extract> Extract for Vec<T> {
    const HAS_MESSAGES: bool = T::HAS_MESSAGES;
    const HAS_EMBEDDING: bool = T::HAS_EMBEDDING;
    const HAS_IMAGES: bool = T::HAS_IMAGES;
    const HAS_RERANK: bool = T::HAS_RERANK;

    fn extract(&self, cx: &mut Collector) {
        for item in self {
            item.extract(cx);
        }
    }
}

/// A list of parts, each of which becomes one message (`messages` and `choices` roles).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold the `messages` or `choices` role",
    label = "expected a `Vec` of a `#[bedrock_model(part)]` type"
)]
pub trait PartList {
    /// Opens one message per element.
    fn each_message(&self, cx: &mut Collector);
}

impl<T: Extract> PartList for Vec<T> {
    fn each_message(&self, cx: &mut Collector) {
        for item in self {
            cx.message(|cx| item.extract(cx));
        }
    }
}

impl<T: PartList> PartList for Option<T> {
    fn each_message(&self, cx: &mut Collector) {
        if let Some(list) = self {
            list.each_message(cx);
        }
    }
}

/// Message text: `prompt`, `system`, `completion`, `content` and `text` roles.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold message text",
    label = "expected `String`, `Option<String>`, a `Vec` of text, or a `#[bedrock_model(part)]` type"
)]
pub trait TextValue {
    /// Writes the text as one or more segments.
    fn write_text(&self, cx: &mut Collector);
}

impl TextValue for str {
    fn write_text(&self, cx: &mut Collector) {
        cx.text(self);
    }
}

impl TextValue for String {
    fn write_text(&self, cx: &mut Collector) {
        cx.text(self);
    }
}

impl<T: TextValue + ?Sized> TextValue for Box<T> {
    fn write_text(&self, cx: &mut Collector) {
        (**self).write_text(cx);
    }
}

impl<T: TextValue> TextValue for Option<T> {
    fn write_text(&self, cx: &mut Collector) {
        if let Some(inner) = self {
            inner.write_text(cx);
        }
    }
}

impl<T: TextValue> TextValue for Vec<T> {
    fn write_text(&self, cx: &mut Collector) {
        for item in self {
            item.write_text(cx);
        }
    }
}

/// A short text value: `role`, `finish_reason`, `response_id`, `response_model`, `name`,
/// `tool_name`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a scalar text role",
    label = "expected `String`, an integer, `NumberOrString`, or an `Option` of one"
)]
pub trait ScalarValue {
    /// Calls `f` with the value as text, when there is one.
    fn with_text(&self, f: &mut dyn FnMut(&str));
}

impl ScalarValue for str {
    fn with_text(&self, f: &mut dyn FnMut(&str)) {
        f(self);
    }
}

impl ScalarValue for String {
    fn with_text(&self, f: &mut dyn FnMut(&str)) {
        f(self);
    }
}

impl ScalarValue for NumberOrString {
    fn with_text(&self, f: &mut dyn FnMut(&str)) {
        match self {
            Self::String(s) => f(s),
            Self::Number(n) => f(&n.to_string()),
        }
    }
}

impl<T: ScalarValue + ?Sized> ScalarValue for Box<T> {
    fn with_text(&self, f: &mut dyn FnMut(&str)) {
        (**self).with_text(f);
    }
}

impl<T: ScalarValue> ScalarValue for Option<T> {
    fn with_text(&self, f: &mut dyn FnMut(&str)) {
        if let Some(inner) = self {
            inner.with_text(f);
        }
    }
}

macro_rules! scalar_via_display {
    ($($t:ty),*) => {$(
        impl ScalarValue for $t {
            fn with_text(&self, f: &mut dyn FnMut(&str)) {
                f(&self.to_string());
            }
        }
    )*};
}
scalar_via_display!(u32, u64, i32, i64);

/// An integer: `max_tokens`, `top_k`, `choice_count` and the token-count roles.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold an integer role",
    label = "expected an integer type, `TokenCount`, or an `Option` of one"
)]
pub trait IntValue {
    /// The value, when present and representable as `u64`.
    fn to_u64(&self) -> Option<u64>;
}

macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl IntValue for $t {
            fn to_u64(&self) -> Option<u64> {
                u64::try_from(*self).ok()
            }
        }
    )*};
}
int_value!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl IntValue for TokenCount {
    fn to_u64(&self) -> Option<u64> {
        Some(self.0)
    }
}

impl<T: IntValue> IntValue for Option<T> {
    fn to_u64(&self) -> Option<u64> {
        self.as_ref().and_then(IntValue::to_u64)
    }
}

/// A float: `temperature`, `top_p`, `frequency_penalty`, `presence_penalty`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a float role",
    label = "expected `f64`, `f32`, an integer, or an `Option` of one"
)]
pub trait FloatValue {
    /// The value, when present and finite.
    fn to_f64(&self) -> Option<f64>;
}

impl FloatValue for f64 {
    fn to_f64(&self) -> Option<f64> {
        self.is_finite().then_some(*self)
    }
}

impl FloatValue for f32 {
    fn to_f64(&self) -> Option<f64> {
        // Through the shortest decimal form, so `0.1f32` reports `0.1`, not `0.10000000149…`.
        self.is_finite()
            .then(|| self.to_string().parse().unwrap_or(f64::from(*self)))
    }
}

macro_rules! float_from_int {
    ($($t:ty),*) => {$(
        impl FloatValue for $t {
            fn to_f64(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    )*};
}
float_from_int!(u8, u16, u32, u64, i8, i16, i32, i64);

impl<T: FloatValue> FloatValue for Option<T> {
    fn to_f64(&self) -> Option<f64> {
        self.as_ref().and_then(FloatValue::to_f64)
    }
}

/// One or more strings: `stop_sequences`, `embedding_input`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a string-list role",
    label = "expected `String`, `Vec<String>`, or an `Option` of one"
)]
pub trait StringsValue {
    /// Calls `f` for every string.
    fn each_str(&self, f: &mut dyn FnMut(&str));
}

impl StringsValue for str {
    fn each_str(&self, f: &mut dyn FnMut(&str)) {
        f(self);
    }
}

impl StringsValue for String {
    fn each_str(&self, f: &mut dyn FnMut(&str)) {
        f(self);
    }
}

impl<T: StringsValue> StringsValue for Vec<T> {
    fn each_str(&self, f: &mut dyn FnMut(&str)) {
        for item in self {
            item.each_str(f);
        }
    }
}

impl<T: StringsValue> StringsValue for Option<T> {
    fn each_str(&self, f: &mut dyn FnMut(&str)) {
        if let Some(inner) = self {
            inner.each_str(f);
        }
    }
}

/// A list whose length is a token count (`#[llm(output_tokens, len)]` on AI21 token arrays).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be counted with `len`",
    label = "`len` counts the elements of a `Vec` (or `Option<Vec<_>>`)"
)]
pub trait LenValue {
    /// The number of elements, when the list is present.
    fn item_count(&self) -> Option<u64>;
}

impl<T> LenValue for Vec<T> {
    fn item_count(&self) -> Option<u64> {
        u64::try_from(self.len()).ok()
    }
}

impl<T: LenValue> LenValue for Option<T> {
    fn item_count(&self) -> Option<u64> {
        self.as_ref().and_then(LenValue::item_count)
    }
}

/// A JSON value: rendered as `<json>…</json>` (`json` role), or kept as a structure
/// (`arguments`, `tool_parameters`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a JSON role (`json`, `arguments`, `tool_parameters`)",
    label = "expected `serde_json::Value` or `Option<serde_json::Value>`"
)]
pub trait JsonValue {
    /// Reports the value.
    fn write_json(&self, cx: &mut Collector);
    /// Hands the value, if any, to `f` (`arguments`, `tool_parameters`: kept as structures).
    fn with_json(&self, f: &mut dyn FnMut(&serde_json::Value));
}

impl JsonValue for serde_json::Value {
    fn write_json(&self, cx: &mut Collector) {
        cx.json(self);
    }

    fn with_json(&self, f: &mut dyn FnMut(&serde_json::Value)) {
        f(self);
    }
}

impl<T: JsonValue> JsonValue for Option<T> {
    fn write_json(&self, cx: &mut Collector) {
        if let Some(inner) = self {
            inner.write_json(cx);
        }
    }

    fn with_json(&self, f: &mut dyn FnMut(&serde_json::Value)) {
        if let Some(inner) = self {
            inner.with_json(f);
        }
    }
}

/// One element of an embedding vector.
pub trait EmbeddingElement {}

macro_rules! embedding_element {
    ($($t:ty),*) => {$( impl EmbeddingElement for $t {} )*};
}
embedding_element!(f32, f64, i8, u8, i16, u16, i32, u32, i64, u64);

/// Embedding vectors (`embedding` role): one vector, a list of vectors, or vectors by type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold the `embedding` role",
    label = "expected `Vec<f32>`, `FloatVector`, a `Vec` of either, a map of those by embedding type, `Segments`, or an `Option` of one"
)]
pub trait EmbeddingValue {
    /// How many vectors and how long.
    fn stats(&self) -> Option<EmbeddingStats>;
}

impl<E: EmbeddingElement> EmbeddingValue for Vec<E> {
    fn stats(&self) -> Option<EmbeddingStats> {
        Some(EmbeddingStats {
            count: 1,
            dimensions: Some(self.len()),
        })
    }
}

impl<E: EmbeddingElement> EmbeddingValue for Vec<Vec<E>> {
    fn stats(&self) -> Option<EmbeddingStats> {
        Some(EmbeddingStats {
            count: self.len(),
            dimensions: self.first().map(Vec::len),
        })
    }
}

impl EmbeddingValue for crate::FloatVector {
    fn stats(&self) -> Option<EmbeddingStats> {
        Some(EmbeddingStats {
            count: 1,
            dimensions: Some(self.len()),
        })
    }
}

impl EmbeddingValue for Vec<crate::FloatVector> {
    fn stats(&self) -> Option<EmbeddingStats> {
        Some(EmbeddingStats {
            count: self.len(),
            dimensions: self.first().map(crate::FloatVector::len),
        })
    }
}

impl<T: EmbeddingValue> EmbeddingValue for Option<T> {
    fn stats(&self) -> Option<EmbeddingStats> {
        self.as_ref().and_then(EmbeddingValue::stats)
    }
}

/// By type (`{"float": …, "int8": …}`): the same texts embedded several ways, so the shape is
/// that of one type: `float` when present, else the first by key.
impl<K: AsRef<str> + Ord, V: EmbeddingValue> EmbeddingValue for BTreeMap<K, V> {
    fn stats(&self) -> Option<EmbeddingStats> {
        self.iter()
            .find(|(k, _)| k.as_ref() == "float")
            .or_else(|| self.iter().next())
            .and_then(|(_, v)| v.stats())
    }
}

impl<K: AsRef<str> + Ord + std::hash::Hash, V: EmbeddingValue, S> EmbeddingValue
    for HashMap<K, V, S>
{
    fn stats(&self) -> Option<EmbeddingStats> {
        self.iter()
            .min_by(|(a, _), (b, _)| {
                (a.as_ref() != "float", a.as_ref()).cmp(&(b.as_ref() != "float", b.as_ref()))
            })
            .and_then(|(_, v)| v.stats())
    }
}
