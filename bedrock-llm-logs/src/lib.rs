//! Bedrock model invocation logs (`ModelInvocationLog`, schema 1.0). Runtime metrics computed
//! from replayed records live with the other metrics, in `bedrock_llm_events::runtime`.
//!
//! - [`record`]: the record types.
//! - [`reader`]: records from NDJSON files, gzipped S3 objects, directories, stdin and
//!   CloudWatch exports, streamed.
//! - [`replay`]: a record into the neutral `Invocation`, through the same model adapters as
//!   live calls; LLM events then come from `bedrock_llm_events` as for live calls.
//! - [`writer`]: an `Invocation` (with its bodies) back into a record.

mod lenient;
pub mod reader;
pub mod record;
pub mod replay;
pub mod writer;

pub use lenient::DroppedField;
pub use reader::{LogReader, ReadItem, ReadOptions, ReadRecord, Skip, Source};
pub use record::ModelInvocationLog;
pub use replay::replay;
pub use writer::to_record;
