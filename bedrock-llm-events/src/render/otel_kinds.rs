//! The OpenTelemetry attributes of the exchange kinds beyond chat and embeddings: an image
//! generation's (output type, what was asked for, what came back) and a rerank's counts.

use bedrock_llm_core::Invocation;

use crate::names::gen_ai;
use crate::render::otel_value::OtelValue;

/// An image generation's attributes: the output type, what was asked for and what came back
/// (count and decoded size — never an image).
pub(crate) fn image_attributes(
    invocation: &Invocation,
    put: &mut impl FnMut(&'static str, OtelValue),
) {
    use crate::names::attr;
    let int = |n: u64| i64::try_from(n).ok().map(OtelValue::Int);
    put(gen_ai::OUTPUT_TYPE, OtelValue::Str("image".to_owned()));
    if let Some(params) = invocation.request.as_ref().map(|r| &r.params.image) {
        if let Some(v) = params.count.and_then(int) {
            put(attr::IMAGE_REQUEST_COUNT, v);
        }
        if let Some(size) = params.size_label() {
            put(attr::IMAGE_REQUEST_SIZE, OtelValue::Str(size));
        }
        if let Some(quality) = &params.quality {
            put(attr::IMAGE_REQUEST_QUALITY, OtelValue::Str(quality.clone()));
        }
        if let Some(v) = params.steps.and_then(int) {
            put(attr::IMAGE_REQUEST_STEPS, v);
        }
    }
    // A response that named no image (an empty list) returned none.
    if let Some(response) = &invocation.response {
        let images = response.images.clone().unwrap_or_default();
        if let Some(v) = int(images.count) {
            put(gen_ai::IMAGE_RESPONSE_COUNT, v);
        }
        if let Some(v) = int(images.bytes) {
            put(attr::IMAGE_RESPONSE_BYTES, v);
        }
    }
}

/// A rerank's counts, under the same names as on New Relic's summary.
pub(crate) fn rerank_attributes(
    invocation: &Invocation,
    put: &mut impl FnMut(&'static str, OtelValue),
) {
    use crate::names::attr;
    let int = |n: u64| i64::try_from(n).ok().map(OtelValue::Int);
    if let Some(params) = invocation.request.as_ref().map(|r| r.params.rerank) {
        if let Some(v) = params.documents.and_then(int) {
            put(attr::RERANK_DOCUMENTS, v);
        }
        if let Some(v) = params.top_n.and_then(int) {
            put(attr::RERANK_TOP_N, v);
        }
    }
    if let Some(response) = &invocation.response {
        let stats = response.rerank.unwrap_or_default();
        if let Some(v) = int(stats.results) {
            put(attr::RERANK_RESULTS, v);
        }
        if let Some(score) = stats.top_score {
            put(attr::RERANK_TOP_SCORE, OtelValue::Float(score));
        }
    }
}
