//! Guardrail figures under CloudWatch's `AWS/Bedrock/Guardrails` names — invocations,
//! interventions, processing latency, text units — per guardrail, content source (prompt or
//! answer) and operation, from the assessments a call's guardrail trace reports; rendered as
//! Elastic `aws_bedrock.guardrails` documents. [`RuntimeMetrics`](crate::RuntimeMetrics) keeps
//! them beside the per-model figures, in the same periods.

use std::collections::BTreeMap;

use bedrock_llm_core::GuardrailStage;
use bedrock_llm_core::Invocation;
use serde_json::{Value, json};

/// The Elastic data stream of guardrail documents, before its namespace.
pub const GUARDRAILS_DATASET: &str = "aws_bedrock.guardrails";

/// One guardrail's figures for one content source and operation in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GuardrailFigures {
    /// Assessments made.
    pub invocations: u64,
    /// Assessments of calls the guardrail intervened in.
    pub invocations_intervened: u64,
    /// Sum of processing latencies, in ms.
    pub latency_sum_ms: f64,
    /// Latencies counted.
    pub latency_count: u64,
    /// Text units the policies consumed.
    pub text_units: u64,
}

impl GuardrailFigures {
    pub(crate) fn merge(&mut self, other: &Self) {
        let add = |a: &mut u64, b: u64| *a = a.saturating_add(b);
        add(&mut self.invocations, other.invocations);
        add(
            &mut self.invocations_intervened,
            other.invocations_intervened,
        );
        add(&mut self.latency_count, other.latency_count);
        add(&mut self.text_units, other.text_units);
        self.latency_sum_ms += other.latency_sum_ms;
    }
}

/// `(guardrail, content source, operation)`.
pub type GuardrailKey = (String, &'static str, &'static str);

/// Period start → key → figures.
pub(crate) type GuardrailBuckets = BTreeMap<u64, BTreeMap<GuardrailKey, GuardrailFigures>>;

fn source(stage: GuardrailStage) -> &'static str {
    match stage {
        GuardrailStage::Input => "Input",
        GuardrailStage::Output => "Output",
    }
}

/// Counts `invocation`'s assessments into the period starting at `start`. A call that named a
/// guardrail but carries no trace counts once, as an assessment of its prompt.
pub(crate) fn add(buckets: &mut GuardrailBuckets, start: u64, invocation: &Invocation) {
    let operation = invocation.operation.as_str();
    let intervened_in = |id: &str, stage: GuardrailStage| {
        invocation.guardrail_intervened
            && invocation.guardrail_findings.iter().any(|f| {
                f.guardrail_id == id
                    && f.stage == stage
                    && f.action.as_deref().is_some_and(|a| a != "NONE")
            })
    };
    if invocation.guardrail_usage.is_empty() {
        if let Some(id) = &invocation.guardrail_id {
            let figures = buckets
                .entry(start)
                .or_default()
                .entry((id.clone(), "Input", operation))
                .or_default();
            figures.invocations = figures.invocations.saturating_add(1);
            if invocation.guardrail_intervened {
                figures.invocations_intervened = figures.invocations_intervened.saturating_add(1);
            }
        }
        return;
    }
    for usage in &invocation.guardrail_usage {
        let figures = buckets
            .entry(start)
            .or_default()
            .entry((usage.guardrail_id.clone(), source(usage.stage), operation))
            .or_default();
        figures.invocations = figures.invocations.saturating_add(1);
        if intervened_in(&usage.guardrail_id, usage.stage) {
            figures.invocations_intervened = figures.invocations_intervened.saturating_add(1);
        }
        if let Some(ms) = usage.latency_ms {
            figures.latency_sum_ms += ms as f64;
            figures.latency_count = figures.latency_count.saturating_add(1);
        }
        figures.text_units = figures.text_units.saturating_add(usage.text_units);
    }
}

/// One `metrics-aws_bedrock.guardrails-<namespace>` document per guardrail, content source,
/// operation and period, as Metricbeat writes CloudWatch's (`InvocationLatency` the average).
pub(crate) fn documents(buckets: &GuardrailBuckets, period_ms: u64, namespace: &str) -> Vec<Value> {
    use crate::render::elastic::{ECS_VERSION, iso_millis};
    let mut out = Vec::new();
    for (start, keys) in buckets {
        for ((guardrail, content_source, operation), figures) in keys {
            let mut guardrails = json!({
                "guardrail_id": guardrail,
                "guardrail_content_source": content_source,
                "operation": operation,
                "invocations": figures.invocations,
                "invocations_intervened": figures.invocations_intervened,
                "text_unit_count": figures.text_units,
            });
            if guardrail.starts_with("arn:") {
                guardrails["guardrail_arn"] = json!(guardrail);
            }
            if figures.latency_count > 0 {
                guardrails["invocation_latency"] =
                    json!(figures.latency_sum_ms / figures.latency_count as f64);
            }
            out.push(json!({
                "@timestamp": iso_millis(*start),
                "data_stream": {"type": "metrics", "dataset": GUARDRAILS_DATASET, "namespace": namespace},
                "ecs": {"version": ECS_VERSION},
                "event": {"dataset": GUARDRAILS_DATASET, "module": "aws_bedrock", "kind": "metric"},
                "metricset": {"name": "cloudwatch", "period": period_ms},
                "aws": {"cloudwatch": {"namespace": "AWS/Bedrock/Guardrails"}},
                "cloud": {"provider": "aws"},
                "aws_bedrock": {"guardrails": guardrails},
            }));
        }
    }
    out
}
