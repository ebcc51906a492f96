//! Replay: one invocation-log record becomes the same neutral [`Invocation`] a live call gives,
//! through the same adapters — InvokeModel bodies by family, InvokeModelWithResponseStream chunk
//! arrays through the stream accumulator, Converse and ConverseStream bodies through the
//! Converse adapter.

use std::time::Duration;

use bedrock_llm_core::stream::DEFAULT_CONTENT_CAP;
use bedrock_llm_core::{
    Adapter, ExchangeKind, Invocation, InvocationError, Operation, Registry, ServiceMetrics,
    StreamAccumulator, StreamEnd,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::record::{ModelInvocationLog, timestamp_ms};

/// The parts of a Converse response body replay reads beyond the adapter's view.
#[derive(Deserialize)]
struct ConverseExtras {
    metrics: Option<ConverseMetrics>,
    trace: Option<GuardrailTrace>,
}

#[derive(Deserialize)]
struct ConverseMetrics {
    #[serde(rename = "latencyMs")]
    latency_ms: Option<bedrock_llm_core::TokenCount>,
}

/// `trace` (Converse) or `amazon-bedrock-trace` (streams): which guardrail assessed the call.
#[derive(Deserialize)]
struct GuardrailTrace {
    guardrail: Option<GuardrailAssessments>,
}

#[derive(Deserialize)]
struct GuardrailAssessments {
    #[serde(rename = "inputAssessment", alias = "input")]
    input: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A stream chunk's Bedrock keys that replay reads besides the accumulator.
#[derive(Deserialize)]
struct ChunkTrace {
    #[serde(rename = "amazon-bedrock-trace")]
    trace: Option<GuardrailTrace>,
}

/// Replays one record into an invocation. Never fails: what a record lacks is absent.
pub fn replay(record: &ModelInvocationLog, registry: &Registry) -> Invocation {
    let model_id = record.model_id.clone().unwrap_or_default();
    let operation = record
        .operation
        .as_deref()
        .and_then(Operation::from_name)
        .unwrap_or(Operation::InvokeModel);
    let mut invocation = Invocation::new(model_id, operation);
    invocation.request_id = record.request_id.clone();
    invocation.region = record.region.clone();
    invocation.timing.started_at_ms = record
        .timestamp
        .as_deref()
        .and_then(timestamp_ms)
        .unwrap_or(0);
    let request_body = record
        .input
        .as_ref()
        .and_then(|i| i.input_body_json.as_deref())
        .map(RawValue::get);
    let response_body = record
        .output
        .as_ref()
        .and_then(|o| o.output_body_json.as_deref())
        .map(RawValue::get);
    let converse = matches!(operation, Operation::Converse | Operation::ConverseStream);
    let adapter: Option<&'static dyn Adapter> = if converse {
        registry.converse()
    } else {
        registry.resolve(&invocation.model_id, request_body.map(str::as_bytes))
    };
    if let Some(adapter) = adapter {
        invocation.family = Some(adapter.family());
        invocation.kind = Some(if converse {
            ExchangeKind::Chat
        } else {
            adapter.kind()
        });
        if let Some(body) = request_body {
            match adapter.request_view(body.as_bytes()) {
                Ok(view) => invocation.request = Some(view),
                Err(error) => invocation.extraction_errors.push(error),
            }
        }
    }
    // Log-level counts: the fallback tier for bodies without usage.
    let logged = ServiceMetrics {
        input_tokens: record
            .input
            .as_ref()
            .and_then(|i| i.input_token_count)
            .map(|c| c.get()),
        output_tokens: record
            .output
            .as_ref()
            .and_then(|o| o.output_token_count)
            .map(|c| c.get()),
        ..ServiceMetrics::default()
    };
    match (operation, response_body) {
        (Operation::InvokeModelWithResponseStream, Some(body)) => {
            replay_stream(&mut invocation, adapter, body, logged)
        }
        (_, Some(body)) => {
            if let Some(adapter) = adapter {
                match adapter.response_view(body.as_bytes()) {
                    Ok(view) => invocation.response = Some(view),
                    Err(error) => invocation.extraction_errors.push(error),
                }
            }
            if converse && let Ok(extras) = serde_json::from_str::<ConverseExtras>(body) {
                if let Some(latency) = extras.metrics.and_then(|m| m.latency_ms) {
                    invocation.timing.duration = Some(Duration::from_millis(latency.get()));
                    invocation.header_metrics.invocation_latency_ms = Some(latency.get());
                }
                invocation.guardrail_id = guardrail_id(extras.trace.as_ref());
            }
            invocation.stream_metrics = Some(logged);
            if operation == Operation::ConverseStream {
                invocation.stream_end = Some(StreamEnd::Completed);
            }
        }
        (_, None) => invocation.stream_metrics = Some(logged),
    }
    // The one guardrail rule live calls follow too (the finish reason, Bedrock's body marker).
    let whole = response_body.filter(|_| operation != Operation::InvokeModelWithResponseStream);
    invocation.note_guardrail(whole.map(str::as_bytes));
    if let Some(code) = &record.error_code {
        invocation.error = Some(InvocationError {
            http_status: None,
            code: code.clone(),
            message: None,
        });
    }
    invocation
}

/// The array of decoded chunks: bare strings (`"[DONE]"`) and other non-objects are skipped.
fn replay_stream(
    invocation: &mut Invocation,
    adapter: Option<&'static dyn Adapter>,
    body: &str,
    logged: ServiceMetrics,
) {
    let mut accumulator = StreamAccumulator::new(adapter, DEFAULT_CONTENT_CAP);
    match serde_json::from_str::<Vec<&RawValue>>(body) {
        Ok(chunks) => {
            for chunk in chunks {
                accumulator.push(chunk.get().as_bytes(), Duration::ZERO);
                if invocation.guardrail_id.is_none()
                    && chunk.get().contains("amazon-bedrock-trace")
                    && let Ok(trace) = serde_json::from_str::<ChunkTrace>(chunk.get())
                {
                    invocation.guardrail_id = guardrail_id(trace.trace.as_ref());
                }
            }
        }
        // A single object logged for a stream: read it as a whole response.
        Err(_) => {
            if let Some(adapter) = adapter {
                match adapter.response_view(body.as_bytes()) {
                    Ok(view) => invocation.response = Some(view),
                    Err(error) => invocation.extraction_errors.push(error),
                }
            }
            invocation.stream_metrics = Some(logged);
            return;
        }
    }
    let outcome = accumulator.finish();
    if adapter.is_some() {
        invocation.response = outcome.response;
    }
    invocation.extraction_errors.extend(outcome.errors);
    invocation.content_truncated = outcome.truncated;
    invocation.guardrail_intervened = outcome.guardrail_intervened;
    invocation.stream_end = Some(StreamEnd::Completed);
    let metrics = outcome.metrics.unwrap_or_default();
    if let Some(latency) = metrics.invocation_latency_ms {
        invocation.timing.duration = Some(Duration::from_millis(latency));
    }
    if let Some(first_byte) = metrics.first_byte_latency_ms {
        invocation.timing.time_to_first_token = Some(Duration::from_millis(first_byte));
    }
    invocation.stream_metrics = Some(ServiceMetrics {
        input_tokens: metrics.input_tokens.or(logged.input_tokens),
        output_tokens: metrics.output_tokens.or(logged.output_tokens),
        ..metrics
    });
}

fn guardrail_id(trace: Option<&GuardrailTrace>) -> Option<String> {
    trace?
        .guardrail
        .as_ref()?
        .input
        .as_ref()?
        .keys()
        .next()
        .cloned()
}
