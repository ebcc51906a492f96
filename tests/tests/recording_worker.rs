//! The recorder's worker: calls are captured on the caller's path and read, turned into events
//! and recorded on the worker; a full queue drops a call and counts it without the caller
//! waiting; `harvest` and `flush` wait for what was handed over. A token callback that blocks
//! until the test lets it go shows where the work runs.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use bedrock_llm_core::client::Client;
use bedrock_llm_emulator::Emulator;
use bedrock_llm_events::names::{event_type, metric};
use bedrock_llm_events::{Config, Recorder, TokenPrecedence};
use bedrock_llm_models::samples;

/// A token callback that waits (at most five seconds) until the test opens its gate, and says
/// whether it was let through or gave up. Once open, the gate stays open.
#[derive(Clone, Default)]
struct Gate {
    open: Arc<(Mutex<bool>, Condvar)>,
    entered: Arc<AtomicUsize>,
    let_through: Arc<AtomicBool>,
    /// The threads the callback ran on.
    threads: Arc<Mutex<Vec<String>>>,
}

impl Gate {
    fn recorder(&self, queue: usize) -> Arc<Recorder> {
        let gate = self.clone();
        let config = Config::default()
            .enabled()
            .with_token_precedence(TokenPrecedence::CallbackFirst)
            .with_recording_queue(queue)
            .with_token_callback(move |_, _| {
                gate.entered.fetch_add(1, Ordering::SeqCst);
                gate.threads
                    .lock()
                    .unwrap()
                    .push(std::thread::current().name().unwrap_or("").to_owned());
                let (open, changed) = &*gate.open;
                let (open, _) = changed
                    .wait_timeout_while(open.lock().unwrap(), Duration::from_secs(5), |open| !*open)
                    .unwrap();
                gate.let_through.fetch_or(*open, Ordering::SeqCst);
                Some(1)
            });
        Arc::new(Recorder::new(config))
    }

    fn open(&self) {
        let (open, changed) = &*self.open;
        *open.lock().unwrap() = true;
        changed.notify_all();
    }

    fn ran_on_the_worker(&self) -> bool {
        let threads = self.threads.lock().unwrap();
        assert!(!threads.is_empty());
        threads.iter().all(|t| t == "bedrock-llm-recorder")
    }

    /// Waits (bounded) until the callback has been entered.
    fn wait_entered(&self) {
        for _ in 0..500 {
            if self.entered.load(Ordering::SeqCst) > 0 {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the token callback was never entered");
    }
}

fn chat_sample() -> samples::Sample {
    samples::all()
        .unwrap()
        .into_iter()
        .find(|s| s.case == "system_and_history")
        .unwrap()
}

async fn client(recorder: Arc<Recorder>) -> (Emulator, Client) {
    let emulator = Emulator::builder().start().await.unwrap();
    let sdk = aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config());
    let client = Client::new(sdk, bedrock_llm_models::new_registry(), recorder);
    (emulator, client)
}

fn summaries(harvest: &bedrock_llm_events::Harvest) -> usize {
    harvest
        .events
        .iter()
        .filter(|e| e.event_type() == event_type::SUMMARY)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_returns_before_its_events_are_built_and_harvest_waits_for_them() {
    let gate = Gate::default();
    let recorder = gate.recorder(16);
    let (_emulator, client) = client(recorder.clone()).await;
    let sample = chat_sample();
    // The callback blocks on the worker; the caller does not wait for it.
    client
        .invoke_raw(sample.model_id, sample.request.clone())
        .await
        .unwrap();
    gate.open();
    let harvest = recorder.harvest();
    assert!(
        gate.let_through.load(Ordering::SeqCst),
        "the callback ran on the caller's path"
    );
    assert!(gate.ran_on_the_worker());
    assert_eq!(summaries(&harvest), 1);
    assert!(harvest.metrics.get(metric::RECORDING_DROPPED).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_drops_calls_counts_them_and_never_blocks_the_caller() {
    let gate = Gate::default();
    let recorder = gate.recorder(1);
    let (_emulator, client) = client(recorder.clone()).await;
    let sample = chat_sample();
    let call = || client.invoke_raw(sample.model_id, sample.request.clone());
    call().await.unwrap();
    // The worker is busy with the first call and its queue is empty: one more fits, three
    // do not.
    gate.wait_entered();
    for _ in 0..4 {
        call().await.unwrap();
    }
    gate.open();
    let harvest = recorder.harvest();
    assert_eq!(summaries(&harvest), 2);
    assert_eq!(
        harvest
            .metrics
            .get(metric::RECORDING_DROPPED)
            .unwrap()
            .count,
        3
    );
    // Counted once: the next harvest starts from zero.
    assert!(
        recorder
            .harvest()
            .metrics
            .get(metric::RECORDING_DROPPED)
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_of_zero_records_on_the_callers_thread() {
    let gate = Gate::default();
    let recorder = gate.recorder(0);
    let (_emulator, client) = client(recorder.clone()).await;
    let sample = chat_sample();
    // Opened beforehand, so the inline callback passes at once.
    gate.open();
    client
        .invoke_raw(sample.model_id, sample.request.clone())
        .await
        .unwrap();
    // Recorded by the time the call returned, with no flush.
    assert!(gate.entered.load(Ordering::SeqCst) > 0);
    assert!(!gate.ran_on_the_worker());
    assert_eq!(summaries(&recorder.harvest()), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flush_waits_for_a_stream_recorded_off_the_call_path() {
    let recorder = Arc::new(Recorder::new(Config::default().enabled()));
    let (_emulator, client) = client(recorder.clone()).await;
    let streamed = chat_sample();
    let mut stream = client
        .invoke_stream_raw(streamed.model_id, streamed.request.clone())
        .await
        .unwrap();
    while stream.recv().await.unwrap().is_some() {}
    drop(stream);
    recorder.flush();
    let harvest = recorder.harvest();
    assert_eq!(summaries(&harvest), 1);
    let summary = harvest
        .events
        .iter()
        .find(|e| e.event_type() == event_type::SUMMARY)
        .unwrap();
    assert!(summary.get("response.number_of_messages").is_some());
}
