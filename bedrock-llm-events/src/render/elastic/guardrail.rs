//! `gen_ai.guardrail_id`, `gen_ai.policy.*` and `gen_ai.compliance.*` from the record's
//! guardrail findings, by the rules of Elastic's `get_guardrail_details` script: sorted distinct
//! policies, actions, confidences and violation types over prompt and answer; the findings that
//! matched text (words, PII) or judged grounding as match details; a violation only when a
//! finding has a type **and** the guardrail intervened (observe-mode findings stay a success).

use std::collections::BTreeSet;

use bedrock_llm_core::Invocation;
use serde_json::{Value, json};

use super::tree::{Node, Object};

/// Sets the guardrail fields on `gen_ai`; `true` when the call counts as a guardrail failure.
pub(super) fn fill(gen_ai: &mut Object<'_>, invocation: &Invocation) -> bool {
    if !invocation.guardrails_assessed.is_empty() {
        gen_ai.set(
            "guardrail_id",
            Node::Value(json!(invocation.guardrails_assessed)),
        );
    }
    let findings = &invocation.guardrail_findings;
    if findings.is_empty() {
        return false;
    }
    let sorted = |values: BTreeSet<&str>| json!(values.into_iter().collect::<Vec<_>>());
    let names: BTreeSet<&str> = findings.iter().map(|f| f.policy.as_str()).collect();
    let actions: BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f.action.as_deref())
        .collect();
    let confidences: BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f.confidence.as_deref())
        .collect();
    let codes: BTreeSet<&str> = findings.iter().filter_map(|f| f.kind.as_deref()).collect();
    let mut matches: Vec<Value> = Vec::new();
    for finding in findings {
        if finding.matched.is_some() || finding.policy == "contextual_grounding_policy" {
            let detail = super::rename_keys(&finding.detail);
            if !matches.contains(&detail) {
                matches.push(detail);
            }
        }
    }
    let mut policy = json!({ "name": sorted(names) });
    if !actions.is_empty() {
        policy["action"] = sorted(actions);
    }
    if !confidences.is_empty() {
        policy["confidence"] = sorted(confidences);
    }
    if !matches.is_empty() {
        policy["match_detail"] = json!(matches);
    }
    gen_ai.set("policy", Node::Value(policy));
    let violated = !codes.is_empty() && invocation.guardrail_intervened;
    if !codes.is_empty() {
        let mut compliance = json!({ "violation_code": sorted(codes) });
        if violated {
            compliance["violation_detected"] = json!(true);
        }
        gen_ai.set("compliance", Node::Value(compliance));
    }
    violated
}
