//! The opt-in GenAI content attributes of one invocation (`docs/llm-events.md` §12): system
//! instructions, input and output messages as structured parts, tool definitions.

use bedrock_llm_core::{Invocation, Role};
use serde_json::json;

use super::otel_value::OtelValue;
use crate::names::gen_ai;

/// The opt-in content attributes: `gen_ai.system_instructions`, `gen_ai.input.messages`,
/// `gen_ai.output.messages`, `gen_ai.tool.definitions`, as structured parts arrays. Whether
/// to record them is the caller's decision (see [`crate::render::otel::attributes`]).
pub fn content(invocation: &Invocation) -> Vec<(&'static str, OtelValue)> {
    let mut out: Vec<(&'static str, OtelValue)> = Vec::with_capacity(4);
    let mut put = |key: &'static str, value: OtelValue| out.push((key, value));
    let text_part = |content: &str| json!({"type": "text", "content": content});
    if let Some(request) = &invocation.request {
        let system: Vec<_> = request
            .messages
            .iter()
            .filter(|m| m.role == Role::System)
            .map(|m| text_part(&m.content))
            .collect();
        if !system.is_empty() {
            put(
                gen_ai::SYSTEM_INSTRUCTIONS,
                OtelValue::Structured(json!(system)),
            );
        }
        let input: Vec<_> = request
            .messages
            .iter()
            .filter(|m| m.role != Role::System)
            .map(message_json)
            .collect();
        if !input.is_empty() {
            put(gen_ai::INPUT_MESSAGES, OtelValue::Structured(json!(input)));
        }
        if !request.tool_names.is_empty() {
            let tools: Vec<_> = if request.tools.is_empty() {
                request
                    .tool_names
                    .iter()
                    .map(|name| json!({"type": "function", "name": name}))
                    .collect()
            } else {
                request
                    .tools
                    .iter()
                    .map(|tool| {
                        let mut definition = json!({"type": "function", "name": tool.name});
                        if let Some(description) = &tool.description {
                            definition["description"] = json!(description);
                        }
                        if let Some(parameters) = &tool.parameters {
                            definition["parameters"] = parameters.clone();
                        }
                        definition
                    })
                    .collect()
            };
            put(
                gen_ai::TOOL_DEFINITIONS,
                OtelValue::Structured(json!(tools)),
            );
        }
    }
    if let Some(response) = &invocation.response
        && !response.messages.is_empty()
    {
        let output: Vec<_> = response
            .messages
            .iter()
            .map(|m| {
                let mut message = message_json(m);
                if let Some(reason) = &m.finish_reason {
                    message["finish_reason"] = json!(reason.normalized.as_str());
                }
                message
            })
            .collect();
        put(
            gen_ai::OUTPUT_MESSAGES,
            OtelValue::Structured(json!(output)),
        );
    }
    out
}

/// One message as the conventions' `{role, parts}`: its text, or its parts in order when it
/// holds tool calls (`tool_call` with id, name, arguments) or tool results
/// (`tool_call_response`; a message of only those has the role `tool`).
fn message_json(message: &bedrock_llm_core::Message) -> serde_json::Value {
    use bedrock_llm_core::Part;
    if message.parts.is_empty() {
        return json!({
            "role": message.role.as_str(),
            "parts": [{"type": "text", "content": message.content}],
        });
    }
    let parts: Vec<_> = message
        .parts
        .iter()
        .map(|part| match part {
            Part::Text { content } => json!({"type": "text", "content": content}),
            Part::ToolCall {
                id,
                name,
                arguments,
            } => {
                let mut call = json!({"type": "tool_call", "name": name});
                if let Some(id) = id {
                    call["id"] = json!(id);
                }
                if let Some(arguments) = arguments {
                    call["arguments"] = arguments_json(arguments);
                }
                call
            }
            Part::Reasoning { content } => json!({"type": "reasoning", "content": content}),
            Part::ToolCallResponse { id, response } => {
                let mut answer = json!({"type": "tool_call_response", "response": response});
                if let Some(id) = id {
                    answer["id"] = json!(id);
                }
                answer
            }
        })
        .collect();
    let only_answers = message
        .parts
        .iter()
        .all(|p| matches!(p, Part::ToolCallResponse { .. }));
    let role = if only_answers {
        Role::Tool.as_str()
    } else {
        message.role.as_str()
    };
    json!({"role": role, "parts": parts})
}

/// Arguments as an object: some families send them JSON-encoded in a string.
fn arguments_json(arguments: &serde_json::Value) -> serde_json::Value {
    match arguments {
        serde_json::Value::String(text) => serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .filter(serde_json::Value::is_object)
            .unwrap_or_else(|| arguments.clone()),
        other => other.clone(),
    }
}
