//! The bench summary's parts that come from the benches' own JSON reports: the instrumented
//! call's overhead and replay by `-j`.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::compare::{Better, Ratios};

fn read(path: &Path) -> Option<Value> {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
}

/// The call-overhead table (`target/bench/call_overhead.json`).
pub(super) fn call_overhead(root: &Path, out: &mut String, ratios: &mut Ratios) {
    let Some(overhead) = read(&root.join("target/bench/call_overhead.json")) else {
        return;
    };
    let _ = writeln!(
        out,
        "\nInvokeModel against the loopback emulator, {} rounds of {} calls per way, the ways \
         taking turns in blocks of {} calls (emulator work included in all; overhead against \
         the same round's raw calls):\n",
        overhead["rounds"], overhead["calls_per_round"], overhead["calls_per_block"]
    );
    let _ = writeln!(
        out,
        "| way | µs/call | overhead (median) | quartiles | range | recorded / dropped |"
    );
    let _ = writeln!(out, "|---|---:|---:|---|---|---:|");
    for way in ["raw", "instrumented", "inline", "disabled"] {
        let v = &overhead[way];
        let f = |key: &str| v[key].as_f64().unwrap_or(f64::NAN);
        let _ = writeln!(
            out,
            "| {} | {:.1} | {:+.1}% | {:+.1}%..{:+.1}% | {:+.1}%..{:+.1}% | {} / {} |",
            v["what"].as_str().unwrap_or(way),
            f("us_median"),
            f("overhead_pct_median"),
            f("overhead_pct_p25"),
            f("overhead_pct_p75"),
            f("overhead_pct_min"),
            f("overhead_pct_max"),
            v["recorded_calls"],
            v["dropped_calls"],
        );
    }
    let instrumented = &overhead["instrumented"];
    if let (Some(median), Some(p25), Some(p75)) = (
        instrumented["overhead_pct_median"].as_f64(),
        instrumented["overhead_pct_p25"].as_f64(),
        instrumented["overhead_pct_p75"].as_f64(),
    ) {
        // As a ratio of call times; the quartiles' half-width is its spread.
        ratios.insert(
            "instrumented call/raw call".to_owned(),
            1.0 + median / 100.0,
            (p75 - p25) / 200.0,
            Better::Lower,
        );
    }
    if let Some(us) = overhead["worker_cpu_us_per_call"].as_f64() {
        let _ = writeln!(
            out,
            "\nThe recorder's worker, beside the calls on its own thread: {us:.1} µs of CPU per \
             recorded call."
        );
    }
}

/// The `-j` table (`target/bench/replay_jobs.json`).
pub(super) fn replay_jobs(root: &Path, out: &mut String, ratios: &mut Ratios) {
    let Some(jobs) = read(&root.join("target/bench/replay_jobs.json")) else {
        return;
    };
    let _ = writeln!(
        out,
        "\nReplay by -j ({} records in {} gzipped files, {} cores, median of {} interleaved rounds):\n",
        jobs["records"], jobs["files"], jobs["cores"], jobs["rounds"]
    );
    // The speed-up pairs each round's -j N with the same round's -j 1, so it need not equal
    // the ratio of the median rates beside it on a noisy host.
    let _ = writeln!(
        out,
        "| -j | records/s (median) | speed-up over -j 1 (median of each round's ratio) |"
    );
    let _ = writeln!(out, "|---:|---:|---:|");
    for run in jobs["runs"].as_array().into_iter().flatten() {
        let speedup = run["speedup"].as_f64().unwrap_or(f64::NAN);
        let _ = writeln!(
            out,
            "| {} | {:.0} | {speedup:.2}x |",
            run["jobs"],
            run["records_per_second"].as_f64().unwrap_or(f64::NAN),
        );
        if run["jobs"] != 1 && speedup.is_finite() {
            let spread = run["speedup_spread"].as_f64().unwrap_or(0.0);
            ratios.insert(
                format!("-j {} speed-up", run["jobs"]),
                speedup,
                spread,
                Better::Higher,
            );
        }
    }
}
