//! With the `opentelemetry` feature, events take `trace_id` and `span_id` from the current
//! OpenTelemetry context.

use bedrock_llm_events::TraceContext;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};

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
