//! What an image or video generation, an embedding or a rerank adds to its call's record: one list of named facts,
//! carried by New Relic's summary and the OpenTelemetry span alike (`docs/llm-events.md` §2,
//! §12). Counts, sizes and settings only — never an image, a video or a document.

use bedrock_llm_core::{ExchangeKind, Invocation};

use crate::names::attr;

/// One fact's value.
pub(crate) enum Fact {
    Int(u64),
    Float(f64),
    Str(String),
    /// Text shared with its source (a price table's label), not copied per call.
    Shared(std::sync::Arc<str>),
}

/// The facts of `invocation`'s kind, in a fixed order; none for chat and text.
/// `image_count` names the images-returned count (New Relic says `response.number_of_images`).
pub(crate) fn kind_facts(
    invocation: &Invocation,
    image_count: &'static str,
) -> Vec<(&'static str, Fact)> {
    let mut facts = Vec::new();
    let request = invocation.request.as_ref().map(|r| &r.params);
    let response = invocation.response.as_ref();
    match invocation.kind {
        Some(ExchangeKind::ImageGeneration) => {
            if let Some(image) = request.map(|p| &p.image) {
                let asked = [
                    (attr::IMAGE_REQUEST_COUNT, image.count.map(Fact::Int)),
                    (attr::IMAGE_REQUEST_SIZE, image.size_label().map(Fact::Str)),
                    (
                        attr::IMAGE_REQUEST_QUALITY,
                        image.quality.clone().map(Fact::Str),
                    ),
                    (attr::IMAGE_REQUEST_STEPS, image.steps.map(Fact::Int)),
                ];
                facts.extend(asked.into_iter().filter_map(|(k, v)| Some((k, v?))));
            }
            if let Some(images) = response.and_then(|r| r.images.as_ref()) {
                facts.push((image_count, Fact::Int(images.count)));
                facts.push((attr::IMAGE_RESPONSE_BYTES, Fact::Int(images.bytes)));
                if let Some(error) = &images.error {
                    facts.push((attr::IMAGE_RESPONSE_ERROR, Fact::Str(error.clone())));
                }
            }
        }
        Some(ExchangeKind::Embedding) => {
            if let Some(stats) = response.and_then(|r| r.embedding) {
                facts.push((attr::EMBEDDING_COUNT, Fact::Int(stats.count as u64)));
                if let Some(dimensions) = stats.dimensions {
                    facts.push((attr::EMBEDDING_DIMENSIONS, Fact::Int(dimensions as u64)));
                }
            }
        }
        Some(ExchangeKind::VideoGeneration) => {
            if let Some(video) = request.map(|p| &p.video) {
                let asked = [
                    (
                        attr::VIDEO_REQUEST_DURATION,
                        video.duration_seconds.map(Fact::Int),
                    ),
                    (attr::VIDEO_REQUEST_FPS, video.fps.map(Fact::Int)),
                    (
                        attr::VIDEO_REQUEST_DIMENSION,
                        video.dimension.clone().map(Fact::Str),
                    ),
                    (
                        attr::VIDEO_REQUEST_ASPECT_RATIO,
                        video.aspect_ratio.clone().map(Fact::Str),
                    ),
                ];
                facts.extend(asked.into_iter().filter_map(|(k, v)| Some((k, v?))));
            }
            if let Some(videos) = response.and_then(|r| r.videos.as_ref()) {
                facts.push((attr::VIDEO_RESPONSE_COUNT, Fact::Int(videos.count)));
                if let Some(seconds) = videos.duration_seconds {
                    facts.push((attr::VIDEO_RESPONSE_DURATION, Fact::Float(seconds)));
                }
                if let (Some(width), Some(height)) = (videos.width, videos.height) {
                    let dimension = format!("{width}x{height}");
                    facts.push((attr::VIDEO_RESPONSE_DIMENSION, Fact::Str(dimension)));
                }
            }
        }
        Some(ExchangeKind::Rerank) => {
            if let Some(rerank) = request.map(|p| p.rerank) {
                let asked = [
                    (attr::RERANK_DOCUMENTS, rerank.documents),
                    (attr::RERANK_TOP_N, rerank.top_n),
                ];
                facts.extend(
                    asked
                        .into_iter()
                        .filter_map(|(k, v)| Some((k, Fact::Int(v?)))),
                );
            }
            if let Some(stats) = response.and_then(|r| r.rerank) {
                facts.push((attr::RERANK_RESULTS, Fact::Int(stats.results)));
                if let Some(score) = stats.top_score {
                    facts.push((attr::RERANK_TOP_SCORE, Fact::Float(score)));
                }
            }
        }
        _ => {}
    }
    facts
}
