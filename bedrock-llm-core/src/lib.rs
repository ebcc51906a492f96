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

pub mod adapter;
pub mod assemble;
#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod guardrail;
pub mod model;
pub mod model_id;
pub mod observe;
mod reasoning;
pub mod record;
pub mod registry;
pub mod shape;
pub mod stream;
pub mod value;
pub mod view;

mod extract;

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
pub use model::{BedrockModel, BodyRoles, ExchangeKind, ModelRequest, ModelResponse};
pub use model_id::{ModelArn, ModelId, ModelIdError, ModelIdForm};
pub use observe::{CallStart, CallState, InvocationObserver};
pub use record::{
    FailureKind, Invocation, InvocationError, Operation, Serving, StreamEnd, Timing, TokenSource,
    UNHANDLED_CODE,
};
pub use registry::Registry;
pub use shape::{AliasError, BodyShape, MODEL_ALIASES_ENV, Routing, parse_aliases};
pub use stream::{StreamAccumulator, StreamOutcome};
pub use value::{FloatVector, NumberOrString, TokenCount};
pub use view::{
    ChunkDelta, ChunkText, EmbeddingStats, FinishReason, ImageParams, ImageStats, Message,
    NormalizedFinishReason, Part, RequestParams, RequestView, RerankParams, RerankStats,
    ResponseView, Role, ServiceMetrics, ToolDefinition, Usage,
};
