//! Replay throughput by `-j`: the `bedrock-llm` binary replays the same directory of gzipped
//! log files with 1, 2 and 4 jobs, rounds interleaved (each round starts with the next `-j`),
//! output to /dev/null; reports records per second (median of the rounds) and the speed-up
//! over `-j 1` measured in the same rounds. Writes `target/bench/replay_jobs.json` for
//! `cargo xtask bench`.
//!
//! `cargo bench -p bedrock-llm-cli --bench replay_jobs [-- --quick]`. A plain harness: what is
//! timed is a whole process, which criterion's per-iteration model does not fit.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// One file of `records` Llama records.
fn file(index: usize, records: usize) -> Vec<u8> {
    let mut text = String::new();
    for r in 0..records {
        let record = serde_json::json!({
            "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "timestamp": "2024-04-18T22:54:57Z", "accountId": "123456789012",
            "region": "us-east-1", "requestId": format!("r-{index}-{r}"), "operation": "InvokeModel",
            "modelId": "meta.llama3-70b-instruct-v1:0",
            "input": {"inputBodyJson": {"prompt": "Summarize the quarterly report in three sentences, please.", "max_gen_len": 256, "temperature": 0.2}, "inputTokenCount": 17},
            "output": {"outputBodyJson": {"generation": "Revenue grew 12% on cloud demand. Costs fell. Guidance was raised for the year.", "stop_reason": "stop", "prompt_token_count": 17, "generation_token_count": 21}, "outputTokenCount": 21}
        });
        text.push_str(&record.to_string());
        text.push('\n');
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = encoder.write_all(text.as_bytes());
    encoder.finish().unwrap_or_default()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (files, records, rounds) = if quick { (8, 2_000, 3) } else { (16, 4_000, 5) };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    let dir = root.join("replay_jobs_input");
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("replay_jobs: {}: {e}", dir.display());
        return;
    }
    for index in 0..files {
        let _ = std::fs::write(
            dir.join(format!("part-{index:02}.json.gz")),
            file(index, records),
        );
    }
    let total = (files * records) as f64;
    let jobs = [1usize, 2, 4];
    let mut seconds: Vec<Vec<f64>> = vec![Vec::new(); jobs.len()];
    let mut speedups: Vec<Vec<f64>> = vec![Vec::new(); jobs.len()];
    for round in 0..rounds {
        let mut this_round = vec![0.0; jobs.len()];
        for step in 0..jobs.len() {
            let at = (round + step) % jobs.len();
            let start = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_bedrock-llm"))
                .arg("replay")
                .arg(&dir)
                .args(["-j", &jobs[at].to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            if !status.is_ok_and(|s| s.success()) {
                eprintln!("replay_jobs: the replay with -j {} failed", jobs[at]);
                return;
            }
            this_round[at] = start.elapsed().as_secs_f64();
        }
        for (i, s) in this_round.iter().enumerate() {
            seconds[i].push(*s);
            speedups[i].push(this_round[0] / s);
        }
    }
    let mut report = serde_json::Map::new();
    report.insert("records".into(), (files * records).into());
    report.insert("files".into(), files.into());
    report.insert("rounds".into(), rounds.into());
    report.insert(
        "cores".into(),
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .into(),
    );
    let mut rows = Vec::new();
    for (i, j) in jobs.iter().enumerate() {
        let s = median(&mut seconds[i]);
        let speedup = median(&mut speedups[i]);
        // Half the rounds' range over the median: how far one run may move the figure.
        let (low, high) = speedups[i]
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
        let spread = (high - low) / 2.0 / speedup;
        println!(
            "replay_jobs: -j {j}: {:>9.0} records/s  ({s:.2} s for {} records in {files} files)  speed-up {speedup:.2}x",
            total / s,
            files * records
        );
        rows.push(serde_json::json!({"jobs": j, "seconds": s, "records_per_second": total / s, "speedup": speedup, "speedup_spread": spread}));
    }
    report.insert("runs".into(), rows.into());
    let _ = std::fs::write(
        root.join("replay_jobs.json"),
        serde_json::to_vec_pretty(&serde_json::Value::Object(report)).unwrap_or_default(),
    );
    let _ = std::fs::remove_dir_all(&dir);
}
