//! A kit for adapter authors: the conformance suite bedrock-llm holds its own model families to,
//! for any `#[bedrock_model]` adapter — prebuilt or derived in your crate — driven by a sample
//! file of yours ([`SampleFile`]). One line in a test runs it all:
//!
//! ```no_run
//! # use bedrock_llm_core::bedrock_model;
//! # #[bedrock_model(request)] #[derive(Debug, Clone, PartialEq)] pub struct Req { #[llm(prompt)] pub prompt: String }
//! # #[bedrock_model(response)] #[derive(Debug, Clone, PartialEq)] pub struct Res { #[llm(completion)] pub text: String }
//! # #[bedrock_model(model, ids = ["acme.zeta-*"], request = Req, response = Res)] pub struct Zeta;
//! bedrock_llm_testkit::Conformance::<Zeta>::new()
//!     .samples("samples/zeta.json")
//!     .run();
//! ```
//!
//! The properties ([`suite::property`]): request and response bodies survive bytes → typed →
//! bytes → typed with their views unchanged; the views say what the sample's `expect` says,
//! field by field; hundreds of mutated bodies (values of the wrong type, keys dropped,
//! truncations, bytes that are not UTF-8, nesting and strings far past any limit) never panic
//! and always fail with a typed error carrying a JSON path; a streamed answer's chunks — and the
//! same chunks with any text delta split at any character — reassemble to the whole response's
//! record; events build and render as New Relic JSON and OpenTelemetry attributes; with content
//! recording off, no prompt or completion text appears in either. A failure names the property,
//! the case, the field or JSON path, and the input.
//!
//! [`assert_snapshots!`] snapshots each case's neutral record, New Relic events and
//! OpenTelemetry attributes with insta, volatile ids and timestamps redacted.
//!
//! Mutations and splits come from a seeded generator, not from proptest strategies derived by
//! the macro: the sample is the realistic starting point, and deriving generators for every
//! user type would cost every adapter crate a proptest dependency at build time.

mod expect;
pub mod fixtures;
mod mutate;
mod sample;
pub mod snapshot;
mod suite;

pub use sample::{Case, Expect, SampleError, SampleFile};
pub use suite::{Conformance, Failure, Report, property};
