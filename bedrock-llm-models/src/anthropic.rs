//! Anthropic Claude: Text Completions (`claude-v2`, `v2:1`, `instant-v1`) and Messages
//! (Claude 3 and later, and Claude 2.x when the body has `messages`).

use bedrock_llm_core::{TokenCount, bedrock_model};
use serde::Deserialize;
use serde_json::Value;

use crate::common::TextOrList;

/// Claude Text Completions. Claude 2.x IDs accept this body and the Messages body; the
/// registry routes on the body's shape.
#[bedrock_model(
    model,
    family = "Claude Text Completions",
    ids = ["anthropic.claude-v2*", "anthropic.claude-instant-v1*"],
    request = ClaudeTextRequest,
    response = ClaudeTextResponse,
    chunk = ClaudeTextResponse,
    request_has = "prompt",
)]
#[derive(Debug, Clone, Copy)]
pub struct ClaudeText;

/// `{"prompt": "\n\nHuman: …\n\nAssistant:", "max_tokens_to_sample": …}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct ClaudeTextRequest {
    /// The whole prompt, in the `Human:`/`Assistant:` format.
    #[llm(prompt)]
    pub prompt: String,
    /// Token limit (required by the API; 200 by convention).
    #[llm(max_tokens)]
    pub max_tokens_to_sample: Option<u64>,
    /// Temperature (default 1).
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling (default 1).
    #[llm(top_p)]
    pub top_p: Option<f64>,
    /// Top-k (default 250).
    #[llm(top_k)]
    pub top_k: Option<u64>,
    /// Stop sequences (`\n\nHuman:` is always implied).
    #[llm(stop_sequences)]
    pub stop_sequences: Option<Vec<String>>,
    /// The Bedrock API version, when sent.
    pub anthropic_version: Option<String>,
}

/// `{"completion": …, "stop_reason": …, "stop": …}` (plus an undocumented `type`).
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct ClaudeTextResponse {
    /// The generated text.
    #[llm(completion)]
    pub completion: String,
    /// `stop_sequence` or `max_tokens`.
    #[llm(finish_reason)]
    pub stop_reason: Option<String>,
    /// The stop sequence that ended generation.
    pub stop: Option<String>,
    /// `"completion"`, undocumented.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// Claude Messages: every Claude 3+ model, and Claude 2.x with a `messages` body.
#[bedrock_model(
    model,
    family = "Claude Messages",
    ids = ["anthropic.claude*"],
    request = ClaudeMessagesRequest,
    response = ClaudeMessagesResponse,
    chunk = ClaudeStreamEvent,
)]
#[derive(Debug, Clone, Copy)]
pub struct ClaudeMessages;

/// The Messages request.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct ClaudeMessagesRequest {
    /// `bedrock-2023-05-31`.
    pub anthropic_version: Option<String>,
    /// Beta features.
    pub anthropic_beta: Option<Vec<String>>,
    /// The system prompt: a string or text blocks.
    #[llm(system)]
    #[serde(default, deserialize_with = "ClaudeContent::deserialize_optional")]
    pub system: Option<ClaudeContent>,
    /// The conversation.
    #[llm(messages)]
    pub messages: Vec<ClaudeMessage>,
    /// Token limit.
    #[llm(max_tokens)]
    pub max_tokens: Option<u64>,
    /// Temperature.
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[llm(top_p)]
    pub top_p: Option<f64>,
    /// Top-k.
    #[llm(top_k)]
    pub top_k: Option<u64>,
    /// Stop sequences.
    #[llm(stop_sequences)]
    pub stop_sequences: Option<Vec<String>>,
    /// Tools offered to the model.
    #[llm(nested)]
    pub tools: Option<Vec<ClaudeTool>>,
    /// `{type: auto|any|tool|none, name?}`, kept as sent.
    pub tool_choice: Option<Value>,
    /// Extended-thinking settings, kept as sent.
    pub thinking: Option<Value>,
}

/// A tool definition.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ClaudeTool {
    /// Its name.
    #[llm(tool_name)]
    pub name: String,
    /// What it does.
    #[llm(tool_description)]
    pub description: Option<String>,
    /// Its JSON schema.
    #[llm(tool_parameters)]
    pub input_schema: Option<Value>,
    /// Server tools carry a type (`computer_20241022`, …).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// One conversation turn.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ClaudeMessage {
    /// `user` or `assistant`.
    #[llm(role)]
    pub role: String,
    /// A string or blocks.
    #[llm(content)]
    #[serde(deserialize_with = "ClaudeContent::deserialize_required")]
    pub content: ClaudeContent,
}

/// Content: a plain string or a list of blocks.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum ClaudeContent {
    /// A plain string.
    Text(#[llm(text)] String),
    /// Typed blocks.
    Blocks(#[llm(text)] Vec<ClaudeBlock>),
}

impl From<TextOrList<ClaudeBlock>> for ClaudeContent {
    fn from(content: TextOrList<ClaudeBlock>) -> Self {
        match content {
            TextOrList::Text(text) => Self::Text(text),
            TextOrList::List(blocks) => Self::Blocks(blocks),
        }
    }
}

impl ClaudeContent {
    /// Through [`TextOrList`], so errors inside blocks keep their path.
    fn deserialize_required<'de, D>(deserializer: D) -> Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        TextOrList::deserialize(deserializer).map(Self::from)
    }

    /// `Option<ClaudeContent>` through [`TextOrList`].
    fn deserialize_optional<'de, D>(deserializer: D) -> Result<Option<Self>, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        let content: Option<TextOrList<ClaudeBlock>> = Deserialize::deserialize(deserializer)?;
        Ok(content.map(Self::from))
    }
}

/// A content block. Thinking blocks are kept but are not message text.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClaudeBlock {
    /// Text.
    Text {
        /// The text.
        #[llm(text)]
        text: String,
        /// Citations (newer models), kept as sent.
        #[serde(skip_serializing_if = "Option::is_none")]
        citations: Option<Value>,
    },
    /// An image: `<image>`.
    #[llm(block = "image")]
    Image {
        /// `{type: base64, media_type, data}`.
        source: Option<Value>,
    },
    /// A document: `<document>{title}</document>`.
    #[llm(block = "document")]
    Document {
        /// The source.
        source: Option<Value>,
        /// Its title.
        #[llm(name)]
        title: Option<String>,
    },
    /// A tool call: `<tool_use>{name}</tool_use>`.
    #[llm(block = "tool_use")]
    ToolUse {
        /// Call id.
        #[llm(tool_call_id)]
        id: Option<String>,
        /// The tool.
        #[llm(name)]
        name: String,
        /// Arguments.
        #[llm(arguments)]
        input: Option<Value>,
    },
    /// A tool's result: `<tool_result>{text}</tool_result>`.
    #[llm(block = "tool_result")]
    ToolResult {
        /// The call this answers.
        #[llm(tool_call_id)]
        tool_use_id: Option<String>,
        /// A string or blocks.
        #[llm(text)]
        #[serde(default, deserialize_with = "ClaudeContent::deserialize_optional")]
        content: Option<ClaudeContent>,
        /// Whether the tool failed.
        is_error: Option<bool>,
    },
    /// The model's reasoning.
    Thinking {
        /// The reasoning text.
        #[llm(reasoning)]
        thinking: Option<String>,
        /// Its signature.
        signature: Option<String>,
    },
    /// Reasoning the service redacted.
    RedactedThinking {
        /// Opaque data.
        data: Option<String>,
    },
    /// A block type newer than this adapter: `<unknown_chunk>`.
    #[llm(block = "unknown_chunk")]
    #[serde(other)]
    Unknown,
}

/// The Messages response.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct ClaudeMessagesResponse {
    /// `msg_bdrk_…`.
    #[llm(response_id)]
    pub id: Option<String>,
    /// `message`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `assistant`.
    #[llm(role)]
    pub role: Option<String>,
    /// A short model name such as `claude-3-sonnet-20240229`.
    #[llm(response_model)]
    pub model: Option<String>,
    /// The answer's blocks, concatenated into one message.
    #[llm(content)]
    pub content: Vec<ClaudeBlock>,
    /// `end_turn`, `max_tokens`, `stop_sequence`, `tool_use`, `refusal`, …
    #[llm(finish_reason)]
    pub stop_reason: Option<String>,
    /// The stop sequence hit.
    pub stop_sequence: Option<String>,
    /// Token counts.
    #[llm(nested)]
    pub usage: Option<ClaudeUsage>,
}

/// `usage`, with cache counts on models that cache prompts.
#[bedrock_model(part)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClaudeUsage {
    /// Prompt tokens not read from or written to the cache.
    #[llm(input_tokens)]
    pub input_tokens: Option<TokenCount>,
    /// Completion tokens.
    #[llm(output_tokens)]
    pub output_tokens: Option<TokenCount>,
    /// Prompt tokens written to the cache.
    #[llm(cache_write_tokens)]
    pub cache_creation_input_tokens: Option<TokenCount>,
    /// Prompt tokens read from the cache.
    #[llm(cache_read_tokens)]
    pub cache_read_input_tokens: Option<TokenCount>,
    /// The cache writes by entry lifetime (`ephemeral_5m_input_tokens`,
    /// `ephemeral_1h_input_tokens`), where the body breaks them down.
    #[llm(nested)]
    pub cache_creation: Option<ClaudeCacheCreation>,
}

/// `usage.cache_creation`: the cache writes by how long the entries live.
#[bedrock_model(part)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClaudeCacheCreation {
    /// Written as 5-minute entries.
    pub ephemeral_5m_input_tokens: Option<TokenCount>,
    /// Written as 1-hour entries (priced at twice the input price, not 1.25 times).
    #[llm(cache_write_1h_tokens)]
    pub ephemeral_1h_input_tokens: Option<TokenCount>,
}

/// One Claude Messages stream event.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClaudeStreamEvent {
    /// The message's id, model, role and input count.
    MessageStart {
        /// The message so far.
        #[llm(nested)]
        message: ClaudeStreamMessage,
    },
    /// A content block opens: text, `tool_use` (rendered `<tool_use>{name}</tool_use>`), …
    ContentBlockStart {
        /// Which block.
        #[llm(block_index)]
        index: u64,
        /// The block as it starts.
        #[llm(content)]
        content_block: ClaudeBlock,
    },
    /// A block grows.
    ContentBlockDelta {
        /// Which block.
        #[llm(block_index)]
        index: u64,
        /// The delta.
        #[llm(nested)]
        delta: ClaudeDelta,
    },
    /// A block closes.
    ContentBlockStop {
        /// Which block.
        #[llm(block_index)]
        index: Option<u64>,
    },
    /// The stop reason and final output count.
    MessageDelta {
        /// Stop reason and sequence.
        #[llm(nested)]
        delta: ClaudeMessageDelta,
        /// Output tokens so far.
        #[llm(nested)]
        usage: Option<ClaudeUsage>,
    },
    /// The end (Bedrock adds its invocation metrics here).
    MessageStop {},
    /// Keep-alive.
    Ping {},
    /// An event newer than this adapter.
    #[serde(other)]
    Other,
}

/// `message` of `message_start`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ClaudeStreamMessage {
    /// `msg_bdrk_…`.
    #[llm(response_id)]
    pub id: Option<String>,
    /// The model.
    #[llm(response_model)]
    pub model: Option<String>,
    /// `assistant`.
    #[llm(role)]
    pub role: Option<String>,
    /// Input tokens (and a first output count).
    #[llm(nested)]
    pub usage: Option<ClaudeUsage>,
}

/// A content block delta.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClaudeDelta {
    /// Text.
    TextDelta {
        /// The text.
        #[llm(text)]
        text: String,
    },
    /// A piece of a tool call's JSON input (the call and its placeholder came with the block
    /// start; the pieces joined are its arguments).
    InputJsonDelta {
        /// The piece.
        #[llm(arguments_delta)]
        partial_json: String,
    },
    /// Reasoning, not message text.
    ThinkingDelta {
        /// The piece.
        #[llm(reasoning)]
        thinking: String,
    },
    /// The reasoning's signature.
    SignatureDelta {
        /// The signature.
        signature: String,
    },
    /// A delta newer than this adapter.
    #[serde(other)]
    Other,
}

/// `delta` of `message_delta`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ClaudeMessageDelta {
    /// Why generation stopped.
    #[llm(finish_reason)]
    pub stop_reason: Option<String>,
    /// The stop sequence hit.
    pub stop_sequence: Option<String>,
}
