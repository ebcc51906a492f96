//! The LLM events of every fixture case — every prebuilt family — as New Relic Event API
//! objects, snapshotted. Random UUIDs become `<uuid-N>` in order of appearance, so the links
//! between events (`completion_id` = the summary's `id`) stay visible.

use std::collections::HashMap;

use bedrock_llm_events::render::newrelic;
use bedrock_llm_events::{CallContext, Config, LlmAttributes, TraceContext, build_events};
use bedrock_llm_tests::fixtures;

/// Replaces the random UUIDs in `id` and `completion_id` (request ids are kept: they are the
/// fixture's own).
fn redact_uuids(value: &mut serde_json::Value, names: &mut HashMap<String, String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key == "id" || key == "completion_id" {
                    redact_one(value, names);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| redact_uuids(v, names)),
        _ => {}
    }
}

fn redact_one(value: &mut serde_json::Value, names: &mut HashMap<String, String>) {
    if let serde_json::Value::String(s) = value {
        {
            let is_uuid = s.len() == 36
                && s.bytes().enumerate().all(|(i, b)| match i {
                    8 | 13 | 18 | 23 => b == b'-',
                    _ => b.is_ascii_hexdigit(),
                });
            if is_uuid && s.as_bytes()[14] == b'4' {
                let next = names.len() + 1;
                *s = names
                    .entry(s.clone())
                    .or_insert_with(|| format!("<uuid-{next}>"))
                    .clone();
            }
        }
    }
}

#[test]
fn events_of_every_fixture_case() {
    let config = Config::default().enabled();
    let context = CallContext {
        trace: TraceContext {
            trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
            span_id: "00f067aa0ba902b7".into(),
        },
        llm_attributes: LlmAttributes::new().with("llm.conversation_id", "fixture"),
        id_seed: None,
    };
    let registry = bedrock_llm_models::registry();
    let mut snapshots = 0;
    // The first recordings and every synthesized case; the imported recordings are held to
    // their own expectations in `real_recordings.rs`, and their records snapshotted in `fixtures.rs`.
    let cases = fixtures::cases();
    let snapshotted = cases
        .iter()
        .filter(|c| c.response.is_some() && matches!(c.source(), "recorded" | "synthesized"));
    for case in snapshotted {
        let mut record = case.invocation(registry);
        record.timing.started_at_ms = 1_767_225_600_000;
        record.timing.duration = record
            .header_metrics
            .invocation_latency_ms
            .map(std::time::Duration::from_millis);
        let built = build_events(&record, &config, &context);
        assert!(built.error.is_none());
        let mut events: serde_json::Value =
            serde_json::from_str(&newrelic::payload(&built.events)).expect("rendering is JSON");
        let mut names = HashMap::new();
        redact_uuids(&mut events, &mut names);
        insta::assert_json_snapshot!(format!("events__{}", case.name.replace('/', "__")), events);
        snapshots += 1;
    }
    assert!(snapshots >= 28);
}
