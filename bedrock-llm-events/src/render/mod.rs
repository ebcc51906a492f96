//! Renderings of events and invocations: New Relic Event API JSON ([`newrelic`]) and
//! OpenTelemetry GenAI semantic-convention attributes on a `tracing` span ([`otel`]).

pub mod newrelic;
pub mod otel;
