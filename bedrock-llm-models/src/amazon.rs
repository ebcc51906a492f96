//! Amazon: Titan Text (express, lite, premier), Titan Embeddings (v1, v2) and Nova
//! (`messages-v1`, Converse-shaped).

use std::collections::BTreeMap;

use bedrock_llm_core::{FloatVector, TokenCount, bedrock_model};
use serde_json::Value;

use crate::common::{ConverseBlock, ConverseMessage, ConverseSystemBlock};

/// Titan Text.
#[bedrock_model(
    model,
    family = "Titan Text",
    ids = ["amazon.titan-text-*", "amazon.titan-tg1-*"],
    request = TitanTextRequest,
    response = TitanTextResponse,
    chunk = TitanTextChunk,
)]
#[derive(Debug, Clone, Copy)]
pub struct TitanText;

/// `{"inputText": "User: …\nBot:", "textGenerationConfig": {…}}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TitanTextRequest {
    /// The prompt.
    #[llm(prompt)]
    pub input_text: String,
    /// Sampling parameters.
    #[llm(nested)]
    pub text_generation_config: Option<TitanTextConfig>,
}

/// `textGenerationConfig`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct TitanTextConfig {
    /// Temperature (default 0.7).
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling (default 0.9).
    #[llm(top_p)]
    pub top_p: Option<f64>,
    /// Token limit (default 512).
    #[llm(max_tokens)]
    pub max_token_count: Option<u64>,
    /// Stop sequences.
    #[llm(stop_sequences)]
    pub stop_sequences: Option<Vec<String>>,
}

/// `{"inputTextTokenCount": …, "results": [{tokenCount, outputText, completionReason}]}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TitanTextResponse {
    /// Prompt tokens.
    #[llm(input_tokens)]
    pub input_text_token_count: Option<TokenCount>,
    /// One output message per result.
    #[llm(choices)]
    pub results: Vec<TitanTextResult>,
}

/// One result.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TitanTextResult {
    /// Completion tokens of this result (results add up).
    #[llm(output_tokens)]
    pub token_count: Option<TokenCount>,
    /// The generated text.
    #[llm(completion)]
    pub output_text: String,
    /// `FINISH`, `LENGTH`, `STOP_CRITERIA_MET`, `CONTENT_FILTERED`, … (an open set).
    #[llm(finish_reason)]
    pub completion_reason: Option<String>,
}

/// Titan Embeddings (text v1 and v2, and the G1 multimodal model's text input).
#[bedrock_model(
    model,
    family = "Titan Embeddings",
    ids = ["amazon.titan-embed-*"],
    request = TitanEmbedRequest,
    response = TitanEmbedResponse,
)]
#[derive(Debug, Clone, Copy)]
pub struct TitanEmbed;

/// `{"inputText": …, "dimensions": 1024, "normalize": true, "embeddingTypes": ["float"]}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TitanEmbedRequest {
    /// The text to embed.
    #[llm(embedding_input)]
    pub input_text: Option<String>,
    /// A base64 image (multimodal model).
    pub input_image: Option<String>,
    /// v2: 1024, 512 or 256.
    pub dimensions: Option<u32>,
    /// v2: unit-length vectors (default true).
    pub normalize: Option<bool>,
    /// v2: `float`, `binary`.
    pub embedding_types: Option<Vec<String>>,
    /// Multimodal model settings, kept as sent.
    pub embedding_config: Option<Value>,
}

/// `{"embedding": […], "inputTextTokenCount": …, "embeddingsByType": {"float": […]}}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TitanEmbedResponse {
    /// The float vector (absent when only `binary` was asked for); values parse on demand.
    #[llm(embedding)]
    pub embedding: Option<FloatVector>,
    /// v2: the vector per requested type.
    #[llm(embedding)]
    pub embeddings_by_type: Option<BTreeMap<String, FloatVector>>,
    /// Tokens in the input text.
    #[llm(input_tokens)]
    pub input_text_token_count: Option<TokenCount>,
    /// Multimodal model: a message about the input.
    pub message: Option<String>,
}

/// Amazon Nova (micro, lite, pro, premier): a Converse-shaped native body.
#[bedrock_model(
    model,
    family = "Nova",
    ids = ["amazon.nova-*"],
    request = NovaRequest,
    response = NovaResponse,
    chunk = NovaStreamChunk,
)]
#[derive(Debug, Clone, Copy)]
pub struct Nova;

/// `{"schemaVersion": "messages-v1", "system": [{text}], "messages": […], "inferenceConfig": {…}}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaRequest {
    /// `messages-v1`.
    pub schema_version: Option<String>,
    /// System prompt blocks.
    #[llm(system)]
    pub system: Option<Vec<ConverseSystemBlock>>,
    /// The conversation.
    #[llm(messages)]
    pub messages: Vec<ConverseMessage>,
    /// Sampling parameters.
    #[llm(nested)]
    pub inference_config: Option<NovaInferenceConfig>,
    /// Tools offered to the model.
    #[llm(nested)]
    pub tool_config: Option<NovaToolConfig>,
}

/// `inferenceConfig`. Real traffic sends `maxTokens` as well as the documented
/// `max_new_tokens`; both are read.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NovaInferenceConfig {
    /// Token limit.
    #[llm(max_tokens)]
    #[serde(alias = "maxTokens")]
    pub max_new_tokens: Option<u64>,
    /// Temperature.
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[llm(top_p)]
    #[serde(rename = "topP")]
    pub top_p: Option<f64>,
    /// Top-k.
    #[llm(top_k)]
    #[serde(rename = "topK")]
    pub top_k: Option<u64>,
    /// Stop sequences.
    #[llm(stop_sequences)]
    #[serde(rename = "stopSequences")]
    pub stop_sequences: Option<Vec<String>>,
}

/// `toolConfig`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaToolConfig {
    /// The tools.
    #[llm(nested)]
    #[serde(default)]
    pub tools: Vec<NovaTool>,
    /// Tool choice, kept as sent.
    pub tool_choice: Option<Value>,
}

/// `{"toolSpec": {name, description, inputSchema}}`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaTool {
    /// The specification.
    #[llm(nested)]
    pub tool_spec: Option<NovaToolSpec>,
}

/// A tool's specification.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaToolSpec {
    /// Its name.
    #[llm(tool_name)]
    pub name: String,
    /// What it does.
    #[llm(tool_description)]
    pub description: Option<String>,
    /// Its schema, `{"json": …}`.
    #[llm(nested)]
    pub input_schema: Option<NovaInputSchema>,
}

/// `inputSchema`: the JSON schema under `json`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct NovaInputSchema {
    /// The schema.
    #[llm(tool_parameters)]
    pub json: Option<Value>,
}

/// `{"output": {"message": …}, "stopReason": …, "usage": {…}}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaResponse {
    /// The answer.
    #[llm(nested)]
    pub output: NovaOutput,
    /// `end_turn`, `max_tokens`, `stop_sequence`, `tool_use`, `content_filtered`, …
    #[llm(finish_reason)]
    pub stop_reason: Option<String>,
    /// Token counts.
    #[llm(nested)]
    pub usage: Option<NovaUsage>,
}

/// `output`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct NovaOutput {
    /// The assistant's message.
    #[llm(message)]
    pub message: Option<NovaOutputMessage>,
}

/// The assistant's message.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct NovaOutputMessage {
    /// `assistant`.
    #[llm(role)]
    pub role: Option<String>,
    /// Blocks, concatenated into one message.
    #[llm(content)]
    #[serde(default)]
    pub content: Vec<ConverseBlock>,
}

/// `usage`.
#[bedrock_model(part)]
#[derive(Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "camelCase", from = "NovaUsageBody")]
pub struct NovaUsage {
    /// Prompt tokens.
    #[llm(input_tokens)]
    pub input_tokens: Option<TokenCount>,
    /// Completion tokens.
    #[llm(output_tokens)]
    pub output_tokens: Option<TokenCount>,
    /// Total as reported.
    #[llm(total_tokens)]
    pub total_tokens: Option<TokenCount>,
    /// Prompt tokens read from the cache.
    #[llm(cache_read_tokens)]
    pub cache_read_input_token_count: Option<TokenCount>,
    /// Prompt tokens written to the cache.
    #[llm(cache_write_tokens)]
    pub cache_write_input_token_count: Option<TokenCount>,
}

/// [`NovaUsage`] as bodies send it. Nova writes the cache counts as `cacheReadInputTokenCount`,
/// the Converse API documents `cacheReadInputTokens`, and real Converse bodies send both side by
/// side — so each spelling is read on its own and the two merged (an alias would make the pair
/// a duplicate-field error).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct NovaUsageBody {
    input_tokens: Option<TokenCount>,
    output_tokens: Option<TokenCount>,
    total_tokens: Option<TokenCount>,
    cache_read_input_token_count: Option<TokenCount>,
    cache_write_input_token_count: Option<TokenCount>,
    cache_read_input_tokens: Option<TokenCount>,
    cache_write_input_tokens: Option<TokenCount>,
}

impl From<NovaUsageBody> for NovaUsage {
    fn from(body: NovaUsageBody) -> Self {
        Self {
            input_tokens: body.input_tokens,
            output_tokens: body.output_tokens,
            total_tokens: body.total_tokens,
            cache_read_input_token_count: body
                .cache_read_input_token_count
                .or(body.cache_read_input_tokens),
            cache_write_input_token_count: body
                .cache_write_input_token_count
                .or(body.cache_write_input_tokens),
        }
    }
}

/// One Titan Text stream chunk.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TitanTextChunk {
    /// The text delta.
    #[llm(completion)]
    pub output_text: Option<String>,
    /// Which result. A count type, as a guardrail's chunk sends `0.0` (recorded).
    #[llm(choice_index)]
    pub index: Option<TokenCount>,
    /// Completion tokens, on the last chunk.
    #[llm(output_tokens)]
    pub total_output_text_token_count: Option<TokenCount>,
    /// The finish reason, on the last chunk.
    #[llm(finish_reason)]
    pub completion_reason: Option<String>,
    /// Prompt tokens, on the first chunk.
    #[llm(input_tokens)]
    pub input_text_token_count: Option<TokenCount>,
}

/// One Nova (Converse-style) stream event: an object with one key naming it.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaStreamChunk {
    /// `{role}`.
    #[llm(nested)]
    pub message_start: Option<NovaMessageStart>,
    /// A block opens (a tool call's name comes here).
    #[llm(nested)]
    pub content_block_start: Option<NovaBlockStart>,
    /// A block grows.
    #[llm(nested)]
    pub content_block_delta: Option<NovaBlockDelta>,
    /// A block closes.
    pub content_block_stop: Option<Value>,
    /// `{stopReason}`.
    #[llm(nested)]
    pub message_stop: Option<NovaMessageStop>,
    /// `{usage, metrics}`.
    #[llm(nested)]
    pub metadata: Option<NovaMetadata>,
}

/// `messageStart`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct NovaMessageStart {
    /// `assistant`.
    #[llm(role)]
    pub role: Option<String>,
}

/// `contentBlockStart`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaBlockStart {
    /// Which block.
    #[llm(block_index)]
    pub content_block_index: Option<u64>,
    /// What starts.
    #[llm(nested)]
    pub start: Option<NovaStart>,
}

/// `start` of a block.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaStart {
    /// A tool call: `<tool_use>{name}</tool_use>`.
    #[llm(text)]
    pub tool_use: Option<NovaToolUseStart>,
}

/// A tool call's start.
#[bedrock_model(part)]
#[llm(block = "tool_use")]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaToolUseStart {
    /// Call id.
    #[llm(tool_call_id)]
    pub tool_use_id: Option<String>,
    /// The tool.
    #[llm(name)]
    pub name: String,
}

/// `contentBlockDelta`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaBlockDelta {
    /// Which block. Not a block boundary for text: real Nova streams give every text delta a
    /// block (and index) of its own — `On`, ` their`, ` first` at 0, 1, 2 — where the whole
    /// response has one text block, so text deltas are read as one run. Tool calls still start
    /// blocks of their own (`contentBlockStart`).
    pub content_block_index: Option<u64>,
    /// The delta.
    #[llm(nested)]
    pub delta: NovaDelta,
}

/// A delta: text, a piece of tool input, or reasoning.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaDelta {
    /// Text.
    #[llm(text)]
    pub text: Option<String>,
    /// `{input}`: a piece of a tool call's JSON input.
    #[llm(nested)]
    pub tool_use: Option<NovaToolUseDelta>,
    /// Reasoning, not message text: `{text}` pieces, then a `signature`, or `redactedContent`.
    #[llm(nested)]
    pub reasoning_content: Option<NovaReasoningDelta>,
}

/// `delta.reasoningContent`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaReasoningDelta {
    /// A piece of the reasoning.
    #[llm(reasoning)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The reasoning's signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Redacted reasoning (base64).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redacted_content: Option<String>,
}

/// `delta.toolUse`: a piece of the JSON input of the call the last `contentBlockStart` began.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct NovaToolUseDelta {
    /// The piece, JSON text.
    #[llm(arguments_delta)]
    pub input: Option<String>,
}

/// `messageStop`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NovaMessageStop {
    /// Why generation stopped.
    #[llm(finish_reason)]
    pub stop_reason: Option<String>,
}

/// `metadata`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct NovaMetadata {
    /// Token counts.
    #[llm(nested)]
    pub usage: Option<NovaUsage>,
    /// `{latencyMs}`, kept as sent.
    pub metrics: Option<Value>,
}
