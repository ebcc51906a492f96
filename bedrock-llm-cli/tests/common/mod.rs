//! What the CLI tests share: the binary, run with no AWS credentials from the environment.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// `bedrock-llm`, with the AWS default chain emptied so no test can reach AWS.
pub(crate) fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bedrock-llm"));
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ] {
        command.env_remove(var);
    }
    // Nothing else of the AWS default chain either: no profile files, no instance or
    // container credentials (which would be requests off the loopback interface).
    for var in [
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_ENDPOINT_URL",
    ] {
        command.env_remove(var);
    }
    // Nor a New Relic endpoint or region, an Elasticsearch, nor a proxy, from the developer's
    // shell.
    for var in [
        "ELASTICSEARCH_URL",
        "ELASTIC_CLOUD_ID",
        "ELASTIC_API_KEY",
        "ELASTICSEARCH_USERNAME",
        "ELASTICSEARCH_PASSWORD",
        "BEDROCK_LLM_ELASTIC_NAMESPACE",
        "BEDROCK_LLM_ELASTIC_BULK_BYTES",
        "BEDROCK_LLM_NEW_RELIC_ENDPOINT",
        "NEW_RELIC_HOST",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        // Nor the shell's prices.
        "BEDROCK_LLM_PRICES",
        "BEDROCK_LLM_COST",
        "BEDROCK_LLM_MODEL_ALIASES",
    ] {
        command.env_remove(var);
    }
    command
        .env("AWS_CONFIG_FILE", "/nonexistent/bedrock-llm-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/bedrock-llm-test/credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true");
    command
}

/// Runs the binary with `args`, feeding `input` on stdin from a thread: an output that
/// outgrows the pipe before the input is all in cannot stall the run.
#[allow(dead_code, clippy::unwrap_used)] // not every test binary feeds stdin; a test may panic
pub(crate) fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

/// A valid base64 payload of `len` characters (a multiple of 4), different per `seed`: an image
/// or video stand-in no output may carry.
#[allow(dead_code)] // only the media tests make payloads
pub(crate) fn base64_payload(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ALPHABET[(state % 64) as usize] as char
        })
        .collect()
}

/// `bedrock-llm replay ARGS -` on `input`; its stdout, after asserting it succeeded.
#[allow(dead_code, clippy::unwrap_used, clippy::panic)] // not every test binary replays
pub(crate) fn replay_stdin(args: &[&str], input: &str) -> String {
    let args: Vec<&str> = ["replay"]
        .into_iter()
        .chain(args.iter().copied())
        .chain(["-"])
        .collect();
    let output = run_with_stdin(&args, input.as_bytes());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Every line of `text` as JSON.
#[allow(dead_code, clippy::unwrap_used)] // not every test binary reads lines
pub(crate) fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}
