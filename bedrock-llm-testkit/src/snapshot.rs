//! What to snapshot for each case of a sample file: the neutral record, the New Relic events
//! and the OpenTelemetry attributes, with what changes from run to run (event ids, trace and
//! span ids, timestamps) redacted — so an author reviews one diff when a body format changes.
//! [`crate::assert_snapshots!`] hands them to insta in the author's own crate.

use std::path::Path;

use bedrock_llm_core::{BedrockModel, Invocation, Operation, adapter};
use bedrock_llm_events::render::{newrelic, otel};
use bedrock_llm_events::{CallContext, Config, build_events};
use serde_json::{Value, json};

use crate::sample::{SampleError, SampleFile};

/// Keys whose values differ on every run.
const VOLATILE: [&str; 5] = ["id", "completion_id", "trace_id", "span_id", "timestamp"];

fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if VOLATILE.contains(&key.as_str()) && !item.is_null() {
                    *item = json!(format!("[{key}]"));
                } else {
                    redact(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// `(snapshot name, value)` per case: `{stem}__{case}` → `{record, events, otel}`.
pub fn snapshots<M: BedrockModel>(
    samples: impl AsRef<Path>,
) -> Result<Vec<(String, Value)>, SampleError> {
    let path = samples.as_ref();
    let file = SampleFile::load(path)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let config = Config::default().enabled();
    Ok(file
        .cases
        .iter()
        .map(|case| {
            let mut invocation = Invocation::new(case.model_id(&file), Operation::InvokeModel);
            invocation.read_bodies(
                adapter::<M>(),
                Some(&case.request_bytes()),
                Some(&case.response_bytes()),
            );
            let built = build_events(&invocation, &config, &CallContext::detached());
            let events: Vec<Value> = built
                .events
                .iter()
                .map(|e| serde_json::from_str(&newrelic::event_json(e)).unwrap_or(Value::Null))
                .collect();
            let mut value = json!({
                "record": serde_json::to_value(&invocation).unwrap_or(Value::Null),
                "events": events,
                "otel": otel::span_json(&invocation, &config, &[]),
            });
            redact(&mut value);
            (format!("{stem}__{}", case.name), value)
        })
        .collect())
}

/// Snapshots every case of a sample file with insta (a dev-dependency of the calling crate):
/// `bedrock_llm_testkit::assert_snapshots!(Zeta, "samples/zeta.json");`.
#[macro_export]
macro_rules! assert_snapshots {
    ($model:ty, $samples:expr) => {
        for (name, value) in
            $crate::snapshot::snapshots::<$model>($samples).unwrap_or_else(|e| panic!("{e}"))
        {
            ::insta::assert_json_snapshot!(name, value);
        }
    };
}
