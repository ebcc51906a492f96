//! The views an adapter builds from what is not a whole body: one stream chunk's delta
//! ([`ChunkDelta`], [`ChunkText`]) and the counts Bedrock reports beside the body
//! ([`ServiceMetrics`]). They live with the other views, apart from the machinery that folds
//! them (`stream`, `record`), so adapters and that machinery each depend on the views only.

use serde::Serialize;

use super::{FinishReason, Part, Role, Usage};

/// What one chunk adds to one choice: text, and the tool calls it starts or extends.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChunkText {
    /// The choice, when the chunk says; else its position in the chunk.
    pub choice: Option<u64>,
    /// The role, when the chunk gives one.
    pub role: Option<Role>,
    /// The text delta; `None` when the chunk carries none for this choice.
    pub text: Option<String>,
    /// A finish reason for this choice.
    pub finish_reason: Option<FinishReason>,
    /// The chunk's text as ordered parts, when it starts tool calls (Claude's
    /// `content_block_start` of type `tool_use`, Nova's `contentBlockStart.start.toolUse`, or
    /// a whole call in one chunk); empty otherwise. A call's arguments given here are replaced
    /// by the pieces [`ChunkText::arguments_delta`] brings, when any come.
    pub parts: Vec<Part>,
    /// A piece of a started tool call's JSON arguments (`input_json_delta`, Nova's
    /// `delta.toolUse.input`): appended to the call of the chunk's block, else the last call.
    pub arguments_delta: Option<String>,
}

/// What one chunk adds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChunkDelta {
    /// Text per choice.
    pub texts: Vec<ChunkText>,
    /// The content block the text extends.
    pub block_index: Option<u64>,
    /// A response-level finish reason.
    pub finish_reason: Option<FinishReason>,
    /// Counts this chunk reports.
    pub usage: Usage,
    /// The response id, when this chunk carries it.
    pub response_id: Option<String>,
    /// The model, when this chunk carries it.
    pub response_model: Option<String>,
}

/// Counts and latency Bedrock reported outside the body: `X-Amzn-Bedrock-*` response headers,
/// a stream's `amazon-bedrock-invocationMetrics`, or an invocation log's token counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ServiceMetrics {
    /// Input tokens.
    pub input_tokens: Option<u64>,
    /// Output tokens.
    pub output_tokens: Option<u64>,
    /// Bedrock's invocation latency in ms.
    pub invocation_latency_ms: Option<u64>,
    /// Bedrock's first-byte latency in ms (streams).
    pub first_byte_latency_ms: Option<u64>,
}
