//! LLM events built from the neutral invocation record (`bedrock_llm_core::Invocation`):
//!
//! - [`build_events`] turns one invocation into an `LlmChatCompletionSummary` and its
//!   `LlmChatCompletionMessage`s, or an `LlmEmbedding`, plus an [`ErrorReport`] for a failure;
//!   [`LlmEvent::builder`] is the builder under them, enforcing the attribute limits.
//! - [`Config`] sets what is recorded; [`LlmAttributes`] and [`with_llm_attributes`] /
//!   [`LlmAttributesExt`] scope `llm.` custom attributes; [`TraceContext`] links events to a
//!   trace.
//! - [`Recorder`] keeps events (bounded, sampled uniformly), error reports and [`metrics`]
//!   between harvests, and takes [`Feedback`]. It is the client layer's
//!   `InvocationObserver`: hand an `Arc<Recorder>` to `bedrock_llm_core::client`.
//! - [`render`] writes New Relic Event API JSON and OpenTelemetry GenAI attributes;
//!   [`GenAiTelemetry`] sends an invocation's OpenTelemetry span, GenAI metrics and content
//!   event through the providers an application set up (hand it to
//!   [`Recorder::with_telemetry`] for live calls).
//!
//! - [`cost`] prices a call from a dated, overridable price table by Bedrock's billing rules.
//!
//! This crate reads the neutral record only; it never names a model family.
//!
//! # Where this differs from other agents
//!
//! The choices of `docs/llm-events.md` hold: body token counts first (Java), a callback only for
//! gaps unless `token_precedence = callback_first` (Python, Node); zero counts are valid
//! (Node drops them); a real `temperature: 0` is kept (Node drops it, Java invents `0.0` when
//! absent); `is_response` is omitted on request messages (Java sends `false`); Cohere's
//! several embedding `texts` make one event with the texts joined by `\n` (Java emits one per
//! text); every message of a conversation is recorded (Python's Converse path records only
//! the last); an error report's `completion_id` is the summary's `id` (Python draws an
//! unrelated UUID).
//!
//! Additions of this project: a streamed call the caller dropped before its end is recorded
//! with the content seen so far and `incomplete: true` on its summary; the agents either
//! record nothing or record it as complete.

mod attribute;
mod build;
mod config;
mod context;
pub mod cost;
mod event;
pub mod guardrail_metrics;
mod kind_facts;
pub mod metrics;
pub mod names;
mod observer;
pub mod pulled;
mod recorder;
pub mod render;
mod runtime;
mod span;
mod telemetry;
mod worker;

pub use attribute::{AttrValue, Limits, Text};
pub use build::{
    EmittedEvents, ErrorReport, InvocationEvents, TokenTier, build_events, emit_events,
};
pub use config::{Config, ConfigError, DEFAULT_RECORDING_QUEUE, TokenCallback, TokenPrecedence};
pub use context::{
    CallContext, LlmAttributes, LlmAttributesExt, TraceContext, WithLlmAttributes,
    current_llm_attributes, with_llm_attributes,
};
pub use event::{LlmEvent, LlmEventBuilder};
pub use recorder::{ERROR_REPORT_CAPACITY, Feedback, Harvest, Recorder, now_ms};
pub use runtime::{DEFAULT_NAMESPACE, MetricsConfigError, RuntimeMetrics};
pub use span::GenAiSpan;
pub use telemetry::{GenAiTelemetry, PresetIds};
