//! `bedrock-llm replay cloudwatch:GROUP` against a real CloudWatch Logs (moto's server on
//! 127.0.0.1) through the real AWS SDK client: records spread over streams with interleaved
//! times, small pages, a time window, the same events as the same records from a file whatever
//! order the service answers in; `--follow` picking up records put while it runs, stopped by a
//! signal and resumed with `--state`, each record's events exactly once. Every wait is bounded.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use bedrock_llm_tests::moto::Moto;
use serde_json::{Value, json};

mod common;

const GROUP: &str = "/aws/bedrock/modelinvocations";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-cwl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn record(request: &str, at: &str) -> Value {
    json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": at,
        "accountId": "123456789012", "region": "us-east-1", "requestId": request,
        "operation": "InvokeModel", "modelId": "meta.llama3-70b-instruct-v1:0",
        "input": {"inputBodyJson": {"prompt": format!("question {request}")}, "inputTokenCount": 7},
        "output": {"outputBodyJson": {"generation": format!("answer {request}"), "stop_reason": "stop"}, "outputTokenCount": 4}
    })
}

fn bin(moto: &Moto) -> Command {
    let mut command = common::bin();
    command
        .envs(moto.env())
        .env("BEDROCK_LLM_CLOUDWATCH_PAGE_LIMIT", "2");
    command
}

/// Puts `(stream, time in ms, record)` events, creating the group and streams as needed.
async fn put(moto: &Moto, events: &[(&str, i64, Value)]) {
    let logs = moto.logs();
    let _ = logs.create_log_group().log_group_name(GROUP).send().await;
    let mut by_stream: BTreeMap<&str, Vec<(i64, String)>> = BTreeMap::new();
    for (stream, at, record) in events {
        by_stream
            .entry(stream)
            .or_default()
            .push((*at, record.to_string()));
    }
    for (stream, mut entries) in by_stream {
        let _ = logs
            .create_log_stream()
            .log_group_name(GROUP)
            .log_stream_name(stream)
            .send()
            .await;
        entries.sort();
        let events: Vec<InputLogEvent> = entries
            .into_iter()
            .map(|(at, message)| {
                InputLogEvent::builder()
                    .timestamp(at)
                    .message(message)
                    .build()
                    .unwrap()
            })
            .collect();
        logs.put_log_events()
            .log_group_name(GROUP)
            .log_stream_name(stream)
            .set_log_events(Some(events))
            .send()
            .await
            .unwrap();
    }
}

fn lines(output: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The start of the hour two hours ago, in ms: CloudWatch (and moto) refuse events older
/// than 14 days, so the window is recent.
fn base_hour() -> i64 {
    (now_ms() / 3_600_000 - 2) * 3_600_000
}

/// `YYYY-MM-DDTHH` of an hour start in ms.
fn hour_text(ms: i64) -> String {
    bedrock_llm_core::timestamp_text(ms as u64)[..13].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_group_replays_as_the_same_records_from_a_file_in_time_order() {
    let moto = tokio::task::spawn_blocking(Moto::start).await.unwrap();
    // Three streams, times interleaved across them; one record an hour earlier.
    let hour = base_hour();
    let at = |minute: i64| hour + minute * 60_000;
    let events = vec![
        ("stream-b", at(3), record("r-3", "2024-04-18T22:03:00Z")),
        ("stream-a", at(1), record("r-1", "2024-04-18T22:01:00Z")),
        ("stream-c", at(2), record("r-2", "2024-04-18T22:02:00Z")),
        ("stream-a", at(5), record("r-5", "2024-04-18T22:05:00Z")),
        ("stream-c", at(4), record("r-4", "2024-04-18T22:04:00Z")),
        ("stream-b", at(-30), record("r-0", "2024-04-18T21:30:00Z")),
    ];
    put(&moto, &events).await;

    let dir = scratch("group");
    let file = dir.join("records.ndjson");
    // The same records in time order, as a file would hold them.
    let mut in_order = events.clone();
    in_order.sort_by_key(|(_, at, _)| *at);
    let text: String = in_order
        .iter()
        .filter(|(_, at, _)| *at >= hour)
        .map(|(_, _, r)| format!("{r}\n"))
        .collect();
    std::fs::write(&file, text).unwrap();

    let from_file = bin(&moto).arg("replay").arg(&file).output().unwrap();
    assert!(from_file.status.success());
    let mut command = bin(&moto);
    command.args([
        "replay",
        &format!("cloudwatch:{GROUP}"),
        "--since",
        &hour_text(hour),
        "--until",
        &hour_text(hour),
    ]);
    let from_group = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&from_group.stderr);
    assert!(from_group.status.success(), "{stderr}");
    assert!(stderr.contains("5 records read"), "{stderr}");
    // Same events, same ids, same order.
    assert_eq!(lines(&from_group), lines(&from_file));

    // The whole group, by ARN, with the hour-21 record first; one stream by prefix.
    let mut command = bin(&moto);
    command.args([
        "replay",
        "--format",
        "otel",
        &format!("cloudwatch:arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}:*"),
    ]);
    let whole = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        lines(&whole).len(),
        6,
        "{}",
        String::from_utf8_lossy(&whole.stderr)
    );
    let mut command = bin(&moto);
    command.args([
        "replay",
        &format!("cloudwatch:{GROUP}"),
        "--log-stream-prefix",
        "stream-a",
    ]);
    let one = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&one.stderr).contains("2 records read"));

    // A group that does not exist: named, with what to check, and a failing status.
    let mut command = bin(&moto);
    command.args(["replay", "cloudwatch:/no/such/group"]);
    let missing = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cloudwatch:/no/such/group"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The request ids of New Relic summary events on stdout.
fn summaries(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["eventType"] == "LlmChatCompletionSummary")
        .map(|e| e["request_id"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_picks_up_new_records_and_resumes_with_its_state_exactly_once() {
    let moto = tokio::task::spawn_blocking(Moto::start).await.unwrap();
    let dir = scratch("follow");
    let state = dir.join("state.json");
    put(
        &moto,
        &[(
            "s1",
            now_ms() - 5_000,
            record("f-1", "2026-12-07T00:00:00Z"),
        )],
    )
    .await;

    let follower = |out: &std::path::Path| {
        let mut command = bin(&moto);
        command
            .args([
                "replay",
                &format!("cloudwatch:{GROUP}"),
                "--follow",
                "--poll",
                "1",
            ])
            .args(["--idle-exit", "4", "--state"])
            .arg(&state)
            .stdout(Stdio::from(std::fs::File::create(out).unwrap()))
            .stderr(Stdio::piped());
        command.spawn().unwrap()
    };
    let first_out = dir.join("first.ndjson");
    let mut first = follower(&first_out);
    // A record put while it runs, in a second stream.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    put(
        &moto,
        &[("s2", now_ms(), record("f-2", "2026-12-07T00:00:01Z"))],
    )
    .await;
    // Wait until both are out, then stop it with SIGTERM: the batch finishes, status 0.
    let deadline = Instant::now() + Duration::from_secs(30);
    while summaries(&std::fs::read_to_string(&first_out).unwrap()).len() < 2 {
        assert!(
            Instant::now() < deadline,
            "the follower never printed both records"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &first.id().to_string()])
        .status();
    let status = tokio::task::spawn_blocking(move || first.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");

    // While it was gone: one more record. The restarted follower prints only that one.
    put(
        &moto,
        &[("s1", now_ms(), record("f-3", "2026-12-07T00:00:02Z"))],
    )
    .await;
    let second_out = dir.join("second.ndjson");
    let second = follower(&second_out);
    let output = tokio::task::spawn_blocking(move || second.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut all = summaries(&std::fs::read_to_string(&first_out).unwrap());
    all.extend(summaries(&std::fs::read_to_string(&second_out).unwrap()));
    all.sort();
    assert_eq!(
        all,
        ["f-1", "f-2", "f-3"],
        "each record once over both runs"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_is_ridden_out_with_backoff() {
    let moto = tokio::task::spawn_blocking(Moto::start).await.unwrap();
    let hour = base_hour();
    put(
        &moto,
        &[
            ("a", hour + 60_000, record("t-1", "2026-12-07T00:00:00Z")),
            ("b", hour + 120_000, record("t-2", "2026-12-07T00:00:01Z")),
        ],
    )
    .await;
    // The first three calls are throttled; the fourth goes through to moto.
    let front = bedrock_llm_tests::throttle_front::ThrottleFront::start(moto.port(), 3)
        .await
        .unwrap();
    let mut command = bin(&moto);
    command
        .env("AWS_ENDPOINT_URL", front.url())
        .args(["replay", &format!("cloudwatch:{GROUP}")]);
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("2 records read"), "{stderr}");
    assert_eq!(front.throttled(), 3);
    assert!(started.elapsed() < Duration::from_secs(60));
}
