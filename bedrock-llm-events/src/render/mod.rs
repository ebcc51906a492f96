//! Renderings of events and invocations: New Relic Event API JSON ([`newrelic`]),
//! OpenTelemetry GenAI semantic-convention attributes ([`otel`]) and
//! Elastic's Amazon Bedrock documents ([`elastic`]); [`payloads`] keeps generated images out of
//! all of them.

pub mod elastic;
mod json_text;
pub mod newrelic;
pub mod otel;
mod otel_attributes;
mod otel_content;
mod otel_kinds;
mod otel_value;
pub mod payloads;
