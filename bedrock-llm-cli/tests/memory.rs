//! Memory is bounded by configuration, not by input: with `-j 2`, a large file beside a small
//! one streams through (its output is handed on in chunks as it is made, never held whole).
//! Peak RSS is read with `getrusage` by a Python wrapper (Python is on every machine that runs
//! the S3 tests: moto needs it).
// Helpers as well as tests panic: that is how a test fails (the `tests` crate allows it crate-wide).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::Command;

/// Peak RSS of `bedrock-llm args…`, in KiB, and whether it succeeded.
fn peak_rss_kib(args: &[&str]) -> (bool, u64) {
    let script = "import resource, subprocess, sys\n\
        p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n\
        print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_bedrock-llm"))
        .args(args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut parts = text.split_whitespace();
    let code: i32 = parts.next().unwrap().parse().unwrap();
    let rss: u64 = parts.next().unwrap().parse().unwrap();
    (code == 0, rss)
}

#[test]
fn a_large_file_beside_a_small_one_streams_through_with_jobs() {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-memory-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // 3,000 records of 20,000 characters: 60 MB in, as much out.
    let big = dir.join("a_big.ndjson");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
    let mut rng = fastrand::Rng::with_seed(5);
    let blob: String = (0..20_000).map(|_| rng.alphanumeric()).collect();
    for i in 0..3000 {
        let record = serde_json::json!({
            "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "timestamp": "2024-04-18T22:54:57Z", "operation": "InvokeModel",
            "modelId": "meta.llama3-70b-instruct-v1:0", "requestId": format!("r-{i}"),
            "input": {"inputBodyJson": {"prompt": format!("{}{i}", &blob[i % 100..])}},
            "output": {"outputBodyJson": {"generation": "ok", "stop_reason": "stop"}},
        });
        writeln!(file, "{record}").unwrap();
    }
    drop(file);
    let small = dir.join("b_small.ndjson");
    std::fs::write(
        &small,
        std::fs::read_to_string(&big)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    for order in [[&big, &small], [&small, &big]] {
        let (ok, rss) = peak_rss_kib(&[
            "replay",
            "-j",
            "2",
            order[0].to_str().unwrap(),
            order[1].to_str().unwrap(),
        ]);
        assert!(ok);
        // Holding the big file's output whole took ~85 MB here; streamed, ~25 MB.
        assert!(rss < 50 * 1024, "peak RSS {rss} KiB");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runtime metrics of one-second periods over many hours are handed on as periods close (to
/// `--metrics-out` here), not kept to the end: memory stays flat, and every call is counted.
#[test]
fn one_second_periods_over_many_hours_are_written_as_they_close() {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-periods-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let logs = dir.join("logs.ndjson");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&logs).unwrap());
    // 50,000 calls a second apart: almost 14 hours of one-second periods.
    let start = 1_713_480_000u64;
    for i in 0..50_000u64 {
        let second = start + i;
        let (day, rest) = (second / 86_400, second % 86_400);
        let timestamp = format!(
            "2024-04-{:02}T{:02}:{:02}:{:02}Z",
            day - 19_830 + 18,
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        );
        let record = serde_json::json!({
            "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "timestamp": timestamp, "operation": "InvokeModel",
            "modelId": "meta.llama3-70b-instruct-v1:0", "requestId": format!("r-{i}"),
            "input": {"inputBodyJson": {"prompt": "hi"}, "inputTokenCount": 2},
            "output": {"outputBodyJson": {"generation": "ok", "stop_reason": "stop"}, "outputTokenCount": 1},
        });
        writeln!(file, "{record}").unwrap();
    }
    drop(file);
    let metrics = dir.join("metrics.ndjson");
    let (ok, rss) = peak_rss_kib(&[
        "replay",
        "--period",
        "1",
        "--metrics-out",
        metrics.to_str().unwrap(),
        logs.to_str().unwrap(),
    ]);
    assert!(ok);
    // Kept to the end (and rendered at once), 200,000 such periods took 2.2 GB here.
    assert!(rss < 100 * 1024, "peak RSS {rss} KiB");
    let counted: u64 = std::fs::read_to_string(&metrics)
        .unwrap()
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["Invocations"]
                .as_u64()
                .unwrap_or(0)
        })
        .sum();
    assert_eq!(counted, 50_000);
    std::fs::remove_dir_all(&dir).unwrap();
}
