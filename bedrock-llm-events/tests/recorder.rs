//! The recorder under concurrency, its metrics and switches, feedback, and scoped custom
//! attributes in sync and async code.

use std::sync::Arc;
use std::time::Duration;

use bedrock_llm_core::{ExchangeKind, Invocation, Message, Operation, RequestView};
use bedrock_llm_events::names::{attr, event_type, metric};
use bedrock_llm_events::{
    AttrValue, CallContext, Config, Feedback, LlmAttributes, LlmAttributesExt, Recorder,
    current_llm_attributes, with_llm_attributes,
};

fn invocation(operation: Operation) -> Invocation {
    let mut record = Invocation::new("meta.llama3-70b-instruct-v1:0", operation);
    record.kind = Some(ExchangeKind::TextCompletion);
    record.timing.duration = Some(Duration::from_millis(25));
    record.request = Some(RequestView {
        messages: vec![Message::new(bedrock_llm_core::Role::User, "hi")],
        ..Default::default()
    });
    record
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_tasks_record_exactly_and_stay_bounded() {
    const TASKS: u64 = 64;
    const CALLS_PER_TASK: u64 = 250;
    const CAPACITY: usize = 1_000;
    let config = Config::default()
        .enabled()
        .with_max_samples_stored(CAPACITY);
    let recorder = Arc::new(Recorder::new(config).with_sdk_version("1.153.0"));
    let mut handles = Vec::new();
    for task in 0..TASKS {
        let recorder = Arc::clone(&recorder);
        handles.push(tokio::spawn(async move {
            for call in 0..CALLS_PER_TASK {
                let mut record = invocation(Operation::InvokeModel);
                record.request_id = Some(format!("{task}-{call}"));
                recorder.record(&record, &CallContext::detached());
                if call % 50 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    let harvest = recorder.harvest();
    // Each call makes a summary and one message.
    let seen = TASKS * CALLS_PER_TASK * 2;
    assert_eq!(harvest.events_seen, seen);
    assert_eq!(harvest.events.len() as u64, seen.min(CAPACITY as u64));
    assert!(
        harvest.events.capacity() <= CAPACITY,
        "reservoir grew to {}",
        harvest.events.capacity()
    );
    // Uniform sampling keeps events from (nearly) every task, not just the first ones in.
    let tasks_kept: std::collections::BTreeSet<_> = harvest
        .events
        .iter()
        .filter_map(|e| {
            e.get_str(attr::REQUEST_ID)
                .and_then(|id| id.split('-').next())
                .map(str::to_owned)
        })
        .collect();
    assert!(
        tasks_kept.len() > 48,
        "kept events from only {} tasks",
        tasks_kept.len()
    );
    let calls = TASKS * CALLS_PER_TASK;
    assert_eq!(
        harvest
            .metrics
            .get("Supportability/Rust/ML/Bedrock/1.153.0")
            .unwrap()
            .count,
        calls
    );
    let timing = harvest
        .metrics
        .get("Llm/completion/Bedrock/InvokeModel")
        .unwrap();
    assert_eq!(
        (timing.count, timing.min_ms, timing.max_ms),
        (calls, 25.0, 25.0)
    );
    assert_eq!(harvest.metrics.get(metric::ENABLED).unwrap().count, 1);
    // The harvest drained everything.
    let empty = recorder.harvest();
    assert_eq!((empty.events.len(), empty.events_seen), (0, 0));
}

#[test]
fn disabled_or_killed_records_nothing_but_the_disabled_metric() {
    for config in [
        Config::default(),
        Config::default().enabled().with_kill_switch(true),
    ] {
        let recorder = Recorder::new(config.with_token_callback(|_, _| Some(1)));
        assert!(
            recorder
                .record(
                    &invocation(Operation::InvokeModel),
                    &CallContext::detached()
                )
                .is_none()
        );
        assert!(recorder.record_feedback(Feedback::new("t", 5i64)).is_none());
        let harvest = recorder.harvest();
        assert!(harvest.events.is_empty());
        let names: Vec<&str> = harvest.metrics.iter().map(|(name, _)| name).collect();
        assert_eq!(names, vec![metric::DISABLED]);
    }
}

#[test]
fn streaming_off_keeps_metrics_and_drops_events() {
    let recorder = Recorder::new(
        Config::default()
            .enabled()
            .with_streaming(false)
            .with_content(false),
    );
    assert!(
        recorder
            .record(
                &invocation(Operation::InvokeModelWithResponseStream),
                &CallContext::detached()
            )
            .is_none()
    );
    assert!(
        recorder
            .record(
                &invocation(Operation::InvokeModel),
                &CallContext::detached()
            )
            .is_some()
    );
    let harvest = recorder.harvest();
    assert_eq!(
        harvest.events_seen, 2,
        "only the non-streamed call's summary and message"
    );
    let count = |name: &str| harvest.metrics.get(name).map(|m| m.count);
    assert_eq!(
        count(metric::STREAMING_DISABLED),
        Some(2),
        "once for the call, once for the configuration"
    );
    assert_eq!(
        count("Llm/completion/Bedrock/InvokeModelWithResponseStream"),
        Some(1)
    );
    assert_eq!(count(metric::RECORD_CONTENT_DISABLED), Some(1));
    assert_eq!(count(metric::STREAMING_ENABLED), None);
}

#[test]
fn token_callback_registration_and_extraction_errors_are_counted() {
    let recorder = Recorder::new(Config::default().enabled().with_token_callback(|_, _| None));
    let mut record = invocation(Operation::InvokeModel);
    record.extraction_errors.push(bedrock_llm_core::BodyError {
        family: Some("Llama"),
        type_name: "LlamaResponse",
        side: bedrock_llm_core::BodySide::Response,
        path: "$".into(),
        kind: bedrock_llm_core::BodyErrorKind::Syntax,
        message: "expected value".into(),
    });
    recorder.record(&record, &CallContext::detached());
    let harvest = recorder.harvest();
    assert_eq!(
        harvest
            .metrics
            .get(metric::TOKEN_CALLBACK_SET)
            .map(|m| m.count),
        Some(1)
    );
    assert_eq!(
        harvest
            .metrics
            .get(metric::EXTRACTION_ERROR)
            .map(|m| m.count),
        Some(1)
    );
}

#[test]
fn feedback_merges_metadata_flat_and_built_ins_win() {
    let recorder = Recorder::new(Config::default().enabled());
    let feedback = Feedback {
        category: Some("informative".into()),
        message: Some("great answer".into()),
        metadata: vec![
            ("rating".into(), AttrValue::from("overridden?")),
            ("team".into(), AttrValue::from("search")),
        ],
        ..Feedback::new("0af7651916cd43dd8448eb211c80319c", 4i64)
    };
    let id = recorder.record_feedback(feedback).unwrap();
    let harvest = recorder.harvest();
    let event = &harvest.events[0];
    assert_eq!(event.event_type(), event_type::FEEDBACK);
    assert_eq!(event.get_str(attr::ID), Some(id.as_str()));
    assert_eq!(
        event.get_str(attr::TRACE_ID),
        Some("0af7651916cd43dd8448eb211c80319c")
    );
    assert_eq!(event.get(attr::RATING), Some(&AttrValue::Int(4)));
    assert_eq!(event.get_str("team"), Some("search"));
    assert_eq!(event.get_str(attr::INGEST_SOURCE), Some("Rust"));
    assert_eq!(event.get(attr::VENDOR), None, "feedback carries no vendor");
    assert_eq!(
        event
            .attributes()
            .iter()
            .filter(|(k, _)| k == attr::RATING)
            .count(),
        1
    );
}

#[test]
fn scoped_attributes_nest_and_unwind_in_sync_code() {
    assert!(current_llm_attributes().is_empty());
    with_llm_attributes(
        LlmAttributes::new()
            .with("llm.conversation_id", "outer")
            .with("llm.a", 1i64),
        || {
            with_llm_attributes(
                LlmAttributes::new()
                    .with("llm.conversation_id", "inner")
                    .with("other", true),
                || {
                    let current = current_llm_attributes();
                    assert_eq!(
                        current
                            .iter()
                            .find(|(k, _)| *k == "llm.conversation_id")
                            .map(|(_, v)| v.to_string())
                            .as_deref(),
                        Some("inner")
                    );
                    assert_eq!(current.len(), 2);
                    assert_eq!(current.ignored(), 1);
                },
            );
            assert_eq!(
                current_llm_attributes()
                    .iter()
                    .find(|(k, _)| *k == "llm.conversation_id")
                    .map(|(_, v)| v.to_string())
                    .as_deref(),
                Some("outer")
            );
        },
    );
    // A panic inside a scope still unwinds it.
    let result = std::panic::catch_unwind(|| {
        with_llm_attributes(LlmAttributes::new().with("llm.x", 1i64), || panic!("boom"))
    });
    assert!(result.is_err());
    assert!(current_llm_attributes().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoped_attributes_follow_a_future_across_awaits_and_threads() {
    let mut handles = Vec::new();
    for task in 0..16i64 {
        handles.push(tokio::spawn(
            async move {
                let mut seen = Vec::new();
                for _ in 0..10 {
                    // Each await may resume on another worker thread.
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    let current = current_llm_attributes();
                    seen.push(current.iter().next().map(|(_, v)| v.clone()));
                }
                (task, seen)
            }
            .with_llm_attributes(LlmAttributes::new().with("llm.task", task)),
        ));
    }
    for handle in handles {
        let (task, seen) = handle.await.unwrap();
        assert!(
            seen.iter().all(|v| *v == Some(AttrValue::Int(task))),
            "task {task}: {seen:?}"
        );
    }
    // Outside any scope, nothing leaks onto this thread.
    assert!(current_llm_attributes().is_empty());
}

#[test]
fn call_context_captures_scope_and_per_call_attributes() {
    let context = with_llm_attributes(
        LlmAttributes::new().with("llm.conversation_id", "c"),
        || {
            CallContext::capture()
                .with_call_attributes(&LlmAttributes::new().with("llm.turn", 3i64))
        },
    );
    assert_eq!(context.llm_attributes.len(), 2);
    assert_eq!(context.trace.trace_id.len(), 32);
    assert_eq!(context.trace.span_id.len(), 16);
    assert!(
        context
            .trace
            .trace_id
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
    );
}

#[test]
fn a_call_without_a_price_is_counted_and_carries_no_cost() {
    let recorder = Recorder::new(Config::default().enabled());
    let priced = invocation(Operation::InvokeModel);
    let mut unpriced = invocation(Operation::InvokeModel);
    unpriced.model_id = "acme.unknown-model-v1".to_owned();
    unpriced.parsed_model_id = None;
    recorder.record(&priced, &CallContext::detached());
    recorder.record(&unpriced, &CallContext::detached());
    let harvest = recorder.harvest();
    assert_eq!(
        harvest.metrics.get(metric::COST_UNPRICED).map(|m| m.count),
        Some(1)
    );
    let summaries: Vec<_> = harvest
        .events
        .iter()
        .filter(|e| e.event_type() == event_type::SUMMARY)
        .collect();
    assert_eq!(summaries.len(), 2);
    let costed = summaries
        .iter()
        .filter(|e| e.get("cost.price_table").is_some())
        .count();
    assert_eq!(costed, 1, "the priced call only; never a guessed $0");
}
