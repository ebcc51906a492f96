//! `bedrock-llm replay … --to otlp` and `demo --to otlp` against an OTLP/HTTP receiver on
//! 127.0.0.1 that decodes every request with the official protobuf definitions: spans, GenAI
//! metrics and content events arrive typed as the conventions say, with the resource set.

// Helpers as well as tests panic: that is how a test fails (the `tests` crate allows it crate-wide).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use bedrock_llm_tests::otlp_receiver::{
    Fault, Receiver, any_to_json, attribute, histogram_points, str_attribute,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use serde_json::{Value, json};

mod common;

/// Runs `command` off the runtime's threads (the receiver runs on them) and waits for it.
async fn output(mut command: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap()
}

fn bin() -> Command {
    let mut command = common::bin();
    for var in [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_RESOURCE_ATTRIBUTES",
    ] {
        command.env_remove(var);
    }
    command.env("OTEL_SERVICE_NAME", "replay-otlp-test");
    command
}

use bedrock_llm_tests::logs::{
    FOUR_CALLS_CLAUDE as CLAUDE, FOUR_CALLS_LLAMA as LLAMA, FOUR_CALLS_TITAN_EMBED as TITAN_EMBED,
};

fn int(attributes: &[opentelemetry_proto::tonic::common::v1::KeyValue], key: &str) -> Option<i64> {
    match attribute(attributes, key)? {
        Any::IntValue(i) => Some(*i),
        _ => None,
    }
}

/// Writes the records to a fresh file and returns its path.
fn record_file(tag: &str) -> std::path::PathBuf {
    bedrock_llm_tests::logs::four_calls_file(&format!("otlp-{tag}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_to_otlp_sends_typed_spans_metrics_and_content_events() {
    let file = record_file("all");
    // The receiver throttles the first request: the exporter retries it.
    let receiver = Receiver::start_requiring(
        vec![Fault::Status(503, Some(0))],
        Some(("api-key", "otlp-test-key")),
    )
    .await
    .unwrap();
    let sent = {
        let mut command = bin();
        command
            .arg("replay")
            .arg(&file)
            .args(["--to", "otlp", "--endpoint", &receiver.url()])
            .env("OTEL_EXPORTER_OTLP_HEADERS", "api-key=otlp-test-key");
        output(command).await
    };
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert!(sent.status.success(), "{stderr}");
    assert!(sent.stdout.is_empty(), "nothing printed with --to otlp");
    assert!(stderr.contains("otlp: 4 invocations sent"), "{stderr}");
    assert!(
        receiver
            .exchanges()
            .iter()
            .all(|x| x.content_type == "application/x-protobuf")
    );

    // One client span per record, named `{operation} {model}`, typed attributes.
    let spans = receiver.spans();
    assert_eq!(spans.len(), 4, "{spans:#?}");
    let span = |request: &str| {
        spans
            .iter()
            .find(|(_, s)| {
                str_attribute(&s.attributes, "gen_ai.response.id").is_some_and(|id| id == request)
                    || (request == "r-llama" && s.name == format!("text_completion {LLAMA}"))
                    || (request == "r-embed" && s.name == format!("embeddings {TITAN_EMBED}"))
            })
            .unwrap_or_else(|| panic!("no span for {request}"))
    };
    for (resource, s) in &spans {
        assert_eq!(s.kind, 3, "client span: {}", s.name);
        assert_eq!(
            str_attribute(&s.attributes, "gen_ai.provider.name"),
            Some("aws.bedrock")
        );
        assert_eq!(
            str_attribute(resource, "service.name"),
            Some("replay-otlp-test")
        );
        assert_eq!(str_attribute(resource, "cloud.provider"), Some("aws"));
        assert_eq!(str_attribute(resource, "cloud.region"), Some("us-west-2"));
        assert_eq!(
            str_attribute(resource, "cloud.account.id"),
            Some("123456789012")
        );
        assert!(s.end_time_unix_nano >= s.start_time_unix_nano);
        assert_eq!(s.start_time_unix_nano, 1_713_480_897_000_000_000);
    }
    let (_, llama) = span("r-llama");
    assert_eq!(int(&llama.attributes, "gen_ai.usage.input_tokens"), Some(7));
    assert_eq!(
        int(&llama.attributes, "gen_ai.usage.output_tokens"),
        Some(4)
    );
    assert_eq!(
        int(&llama.attributes, "gen_ai.request.max_tokens"),
        Some(50)
    );
    assert_eq!(
        attribute(&llama.attributes, "gen_ai.request.temperature"),
        Some(&Any::DoubleValue(0.5))
    );
    match attribute(&llama.attributes, "gen_ai.response.finish_reasons") {
        Some(Any::ArrayValue(array)) => assert_eq!(
            array.values.iter().map(any_to_json).collect::<Vec<_>>(),
            vec![json!("stop")]
        ),
        other => panic!("finish reasons are a string array, not {other:?}"),
    }
    let (_, converse) = spans
        .iter()
        .find(|(_, s)| {
            s.name == format!("chat {CLAUDE}")
                && s.end_time_unix_nano - s.start_time_unix_nano == 420_000_000
        })
        .expect("the Converse span lasts its latencyMs");
    assert_eq!(
        int(&converse.attributes, "gen_ai.usage.output_tokens"),
        Some(3)
    );
    // With a logger, content goes to the event, not the span.
    assert!(attribute(&converse.attributes, "gen_ai.input.messages").is_none());
    let (_, stream) = spans
        .iter()
        .find(|(_, s)| {
            attribute(&s.attributes, "gen_ai.request.stream") == Some(&Any::BoolValue(true))
        })
        .expect("the stream's span");
    assert_eq!(
        stream.end_time_unix_nano - stream.start_time_unix_nano,
        800_000_000
    );
    assert_eq!(
        int(&stream.attributes, "gen_ai.usage.output_tokens"),
        Some(5)
    );
    assert_eq!(
        attribute(&stream.attributes, "gen_ai.response.time_to_first_chunk"),
        Some(&Any::DoubleValue(0.15))
    );
    let (_, embed) = span("r-embed");
    assert_eq!(int(&embed.attributes, "gen_ai.usage.input_tokens"), Some(3));

    // Histograms with the advised buckets; token points by type, summing to the records'.
    let metrics = receiver.metrics();
    let metric = |name: &str| {
        metrics
            .iter()
            .filter(|(_, m)| m.name == name)
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
    };
    let usage = metric("gen_ai.client.token.usage");
    assert!(!usage.is_empty(), "token usage exported");
    assert!(usage.iter().all(|m| m.unit == "{token}"));
    let points: Vec<_> = usage.iter().flat_map(histogram_points).collect();
    let sum_of = |token_type: &str| -> f64 {
        points
            .iter()
            .filter(|p| str_attribute(&p.attributes, "gen_ai.token.type") == Some(token_type))
            .map(|p| p.sum.unwrap_or_default())
            .sum()
    };
    assert_eq!(sum_of("input"), (7 + 3 + 12 + 9) as f64);
    assert_eq!(sum_of("output"), (4 + 3 + 5) as f64);
    assert!(
        points
            .iter()
            .all(|p| p.explicit_bounds.first() == Some(&1.0)
                && p.explicit_bounds.last() == Some(&67_108_864.0)
                && p.explicit_bounds.len() == 14)
    );
    assert!(points.iter().all(|p| {
        str_attribute(&p.attributes, "gen_ai.operation.name").is_some()
            && str_attribute(&p.attributes, "gen_ai.provider.name") == Some("aws.bedrock")
            && str_attribute(&p.attributes, "gen_ai.request.model").is_some()
    }));
    let durations: Vec<_> = metric("gen_ai.client.operation.duration")
        .iter()
        .flat_map(histogram_points)
        .collect();
    assert_eq!(
        durations.iter().map(|p| p.count).sum::<u64>(),
        4,
        "one point per record; the two without a latency add 0 s"
    );
    assert!(
        (durations
            .iter()
            .map(|p| p.sum.unwrap_or_default())
            .sum::<f64>()
            - 1.22)
            .abs()
            < 1e-9
    );
    assert!(
        durations
            .iter()
            .all(|p| p.explicit_bounds.first() == Some(&0.01))
    );
    let first_chunk: Vec<_> = metric("gen_ai.client.operation.time_to_first_chunk")
        .iter()
        .flat_map(histogram_points)
        .collect();
    assert_eq!(first_chunk.iter().map(|p| p.count).sum::<u64>(), 1);

    // Content events: structured messages, linked to their spans.
    let records = receiver.log_records();
    assert_eq!(
        records.len(),
        3,
        "one per record with content (not the embedding)"
    );
    for record in &records {
        assert_eq!(
            record.event_name,
            "gen_ai.client.inference.operation.details"
        );
        assert_eq!(record.severity_number, 5, "DEBUG, as the conventions ask");
        assert!(
            spans
                .iter()
                .any(|(_, s)| s.span_id == record.span_id && s.trace_id == record.trace_id)
        );
    }
    let converse_details = records
        .iter()
        .find(|r| {
            spans
                .iter()
                .any(|(_, s)| s.span_id == r.span_id && s.span_id == converse.span_id)
        })
        .expect("the Converse call's event");
    let get = |key: &str| {
        converse_details
            .attributes
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| kv.value.as_ref())
            .map(any_to_json)
    };
    // Tool calls and results as structured parts; tool definitions with description and schema.
    assert_eq!(
        get("gen_ai.input.messages"),
        Some(json!([
            {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]},
            {"role": "assistant", "parts": [{"type": "tool_call", "id": "t1", "name": "weather", "arguments": {"city": "Paris"}}]},
            {"role": "tool", "parts": [{"type": "tool_call_response", "id": "t1", "response": "18C"}]}
        ]))
    );
    assert_eq!(
        get("gen_ai.tool.definitions"),
        Some(
            json!([{"type": "function", "name": "weather", "description": "Current weather", "parameters": {"type": "object"}}])
        )
    );
    assert_eq!(
        get("gen_ai.system_instructions"),
        Some(json!([{"type": "text", "content": "Be brief"}]))
    );
    assert_eq!(
        get("gen_ai.output.messages"),
        Some(
            json!([{"role": "assistant", "parts": [{"type": "text", "content": "Checking."}], "finish_reason": "stop"}])
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_to_otlp_with_no_content_sends_no_content() {
    let file = record_file("no-content");
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let sent = {
        let mut command = bin();
        command
            .arg("replay")
            .arg(&file)
            .args(["--to", "otlp", "--no-content"])
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url())
            .env("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip");
        output(command).await
    };
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert!(sent.status.success(), "{stderr}");
    let spans = receiver.spans();
    assert_eq!(spans.len(), 4);
    assert!(receiver.log_records().is_empty(), "no content events");
    let exchanges = receiver.exchanges();
    assert!(
        !exchanges.is_empty() && exchanges.iter().all(|x| x.gzip && x.status == 200),
        "OTEL_EXPORTER_OTLP_COMPRESSION=gzip honoured: {exchanges:?}"
    );
    for (_, span) in &spans {
        for kv in &span.attributes {
            assert!(
                !matches!(
                    kv.key.as_str(),
                    "gen_ai.input.messages"
                        | "gen_ai.output.messages"
                        | "gen_ai.system_instructions"
                ),
                "{} on {}",
                kv.key,
                span.name
            );
            let text = kv
                .value
                .as_ref()
                .map(any_to_json)
                .unwrap_or_default()
                .to_string();
            for secret in [
                "Weather in Paris",
                "Be brief",
                "Checking.",
                "Say hi",
                "Hi there",
                "embed me",
            ] {
                assert!(!text.contains(secret), "{secret} leaked in {}", kv.key);
            }
        }
    }
    assert!(
        receiver
            .metrics()
            .iter()
            .any(|(_, m)| m.name == "gen_ai.client.token.usage")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_to_an_unreachable_otlp_endpoint_fails_with_a_message() {
    let file = record_file("down");
    // A port nothing listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sent = {
        let mut command = bin();
        command
            .arg("replay")
            .arg(&file)
            .args([
                "--to",
                "otlp",
                "--endpoint",
                &format!("http://alice:s3cret@127.0.0.1:{port}"),
            ])
            .env("OTEL_EXPORTER_OTLP_TIMEOUT", "2000");
        output(command).await
    };
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert!(!sent.status.success(), "{stderr}");
    // Counted, not claimed as sent: what never got through is named, and the run fails.
    assert!(
        stderr.contains("lost after retries")
            && stderr.contains("not everything could be delivered"),
        "{stderr}"
    );
    // An endpoint's credentials are never echoed.
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

#[test]
fn replay_format_otel_prints_typed_values() {
    let file = record_file("format");
    let printed = bin()
        .arg("replay")
        .arg(&file)
        .args(["--format", "otel"])
        .output()
        .unwrap();
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    assert!(printed.status.success());
    let lines: Vec<Value> = String::from_utf8_lossy(&printed.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    let llama = &lines[0]["attributes"];
    assert_eq!(llama["gen_ai.usage.input_tokens"], json!(7));
    assert_eq!(llama["gen_ai.request.temperature"], json!(0.5));
    assert_eq!(llama["gen_ai.response.finish_reasons"], json!(["stop"]));
    assert_eq!(llama["server.port"], json!(443));
    let stream = &lines[3]["attributes"];
    assert_eq!(stream["gen_ai.request.stream"], json!(true));
    assert_eq!(
        stream["gen_ai.input.messages"],
        json!([{"role": "user", "parts": [{"type": "text", "content": "Count"}]}])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_to_otlp_sends_a_span_per_call_with_errors_marked() {
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let sent = {
        let mut command = bin();
        command.args(["demo", "--to", "otlp", "--endpoint", &receiver.url()]);
        output(command).await
    };
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert!(sent.status.success(), "{stderr}");
    let calls: usize = stderr
        .lines()
        .find_map(|l| l.strip_prefix("otlp: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary line: {stderr}"));
    let spans = receiver.spans();
    let client_spans: Vec<_> = spans.iter().filter(|(_, s)| s.kind == 3).collect();
    assert!(calls > 20, "{calls}");
    assert_eq!(client_spans.len(), calls, "a span per recorded call");
    for (resource, span) in &client_spans {
        assert_eq!(str_attribute(resource, "cloud.region"), Some("us-east-1"));
        assert_eq!(
            str_attribute(&span.attributes, "gen_ai.provider.name"),
            Some("aws.bedrock")
        );
        let model = str_attribute(&span.attributes, "gen_ai.request.model").unwrap();
        let operation = str_attribute(&span.attributes, "gen_ai.operation.name").unwrap();
        assert_eq!(span.name, format!("{operation} {model}"));
        let failed = str_attribute(&span.attributes, "error.type").is_some();
        let status = span.status.as_ref().map_or(0, |s| s.code);
        assert_eq!(
            status == 2,
            failed,
            "{}: error status iff error.type",
            span.name
        );
    }
    assert!(
        client_spans
            .iter()
            .any(|(_, s)| str_attribute(&s.attributes, "error.type").is_some()),
        "the demo's failing calls"
    );
    assert!(!receiver.log_records().is_empty());
    assert!(
        receiver
            .metrics()
            .iter()
            .any(|(_, m)| m.name == "gen_ai.client.operation.duration")
    );
}
