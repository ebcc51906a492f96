//! OpenTelemetry GenAI semantic-convention attributes (`docs/llm-events.md` §12) for one
//! invocation, and a `tracing` span carrying them.
//!
//! The span is named `gen_ai` with `otel.name = "{operation} {model}"` and
//! `otel.kind = "client"`, the fields `tracing-opentelemetry` maps to the OpenTelemetry span
//! name and kind. A `tracing` field holds only scalars, so there array values (finish reasons,
//! stop sequences) and the opt-in content attributes are JSON text; everywhere else — the
//! OpenTelemetry signals of [`crate::telemetry`] and [`span_json`] — every value keeps the type
//! the conventions give it.

use bedrock_llm_core::{ExchangeKind, Invocation, Operation, Role};
use serde_json::json;

use crate::config::Config;
use crate::names::gen_ai;

pub use super::otel_value::{OtelValue, json_to_any_value};

/// `gen_ai.operation.name` for a call: from the adapter's kind; Converse and unknown bodies
/// count as `chat`.
pub fn operation_name(invocation: &Invocation) -> &'static str {
    match (invocation.operation, invocation.kind) {
        (Operation::Converse | Operation::ConverseStream, _) => "chat",
        (_, Some(kind)) => kind.otel_operation_name(),
        (_, None) => "chat",
    }
}

/// The span name: `{gen_ai.operation.name} {gen_ai.request.model}`.
pub fn span_name(invocation: &Invocation) -> String {
    format!("{} {}", operation_name(invocation), invocation.model_id)
}

/// One invocation as a JSON object: its span name and GenAI attributes (each value of its
/// conventional type: integers, doubles, booleans, string arrays, structured content), plus `resource`
/// attributes the record has and New Relic's events do not (`user.id`, `cloud.account.id`,
/// `cloud.region` from an invocation log, `docs/invocation-logs.md` §6), each when present.
pub fn span_json(
    invocation: &Invocation,
    config: &Config,
    resource: &[(&'static str, Option<&str>)],
) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (key, value) in attributes(invocation, config) {
        object.insert(key.to_owned(), value.to_json());
    }
    for (key, value) in resource {
        if let Some(value) = value {
            object.insert((*key).to_owned(), serde_json::Value::from(*value));
        }
    }
    serde_json::json!({"name": span_name(invocation), "attributes": object})
}

/// The GenAI attributes of `invocation`, and its cost when pricing is on. Content attributes
/// only when both `record_content` and `otel_content` are on.
pub fn attributes(invocation: &Invocation, config: &Config) -> Vec<(&'static str, OtelValue)> {
    let mut out = call_attributes(invocation);
    out.extend(cost_attributes(config.cost_of(invocation).as_ref()));
    if config.record_content && config.otel_content {
        out.extend(content(invocation));
    }
    out
}

/// A cost's attributes (`aws.bedrock.cost.*`); none for `None` or an unpriced call.
pub fn cost_attributes(
    outcome: Option<&crate::cost::CostOutcome>,
) -> Vec<(&'static str, OtelValue)> {
    let mut out = Vec::new();
    super::otel_kinds::cost_attributes(outcome, &mut |key, value| out.push((key, value)));
    out
}

/// The GenAI attributes of `invocation` that hold no content: model, parameters, response id,
/// finish reasons, token counts, error type, server.
pub fn call_attributes(invocation: &Invocation) -> Vec<(&'static str, OtelValue)> {
    let mut out: Vec<(&'static str, OtelValue)> = Vec::with_capacity(24);
    let mut put = |key: &'static str, value: OtelValue| out.push((key, value));
    put(
        gen_ai::PROVIDER_NAME,
        OtelValue::Str(gen_ai::PROVIDER_AWS_BEDROCK.to_owned()),
    );
    put(
        gen_ai::SYSTEM,
        OtelValue::Str(gen_ai::PROVIDER_AWS_BEDROCK.to_owned()),
    );
    put(
        gen_ai::OPERATION_NAME,
        OtelValue::Str(operation_name(invocation).to_owned()),
    );
    put(
        gen_ai::REQUEST_MODEL,
        OtelValue::Str(invocation.model_id.clone()),
    );
    let int = |n: u64| i64::try_from(n).ok().map(OtelValue::Int);
    if let Some(request) = &invocation.request {
        let p = &request.params;
        if let Some(v) = p.max_tokens.and_then(int) {
            put(gen_ai::REQUEST_MAX_TOKENS, v);
        }
        if let Some(v) = p.temperature {
            put(gen_ai::REQUEST_TEMPERATURE, OtelValue::Float(v));
        }
        if let Some(v) = p.top_p {
            put(gen_ai::REQUEST_TOP_P, OtelValue::Float(v));
        }
        if let Some(v) = p.top_k.and_then(int) {
            put(gen_ai::REQUEST_TOP_K, v);
        }
        if !p.stop_sequences.is_empty() {
            put(
                gen_ai::REQUEST_STOP_SEQUENCES,
                OtelValue::StrArray(p.stop_sequences.clone()),
            );
        }
        if let Some(v) = p.frequency_penalty {
            put(gen_ai::REQUEST_FREQUENCY_PENALTY, OtelValue::Float(v));
        }
        if let Some(v) = p.presence_penalty {
            put(gen_ai::REQUEST_PRESENCE_PENALTY, OtelValue::Float(v));
        }
        if let Some(v) = p.choice_count.filter(|&n| n != 1).and_then(int) {
            put(gen_ai::REQUEST_CHOICE_COUNT, v);
        }
    }
    if invocation.operation.is_streaming() {
        put(gen_ai::REQUEST_STREAM, OtelValue::Bool(true));
    }
    super::otel_kinds::kind_attributes(invocation, &mut put);
    let response = invocation.response.as_ref();
    let converse = matches!(
        invocation.operation,
        Operation::Converse | Operation::ConverseStream
    );
    let response_id = response.and_then(|r| r.response_id.clone()).or_else(|| {
        if converse {
            invocation.request_id.clone()
        } else {
            None
        }
    });
    if let Some(id) = response_id {
        put(gen_ai::RESPONSE_ID, OtelValue::Str(id));
    }
    let response_model = response
        .and_then(|r| r.response_model.clone())
        .unwrap_or_else(|| invocation.model_id.clone());
    put(gen_ai::RESPONSE_MODEL, OtelValue::Str(response_model));
    if let Some(response) = response {
        let mut reasons: Vec<String> = response
            .messages
            .iter()
            .filter_map(|m| m.finish_reason.as_ref())
            .map(|f| f.normalized.as_str().to_owned())
            .collect();
        if let Some(images) = &response.images {
            // Per-image reasons; a Titan/Nova Canvas `error` is its content filter's refusal.
            reasons.extend(
                images
                    .finish_reasons
                    .iter()
                    .map(|f| f.normalized.as_str().to_owned()),
            );
            if images.error.is_some() {
                reasons.push("content_filter".to_owned());
            }
        } else if reasons.is_empty()
            && let Some(reason) = &response.finish_reason
        {
            reasons.push(reason.normalized.as_str().to_owned());
        }
        if !reasons.is_empty() {
            put(
                gen_ai::RESPONSE_FINISH_REASONS,
                OtelValue::StrArray(reasons),
            );
        }
        if let Some(v) = response.usage.cache_read_input_tokens.and_then(int) {
            put(gen_ai::USAGE_CACHE_READ_INPUT_TOKENS, v);
        }
        if let Some(v) = response.usage.cache_write_input_tokens.and_then(int) {
            put(gen_ai::USAGE_CACHE_CREATION_INPUT_TOKENS, v);
        }
    }
    if let Some((usage, _)) = invocation.usage() {
        if let Some(v) = usage.input_tokens.and_then(int) {
            put(gen_ai::USAGE_INPUT_TOKENS, v);
        }
        if invocation.kind != Some(ExchangeKind::Embedding)
            && let Some(v) = usage.output_tokens.and_then(int)
        {
            put(gen_ai::USAGE_OUTPUT_TOKENS, v);
        }
    }
    if let Some(ttft) = invocation.timing.time_to_first_token {
        put(
            gen_ai::TIME_TO_FIRST_CHUNK,
            OtelValue::Float(ttft.as_secs_f64()),
        );
    }
    if let Some(error) = &invocation.error {
        put(gen_ai::ERROR_TYPE, OtelValue::Str(error.code.clone()));
    }
    let region = invocation.region.clone().or_else(|| {
        invocation
            .parsed_model_id
            .as_ref()
            .and_then(|id| id.arn())
            .map(|arn| arn.region.to_owned())
            .filter(|r| !r.is_empty())
    });
    if let Some(region) = region {
        put(
            gen_ai::SERVER_ADDRESS,
            OtelValue::Str(format!("bedrock-runtime.{region}.amazonaws.com")),
        );
        put(gen_ai::SERVER_PORT, OtelValue::Int(443));
    }
    if let Some(guardrail) = &invocation.guardrail_id {
        put(gen_ai::GUARDRAIL_ID, OtelValue::Str(guardrail.clone()));
    }
    if invocation.guardrail_intervened {
        put(gen_ai::GUARDRAIL_INTERVENED, OtelValue::Bool(true));
    }
    let serving = &invocation.serving;
    for (key, value) in [
        (gen_ai::INFERENCE_REGION, &serving.inference_region),
        (gen_ai::PERFORMANCE_LATENCY, &serving.latency),
        (gen_ai::SERVICE_TIER, &serving.service_tier),
    ] {
        if let Some(value) = value {
            put(key, OtelValue::Str(value.clone()));
        }
    }
    out
}

/// The opt-in content attributes: `gen_ai.system_instructions`, `gen_ai.input.messages`,
/// `gen_ai.output.messages`, `gen_ai.tool.definitions`, as structured parts arrays. Whether
/// to record them is the caller's decision (see [`attributes`]).
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

/// A `tracing` span for one GenAI call, opened when the call starts so its timing is the call's.
#[derive(Debug, Clone)]
pub struct GenAiSpan {
    span: tracing::Span,
}

impl GenAiSpan {
    /// Opens the span for a call of `operation_name` (`chat`, `text_completion`,
    /// `embeddings`) to `model_id`.
    pub fn start(operation_name: &str, model_id: &str) -> Self {
        let span = tracing::info_span!(
            "gen_ai",
            otel.name = %format_args!("{operation_name} {model_id}"),
            otel.kind = "client",
            otel.status_code = tracing::field::Empty,
            gen_ai.provider.name = tracing::field::Empty,
            gen_ai.system = tracing::field::Empty,
            gen_ai.operation.name = tracing::field::Empty,
            gen_ai.request.model = tracing::field::Empty,
            gen_ai.request.max_tokens = tracing::field::Empty,
            gen_ai.request.temperature = tracing::field::Empty,
            gen_ai.request.top_p = tracing::field::Empty,
            gen_ai.request.top_k = tracing::field::Empty,
            gen_ai.request.stop_sequences = tracing::field::Empty,
            gen_ai.request.frequency_penalty = tracing::field::Empty,
            gen_ai.request.presence_penalty = tracing::field::Empty,
            gen_ai.request.stream = tracing::field::Empty,
            gen_ai.request.choice.count = tracing::field::Empty,
            gen_ai.response.id = tracing::field::Empty,
            gen_ai.response.model = tracing::field::Empty,
            gen_ai.response.finish_reasons = tracing::field::Empty,
            gen_ai.usage.input_tokens = tracing::field::Empty,
            gen_ai.usage.output_tokens = tracing::field::Empty,
            gen_ai.usage.cache_read.input_tokens = tracing::field::Empty,
            gen_ai.usage.cache_creation.input_tokens = tracing::field::Empty,
            gen_ai.response.time_to_first_chunk = tracing::field::Empty,
            error.type = tracing::field::Empty,
            server.address = tracing::field::Empty,
                        server.port = tracing::field::Empty,
            aws.bedrock.guardrail.id = tracing::field::Empty,
            gen_ai.input.messages = tracing::field::Empty,
            gen_ai.output.messages = tracing::field::Empty,
            gen_ai.system_instructions = tracing::field::Empty,
            gen_ai.tool.definitions = tracing::field::Empty,
        );
        Self { span }
    }

    /// The span, to enter or to parent other spans.
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// Records `invocation`'s attributes and closes the span.
    pub fn finish(self, invocation: &Invocation, config: &Config) {
        // Nobody listens: skip building the attributes.
        if self.span.is_disabled() {
            return;
        }
        for (key, value) in attributes(invocation, config) {
            match value {
                OtelValue::Str(s) => self.span.record(key, s.as_str()),
                OtelValue::Int(i) => self.span.record(key, i),
                OtelValue::Float(f) => self.span.record(key, f),
                OtelValue::Bool(b) => self.span.record(key, b),
                other @ (OtelValue::StrArray(_) | OtelValue::Structured(_)) => {
                    self.span.record(key, other.to_text().as_str())
                }
            };
        }
        if invocation.error.is_some() {
            self.span.record("otel.status_code", "ERROR");
        }
    }

    /// A span for an invocation that has already happened (log replay): opened and finished.
    pub fn emit(invocation: &Invocation, config: &Config) {
        Self::start(operation_name(invocation), &invocation.model_id).finish(invocation, config);
    }
}
