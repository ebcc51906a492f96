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
pub const MAX_FINDINGS: usize = 256;

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

/// Every finding in `trace` (the value of a body's `trace` or `amazon-bedrock-trace` key),
/// appended to `findings` (without repeats, at most [`MAX_FINDINGS`]); the guardrail ids of
/// the input assessments go to `assessed`.
pub fn collect(trace: &Value, findings: &mut Vec<GuardrailFinding>, assessed: &mut Vec<String>) {
    let Some(guardrail) = trace.get("guardrail").and_then(Value::as_object) else {
        return;
    };
    for key in ["inputAssessment", "input"] {
        if let Some(Value::Object(by_id)) = guardrail.get(key) {
            for (id, assessment) in by_id {
                if !assessed.contains(id) {
                    assessed.push(id.clone());
                }
                policies(id, GuardrailStage::Input, assessment, findings);
            }
        }
    }
    // Converse: id → [assessment]; streams: [id → assessment].
    match guardrail.get("outputAssessments") {
        Some(Value::Object(by_id)) => {
            for (id, assessments) in by_id {
                for assessment in as_list(assessments) {
                    policies(id, GuardrailStage::Output, assessment, findings);
                }
            }
        }
        Some(Value::Array(list)) => output_list(list, findings),
        _ => {}
    }
    if let Some(Value::Array(list)) = guardrail.get("outputs") {
        output_list(list, findings);
    }
}

/// The trace a body or chunk carries, in any of the places Bedrock puts one.
pub fn trace_of(body: &Value) -> impl Iterator<Item = &Value> {
    [
        body.get("amazon-bedrock-trace"),
        body.get("trace"),
        body.get("metadata").and_then(|m| m.get("trace")),
    ]
    .into_iter()
    .flatten()
}

fn output_list(list: &[Value], findings: &mut Vec<GuardrailFinding>) {
    for entry in list {
        if let Value::Object(by_id) = entry {
            for (id, assessment) in by_id {
                policies(id, GuardrailStage::Output, assessment, findings);
            }
        }
    }
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

/// `camelCase` → `snake_case`.
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
        collect(&converse, &mut a, &mut ids_a);
        collect(&stream, &mut b, &mut ids_b);
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
        collect(&converse, &mut a, &mut ids_a);
        assert_eq!(a.len(), 2);
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
            collect(&trace, &mut findings, &mut ids);
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
