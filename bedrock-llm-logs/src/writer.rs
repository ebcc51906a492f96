//! Writing: a live [`Invocation`] and its bodies rendered as a `ModelInvocationLog` record, so
//! an application can produce the log stream Bedrock would (for Elastic's integration, say).

use bedrock_llm_core::Invocation;
use serde_json::value::RawValue;

use crate::record::{Identity, LogInput, LogOutput, ModelInvocationLog, timestamp_text};

/// Who made the call, for the fields a live call does not know by itself.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// The account.
    pub account_id: Option<String>,
    /// The caller's ARN.
    pub identity_arn: Option<String>,
}

/// The record of `invocation`. Bodies that are not JSON are left out (Bedrock logs JSON only);
/// for a streamed call, `response_body` is the JSON array of its decoded chunks.
pub fn to_record(
    invocation: &Invocation,
    request_body: Option<&[u8]>,
    response_body: Option<&[u8]>,
    caller: &Caller,
) -> ModelInvocationLog {
    // An image or video generation's payloads are written as their size and hash, as everywhere
    // else.
    let images = invocation
        .kind
        .is_some_and(bedrock_llm_core::ExchangeKind::is_media_generation);
    let raw = |body: Option<&[u8]>| {
        let scrubbed = body
            .filter(|_| images)
            .and_then(bedrock_llm_events::render::payloads::scrub_body);
        scrubbed
            .as_deref()
            .or(body)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .and_then(|text| RawValue::from_string(text.trim().to_owned()).ok())
    };
    let usage = invocation.usage().map(|(usage, _)| usage);
    let input_tokens = usage.and_then(|u| u.input_tokens);
    let output_tokens = usage.and_then(|u| u.output_tokens);
    ModelInvocationLog {
        schema_type: Some("ModelInvocationLog".to_owned()),
        schema_version: Some("1.0".to_owned()),
        timestamp: Some(timestamp_text(invocation.timing.started_at_ms)),
        account_id: caller.account_id.clone(),
        identity: caller
            .identity_arn
            .clone()
            .map(|arn| Identity { arn: Some(arn) }),
        region: invocation.region.clone(),
        request_id: invocation.request_id.clone(),
        operation: Some(invocation.operation.as_str().to_owned()),
        model_id: Some(invocation.model_id.clone()),
        input: Some(LogInput {
            input_content_type: Some("application/json".to_owned()),
            input_body_json: raw(request_body),
            input_token_count: input_tokens.map(Into::into),
            cache_read_input_token_count: usage
                .and_then(|u| u.cache_read_input_tokens)
                .map(Into::into),
            cache_write_input_token_count: usage
                .and_then(|u| u.cache_write_input_tokens)
                .map(Into::into),
            ..LogInput::default()
        }),
        output: Some(LogOutput {
            output_content_type: Some("application/json".to_owned()),
            output_body_json: raw(response_body),
            output_token_count: output_tokens.map(Into::into),
            output_video: invocation
                .response
                .as_ref()
                .and_then(|r| r.videos.as_ref())
                .map(LogOutput::video_value),
            ..LogOutput::default()
        }),
        error_code: invocation.error.as_ref().map(|e| e.code.clone()),
        inference_region: invocation.serving.inference_region.clone(),
        // Schema 1.0 has a place for the latency mode, none for the service tier.
        performance_config: invocation
            .serving
            .latency
            .as_ref()
            .map(|latency| serde_json::json!({ "latency": latency })),
        ..ModelInvocationLog::default()
    }
}

/// `record` as one line of JSON text (no newline), into a buffer sized from its bodies: growing
/// a small one cost a tenth of writing a record.
pub fn record_json(record: &ModelInvocationLog) -> String {
    let bodies: usize = [
        record
            .input
            .as_ref()
            .and_then(|i| i.input_body_json.as_ref()),
        record
            .output
            .as_ref()
            .and_then(|o| o.output_body_json.as_ref()),
    ]
    .into_iter()
    .flatten()
    .map(|body| body.get().len())
    .sum();
    let mut out = Vec::with_capacity(768 + bodies);
    // Writing a record into a Vec cannot fail: its maps have string keys, its numbers are
    // finite.
    let _ = serde_json::to_writer(&mut out, record);
    // serde_json writes only UTF-8.
    String::from_utf8(out)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// The `requestMetadata` keys a written record's cost goes under (Bedrock's metadata values are
/// strings, so amounts are exact decimal text).
pub mod cost_keys {
    /// The whole cost, USD.
    pub const TOTAL_USD: &str = "bedrock_llm.cost_usd";
    /// The price table's date and source.
    pub const PRICE_TABLE: &str = "bedrock_llm.price_table";
    /// The rates beyond the standard ones.
    pub const BASIS: &str = "bedrock_llm.cost_basis";
    /// `provisioned` or `reserved`: no per-call cost.
    pub const BILLING: &str = "bedrock_llm.billing";
    /// The prefix of every key this project writes; a report leaves them out of its tags.
    pub const PREFIX: &str = "bedrock_llm.";
}

/// Adds what the call cost to `record`'s `requestMetadata` ([`cost_keys`]); an unpriced call
/// gets nothing.
pub fn add_cost(record: &mut ModelInvocationLog, outcome: &bedrock_llm_events::cost::CostOutcome) {
    use bedrock_llm_events::cost::CostOutcome;
    use serde_json::Value;
    let mut put = |key: &str, value: String| {
        record
            .request_metadata
            .get_or_insert_with(Default::default)
            .insert(key.to_owned(), Value::String(value));
    };
    match outcome {
        CostOutcome::Priced(cost) => {
            put(cost_keys::TOTAL_USD, cost.total.decimal());
            put(cost_keys::PRICE_TABLE, cost.table.to_string());
            if !cost.basis.is_empty() {
                put(cost_keys::BASIS, cost.basis.join(","));
            }
        }
        CostOutcome::Provisioned => put(cost_keys::BILLING, "provisioned".to_owned()),
        CostOutcome::Reserved => put(cost_keys::BILLING, "reserved".to_owned()),
        _ => {}
    }
}
