//! `acme.zeta-*`: a made-up chat model with a streaming variant, derived with
//! `#[bedrock_model]` outside bedrock-llm. Requests carry a system prompt and turns; responses
//! one output with usage; a stream sends `{"delta": …}` chunks and a last chunk with the finish
//! reason and usage.

use bedrock_llm_core::bedrock_model;

/// The Zeta family.
#[bedrock_model(
    model,
    ids = ["acme.zeta-*"],
    family = "Acme Zeta",
    request = ZetaRequest,
    response = ZetaResponse,
    chunk = ZetaChunk
)]
#[derive(Debug, Clone, Copy)]
pub struct Zeta;

/// `{"system"?, "turns": [{"role", "text"}], "limits": {"max_tokens", "temperature"}}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct ZetaRequest {
    /// The system prompt.
    #[llm(system)]
    pub system: Option<String>,
    /// The conversation.
    #[llm(messages)]
    pub turns: Vec<ZetaTurn>,
    /// Limits.
    #[llm(nested)]
    pub limits: Option<ZetaLimits>,
}

/// One turn.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ZetaTurn {
    /// `user` or `assistant`.
    #[llm(role)]
    pub role: String,
    /// The text.
    #[llm(content)]
    pub text: String,
}

/// Sampling limits.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ZetaLimits {
    /// Token limit.
    #[llm(max_tokens)]
    pub max_tokens: Option<u64>,
    /// Temperature.
    #[llm(temperature)]
    pub temperature: Option<f64>,
}

/// `{"id", "output": {"text"}, "finish_reason", "usage": {"input", "output"}}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct ZetaResponse {
    /// The response id.
    #[llm(response_id)]
    pub id: String,
    /// The answer.
    #[llm(message)]
    pub output: ZetaOutput,
    /// Why it stopped.
    #[llm(finish_reason)]
    pub finish_reason: Option<String>,
    /// Token counts.
    #[llm(nested)]
    pub usage: Option<ZetaUsage>,
}

/// The answer.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ZetaOutput {
    /// Its text.
    #[llm(completion)]
    pub text: String,
}

/// Token counts.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ZetaUsage {
    /// Prompt tokens.
    #[llm(input_tokens)]
    pub input: u64,
    /// Completion tokens.
    #[llm(output_tokens)]
    pub output: u64,
}

/// One stream chunk: a text delta, and on the last one the finish reason and usage.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ZetaChunk {
    /// The text delta.
    #[llm(completion)]
    pub delta: Option<String>,
    /// Why it stopped (last chunk).
    #[llm(finish_reason)]
    pub finish_reason: Option<String>,
    /// Token counts (last chunk).
    #[llm(nested)]
    pub usage: Option<ZetaUsage>,
}
