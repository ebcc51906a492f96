//! Instrumentation overhead per call: the same InvokeModel call through the raw SDK client and
//! through the instrumented client (recording into an enabled recorder), against the loopback
//! emulator on one runtime. Both include the emulator's own work, so the difference is what
//! the instrumentation costs the caller.
//!
//! Four ways of making the call — raw; instrumented with recording on the worker (the
//! default); instrumented with recording on the caller's thread; instrumented with recording
//! disabled — take turns in blocks of [`BLOCK_CALLS`] calls (each block starts with the next
//! way), so a slow spell of the host, which on a shared virtual machine lasts milliseconds to
//! seconds, falls on all of them alike. A round gives each way about 100 ms of calls (150 ms
//! without `--quick`; sized from the warm-up's raw calls) and one overhead figure per way
//! against the round's raw calls; the report is the median over the rounds with the quartiles
//! and extremes, so two runs can be compared. The worker drains every 20 ms, so it records
//! during the round, beside the calls; what is left is flushed, and recorders harvested,
//! between rounds, outside the timed windows. Because the worker runs beside every way's
//! calls, its own CPU time is reported apart, per recorded call, from the kernel's per-thread
//! accounting; how many calls were recorded and dropped is reported too, so a low figure
//! cannot come from dropping work.
//!
//! `cargo bench -p bedrock-llm-emulator --bench call_overhead [-- --quick]`; writes
//! `target/bench/call_overhead.json` for `cargo xtask bench`. A plain harness rather than
//! criterion: criterion measures one function at a time and cannot interleave two.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_bedrockruntime::primitives::Blob;
use bedrock_llm_core::client::Client;
use bedrock_llm_emulator::Emulator;
use bedrock_llm_events::names::{event_type, metric};
use bedrock_llm_events::{Config, Recorder};

/// Calls each way makes before the next takes its turn: short enough that the host's slow
/// spells fall on every way, long enough that the time taken to switch is negligible.
/// `--block N` changes it: a block as long as a round (`--block 100000`) gives each way its
/// round in one piece, so the worker's effect on the calls beside it falls on its own way alone.
const BLOCK_CALLS: usize = 10;

/// CPU time spent so far by this thread and by the whole process, from the kernel's per-thread
/// accounting (`/proc/.../schedstat`, Linux only; `None` elsewhere).
fn cpu_times() -> Option<(Duration, Duration)> {
    let read = |path: &Path| -> Option<Duration> {
        let text = std::fs::read_to_string(path).ok()?;
        let nanos = text.split_whitespace().next()?.parse().ok()?;
        Some(Duration::from_nanos(nanos))
    };
    let this_thread = read(Path::new("/proc/thread-self/schedstat"))?;
    let mut process = Duration::ZERO;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        process += read(&task.ok()?.path().join("schedstat"))?;
    }
    Some((this_thread, process))
}

/// The value at quantile `q` of sorted `values`.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = (q * (sorted.len() - 1) as f64).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

/// One way of making the call.
struct Variant {
    name: &'static str,
    what: &'static str,
    client: Option<Client>,
    recorder: Option<Arc<Recorder>>,
    per_call_us: Vec<f64>,
    overhead_pct: Vec<f64>,
    recorded: u64,
    dropped: u64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    // `--only NAME`: time one way alone (for a profiler), no report.
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|at| args.get(at + 1).cloned());
    // A round spans several of the recorder's drain intervals, so most of the worker's work
    // for a round happens while it is timed (the rest is flushed outside it).
    let (rounds, round_time) = if quick {
        (16, Duration::from_millis(100))
    } else {
        (40, Duration::from_millis(150))
    };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        eprintln!("call_overhead: no runtime");
        return;
    };
    let Ok(emulator) = runtime.block_on(Emulator::builder().start()) else {
        eprintln!("call_overhead: the emulator did not start");
        return;
    };
    let sample = bedrock_llm_models::samples::all()
        .unwrap_or_default()
        .into_iter()
        .find(|s| s.case == "system_and_history")
        .map(|s| (s.model_id, s.request));
    let Some((model, body)) = sample else {
        eprintln!("call_overhead: no sample");
        return;
    };
    let raw = aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config());
    let instrumented = |config: Config| {
        let recorder = Arc::new(Recorder::new(config));
        let client = Client::new(
            raw.clone(),
            bedrock_llm_models::new_registry(),
            recorder.clone(),
        );
        (Some(client), Some(recorder))
    };
    let variant = |name, what, (client, recorder)| Variant {
        name,
        what,
        client,
        recorder,
        per_call_us: Vec::new(),
        overhead_pct: Vec::new(),
        recorded: 0,
        dropped: 0,
    };
    let mut variants = [
        variant("raw", "raw SDK client", (None, None)),
        variant(
            "instrumented",
            "instrumented, recording on the worker (default)",
            instrumented(Config::default().enabled()),
        ),
        variant(
            "inline",
            "instrumented, recording on the caller's thread (recording_queue = 0)",
            instrumented(Config::default().enabled().with_recording_queue(0)),
        ),
        variant(
            "disabled",
            "instrumented client, recording disabled",
            instrumented(Config::default()),
        ),
    ];
    let run_block = |variant: &Variant, calls: usize| {
        let start = Instant::now();
        for _ in 0..calls {
            let ok = match &variant.client {
                None => runtime
                    .block_on(
                        raw.invoke_model()
                            .model_id(model)
                            .content_type("application/json")
                            .accept("application/json")
                            .body(Blob::new(black_box(body.clone())))
                            .send(),
                    )
                    .is_ok(),
                Some(client) => runtime
                    .block_on(client.invoke_raw(model, black_box(body.clone())))
                    .is_ok(),
            };
            black_box(ok);
        }
        start.elapsed()
    };
    // Outside the timed windows: let the workers finish.
    let flush = |variants: &[Variant]| {
        for recorder in variants.iter().filter_map(|v| v.recorder.as_ref()) {
            recorder.flush();
        }
    };
    // Warm-up, not counted; it also sizes the rounds.
    const WARM_UP_CALLS: usize = 200;
    let mut raw_call = Duration::ZERO;
    // Alone (`--only`), only that way warms up and sizes the rounds, so profiles of two ways
    // differ by nothing but their calls.
    let sizing = |v: &Variant| {
        only.as_ref()
            .map_or(v.client.is_none(), |name| v.name == name)
    };
    for variant in variants.iter().filter(|v| only.is_none() || sizing(v)) {
        let spent = run_block(variant, WARM_UP_CALLS);
        if sizing(variant) {
            raw_call = spent / WARM_UP_CALLS as u32;
        }
    }
    flush(&variants);
    for recorder in variants.iter().filter_map(|v| v.recorder.as_ref()) {
        drop(recorder.harvest());
    }
    let per_round = (round_time.as_nanos() / raw_call.as_nanos().max(1)).clamp(50, 20_000) as usize;
    let block_calls = args
        .iter()
        .position(|a| a == "--block")
        .and_then(|at| args.get(at + 1)?.parse::<usize>().ok())
        .unwrap_or(BLOCK_CALLS)
        .clamp(1, per_round);
    let blocks = per_round.div_ceil(block_calls);
    let per_round = blocks * block_calls;
    if let Some(name) = only {
        let Some(variant) = variants.iter().find(|v| v.name == name) else {
            eprintln!("call_overhead: no way named {name}");
            return;
        };
        let mut spent = Duration::ZERO;
        for _ in 0..rounds {
            spent += run_block(variant, per_round);
            flush(&variants);
            // Outside the timed window, as in the full run.
            if let Some(recorder) = &variant.recorder {
                drop(recorder.harvest());
            }
        }
        let us = spent.as_secs_f64() * 1e6 / (rounds * per_round) as f64;
        println!("call_overhead: {name} alone {us:.1} µs/call");
        return;
    }
    let count = variants.len();
    let cpu_before = cpu_times();
    for round in 0..rounds {
        let mut times = vec![Duration::ZERO; count];
        for block in 0..blocks {
            // Each block starts with the next way, so none always runs first or last.
            for step in 0..count {
                let at = (round + block + step) % count;
                times[at] += run_block(&variants[at], block_calls);
            }
        }
        flush(&variants);
        let raw_us = times[0].as_secs_f64() * 1e6 / per_round as f64;
        for (variant, time) in variants.iter_mut().zip(&times) {
            let us = time.as_secs_f64() * 1e6 / per_round as f64;
            variant.per_call_us.push(us);
            variant.overhead_pct.push((us - raw_us) / raw_us * 100.0);
            if let Some(recorder) = &variant.recorder {
                let harvest = recorder.harvest();
                variant.recorded += harvest
                    .events
                    .iter()
                    .filter(|e| e.event_type() == event_type::SUMMARY)
                    .count() as u64;
                variant.dropped += harvest
                    .metrics
                    .get(metric::RECORDING_DROPPED)
                    .map_or(0, |m| m.count);
            }
        }
    }
    // Every thread but this one is a recorder's worker (the emulator runs on this thread), and
    // only the default way hands calls to one.
    let worker_cpu_us = cpu_before.zip(cpu_times()).and_then(|(before, after)| {
        let others =
            (after.1.checked_sub(before.1)?).checked_sub(after.0.checked_sub(before.0)?)?;
        let recorded = variants.iter().find(|v| v.name == "instrumented")?.recorded;
        Some(others.as_secs_f64() * 1e6 / recorded.max(1) as f64)
    });
    let calls = rounds as u64 * per_round as u64;
    let mut report = serde_json::Map::new();
    report.insert("worker_cpu_us_per_call".into(), worker_cpu_us.into());
    report.insert("rounds".into(), rounds.into());
    report.insert("calls_per_round".into(), per_round.into());
    report.insert("calls_per_block".into(), block_calls.into());
    for variant in &mut variants {
        variant.per_call_us.sort_by(f64::total_cmp);
        variant.overhead_pct.sort_by(f64::total_cmp);
        let (us, pct) = (&variant.per_call_us, &variant.overhead_pct);
        println!(
            "call_overhead: {:<12} {:>6.1} µs/call  {:>+6.1}% median  (quartiles {:+.1}%..{:+.1}%, \
             range {:+.1}%..{:+.1}%)  {} recorded, {} dropped — {}",
            variant.name,
            quantile(us, 0.5),
            quantile(pct, 0.5),
            quantile(pct, 0.25),
            quantile(pct, 0.75),
            quantile(pct, 0.0),
            quantile(pct, 1.0),
            variant.recorded,
            variant.dropped,
            variant.what,
        );
        report.insert(
            variant.name.into(),
            serde_json::json!({
                "what": variant.what,
                "us_median": quantile(us, 0.5),
                "overhead_pct_median": quantile(pct, 0.5),
                "overhead_pct_p25": quantile(pct, 0.25),
                "overhead_pct_p75": quantile(pct, 0.75),
                "overhead_pct_min": quantile(pct, 0.0),
                "overhead_pct_max": quantile(pct, 1.0),
                "calls": calls,
                "recorded_calls": variant.recorded,
                "dropped_calls": variant.dropped,
            }),
        );
    }
    match worker_cpu_us {
        Some(us) => println!(
            "call_overhead: the worker spent {us:.1} µs of CPU per recorded call, on its own thread"
        ),
        None => println!("call_overhead: the worker's CPU time is not known on this system"),
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    let written = std::fs::create_dir_all(&out).and_then(|()| {
        std::fs::write(
            out.join("call_overhead.json"),
            serde_json::to_vec_pretty(&serde_json::Value::Object(report)).unwrap_or_default(),
        )
    });
    if let Err(error) = written {
        eprintln!("call_overhead: {}: {error}", out.display());
    }
}
