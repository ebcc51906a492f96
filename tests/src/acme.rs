//! Adapters for two made-up models, `acme.echo-v1` (chat) and `acme.embed-v1` (embeddings),
//! derived with `#[bedrock_model]` in a crate that is not bedrock-llm-models — the story of
//! "derive an adapter for a new model", kept compiling and tested.
//!
//! Their bodies mix what real families do: camelCase and snake_case keys, a nested parameter
//! object, string-or-blocks content, a choice list, a numeric id and float token counts.

use bedrock_llm_core::{NumberOrString, TokenCount, bedrock_model};

/// `acme.echo-*`: a chat model.
#[bedrock_model(model, ids = ["acme.echo-*"], family = "Acme Echo", request = EchoRequest, response = EchoResponse)]
#[derive(Debug, Clone, Copy)]
pub struct AcmeEcho;

/// The request body.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct EchoRequest {
    /// The system prompt.
    #[llm(system)]
    pub system: Option<String>,
    /// The conversation.
    #[llm(messages)]
    pub messages: Vec<EchoMessage>,
    /// Sampling parameters, camelCase inside.
    #[llm(nested)]
    #[serde(rename = "generationConfig")]
    pub generation_config: Option<GenerationConfig>,
    /// Tools offered to the model.
    #[llm(nested)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<EchoTool>,
}

/// Sampling parameters.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct GenerationConfig {
    /// Token limit.
    #[llm(max_tokens)]
    pub max_output_tokens: Option<u32>,
    /// Temperature.
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[llm(top_p)]
    pub top_p: Option<f64>,
    /// Stop sequences.
    #[llm(stop_sequences)]
    pub stop_sequences: Option<Vec<String>>,
    /// A parameter the event model does not care about.
    pub seed: Option<u64>,
}

/// A tool definition.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct EchoTool {
    /// The tool's name.
    #[llm(tool_name)]
    pub name: String,
    /// Its JSON schema; not an event attribute.
    pub input_schema: bedrock_llm_core::__private::serde_json::Value,
}

/// One message of the conversation.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct EchoMessage {
    /// `user` or `assistant`.
    #[llm(role)]
    pub role: String,
    /// A string or a list of blocks.
    #[llm(content)]
    pub content: EchoContent,
}

/// Content: a plain string or typed blocks.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum EchoContent {
    /// A plain string.
    Text(#[llm(text)] String),
    /// Typed blocks.
    Blocks(#[llm(text)] Vec<EchoBlock>),
}

/// A content block.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EchoBlock {
    /// Text.
    Text {
        /// The text.
        #[llm(text)]
        text: String,
    },
    /// An image, rendered as `<image>`.
    #[llm(block = "image")]
    Image {
        /// Base64 data.
        data: String,
    },
    /// A tool call, rendered as `<tool_use>{name}</tool_use>` and kept as a tool-call part with
    /// its arguments.
    #[llm(block = "tool_use")]
    ToolUse {
        /// The tool.
        #[llm(name)]
        name: String,
        /// Its input.
        #[llm(arguments)]
        input: bedrock_llm_core::__private::serde_json::Value,
    },
    /// A tool's result, rendered as `<tool_result>{text}</tool_result>`.
    #[llm(block = "tool_result")]
    ToolResult {
        /// The result text.
        #[llm(text)]
        content: String,
    },
    /// Any block type this adapter does not know.
    #[llm(block = "unknown_chunk")]
    #[serde(other)]
    Unknown,
}

/// The response body.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct EchoResponse {
    /// A numeric id, reported as text.
    #[llm(response_id)]
    pub id: NumberOrString,
    /// The model that answered.
    #[llm(response_model)]
    pub model: Option<String>,
    /// One output message per element.
    #[llm(choices)]
    pub outputs: Vec<EchoOutput>,
    /// Token counts.
    #[llm(nested)]
    pub usage: Option<EchoUsage>,
}

/// One generated output.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct EchoOutput {
    /// The generated text.
    #[llm(completion)]
    pub text: String,
    /// Why generation stopped.
    #[llm(finish_reason)]
    #[serde(rename = "stopReason")]
    pub stop_reason: Option<String>,
}

/// Token counts, which Acme sends as floats.
#[bedrock_model(part)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EchoUsage {
    /// Prompt tokens.
    #[llm(input_tokens)]
    pub prompt_tokens: TokenCount,
    /// Completion tokens.
    #[llm(output_tokens)]
    pub completion_tokens: TokenCount,
}

/// `acme.embed-*`: an embedding model.
#[bedrock_model(model, ids = ["acme.embed-*"], request = EmbedRequest, response = EmbedResponse)]
#[derive(Debug, Clone, Copy)]
pub struct AcmeEmbed;

/// The embedding request.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedRequest {
    /// Texts to embed.
    #[llm(embedding_input)]
    pub texts: Vec<String>,
}

/// The embedding response.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedResponse {
    /// One vector per text.
    #[llm(embedding)]
    pub embeddings: Vec<Vec<f32>>,
    /// Tokens in the input.
    #[llm(input_tokens)]
    #[serde(rename = "inputTextTokenCount")]
    pub input_text_token_count: Option<TokenCount>,
}
