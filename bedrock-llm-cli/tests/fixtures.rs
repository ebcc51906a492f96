//! `bedrock-llm fixtures` in a crate of its own: sample files written out as fixture files,
//! `--check` failing on drift, and `--record` re-recording every case (headers and stream
//! chunks included, identifiers redacted) from a Bedrock endpoint — here the loopback emulator,
//! reached through `AWS_ENDPOINT_URL` and real SigV4.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

mod common;

/// A scratch crate folder with `samples/` holding the outside example's sample file.
fn crate_dir(tag: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("bedrock-llm-fixtures-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("samples")).unwrap();
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/zeta-adapter/samples/zeta.json");
    std::fs::copy(example, dir.join("samples/zeta.json")).unwrap();
    dir
}

fn fixtures(dir: &Path, args: &[&str]) -> (bool, String) {
    let mut command: Command = common::bin();
    let output = command
        .current_dir(dir)
        .arg("fixtures")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn fixtures_are_written_from_samples_and_check_catches_drift() {
    let dir = crate_dir("check");
    let (ok, stderr) = fixtures(&dir, &[]);
    assert!(ok, "{stderr}");
    let case = dir.join("tests/fixtures/bedrock-llm/zeta/greeting");
    let response: Value =
        serde_json::from_slice(&std::fs::read(case.join("response.json")).unwrap()).unwrap();
    assert_eq!(response["output"]["text"], "Hello, team!");
    let chunks: Value =
        serde_json::from_slice(&std::fs::read(case.join("chunks.json")).unwrap()).unwrap();
    assert_eq!(chunks.as_array().unwrap().len(), 4);
    let (ok, stderr) = fixtures(&dir, &["--check"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("up to date"), "{stderr}");

    // A changed sample is drift.
    let path = dir.join("samples/zeta.json");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Hello, team!", "Hello, all!");
    std::fs::write(&path, edited).unwrap();
    let (ok, stderr) = fixtures(&dir, &["--check"]);
    assert!(!ok);
    assert!(
        stderr.contains("greeting/response.json differs from the samples"),
        "{stderr}"
    );
    // So is a fixture no sample gives.
    let (ok, _) = fixtures(&dir, &[]);
    assert!(ok);
    std::fs::write(
        dir.join("tests/fixtures/bedrock-llm/zeta/greeting/extra.json"),
        "{}",
    )
    .unwrap();
    let (ok, stderr) = fixtures(&dir, &["--check"]);
    assert!(!ok);
    assert!(
        stderr.contains("extra.json is not in the samples"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_captures_bodies_headers_and_chunks_with_identifiers_redacted() {
    let emulator = bedrock_llm_emulator::Emulator::builder()
        .start()
        .await
        .unwrap();
    let sample = bedrock_llm_models::samples::all()
        .unwrap()
        .into_iter()
        .find(|s| s.family_slug == "llama")
        .unwrap();
    let dir = crate_dir("record");
    std::fs::remove_file(dir.join("samples/zeta.json")).unwrap();
    let file = json!({
        "model_id": sample.model_id,
        "cases": [{
            "name": "recorded",
            "request": serde_json::from_slice::<Value>(&sample.request).unwrap(),
            "response": {},
            "chunks": []
        }]
    });
    std::fs::write(dir.join("samples/llama.json"), file.to_string()).unwrap();
    let target = emulator.sdk_target();
    let output = tokio::task::spawn_blocking({
        let dir = dir.clone();
        let url = emulator.endpoint_url();
        move || {
            common::bin()
                .current_dir(&dir)
                .args(["fixtures", "--record"])
                .env("AWS_ENDPOINT_URL", url)
                .env("AWS_ACCESS_KEY_ID", target.credentials.access_key_id())
                .env(
                    "AWS_SECRET_ACCESS_KEY",
                    target.credentials.secret_access_key(),
                )
                .env("AWS_REGION", target.region)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let recorded: Value =
        serde_json::from_slice(&std::fs::read(dir.join("samples/llama.json")).unwrap()).unwrap();
    let case = &recorded["cases"][0];
    assert_eq!(
        case["response"],
        serde_json::from_slice::<Value>(&sample.response).unwrap(),
        "the body Bedrock answered"
    );
    assert!(
        case["headers"]["x-amzn-bedrock-input-token-count"].is_string(),
        "{case}"
    );
    assert!(case["headers"].get("x-amzn-requestid").is_none());
    let chunks = case["chunks"].as_array().unwrap();
    assert!(chunks.len() > 1, "{case}");
    assert!(chunks.last().unwrap()["amazon-bedrock-invocationMetrics"].is_object());
    // And the fixture files were written from the recorded samples.
    assert!(
        dir.join("tests/fixtures/bedrock-llm/llama/recorded/headers.json")
            .is_file()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
