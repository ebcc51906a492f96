//! The GenAI attributes of one invocation that hold no content (`docs/llm-events.md` §12):
//! the call, the request's parameters, the response's id, model, finish reasons and tokens, and
//! how the call went and where it ran — each part a function of its own, in the order the
//! attributes are written.

use bedrock_llm_core::{ExchangeKind, Invocation, Operation};

use super::otel_value::OtelValue;
use crate::names::gen_ai;

/// `gen_ai.operation.name` for a call: from the adapter's kind; Converse and unknown bodies
/// count as `chat`.
pub fn operation_name(invocation: &Invocation) -> &'static str {
    match (invocation.operation, invocation.kind) {
        (Operation::Converse | Operation::ConverseStream, _) => "chat",
        (_, Some(kind)) => kind.otel_operation_name(),
        (_, None) => "chat",
    }
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
    request_attributes(invocation, &mut put);
    super::otel_kinds::kind_attributes(invocation, &mut put);
    response_attributes(invocation, &mut put);
    call_facts(invocation, &mut put);
    out
}

/// An OpenTelemetry integer, when the count fits.
fn int(n: u64) -> Option<OtelValue> {
    i64::try_from(n).ok().map(OtelValue::Int)
}

/// The request's parameters and whether it streams.
fn request_attributes(invocation: &Invocation, put: &mut impl FnMut(&'static str, OtelValue)) {
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
}

/// The response's id, model, finish reasons and token counts.
fn response_attributes(invocation: &Invocation, put: &mut impl FnMut(&'static str, OtelValue)) {
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
}

/// How the call went and where it ran: time to first chunk, error, server, guardrail, serving.
fn call_facts(invocation: &Invocation, put: &mut impl FnMut(&'static str, OtelValue)) {
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
}
