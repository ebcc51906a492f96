//! Replay: one invocation-log record becomes the same neutral [`Invocation`] a live call gives,
//! through the same assembler ([`InvocationBuilder`]) and adapters — InvokeModel bodies by
//! family, InvokeModelWithResponseStream chunk arrays as stream chunks, Converse and
//! ConverseStream bodies through the registry's Converse slot. What this module knows is the
//! log's layout; every rule about the record is the builder's.

use bedrock_llm_core::{Invocation, InvocationBuilder, InvocationError, Operation, Registry};
use bytes::Bytes;
use serde_json::value::RawValue;

use crate::record::{ModelInvocationLog, timestamp_ms};

/// Replays one record into an invocation. Never fails: what a record lacks is absent.
pub fn replay(record: &ModelInvocationLog, registry: &Registry) -> Invocation {
    let model_id = record.model_id.clone().unwrap_or_default();
    let operation = record
        .operation
        .as_deref()
        .and_then(Operation::from_name)
        .unwrap_or(Operation::InvokeModel);
    let request_body = record
        .input
        .as_ref()
        .and_then(|i| i.input_body_json.as_deref())
        .map(RawValue::get);
    let response_body = record
        .output
        .as_ref()
        .and_then(|o| o.output_body_json.as_deref())
        .map(RawValue::get);
    let mut builder = InvocationBuilder::new(
        registry,
        model_id,
        operation,
        request_body.map(str::as_bytes),
    );
    builder
        .request_id(record.request_id.clone())
        .region(record.region.clone())
        .started_at_ms(
            record
                .timestamp
                .as_deref()
                .and_then(timestamp_ms)
                .unwrap_or(0),
        )
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
        builder.request_body(Bytes::copy_from_slice(body.as_bytes()));
    }
    match (operation, response_body) {
        // Bedrock logs an InvokeModel stream as the array of its decoded chunks.
        (Operation::InvokeModelWithResponseStream, Some(body)) => {
            match serde_json::from_str::<Vec<&RawValue>>(body) {
                Ok(chunks) => {
                    for chunk in chunks {
                        builder.stream_chunk(Bytes::copy_from_slice(chunk.get().as_bytes()));
                    }
                }
                // A single object logged for a stream: read it as a whole response.
                Err(_) => {
                    builder.response_body(Bytes::copy_from_slice(body.as_bytes()));
                }
            }
        }
        (_, Some(body)) => {
            builder.response_body(Bytes::copy_from_slice(body.as_bytes()));
        }
        (_, None) => {}
    }
    if let Some(code) = &record.error_code {
        builder.fail(InvocationError::new(code.clone()));
    }
    builder.finish()
}
