//! `bedrock-llm replay … --to otlp` delivering as a user can trust: every call one duration
//! point, derived span ids that repeat run after run, several destinations at once, retries
//! through an outage, a refusal counted and failing the run — against an OTLP/HTTP receiver on
//! 127.0.0.1 that decodes with the official protobuf definitions and scripts its faults.

// Helpers as well as tests panic: that is how a test fails (the `tests` crate allows it crate-wide).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use bedrock_llm_tests::logs::{FOUR_CALLS_LLAMA as LLAMA, four_calls_file};
use bedrock_llm_tests::otlp_receiver::{Fault, Receiver, histogram_points, str_attribute};
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
    command.env("OTEL_SERVICE_NAME", "replay-otlp-delivery");
    command
}

fn record_file(tag: &str) -> std::path::PathBuf {
    four_calls_file(&format!("otlp-delivery-{tag}"))
}

/// Failed calls are data points of `gen_ai.client.operation.duration` too (issue 25 item 2):
/// records with `errorCode` and no latency each add one point, split by `error.type`, so an
/// error rate computed from the histogram's counts is right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_to_otlp_gives_every_record_a_duration_point_failed_or_not() {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-otlp-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("records.ndjson");
    let record = |request: &str, error: Option<&str>| {
        let mut record = json!({
            "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "timestamp": "2024-04-18T22:54:57Z", "accountId": "123456789012",
            "region": "us-east-1", "requestId": request, "operation": "InvokeModel",
            "modelId": LLAMA,
            "input": {"inputBodyJson": {"prompt": "Say hi", "max_gen_len": 50}, "inputTokenCount": 7},
        });
        match error {
            Some(code) => record["errorCode"] = json!(code),
            None => {
                record["output"] = json!({"outputBodyJson": {"generation": "Hi", "stop_reason": "stop"}, "outputTokenCount": 2})
            }
        }
        record.to_string()
    };
    let lines = [
        record("ok-1", None),
        record("throttled-1", Some("ThrottlingException")),
        record("throttled-2", Some("ThrottlingException")),
        record("invalid-1", Some("ValidationException")),
        record("ok-2", None),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let sent = {
        let mut command = bin();
        command
            .arg("replay")
            .arg(&file)
            .args(["--to", "otlp", "--endpoint", &receiver.url()]);
        output(command).await
    };
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert!(sent.status.success(), "{stderr}");
    let points: Vec<_> = receiver
        .metrics()
        .iter()
        .filter(|(_, m)| m.name == "gen_ai.client.operation.duration")
        .flat_map(|(_, m)| histogram_points(m))
        .collect();
    assert_eq!(points.iter().map(|p| p.count).sum::<u64>(), 5, "{points:?}");
    let count_of = |error: Option<&str>| -> u64 {
        points
            .iter()
            .filter(|p| str_attribute(&p.attributes, "error.type") == error)
            .map(|p| p.count)
            .sum()
    };
    assert_eq!(count_of(None), 2, "the successful calls");
    assert_eq!(count_of(Some("ThrottlingException")), 2);
    assert_eq!(count_of(Some("ValidationException")), 1);
    assert!(
        points.iter().all(|p| p.sum == Some(0.0)),
        "no record has a latency: each point is 0 s"
    );
}

/// Replayed spans carry the records' derived ids: two runs send identical trace and span ids,
/// and each equals the `trace_id`/`span_id` of that record's New Relic events.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_spans_carry_the_ids_of_the_records_events_run_after_run() {
    let file = record_file("ids");
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let mut runs = Vec::new();
    for _ in 0..2 {
        let receiver = Receiver::start(Vec::new()).await.unwrap();
        let sent = {
            let mut command = bin();
            command
                .arg("replay")
                .arg(&file)
                .args(["--to", "otlp", "--endpoint", &receiver.url()]);
            output(command).await
        };
        assert!(
            sent.status.success(),
            "{}",
            String::from_utf8_lossy(&sent.stderr)
        );
        let mut ids: Vec<(String, String)> = receiver
            .spans()
            .iter()
            .map(|(_, span)| (hex(&span.trace_id), hex(&span.span_id)))
            .collect();
        ids.sort();
        runs.push(ids);
    }
    let printed = {
        let mut command = bin();
        command.arg("replay").arg(&file);
        output(command).await
    };
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    assert!(printed.status.success());
    let mut event_ids: Vec<(String, String)> = String::from_utf8_lossy(&printed.stdout)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|event| {
            matches!(
                event["eventType"].as_str(),
                Some("LlmChatCompletionSummary" | "LlmEmbedding")
            )
        })
        .map(|event| {
            (
                event["trace_id"].as_str().unwrap().to_owned(),
                event["span_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    event_ids.sort();
    assert_eq!(runs[0].len(), 4);
    assert_eq!(runs[0], runs[1], "a re-delivery sends the same ids");
    assert_eq!(runs[0], event_ids, "spans name what the events name");
}

/// `--to newrelic --to otlp`: one pass over the records feeds both, each endpoint named; each
/// receiver gets what a run to it alone delivers, and the spans name the events' ids.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_destinations_at_once_each_get_what_a_run_to_it_alone_delivers() {
    use bedrock_llm_tests::newrelic_receiver::{ACCOUNT, KEY, Receiver as NewRelic};
    let file = record_file("fanout");
    let with_key = |mut command: Command| {
        command
            .env("NEW_RELIC_LICENSE_KEY", KEY)
            .env("NEW_RELIC_ACCOUNT_ID", ACCOUNT);
        command
    };
    let (newrelic, otlp) = (
        NewRelic::start(Vec::new()).await.unwrap(),
        Receiver::start(Vec::new()).await.unwrap(),
    );
    let both = {
        let mut command = with_key(bin());
        command.arg("replay").arg(&file).args([
            "--to",
            "newrelic",
            "--to",
            "otlp",
            "--endpoint",
            &format!("newrelic={}", newrelic.url()),
            "--endpoint",
            &format!("otlp={}", otlp.url()),
        ]);
        output(command).await
    };
    let stderr = String::from_utf8_lossy(&both.stderr);
    assert!(both.status.success(), "{stderr}");
    assert!(
        stderr.contains("newrelic: ") && stderr.contains("otlp: 4 invocations sent"),
        "{stderr}"
    );

    // The same, one destination at a time.
    let (newrelic_alone, otlp_alone) = (
        NewRelic::start(Vec::new()).await.unwrap(),
        Receiver::start(Vec::new()).await.unwrap(),
    );
    for (to, url) in [
        ("newrelic", newrelic_alone.url()),
        ("otlp", otlp_alone.url()),
    ] {
        let mut command = with_key(bin());
        command
            .arg("replay")
            .arg(&file)
            .args(["--to", to, "--endpoint", &url]);
        assert!(output(command).await.status.success());
    }
    let without_ids = |events: Vec<Value>| {
        let mut events: Vec<String> = events.iter().map(Value::to_string).collect();
        events.sort();
        events
    };
    assert_eq!(
        without_ids(newrelic.events()),
        without_ids(newrelic_alone.events()),
        "derived ids make the two runs' events identical"
    );
    let spans = |receiver: &Receiver| {
        let mut names: Vec<(String, Vec<u8>, Vec<u8>)> = receiver
            .spans()
            .into_iter()
            .map(|(_, s)| (s.name, s.trace_id, s.span_id))
            .collect();
        names.sort();
        names
    };
    assert_eq!(spans(&otlp), spans(&otlp_alone));
    assert_eq!(spans(&otlp).len(), 4);

    // A bare endpoint is ambiguous with several destinations; an unknown one is refused.
    let mut ambiguous = with_key(bin());
    ambiguous.arg("replay").arg(&file).args([
        "--to",
        "newrelic",
        "--to",
        "otlp",
        "--endpoint",
        &otlp.url(),
    ]);
    let refused = output(ambiguous).await;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("name the one it is for"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

/// A 5-second outage (every request answered 503) is retried through: every span arrives,
/// the run exits 0, and the summary counts what the receiver accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_is_retried_through_and_every_span_arrives() {
    let file = record_file("outage");
    let receiver = Receiver::start(vec![Fault::Outage(std::time::Duration::from_secs(5))])
        .await
        .unwrap();
    let sent = {
        let mut command = bin();
        command
            .arg("replay")
            .arg(&file)
            .args(["--to", "otlp", "--endpoint", &receiver.url()]);
        output(command).await
    };
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert!(sent.status.success(), "{stderr}");
    assert_eq!(receiver.spans().len(), 4, "{stderr}");
    assert!(receiver.exchanges().iter().any(|x| x.status == 503));
    assert!(stderr.contains("otlp: 4 invocations sent"), "{stderr}");
    assert!(
        stderr.contains("0 rejected by the receiver, 0 lost"),
        "{stderr}"
    );
}

/// A 400 on the traces POST is data the receiver refused: counted, named in the summary, and
/// the run exits non-zero — never "all sent".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_traces_post_is_counted_and_fails_the_run() {
    let file = record_file("refused");
    let receiver = Receiver::start(vec![Fault::On("/v1/traces", 400)])
        .await
        .unwrap();
    let sent = {
        let mut command = bin();
        command
            .arg("replay")
            .arg(&file)
            .args(["--to", "otlp", "--endpoint", &receiver.url()]);
        output(command).await
    };
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert!(!sent.status.success(), "{stderr}");
    assert!(receiver.spans().is_empty());
    assert!(stderr.contains("otlp: 0 invocations sent"), "{stderr}");
    assert!(stderr.contains("4 rejected by the receiver"), "{stderr}");
    // Which request, what came back, what to check: a sentence, not "Failed to shutdown".
    assert!(
        stderr.contains(&format!(
            "last failure: POST {}/v1/traces answered 400 Bad Request; check the endpoint",
            receiver.url()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("not everything could be delivered to otlp"),
        "{stderr}"
    );
}
