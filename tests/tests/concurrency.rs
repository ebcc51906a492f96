//! Many callers at once through a user's own SDK client with the recording interceptor, against
//! the emulator over real HTTP, faults mixed in: every caller gets exactly what the same call
//! gets without instrumentation, and the recorder holds exactly the events, error reports and
//! metrics the calls make one at a time — nothing lost, nothing doubled, nothing crossed.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_bedrockruntime::primitives::Blob;
use bedrock_llm_emulator::{Emulator, Fault};
use bedrock_llm_events::Harvest;
use bedrock_llm_models::samples;
use bedrock_llm_tests::harness::{self, outcome};

const TASKS: usize = 64;
const CALLS_PER_TASK: usize = 8;

/// What one call leaves in a recorder: events by type, error reports, metric counts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Tally {
    events: BTreeMap<String, u64>,
    error_reports: u64,
    metrics: BTreeMap<String, u64>,
}

impl Tally {
    fn of(harvest: &Harvest) -> Self {
        let mut tally = Self::default();
        for event in &harvest.events {
            *tally
                .events
                .entry(event.event_type().to_owned())
                .or_default() += 1;
        }
        tally.error_reports = harvest.error_reports.len() as u64;
        for (name, data) in harvest.metrics.iter() {
            tally.metrics.insert(name.to_owned(), data.count);
        }
        tally
    }

    /// `self` less `other`'s metrics: what a recorder reports once, whatever it records.
    fn less_metrics_of(mut self, other: &Self) -> Self {
        for (name, count) in &other.metrics {
            if let Some(mine) = self.metrics.get_mut(name) {
                *mine -= count;
            }
        }
        self.metrics.retain(|_, count| *count > 0);
        self
    }

    fn add(&mut self, other: &Self) {
        for (kind, count) in &other.events {
            *self.events.entry(kind.clone()).or_default() += count;
        }
        self.error_reports += other.error_reports;
        for (name, count) in &other.metrics {
            *self.metrics.entry(name.clone()).or_default() += count;
        }
    }
}

/// One InvokeModel call's outcome, as the harness compares them.
async fn invoke(sdk: &aws_sdk_bedrockruntime::Client, model: &str, body: &[u8]) -> String {
    let result = sdk
        .invoke_model()
        .model_id(model)
        .body(Blob::new(body.to_vec()))
        .send()
        .await;
    outcome(&result)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_callers_through_the_interceptor_get_the_sdks_results_and_exact_counts() {
    let faults = [
        ("fault.throttling-v1", Fault::Throttling),
        ("fault.internal-v1", Fault::InternalServer),
        ("fault.validation-v1", Fault::Validation),
        ("meta.llama3-8b-instruct-v1:0", Fault::MalformedBody),
    ];
    let mut builder = Emulator::builder();
    for (model, fault) in &faults {
        builder = builder.fault(model, fault.clone());
    }
    let emulator = builder.start().await.unwrap();
    let mut calls: Vec<(String, Vec<u8>)> = samples::all()
        .unwrap()
        .into_iter()
        .map(|s| (s.model_id.to_owned(), s.request))
        .collect();
    for (model, _) in &faults {
        calls.push((
            (*model).to_owned(),
            br#"{"prompt": "hello", "max_gen_len": 8}"#.to_vec(),
        ));
    }

    // One at a time first: what each call returns uninstrumented, and what it records.
    let plain = aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config());
    // Configuration metrics a recorder reports once, however many calls it records.
    let once = Tally::of(&harness::recorder().harvest());
    assert!(!once.metrics.is_empty());
    let mut expected_results = Vec::new();
    let mut per_call = Vec::new();
    for (model, body) in &calls {
        expected_results.push(invoke(&plain, model, body).await);
        let recorder = harness::recorder();
        let sdk = harness::intercepted_sdk(&emulator, &recorder);
        invoke(&sdk, model, body).await;
        per_call.push(Tally::of(&recorder.harvest()).less_metrics_of(&once));
    }
    assert!(expected_results.iter().any(|r| r.starts_with("err")));
    assert!(expected_results.iter().any(|r| r.starts_with("ok")));

    // Then all at once, through one shared instrumented client.
    let recorder = harness::recorder();
    let sdk = harness::intercepted_sdk(&emulator, &recorder);
    let calls = Arc::new(calls);
    let expected_results = Arc::new(expected_results);
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let (sdk, calls, expected) = (sdk.clone(), calls.clone(), expected_results.clone());
        tasks.push(tokio::spawn(async move {
            let mut made = Vec::new();
            for call in 0..CALLS_PER_TASK {
                let index = (task * CALLS_PER_TASK + call) % calls.len();
                let (model, body) = &calls[index];
                assert_eq!(
                    invoke(&sdk, model, body).await,
                    expected[index],
                    "task {task} call {call}"
                );
                made.push(index);
            }
            made
        }));
    }
    let mut expected = once.clone();
    let mut made = 0;
    for task in tasks {
        for index in task.await.unwrap() {
            expected.add(&per_call[index]);
            made += 1;
        }
    }
    assert_eq!(made, TASKS * CALLS_PER_TASK);
    let harvest = recorder.harvest();
    let got = Tally::of(&harvest);
    assert_eq!(got.events, expected.events);
    assert_eq!(got.error_reports, expected.error_reports);
    assert_eq!(got.metrics, expected.metrics);
    assert!(got.error_reports >= (TASKS * CALLS_PER_TASK / calls.len() * 3) as u64);
    // Each call's events are its own: every message points at a summary of the same request.
    let summaries: BTreeMap<_, _> = harvest
        .events
        .iter()
        .filter(|e| e.event_type() == "LlmChatCompletionSummary")
        .filter_map(|e| Some((e.get_str("id")?.to_owned(), e.get_str("request_id"))))
        .collect();
    for message in harvest
        .events
        .iter()
        .filter(|e| e.event_type() == "LlmChatCompletionMessage")
    {
        let summary = message.get_str("completion_id").unwrap();
        assert_eq!(
            summaries.get(summary).copied().flatten(),
            message.get_str("request_id"),
            "a message recorded under another call's summary"
        );
    }
}
