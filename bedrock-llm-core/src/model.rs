//! The traits `#[bedrock_model]` implements: one for request bodies, one for response bodies,
//! and one that ties a family's pair together with the model IDs it serves.
//!
//! Each method documents **When** it is called, its **Input**, its **Errors** and what it
//! **Guarantees**, in the manner of the AWS SDK's interceptor hooks.

use crate::error::BodyError;
use crate::model_id::ModelId;
use crate::view::ChunkDelta;
use crate::view::{RequestView, ResponseView};

/// What an exchange produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeKind {
    /// Message-structured completion (Claude Messages, Converse, Jamba, …).
    Chat,
    /// Single-prompt completion (Claude Text, Titan Text, Llama, …).
    TextCompletion,
    /// Embedding vectors.
    Embedding,
    /// Images generated from a prompt (Titan Image, Nova Canvas, Stability).
    ImageGeneration,
    /// Documents ranked against a query (Cohere and Amazon Rerank).
    Rerank,
    /// A video generated from a prompt (Nova Reel, Luma Ray), by an asynchronous job.
    VideoGeneration,
}

impl ExchangeKind {
    /// Infers the kind from the shapes of the two bodies: a response with images makes an
    /// image generation, with rerank results a rerank, with embedding vectors an embedding
    /// exchange; else a request with a message list makes a chat.
    pub const fn infer(request: BodyRoles, response: BodyRoles) -> Self {
        if response.images {
            Self::ImageGeneration
        } else if response.rerank_results {
            Self::Rerank
        } else if response.embedding {
            Self::Embedding
        } else if request.messages {
            Self::Chat
        } else {
            Self::TextCompletion
        }
    }

    /// Whether the exchange is a completion (chat, text, images, a video or a rerank): a
    /// summary event, not an embedding event.
    pub const fn is_completion(self) -> bool {
        !matches!(self, Self::Embedding)
    }

    /// Whether the exchange generates images.
    pub const fn is_image_generation(self) -> bool {
        matches!(self, Self::ImageGeneration)
    }

    /// Whether the exchange generates images or video, whose bodies may carry base64 media
    /// (generated images, input images, keyframes) that no rendering may keep.
    pub const fn is_media_generation(self) -> bool {
        matches!(self, Self::ImageGeneration | Self::VideoGeneration)
    }

    /// `gen_ai.operation.name` for this kind.
    pub const fn otel_operation_name(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::TextCompletion => "text_completion",
            Self::Embedding => "embeddings",
            Self::ImageGeneration | Self::VideoGeneration => "generate_content",
            // The conventions name no rerank operation; a custom value, as they advise.
            Self::Rerank => "rerank",
        }
    }
}

/// Which kind-deciding roles a body type holds (directly or in nested parts), for
/// [`ExchangeKind::infer`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BodyRoles {
    /// A `messages` role (requests).
    pub messages: bool,
    /// An `embedding` role (responses).
    pub embedding: bool,
    /// An `images` role (responses).
    pub images: bool,
    /// A `rerank_results` role (responses).
    pub rerank_results: bool,
}

/// A typed request body.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a request body",
    label = "annotate `{Self}` with `#[bedrock_model(request)]`"
)]
pub trait ModelRequest: Sized {
    /// Whether the body carries a message list (a chat), as opposed to a single prompt.
    const HAS_MESSAGES: bool;

    /// Parses a request body.
    ///
    /// **When:** the raw client, the interceptor or log replay holds body bytes.
    /// **Input:** the bytes exactly as sent.
    /// **Errors:** [`BodyError`] naming the JSON path and what was expected; unknown keys are
    /// never an error.
    fn from_body(body: &[u8]) -> Result<Self, BodyError>;

    /// Serializes the body as JSON bytes.
    ///
    /// **Guarantees:** `from_body(&to_body()?)` yields an equal value.
    fn to_body(&self) -> Result<Vec<u8>, BodyError>;

    /// The family-neutral view: messages (system first), embedding inputs, parameters.
    fn view(&self) -> RequestView;
}

/// A typed response body.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a response body",
    label = "annotate `{Self}` with `#[bedrock_model(response)]`"
)]
pub trait ModelResponse: Sized {
    /// Whether the body carries embedding vectors rather than generated text.
    const HAS_EMBEDDING: bool;
    /// Whether the body carries generated images.
    const HAS_IMAGES: bool = false;
    /// Whether the body carries rerank results.
    const HAS_RERANK: bool = false;

    /// Parses a response body. Same contract as [`ModelRequest::from_body`].
    fn from_body(body: &[u8]) -> Result<Self, BodyError>;

    /// Serializes the body as JSON bytes. Same contract as [`ModelRequest::to_body`].
    fn to_body(&self) -> Result<Vec<u8>, BodyError>;

    /// The family-neutral view: output messages, finish reason, usage, ids, embedding shape.
    fn view(&self) -> ResponseView;
}

/// A model family: its request and response types and the model IDs it serves.
pub trait BedrockModel: 'static {
    /// The request body type.
    type Request: ModelRequest;
    /// The response body type.
    type Response: ModelResponse;

    /// Human-readable family name, used in errors and logs (e.g. `Claude Messages`).
    const FAMILY: &'static str;
    /// Model-ID patterns served: an exact normalized ID, or a prefix ending in `*`.
    const ID_PATTERNS: &'static [&'static str];
    /// Chat, text completion or embedding.
    const KIND: ExchangeKind;
    /// Whether answers carry the model's reasoning inline, ended by `</think>` (DeepSeek-R1 on
    /// InvokeModel): the neutral record then splits it into a reasoning part
    /// ([`crate::reasoning::split_inline_reasoning`]).
    const INLINE_REASONING: bool = false;

    /// Whether this family serves `id` (after stripping ARN and geography wrapping).
    fn serves(id: &ModelId) -> bool {
        Self::ID_PATTERNS.iter().any(|pattern| id.matches(pattern))
    }

    /// Whether this family reads `request_body`, for model IDs that two families share (Claude
    /// 2.x takes Text Completions and Messages bodies). The default accepts every body.
    fn accepts_request(request_body: &[u8]) -> bool {
        let _ = request_body;
        true
    }

    /// What one `InvokeModelWithResponseStream` chunk (the decoded `bytes` of a `chunk` event)
    /// adds; `None` for a family without a stream shape.
    fn chunk_delta(chunk: &[u8]) -> Option<Result<ChunkDelta, BodyError>> {
        let _ = chunk;
        None
    }

    /// Parses a request body, attributing errors to this family.
    fn decode_request(body: &[u8]) -> Result<Self::Request, BodyError> {
        Self::Request::from_body(body).map_err(|e| e.with_family(Self::FAMILY))
    }

    /// Parses a response body, attributing errors to this family.
    fn decode_response(body: &[u8]) -> Result<Self::Response, BodyError> {
        Self::Response::from_body(body).map_err(|e| e.with_family(Self::FAMILY))
    }
}
