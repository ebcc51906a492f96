//! Events and OpenTelemetry agree on ids: events take `trace_id` and `span_id` from the current
//! OpenTelemetry context (no feature needed), and a live client with telemetry sends a client
//! span per call — a child of the application's span — whose ids the call's events carry, plus
//! the GenAI metrics and the opt-in content event, all received over OTLP/HTTP and decoded with
//! the official protobuf definitions.

use std::sync::Arc;

use bedrock_llm_emulator::Emulator;
use bedrock_llm_events::names::event_type;
use bedrock_llm_events::{Config, Recorder, TraceContext};
use bedrock_llm_export::otlp::{OtlpOptions, OtlpPipeline};
use bedrock_llm_tests::otlp_receiver::{Receiver, any_to_json, histogram_points, str_attribute};
use opentelemetry::context::FutureExt as _;
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, Tracer as _,
    TracerProvider as _,
};

#[test]
fn ids_come_from_the_active_opentelemetry_span() {
    let trace_id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    let span_id = SpanId::from_hex("00f067aa0ba902b7").unwrap();
    let span_context = SpanContext::new(
        trace_id,
        span_id,
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    let context = opentelemetry::Context::current().with_remote_span_context(span_context);
    let guard = context.attach();
    let current = TraceContext::current();
    assert_eq!(current.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(current.span_id, "00f067aa0ba902b7");
    drop(guard);
    // Without an active OpenTelemetry span, ids are generated.
    assert_ne!(
        TraceContext::current().trace_id,
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
}

/// A Claude call and a Claude stream through the instrumented client, inside an application
/// span, with `config`; returns the receiver after the pipeline has delivered everything, the
/// application span's ids, and the harvested events.
async fn live_calls(config: Config) -> (Receiver, SpanContext, Vec<bedrock_llm_events::LlmEvent>) {
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let emulator = Emulator::builder().start().await.unwrap();
    let pipeline = OtlpPipeline::new(
        OtlpOptions::default()
            .endpoint(receiver.url())
            .default_service_name("otel-linking-test"),
    )
    .unwrap();
    let recorder = Arc::new(Recorder::new(config).with_telemetry(pipeline.telemetry()));
    let client = bedrock_llm_tests::harness::client(&emulator, &recorder);
    let samples = bedrock_llm_models::samples::all().unwrap();
    let chat = samples
        .iter()
        .find(|s| s.family_slug == "claude_messages" && s.case == "system_and_history")
        .unwrap();

    // The application's own span, current while the calls run.
    let app_tracer = pipeline.tracer_provider().tracer("app");
    let app_span = app_tracer.start("handle request");
    let app_context = opentelemetry::Context::current_with_span(app_span);
    let app_span_context = app_context.span().span_context().clone();
    async {
        client
            .invoke_raw(chat.model_id, chat.request.clone())
            .await
            .unwrap();
        let mut stream = client
            .invoke_stream_raw(chat.model_id, chat.request.clone())
            .await
            .unwrap();
        while stream.recv().await.unwrap().is_some() {}
    }
    .with_context(app_context.clone())
    .await;
    app_context.span().end();

    let harvest = recorder.harvest();
    tokio::task::spawn_blocking(move || pipeline.shutdown())
        .await
        .unwrap()
        .unwrap();
    (receiver, app_span_context, harvest.events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_calls_send_child_spans_metrics_and_content_events_whose_ids_events_carry() {
    let (receiver, app, events) =
        live_calls(Config::default().enabled().with_otel_content(true)).await;

    let spans = receiver.spans();
    let calls: Vec<_> = spans
        .iter()
        .filter(|(_, s)| s.name.starts_with("chat "))
        .collect();
    assert_eq!(calls.len(), 2, "{spans:#?}");
    for (resource, span) in &calls {
        assert_eq!(span.kind, 3, "client");
        assert_eq!(span.trace_id, app.trace_id().to_bytes().to_vec());
        assert_eq!(span.parent_span_id, app.span_id().to_bytes().to_vec());
        assert_eq!(
            str_attribute(resource, "service.name"),
            Some("otel-linking-test")
        );
        assert!(span.end_time_unix_nano > span.start_time_unix_nano);
        // Content goes to the event, not the span.
        assert!(
            span.attributes
                .iter()
                .all(|kv| kv.key != "gen_ai.input.messages")
        );
    }
    // Each call's events carry its span's ids.
    let summaries: Vec<_> = events
        .iter()
        .filter(|e| e.event_type() == event_type::SUMMARY)
        .collect();
    assert_eq!(summaries.len(), 2);
    for summary in &summaries {
        let json = bedrock_llm_events::render::newrelic::event_json(summary);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let span_id = value["span_id"].as_str().unwrap();
        let trace_id = value["trace_id"].as_str().unwrap();
        assert_eq!(trace_id, app.trace_id().to_string());
        assert!(
            calls.iter().any(|(_, s)| hex(&s.span_id) == span_id),
            "{span_id} is one of the call spans"
        );
    }

    let metrics = receiver.metrics();
    let usage: Vec<_> = metrics
        .iter()
        .filter(|(_, m)| m.name == "gen_ai.client.token.usage")
        .flat_map(|(_, m)| histogram_points(m))
        .collect();
    assert_eq!(
        usage.iter().map(|p| p.count).sum::<u64>(),
        4,
        "input and output, twice"
    );
    let durations: Vec<_> = metrics
        .iter()
        .filter(|(_, m)| m.name == "gen_ai.client.operation.duration")
        .flat_map(|(_, m)| histogram_points(m))
        .collect();
    assert_eq!(durations.iter().map(|p| p.count).sum::<u64>(), 2);
    assert!(
        metrics
            .iter()
            .any(|(_, m)| m.name == "gen_ai.client.operation.time_to_first_chunk")
    );

    let records = receiver.log_records();
    assert_eq!(records.len(), 2, "one content event per call");
    for record in &records {
        assert!(calls.iter().any(|(_, s)| s.span_id == record.span_id));
        let input = record
            .attributes
            .iter()
            .find(|kv| kv.key == "gen_ai.input.messages")
            .and_then(|kv| kv.value.as_ref())
            .map(any_to_json)
            .expect("input messages");
        assert!(input.as_array().is_some_and(|m| !m.is_empty()), "{input}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_content_off_no_content_goes_out_whatever_otel_content_says() {
    let (receiver, _, _) = live_calls(
        Config::default()
            .enabled()
            .with_content(false)
            .with_otel_content(true),
    )
    .await;
    assert!(receiver.log_records().is_empty());
    let spans = receiver.spans();
    assert!(spans.iter().any(|(_, s)| s.name.starts_with("chat ")));
    for (_, span) in &spans {
        assert!(span.attributes.iter().all(|kv| !matches!(
            kv.key.as_str(),
            "gen_ai.input.messages" | "gen_ai.output.messages" | "gen_ai.system_instructions"
        )));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_events_are_opt_in() {
    let (receiver, _, _) = live_calls(Config::default().enabled()).await;
    assert!(
        receiver.log_records().is_empty(),
        "otel_content is off by default"
    );
    assert!(
        receiver
            .metrics()
            .iter()
            .any(|(_, m)| m.name == "gen_ai.client.token.usage")
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
