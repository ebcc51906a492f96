//! Mistral AI: the text models (7B, Mixtral, Large 2402, Small) and the chat body of
//! Mistral Large 2 (`-2407`) and later.

use bedrock_llm_core::bedrock_model;
use serde_json::Value;

use crate::common::{ChatContent, OpenAiUsage};

/// Mistral text completion: `{"prompt": "<s>[INST] … [/INST]"}`.
#[bedrock_model(
    model,
    family = "Mistral Text",
    ids = ["mistral.*"],
    request = MistralTextRequest,
    response = MistralTextResponse,
    chunk = MistralTextResponse,
    request_has = "prompt",
)]
#[derive(Debug, Clone, Copy)]
pub struct MistralText;

/// The text request.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct MistralTextRequest {
    /// The prompt, in the `[INST]` format.
    #[llm(prompt)]
    pub prompt: String,
    /// Token limit.
    #[llm(max_tokens)]
    pub max_tokens: Option<u64>,
    /// Stop sequences.
    #[llm(stop_sequences)]
    pub stop: Option<Vec<String>>,
    /// Temperature.
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[llm(top_p)]
    pub top_p: Option<f64>,
    /// Top-k.
    #[llm(top_k)]
    pub top_k: Option<u64>,
}

/// `{"outputs": [{text, stop_reason}]}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct MistralTextResponse {
    /// One output message per element.
    #[llm(choices)]
    pub outputs: Vec<MistralTextOutput>,
}

/// One output.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct MistralTextOutput {
    /// The generated text.
    #[llm(completion)]
    pub text: String,
    /// `stop` or `length`.
    #[llm(finish_reason)]
    pub stop_reason: Option<String>,
}

/// Mistral chat (Large 2 and later): `{"messages": […], "tools": […]}`.
#[bedrock_model(
    model,
    family = "Mistral Chat",
    ids = ["mistral.*"],
    request = MistralChatRequest,
    response = MistralChatResponse,
    chunk = MistralChatResponse,
)]
#[derive(Debug, Clone, Copy)]
pub struct MistralChat;

/// The chat request.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct MistralChatRequest {
    /// The conversation, system messages included in body order.
    #[llm(messages)]
    pub messages: Vec<MistralMessage>,
    /// Token limit.
    #[llm(max_tokens)]
    pub max_tokens: Option<u64>,
    /// Temperature.
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[llm(top_p)]
    pub top_p: Option<f64>,
    /// Stop sequences.
    #[llm(stop_sequences)]
    pub stop: Option<Vec<String>>,
    /// Tools offered to the model.
    #[llm(nested)]
    pub tools: Option<Vec<MistralTool>>,
    /// `auto`, `any`, `none`, kept as sent.
    pub tool_choice: Option<Value>,
    /// `{type: json_object}`, kept as sent.
    pub response_format: Option<Value>,
}

/// One message; assistant turns may call tools instead of (or besides) answering.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct MistralMessage {
    /// `system`, `user`, `assistant`, `tool`.
    #[llm(role)]
    pub role: Option<String>,
    /// A string or typed parts.
    #[llm(content)]
    #[serde(default, deserialize_with = "ChatContent::deserialize_optional")]
    pub content: Option<ChatContent>,
    /// Tool calls, each `<tool_use>{name}</tool_use>`.
    #[llm(text)]
    pub tool_calls: Option<Vec<MistralToolCall>>,
    /// On `tool` turns: the call answered.
    #[llm(tool_call_id)]
    pub tool_call_id: Option<String>,
}

/// A tool call.
#[bedrock_model(part)]
#[llm(block = "tool_use")]
#[derive(Debug, Clone, PartialEq)]
pub struct MistralToolCall {
    /// Call id.
    #[llm(tool_call_id)]
    pub id: Option<String>,
    /// Name and arguments.
    #[llm(nested)]
    pub function: MistralFunctionCall,
}

/// `function` of a tool call.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct MistralFunctionCall {
    /// The tool.
    #[llm(name)]
    pub name: String,
    /// JSON-encoded arguments.
    #[llm(arguments)]
    pub arguments: Option<Value>,
}

/// `{"type": "function", "function": {name, description, parameters}}`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct MistralTool {
    /// `function`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The function.
    #[llm(nested)]
    pub function: MistralToolFunction,
}

/// A tool's function.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct MistralToolFunction {
    /// Its name.
    #[llm(tool_name)]
    pub name: String,
    /// What it does.
    #[llm(tool_description)]
    pub description: Option<String>,
    /// Its parameter schema.
    #[llm(tool_parameters)]
    pub parameters: Option<Value>,
}

/// `{"id"?, "choices": [{index, message, stop_reason}], "usage"?}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct MistralChatResponse {
    /// Response id, when present.
    #[llm(response_id)]
    pub id: Option<String>,
    /// The model, when echoed.
    #[llm(response_model)]
    pub model: Option<String>,
    /// One output message per choice.
    #[llm(choices)]
    pub choices: Vec<MistralChoice>,
    /// Token counts, when present.
    #[llm(nested)]
    pub usage: Option<OpenAiUsage>,
}

/// One choice.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct MistralChoice {
    /// Its index.
    #[llm(choice_index)]
    pub index: Option<u32>,
    /// The message (`delta` in OpenAI-style stream chunks).
    #[llm(nested)]
    #[serde(alias = "delta")]
    pub message: MistralMessage,
    /// `stop`, `length`, `tool_calls`, `model_length`, `error`. Bedrock spells the key
    /// `stop_reason`; OpenAI-style bodies say `finish_reason`.
    #[llm(finish_reason)]
    #[serde(alias = "finish_reason")]
    pub stop_reason: Option<String>,
}
