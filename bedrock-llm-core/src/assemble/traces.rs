//! What Bedrock says beside a body's message, read once the body is: a whole Converse
//! response's latency, guardrail trace, latency mode and service tier, and the guardrail trace a stream chunk carries.

use std::sync::LazyLock;

use memchr::memmem::Finder;
use serde::Deserialize;

use crate::record::{Invocation, Serving};

/// What a whole Converse response says beside its message: Bedrock's latency, latency mode and
/// service tier (its guardrail trace is read by [`note_trace`], as for every body).
pub(super) fn converse_extras(record: &mut Invocation, body: &[u8]) {
    let Ok(extras) = serde_json::from_slice::<ConverseExtras>(body) else {
        return;
    };
    if let Some(latency) = extras.metrics.and_then(|m| m.latency_ms) {
        record.header_metrics.invocation_latency_ms = Some(latency.get());
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

/// Reads the guardrail trace a whole body or a stream chunk carries (`amazon-bedrock-trace`,
/// Converse's `trace`, a ConverseStream `metadata.trace`): the assessed guardrail (when the
/// record names none yet) and every finding. One search first, since it runs on every chunk.
pub(super) fn note_trace(record: &mut Invocation, chunk: &[u8]) {
    // Searchers built once: building one costs more than searching a short chunk with it.
    static BEDROCK_TRACE: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new(b"amazon-bedrock-trace"));
    static CONVERSE_TRACE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"trace\":"));
    let mentions = BEDROCK_TRACE.find(chunk).is_some() || CONVERSE_TRACE.find(chunk).is_some();
    if !mentions {
        return;
    }
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(chunk) else {
        return;
    };
    for trace in crate::guardrail::trace_of(&body) {
        if record.guardrail_id.is_none()
            && let Ok(parsed) = GuardrailTrace::deserialize(trace)
        {
            record.guardrail_id = parsed.id();
        }
        crate::guardrail::collect_all(
            trace,
            &mut record.guardrail_findings,
            &mut record.guardrails_assessed,
            &mut record.guardrail_usage,
        );
    }
    record.guardrails_assessed.sort();
}
