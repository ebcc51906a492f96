//! `bedrock-llm replay … --to newrelic` and `demo --to newrelic` against a New Relic receiver
//! on 127.0.0.1 that enforces the ingest contract and throttles, fails and drops connections
//! before it accepts: every event `replay FILE` prints arrives exactly once.

// Helpers as well as tests panic: that is how a test fails (the `tests` crate allows it crate-wide).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::process::Command;

use bedrock_llm_tests::newrelic_receiver::{ACCOUNT, Fault, KEY, Receiver};
use serde_json::Value;

mod common;

fn bin() -> Command {
    let mut command = common::bin();
    command
        .env("NEW_RELIC_LICENSE_KEY", KEY)
        .env("NEW_RELIC_ACCOUNT_ID", ACCOUNT)
        .env("NEW_RELIC_APP_NAME", "replay-test");
    command
}

/// Runs `command` off the runtime's threads (the receiver runs on them) and waits for it.
async fn output(mut command: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap()
}

/// What makes an event itself, without its random id.
fn identity(event: &Value) -> String {
    format!(
        "{}|{}|{}|{}|{}",
        event["eventType"], event["request_id"], event["sequence"], event["role"], event["content"]
    )
}

fn tally(events: &[Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for event in events {
        *counts.entry(identity(event)).or_insert(0) += 1;
    }
    counts
}

/// `count` Llama records of 3,000 random characters each way: several 4 MB batches.
fn records(count: usize) -> String {
    bedrock_llm_tests::logs::noisy_llama_records(count, 3000, 9)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_to_new_relic_delivers_every_printed_event_once_through_faults() {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-nr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("records.ndjson");
    std::fs::write(&file, records(1000)).unwrap();
    let receiver = Receiver::start(vec![
        Fault::Status(429, Some(1)),
        Fault::Status(503, None),
        Fault::Close,
    ])
    .await
    .unwrap();

    let printed = {
        let mut command = bin();
        command.arg("replay").arg(&file);
        output(command).await
    };
    assert!(printed.status.success());
    let printed: Vec<Value> = String::from_utf8_lossy(&printed.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(printed.len(), 3000);

    let sent = {
        let mut command = bin();
        command
            .arg("replay")
            .arg(&file)
            .args(["--to", "newrelic", "--endpoint", &receiver.url()]);
        output(command).await
    };
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert!(sent.status.success(), "{stderr}");
    assert!(sent.stdout.is_empty(), "nothing printed with --to newrelic");
    assert!(stderr.contains("newrelic: 3000 events sent"), "{stderr}");

    let received = receiver.events();
    assert_eq!(
        tally(&received),
        tally(&printed),
        "every printed event, once"
    );
    assert!(received.iter().all(|e| e["appName"] == "replay-test"));
    let exchanges = receiver.exchanges();
    assert!(exchanges.len() >= 6, "{}", exchanges.len());
    assert!(
        exchanges
            .iter()
            .all(|x| x.gzip && x.key_ok && x.wire_bytes <= 1_000_000)
    );
    assert!(
        exchanges.iter().filter(|x| x.status == 200).count() >= 5,
        "megabytes take several POSTs"
    );
    // The runtime metrics went to the Metric API.
    let invocations: u64 = receiver
        .metric_blocks()
        .iter()
        .flat_map(|b| b["metrics"].as_array().cloned().unwrap_or_default())
        .filter(|m| m["name"] == "bedrock_llm.runtime.Invocations")
        .filter_map(|m| m["value"].as_u64())
        .sum();
    assert_eq!(invocations, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeliverable_data_fails_the_run_and_a_missing_key_is_named() {
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let dir = std::env::temp_dir().join(format!("bedrock-llm-nr-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("records.ndjson");
    std::fs::write(&file, records(3)).unwrap();
    let refused = {
        let mut command = bin();
        command
            .env("NEW_RELIC_LICENSE_KEY", "not-the-key")
            .arg("replay")
            .arg(&file)
            .args(["--to", "newrelic", "--endpoint", &receiver.url()]);
        output(command).await
    };
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("9 events and"));
    let unset = {
        let mut command = bin();
        command
            .env_remove("NEW_RELIC_LICENSE_KEY")
            .arg("replay")
            .arg(&file)
            .args(["--to", "newrelic"]);
        output(command).await
    };
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!unset.status.success());
    assert!(String::from_utf8_lossy(&unset.stderr).contains("NEW_RELIC_LICENSE_KEY is not set"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_to_new_relic_sends_the_demo_calls() {
    let receiver = Receiver::start(vec![Fault::Status(503, None)])
        .await
        .unwrap();
    let output = {
        let mut command = bin();
        command.args(["demo", "--to", "newrelic", "--endpoint", &receiver.url()]);
        output(command).await
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let events = receiver.events();
    let paths: std::collections::BTreeSet<_> = events
        .iter()
        .filter_map(|e| e["llm.demo.path"].as_str().map(str::to_owned))
        .collect();
    assert!(
        paths.contains("async") && paths.contains("stream"),
        "{paths:?}"
    );
    assert!(events.iter().any(|e| e["eventType"] == "LlmError"));
    assert!(!receiver.metric_blocks().is_empty());
}

/// A side output that fails (`--metrics-out /dev/full`) costs no delivery: every event arrives,
/// and the run exits non-zero naming the metrics file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_metrics_file_hides_no_delivery() {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-nr-full-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("records.ndjson");
    std::fs::write(&file, records(200)).unwrap();
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let sent = {
        let mut command = bin();
        command.arg("replay").arg(&file).args([
            "--to",
            "newrelic",
            "--endpoint",
            &receiver.url(),
            "--metrics-out",
            "/dev/full",
        ]);
        output(command).await
    };
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert!(!sent.status.success(), "{stderr}");
    assert!(stderr.contains("cannot write /dev/full"), "{stderr}");
    assert!(stderr.contains("newrelic: 600 events sent"), "{stderr}");
    assert_eq!(receiver.events().len(), 600);
}

/// Why delivery failed is on stderr (the exporter's diagnostics reach a subscriber): a 403
/// names its status; `-q` keeps to errors and the summary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reason_for_a_refusal_is_shown_and_quiet_hides_it() {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-nr-403-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("records.ndjson");
    std::fs::write(&file, records(3)).unwrap();
    let mut runs = Vec::new();
    for quiet in [false, true] {
        let receiver = Receiver::start(vec![Fault::Status(403, None); 4])
            .await
            .unwrap();
        let mut command = bin();
        command
            .arg("replay")
            .arg(&file)
            .args(["--to", "newrelic", "--endpoint", &receiver.url()])
            .env_remove("RUST_LOG");
        if quiet {
            command.arg("-q");
        }
        runs.push(output(command).await);
    }
    std::fs::remove_dir_all(&dir).unwrap();
    let shown = String::from_utf8_lossy(&runs[0].stderr);
    assert!(!runs[0].status.success());
    assert!(
        shown.contains("rejected") && shown.contains("403"),
        "{shown}"
    );
    let quiet = String::from_utf8_lossy(&runs[1].stderr);
    assert!(!quiet.contains("403 Forbidden"), "{quiet}");
    assert!(quiet.contains("newrelic: 0 events sent"), "{quiet}");
}

/// `HTTP_PROXY` as curl reads it: events go through a CONNECT tunnel with the proxy's
/// credentials; a loopback endpoint is always reached directly. The receiver's host name,
/// `newrelic.test`, does not resolve: only the proxy (which maps every host to loopback) can
/// reach it, so the events' arrival proves the tunnel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_to_newrelic_goes_through_the_environments_proxy() {
    use bedrock_llm_tests::connect_proxy::ConnectProxy;
    let file = bedrock_llm_tests::logs::four_calls_file("newrelic-proxy");
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let proxy = ConnectProxy::start().await.unwrap();
    let port = receiver.url().rsplit_once(':').unwrap().1.to_owned();
    let proxied_url = proxy.url().replace("http://", "http://agent:s3cret@");
    let sent = {
        let mut command = bin();
        command
            .env("HTTP_PROXY", &proxied_url)
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .arg("replay")
            .arg(&file)
            .args([
                "--to",
                "newrelic",
                "--endpoint",
                &format!("http://newrelic.test:{port}"),
            ]);
        output(command).await
    };
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert!(sent.status.success(), "{stderr}");
    assert!(!receiver.events().is_empty(), "{stderr}");
    let tunnels = proxy.tunnels();
    assert!(!tunnels.is_empty());
    assert!(
        tunnels
            .iter()
            .all(|t| t.target == format!("newrelic.test:{port}")),
        "{tunnels:?}"
    );
    // agent:s3cret, as Basic credentials.
    assert!(
        tunnels
            .iter()
            .all(|t| t.authorization.as_deref() == Some("Basic YWdlbnQ6czNjcmV0")),
        "{tunnels:?}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");

    // A loopback destination is always direct, whatever the environment says.
    let before = proxy.tunnels().len();
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let direct = {
        let mut command = bin();
        command
            .env("HTTP_PROXY", proxy.url())
            .arg("replay")
            .arg(&file)
            .args(["--to", "newrelic", "--endpoint", &receiver.url()]);
        output(command).await
    };
    assert!(direct.status.success());
    assert!(!receiver.events().is_empty());
    assert_eq!(proxy.tunnels().len(), before, "loopback bypasses the proxy");
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}
