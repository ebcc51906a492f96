//! AI21 Labs: Jurassic-2 (mid, ultra; legacy) and Jamba (OpenAI-style chat).

use bedrock_llm_core::{NumberOrString, bedrock_model};
use serde_json::Value;

use crate::common::{ChatContent, OpenAiUsage, RawJson};

/// AI21 Jurassic-2.
#[bedrock_model(model, family = "Jurassic-2", ids = ["ai21.j2-*"], request = J2Request, response = J2Response)]
#[derive(Debug, Clone, Copy)]
pub struct Jurassic2;

/// `{"prompt": …, "maxTokens": 200, "temperature": 0.5, "topP": 0.5, …}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct J2Request {
    /// The prompt.
    #[llm(prompt)]
    pub prompt: String,
    /// Token limit (default 200).
    #[llm(max_tokens)]
    pub max_tokens: Option<u64>,
    /// Temperature (default 0.5).
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling (default 0.5).
    #[llm(top_p)]
    pub top_p: Option<f64>,
    /// Stop sequences.
    #[llm(stop_sequences)]
    pub stop_sequences: Option<Vec<String>>,
    /// `{scale, applyTo…}`, kept as sent.
    pub count_penalty: Option<Value>,
    /// `{scale, applyTo…}`: `scale` is the presence penalty.
    #[llm(nested)]
    pub presence_penalty: Option<J2PresencePenalty>,
    /// `{scale, applyTo…}`: `scale` is the frequency penalty.
    #[llm(nested)]
    pub frequency_penalty: Option<J2FrequencyPenalty>,
    /// Number of completions.
    #[llm(choice_count)]
    pub num_results: Option<u64>,
}

/// `presencePenalty`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct J2PresencePenalty {
    /// The penalty.
    #[llm(presence_penalty)]
    pub scale: Option<f64>,
    /// `applyToWhitespaces`, `applyToNumbers`, …, kept as sent.
    #[serde(flatten)]
    pub options: serde_json::Map<String, Value>,
}

/// `frequencyPenalty`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct J2FrequencyPenalty {
    /// The penalty.
    #[llm(frequency_penalty)]
    pub scale: Option<f64>,
    /// `applyToWhitespaces`, `applyToNumbers`, …, kept as sent.
    #[serde(flatten)]
    pub options: serde_json::Map<String, Value>,
}

/// `{"id": 1234, "prompt": {text, tokens}, "completions": [{data: {text, tokens}, finishReason}]}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct J2Response {
    /// A number, reported as text.
    #[llm(response_id)]
    pub id: Option<NumberOrString>,
    /// The prompt and its tokens.
    #[llm(nested)]
    pub prompt: Option<J2Prompt>,
    /// One output message per completion.
    #[llm(choices)]
    pub completions: Vec<J2Completion>,
}

/// `prompt`: its token array's length is the prompt token count.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct J2Prompt {
    /// The prompt, echoed.
    pub text: Option<String>,
    /// Tokens, kept as raw JSON (they are only counted).
    #[llm(input_tokens, len)]
    pub tokens: Option<Vec<RawJson>>,
}

/// One completion.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct J2Completion {
    /// Text and tokens.
    #[llm(nested)]
    pub data: J2CompletionData,
    /// Why it stopped.
    #[llm(nested)]
    pub finish_reason: Option<J2FinishReason>,
}

/// `data`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct J2CompletionData {
    /// The generated text.
    #[llm(completion)]
    pub text: String,
    /// Tokens, kept as raw JSON; their count adds to the completion tokens.
    #[llm(output_tokens, len)]
    pub tokens: Option<Vec<RawJson>>,
}

/// `finishReason`: `{reason: endoftext|length|stop, length?, sequence?}`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct J2FinishReason {
    /// The reason.
    #[llm(finish_reason)]
    pub reason: String,
    /// The limit hit, for `length`.
    pub length: Option<u64>,
    /// The stop sequence, for `stop`.
    pub sequence: Option<String>,
}

/// AI21 Jamba (instruct, 1.5 mini and large).
/// Stream chunks have the response's shape, with `delta` in place of `message`.
#[bedrock_model(
    model,
    family = "Jamba",
    ids = ["ai21.jamba*"],
    request = JambaRequest,
    response = JambaResponse,
    chunk = JambaResponse,
)]
#[derive(Debug, Clone, Copy)]
pub struct Jamba;

/// OpenAI-style: `{"messages": [{role, content}], "max_tokens": …, …}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct JambaRequest {
    /// The conversation, system messages included in body order.
    #[llm(messages)]
    pub messages: Vec<JambaMessage>,
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
    /// Number of choices.
    #[llm(choice_count)]
    pub n: Option<u64>,
    /// Frequency penalty.
    #[llm(frequency_penalty)]
    pub frequency_penalty: Option<f64>,
    /// Presence penalty.
    #[llm(presence_penalty)]
    pub presence_penalty: Option<f64>,
    /// Tools, kept as sent.
    pub tools: Option<Value>,
    /// Documents, kept as sent.
    pub documents: Option<Value>,
    /// Streaming flag, kept as sent.
    pub stream: Option<bool>,
}

/// One message.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct JambaMessage {
    /// `system`, `user`, `assistant`, `tool`.
    #[llm(role)]
    pub role: Option<String>,
    /// A string or typed parts.
    #[llm(content)]
    #[serde(default, deserialize_with = "ChatContent::deserialize_optional")]
    pub content: Option<ChatContent>,
    /// Tool calls, kept as sent.
    pub tool_calls: Option<Value>,
}

/// `{"id": …, "choices": [{index, message, finish_reason}], "usage": {…}}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct JambaResponse {
    /// Response id.
    #[llm(response_id)]
    pub id: Option<String>,
    /// The model, when echoed.
    #[llm(response_model)]
    pub model: Option<String>,
    /// One output message per choice.
    #[llm(choices)]
    pub choices: Vec<JambaChoice>,
    /// Token counts.
    #[llm(nested)]
    pub usage: Option<OpenAiUsage>,
}

/// One choice.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct JambaChoice {
    /// Its index.
    #[llm(choice_index)]
    pub index: Option<u32>,
    /// The message (`delta` in stream chunks).
    #[llm(nested)]
    #[serde(alias = "delta")]
    pub message: JambaMessage,
    /// `stop` or `length`.
    #[llm(finish_reason)]
    pub finish_reason: Option<String>,
}
