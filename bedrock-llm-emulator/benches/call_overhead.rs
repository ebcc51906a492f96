//! Instrumentation overhead per call: the same InvokeModel call through the raw SDK client and
//! through the instrumented client (recording into an enabled recorder), against the loopback
//! emulator on one runtime. Both include the emulator's own work, so the difference is what
//! the instrumentation costs the caller.
//!
//! Four ways of making the call — raw; instrumented with recording on the worker (the
//! default); instrumented with recording on the caller's thread; instrumented with recording
//! disabled — run in batches of about 100 ms (150 ms without `--quick`; sized from the
//! warm-up's raw calls), interleaved (each round starts with the next way, so drift over
//! the run falls on all alike) and repeated. Each round gives one overhead figure per way
//! against that round's raw batch; the report is their median with the quartiles and extremes,
//! so two runs can be compared. A batch spans several of the recorder's drain intervals, so
//! the worker does most of a batch's recording while the batch is timed; what is left is
//! flushed, and recorders harvested, between batches, outside the timed windows; how many calls were recorded and dropped is reported too, so a
//! low figure cannot come from dropping work.
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
    // Each batch lasts several of the recorder's drain intervals, so most of the worker's work
    // for a batch happens inside its timed window (the rest is flushed outside it).
    let (rounds, batch_time) = if quick {
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
    let run_batch = |variant: &Variant, batch: usize| {
        let start = Instant::now();
        for _ in 0..batch {
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
        let elapsed = start.elapsed();
        // Outside the timed window: let the worker finish.
        if let Some(recorder) = &variant.recorder {
            recorder.flush();
        }
        elapsed
    };
    // Warm-up round, not counted; it also sizes the batches.
    const WARM_UP_CALLS: usize = 200;
    let mut raw_call = Duration::ZERO;
    for variant in &variants {
        let spent = run_batch(variant, WARM_UP_CALLS);
        if variant.client.is_none() {
            raw_call = spent / WARM_UP_CALLS as u32;
        }
        if let Some(recorder) = &variant.recorder {
            drop(recorder.harvest());
        }
    }
    let batch = (batch_time.as_nanos() / raw_call.as_nanos().max(1)).clamp(50, 20_000) as usize;
    if let Some(name) = only {
        let Some(variant) = variants.iter().find(|v| v.name == name) else {
            eprintln!("call_overhead: no way named {name}");
            return;
        };
        let mut spent = Duration::ZERO;
        for _ in 0..rounds {
            spent += run_batch(variant, batch);
        }
        let us = spent.as_secs_f64() * 1e6 / (rounds * batch) as f64;
        println!("call_overhead: {name} alone {us:.1} µs/call");
        return;
    }
    let count = variants.len();
    for round in 0..rounds {
        // Each round starts with the next variant, so none always runs first or last.
        let mut times = vec![Duration::ZERO; count];
        for step in 0..count {
            let at = (round + step) % count;
            times[at] = run_batch(&variants[at], batch);
        }
        let raw_us = times[0].as_secs_f64() * 1e6 / batch as f64;
        for (variant, time) in variants.iter_mut().zip(&times) {
            let us = time.as_secs_f64() * 1e6 / batch as f64;
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
    let calls = rounds as u64 * batch as u64;
    let mut report = serde_json::Map::new();
    report.insert("rounds".into(), rounds.into());
    report.insert("calls_per_batch".into(), batch.into());
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
