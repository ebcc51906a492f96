//! Cross-crate tests for bedrock-llm. The library part is a living example: [`acme`] derives an
//! adapter for a model the workspace does not ship, exactly as a user's crate would; [`fixtures`]
//! reads the fixture tree the cross-crate tests share; [`harness`] sets up clients against the
//! emulator; [`newrelic_receiver`] is a New Relic ingest endpoint on 127.0.0.1 that enforces
//! the APIs' contract and scripts faults; [`otlp_receiver`] is an OTLP/HTTP receiver decoding
//! with the official protobuf definitions; [`loopback`] serves both; [`moto`] is a real S3 and
//! SQS on 127.0.0.1.

pub mod acme;
pub mod connect_proxy;
pub mod elastic_receiver;
pub mod fixtures;
pub mod harness;
pub mod logs;
pub mod loopback;
pub mod moto;
pub mod newrelic_receiver;
pub mod otlp_receiver;
pub mod throttle_front;

// The README's Rust snippets run as doc tests here, so the quickstart cannot go stale.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
