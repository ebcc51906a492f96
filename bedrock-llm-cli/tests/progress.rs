//! Replaying on a terminal shows a record count that advances while one large file is read (not
//! only when a file ends); off a terminal, nothing but the summary is written to stderr. The
//! terminal is a real pseudo-terminal, from `script`.
// Helpers as well as tests panic: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::Command;

fn records(path: &std::path::Path, count: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..count {
        let record = serde_json::json!({
            "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "timestamp": "2024-04-18T22:54:57Z", "operation": "InvokeModel",
            "modelId": "meta.llama3-70b-instruct-v1:0", "requestId": format!("r-{i}"),
            "input": {"inputBodyJson": {"prompt": "hi"}},
            "output": {"outputBodyJson": {"generation": "ok", "stop_reason": "stop"}},
        });
        writeln!(file, "{record}").unwrap();
    }
}

#[test]
fn the_record_count_advances_while_one_large_file_is_read() {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-progress-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("one-large-file.ndjson");
    records(&file, 60_000);
    let shown = on_a_terminal(
        &dir,
        &format!(
            "{} replay {} > /dev/null",
            env!("CARGO_BIN_EXE_bedrock-llm"),
            file.display()
        ),
    );
    let counts = counts_shown(&shown);
    let distinct: std::collections::BTreeSet<_> = counts.iter().collect();
    assert!(distinct.len() >= 3, "the count advanced: {counts:?}");
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert!(
        counts.iter().any(|&n| n > 0 && n < 60_000),
        "shown mid-file: {counts:?}"
    );
    // A file's size is known: bytes of the total, and an ETA.
    assert!(shown.contains(" MiB/") && shown.contains("ETA "), "{shown}");

    // From stdin: no size, so the count and rate alone — still advancing.
    let shown = on_a_terminal(
        &dir,
        &format!(
            "cat {} | {} replay - > /dev/null",
            file.display(),
            env!("CARGO_BIN_EXE_bedrock-llm"),
        ),
    );
    let counts = counts_shown(&shown);
    assert!(counts.iter().any(|&n| n > 0 && n < 60_000), "{counts:?}");
    assert!(!shown.contains("ETA "), "{shown}");

    // Off a terminal: only the summary.
    let output = Command::new(env!("CARGO_BIN_EXE_bedrock-llm"))
        .arg("replay")
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("records read ("), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// What `command` drew on a pseudo-terminal, carriage returns as line ends.
fn on_a_terminal(dir: &std::path::Path, command: &str) -> String {
    let screen = dir.join("screen.txt");
    let status = Command::new("script")
        .args(["-qfec", command])
        .arg(&screen)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read_to_string(&screen)
        .unwrap()
        .replace('\r', "\n")
}

/// The record counts shown, in order.
fn counts_shown(shown: &str) -> Vec<u64> {
    shown
        .split(" records read (")
        .filter_map(|before| {
            let digits: String = before
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_digit() || *c == ',')
                .collect::<String>()
                .chars()
                .rev()
                .filter(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}
