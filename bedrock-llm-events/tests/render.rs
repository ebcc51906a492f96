//! Renderings: New Relic Event API JSON and OpenTelemetry GenAI attributes on a span.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bedrock_llm_core::{
    ExchangeKind, FinishReason, Invocation, InvocationError, Message, Operation, RequestParams,
    RequestView, ResponseView, Role, Usage,
};
use bedrock_llm_events::render::{newrelic, otel};
use bedrock_llm_events::{CallContext, Config, TraceContext, build_events};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

fn chat() -> Invocation {
    let mut record = Invocation::new(
        "anthropic.claude-3-haiku-20240307-v1:0",
        Operation::InvokeModel,
    );
    record.kind = Some(ExchangeKind::Chat);
    record.region = Some("us-west-2".into());
    record.request_id = Some("req-9".into());
    record.timing.started_at_ms = 1_700_000_000_000;
    record.timing.duration = Some(Duration::from_millis(300));
    record.request = Some(RequestView {
        messages: vec![
            Message::new(Role::System, "sys \"quoted\""),
            Message::new(Role::User, "hi\nthere"),
        ],
        params: RequestParams {
            max_tokens: Some(50),
            temperature: Some(0.7),
            top_p: Some(0.9),
            top_k: Some(40),
            stop_sequences: vec!["END".into()],
            ..Default::default()
        },
        tool_names: vec!["lookup".into()],
        ..Default::default()
    });
    record.response = Some(ResponseView {
        messages: vec![Message {
            finish_reason: Some(FinishReason::from_raw("max_tokens")),
            ..Message::new(Role::Assistant, "hello 👋")
        }],
        finish_reason: Some(FinishReason::from_raw("max_tokens")),
        usage: Usage {
            input_tokens: Some(10),
            output_tokens: Some(50),
            cache_read_input_tokens: Some(4),
            ..Default::default()
        },
        response_id: Some("msg_1".into()),
        response_model: Some("claude-3-haiku-20240307".into()),
        embedding: None,
        images: None,
        rerank: None,
        videos: None,
    });
    record
}

#[test]
fn new_relic_ndjson_is_one_flat_object_per_line() {
    let built = build_events(
        &chat(),
        &Config::default().enabled(),
        &CallContext::detached(),
    );
    let text = newrelic::ndjson(&built.events);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    for line in &lines {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let object = value.as_object().unwrap();
        assert!(object.get("eventType").and_then(|v| v.as_str()).is_some());
        assert!(object.get("timestamp").and_then(|v| v.as_u64()).is_some());
        assert!(
            object.values().all(|v| !v.is_object() && !v.is_array()),
            "flat: {line}"
        );
        assert!(line.starts_with("{\"eventType\":"));
    }
    let summary: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(summary["eventType"], "LlmChatCompletionSummary");
    assert_eq!(summary["timestamp"], 1_700_000_000_000u64);
    assert_eq!(summary["request.temperature"], 0.7);
    assert_eq!(summary["response.usage.total_tokens"], 60);
    let response: serde_json::Value = serde_json::from_str(lines[3]).unwrap();
    assert_eq!(response["content"], "hello 👋");
    assert_eq!(
        response["timestamp"], 1_700_000_000_300u64,
        "the event time when there is no timestamp attribute"
    );
    let array: serde_json::Value = serde_json::from_str(&newrelic::payload(&built.events)).unwrap();
    assert_eq!(array.as_array().map(Vec::len), Some(4));
}

#[test]
fn error_reports_render_as_transaction_errors() {
    let mut record = chat();
    record.error = Some(
        InvocationError::new("ValidationException")
            .with_status(400)
            .with_message("bad"),
    );
    let built = build_events(
        &record,
        &Config::default().enabled(),
        &CallContext::detached(),
    );
    let json: serde_json::Value =
        serde_json::from_str(&newrelic::error_json(built.error.as_ref().unwrap(), 5)).unwrap();
    assert_eq!(json["eventType"], "LlmError");
    assert_eq!(json["error.class"], "ValidationException");
    assert_eq!(json["error.code"], "ValidationException");
    assert_eq!(json["http.statusCode"], 400);
    assert_eq!(
        json["completion_id"].as_str(),
        built.events[0].get_str("id")
    );
}

#[test]
fn genai_attributes_follow_the_conventions() {
    let attributes: BTreeMap<&str, String> = otel::attributes(&chat(), &Config::default())
        .into_iter()
        .map(|(k, v)| (k, v.to_text()))
        .collect();
    let get = |k: &str| attributes.get(k).map(String::as_str);
    assert_eq!(get("gen_ai.provider.name"), Some("aws.bedrock"));
    assert_eq!(get("gen_ai.operation.name"), Some("chat"));
    assert_eq!(
        get("gen_ai.request.model"),
        Some("anthropic.claude-3-haiku-20240307-v1:0")
    );
    assert_eq!(
        get("gen_ai.response.model"),
        Some("claude-3-haiku-20240307")
    );
    assert_eq!(get("gen_ai.request.max_tokens"), Some("50"));
    assert_eq!(get("gen_ai.request.top_k"), Some("40"));
    assert_eq!(get("gen_ai.request.stop_sequences"), Some("[\"END\"]"));
    assert_eq!(get("gen_ai.response.finish_reasons"), Some("[\"length\"]"));
    assert_eq!(get("gen_ai.response.id"), Some("msg_1"));
    assert_eq!(get("gen_ai.usage.input_tokens"), Some("10"));
    assert_eq!(get("gen_ai.usage.output_tokens"), Some("50"));
    assert_eq!(get("gen_ai.usage.cache_read.input_tokens"), Some("4"));
    assert_eq!(
        get("server.address"),
        Some("bedrock-runtime.us-west-2.amazonaws.com")
    );
    assert_eq!(get("gen_ai.request.stream"), None);
    assert_eq!(
        get("gen_ai.input.messages"),
        None,
        "content needs the explicit opt-in"
    );
    assert_eq!(
        otel::span_name(&chat()),
        "chat anthropic.claude-3-haiku-20240307-v1:0"
    );

    let with_content = Config::default().with_otel_content(true);
    let attributes: BTreeMap<&str, String> = otel::attributes(&chat(), &with_content)
        .into_iter()
        .map(|(k, v)| (k, v.to_text()))
        .collect();
    let input: serde_json::Value =
        serde_json::from_str(&attributes["gen_ai.input.messages"]).unwrap();
    assert_eq!(input[0]["role"], "user");
    assert_eq!(input[0]["parts"][0]["content"], "hi\nthere");
    let output: serde_json::Value =
        serde_json::from_str(&attributes["gen_ai.output.messages"]).unwrap();
    assert_eq!(output[0]["finish_reason"], "length");
    let system: serde_json::Value =
        serde_json::from_str(&attributes["gen_ai.system_instructions"]).unwrap();
    assert_eq!(system[0]["content"], "sys \"quoted\"");
    assert!(attributes.contains_key("gen_ai.tool.definitions"));
    let no_content = Config::default()
        .with_otel_content(true)
        .with_content(false);
    assert!(
        otel::attributes(&chat(), &no_content)
            .iter()
            .all(|(k, _)| !k.contains("messages"))
    );
}

/// A span's name and its recorded fields.
type CapturedSpan = (String, BTreeMap<String, String>);

/// Captures span names and recorded fields.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<CapturedSpan>>>);

impl Capture {
    fn spans(&self) -> std::sync::MutexGuard<'_, Vec<CapturedSpan>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

struct FieldVisitor<'a>(&'a mut BTreeMap<String, String>);

impl Visit for FieldVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut FieldVisitor(&mut fields));
        fields.insert("__id".into(), id.into_u64().to_string());
        self.spans()
            .push((attrs.metadata().name().to_owned(), fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut spans = self.spans();
        if let Some((_, fields)) = spans
            .iter_mut()
            .find(|(_, f)| f.get("__id") == Some(&id.into_u64().to_string()))
        {
            values.record(&mut FieldVisitor(fields));
        }
    }
}

#[test]
fn genai_span_carries_the_attributes() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    tracing::subscriber::with_default(subscriber, || {
        let mut failed = chat();
        failed.error = Some(InvocationError::new("ThrottlingException").with_status(429));
        bedrock_llm_events::GenAiSpan::emit(&failed, &Config::default());
    });
    let spans = capture.spans();
    let (name, fields) = &spans[0];
    assert_eq!(name, "gen_ai");
    assert_eq!(
        fields["otel.name"],
        "chat anthropic.claude-3-haiku-20240307-v1:0"
    );
    assert_eq!(fields["otel.kind"], "client");
    assert_eq!(fields["gen_ai.provider.name"], "aws.bedrock");
    assert_eq!(fields["gen_ai.usage.output_tokens"], "50");
    assert_eq!(fields["gen_ai.response.finish_reasons"], "[\"length\"]");
    assert_eq!(fields["error.type"], "ThrottlingException");
    assert_eq!(fields["otel.status_code"], "ERROR");
    // The cost rides on the live span too (its tokens at the shipped table's prices).
    assert!(
        fields["aws.bedrock.cost.price_table"].starts_with("2026-12-07"),
        "{fields:?}"
    );
    assert!(
        fields.contains_key("aws.bedrock.cost.total_usd"),
        "{fields:?}"
    );
}

#[test]
fn events_link_to_the_current_tracing_span() {
    let subscriber = tracing_subscriber::registry();
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("handler");
        let _entered = span.enter();
        let trace = TraceContext::current();
        let id = span.id().unwrap().into_u64();
        assert_eq!(trace.span_id, format!("{id:016x}"));
        assert_eq!(trace.trace_id.len(), 32);
        // Stable for the span: all events of one call group together.
        assert_eq!(TraceContext::current(), trace);
    });
    // No span: fresh ids every time.
    assert_ne!(TraceContext::current(), TraceContext::current());
}
