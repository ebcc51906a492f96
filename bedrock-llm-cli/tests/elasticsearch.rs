//! `bedrock-llm replay … --to elasticsearch` and `elastic setup` against an Elasticsearch on
//! 127.0.0.1 that enforces the Bulk contract and throttles items, fails a request and closes a
//! connection: every document `replay --format elastic` prints arrives exactly once, by `_id`,
//! with the API key on every request; a second run creates nothing and still succeeds.

// Helpers as well as tests panic: that is how a test fails (the `tests` crate allows it crate-wide).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use bedrock_llm_tests::elastic_receiver::{Fault, KEY, Receiver};
use serde_json::Value;

mod common;

const STREAM: &str = "logs-aws_bedrock.invocation-default";

fn bin() -> Command {
    let mut command = common::bin();
    command.env("ELASTIC_API_KEY", KEY);
    command
}

/// Runs `command` off the runtime's threads (the receiver runs on them) and waits for it.
async fn output(mut command: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap()
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-es-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn printed_documents(file: &std::path::Path) -> Vec<Value> {
    let printed = bin()
        .arg("replay")
        .arg(file)
        .args(["--format", "elastic"])
        .output()
        .unwrap();
    assert!(printed.status.success());
    String::from_utf8_lossy(&printed.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The `_id` each record's document gets: its call's trace and span id, as `--format otel`
/// shows them.
fn document_ids(file: &std::path::Path) -> Vec<String> {
    let probe = bin()
        .arg("replay")
        .arg(file)
        .args(["--format", "otel"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&probe.stdout)
        .lines()
        .map(|l| {
            let span: Value = serde_json::from_str(l).unwrap();
            format!(
                "{}{}",
                span["trace_id"].as_str().unwrap(),
                span["span_id"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_delivers_every_document_once_through_faults_and_again_creates_nothing() {
    let dir = scratch("faults");
    let file = dir.join("records.ndjson");
    // Small requests (16 KiB), so the run makes many and each fault hits a different one.
    std::fs::write(
        &file,
        bedrock_llm_tests::logs::noisy_llama_records(300, 400, 5),
    )
    .unwrap();
    let printed = printed_documents(&file);
    assert_eq!(printed.len(), 300);

    let receiver = Receiver::start(vec![Fault::Status(503), Fault::Close, Fault::Status(429)])
        .await
        .unwrap();
    let run = || {
        let mut command = bin();
        command
            .arg("replay")
            .arg(&file)
            .args(["--to", "elasticsearch", "--endpoint", &receiver.url()])
            .env("BEDROCK_LLM_ELASTIC_BULK_BYTES", "16384");
        command
    };
    // The first id the receiver will see, throttled twice: per-item 429s are retried alone.
    let first_id = document_ids(&file).remove(0);
    receiver.throttle_item(&first_id, 2);

    let sent = output(run()).await;
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert!(sent.status.success(), "{stderr}");
    assert!(
        stderr.contains("300 documents sent (300 created, 0 already present)"),
        "{stderr}"
    );

    let all = receiver.documents();
    let documents: std::collections::BTreeMap<_, _> = all
        .iter()
        .filter(|((index, _), _)| index == STREAM)
        .collect();
    assert_eq!(documents.len(), 300, "{stderr}");
    assert_eq!(all.len(), 301, "and one runtime document");
    assert!(documents.contains_key(&(STREAM.to_owned(), first_id.clone())));
    // What arrived is what `--format elastic` prints, document for document.
    let mut arrived: Vec<String> = documents.values().map(|d| d.to_string()).collect();
    let mut expected: Vec<String> = printed.iter().map(Value::to_string).collect();
    arrived.sort();
    expected.sort();
    assert_eq!(arrived, expected);
    let exchanges = receiver.exchanges();
    assert!(exchanges.iter().all(|e| e.auth_ok && e.gzip));
    assert!(
        exchanges.iter().any(|e| e.status == 0),
        "the connection was closed once"
    );
    assert!(exchanges.iter().any(|e| e.status == 503));
    // Runtime documents went to their own stream.
    assert!(
        receiver
            .creates()
            .iter()
            .any(|(index, _)| index == "metrics-aws_bedrock.runtime-default")
    );

    // Again: every document is already there; nothing new, still a success.
    let before = receiver.documents().len();
    let again = output(run()).await;
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(stderr.contains("300 already present"), "{stderr}");
    assert_eq!(receiver.documents().len(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_documents_are_named_and_fail_the_run_and_bad_credentials_say_so() {
    let dir = scratch("rejected");
    let file = dir.join("records.ndjson");
    std::fs::write(
        &file,
        bedrock_llm_tests::logs::noisy_llama_records(5, 50, 6),
    )
    .unwrap();
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let ids = document_ids(&file);
    receiver.reject_item(&ids[2]);
    let mut command = bin();
    command
        .arg("replay")
        .arg(&file)
        .args(["--to", "elasticsearch", "--endpoint", &receiver.url()]);
    let sent = output(command).await;
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert_eq!(sent.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("1 rejected"), "{stderr}");
    assert!(stderr.contains("document_parsing_exception"), "{stderr}");
    assert!(stderr.contains(&ids[2]), "{stderr}");
    // The others arrived; the rejected one was sent once, never retried.
    assert_eq!(
        receiver.documents().len(),
        4 + 1,
        "4 invocations and 1 runtime document"
    );
    assert_eq!(
        receiver
            .creates()
            .iter()
            .filter(|(_, id)| *id == ids[2])
            .count(),
        1
    );

    let mut wrong = common::bin();
    wrong
        .env("ELASTIC_API_KEY", "bm90OnJpZ2h0")
        .arg("replay")
        .arg(&file)
        .args(["--to", "elasticsearch", "--endpoint", &receiver.url()]);
    let refused = output(wrong).await;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refused the credentials (401"), "{stderr}");
    assert!(
        !stderr.contains("bm90OnJpZ2h0"),
        "the key is never printed: {stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn elastic_setup_installs_templates_once_and_leaves_foreign_ones() {
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    receiver.install_foreign_template("metrics-aws_bedrock.runtime");
    for round in 0..2 {
        let mut command = bin();
        command.args(["elastic", "setup", "--endpoint", &receiver.url()]);
        let out = output(command).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let verb = if round == 0 { "installed" } else { "updated" };
        assert!(
            stderr.contains(&format!("logs-aws_bedrock.invocation: {verb}")),
            "{stderr}"
        );
        assert!(
            stderr.contains("metrics-aws_bedrock.runtime: left as it is"),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("metrics-aws_bedrock.guardrails: {verb}")),
            "{stderr}"
        );
    }
    let templates = receiver.templates();
    let ours = &templates["logs-aws_bedrock.invocation"];
    assert_eq!(ours["index_patterns"][0], "logs-aws_bedrock.invocation-*");
    assert_eq!(
        ours["template"]["mappings"]["properties"]["gen_ai"]["properties"]["usage"]["properties"]["prompt_tokens"]
            ["type"],
        "long"
    );
    assert!(
        templates["metrics-aws_bedrock.runtime"]
            .get("template")
            .is_none()
    );

    let missing = common::bin().args(["elastic", "setup"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("ELASTICSEARCH_URL"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_to_elasticsearch_sends_a_document_per_demo_call() {
    let receiver = Receiver::start(vec![Fault::Status(503)]).await.unwrap();
    let mut command = bin();
    command.args([
        "demo",
        "--to",
        "elasticsearch",
        "--endpoint",
        &receiver.url(),
    ]);
    let out = output(command).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let documents = receiver.documents();
    let invocations: Vec<&Value> = documents
        .iter()
        .filter(|((index, _), _)| index == STREAM)
        .map(|(_, d)| d)
        .collect();
    assert!(invocations.len() > 10, "{}", invocations.len());
    // The demo's faults are calls too: failures with their error code.
    assert!(
        invocations
            .iter()
            .any(|d| d["event"]["outcome"] == "failure"
                && d["gen_ai"]["response"]["error_code"].is_string())
    );
    let actions: std::collections::BTreeSet<&str> = invocations
        .iter()
        .filter_map(|d| d["event"]["action"].as_str())
        .collect();
    assert!(
        actions.contains("InvokeModelWithResponseStream"),
        "{actions:?}"
    );
    assert!(
        documents
            .keys()
            .any(|(index, _)| index == "metrics-aws_bedrock.runtime-default")
    );
}
