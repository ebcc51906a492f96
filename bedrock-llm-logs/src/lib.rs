//! Bedrock model invocation logs (`ModelInvocationLog`, schema 1.0). Runtime metrics computed
//! from replayed records live with the other metrics, in `bedrock_llm_events::RuntimeMetrics`.
//!
//! - [`ModelInvocationLog`]: the record.
//! - [`LogReader`]: records from NDJSON files, gzipped S3 objects, directories, stdin and
//!   CloudWatch exports, streamed.
//! - [`replay()`]: a record into the neutral `Invocation`, through the same model adapters as
//!   live calls; LLM events then come from `bedrock_llm_events` as for live calls.
//! - [`to_record`]: an `Invocation` (with its bodies) back into a record.
//! - [`parse_timestamp`]: record timestamps, every ISO 8601 form the logs and exports write.
//! - [`BodyFetcher`]: the seam for bodies Bedrock offloaded to S3;
//!   [`notification`]: S3/SNS/EventBridge object-created notifications as SQS delivers them.
//! - `s3` (feature `s3`): log objects listed and streamed from S3, and the S3 body fetcher.
//! - `cloudwatch` (feature `cloudwatch`): a CloudWatch Logs group's events, in a time window;
//!   `cloudwatch_metrics`: Bedrock's own runtime and guardrail metrics from CloudWatch.
//!
//! ## Features
#![doc = document_features::document_features!()]

#[cfg(feature = "s3")]
pub mod aws_error;
#[cfg(feature = "cloudwatch")]
pub mod cloudwatch;
#[cfg(feature = "cloudwatch")]
pub mod cloudwatch_metrics;
mod fetch;
mod lenient;
pub mod notification;
mod reader;
mod record;
mod replay;
#[cfg(feature = "s3")]
pub mod s3;
mod timestamp;
mod writer;

pub use fetch::{BodyFetcher, DEFAULT_MAX_BODY_BYTES, FetchError, S3Uri};
pub use lenient::DroppedField;
pub use reader::{
    DEFAULT_MAX_RECORD_BYTES, Listed, LogReader, ReadItem, ReadOptions, ReadRecord, Skip, Source,
    list_sources,
};
pub use record::ModelInvocationLog;
pub use replay::{Replayed, call_context, id_seed, replay, replay_fetching};
pub use timestamp::{TimestampError, parse_timestamp, timestamp_ms};
pub use writer::{Caller, add_cost, cost_keys, record_json, to_record};
