//! The shipped dashboards ask only for what we send. Live calls (every prebuilt family, a
//! stream, a throttled call) go through the instrumented client to a New Relic receiver and an
//! OTLP receiver; what arrived — event types and their attributes, Metric API names and
//! dimensions, OTLP metric names, units and data-point attributes — is the vocabulary. Every
//! NRQL query of `docs/dashboards/newrelic-bedrock.json` and every PromQL expression of
//! `docs/dashboards/grafana-genai.json` must name nothing outside it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bedrock_llm_events::{Config, Recorder};
use bedrock_llm_export::otlp::{OtlpOptions, OtlpPipeline};
use bedrock_llm_export::{HarvestOptions, Harvester, NewRelicConfig, NewRelicExporter};
use bedrock_llm_tests::newrelic_receiver::{self, ACCOUNT, KEY};
use bedrock_llm_tests::otlp_receiver;
use opentelemetry_proto::tonic::metrics::v1::metric;
use serde_json::Value;

/// What arrived at the backends.
#[derive(Debug, Default)]
struct Vocabulary {
    /// New Relic event type → the attributes its events carried.
    events: BTreeMap<String, BTreeSet<String>>,
    /// Metric API names, and the dimensions any of them carried.
    nr_metrics: BTreeSet<String>,
    nr_dimensions: BTreeSet<String>,
    /// OTLP metric name → (unit, whether a histogram, data-point attribute keys).
    otel_metrics: BTreeMap<String, (String, bool, BTreeSet<String>)>,
}

async fn emitted() -> Vocabulary {
    let new_relic = newrelic_receiver::Receiver::start(Vec::new())
        .await
        .unwrap();
    let collector = otlp_receiver::Receiver::start(Vec::new()).await.unwrap();
    let emulator = bedrock_llm_emulator::Emulator::builder()
        .fault(
            "fault.throttling-v1",
            bedrock_llm_emulator::Fault::Throttling,
        )
        .start()
        .await
        .unwrap();
    let pipeline = OtlpPipeline::new(
        OtlpOptions::default()
            .endpoint(collector.url())
            .default_service_name("dashboards-test"),
    )
    .unwrap();
    let recorder =
        Arc::new(Recorder::new(Config::default().enabled()).with_telemetry(pipeline.telemetry()));
    let mut config = NewRelicConfig::new(KEY, ACCOUNT).endpoint(&new_relic.url());
    config.timeout = Duration::from_secs(5);
    let harvester = Harvester::spawn(
        recorder.clone(),
        NewRelicExporter::new(config).unwrap(),
        HarvestOptions::default().interval(Duration::from_millis(200)),
    );
    let client = bedrock_llm_tests::harness::client(&emulator, &recorder);
    let samples = bedrock_llm_models::samples::all().unwrap();
    for sample in &samples {
        client
            .invoke_raw(sample.model_id, sample.request.clone())
            .await
            .unwrap();
    }
    let chat = samples
        .iter()
        .find(|s| s.family_slug == "claude_messages")
        .unwrap();
    let mut stream = client
        .invoke_stream_raw(chat.model_id, chat.request.clone())
        .await
        .unwrap();
    while stream.recv().await.unwrap().is_some() {}
    let throttled = client
        .invoke_raw("fault.throttling-v1", br#"{"prompt": "hi"}"#.to_vec())
        .await;
    assert!(throttled.is_err());

    harvester.shutdown(Duration::from_secs(10)).await;
    tokio::task::spawn_blocking(move || pipeline.shutdown())
        .await
        .unwrap()
        .unwrap();

    let mut vocabulary = Vocabulary::default();
    for event in new_relic.events() {
        let Value::Object(fields) = event else {
            continue;
        };
        let event_type = fields["eventType"].as_str().unwrap_or_default().to_owned();
        vocabulary
            .events
            .entry(event_type)
            .or_default()
            .extend(fields.keys().cloned());
    }
    for block in new_relic.metric_blocks() {
        let common = block["common"]["attributes"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        vocabulary.nr_dimensions.extend(common.keys().cloned());
        for metric in block["metrics"].as_array().cloned().unwrap_or_default() {
            vocabulary
                .nr_metrics
                .insert(metric["name"].as_str().unwrap_or_default().to_owned());
            if let Some(attributes) = metric["attributes"].as_object() {
                vocabulary.nr_dimensions.extend(attributes.keys().cloned());
            }
        }
    }
    for (_, metric) in collector.metrics() {
        let (histogram, keys): (bool, Vec<String>) = match &metric.data {
            Some(metric::Data::Histogram(h)) => (
                true,
                h.data_points
                    .iter()
                    .flat_map(|p| p.attributes.iter().map(|kv| kv.key.clone()))
                    .collect(),
            ),
            Some(metric::Data::Sum(s)) => (
                false,
                s.data_points
                    .iter()
                    .flat_map(|p| p.attributes.iter().map(|kv| kv.key.clone()))
                    .collect(),
            ),
            _ => (false, Vec::new()),
        };
        let entry = vocabulary
            .otel_metrics
            .entry(metric.name.clone())
            .or_insert_with(|| (metric.unit.clone(), histogram, BTreeSet::new()));
        entry.2.extend(keys);
    }
    vocabulary
}

fn dashboard(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/dashboards")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every string under a key named `key`, anywhere in `value`.
fn strings_under(value: &Value, key: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                match field {
                    Value::String(text) if name == key => out.push(text.clone()),
                    _ => strings_under(field, key, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| strings_under(item, key, out)),
        _ => {}
    }
}

/// `text` without its `open…close` spans, and the spans' contents.
fn take_spans(text: &str, open: char, close: char) -> (String, Vec<String>) {
    let (mut rest, mut spans, mut current) = (String::new(), Vec::new(), None::<String>);
    for c in text.chars() {
        match &mut current {
            Some(span) if c == close => {
                spans.push(std::mem::take(span));
                current = None;
                rest.push(' ');
            }
            Some(span) => span.push(c),
            None if c == open => current = Some(String::new()),
            None => rest.push(c),
        }
    }
    assert!(current.is_none(), "an unclosed {open} in {text}");
    (rest, spans)
}

/// The words of `text` that could be names: identifiers not starting with a digit.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == ':'))
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        })
        .map(str::to_owned)
        .collect()
}

const NRQL_WORDS: &[&str] = &[
    "select",
    "from",
    "where",
    "facet",
    "timeseries",
    "auto",
    "since",
    "ago",
    "until",
    "limit",
    "as",
    "and",
    "or",
    "not",
    "is",
    "null",
    "true",
    "false",
    "in",
    "like",
    "count",
    "sum",
    "average",
    "percentile",
    "percentage",
    "uniquecount",
    "latest",
    "max",
    "min",
    "filter",
];

/// Every attribute a query names (back-quoted, by this repository's convention) exists on every
/// event type it reads, or among the Metric API's names and dimensions; every other word is
/// NRQL's own.
fn check_nrql(query: &str, vocabulary: &Vocabulary) -> Vec<String> {
    let mut problems = Vec::new();
    let (unquoted, _labels) = take_spans(query, '\'', '\'');
    let (bare, names) = take_spans(&unquoted, '`', '`');
    let from = bare.to_ascii_uppercase().find("FROM ").map(|at| at + 5);
    let from = from.unwrap_or_else(|| panic!("no FROM in {query}"));
    let end = ["SELECT", "WHERE", "FACET", "TIMESERIES", "SINCE", "LIMIT"]
        .iter()
        .filter_map(|k| bare[from..].find(&format!(" {k}")).map(|at| from + at))
        .min()
        .unwrap_or(bare.len());
    let types: Vec<&str> = bare[from..end].split(',').map(str::trim).collect();
    for event_type in &types {
        if *event_type != "Metric" && !vocabulary.events.contains_key(*event_type) {
            problems.push(format!("{query}: no `{event_type}` events are sent"));
        }
    }
    for name in &names {
        let known = types.iter().all(|event_type| match *event_type {
            "Metric" => {
                vocabulary.nr_metrics.contains(name) || vocabulary.nr_dimensions.contains(name)
            }
            _ => vocabulary
                .events
                .get(*event_type)
                .is_some_and(|keys| keys.contains(name)),
        });
        if !known {
            problems.push(format!("{query}: `{name}` is not sent on {types:?}"));
        }
    }
    for word in words(&bare) {
        if !NRQL_WORDS.contains(&word.to_ascii_lowercase().as_str())
            && !types.contains(&word.as_str())
        {
            problems.push(format!("{query}: `{word}` is neither NRQL nor back-quoted"));
        }
    }
    problems
}

/// An OpenTelemetry name as a Prometheus-compatible backend stores it: characters outside
/// `[a-zA-Z0-9_:]` become `_`.
fn prometheus_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == ':' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The series a metric becomes: the unit as a suffix (`s` → `_seconds`; annotations such as
/// `{token}` dropped), and `_bucket`, `_sum`, `_count` for a histogram.
fn prometheus_series(name: &str, unit: &str, histogram: bool) -> Vec<String> {
    let suffix = match unit {
        "s" => "_seconds",
        "ms" => "_milliseconds",
        "By" => "_bytes",
        _ => "",
    };
    let base = format!("{}{suffix}", prometheus_name(name));
    if histogram {
        ["_bucket", "_sum", "_count"]
            .iter()
            .map(|part| format!("{base}{part}"))
            .collect()
    } else {
        vec![base]
    }
}

const PROMQL_WORDS: &[&str] = &[
    "sum",
    "rate",
    "increase",
    "histogram_quantile",
    "by",
    "without",
    "avg",
    "max",
    "min",
    "__rate_interval",
    "__interval",
    "__range",
];

/// Every series an expression reads is one we send; every label it groups, filters or shows is
/// an attribute of each metric it reads (`le` of a histogram's buckets).
fn check_promql(expr: &str, legend: &str, vocabulary: &Vocabulary) -> Vec<String> {
    let mut problems = Vec::new();
    let mut series_of: BTreeMap<String, (&str, bool)> = BTreeMap::new();
    for (name, (unit, histogram, _)) in &vocabulary.otel_metrics {
        for series in prometheus_series(name, unit, *histogram) {
            series_of.insert(series, (name.as_str(), *histogram));
        }
    }
    let (bare, _values) = take_spans(expr, '"', '"');
    let read: Vec<(String, (&str, bool))> = words(&bare)
        .into_iter()
        .filter_map(|w| series_of.get(&w).map(|m| (w, *m)))
        .collect();
    if read.is_empty() {
        problems.push(format!("{expr}: reads no series we send"));
    }
    let (_, legend_labels) = take_spans(
        &legend.replace("{{", "\u{1}").replace("}}", "\u{2}"),
        '\u{1}',
        '\u{2}',
    );
    for word in words(&bare)
        .into_iter()
        .chain(legend_labels.into_iter().map(|l| l.trim().to_owned()))
    {
        if PROMQL_WORDS.contains(&word.as_str()) || series_of.contains_key(&word) {
            continue;
        }
        let known = read.iter().all(|(series, (metric, _))| {
            (word == "le" && series.ends_with("_bucket"))
                || vocabulary.otel_metrics[*metric]
                    .2
                    .iter()
                    .any(|key| prometheus_name(key) == word)
        });
        if !known {
            problems.push(format!("{expr}: `{word}` is not a label of {read:?}"));
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dashboard_query_names_only_what_we_emit() {
    let vocabulary = emitted().await;
    assert!(
        vocabulary.events.len() >= 4 && vocabulary.otel_metrics.len() >= 3,
        "{vocabulary:#?}"
    );

    let mut queries = Vec::new();
    strings_under(&dashboard("newrelic-bedrock.json"), "query", &mut queries);
    assert!(queries.len() >= 10, "{queries:?}");
    let mut problems: Vec<String> = queries
        .iter()
        .flat_map(|q| check_nrql(q, &vocabulary))
        .collect();

    let grafana = dashboard("grafana-genai.json");
    let targets: Vec<&Value> = grafana["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|panel| panel["targets"].as_array().unwrap())
        .collect();
    assert!(targets.len() >= 6);
    for target in targets {
        let expr = target["expr"].as_str().unwrap();
        let legend = target["legendFormat"].as_str().unwrap_or_default();
        problems.extend(check_promql(expr, legend, &vocabulary));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checks catch what they are for: a misspelt attribute, an attribute of another event
/// type, a metric we do not send, an unquoted name, a label the metric lacks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checks_refuse_names_we_do_not_send() {
    let vocabulary = emitted().await;
    for query in [
        "SELECT sum(`response.usage.prompt_token`) FROM LlmChatCompletionSummary",
        "SELECT count(*) FROM LlmEmbedding FACET `response.choices.finish_reason`",
        "SELECT count(*) FROM LlmCompletion",
        "SELECT sum(`bedrock_llm.runtime.Cost`) FROM Metric",
        "SELECT count(*) FROM LlmChatCompletionSummary FACET duration",
    ] {
        assert!(!check_nrql(query, &vocabulary).is_empty(), "{query} passed");
    }
    assert!(
        check_nrql(
            "SELECT count(*) FROM LlmError FACET `error.class`",
            &vocabulary
        )
        .is_empty()
    );
    for (expr, legend) in [
        ("sum(rate(gen_ai_client_token_usage_total[5m]))", ""),
        (
            "sum by (error_type) (rate(gen_ai_client_token_usage_sum[5m]))",
            "",
        ),
        (
            "sum(rate(gen_ai_client_operation_duration_seconds_count[5m]))",
            "{{gen_ai_system}}",
        ),
        (
            "histogram_quantile(0.9, sum by (le) (rate(gen_ai_client_operation_duration_seconds_sum[5m])))",
            "",
        ),
    ] {
        assert!(
            !check_promql(expr, legend, &vocabulary).is_empty(),
            "{expr} passed"
        );
    }
}
