//! `bedrock-llm` as Unix tools are held to: honest exit codes, output errors reported and
//! closed pipes tolerated, no content with `--no-content` anywhere, and bounded memory on
//! hostile input.
// Helpers as well as tests panic: that is how a test fails (the `tests` crate allows it crate-wide).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;

use common::{bin, run_with_stdin};

/// A scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn record(operation: &str, model: &str, request: Value, output: Value) -> String {
    json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": "2024-04-18T22:54:57Z", "accountId": "111122223333",
        "identity": {"arn": "arn:aws:iam::111122223333:user/dev"}, "region": "us-east-1",
        "requestId": "5c1e0000-0000-4000-8000-000000000001", "operation": operation, "modelId": model,
        "input": {"inputContentType": "application/json", "inputBodyJson": request, "inputTokenCount": 12},
        "output": {"outputContentType": "application/json", "outputBodyJson": output, "outputTokenCount": 5}
    })
    .to_string()
}

fn llama(request_id: &str) -> String {
    record(
        "InvokeModel",
        "meta.llama3-70b-instruct-v1:0",
        json!({"prompt": "hi"}),
        json!({"generation": "yo", "stop_reason": "stop"}),
    )
    .replace("5c1e0000-0000-4000-8000-000000000001", request_id)
}

/// Records with a marker in every kind of content: prompts, system text, tool arguments and
/// results, completions, embedding inputs, stream chunks, Converse blocks — and a wrongly
/// typed field and a broken line that hold markers too.
fn marked_records() -> String {
    let claude = record(
        "InvokeModel",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        json!({
            "anthropic_version": "bedrock-2023-05-31", "max_tokens": 100, "system": "MARK_SYSTEM",
            "messages": [
                {"role": "user", "content": "MARK_PROMPT"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "lookup", "input": {"q": "MARK_TOOLARG"}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "MARK_TOOLRESULT"}]}
            ]
        }),
        json!({
            "id": "msg_1", "type": "message", "role": "assistant", "stop_reason": "tool_use",
            "content": [{"type": "text", "text": "MARK_COMPLETION"}, {"type": "tool_use", "id": "t2", "name": "lookup", "input": {"q": "MARK_TOOLARG2"}}],
            "usage": {"input_tokens": 12, "output_tokens": 5}
        }),
    );
    let titan = record(
        "InvokeModel",
        "amazon.titan-embed-text-v2:0",
        json!({"inputText": "MARK_EMBED_TITAN"}),
        json!({"embedding": [0.1, 0.2], "inputTextTokenCount": 4}),
    );
    let cohere = record(
        "InvokeModel",
        "cohere.embed-english-v3",
        json!({"texts": ["MARK_EMBED_COHERE"], "input_type": "search_document"}),
        json!({"embeddings": [[0.1, 0.2]], "id": "e1", "response_type": "embeddings_floats", "texts": ["MARK_EMBED_COHERE"]}),
    );
    let stream = record(
        "InvokeModelWithResponseStream",
        "anthropic.claude-3-haiku-20240307-v1:0",
        json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100, "messages": [{"role": "user", "content": "MARK_STREAM_PROMPT"}]}),
        json!([
            {"type": "message_start", "message": {"id": "msg_2", "type": "message", "role": "assistant", "content": [], "usage": {"input_tokens": 12, "output_tokens": 1}}},
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "MARK_STREAM_"}},
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "CHUNK"}},
            {"type": "content_block_stop", "index": 0},
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 5}},
            {"type": "message_stop", "amazon-bedrock-invocationMetrics": {"inputTokenCount": 12, "outputTokenCount": 5, "invocationLatency": 800, "firstByteLatency": 300}}
        ]),
    );
    let converse = record(
        "Converse",
        "anthropic.claude-3-haiku-20240307-v1:0",
        json!({
            "system": [{"text": "MARK_CONVERSE_SYSTEM"}],
            "messages": [
                {"role": "user", "content": [{"text": "MARK_CONVERSE_PROMPT"}]},
                {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "fetch", "input": {"x": "MARK_CONVERSE_TOOLARG"}}}]}
            ]
        }),
        json!({
            "output": {"message": {"role": "assistant", "content": [{"text": "MARK_CONVERSE_OUT"}]}},
            "stopReason": "end_turn", "metrics": {"latencyMs": 100},
            "usage": {"inputTokens": 12, "outputTokens": 5, "totalTokens": 17}
        }),
    );
    let mut wrong: Value = serde_json::from_str(&llama("r-wrong")).unwrap();
    wrong["input"]["inputTokenCount"] = json!("MARK_WRONG_TYPE");
    wrong["identity"] = json!("MARK_WRONG_IDENTITY");
    let broken = r#"{"modelId": "m", "operation": "InvokeModel", "input": {"inputBodyJson": {"prompt": "MARK_BROKEN"#;
    [
        claude,
        titan,
        cohere,
        stream,
        converse,
        wrong.to_string(),
        broken.to_owned(),
    ]
    .join("\n")
        + "\n"
}

#[test]
fn no_content_leaves_every_marker_out_of_every_format_metrics_and_stderr() {
    let input = marked_records();
    let mut outputs = Vec::new();
    for format in ["newrelic", "otel", "invocation-log"] {
        for metrics in ["emf", "elastic"] {
            let output = run_with_stdin(
                &[
                    "replay",
                    "--no-content",
                    "--format",
                    format,
                    "--metrics",
                    metrics,
                    "-",
                ],
                input.as_bytes(),
            );
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(stdout.lines().count() >= 6, "{format}: {stdout}");
            for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
                assert!(
                    !text.contains("MARK_"),
                    "{format} --metrics {metrics}: {stream} leaks: {text}"
                );
            }
            assert!(
                stderr.contains("dropped -:6: $.input.inputTokenCount"),
                "{stderr}"
            );
            outputs.push(stdout);
        }
    }
    // The markers are there to find: with content on they come out.
    let with_content = run_with_stdin(&["replay", "-"], input.as_bytes());
    let text = String::from_utf8_lossy(&with_content.stdout);
    for marker in [
        "MARK_SYSTEM",
        "MARK_PROMPT",
        "MARK_COMPLETION",
        "MARK_EMBED_TITAN",
        "MARK_EMBED_COHERE",
        "MARK_STREAM_CHUNK",
        "MARK_CONVERSE_OUT",
    ] {
        assert!(text.contains(marker), "{marker} missing with content on");
    }
    let stderr = String::from_utf8_lossy(&with_content.stderr);
    assert!(stderr.contains("MARK_WRONG_TYPE"), "{stderr}");
}

#[test]
fn a_path_that_cannot_be_read_fails_the_run_after_the_others_are_read() {
    let dir = scratch("paths");
    let good = dir.join("good.ndjson");
    std::fs::write(&good, llama("r-good") + "\n").unwrap();
    let missing = dir.join("missing.ndjson");
    let output = bin()
        .args(["replay"])
        .arg(&missing)
        .arg(&good)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("r-good"),
        "the readable path is still replayed"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot read {}", missing.display())),
        "{stderr}"
    );
    assert!(stderr.contains("could not read"), "{stderr}");

    // --strict stops at a bad line, and still names it.
    let output = run_with_stdin(
        &["replay", "--strict", "-"],
        format!("{}\nnope\n", llama("a")).as_bytes(),
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("-:2: not a JSON object (--strict)"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_to_stdout_is_an_error_not_a_claim_of_lines_written() {
    let dir = scratch("full");
    let file = dir.join("records.ndjson");
    std::fs::write(&file, llama("r") + "\n").unwrap();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = bin()
        .arg("replay")
        .arg(&file)
        .stdout(full)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot write to standard output"),
        "{stderr}"
    );
    assert!(!stderr.contains("lines written"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Reads one line of the child's stdout, closes it, and waits.
fn close_after_first_line(mut child: Child) -> (std::process::ExitStatus, String) {
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    let mut line = Vec::new();
    while stdout.read(&mut first).unwrap() == 1 && first[0] != b'\n' {
        line.push(first[0]);
    }
    assert!(!line.is_empty());
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap(), stderr)
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = scratch("pipe");
    let file = dir.join("records.ndjson");
    let many: Vec<String> = (0..20_000).map(|i| llama(&format!("r-{i}"))).collect();
    std::fs::write(&file, many.join("\n")).unwrap();
    let child = bin()
        .arg("replay")
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, stderr) = close_after_first_line(child);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let child = bin()
        .args(["demo", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, stderr) = close_after_first_line(child);
    assert!(status.success(), "{status}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_closed_stderr_changes_nothing() {
    let mut child = bin()
        .args(["replay", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{}\nnot a record\n\u{0}\n", llama("r-1")).as_bytes())
        .unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", output.status);
    assert!(String::from_utf8_lossy(&output.stdout).contains("r-1"));
}

#[test]
fn metrics_options_are_checked_and_the_namespace_is_our_own() {
    let input = llama("r") + "\n";
    let output = run_with_stdin(&["replay", "--metrics", "emf", "-"], input.as_bytes());
    let emf: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("_aws").is_some())
        .collect();
    assert_eq!(emf.len(), 1);
    assert_eq!(
        emf[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "BedrockLlm/Runtime"
    );
    let output = run_with_stdin(
        &[
            "replay",
            "--metrics",
            "emf",
            "--namespace",
            "Acme/Bedrock",
            "-",
        ],
        input.as_bytes(),
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("\"Namespace\":\"Acme/Bedrock\""));
    for bad in [
        &["--period", "0"][..],
        &["--period", "45"],
        &["--period", "18446744073709551615"],
        &["--namespace", "AWS/Bedrock"],
    ] {
        let mut args = vec!["replay", "--metrics", "emf"];
        args.extend_from_slice(bad);
        args.push("-");
        let output = run_with_stdin(&args, input.as_bytes());
        assert!(!output.status.success(), "{bad:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("CloudWatch"), "{bad:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{bad:?}");
    }
    let help = bin().args(["replay", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("BedrockLlm/Runtime") && help.contains("AWS/Bedrock"),
        "{help}"
    );
}

/// The peak resident memory of `child` in kB, watched until it exits, and its output.
#[cfg(target_os = "linux")]
fn peak_memory_kb(mut child: Child) -> (u64, std::process::Output) {
    let status_path = format!("/proc/{}/status", child.id());
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        text
    });
    let started = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(&status_path)
            && let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "still running"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = reader.join().unwrap();
    (
        peak,
        std::process::Output {
            status,
            stdout: Vec::new(),
            stderr,
        },
    )
}

#[cfg(target_os = "linux")]
#[test]
fn a_gzip_bomb_is_read_in_bounded_memory_and_good_records_around_it_come_out() {
    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }
    let dir = scratch("bomb");
    let path: &Path = &dir.join("bomb.json.gz");
    // 512 MiB of one line without a newline (a 1 MiB gzip member, repeated), between records.
    let mut bytes = gzip(format!("{}\n", llama("before")).as_bytes());
    bytes.extend(gzip(&vec![b'0'; 1 << 20]).repeat(512));
    bytes.extend(gzip(format!("\n{}\n", llama("after")).as_bytes()));
    std::fs::write(path, &bytes).unwrap();
    let child = bin()
        .arg("replay")
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (peak_kb, output) = peak_memory_kb(child);
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("bomb.json.gz:2: record of 536870912 bytes is over the limit"),
        "{stderr}"
    );
    assert!(stderr.contains("replay: 2 records read"), "{stderr}");
    assert!(peak_kb < 200 * 1024, "peak {peak_kb} kB for a 512 MiB line");
}
