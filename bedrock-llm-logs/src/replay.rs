//! Replay: one invocation-log record becomes the same neutral [`Invocation`] a live call gives,
//! through the same assembler ([`InvocationBuilder`]) and adapters — InvokeModel bodies by
//! family, InvokeModelWithResponseStream chunk arrays as stream chunks, Converse and
//! ConverseStream bodies through the registry's Converse slot. What this module knows is the
//! log's layout; every rule about the record is the builder's, and the rules of a replayed
//! call's context (derived ids, `requestMetadata`) are [`call_context`]'s.

use bedrock_llm_core::{
    Invocation, InvocationBuilder, InvocationError, Operation, Registry, Serving,
};
use bedrock_llm_events::{CallContext, LlmAttributes};
use bytes::Bytes;
use serde_json::value::RawValue;

use crate::fetch::{BodyFetcher, FetchError, body_text};
use crate::record::{ModelInvocationLog, timestamp_ms};

/// Replays one record into an invocation. Never fails: what a record lacks is absent. Bodies
/// offloaded to S3 stay absent; [`replay_fetching`] fetches them.
pub fn replay(record: &ModelInvocationLog, registry: &Registry) -> Invocation {
    replay_fetching(record, registry, None, 0).invocation
}

/// A replayed record, and the offloaded bodies that could not be fetched for it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Replayed {
    /// The invocation.
    pub invocation: Invocation,
    /// Offloaded bodies that could not be had; the record is replayed without them.
    pub fetch_failures: Vec<FetchError>,
}

/// [`replay`], fetching bodies the record offloaded to S3 (`inputBodyS3Path`,
/// `outputBodyS3Path`, at most `max_body_bytes` each) through `fetcher` and replaying them like
/// inline ones. A body that cannot be fetched is reported in [`Replayed::fetch_failures`] and
/// the record still gives its summary.
pub fn replay_fetching(
    record: &ModelInvocationLog,
    registry: &Registry,
    fetcher: Option<&dyn BodyFetcher>,
    max_body_bytes: u64,
) -> Replayed {
    let mut fetch_failures = Vec::new();
    let mut fetched = |inline: Option<&RawValue>, offloaded: Option<&String>| -> Option<String> {
        if let Some(inline) = inline {
            return Some(inline.get().to_owned());
        }
        let (fetcher, uri) = (fetcher?, offloaded?);
        match fetcher
            .fetch(uri, max_body_bytes)
            .and_then(|bytes| body_text(uri, bytes, max_body_bytes))
        {
            Ok(text) => Some(text),
            Err(error) => {
                fetch_failures.push(error);
                None
            }
        }
    };
    let request_body = record
        .input
        .as_ref()
        .and_then(|i| fetched(i.input_body_json.as_deref(), i.input_body_s3_path.as_ref()));
    let response_body = record.output.as_ref().and_then(|o| {
        fetched(
            o.output_body_json.as_deref(),
            o.output_body_s3_path.as_ref(),
        )
    });
    Replayed {
        invocation: assemble(record, registry, request_body, response_body),
        fetch_failures,
    }
}

/// The record through the builder. The bodies are handed over as they are (no copy); a
/// stream's chunks are slices of its one body.
fn assemble(
    record: &ModelInvocationLog,
    registry: &Registry,
    request_body: Option<String>,
    response_body: Option<String>,
) -> Invocation {
    let model_id = record.model_id.clone().unwrap_or_default();
    let operation = record
        .operation
        .as_deref()
        .and_then(Operation::from_name)
        .unwrap_or(Operation::InvokeModel);
    let mut builder = InvocationBuilder::new(
        registry,
        model_id,
        operation,
        request_body.as_deref().map(str::as_bytes),
    );
    builder
        .request_id(record.request_id.clone())
        .region(record.region.clone())
        .started_at_ms(started_at_ms(record))
        .serving(
            Serving::default()
                .with_inference_region(record.inference_region.clone())
                .with_latency(
                    record
                        .performance_config
                        .as_ref()
                        .and_then(|config| config.get("latency"))
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned),
                ),
        )
        .logged_video(record.output.as_ref().and_then(|o| o.video_stats()))
        .logged_counts(
            record
                .input
                .as_ref()
                .and_then(|i| i.input_token_count)
                .map(|c| c.get()),
            record
                .output
                .as_ref()
                .and_then(|o| o.output_token_count)
                .map(|c| c.get()),
        );
    if let Some(body) = request_body {
        builder.request_body(Bytes::from(body));
    }
    match (operation, response_body.map(Bytes::from)) {
        // Bedrock logs an InvokeModel stream as the array of its decoded chunks.
        (Operation::InvokeModelWithResponseStream, Some(body)) => {
            let chunks = serde_json::from_slice::<Vec<&RawValue>>(&body)
                .ok()
                .map(|chunks| {
                    chunks
                        .into_iter()
                        .map(|chunk| body.slice_ref(chunk.get().as_bytes()))
                        .collect::<Vec<_>>()
                });
            match chunks {
                Some(chunks) => {
                    for chunk in chunks {
                        builder.stream_chunk(chunk);
                    }
                }
                // A single object logged for a stream: read it as a whole response.
                None => {
                    builder.response_body(body);
                }
            }
        }
        (_, Some(body)) => {
            builder.response_body(body);
        }
        (_, None) => {}
    }
    if let Some(code) = &record.error_code {
        builder.fail(InvocationError::new(code.clone()));
    }
    builder.finish()
}

/// When the record's call started: its timestamp, or — for a record without a usable one (the
/// reader has reported it) — the time it is replayed, so no event or metric is dated 1970
/// (`docs/invocation-logs.md` §3).
fn started_at_ms(record: &ModelInvocationLog) -> u64 {
    record
        .timestamp
        .as_deref()
        .and_then(timestamp_ms)
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |since| since.as_millis() as u64)
        })
}

/// The call context of a replayed record — the rules every replay follows, so the library gives
/// what the CLI gives: event, trace and span ids derived from the record ([`id_seed`]), so
/// replaying the same logs twice (or the same object from S3 and from a local copy) gives
/// identical events; and its `requestMetadata` as `llm.` custom attributes (a key already
/// starting with `llm.` kept as is). `line` is the record's line in its file (a seed for records
/// without a request id).
pub fn call_context(record: &ModelInvocationLog, line: u64) -> CallContext {
    CallContext::replayed(id_seed(record, line)).with_call_attributes(&metadata_attributes(record))
}

/// The seed a record's ids are derived from: its account and request id, or, for a record
/// without one, its timestamp, model and place in the file — the same wherever the file is
/// read from (a local copy or the S3 object).
pub fn id_seed(record: &ModelInvocationLog, line: u64) -> String {
    let account = record.account_id.as_deref().unwrap_or("-");
    match &record.request_id {
        Some(request_id) => format!("{account}/{request_id}"),
        None => format!(
            "{account}/{}/{}/line {line}",
            record.timestamp.as_deref().unwrap_or("-"),
            record.model_id.as_deref().unwrap_or("-"),
        ),
    }
}

/// `requestMetadata` as `llm.` custom attributes: a key already starting with `llm.` kept as
/// is, any other prefixed with `llm.`; strings, booleans and numbers keep their type, anything
/// else becomes its JSON text.
pub(crate) fn metadata_attributes(record: &ModelInvocationLog) -> LlmAttributes {
    let mut attributes = LlmAttributes::new();
    for (key, value) in record.request_metadata.iter().flatten() {
        let key = if key.starts_with("llm.") {
            key.clone()
        } else {
            format!("llm.{key}")
        };
        match value {
            serde_json::Value::String(s) => attributes.insert(key, s.clone()),
            serde_json::Value::Bool(b) => attributes.insert(key, *b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => attributes.insert(key, i),
                None => attributes.insert(key, n.as_f64().unwrap_or_default()),
            },
            other => attributes.insert(key, other.to_string()),
        };
    }
    attributes
}
