//! Instrumentation overhead per call: the same InvokeModel call through the raw SDK client and
//! through the instrumented client (recording into an enabled recorder), against the loopback
//! emulator on one runtime. Both include the emulator's own work, so the difference is the
//! instrumentation's client-side cost.

use std::hint::black_box;
use std::sync::Arc;

use aws_sdk_bedrockruntime::primitives::Blob;
use bedrock_llm_core::client::Client;
use bedrock_llm_emulator::Emulator;
use bedrock_llm_events::{Config, Recorder};
use criterion::{Criterion, criterion_group, criterion_main};

fn overhead(c: &mut Criterion) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let Ok(emulator) = runtime.block_on(Emulator::builder().start()) else {
        return;
    };
    let sample = bedrock_llm_models::samples::all()
        .unwrap_or_default()
        .into_iter()
        .find(|s| s.case == "system_and_history")
        .map(|s| (s.model_id, s.request));
    let Some((model, body)) = sample else { return };
    let raw = aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config());
    // A large reservoir, harvested now and then, so the recorder's buffer stays realistic.
    let recorder = Arc::new(Recorder::new(Config {
        max_samples_stored: 10_000,
        ..Config::default().enabled()
    }));
    let instrumented = Client::new(
        raw.clone(),
        bedrock_llm_models::new_registry(),
        recorder.clone(),
    );
    let mut group = c.benchmark_group("call");
    group.bench_function("raw_sdk", |b| {
        b.iter(|| {
            runtime
                .block_on(
                    raw.invoke_model()
                        .model_id(model)
                        .body(Blob::new(black_box(body.clone())))
                        .send(),
                )
                .is_ok()
        });
    });
    let mut calls = 0u64;
    group.bench_function("instrumented", |b| {
        b.iter(|| {
            let ok = runtime
                .block_on(instrumented.invoke_raw(model, black_box(body.clone())))
                .is_ok();
            calls += 1;
            if calls.is_multiple_of(1_000) {
                drop(recorder.harvest());
            }
            ok
        });
    });
    group.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
