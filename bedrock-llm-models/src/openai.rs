//! The OpenAI chat-completions format on InvokeModel: OpenAI's gpt-oss and GPT models on Bedrock,
//! and the providers Bedrock serves in the same format (Qwen, DeepSeek V3, Moonshot Kimi, MiniMax,
//! Google Gemma, NVIDIA Nemotron, Z.ai GLM — whose InvokeModel bodies no public recording shows
//! yet; a body that is not this format is reported as an extraction error, never guessed at).
//!
//! Streams send `chat.completion.chunk` objects whose `choices[].delta` carry the text; the last
//! chunk has empty `choices`, the usage and Bedrock's invocation metrics. DeepSeek's
//! `reasoning_content` is kept out of the answer text, and so is reasoning written inline:
//! gpt-oss's `<reasoning>…</reasoning>` and Qwen's `<think>…</think>` (`inline_reasoning`).

use bedrock_llm_core::{TokenCount, bedrock_model};
use serde_json::Value;

use crate::common::ChatContent;
use crate::mistral::{MistralTool, MistralToolCall};

/// OpenAI chat completions (`openai.gpt-oss-*`, `*.openai.*`, and the same format's providers).
#[bedrock_model(
    model,
    family = "OpenAI Chat",
    ids = [
        "openai.*",
        "qwen.*",
        "deepseek.v3*",
        "moonshot.*",
        "moonshotai.*",
        "minimax.*",
        "google.gemma-*",
        "nvidia.nemotron-*",
        "zai.glm-*",
    ],
    request = OpenAiChatRequest,
    response = OpenAiChatResponse,
    chunk = OpenAiChatResponse,
    inline_reasoning = true,
)]
#[derive(Debug, Clone, Copy)]
pub struct OpenAiChat;

/// The request: `{"messages": […], "max_completion_tokens"?, …}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAiChatRequest {
    /// The conversation, system and developer messages in body order.
    #[llm(messages)]
    pub messages: Vec<OpenAiMessage>,
    /// Token limit (`max_tokens` is read as the same limit).
    #[llm(max_tokens)]
    #[serde(alias = "max_tokens")]
    pub max_completion_tokens: Option<u64>,
    /// Temperature.
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[llm(top_p)]
    pub top_p: Option<f64>,
    /// Stop sequences.
    #[llm(stop_sequences)]
    pub stop: Option<Vec<String>>,
    /// Choices asked for.
    #[llm(choice_count)]
    pub n: Option<u64>,
    /// Frequency penalty.
    #[llm(frequency_penalty)]
    pub frequency_penalty: Option<f64>,
    /// Presence penalty.
    #[llm(presence_penalty)]
    pub presence_penalty: Option<f64>,
    /// Tools offered to the model.
    #[llm(nested)]
    pub tools: Option<Vec<MistralTool>>,
    /// `auto`, `none`, `required` or a named tool, kept as sent.
    pub tool_choice: Option<Value>,
    /// `low`, `medium`, `high` (reasoning models), kept as sent.
    pub reasoning_effort: Option<Value>,
    /// Whether the answer streams.
    pub stream: Option<bool>,
    /// `{include_usage: true}`, kept as sent.
    pub stream_options: Option<Value>,
    /// `{type: json_object | json_schema}`, kept as sent.
    pub response_format: Option<Value>,
}

/// One message; assistant turns may call tools instead of (or besides) answering.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAiMessage {
    /// `system`, `developer`, `user`, `assistant`, `tool`.
    #[llm(role)]
    pub role: Option<String>,
    /// DeepSeek's reasoning: a reasoning part before the answer, kept out of its text.
    #[llm(reasoning)]
    pub reasoning_content: Option<String>,
    /// A string or typed parts.
    #[llm(content)]
    #[serde(default, deserialize_with = "ChatContent::deserialize_optional")]
    pub content: Option<ChatContent>,
    /// A refusal instead of an answer.
    pub refusal: Option<String>,
    /// Tool calls.
    #[llm(text)]
    pub tool_calls: Option<Vec<MistralToolCall>>,
    /// On `tool` turns: the call answered.
    #[llm(tool_call_id)]
    pub tool_call_id: Option<String>,
    /// URL citations and the like, kept as sent.
    pub annotations: Option<Value>,
}

/// `{"id", "object", "created", "model", "choices": […], "usage"}` (a stream chunk has the same
/// shape, with `delta` for `message`).
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAiChatResponse {
    /// `chatcmpl-…`.
    #[llm(response_id)]
    pub id: Option<String>,
    /// `chat.completion` or `chat.completion.chunk`.
    pub object: Option<String>,
    /// Unix seconds.
    pub created: Option<u64>,
    /// The model that answered.
    #[llm(response_model)]
    pub model: Option<String>,
    /// The service tier, as reported.
    pub service_tier: Option<String>,
    /// Always null on Bedrock.
    pub system_fingerprint: Option<Value>,
    /// One output message per choice (none on a stream's usage chunk).
    #[llm(choices)]
    #[serde(default)]
    pub choices: Vec<OpenAiChoice>,
    /// Token counts.
    #[llm(nested)]
    pub usage: Option<OpenAiChatUsage>,
}

/// One choice.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAiChoice {
    /// Its index.
    #[llm(choice_index)]
    pub index: Option<u32>,
    /// The message (`delta` in stream chunks).
    #[llm(nested)]
    #[serde(alias = "delta")]
    pub message: OpenAiMessage,
    /// `stop`, `length`, `tool_calls`, `content_filter`.
    #[llm(finish_reason)]
    pub finish_reason: Option<String>,
}

/// `usage`, with Bedrock's cache-write count beside OpenAI's cached prompt tokens.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAiChatUsage {
    /// Prompt tokens.
    #[llm(input_tokens)]
    pub prompt_tokens: Option<TokenCount>,
    /// Completion tokens (reasoning included).
    #[llm(output_tokens)]
    pub completion_tokens: Option<TokenCount>,
    /// Total as reported.
    #[llm(total_tokens)]
    pub total_tokens: Option<TokenCount>,
    /// `{cached_tokens, cache_write_tokens, audio_tokens}`.
    #[llm(nested)]
    pub prompt_tokens_details: Option<OpenAiPromptDetails>,
    /// `{reasoning_tokens, …}`, kept as sent.
    pub completion_tokens_details: Option<Value>,
}

/// `usage.prompt_tokens_details`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAiPromptDetails {
    /// Prompt tokens read from the cache.
    #[llm(cache_read_tokens)]
    pub cached_tokens: Option<TokenCount>,
    /// Prompt tokens written to the cache (Bedrock's addition).
    #[llm(cache_write_tokens)]
    pub cache_write_tokens: Option<TokenCount>,
    /// Audio tokens.
    pub audio_tokens: Option<TokenCount>,
}
