//! What a guardrail found: the assessments Bedrock reports in a response's trace, flattened
//! into one finding per policy match, for every rendering to read (Elastic's `gen_ai.policy.*`
//! and `gen_ai.compliance.*`, events' guardrail attributes).
//!
//! Bedrock reports assessments in two shapes: a Converse body's `trace.guardrail` has
//! `inputAssessment` (guardrail id → assessment) and `outputAssessments` (guardrail id → list of
//! assessments); a streamed chunk's (or a whole InvokeModel body's) `amazon-bedrock-trace.
//! guardrail` has `input` (id → assessment) and `outputs` (list of id → assessment). A
//! ConverseStream `metadata` event carries the Converse shape. An assessment maps a policy
//! (`contentPolicy`, `topicPolicy`, `wordPolicy`, `sensitiveInformationPolicy`,
//! `contextualGroundingPolicy`, `automatedReasoningPolicy`) to lists of findings.

use serde::Serialize;
use serde_json::{Map, Value};

/// Findings kept per call at most: a pathological trace cannot grow the record without bound.
pub(crate) const MAX_FINDINGS: usize = 256;

/// Whether a finding assessed the prompt or the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardrailStage {
    /// The request's content.
    Input,
    /// The model's answer.
    Output,
}

/// One match a guardrail policy reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct GuardrailFinding {
    /// The guardrail that assessed (the assessment's key).
    pub guardrail_id: String,
    /// Prompt or answer.
    pub stage: GuardrailStage,
    /// The policy, snake_case: `content_policy`, `topic_policy`, `word_policy`,
    /// `sensitive_information_policy`, `contextual_grounding_policy`, …
    pub policy: String,
    /// The finding's `type`: a content category, `DENY`, a PII type, `PROFANITY`,
    /// `GROUNDING`/`RELEVANCE`.
    pub kind: Option<String>,
    /// What the guardrail did: `BLOCKED`, `ANONYMIZED`, `NONE`, …
    pub action: Option<String>,
    /// The content filter's confidence (`LOW` … `HIGH`).
    pub confidence: Option<String>,
    /// The matched text (words, PII, regexes).
    pub matched: Option<String>,
    /// The finding as Bedrock wrote it.
    pub detail: Value,
}

/// One assessment's own figures (its `invocationMetrics`): what CloudWatch's
/// `AWS/Bedrock/Guardrails` metrics count per guardrail and content source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct GuardrailUsage {
    /// The guardrail.
    pub guardrail_id: String,
    /// Prompt (`Input`) or answer (`Output`).
    pub stage: GuardrailStage,
    /// `guardrailProcessingLatency`, in ms.
    pub latency_ms: Option<u64>,
    /// The text units the policies consumed: the sum of `usage.*Units`.
    pub text_units: u64,
}

/// Every finding in `trace` (the value of a body's `trace` or `amazon-bedrock-trace` key),
/// appended to `findings` (without repeats, at most 256); the guardrail ids of
/// the input assessments go to `assessed`.
pub fn read_guardrail_trace(
    trace: &Value,
    findings: &mut Vec<GuardrailFinding>,
    assessed: &mut Vec<String>,
) {
    let mut usage = Vec::new();
    collect_all(trace, findings, assessed, &mut usage);
}

/// [`read_guardrail_trace`], and each assessment's figures into `usage` (without repeats, bounded).
pub(crate) fn collect_all(
    trace: &Value,
    findings: &mut Vec<GuardrailFinding>,
    assessed: &mut Vec<String>,
    usage: &mut Vec<GuardrailUsage>,
) {
    let Some(guardrail) = trace.get("guardrail").and_then(Value::as_object) else {
        return;
    };
    let mut visit = |id: &str, stage: GuardrailStage, assessment: &Value| {
        policies(id, stage, assessment, findings);
        note_usage(id, stage, assessment, usage);
    };
    for key in ["inputAssessment", "input"] {
        if let Some(Value::Object(by_id)) = guardrail.get(key) {
            for (id, assessment) in by_id {
                if !assessed.contains(id) {
                    assessed.push(id.clone());
                }
                visit(id, GuardrailStage::Input, assessment);
            }
        }
    }
    // Converse: id → [assessment]; streams: [id → assessment].
    let mut outputs: Vec<(&String, &Value)> = Vec::new();
    match guardrail.get("outputAssessments") {
        Some(Value::Object(by_id)) => {
            for (id, assessments) in by_id {
                outputs.extend(as_list(assessments).iter().map(|a| (id, a)));
            }
        }
        Some(Value::Array(list)) => outputs.extend(by_id_list(list)),
        _ => {}
    }
    if let Some(Value::Array(list)) = guardrail.get("outputs") {
        outputs.extend(by_id_list(list));
    }
    for (id, assessment) in outputs {
        visit(id, GuardrailStage::Output, assessment);
    }
}

/// `[{id: assessment}, …]` as `(id, assessment)` pairs.
fn by_id_list(list: &[Value]) -> impl Iterator<Item = (&String, &Value)> {
    list.iter()
        .filter_map(Value::as_object)
        .flat_map(|m| m.iter())
}

/// An assessment and its `invocationMetrics` (when it has them), once per guardrail, stage
/// and figures.
fn note_usage(
    id: &str,
    stage: GuardrailStage,
    assessment: &Value,
    usage: &mut Vec<GuardrailUsage>,
) {
    if !assessment.is_object() {
        return;
    }
    let metrics = assessment.get("invocationMetrics").unwrap_or(&Value::Null);
    let units = metrics
        .get("usage")
        .and_then(Value::as_object)
        .map(|u| {
            u.iter()
                .filter(|(name, _)| name.ends_with("Units"))
                .filter_map(|(_, n)| n.as_u64())
                .fold(0u64, u64::saturating_add)
        })
        .unwrap_or(0);
    let entry = GuardrailUsage {
        guardrail_id: id.to_owned(),
        stage,
        latency_ms: metrics
            .get("guardrailProcessingLatency")
            .and_then(Value::as_u64),
        text_units: units,
    };
    if usage.len() < MAX_FINDINGS && !usage.contains(&entry) {
        usage.push(entry);
    }
}

/// The trace a body or chunk carries, in any of the places Bedrock puts one.
pub(crate) fn trace_of(body: &Value) -> impl Iterator<Item = &Value> {
    [
        body.get("amazon-bedrock-trace"),
        body.get("trace"),
        body.get("metadata").and_then(|m| m.get("trace")),
    ]
    .into_iter()
    .flatten()
}

fn as_list(value: &Value) -> &[Value] {
    match value {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    }
}

/// The findings of one assessment: every list under every `…Policy` key.
fn policies(
    guardrail_id: &str,
    stage: GuardrailStage,
    assessment: &Value,
    findings: &mut Vec<GuardrailFinding>,
) {
    let Some(assessment) = assessment.as_object() else {
        return;
    };
    for (name, policy) in assessment {
        let Some(policy_name) = policy_name(name) else {
            continue;
        };
        let Some(groups) = policy.as_object() else {
            continue;
        };
        for group in groups.values() {
            for detail in group.as_array().map(Vec::as_slice).unwrap_or_default() {
                let Some(fields) = detail.as_object() else {
                    continue;
                };
                let finding = GuardrailFinding {
                    guardrail_id: guardrail_id.to_owned(),
                    stage,
                    policy: policy_name.clone(),
                    kind: text(fields, "type"),
                    action: text(fields, "action"),
                    confidence: text(fields, "confidence"),
                    matched: text(fields, "match"),
                    detail: detail.clone(),
                };
                if findings.len() < MAX_FINDINGS && !findings.contains(&finding) {
                    findings.push(finding);
                }
            }
        }
    }
}

/// `contentPolicy` → `content_policy`; keys that are not policies (`invocationMetrics`) → `None`.
fn policy_name(key: &str) -> Option<String> {
    let snake = snake_case(key);
    snake.ends_with("_policy").then_some(snake)
}

/// `camelCase` → `snake_case`, as guardrail policies (`contentPolicy` → `content_policy`) and
/// Bedrock's CloudWatch metric names are written in events and documents.
pub fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for (at, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if at != 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn text(fields: &Map<String, Value>, key: &str) -> Option<String> {
    match fields.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn converse_and_stream_shapes_give_the_same_findings() {
        let converse = json!({"guardrail": {
            "inputAssessment": {"gr1": {
                "contentPolicy": {"filters": [{"type": "VIOLENCE", "confidence": "HIGH", "action": "BLOCKED"}]},
                "invocationMetrics": {"guardrailProcessingLatency": 5}
            }},
            "outputAssessments": {"gr1": [{
                "sensitiveInformationPolicy": {"piiEntities": [{"type": "EMAIL", "match": "a@b.c", "action": "ANONYMIZED"}]}
            }]}
        }});
        let stream = json!({"guardrail": {
            "input": {"gr1": {
                "contentPolicy": {"filters": [{"type": "VIOLENCE", "confidence": "HIGH", "action": "BLOCKED"}]}
            }},
            "outputs": [{"gr1": {
                "sensitiveInformationPolicy": {"piiEntities": [{"type": "EMAIL", "match": "a@b.c", "action": "ANONYMIZED"}]}
            }}]
        }});
        let (mut a, mut b, mut ids_a, mut ids_b) = (vec![], vec![], vec![], vec![]);
        read_guardrail_trace(&converse, &mut a, &mut ids_a);
        read_guardrail_trace(&stream, &mut b, &mut ids_b);
        assert_eq!(a, b);
        assert_eq!(ids_a, vec!["gr1"]);
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].policy, "content_policy");
        assert_eq!(a[0].stage, GuardrailStage::Input);
        assert_eq!(a[0].confidence.as_deref(), Some("HIGH"));
        assert_eq!(a[1].policy, "sensitive_information_policy");
        assert_eq!(a[1].stage, GuardrailStage::Output);
        assert_eq!(a[1].matched.as_deref(), Some("a@b.c"));
        // The same trace seen twice (a stream's last chunk and its log) adds nothing.
        read_guardrail_trace(&converse, &mut a, &mut ids_a);
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn assessment_figures_per_guardrail_and_stage() {
        let trace = json!({"guardrail": {
            "inputAssessment": {"gr1": {"invocationMetrics": {"guardrailProcessingLatency": 262,
                "usage": {"contentPolicyUnits": 1, "topicPolicyUnits": 1, "automatedReasoningPolicies": 4}}}},
            "outputAssessments": {"gr1": [{"invocationMetrics": {"guardrailProcessingLatency": 250,
                "usage": {"sensitiveInformationPolicyUnits": 2}}}]}
        }});
        let (mut findings, mut ids, mut usage) = (vec![], vec![], vec![]);
        collect_all(&trace, &mut findings, &mut ids, &mut usage);
        assert!(findings.is_empty());
        assert_eq!(usage.len(), 2);
        assert_eq!(
            (usage[0].stage, usage[0].latency_ms, usage[0].text_units),
            (GuardrailStage::Input, Some(262), 2)
        );
        assert_eq!(
            (usage[1].stage, usage[1].latency_ms, usage[1].text_units),
            (GuardrailStage::Output, Some(250), 2)
        );
    }

    #[test]
    fn malformed_traces_give_nothing_and_never_panic() {
        for trace in [
            json!(null),
            json!({"guardrail": 3}),
            json!({"guardrail": {"input": [1, 2]}}),
            json!({"guardrail": {"input": {"g": {"contentPolicy": {"filters": "x"}}}}}),
            json!({"guardrail": {"outputs": [1, {"g": 2}]}}),
        ] {
            let (mut findings, mut ids) = (vec![], vec![]);
            read_guardrail_trace(&trace, &mut findings, &mut ids);
            assert!(findings.is_empty(), "{trace}");
        }
    }

    #[test]
    fn snake_case_of_bedrock_keys() {
        assert_eq!(
            snake_case("sensitiveInformationPolicy"),
            "sensitive_information_policy"
        );
        assert_eq!(snake_case("modelId"), "model_id");
        assert_eq!(policy_name("invocationMetrics"), None);
    }
}
