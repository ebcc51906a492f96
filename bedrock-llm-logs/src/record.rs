//! The `ModelInvocationLog` record, schema 1.0 (`docs/invocation-logs.md` §3). Every documented field
//! is typed; unknown fields are kept in `extra`. Bodies stay raw JSON, so replay hands the
//! adapters the logged bytes without re-serializing them.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// One invocation-log record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelInvocationLog {
    /// `ModelInvocationLog`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    /// `1.0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<String>,
    /// ISO 8601 UTC, e.g. `2024-04-18T22:54:57Z`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The account (may be redacted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// The Region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Bedrock's request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// `InvokeModel`, `InvokeModelWithResponseStream`, `Converse`, `ConverseStream`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The model ID as the caller passed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    /// The request side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<LogInput>,
    /// The response side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<LogOutput>,
    /// Set on failed invocations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Where the call ran (cross-region inference).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inference_region: Option<String>,
    /// Caller-supplied key/values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_metadata: Option<Map<String, Value>>,
    /// A status, when logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `{latency}`, kept as logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performance_config: Option<Value>,
}

/// `identity`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Identity {
    /// The caller's ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

/// `input`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogInput {
    /// `application/json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_content_type: Option<String>,
    /// The request body; absent when offloaded or not delivered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_body_json: Option<Box<RawValue>>,
    /// Where an offloaded body went.
    #[serde(rename = "inputBodyS3Path", skip_serializing_if = "Option::is_none")]
    pub input_body_s3_path: Option<String>,
    /// Bedrock's count (0 when a guardrail blocked the input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_token_count: Option<bedrock_llm_core::TokenCount>,
    /// Prompt tokens read from the cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_read_input_token_count: Option<bedrock_llm_core::TokenCount>,
    /// Prompt tokens written to the cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_write_input_token_count: Option<bedrock_llm_core::TokenCount>,
}

/// `output`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogOutput {
    /// `application/json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_content_type: Option<String>,
    /// The response body: an object, or for `InvokeModelWithResponseStream` the array of chunks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_body_json: Option<Box<RawValue>>,
    /// Where an offloaded body went.
    #[serde(rename = "outputBodyS3Path", skip_serializing_if = "Option::is_none")]
    pub output_body_s3_path: Option<String>,
    /// Bedrock's count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_token_count: Option<bedrock_llm_core::TokenCount>,
}

/// Milliseconds since the Unix epoch of an ISO 8601 UTC timestamp
/// (`2024-04-18T22:54:57Z`, with optional fractional seconds or a `+00:00` offset); `None` for
/// text that is not one, or a time before 1970 or after 9999.
///
/// Hand-written: the logs use one fixed format, and a date-time crate for this one conversion
/// would cost more build time than the 30 lines it saves. Every part is range-checked before
/// it is combined, so no input can overflow the arithmetic.
pub fn timestamp_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let (date, time) = text.split_once('T').or_else(|| text.split_once(' '))?;
    let mut date_parts = date.split('-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: i64 = date_parts.next()?.parse().ok()?;
    let day: i64 = date_parts.next()?.parse().ok()?;
    if date_parts.next().is_some() {
        return None;
    }
    let (time, offset_minutes) = if let Some(rest) = time.strip_suffix('Z') {
        (rest, 0)
    } else if let Some(at) = time.rfind(['+', '-']) {
        let sign = if time.as_bytes()[at] == b'-' { -1 } else { 1 };
        let (h, m) = time[at + 1..]
            .split_once(':')
            .unwrap_or((&time[at + 1..], "0"));
        let (h, m) = (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?);
        if !(0..=23).contains(&h) || !(0..=59).contains(&m) {
            return None;
        }
        (&time[..at], sign * (h * 60 + m))
    } else {
        (time, 0)
    };
    let mut clock = time.split(':');
    let hour: i64 = clock.next()?.parse().ok()?;
    let minute: i64 = clock.next()?.parse().ok()?;
    let seconds: f64 = clock.next().unwrap_or("0").parse().ok()?;
    if !(1970..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || !(0..=23).contains(&hour)
        || !(0..=59).contains(&minute)
        || !(0.0..61.0).contains(&seconds)
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm); with the ranges above every step fits.
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let ms = ((days * 86_400 + hour * 3_600 + minute * 60 - offset_minutes * 60) as f64 + seconds)
        * 1000.0;
    (ms >= 0.0).then_some(ms.round() as u64)
}

pub use bedrock_llm_core::record::timestamp_text;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_convert_both_ways() {
        assert_eq!(timestamp_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            timestamp_ms("2024-04-18T22:54:57Z"),
            Some(1_713_480_897_000)
        );
        assert_eq!(
            timestamp_ms("2024-04-18T22:54:57.250Z"),
            Some(1_713_480_897_250)
        );
        assert_eq!(
            timestamp_ms("2024-04-19T00:54:57+02:00"),
            Some(1_713_480_897_000)
        );
        assert_eq!(
            timestamp_ms("2024-02-29T12:00:00Z"),
            Some(1_709_208_000_000)
        );
        assert_eq!(timestamp_text(1_713_480_897_000), "2024-04-18T22:54:57Z");
        assert_eq!(timestamp_text(1_709_208_000_000), "2024-02-29T12:00:00Z");
        for bad in [
            "",
            "yesterday",
            "2024-13-01T00:00:00Z",
            "2024-04-18T25:00:00Z",
            "2024-04-18",
            "9223372036854775807-01-01T00:00:00Z",
            "2024-04-18T22:54:57+9223372036854775807:00",
            "2024-04-18T22:54:57-00:9223372036854775807",
            "1969-12-31T23:59:59Z",
            "2024-04-18T22:54:NaNZ",
            "2024-04-18-01T22:54:57Z",
        ] {
            assert_eq!(timestamp_ms(bad), None, "{bad}");
        }
    }
}
