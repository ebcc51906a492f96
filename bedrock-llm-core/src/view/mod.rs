//! The family-neutral views of one request body and one response body.
//!
//! Adapters fill these in; events, metrics and logs read only these. Nothing here names a model
//! family: roles, finish reasons and counts are the normalized forms the event spec uses.

use serde::Serialize;

mod chunk;
mod video;

pub use chunk::{ChunkDelta, ChunkText, ServiceMetrics};
pub use video::{VideoParams, VideoStats};

/// Who wrote a message. Family spellings are normalized (`CHATBOT` → `assistant`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    /// A system prompt.
    System,
    /// The caller's turn.
    User,
    /// The model's turn.
    Assistant,
    /// A tool result turn.
    Tool,
    /// Any other role, lowercased.
    Other(String),
}

impl Role {
    /// Normalizes a body's role text: lowercased, with the aliases families use mapped.
    pub fn from_body(text: &str) -> Self {
        with_ascii_lowercase(text, |lower| match lower {
            "system" => Self::System,
            "user" | "human" => Self::User,
            "assistant" | "chatbot" | "bot" | "ai" | "model" => Self::Assistant,
            "tool" | "function" => Self::Tool,
            other => Self::Other(other.to_owned()),
        })
    }

    /// The role as events spell it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(other) => other,
            known => known.known_str().unwrap_or_default(),
        }
    }

    /// The name of one of the four known roles, as a constant (`None` for [`Role::Other`]), for
    /// callers that keep it without copying.
    pub fn known_str(&self) -> Option<&'static str> {
        match self {
            Self::System => Some("system"),
            Self::User => Some("user"),
            Self::Assistant => Some("assistant"),
            Self::Tool => Some("tool"),
            Self::Other(_) => None,
        }
    }
}

impl Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Serialize for NormalizedFinishReason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One message of a request or a response, content flattened to text (`docs/llm-events.md` §4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    /// Normalized role.
    pub role: Role,
    /// Text content; non-text blocks appear as placeholders such as `<image>`.
    pub content: String,
    /// Why generation stopped, on response messages that report it.
    pub finish_reason: Option<FinishReason>,
    /// The message as ordered parts, when it holds tool calls or tool-call responses; empty
    /// when `content` says it all (one text part).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
}

impl Message {
    /// A message with no finish reason.
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
            finish_reason: None,
            parts: Vec::new(),
        }
    }
}

/// One part of a message: text (placeholders included), a tool call, or a tool's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Part {
    /// Text, or a placeholder such as `<image>`.
    Text {
        /// The text.
        content: String,
    },
    /// The model asks for a tool to run.
    ToolCall {
        /// The call's id, when the body gives one.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The tool's name.
        name: String,
        /// The arguments, as the body gave them.
        #[serde(skip_serializing_if = "Option::is_none")]
        arguments: Option<serde_json::Value>,
    },
    /// The model's reasoning (Claude thinking, Converse `reasoningContent`, DeepSeek's
    /// `reasoning_content`): kept apart from the answer, never counted as its text.
    Reasoning {
        /// The reasoning text.
        content: String,
    },
    /// A tool's result handed back to the model.
    ToolCallResponse {
        /// The id of the call it answers.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The result, flattened to text.
        response: String,
    },
}

/// A tool offered to the model.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ToolDefinition {
    /// Its name.
    pub name: String,
    /// What it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its parameters' JSON schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<serde_json::Value>,
}

/// Finish reasons as the OpenTelemetry GenAI conventions normalize them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NormalizedFinishReason {
    /// The model finished or hit a stop sequence.
    Stop,
    /// A token or context limit was reached.
    Length,
    /// The model asked for a tool.
    ToolCall,
    /// A filter or guardrail stopped it.
    ContentFilter,
    /// The model failed.
    Error,
    /// Anything else, lowercased.
    Other(String),
}

impl NormalizedFinishReason {
    /// The normalized value as OTel spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Stop => "stop",
            Self::Length => "length",
            Self::ToolCall => "tool_call",
            Self::ContentFilter => "content_filter",
            Self::Error => "error",
            Self::Other(other) => other,
        }
    }
}

/// A finish reason: the family's raw value (what LLM events report) and its normalized form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct FinishReason {
    /// As the body spelled it.
    pub raw: String,
    /// Per `docs/bedrock-formats.md` §6.
    pub normalized: NormalizedFinishReason,
}

impl FinishReason {
    /// Normalizes a raw finish reason. The table is family-neutral: no two families use one
    /// spelling for different outcomes, so matching is on the lowercased value alone.
    pub fn from_raw(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let normalized = with_ascii_lowercase(&raw, |lower| match lower {
            "end_turn" | "stop_sequence" | "finish" | "finished" | "stop_criteria_met" | "stop"
            | "complete" | "endoftext" | "eos" | "success" => NormalizedFinishReason::Stop,
            "max_tokens" | "length" | "model_context_window_exceeded" => {
                NormalizedFinishReason::Length
            }
            "tool_use" | "tool_calls" | "tool_call" => NormalizedFinishReason::ToolCall,
            "content_filtered"
            | "error_toxic"
            | "refusal"
            | "guardrail_intervened"
            | "content_filter" => NormalizedFinishReason::ContentFilter,
            "error" | "malformed_model_output" | "malformed_tool_use" | "inference error" => {
                NormalizedFinishReason::Error
            }
            // Stability image models: `Filter reason: prompt`, `… output image`, `… input image`.
            other if other.starts_with("filter reason") => NormalizedFinishReason::ContentFilter,
            other => NormalizedFinishReason::Other(other.to_owned()),
        });
        Self { raw, normalized }
    }
}

/// Runs `f` on `text` lowercased (ASCII). Roles and finish reasons are read on every call and
/// are short, so they are lowercased on the stack.
fn with_ascii_lowercase<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buffer = [0u8; 32];
    match buffer.get_mut(..text.len()) {
        Some(lower) => {
            lower.copy_from_slice(text.as_bytes());
            lower.make_ascii_lowercase();
            // Lowercasing ASCII bytes keeps UTF-8 valid.
            f(std::str::from_utf8(lower).unwrap_or(text))
        }
        None => f(&text.to_ascii_lowercase()),
    }
}

/// Sampling and limit parameters a request set. `None` means the body did not set it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RequestParams {
    /// Token limit for the completion.
    pub max_tokens: Option<u64>,
    /// Sampling temperature.
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    pub top_p: Option<f64>,
    /// Top-k sampling.
    pub top_k: Option<u64>,
    /// Stop sequences, in body order.
    pub stop_sequences: Vec<String>,
    /// Number of choices asked for (Cohere `num_generations`, Jamba `n`).
    pub choice_count: Option<u64>,
    /// Frequency penalty.
    pub frequency_penalty: Option<f64>,
    /// Presence penalty.
    pub presence_penalty: Option<f64>,
    /// What an image-generation request asked for; empty for every other request.
    #[serde(skip_serializing_if = "ImageParams::is_empty")]
    pub image: ImageParams,
    /// What a rerank request asked for; empty for every other request.
    #[serde(skip_serializing_if = "RerankParams::is_empty")]
    pub rerank: RerankParams,
    /// What a video-generation request asked for; empty for every other request.
    #[serde(skip_serializing_if = "VideoParams::is_empty")]
    pub video: VideoParams,
}

/// A rerank request's size: how many documents to rank, how many results to return.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RerankParams {
    /// Documents sent to be ranked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<u64>,
    /// Results asked for (`top_n`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_n: Option<u64>,
}

impl RerankParams {
    /// Whether the body said neither (every request but a rerank's).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The settings of an image-generation request, as its body gave them. `None` means unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageParams {
    /// Images asked for (Titan `numberOfImages`, SDXL `samples`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Width in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u64>,
    /// Height in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// Quality tier (Titan and Nova Canvas `standard`/`premium`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<String>,
    /// Diffusion steps (SDXL `steps`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
    /// Aspect ratio, where the body names one instead of a size (Stability `aspect_ratio`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
}

impl ImageParams {
    /// Whether the body set none of them (every request but an image generation's).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The size as CloudWatch's `ImageSize` dimension spells it (`1024x1024`), else the aspect
    /// ratio, when the request says either.
    pub fn size_label(&self) -> Option<String> {
        match (self.width, self.height) {
            (Some(width), Some(height)) => Some(format!("{width}x{height}")),
            _ => self.aspect_ratio.clone(),
        }
    }
}

/// What a request body says, family-neutral.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RequestView {
    /// Input messages in event order: system prompts first, then the body's messages.
    pub messages: Vec<Message>,
    /// Texts to embed, for embedding requests.
    pub embedding_inputs: Vec<String>,
    /// Sampling and limit parameters.
    pub params: RequestParams,
    /// Names of tools offered to the model.
    pub tool_names: Vec<String>,
    /// The tools offered, with description and parameter schema where the body gives them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolDefinition>,
}

impl RequestView {
    /// The system prompt: the text of the system messages joined by a blank line.
    pub fn system_prompt(&self) -> Option<String> {
        let parts: Vec<&str> = self
            .messages
            .iter()
            .filter(|m| m.role == Role::System)
            .map(|m| m.content.as_str())
            .collect();
        (!parts.is_empty()).then(|| parts.join("\n\n"))
    }
}

/// Token counts a body reported. Each is `None` when the body did not say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: Option<u64>,
    /// Completion tokens.
    pub output_tokens: Option<u64>,
    /// Total as the body reported it.
    pub total_tokens: Option<u64>,
    /// Prompt tokens read from the cache.
    pub cache_read_input_tokens: Option<u64>,
    /// Prompt tokens written to the cache.
    pub cache_write_input_tokens: Option<u64>,
    /// Of those, the ones written as 1-hour entries (priced apart from 5-minute ones), where
    /// the body says (Claude's `cache_creation.ephemeral_1h_input_tokens`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_write_1h_input_tokens: Option<u64>,
}

impl Usage {
    /// Whether both the prompt and the completion count are known (0 is a valid count).
    pub fn is_complete(&self) -> bool {
        self.input_tokens.is_some() && self.output_tokens.is_some()
    }

    /// The body's total, or the sum of the two counts when both are known.
    pub fn total(&self) -> Option<u64> {
        self.total_tokens
            .or_else(|| Some(self.input_tokens?.saturating_add(self.output_tokens?)))
    }
}

/// Shape of the vectors an embedding response returned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EmbeddingStats {
    /// How many vectors.
    pub count: usize,
    /// Length of each vector (of the first, when they differ).
    pub dimensions: Option<usize>,
}

/// The images an image-generation response returned: how many, how large — never the images.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageStats {
    /// Images returned (an empty or filtered slot is not an image).
    pub count: u64,
    /// Their decoded size in bytes, summed (from the base64 length; nothing is decoded).
    pub bytes: u64,
    /// Per-image finish reasons, in body order, where the body gives them (`null` ones left out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub finish_reasons: Vec<FinishReason>,
    /// The body's error message (Titan and Nova Canvas `error`: a content filter's refusal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ImageStats {
    /// The decoded size of one base64 payload, from its length and padding.
    pub fn decoded_len(base64: &str) -> u64 {
        let trimmed = base64.trim_end();
        let padding = trimmed.bytes().rev().take_while(|&b| b == b'=').count() as u64;
        (trimmed.len() as u64 / 4 * 3).saturating_sub(padding)
    }
}

/// What a response body says, family-neutral.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResponseView {
    /// Output messages, one per choice.
    pub messages: Vec<Message>,
    /// The response-level finish reason; else the first choice's.
    pub finish_reason: Option<FinishReason>,
    /// Token counts from the body.
    pub usage: Usage,
    /// The body's id, as a string.
    pub response_id: Option<String>,
    /// The model the body says answered (Claude `model`).
    pub response_model: Option<String>,
    /// Embedding vectors returned, for embedding responses.
    pub embedding: Option<EmbeddingStats>,
    /// Images returned, for image-generation responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<ImageStats>,
    /// Results returned, for rerank responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rerank: Option<RerankStats>,
    /// The video a job produced, where an invocation log reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub videos: Option<VideoStats>,
}

impl ResponseView {
    /// The call's one finish reason, as every reader takes it: the body's own, else the first
    /// message's, else the first image's (the one fold that made the view set it so).
    pub fn call_finish_reason(&self) -> Option<&FinishReason> {
        self.finish_reason.as_ref()
    }
}

/// The one finish-reason fold, for whole bodies and streams alike: a body-level reason belongs
/// to its one message (Claude Messages, Converse) when that message has none; the call's reason
/// is the body's, else the first message's, else the first image's (several images, one
/// reason field).
pub(crate) fn settle_finish_reasons(
    messages: &mut [Message],
    body: Option<FinishReason>,
    images: Option<&ImageStats>,
) -> Option<FinishReason> {
    if let ([only], Some(reason)) = (&mut *messages, &body) {
        only.finish_reason.get_or_insert_with(|| reason.clone());
    }
    body.or_else(|| messages.iter().find_map(|m| m.finish_reason.clone()))
        .or_else(|| images?.finish_reasons.first().cloned())
}

/// What a rerank response returned: how many results, and the best score — never the documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RerankStats {
    /// Results returned.
    pub results: u64,
    /// The highest relevance score among them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_score: Option<f64>,
}

/// Joins a message's segments with a blank line, leaving out empty ones (an empty `content`
/// beside a tool call) unless nothing else is there.
pub(crate) fn join_segments(mut segments: Vec<String>) -> String {
    if segments.len() == 1 {
        return segments.pop().unwrap_or_default();
    }
    let kept: Vec<String> = segments.into_iter().filter(|s| !s.is_empty()).collect();
    kept.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_reasons_normalize_per_the_table() {
        use NormalizedFinishReason::*;
        for (raw, want) in [
            ("end_turn", Stop),
            ("FINISH", Stop),
            ("COMPLETE", Stop),
            ("endoftext", Stop),
            ("max_tokens", Length),
            ("MAX_TOKENS", Length),
            ("model_context_window_exceeded", Length),
            ("tool_use", ToolCall),
            ("tool_calls", ToolCall),
            ("CONTENT_FILTERED", ContentFilter),
            ("ERROR_TOXIC", ContentFilter),
            ("guardrail_intervened", ContentFilter),
            ("ERROR", Error),
            ("SUCCESS", Stop),
            ("Filter reason: prompt", ContentFilter),
            ("Filter reason: output image", ContentFilter),
            ("Inference error", Error),
            ("malformed_tool_use", Error),
            (
                "RAG_QUERY_WHEN_RAG_DISABLED",
                Other("rag_query_when_rag_disabled".into()),
            ),
        ] {
            let reason = FinishReason::from_raw(raw);
            assert_eq!(reason.raw, raw);
            assert_eq!(reason.normalized, want, "{raw}");
        }
    }

    #[test]
    fn image_sizes_come_from_base64_lengths() {
        assert_eq!(ImageStats::decoded_len(""), 0);
        assert_eq!(ImageStats::decoded_len("iVBORw0K"), 6);
        assert_eq!(ImageStats::decoded_len("aGk="), 2);
        assert_eq!(ImageStats::decoded_len("aA=="), 1);
    }

    #[test]
    fn roles_normalize() {
        assert_eq!(Role::from_body("CHATBOT"), Role::Assistant);
        assert_eq!(Role::from_body("USER"), Role::User);
        assert_eq!(Role::from_body("Critic").as_str(), "critic");
    }

    #[test]
    fn usage_totals() {
        let usage = Usage {
            input_tokens: Some(0),
            output_tokens: Some(7),
            ..Usage::default()
        };
        assert!(usage.is_complete());
        assert_eq!(usage.total(), Some(7));
        assert_eq!(
            Usage {
                input_tokens: Some(3),
                ..Usage::default()
            }
            .total(),
            None
        );
    }
}
