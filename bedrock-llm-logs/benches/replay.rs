//! Replay throughput in MB/s, next to the throughput of merely parsing the same records with
//! `serde_json` (into `IgnoredAny`), over one NDJSON buffer of records for every family and
//! operation (InvokeModel, streamed InvokeModelWithResponseStream, Converse).
//!
//! - `floor`: each line parsed and discarded;
//! - `replay`: each line read as a record, replayed through the adapters, its LLM events built
//!   and rendered as New Relic JSON — the full `bedrock-llm replay` path minus file I/O.

use std::hint::black_box;

use bedrock_llm_events::render::newrelic;
use bedrock_llm_events::{CallContext, Config, build_events};
use bedrock_llm_logs::{ModelInvocationLog, replay};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::de::IgnoredAny;
use serde_json::json;

/// Records for every sample: InvokeModel, and the streamed form where the family streams.
fn ndjson() -> String {
    let mut lines = Vec::new();
    for sample in bedrock_llm_models::samples::all().unwrap_or_default() {
        let request: serde_json::Value =
            serde_json::from_slice(&sample.request).unwrap_or_default();
        let response: serde_json::Value =
            serde_json::from_slice(&sample.response).unwrap_or_default();
        let record = |operation: &str, output: serde_json::Value| {
            json!({
                "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                "timestamp": "2024-04-18T22:54:57Z", "accountId": "111122223333",
                "identity": {"arn": "arn:aws:iam::111122223333:user/dev"}, "region": "us-east-1",
                "requestId": "0e5c1f43-7a6b-4c1d-9e2f-3a4b5c6d7e8f", "operation": operation, "modelId": sample.model_id,
                "input": {"inputContentType": "application/json", "inputBodyJson": request, "inputTokenCount": 10},
                "output": {"outputContentType": "application/json", "outputBodyJson": output, "outputTokenCount": 5}
            })
            .to_string()
        };
        lines.push(record("InvokeModel", response.clone()));
        let pieces = &mut |text: &str| {
            let chars: Vec<char> = text.chars().collect();
            chars
                .chunks(12)
                .map(|c| c.iter().collect())
                .collect::<Vec<String>>()
        };
        if let Some(chunks) = bedrock_llm_models::samples::stream_chunks(&sample, pieces) {
            lines.push(record(
                "InvokeModelWithResponseStream",
                serde_json::Value::Array(chunks),
            ));
        }
    }
    lines.join("\n")
}

fn throughput(c: &mut Criterion) {
    let text = ndjson();
    let registry = bedrock_llm_models::registry();
    let config = Config::default().enabled();
    let context = CallContext::detached();
    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("floor", |b| {
        b.iter(|| {
            for line in black_box(&text).lines() {
                let _: IgnoredAny = serde_json::from_str(line).unwrap_or(IgnoredAny);
            }
        });
    });
    group.bench_function("replay", |b| {
        b.iter(|| {
            let mut written = 0;
            for line in black_box(&text).lines() {
                let Ok(record) = serde_json::from_str::<ModelInvocationLog>(line) else {
                    continue;
                };
                let invocation = replay(&record, registry);
                let built = build_events(&invocation, &config, &context);
                written += newrelic::ndjson(&built.events).len();
            }
            written
        });
    });
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
