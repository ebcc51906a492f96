//! SIGTERM mid-run: reading stops, what was read is delivered and checkpointed (`--state`
//! records how far the file got), the run says so and exits non-zero; the re-run delivers the
//! rest — and no event arrives twice.
// Helpers as well as tests panic: that is how a test fails (the `tests` crate allows it crate-wide).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use bedrock_llm_tests::newrelic_receiver::{ACCOUNT, Fault, KEY, Receiver};
use serde_json::Value;

mod common;

fn bin() -> Command {
    let mut command = common::bin();
    command
        .env("NEW_RELIC_LICENSE_KEY", KEY)
        .env("NEW_RELIC_ACCOUNT_ID", ACCOUNT);
    command
}

/// `count` Llama records of 3,000 random characters each way: several 4 MB batches.
fn records(count: usize) -> String {
    bedrock_llm_tests::logs::noisy_llama_records(count, 3000, 11)
}

/// Sends SIGTERM to `pid` through the shell's own `kill` (no procps needed).
fn terminate(pid: u32) {
    let sent = Command::new("sh")
        .args(["-c", &format!("kill -TERM {pid}")])
        .status()
        .unwrap();
    assert!(sent.success());
}

fn identities(events: &[Value]) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for event in events {
        let key = format!(
            "{}|{}|{}",
            event["eventType"], event["request_id"], event["sequence"]
        );
        *seen.entry(key).or_insert(0) += 1;
    }
    seen
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_run_delivers_what_was_read_and_the_rerun_the_rest_once() {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-sigterm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("records.ndjson");
    let state = dir.join("state.json");
    std::fs::write(&file, records(2000)).unwrap();
    // The first delivery is answered slowly: the run is mid-file when the signal comes.
    let receiver = Receiver::start(vec![Fault::Slow(Duration::from_secs(2))])
        .await
        .unwrap();
    let url = receiver.url();
    let (file_arg, state_arg) = (file.clone(), state.clone());
    let run = move || {
        let mut command = bin();
        command
            .arg("replay")
            .arg(&file_arg)
            .args(["--to", "newrelic", "--endpoint", &url])
            .arg("--state")
            .arg(&state_arg)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        command
    };
    let child = run().spawn().unwrap();
    let pid = child.id();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    terminate(pid);
    let stopped = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&stopped.stderr);
    assert!(!stopped.status.success(), "{stderr}");
    assert!(stderr.contains("stopped by a signal"), "{stderr}");
    assert!(
        stderr.contains("newrelic: "),
        "the summary is printed: {stderr}"
    );
    let first = receiver.events().len();
    assert!(first < 6000, "stopped mid-file: {first} events");
    // The checkpoint names exactly what was delivered (nothing, on a very slow machine).
    let progress = std::fs::read_to_string(&state)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|saved| {
            saved["partial"]
                .as_object()?
                .values()
                .next()?
                .get("records")?
                .as_u64()
        })
        .unwrap_or(0);
    assert_eq!(
        progress * 3,
        first as u64,
        "the checkpoint names what was delivered"
    );

    let rerun = tokio::task::spawn_blocking(move || run().output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&rerun.stderr);
    assert!(rerun.status.success(), "{stderr}");
    assert!(stderr.contains("records already delivered"), "{stderr}");
    let events = receiver.events();
    let identities = identities(&events);
    assert_eq!(events.len(), 6000, "every event");
    assert_eq!(identities.len(), 6000);
    assert!(identities.values().all(|&n| n == 1), "none twice");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A second signal ends the process at once (143 for SIGTERM), even mid-delivery.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signal_exits_at_once() {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-sigterm2-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("records.ndjson");
    std::fs::write(&file, records(2000)).unwrap();
    // Every answer takes 5 s: without the second signal the run would take far longer.
    let receiver = Receiver::start(vec![Fault::Slow(Duration::from_secs(5)); 20])
        .await
        .unwrap();
    let child = bin()
        .arg("replay")
        .arg(&file)
        .args(["--to", "newrelic", "--endpoint", &receiver.url()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let started = std::time::Instant::now();
    for _ in 0..2 {
        terminate(pid);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(143));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
