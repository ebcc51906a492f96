//! Converse bodies as JSON — the shape invocation logs record for `Converse` and
//! `ConverseStream` (the SDK's typed Converse shapes are mapped in `bedrock_llm_core::client`).
//! Not routed by model ID: Converse serves every model, so callers pick this adapter by
//! operation.

use bedrock_llm_core::bedrock_model;
use serde_json::Value;

use crate::amazon::NovaToolConfig;
use crate::common::{ConverseMessage, ConverseSystemBlock};

/// Converse JSON bodies, for any model.
#[bedrock_model(model, family = "Converse", ids = ["converse.any"], request = ConverseJsonRequest, response = ConverseJsonResponse, kind = "chat")]
#[derive(Debug, Clone, Copy)]
pub struct ConverseJson;

/// `{"messages": […], "system": […], "inferenceConfig": {…}, "toolConfig": {…}, …}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConverseJsonRequest {
    /// System prompt blocks.
    #[llm(system)]
    pub system: Option<Vec<ConverseSystemBlock>>,
    /// The conversation.
    #[llm(messages)]
    #[serde(default)]
    pub messages: Vec<ConverseMessage>,
    /// Sampling parameters.
    #[llm(nested)]
    pub inference_config: Option<ConverseInferenceConfig>,
    /// Model-specific fields (`top_k`).
    #[llm(nested)]
    pub additional_model_request_fields: Option<ConverseAdditionalFields>,
    /// Tools offered to the model.
    #[llm(nested)]
    pub tool_config: Option<NovaToolConfig>,
    /// Guardrail settings, kept as sent.
    pub guardrail_config: Option<Value>,
}

/// `inferenceConfig`.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ConverseInferenceConfig {
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
    pub stop_sequences: Option<Vec<String>>,
}

/// `additionalModelRequestFields`: only `top_k` is read.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct ConverseAdditionalFields {
    /// Top-k.
    #[llm(top_k)]
    #[serde(alias = "topK")]
    pub top_k: Option<u64>,
    /// The rest, kept as sent.
    #[serde(flatten)]
    pub rest: serde_json::Map<String, Value>,
}

/// `{"output": {"message": …}, "stopReason": …, "usage": {…}, "metrics": {"latencyMs": …}, "trace": …}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConverseJsonResponse {
    /// The answer.
    #[llm(nested)]
    pub output: Option<crate::amazon::NovaOutput>,
    /// `end_turn`, `tool_use`, `max_tokens`, `guardrail_intervened`, …
    #[llm(finish_reason)]
    pub stop_reason: Option<String>,
    /// Token counts.
    #[llm(nested)]
    pub usage: Option<crate::amazon::NovaUsage>,
    /// `{latencyMs}`, kept as sent (read by replay).
    pub metrics: Option<Value>,
    /// Guardrail trace, kept as sent (read by replay).
    pub trace: Option<Value>,
}
