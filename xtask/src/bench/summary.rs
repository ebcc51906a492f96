//! The bench's one table (and its figures for `--compare`), from criterion's estimates under
//! `target/criterion`, the peers' JSON and the call-overhead and `-j` reports.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::PEERS;
use super::compare::{Better, Ratios};

/// One criterion benchmark's median in µs, and its relative spread: half the width of the
/// median's 95% confidence interval over the median.
#[derive(Clone, Copy)]
struct Timed {
    us: f64,
    spread: f64,
}

/// Median time per iteration, from criterion's estimates: on a shared machine a few slow
/// samples move the mean, and the peers report medians too.
fn criterion(root: &Path, group: &str, bench: &str) -> Option<Timed> {
    let estimates = criterion_file(root, group, bench, "estimates.json")?;
    let median = &estimates["median"];
    let ns = median["point_estimate"].as_f64()?;
    let interval = &median["confidence_interval"];
    let width = interval["upper_bound"].as_f64()? - interval["lower_bound"].as_f64()?;
    Some(Timed {
        us: ns / 1000.0,
        spread: if ns > 0.0 { width / 2.0 / ns } else { 0.0 },
    })
}

fn criterion_bytes(root: &Path, group: &str, bench: &str) -> Option<f64> {
    criterion_file(root, group, bench, "benchmark.json")?["throughput"]["Bytes"].as_f64()
}

/// One of criterion's files for the latest run of `group/bench`.
fn criterion_file(root: &Path, group: &str, bench: &str, name: &str) -> Option<Value> {
    let path = root
        .join("target/criterion")
        .join(group)
        .join(bench)
        .join("new")
        .join(name);
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn cell(value: Option<Timed>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{:.2}", v.us))
}

/// `a / b` as a table cell, and into `ratios` under `name` (spreads add).
fn ratio(
    ratios: &mut Ratios,
    name: String,
    better: Better,
    a: Option<Timed>,
    b: Option<Timed>,
) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b.us > 0.0 => {
            let value = a.us / b.us;
            ratios.insert(name, value, a.spread + b.spread, better);
            format!("{value:.1}×")
        }
        _ => "–".to_owned(),
    }
}

/// `a + b`, their spreads weighted by their shares.
fn sum(a: Option<Timed>, b: Option<Timed>) -> Option<Timed> {
    let (a, b) = (a?, b?);
    let us = a.us + b.us;
    Some(Timed {
        us,
        spread: (a.us * a.spread + b.us * b.spread) / us.max(f64::MIN_POSITIVE),
    })
}

/// The markdown summary and the ratios it shows.
pub(super) fn summarize(root: &Path, peers_json: &Path) -> Result<(String, Ratios), String> {
    let peers: Value = serde_json::from_slice(
        &std::fs::read(peers_json).map_err(|e| format!("{}: {e}", peers_json.display()))?,
    )
    .map_err(|e| format!("{}: {e}", peers_json.display()))?;
    let mut cases = BTreeSet::new();
    let floor_dir = root.join("target/criterion/floor");
    for entry in std::fs::read_dir(&floor_dir)
        .map_err(|e| format!("{}: {e}", floor_dir.display()))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != "report" {
            cases.insert(name);
        }
    }
    let mut ratios = Ratios::default();
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
    for case in &cases {
        let floor = criterion(root, "floor", case);
        let render = criterion(root, "render_floor", case);
        let extract = criterion(root, "extract", case);
        let events = criterion(root, "events", case);
        // The peers report a median of runs without an interval; ours stands for both.
        let peer = |name: &str| {
            peers["cases"][case]["peers"][name]["us_per_pair"]
                .as_f64()
                .map(|us| Timed { us, spread: 0.0 })
        };
        let peer_values: Vec<Option<Timed>> = PEERS.iter().map(|(name, _)| peer(name)).collect();
        let fastest = peer_values
            .iter()
            .flatten()
            .copied()
            .min_by(|a, b| a.us.total_cmp(&b.us));
        let bound = ratio(
            &mut ratios,
            format!("events/(floor+render) {case}"),
            Better::Lower,
            events,
            sum(floor, render),
        );
        let against_peer = ratio(
            &mut ratios,
            format!("fastest peer/events {case}"),
            Better::Higher,
            fastest,
            events,
        );
        let _ = writeln!(
            out,
            "| {case} | {} | {} | {} | {} | {} | {} | {} | {bound} | {against_peer} |",
            cell(floor),
            cell(render),
            cell(extract),
            cell(events),
            cell(peer_values[0]),
            cell(peer_values[1]),
            cell(peer_values[2]),
        );
    }
    let _ = writeln!(
        out,
        "\nfloor: serde_json parse of both bodies; render floor: serde_json writing the events' \
         JSON from a built value; events = read + build + render, so floor + render floor is the \
         least any tool pays for the same output."
    );
    renderings(root, &cases, &mut out, &mut ratios);
    super::report::call_overhead(root, &mut out, &mut ratios);
    let throughput = |bench: &str| {
        let timed = criterion(root, "replay", bench)?;
        let rate = criterion_bytes(root, "replay", bench)? / (timed.us / 1e6) / (1024.0 * 1024.0);
        Some(Timed {
            us: rate,
            spread: timed.spread,
        })
    };
    if let (Some(replay), Some(floor)) = (throughput("replay"), throughput("floor")) {
        let share = replay.us / floor.us;
        ratios.insert(
            "replay/parse floor".to_owned(),
            share,
            replay.spread + floor.spread,
            Better::Higher,
        );
        let _ = writeln!(
            out,
            "\nReplay: {:.1} MiB/s (records → events → New Relic JSON) vs {:.1} MiB/s serde_json parse floor ({:.0}% of floor).",
            replay.us,
            floor.us,
            share * 100.0
        );
    }
    super::report::replay_jobs(root, &mut out, &mut ratios);
    if let Some(python) = peers["python"].as_str() {
        let _ = writeln!(out, "\nPeers ran on {python}: {}.", peers["peer_versions"]);
    }
    Ok((out, ratios))
}

/// The other renderings beside their own floors: parsing both bodies plus writing the same
/// output from a built value.
fn renderings(root: &Path, cases: &BTreeSet<String>, out: &mut String, ratios: &mut Ratios) {
    const FORMATS: [(&str, &str); 3] = [
        ("otel", "OTel span"),
        ("elastic", "Elastic document"),
        ("log_writer", "invocation log"),
    ];
    if criterion(root, "otel", cases.first().map_or("", String::as_str)).is_none() {
        return;
    }
    let _ = writeln!(
        out,
        "\nThe other renderings, from the same bodies (µs; each format's floor is the parse floor \
         plus writing that format's output from a built value):\n"
    );
    let mut header = "| case |".to_owned();
    for (_, title) in FORMATS {
        let _ = write!(header, " {title} | its floor | ratio |");
    }
    let _ = writeln!(out, "{header}\n|---|{}", "---:|".repeat(FORMATS.len() * 3));
    for case in cases {
        let floor = criterion(root, "floor", case);
        let _ = write!(out, "| {case} |");
        for (format, _) in FORMATS {
            let rendered = criterion(root, format, case);
            let limit = sum(floor, criterion(root, &format!("{format}_floor"), case));
            let shown = ratio(
                ratios,
                format!("{format}/(floor+render) {case}"),
                Better::Lower,
                rendered,
                limit,
            );
            let _ = write!(out, " {} | {} | {shown} |", cell(rendered), cell(limit));
        }
        let _ = writeln!(out);
    }
}
