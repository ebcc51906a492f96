//! Converse and ConverseStream, model-agnostic: the SDK's typed shapes mapped to the neutral
//! views, with the block placeholders the JSON adapters use (`<image>`,
//! `<tool_use>{name}</tool_use>`, …), so every model Bedrock serves through Converse gets events.

use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ContentBlockStart, ConverseStreamOutput,
    GuardrailConverseContentBlock, InferenceConfiguration, Message as SdkMessage,
    SystemContentBlock, Tool, ToolConfiguration, ToolResultContentBlock,
};
use aws_smithy_types::Document;

use crate::view::{ChunkDelta, ChunkText, ServiceMetrics};
use crate::view::{
    FinishReason, Message, Part, RequestParams, RequestView, ResponseView, Role, ToolDefinition,
    Usage, join_segments,
};

/// The parts of a Converse request that views read.
pub(crate) struct ConverseRequest<'a> {
    pub(crate) messages: &'a [SdkMessage],
    pub(crate) system: &'a [SystemContentBlock],
    pub(crate) inference: Option<&'a InferenceConfiguration>,
    pub(crate) tools: Option<&'a ToolConfiguration>,
    pub(crate) additional: Option<&'a Document>,
}

pub(crate) fn request_view(request: &ConverseRequest<'_>) -> RequestView {
    let mut messages = Vec::with_capacity(request.system.len() + request.messages.len());
    let system: Vec<String> = request.system.iter().filter_map(system_text).collect();
    if !system.is_empty() {
        messages.push(Message::new(Role::System, join_segments(system)));
    }
    for message in request.messages {
        messages.push(blocks_message(
            Role::from_body(message.role().as_str()),
            message.content(),
        ));
    }
    let inference = request.inference;
    let top_k = request.additional.and_then(|fields| match fields {
        Document::Object(map) => map
            .get("top_k")
            .or_else(|| map.get("topK"))
            .and_then(document_u64),
        _ => None,
    });
    let params = RequestParams {
        max_tokens: inference
            .and_then(|c| c.max_tokens())
            .and_then(|n| u64::try_from(n).ok()),
        temperature: inference.and_then(|c| c.temperature()).map(f32_to_f64),
        top_p: inference.and_then(|c| c.top_p()).map(f32_to_f64),
        top_k,
        stop_sequences: inference
            .map(|c| c.stop_sequences().to_vec())
            .unwrap_or_default(),
        ..RequestParams::default()
    };
    let tools: Vec<ToolDefinition> = request
        .tools
        .map(|config| {
            config
                .tools()
                .iter()
                .filter_map(|tool| match tool {
                    Tool::ToolSpec(spec) => Some(ToolDefinition {
                        name: spec.name().to_owned(),
                        description: spec.description().map(str::to_owned),
                        parameters: spec
                            .input_schema()
                            .and_then(|schema| schema.as_json().ok())
                            .map(document_value),
                    }),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    RequestView {
        messages,
        embedding_inputs: Vec::new(),
        params,
        tool_names: tools.iter().map(|tool| tool.name.clone()).collect(),
        tools,
    }
}

/// `0.1f32` as `0.1`, not `0.10000000149…`.
fn f32_to_f64(value: f32) -> f64 {
    value.to_string().parse().unwrap_or(f64::from(value))
}

fn document_u64(document: &Document) -> Option<u64> {
    match document {
        Document::Number(number) => match *number {
            aws_smithy_types::Number::PosInt(n) => Some(n),
            aws_smithy_types::Number::NegInt(n) => u64::try_from(n).ok(),
            aws_smithy_types::Number::Float(f) => {
                (f >= 0.0 && f.fract() == 0.0).then_some(f as u64)
            }
        },
        _ => None,
    }
}

fn system_text(block: &SystemContentBlock) -> Option<String> {
    match block {
        SystemContentBlock::Text(text) => Some(text.clone()),
        SystemContentBlock::GuardContent(guard) => Some(guard_text(guard)),
        _ => None,
    }
}

fn guard_text(block: &GuardrailConverseContentBlock) -> String {
    match block {
        GuardrailConverseContentBlock::Text(text) => {
            format!("<guard_content>{}</guard_content>", text.text())
        }
        _ => "<guard_content>".to_owned(),
    }
}

/// A message's blocks flattened as the event spec says (`docs/llm-events.md` §4).
pub(crate) fn blocks_text(blocks: &[ContentBlock]) -> String {
    join_segments(blocks.iter().filter_map(block_text).collect())
}

/// A message of `blocks`: their text, and their parts when a tool call or result is among them.
fn blocks_message(role: Role, blocks: &[ContentBlock]) -> Message {
    let mut message = Message::new(role, blocks_text(blocks));
    let structured = blocks.iter().any(|b| {
        matches!(b, ContentBlock::ToolUse(_) | ContentBlock::ToolResult(_))
            || reasoning_text(b).is_some()
    });
    if structured {
        message.parts = blocks
            .iter()
            .filter_map(|block| {
                Some(match block {
                    ContentBlock::ToolUse(tool) => Part::ToolCall {
                        id: Some(tool.tool_use_id().to_owned()),
                        name: tool.name().to_owned(),
                        arguments: Some(document_value(tool.input())),
                    },
                    ContentBlock::ToolResult(result) => Part::ToolCallResponse {
                        id: Some(result.tool_use_id().to_owned()),
                        response: join_segments(
                            result
                                .content()
                                .iter()
                                .filter_map(tool_result_text)
                                .collect(),
                        ),
                    },
                    other => match reasoning_text(other) {
                        Some(content) => Part::Reasoning { content },
                        None => Part::Text {
                            content: block_text(other)?,
                        },
                    },
                })
            })
            .collect();
    }
    message
}

/// The text of a reasoning block (its redacted form has none to show).
fn reasoning_text(block: &ContentBlock) -> Option<String> {
    let ContentBlock::ReasoningContent(reasoning) = block else {
        return None;
    };
    let text = reasoning.as_reasoning_text().ok()?.text();
    (!text.is_empty()).then(|| text.to_owned())
}

fn block_text(block: &ContentBlock) -> Option<String> {
    Some(match block {
        ContentBlock::Text(text) => text.clone(),
        ContentBlock::Image(_) => "<image>".to_owned(),
        ContentBlock::Document(document) => format!("<document>{}</document>", document.name()),
        ContentBlock::ToolUse(tool) => format!("<tool_use>{}</tool_use>", tool.name()),
        ContentBlock::ToolResult(result) => {
            let inner: Vec<String> = result
                .content()
                .iter()
                .filter_map(tool_result_text)
                .collect();
            format!("<tool_result>{}</tool_result>", join_segments(inner))
        }
        ContentBlock::GuardContent(guard) => guard_text(guard),
        // Reasoning and cache markers are not message text.
        ContentBlock::ReasoningContent(_) | ContentBlock::CachePoint(_) => return None,
        _ => "<unknown_chunk>".to_owned(),
    })
}

fn tool_result_text(block: &ToolResultContentBlock) -> Option<String> {
    Some(match block {
        ToolResultContentBlock::Text(text) => text.clone(),
        ToolResultContentBlock::Json(json) => format!("<json>{}</json>", document_json(json)),
        ToolResultContentBlock::Image(_) => "<image>".to_owned(),
        ToolResultContentBlock::Document(document) => {
            format!("<document>{}</document>", document.name())
        }
        _ => "<unknown_chunk>".to_owned(),
    })
}

/// A smithy document as JSON.
fn document_value(document: &Document) -> serde_json::Value {
    match document {
        Document::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), document_value(v)))
            .collect(),
        Document::Array(items) => items.iter().map(document_value).collect(),
        Document::Number(number) => match *number {
            aws_smithy_types::Number::PosInt(n) => n.into(),
            aws_smithy_types::Number::NegInt(n) => n.into(),
            aws_smithy_types::Number::Float(f) => f.into(),
        },
        Document::String(s) => s.clone().into(),
        Document::Bool(b) => (*b).into(),
        Document::Null => serde_json::Value::Null,
    }
}

/// A smithy document as compact JSON.
pub(crate) fn document_json(document: &Document) -> String {
    document_value(document).to_string()
}

/// The response view of a Converse output, and Bedrock's latency.
pub(crate) fn response_view(
    output: &aws_sdk_bedrockruntime::operation::converse::ConverseOutput,
) -> (ResponseView, ServiceMetrics) {
    let reason = FinishReason::from_raw(output.stop_reason().as_str());
    let messages = output
        .output()
        .and_then(|o| o.as_message().ok())
        .map(|message| {
            let mut message =
                blocks_message(Role::from_body(message.role().as_str()), message.content());
            message.finish_reason = Some(reason.clone());
            message
        })
        .into_iter()
        .collect();
    let usage = output.usage().map(token_usage).unwrap_or_default();
    let metrics = ServiceMetrics {
        invocation_latency_ms: output
            .metrics()
            .and_then(|m| u64::try_from(m.latency_ms()).ok()),
        ..ServiceMetrics::default()
    };
    let view = ResponseView {
        messages,
        finish_reason: Some(reason),
        usage,
        ..ResponseView::default()
    };
    (view, metrics)
}

fn token_usage(usage: &aws_sdk_bedrockruntime::types::TokenUsage) -> Usage {
    let count = |n: i32| u64::try_from(n).ok();
    Usage {
        input_tokens: count(usage.input_tokens()),
        output_tokens: count(usage.output_tokens()),
        total_tokens: count(usage.total_tokens()),
        cache_read_input_tokens: usage.cache_read_input_tokens().and_then(count),
        cache_write_input_tokens: usage.cache_write_input_tokens().and_then(count),
        ..Usage::default()
    }
}

/// What one ConverseStream event adds, and Bedrock's latency on the metadata event.
pub(crate) fn chunk_delta(event: &ConverseStreamOutput) -> (ChunkDelta, Option<u64>) {
    let mut delta = ChunkDelta::default();
    let mut latency = None;
    let text = |role: Option<Role>, text: Option<String>, finish: Option<FinishReason>| ChunkText {
        choice: Some(0),
        role,
        text,
        finish_reason: finish,
        ..ChunkText::default()
    };
    match event {
        ConverseStreamOutput::MessageStart(start) => {
            delta.texts.push(text(
                Some(Role::from_body(start.role().as_str())),
                None,
                None,
            ));
        }
        ConverseStreamOutput::ContentBlockStart(start) => {
            delta.block_index = u64::try_from(start.content_block_index()).ok();
            if let Some(ContentBlockStart::ToolUse(tool)) = start.start() {
                delta.texts.push(tool_call_start(
                    Some(tool.tool_use_id().to_owned()),
                    tool.name(),
                ));
            }
        }
        ConverseStreamOutput::ContentBlockDelta(event) => {
            delta.block_index = u64::try_from(event.content_block_index()).ok();
            match event.delta() {
                Some(ContentBlockDelta::Text(piece)) => {
                    delta.texts.push(text(None, Some(piece.clone()), None));
                }
                Some(ContentBlockDelta::ToolUse(piece)) => delta.texts.push(ChunkText {
                    choice: Some(0),
                    arguments_delta: Some(piece.input().to_owned()),
                    ..ChunkText::default()
                }),
                Some(ContentBlockDelta::ReasoningContent(reasoning)) => {
                    if let Ok(piece) = reasoning.as_text() {
                        delta.texts.push(reasoning_piece(piece.clone()));
                    }
                }
                _ => {}
            }
        }
        ConverseStreamOutput::MessageStop(stop) => {
            delta.finish_reason = Some(FinishReason::from_raw(stop.stop_reason().as_str()));
        }
        ConverseStreamOutput::Metadata(metadata) => {
            delta.usage = metadata.usage().map(token_usage).unwrap_or_default();
            latency = metadata
                .metrics()
                .and_then(|m| u64::try_from(m.latency_ms()).ok());
        }
        _ => {}
    }
    (delta, latency)
}

/// [`chunk_delta`] for a ConverseStream event read off the wire — `event_type` from the
/// message's `:event-type` header, `payload` its JSON — by the interceptor's body tap, which
/// sees the bytes before the SDK types them. Unknown events add nothing.
pub(crate) fn json_chunk_delta(event_type: &str, payload: &[u8]) -> (ChunkDelta, Option<u64>) {
    let mut delta = ChunkDelta::default();
    let mut latency = None;
    let Ok(event) = serde_json::from_slice::<serde_json::Value>(payload) else {
        return (delta, latency);
    };
    let text = |role: Option<Role>, text: Option<String>| ChunkText {
        choice: Some(0),
        role,
        text,
        ..ChunkText::default()
    };
    let index = event
        .get("contentBlockIndex")
        .and_then(serde_json::Value::as_u64);
    let count = |v: &serde_json::Value, key: &str| v.get(key).and_then(serde_json::Value::as_u64);
    match event_type {
        "messageStart" => {
            let role = event
                .get("role")
                .and_then(|r| r.as_str())
                .map(Role::from_body);
            delta.texts.push(text(role, None));
        }
        "contentBlockStart" => {
            delta.block_index = index;
            if let Some(name) = event
                .pointer("/start/toolUse/name")
                .and_then(serde_json::Value::as_str)
            {
                let id = event
                    .pointer("/start/toolUse/toolUseId")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned);
                delta.texts.push(tool_call_start(id, name));
            }
        }
        "contentBlockDelta" => {
            delta.block_index = index;
            let piece = |pointer: &str| {
                event
                    .pointer(pointer)
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            };
            if let Some(piece) = piece("/delta/text") {
                delta.texts.push(text(None, Some(piece)));
            } else if let Some(reasoning) = piece("/delta/reasoningContent/text") {
                delta.texts.push(reasoning_piece(reasoning));
            } else if let Some(arguments) = piece("/delta/toolUse/input") {
                delta.texts.push(ChunkText {
                    choice: Some(0),
                    arguments_delta: Some(arguments),
                    ..ChunkText::default()
                });
            }
        }
        "messageStop" => {
            delta.finish_reason = event
                .get("stopReason")
                .and_then(serde_json::Value::as_str)
                .map(FinishReason::from_raw);
        }
        "metadata" => {
            if let Some(usage) = event.get("usage") {
                delta.usage = Usage {
                    input_tokens: count(usage, "inputTokens"),
                    output_tokens: count(usage, "outputTokens"),
                    total_tokens: count(usage, "totalTokens"),
                    cache_read_input_tokens: count(usage, "cacheReadInputTokens"),
                    cache_write_input_tokens: count(usage, "cacheWriteInputTokens"),
                    ..Usage::default()
                };
            }
            latency = event
                .pointer("/metrics/latencyMs")
                .and_then(serde_json::Value::as_u64);
        }
        _ => {}
    }
    (delta, latency)
}

/// The chunk text of a ConverseStream tool call's start: its placeholder as text (the New
/// Relic rule) and the call as a part, whose arguments the deltas bring.
/// A piece of streamed reasoning: a reasoning part of the first choice, no message text.
fn reasoning_piece(content: String) -> ChunkText {
    ChunkText {
        choice: Some(0),
        parts: vec![Part::Reasoning { content }],
        ..ChunkText::default()
    }
}

fn tool_call_start(id: Option<String>, name: &str) -> ChunkText {
    ChunkText {
        choice: Some(0),
        text: Some(format!("<tool_use>{name}</tool_use>")),
        parts: vec![Part::ToolCall {
            id,
            name: name.to_owned(),
            arguments: None,
        }],
        ..ChunkText::default()
    }
}
