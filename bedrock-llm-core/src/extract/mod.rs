//! The engine that turns a typed body into its neutral view, for the code `#[bedrock_model]`
//! generates (reached through the `__private` facade):
//!
//! - [`codec`]: bodies in and out — parsing with a JSON path on failure, routing-key scans,
//!   stream chunks (and chunks of a shape no field knows);
//! - [`collector`]: the [`Collector`](collector::Collector) that assembles messages, parameters
//!   and counts from the values a body reports, into the places [`slots`] names;
//! - [`shapes`]: one trait per value shape a role accepts ([`TextValue`](shapes::TextValue),
//!   [`IntValue`](shapes::IntValue), …), so a field of the wrong type fails to compile at the
//!   field, with the trait's `on_unimplemented` message;
//! - [`write`]: the functions generated code calls, one per role kind;
//! - `key_scan`: the byte scan that finds a routing key at a body's top level.

pub(crate) mod codec;
pub(crate) mod collector;
mod key_scan;
pub(crate) mod shapes;
pub(crate) mod slots;
pub(crate) mod write;
