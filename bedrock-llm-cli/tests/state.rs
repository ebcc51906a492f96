//! `--state FILE` is checked before it is trusted and guarded while it is used: a file that is
//! not ours is refused and left as it is, a huge or endless one (`/dev/zero`) is not read into
//! memory, a second run on the same file is refused, and a finished run leaves no temporary.
// Helpers as well as tests panic: that is how a test fails (the `tests` crate allows it crate-wide).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

mod common;

use common::bin;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-state-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn records(dir: &std::path::Path) -> PathBuf {
    let file = dir.join("records.ndjson");
    let line = serde_json::json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": "2024-04-18T22:54:57Z", "operation": "InvokeModel",
        "modelId": "meta.llama3-70b-instruct-v1:0", "requestId": "r-1",
        "input": {"inputBodyJson": {"prompt": "hi"}},
        "output": {"outputBodyJson": {"generation": "yo", "stop_reason": "stop"}},
    });
    std::fs::write(&file, line.to_string()).unwrap();
    file
}

#[test]
fn a_file_that_is_not_a_state_file_is_refused_and_left_as_it_is() {
    let dir = scratch("foreign");
    let file = records(&dir);
    for (name, text) in [
        ("config.json", r#"{"region": "us-east-1"}"#),
        ("newer.json", r#"{"version": 7, "done": {}}"#),
        ("notes.txt", "remember the milk"),
    ] {
        let state = dir.join(name);
        std::fs::write(&state, text).unwrap();
        let run = bin()
            .arg("replay")
            .arg(&file)
            .arg("--state")
            .arg(&state)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{name}: {stderr}");
        assert!(
            stderr.contains("not a state file this bedrock-llm can use"),
            "{stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(&state).unwrap(),
            text,
            "{name} untouched"
        );
        assert!(run.stdout.is_empty(), "nothing replayed");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_endless_state_file_is_refused_quickly() {
    let dir = scratch("zero");
    let file = records(&dir);
    let started = Instant::now();
    let run = bin()
        .arg("replay")
        .arg(&file)
        .args(["--state", "/dev/zero"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stderr}");
    assert!(
        stderr.contains("larger than 64 MiB") || stderr.contains("cannot"),
        "{stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_second_run_on_the_same_state_is_refused_and_a_finished_run_leaves_no_temporary() {
    let dir = scratch("lock");
    let file = records(&dir);
    let state = dir.join("state.json");
    // The first run reads stdin too, so it holds the state until its input ends.
    let mut first = bin()
        .arg("replay")
        .arg(&file)
        .arg("-")
        .arg("--state")
        .arg(&state)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for its lock.
    let lock = dir.join("state.json.lock");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !lock.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let second = bin()
        .arg("replay")
        .arg(&file)
        .arg("--state")
        .arg(&state)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(!second.status.success(), "{stderr}");
    assert!(
        stderr.contains("in use by another bedrock-llm run"),
        "{stderr}"
    );
    drop(first.stdin.take().map(|mut stdin| stdin.write_all(b"")));
    assert!(first.wait().unwrap().success());
    // The first run's state names the file; no temporary is left beside it.
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(written["version"], 1);
    assert_eq!(written["done"].as_object().unwrap().len(), 1);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Now the file is free: a re-run skips the finished file.
    let rerun = bin()
        .arg("replay")
        .arg(&file)
        .arg("--state")
        .arg(&state)
        .output()
        .unwrap();
    assert!(rerun.status.success());
    assert!(rerun.stdout.is_empty(), "the finished file is skipped");
    std::fs::remove_dir_all(&dir).unwrap();
}
