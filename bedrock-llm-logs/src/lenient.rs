//! Reading a record that the strict parse refused: each documented field is read on its own,
//! so one wrongly typed metadata field (`"identity": "x"`) costs that field, not the record.
//! Only the slow path of a refused line comes here; well-formed records never do.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::record::{Identity, LogInput, LogOutput, ModelInvocationLog};
use crate::timestamp::parse_timestamp;

/// A field dropped from a record because its value had the wrong type or could not be
/// represented (a timestamp before 1970, a count beyond 2^64).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedField {
    /// The field's JSON path, e.g. `$.input.inputTokenCount`.
    pub path: &'static str,
    /// What was wrong, with any quoted input value cut short.
    pub reason: String,
}

impl std::fmt::Display for DroppedField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// The members of one JSON object, values left as raw text.
pub(crate) type Members = HashMap<String, Box<RawValue>>;

/// Reads fields one at a time, collecting what it drops.
pub(crate) struct FieldReader<'d> {
    /// Characters of a wrongly typed value that a reason may quote.
    pub(crate) quote_chars: usize,
    pub(crate) dropped: &'d mut Vec<DroppedField>,
}

impl FieldReader<'_> {
    fn field<T: DeserializeOwned>(
        &mut self,
        members: &Members,
        key: &str,
        path: &'static str,
    ) -> Option<T> {
        let raw = members.get(key)?;
        match serde_json::from_str::<Option<T>>(raw.get()) {
            Ok(value) => value,
            Err(error) => {
                self.reject(path, &error.to_string());
                None
            }
        }
    }

    fn reject(&mut self, path: &'static str, reason: &str) {
        let reason = bedrock_llm_core::shorten_quoted_values(reason, self.quote_chars);
        // serde_json's position refers to the field's own text, not the line: leave it out.
        let reason = match reason.find(" at line ") {
            Some(at) => reason[..at].to_owned(),
            None => reason.into_owned(),
        };
        self.dropped.push(DroppedField { path, reason });
    }

    fn object(&mut self, members: &Members, key: &str, path: &'static str) -> Option<Members> {
        self.field::<Members>(members, key, path)
    }

    /// The record from `members`, each field read alone.
    pub(crate) fn record(&mut self, members: &Members) -> ModelInvocationLog {
        let identity = self
            .object(members, "identity", "$.identity")
            .map(|identity| Identity {
                arn: self.field(&identity, "arn", "$.identity.arn"),
            });
        let input = self
            .object(members, "input", "$.input")
            .map(|input| LogInput {
                input_content_type: self.field(
                    &input,
                    "inputContentType",
                    "$.input.inputContentType",
                ),
                input_body_json: input.get("inputBodyJson").cloned(),
                input_body_s3_path: self.field(
                    &input,
                    "inputBodyS3Path",
                    "$.input.inputBodyS3Path",
                ),
                input_token_count: self.field(&input, "inputTokenCount", "$.input.inputTokenCount"),
                cache_read_input_token_count: self.field(
                    &input,
                    "cacheReadInputTokenCount",
                    "$.input.cacheReadInputTokenCount",
                ),
                cache_write_input_token_count: self.field(
                    &input,
                    "cacheWriteInputTokenCount",
                    "$.input.cacheWriteInputTokenCount",
                ),
            });
        let output = self
            .object(members, "output", "$.output")
            .map(|output| LogOutput {
                output_content_type: self.field(
                    &output,
                    "outputContentType",
                    "$.output.outputContentType",
                ),
                output_body_json: output.get("outputBodyJson").cloned(),
                output_body_s3_path: self.field(
                    &output,
                    "outputBodyS3Path",
                    "$.output.outputBodyS3Path",
                ),
                output_token_count: self.field(
                    &output,
                    "outputTokenCount",
                    "$.output.outputTokenCount",
                ),
                output_video: output
                    .get("outputVideo")
                    .and_then(|raw| serde_json::from_str(raw.get()).ok()),
            });
        let mut record = ModelInvocationLog {
            schema_type: self.field(members, "schemaType", "$.schemaType"),
            schema_version: self.field(members, "schemaVersion", "$.schemaVersion"),
            timestamp: self.field(members, "timestamp", "$.timestamp"),
            account_id: self.field(members, "accountId", "$.accountId"),
            identity,
            region: self.field(members, "region", "$.region"),
            request_id: self.field(members, "requestId", "$.requestId"),
            operation: self.field(members, "operation", "$.operation"),
            model_id: self.field(members, "modelId", "$.modelId"),
            input,
            output,
            error_code: self.field(members, "errorCode", "$.errorCode"),
            inference_region: self.field(members, "inferenceRegion", "$.inferenceRegion"),
            request_metadata: self.field(members, "requestMetadata", "$.requestMetadata"),
            status: self.field(members, "status", "$.status"),
            performance_config: self.field(members, "performanceConfig", "$.performanceConfig"),
        };
        self.check(&mut record);
        record
    }

    /// Drops what parsed but cannot be represented: a timestamp that is no date and time, an
    /// impossible date, or one outside 1970–9999 (replay then gives the record the time it
    /// was read, `docs/invocation-logs.md` §3).
    pub(crate) fn check(&mut self, record: &mut ModelInvocationLog) {
        if let Some(Err(error)) = record.timestamp.as_deref().map(parse_timestamp) {
            let reason = format!("{:?}: {error}", record.timestamp.take().unwrap_or_default());
            self.reject("$.timestamp", &reason);
        }
    }
}

/// Why a record with fields is still not usable, if it is not.
pub(crate) fn unusable(record: &ModelInvocationLog) -> Option<&'static str> {
    if record
        .model_id
        .as_deref()
        .is_none_or(|id| id.trim().is_empty())
    {
        Some("record has no usable modelId")
    } else if record
        .operation
        .as_deref()
        .is_none_or(|op| op.trim().is_empty())
    {
        Some("record has no usable operation")
    } else {
        None
    }
}
