//! What generated code calls: one function per role kind, each reporting a value to the
//! [`Collector`].

use super::collector::*;
use super::shapes::*;

/// Writes `prompt`: a new user message holding the text.
pub fn prompt<T: TextValue + ?Sized>(value: &T, cx: &mut Collector) {
    cx.prompt(|cx| value.write_text(cx));
}

/// Writes `system`: a new system message holding the text.
pub fn system<T: TextValue + ?Sized>(value: &T, cx: &mut Collector) {
    cx.system(|cx| value.write_text(cx));
}

/// Writes text into the current message.
pub fn text<T: TextValue + ?Sized>(value: &T, cx: &mut Collector) {
    value.write_text(cx);
}

/// Writes a JSON value.
pub fn json<T: JsonValue + ?Sized>(value: &T, cx: &mut Collector) {
    value.write_json(cx);
}

/// Reports a JSON value kept as a structure (tool arguments, a tool's parameter schema).
pub fn structure<T: JsonValue + ?Sized>(value: &T, which: Structure, cx: &mut Collector) {
    value.with_json(&mut |json| cx.structure(which, json));
}

/// Writes a nested part's fields into the current context.
pub fn nested<T: Extract + ?Sized>(value: &T, cx: &mut Collector) {
    value.extract(cx);
}

/// Writes each element of a part list as its own message.
pub fn each_message<T: PartList + ?Sized>(value: &T, cx: &mut Collector) {
    value.each_message(cx);
}

/// Writes a scalar role.
pub fn scalar<T: ScalarValue + ?Sized>(value: &T, which: Scalar, cx: &mut Collector) {
    value.with_text(&mut |text| cx.scalar(which, text));
}

/// Writes a stream position.
pub fn index<T: IntValue + ?Sized>(value: &T, which: Index, cx: &mut Collector) {
    if let Some(v) = value.to_u64() {
        cx.index(which, v);
    }
}

/// Writes a token count.
pub fn tokens<T: IntValue + ?Sized>(value: &T, which: Tokens, cx: &mut Collector) {
    if let Some(count) = value.to_u64() {
        cx.tokens(which, count);
    }
}

/// Writes a token count given as a list's length.
pub fn tokens_len<T: LenValue + ?Sized>(value: &T, which: Tokens, cx: &mut Collector) {
    if let Some(count) = value.item_count() {
        cx.tokens(which, count);
    }
}

/// Writes an integer parameter.
pub fn int_param<T: IntValue + ?Sized>(value: &T, which: IntParam, cx: &mut Collector) {
    if let Some(v) = value.to_u64() {
        cx.int_param(which, v);
    }
}

/// Writes a float parameter.
pub fn float_param<T: FloatValue + ?Sized>(value: &T, which: FloatParam, cx: &mut Collector) {
    if let Some(v) = value.to_f64() {
        cx.float_param(which, v);
    }
}

/// Writes stop sequences.
pub fn stop_sequences<T: StringsValue + ?Sized>(value: &T, cx: &mut Collector) {
    value.each_str(&mut |s| cx.stop_sequence(s));
}

/// Writes embedding inputs.
pub fn embedding_inputs<T: StringsValue + ?Sized>(value: &T, cx: &mut Collector) {
    value.each_str(&mut |s| cx.embedding_input(s));
}

/// Writes embedding vectors.
pub fn embedding<T: EmbeddingValue + ?Sized>(value: &T, cx: &mut Collector) {
    if let Some(stats) = value.stats() {
        cx.embedding(stats);
    }
}

/// Writes a single message part.
pub fn message<T: Extract + ?Sized>(value: &T, cx: &mut Collector) {
    cx.message(|cx| value.extract(cx));
}

/// Counts generated images from their base64 payloads.
pub fn images<T: StringsValue + ?Sized>(value: &T, cx: &mut Collector) {
    value.each_str(&mut |s| cx.image(s));
}

/// Writes per-image finish reasons (`null` entries are left out).
pub fn image_finish_reasons<T: StringsValue + ?Sized>(value: &T, cx: &mut Collector) {
    value.each_str(&mut |s| cx.scalar(Scalar::ImageFinishReason, s));
}

/// Writes `negative_prompt`: a message of role `negative` holding the text.
pub fn negative_prompt<T: TextValue + ?Sized>(value: &T, cx: &mut Collector) {
    cx.negative_prompt(|cx| value.write_text(cx));
}

/// Counts the documents of a rerank request.
pub fn rerank_documents<T: LenValue + ?Sized>(value: &T, cx: &mut Collector) {
    if let Some(count) = value.item_count() {
        cx.rerank_documents(count);
    }
}

/// Counts the results of a rerank response.
pub fn rerank_results<T: LenValue + ?Sized>(value: &T, cx: &mut Collector) {
    if let Some(count) = value.item_count() {
        cx.rerank_results(count);
    }
}
