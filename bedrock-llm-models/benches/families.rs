//! Per-family cost of one request+response pair, on the same body files the Python peers are
//! timed on (`tests/fixtures/bedrock/recorded`, copies of `shared/fixtures/bedrock`), plus one
//! synthesized exchange for each family the recordings lack:
//!
//! - `floor`: `serde_json` parse of both bodies into `IgnoredAny` — the least any reader pays;
//! - `extract`: bytes → typed bodies → neutral record (registry resolution included);
//! - `events`: bytes → record → LLM events rendered as New Relic Event API JSON;
//! - `events_no_cost`: the same with pricing off, so `events / events_no_cost` is what the
//!   per-call cost adds;
//! - `render_floor`: writing that same JSON from an already-built `serde_json::Value` — the
//!   least any writer of the output pays. `floor + render_floor` is the limit for work that
//!   must read the bodies and write its output.
//!
//! The other renderings, each beside its own floor (`<format>_floor`: writing the same output
//! from a built `serde_json::Value`): `otel` (the GenAI span as `--format otel` writes it),
//! `elastic` (the Elastic invocation document) and `log_writer` (the `ModelInvocationLog`
//! record, cost included) — each from the bodies, as `events` is.

use std::hint::black_box;
use std::path::Path;

use bedrock_llm_core::{Invocation, Operation};
use bedrock_llm_events::render::{elastic, newrelic, otel};
use bedrock_llm_events::{CallContext, Config, build_events};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use serde::de::IgnoredAny;

/// (case, model ID, request, response, input-token header, output-token header).
type Case = (String, String, Vec<u8>, Vec<u8>, Option<u64>, Option<u64>);

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/bedrock/recorded");
    let mut cases = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let (Ok(model), Ok(request), Ok(response)) = (
            std::fs::read_to_string(dir.join("model_id.txt")),
            std::fs::read(dir.join("request.json")),
            std::fs::read(dir.join("response.json")),
        ) else {
            continue;
        };
        let http: serde_json::Value = std::fs::read(dir.join("http.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let header = |name: &str| {
            http["response_headers"][name]
                .as_str()
                .and_then(|v| v.parse().ok())
        };
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let input = header("X-Amzn-Bedrock-Input-Token-Count");
        let output = header("X-Amzn-Bedrock-Output-Token-Count");
        cases.push((
            name,
            model.trim().to_owned(),
            request,
            response,
            input,
            output,
        ));
    }
    // Families the recordings lack, from the samples.
    let covered = [
        "claude_text",
        "claude_messages",
        "titan_text",
        "llama",
        "cohere_command",
        "jurassic2",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for sample in bedrock_llm_models::samples::all().unwrap_or_default() {
        if covered.contains(&sample.family_slug) || !seen.insert(sample.family_slug) {
            continue;
        }
        let header = |name: &str| {
            sample
                .headers
                .iter()
                .find(|(k, _)| *k == name)
                .and_then(|(_, v)| v.parse().ok())
        };
        let input = header("X-Amzn-Bedrock-Input-Token-Count");
        let output = header("X-Amzn-Bedrock-Output-Token-Count");
        cases.push((
            sample.family_slug.to_owned(),
            sample.model_id.to_owned(),
            sample.request,
            sample.response,
            input,
            output,
        ));
    }
    cases
}

/// Bytes → neutral record, with the header counts a live call would have.
fn record(registry: &bedrock_llm_core::Registry, case: &Case) -> Invocation {
    let (_, model, request, response, input, output) = case;
    let mut record = Invocation::new(black_box(model.as_str()), Operation::InvokeModel);
    record.header_metrics.input_tokens = *input;
    record.header_metrics.output_tokens = *output;
    registry.read_bodies(
        &mut record,
        Some(black_box(request)),
        Some(black_box(response)),
    );
    record
}

fn families(c: &mut Criterion) {
    let cases = cases();
    let registry = bedrock_llm_models::registry();
    let config = Config::default().enabled();
    let context = CallContext::detached();
    timed(c, "floor", &cases, |(_, _, request, response, _, _)| {
        let _: IgnoredAny = serde_json::from_slice(black_box(request)).unwrap_or(IgnoredAny);
        let _: IgnoredAny = serde_json::from_slice(black_box(response)).unwrap_or(IgnoredAny);
    });
    timed(c, "extract", &cases, |case| record(registry, case));
    let events = |config: &Config, case: &Case| {
        newrelic::payload(&build_events(&record(registry, case), config, &context).events)
    };
    timed(c, "events", &cases, |case| events(&config, case));
    let no_cost = config.clone().with_cost(false);
    timed(c, "events_no_cost", &cases, |case| events(&no_cost, case));
    write_floor(c, "render_floor", &cases, |case| events(&config, case));
    for format in ["otel", "elastic", "log_writer"] {
        let render = |case: &Case| rendered(format, case, &config);
        timed(c, format, &cases, render);
        write_floor(c, &format!("{format}_floor"), &cases, render);
    }
}

/// A group timing `work` on every case.
fn timed<R>(c: &mut Criterion, name: &str, cases: &[Case], work: impl Fn(&Case) -> R) {
    let mut group = c.benchmark_group(name);
    for case in cases {
        group.bench_function(BenchmarkId::from_parameter(&case.0), |b| {
            b.iter(|| work(black_box(case)))
        });
    }
    group.finish();
}

/// The least a writer of `work`'s JSON pays: the same JSON written from a built
/// `serde_json::Value`.
fn write_floor(c: &mut Criterion, name: &str, cases: &[Case], work: impl Fn(&Case) -> String) {
    let mut group = c.benchmark_group(name);
    for case in cases {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&work(case)) else {
            continue;
        };
        group.bench_function(BenchmarkId::from_parameter(&case.0), |b| {
            b.iter(|| serde_json::to_vec(black_box(&value)).map(|v| v.len()))
        });
    }
    group.finish();
}

/// A case's bodies rendered in one of the other formats, as the stdout lines are written.
fn rendered(format: &str, case: &Case, config: &Config) -> String {
    let registry = bedrock_llm_models::registry();
    let invocation = record(registry, case);
    let (request, response) = (Some(case.2.as_slice()), Some(case.3.as_slice()));
    match format {
        // As the stdout lines write them.
        "otel" => {
            let mut out = Vec::new();
            otel::write_span_json(
                &mut out,
                &invocation,
                config,
                &[("cloud.region", Some("us-east-1"))],
                None,
            );
            String::from_utf8(out).unwrap_or_default()
        }
        "elastic" => {
            let caller = elastic::Caller {
                account_id: Some("111122223333"),
                region: Some("us-east-1"),
                identity_arn: None,
            };
            let bodies = elastic::Bodies { request, response };
            elastic::invocation_document_json(
                &invocation,
                &caller,
                &bodies,
                config,
                elastic::DEFAULT_NAMESPACE,
            )
        }
        _ => {
            let caller = bedrock_llm_logs::Caller::default();
            let mut log = bedrock_llm_logs::to_record(&invocation, request, response, &caller);
            if let Some(outcome) = config.cost_of(&invocation) {
                bedrock_llm_logs::add_cost(&mut log, &outcome);
            }
            bedrock_llm_logs::record_json(&log)
        }
    }
}

criterion_group!(benches, families);
criterion_main!(benches);
