//! `cargo xtask bench [--quick] [--compare BASE]`: our cost per request+response pair next to
//! the parse floor and the Python peers (New Relic agent, OpenLLMetry, OTel botocore), on the
//! same fixture files, in one run; the other renderings beside their floors; the instrumented
//! call's overhead and replay throughput. Prints one table and writes it to
//! `target/bench/summary.md`, its ratios to `target/bench/summary.json`; with `--compare`, each
//! ratio beside a saved summary's ([`compare`]).
//!
//! Needs Python 3.10+ for the peers (their virtualenv is set up by `../shared/peers/setup.sh`
//! when missing); fails with a clear message, never hangs (every step has a time limit).

mod compare;
mod report;
mod summary;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::{cargo, run_with_limit};

const PEERS: &[(&str, &str)] = &[
    ("newrelic", "NR Python"),
    ("openllmetry", "OpenLLMetry"),
    ("otel-botocore", "OTel botocore"),
];

pub(crate) fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut quick = false;
    let mut base = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--compare" => base = Some(rest.next().ok_or(USAGE)?),
            _ => return Err(USAGE.to_owned()),
        }
    }
    // Read first: a missing or malformed base should not cost a whole run.
    let base = base
        .map(|path| {
            let text = std::fs::read(path).map_err(|e| format!("--compare {path}: {e}"))?;
            let value =
                serde_json::from_slice(&text).map_err(|e| format!("--compare {path}: {e}"))?;
            compare::Ratios::from_json(&value).map_err(|e| format!("--compare {path}: {e}"))
        })
        .transpose()?;
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
    // The family groups time every case of 25 families in 11 groups (about 4 s each in a full
    // run), so they get the longest limit.
    for (package, bench, features, limit_s) in [
        ("bedrock-llm-models", "families", Some("samples"), 3600),
        ("bedrock-llm-logs", "replay", None, 600),
        ("bedrock-llm-emulator", "call_overhead", None, 600),
        ("bedrock-llm-cli", "replay_jobs", None, 600),
    ] {
        let mut command = cargo();
        command.args(["bench", "-q", "-p", package, "--bench", bench]);
        // The summary reads criterion's estimates here, wherever CARGO_TARGET_DIR points.
        command.env("CRITERION_HOME", root.join("target/criterion"));
        if let Some(features) = features {
            command.args(["--features", features]);
        }
        command.arg("--").args(criterion_args);
        run_with_limit(
            command,
            Duration::from_secs(limit_s),
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

    let (summary, ratios) = summary::summarize(root, &peers_json)?;
    println!("{summary}");
    let write = |name: &str, bytes: &[u8]| {
        let path = out_dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("xtask bench: wrote {}", path.display());
        Ok::<_, String>(())
    };
    write("summary.md", summary.as_bytes())?;
    let json = serde_json::to_vec_pretty(&ratios.to_json()).map_err(|e| e.to_string())?;
    write("summary.json", &json)?;
    if let Some(base) = base {
        let (table, worse) = compare::compare(&base, &ratios);
        println!(
            "\nAgainst the saved summary (a change is flagged beyond both runs' spreads, at least ±{:.0}%):\n\n{table}",
            compare::NOISE_FLOOR * 100.0
        );
        if worse > 0 {
            return Err(format!(
                "{worse} ratio(s) got worse beyond the run-to-run spread (see the table above)"
            ));
        }
    }
    Ok(())
}

const USAGE: &str = "usage: cargo xtask bench [--quick] [--compare BASE.json]";

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
