//! The family-neutral model of one AWS Bedrock Runtime invocation.
//!
//! - [`ModelId`] parses every model-ID form Bedrock accepts.
//! - [`ModelRequest`], [`ModelResponse`] and [`BedrockModel`] are the traits
//!   [`#[bedrock_model]`](macro@bedrock_model) implements for a family's body types.
//! - [`RequestView`] and [`ResponseView`] are what a body says, with no family left in it;
//!   [`Invocation`] is the record of one call that events, metrics and logs are built from;
//!   [`InvocationBuilder`] is the one place that assembles it, for live calls and replay alike.
//! - [`Adapter`] erases a [`BedrockModel`] so registries and replay can hold any family;
//!   [`Registry`] resolves a model ID (any form) to its adapter — an ID that names no model
//!   through a pin, an alias or the request body's [`BodyShape`].
//!
//! - [`InvocationObserver`] is told of every instrumented call; with the `client` feature,
//!   [`client`] holds the async and blocking clients over `aws-sdk-bedrockruntime` and the SDK
//!   interceptor that feed it.
//!
//! Nothing in this crate names a model family.
//!
//! ## Features
#![doc = document_features::document_features!()]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod adapter;
mod assemble;
#[cfg(feature = "client")]
pub mod client;
mod error;
mod guardrail;
mod model;
mod model_id;
mod observe;
mod reasoning;
mod record;
mod registry;
mod segments;
mod shape;
mod stream;
mod value;
mod view;

mod extract;

// The code `#[bedrock_model]` generates names this crate by its own name; the crate's own
// tests derive models too.
#[cfg(all(test, feature = "derive"))]
extern crate self as bedrock_llm_core;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use adapter::{Adapter, AdapterOf, adapter};
pub use assemble::InvocationBuilder;
#[cfg(feature = "derive")]
pub use bedrock_llm_derive::bedrock_model;
pub use error::{
    BodyError, BodyErrorKind, BodySide, QUOTED_VALUE_CHARS, display_chain, shorten_quoted_values,
};
pub use guardrail::{
    GuardrailFinding, GuardrailStage, GuardrailUsage, read_guardrail_trace, snake_case,
};
pub use model::{BedrockModel, BodyRoles, ExchangeKind, ModelRequest, ModelResponse};
pub use model_id::{
    GEOGRAPHY_PREFIXES, KNOWN_PROVIDERS, MAX_MODEL_ID_LEN, ModelArn, ModelId, ModelIdError,
    ModelIdForm,
};
pub use observe::{CallStart, CallState, InvocationObserver};
pub use reasoning::split_inline_reasoning;
pub use record::{
    FailureKind, Invocation, InvocationError, Operation, Serving, StreamEnd, Timing, TokenSource,
    UNHANDLED_CODE, timestamp_text,
};
pub use registry::Registry;
pub use segments::{EmbeddingSegment, Segments};
pub use shape::{AliasError, BodyShape, MODEL_ALIASES_ENV, Routing, parse_aliases};
pub use stream::{DEFAULT_CONTENT_CAP, StreamAccumulator, StreamOutcome};
pub use value::{FloatVector, NumberOrString, TokenCount};
pub use view::{
    ChunkDelta, ChunkText, EmbeddingStats, FinishReason, ImageParams, ImageStats, Message,
    NormalizedFinishReason, Part, RequestParams, RequestView, RerankParams, RerankStats,
    ResponseView, Role, ServiceMetrics, ToolDefinition, Usage, VideoParams, VideoStats,
};
