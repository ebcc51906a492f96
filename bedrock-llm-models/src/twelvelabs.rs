//! TwelveLabs on Bedrock. Pegasus: a prompt about a video in, a text answer out. Marengo Embed:
//! text, an image, audio or a video in, embeddings out — on InvokeModel (text and images, one
//! vector) or as a job (`StartAsyncInvoke`: video and audio, one vector per segment, written to
//! S3). Media (base64 or an S3 location) is kept as sent and never read.

use bedrock_llm_core::{EmbeddingSegment, FloatVector, Segments, bedrock_model};
use serde_json::{Map, Value};

/// TwelveLabs Pegasus 1.2 (`twelvelabs.pegasus-1-2-v1:0`, `us.` profiles).
#[bedrock_model(
    model,
    family = "Pegasus",
    ids = ["twelvelabs.pegasus-*"],
    request = PegasusRequest,
    response = PegasusResponse,
    kind = "text_completion",
)]
#[derive(Debug, Clone, Copy)]
pub struct Pegasus;

/// `{"inputPrompt": …, "mediaSource": {"base64String" | "s3Location": {"uri", "bucketOwner"}},
/// "temperature"?, "maxOutputTokens"? (≤ 4096), "responseFormat"?}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PegasusRequest {
    /// What to ask about the video.
    #[llm(prompt)]
    pub input_prompt: String,
    /// The video: kept as sent.
    pub media_source: Option<Value>,
    /// Temperature.
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Token limit.
    #[llm(max_tokens)]
    pub max_output_tokens: Option<u64>,
    /// A JSON schema for the answer, and the rest: kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `{"message": …, "finishReason": "stop" | "length"}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PegasusResponse {
    /// The answer.
    #[llm(completion)]
    pub message: String,
    /// `stop` or `length`.
    #[llm(finish_reason)]
    pub finish_reason: Option<String>,
}

/// TwelveLabs Marengo Embed 2.7 and 3.0 (`twelvelabs.marengo-embed-*`, `us.` profiles).
#[bedrock_model(
    model,
    family = "Marengo",
    ids = ["twelvelabs.marengo-embed-*"],
    request = MarengoRequest,
    response = MarengoResponse,
    kind = "embedding",
)]
#[derive(Debug, Clone, Copy)]
pub struct Marengo;

/// `{"inputType": "text" | "image" | "audio" | "video", "inputText"?, "textTruncate"?,
/// "mediaSource"?: {"base64String" | "s3Location"}, "startSec"?, "lengthSec"?,
/// "useFixedLengthSec"?, "embeddingOption"?}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MarengoRequest {
    /// What is embedded: `text`, `image`, `audio` or `video`.
    pub input_type: Option<String>,
    /// The text, for a text input.
    #[llm(embedding_input)]
    pub input_text: Option<String>,
    /// The media: kept as sent, never read.
    pub media_source: Option<Value>,
    /// Offsets, segment length, truncation and embedding options: kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// One vector (`{"embedding", "embeddingOption"?, "startSec"?, "endSec"?}`), a list of such
/// segments under `data`, or — for a job — its `{"invocationArn"}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MarengoResponse {
    /// Segments, one vector each (a video or audio input).
    #[llm(embedding)]
    pub data: Option<Segments<MarengoSegment>>,
    /// One vector (a text or image input).
    #[llm(embedding)]
    pub embedding: Option<FloatVector>,
    /// A job's id, when the embeddings go to S3.
    #[llm(job_arn)]
    pub invocation_arn: Option<String>,
    /// The segment's option and offsets, and the rest: kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// One segment of a Marengo response.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarengoSegment {
    /// Its vector.
    pub embedding: Option<FloatVector>,
    /// `visual-text`, `visual-image` or `audio`, the offsets: kept as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

impl EmbeddingSegment for MarengoSegment {
    fn dimensions(&self) -> Option<usize> {
        self.embedding.as_ref().map(FloatVector::len)
    }
}
