//! The `#[bedrock_model(...)]` keywords, each spelled once (serde_derive keeps one `Symbol`
//! constant per keyword the same way): parsing matches on these constants, and the lists in
//! error messages and suggestions are built from them.

/// `request`: a request body type, or the model's request type.
pub(crate) const REQUEST: &str = "request";
/// `response`: a response body type, or the model's response type.
pub(crate) const RESPONSE: &str = "response";
/// `part`: a type nested in a body.
pub(crate) const PART: &str = "part";
/// `model`: the marker type that ties a family together.
pub(crate) const MODEL: &str = "model";
/// `crate = path`: where `bedrock-llm-core` is.
pub(crate) const CRATE: &str = "crate";
/// `ids = [...]`: the model IDs a family serves.
pub(crate) const IDS: &str = "ids";
/// `chunk = Type`: a stream chunk's type.
pub(crate) const CHUNK: &str = "chunk";
/// `family = "..."`: the family's name.
pub(crate) const FAMILY: &str = "family";
/// `kind = "..."`: the exchange kind, when not inferred.
pub(crate) const KIND: &str = "kind";
/// `request_has = "..."`: the request key that marks the family's body shape.
pub(crate) const REQUEST_HAS: &str = "request_has";
/// `inline_reasoning = bool`: the answer's text carries reasoning ended by `</think>`.
pub(crate) const INLINE_REASONING: &str = "inline_reasoning";

/// What an annotated item can be.
pub(crate) const KINDS: [&str; 4] = [REQUEST, RESPONSE, PART, MODEL];
/// The arguments only a `model` takes.
pub(crate) const MODEL_KEYS: [&str; 8] = [
    IDS,
    REQUEST,
    RESPONSE,
    CHUNK,
    FAMILY,
    KIND,
    REQUEST_HAS,
    INLINE_REASONING,
];

/// `kind = "..."` values: the exchange kinds, as `ExchangeKind`'s variants in snake case.
pub(crate) const CHAT: &str = "chat";
pub(crate) const TEXT_COMPLETION: &str = "text_completion";
pub(crate) const EMBEDDING: &str = "embedding";
pub(crate) const IMAGE_GENERATION: &str = "image_generation";
pub(crate) const RERANK: &str = "rerank";
pub(crate) const VIDEO_GENERATION: &str = "video_generation";
/// Every `kind = "..."` value.
pub(crate) const EXCHANGE_KINDS: [&str; 6] = [
    CHAT,
    TEXT_COMPLETION,
    EMBEDDING,
    IMAGE_GENERATION,
    RERANK,
    VIDEO_GENERATION,
];

/// Every argument keyword, for suggestions.
pub(crate) fn all_arguments() -> impl Iterator<Item = &'static str> {
    KINDS
        .into_iter()
        .chain([CRATE])
        .chain(MODEL_KEYS.into_iter().filter(|key| !KINDS.contains(key)))
}
