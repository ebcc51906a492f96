//! TwelveLabs Pegasus on InvokeModel: a prompt about a video in, a text answer out. The video
//! (base64 or an S3 location) is kept as sent and never read.

use bedrock_llm_core::bedrock_model;
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
