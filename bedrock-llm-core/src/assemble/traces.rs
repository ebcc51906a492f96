//! What Bedrock says beside a body's message, read once the body is: a whole Converse
//! response's latency, guardrail trace, latency mode and service tier, and the guardrail trace a stream chunk carries.

use serde::Deserialize;

use crate::record::{Invocation, Serving};

/// What a whole Converse response says beside its message: Bedrock's latency and the
/// guardrail its trace names.
pub(super) fn converse_extras(record: &mut Invocation, body: &[u8]) {
    let Ok(extras) = serde_json::from_slice::<ConverseExtras>(body) else {
        return;
    };
    if let Some(latency) = extras.metrics.and_then(|m| m.latency_ms) {
        record.header_metrics.invocation_latency_ms = Some(latency.get());
    }
    if record.guardrail_id.is_none() {
        record.guardrail_id = extras.trace.as_ref().and_then(GuardrailTrace::id);
    }
    record.serving.fill_from(Serving {
        latency: extras.performance_config.and_then(|c| c.latency),
        service_tier: extras.service_tier.and_then(|t| t.kind),
        ..Serving::default()
    });
}

/// The parts of a Converse response body read beyond the adapter's view.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConverseExtras {
    metrics: Option<ConverseMetrics>,
    trace: Option<GuardrailTrace>,
    performance_config: Option<PerformanceConfig>,
    service_tier: Option<ServiceTier>,
}

/// `performanceConfig`: `{latency: standard | optimized}`.
#[derive(Deserialize)]
struct PerformanceConfig {
    latency: Option<String>,
}

/// `serviceTier`: `{type: priority | default | flex | reserved}`.
#[derive(Deserialize)]
struct ServiceTier {
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct ConverseMetrics {
    #[serde(rename = "latencyMs")]
    latency_ms: Option<crate::value::TokenCount>,
}

/// `trace` (Converse) or `amazon-bedrock-trace` (stream chunks): which guardrail assessed the
/// call.
#[derive(Deserialize)]
struct GuardrailTrace {
    guardrail: Option<GuardrailAssessments>,
}

#[derive(Deserialize)]
struct GuardrailAssessments {
    #[serde(rename = "inputAssessment", alias = "input")]
    input: Option<serde_json::Map<String, serde_json::Value>>,
}

impl GuardrailTrace {
    /// The assessed guardrail: the first key of the input assessment.
    fn id(&self) -> Option<String> {
        self.guardrail
            .as_ref()?
            .input
            .as_ref()?
            .keys()
            .next()
            .cloned()
    }
}

/// A stream chunk's trace key.
#[derive(Deserialize)]
struct ChunkTrace {
    #[serde(rename = "amazon-bedrock-trace")]
    trace: Option<GuardrailTrace>,
}

/// Sets `guardrail_id` from a chunk's `amazon-bedrock-trace`, when it has none yet.
pub(super) fn note_trace(guardrail_id: &mut Option<String>, chunk: &[u8]) {
    if guardrail_id.is_none()
        && memchr::memmem::find(chunk, b"amazon-bedrock-trace").is_some()
        && let Ok(trace) = serde_json::from_slice::<ChunkTrace>(chunk)
    {
        *guardrail_id = trace.trace.as_ref().and_then(GuardrailTrace::id);
    }
}
