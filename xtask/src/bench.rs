//! `cargo xtask bench [--quick]`: our cost per request+response pair next to the parse floor and
//! the Python peers (New Relic agent, OpenLLMetry, OTel botocore), on the same fixture files, in
//! one run; plus the instrumented call's overhead and replay throughput. Prints one table and
//! writes it to `target/bench/summary.md`.
//!
//! Needs Python 3.10+ for the peers (their virtualenv is set up by `../shared/peers/setup.sh`
//! when missing); fails with a clear message, never hangs (every step has a time limit).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::{cargo, run_with_limit};

const PEERS: &[(&str, &str)] = &[
    ("newrelic", "NR Python"),
    ("openllmetry", "OpenLLMetry"),
    ("otel-botocore", "OTel botocore"),
];

pub(crate) fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let quick = match args {
        [] => false,
        [flag] if flag == "--quick" => true,
        _ => return Err("usage: cargo xtask bench [--quick]".to_owned()),
    };
    let shared = root
        .parent()
        .map(|p| p.join("shared"))
        .filter(|p| p.is_dir())
        .ok_or_else(|| {
            format!(
                "the peers and fixtures live in ../shared beside the checkout ({}); it is missing",
                root.display()
            )
        })?;
    let python = peers_python(root, &shared)?;

    let criterion_args: &[&str] = if quick {
        &["--quick"]
    } else {
        &["--warm-up-time", "1", "--measurement-time", "3"]
    };
    for (package, bench, features) in [
        ("bedrock-llm-models", "families", Some("samples")),
        ("bedrock-llm-logs", "replay", None),
        ("bedrock-llm-emulator", "call_overhead", None),
        ("bedrock-llm-cli", "replay_jobs", None),
    ] {
        let mut command = cargo();
        command.args(["bench", "-q", "-p", package, "--bench", bench]);
        if let Some(features) = features {
            command.args(["--features", features]);
        }
        command.arg("--").args(criterion_args);
        run_with_limit(
            command,
            Duration::from_secs(600),
            &format!("cargo bench {bench}"),
        )?;
    }

    let out_dir = root.join("target/bench");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let peers_json = out_dir.join("peers.json");
    let mut peers = Command::new(&python);
    peers
        .arg(shared.join("peers/bench_peers.py"))
        .arg("--fixtures")
        .arg(shared.join("fixtures/bedrock"))
        .arg("--out")
        .arg(&peers_json);
    if quick {
        peers.args(["--iterations", "300", "--repeats", "3"]);
    }
    run_with_limit(peers, Duration::from_secs(600), "the Python peers")?;

    let summary = summarize(root, &peers_json)?;
    println!("{summary}");
    let path = out_dir.join("summary.md");
    std::fs::write(&path, &summary).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("xtask bench: wrote {}", path.display());
    Ok(())
}

/// The peers' interpreter, setting their virtualenv up first when it is missing.
fn peers_python(root: &Path, shared: &Path) -> Result<PathBuf, String> {
    let python = root.join("target/peers-venv/bin/python");
    if python.is_file() {
        return Ok(python);
    }
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        return Err(
            "the peer benchmarks need Python 3.10 or newer as `python3`; none was found".to_owned(),
        );
    }
    let mut setup = Command::new("bash");
    setup
        .arg(shared.join("peers/setup.sh"))
        .arg(root.join("target/peers-venv"));
    run_with_limit(
        setup,
        Duration::from_secs(600),
        "setting up the peers' virtualenv",
    )?;
    Ok(python)
}

/// Median time per iteration in µs, from criterion's estimates: on a shared machine a few
/// slow samples move the mean, and the peers report medians too.
fn criterion_us(root: &Path, group: &str, bench: &str) -> Option<f64> {
    let path = root
        .join("target/criterion")
        .join(group)
        .join(bench)
        .join("new/estimates.json");
    let estimates: Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    estimates["median"]["point_estimate"]
        .as_f64()
        .map(|ns| ns / 1000.0)
}

fn criterion_bytes(root: &Path, group: &str, bench: &str) -> Option<f64> {
    let path = root
        .join("target/criterion")
        .join(group)
        .join(bench)
        .join("new/benchmark.json");
    let benchmark: Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    benchmark["throughput"]["Bytes"].as_f64()
}

fn cell(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}"))
}

fn summarize(root: &Path, peers_json: &Path) -> Result<String, String> {
    let peers: Value = serde_json::from_slice(
        &std::fs::read(peers_json).map_err(|e| format!("{}: {e}", peers_json.display()))?,
    )
    .map_err(|e| format!("{}: {e}", peers_json.display()))?;
    let mut cases: BTreeMap<String, ()> = BTreeMap::new();
    let floor_dir = root.join("target/criterion/floor");
    for entry in std::fs::read_dir(&floor_dir)
        .map_err(|e| format!("{}: {e}", floor_dir.display()))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != "report" {
            cases.insert(name, ());
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "# bedrock-llm bench\n");
    let _ = writeln!(
        out,
        "µs per request+response pair (criterion medians; peers: median of runs).\n"
    );
    let _ = writeln!(
        out,
        "| case | floor | render floor | extract | events | {} | {} | {} | events/(floor+render) | fastest peer/events |",
        PEERS[0].1, PEERS[1].1, PEERS[2].1
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for case in cases.keys() {
        let floor = criterion_us(root, "floor", case);
        let render = criterion_us(root, "render_floor", case);
        let limit = floor.zip(render).map(|(f, r)| f + r);
        let extract = criterion_us(root, "extract", case);
        let events = criterion_us(root, "events", case);
        let peer = |name: &str| peers["cases"][case]["peers"][name]["us_per_pair"].as_f64();
        let peer_values: Vec<Option<f64>> = PEERS.iter().map(|(name, _)| peer(name)).collect();
        let fastest = peer_values
            .iter()
            .flatten()
            .copied()
            .fold(None, |best: Option<f64>, v| {
                Some(best.map_or(v, |b| b.min(v)))
            });
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.1}×", a / b),
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {case} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(floor),
            cell(render),
            cell(extract),
            cell(events),
            cell(peer_values[0]),
            cell(peer_values[1]),
            cell(peer_values[2]),
            ratio(events, limit),
            ratio(fastest, events),
        );
    }
    let _ = writeln!(
        out,
        "\nfloor: serde_json parse of both bodies; render floor: serde_json writing the events' \
         JSON from a built value; events = read + build + render, so floor + render floor is the \
         least any tool pays for the same output."
    );
    let overhead_path = root.join("target/bench/call_overhead.json");
    if let Some(overhead) = std::fs::read(&overhead_path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    {
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
        if let Some(us) = overhead["worker_cpu_us_per_call"].as_f64() {
            let _ = writeln!(
                out,
                "\nThe recorder's worker, beside the calls on its own thread: {us:.1} µs of CPU per \
                 recorded call."
            );
        }
    }
    let throughput = |bench: &str| {
        let seconds = criterion_us(root, "replay", bench)? / 1e6;
        Some(criterion_bytes(root, "replay", bench)? / seconds / (1024.0 * 1024.0))
    };
    if let (Some(replay), Some(floor)) = (throughput("replay"), throughput("floor")) {
        let _ = writeln!(
            out,
            "\nReplay: {replay:.1} MiB/s (records → events → New Relic JSON) vs {floor:.1} MiB/s serde_json parse floor ({:.0}% of floor).",
            replay / floor * 100.0
        );
    }
    if let Some(jobs) = std::fs::read(root.join("target/bench/replay_jobs.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    {
        let _ = writeln!(
            out,
            "\nReplay by -j ({} records in {} gzipped files, {} cores, median of {} interleaved rounds):\n",
            jobs["records"], jobs["files"], jobs["cores"], jobs["rounds"]
        );
        // The speed-up pairs each round's -j N with the same round's -j 1, so it need not
        // equal the ratio of the median rates beside it on a noisy host.
        let _ = writeln!(
            out,
            "| -j | records/s (median) | speed-up over -j 1 (median of each round's ratio) |"
        );
        let _ = writeln!(out, "|---:|---:|---:|");
        for run in jobs["runs"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "| {} | {:.0} | {:.2}x |",
                run["jobs"],
                run["records_per_second"].as_f64().unwrap_or(f64::NAN),
                run["speedup"].as_f64().unwrap_or(f64::NAN)
            );
        }
    }
    if let Some(python) = peers["python"].as_str() {
        let _ = writeln!(out, "\nPeers ran on {python}: {}.", peers["peer_versions"]);
    }
    Ok(out)
}
