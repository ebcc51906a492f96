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
    /// A video job's output (`{S3Path, DurationSeconds, FramesPerSecond, Width, Height}`), kept
    /// as logged: no public record shows its exact spelling, so [`LogOutput::video_stats`] reads
    /// it leniently rather than letting a surprise cost the record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_video: Option<Value>,
}

impl LogOutput {
    /// The video a job produced, from `outputVideo` (an object, or a list of them); keys are
    /// matched without regard to case, numbers may be written as text. `None` without one.
    pub fn video_stats(&self) -> Option<bedrock_llm_core::VideoStats> {
        let videos = match self.output_video.as_ref()? {
            Value::Array(items) => items.iter().filter_map(Value::as_object).collect(),
            Value::Object(video) => vec![video],
            _ => return None,
        };
        let first = *videos.first()?;
        let field = |name: &str| {
            first
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value)
        };
        let number = |name: &str| {
            match field(name)? {
                Value::Number(n) => n.as_f64(),
                Value::String(text) => text.trim().parse().ok(),
                _ => None,
            }
            .filter(|n: &f64| n.is_finite() && *n >= 0.0)
        };
        Some(bedrock_llm_core::VideoStats {
            count: videos.len() as u64,
            duration_seconds: number("DurationSeconds"),
            fps: number("FramesPerSecond"),
            // Pixel counts: whole, and far below 2^53.
            width: number("Width").map(|n| n as u64),
            height: number("Height").map(|n| n as u64),
            location: field("S3Path")
                .or_else(|| field("S3Uri"))
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }

    /// `outputVideo` as [`LogOutput::video_stats`] reads it, for writing a record back: one
    /// object, with the shape of the first video (the stats keep no other; a job makes one).
    pub fn video_value(stats: &bedrock_llm_core::VideoStats) -> Value {
        let mut video = Map::new();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                video.insert(key.to_owned(), value);
            }
        };
        put("S3Path", stats.location.clone().map(Value::from));
        put("DurationSeconds", stats.duration_seconds.map(Value::from));
        put("FramesPerSecond", stats.fps.map(Value::from));
        put("Width", stats.width.map(Value::from));
        put("Height", stats.height.map(Value::from));
        Value::Object(video)
    }
}

pub(crate) use crate::timestamp::timestamp_ms;
pub(crate) use bedrock_llm_core::timestamp_text;

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

    #[test]
    fn video_output_is_read_in_any_spelling_and_written_back() {
        let output = |video: Value| LogOutput {
            output_video: Some(video),
            ..LogOutput::default()
        };
        let logged = output(serde_json::json!({
            "S3Path": "s3://v/out.mp4", "DurationSeconds": 6, "FramesPerSecond": 24,
            "Width": 1280, "Height": 720,
        }));
        let stats = logged.video_stats().unwrap();
        assert_eq!(stats.count, 1);
        assert_eq!(stats.duration_seconds, Some(6.0));
        assert_eq!((stats.width, stats.height), (Some(1280), Some(720)));
        assert_eq!(stats.location.as_deref(), Some("s3://v/out.mp4"));
        // Written back, it reads the same.
        assert_eq!(
            output(LogOutput::video_value(&stats)).video_stats(),
            Some(stats)
        );
        // Lower-case keys, numbers as text, a list of two.
        let listed = output(serde_json::json!([
            {"durationSeconds": "12", "width": "1280", "height": 720},
            {"durationSeconds": 12},
        ]));
        let stats = listed.video_stats().unwrap();
        assert_eq!(stats.count, 2);
        assert_eq!(stats.duration_seconds, Some(12.0));
        assert_eq!(stats.width, Some(1280));
        // Nothing usable: no stats, and no panic.
        for junk in [
            serde_json::json!("video"),
            serde_json::json!([]),
            serde_json::json!(3),
        ] {
            assert_eq!(output(junk).video_stats(), None);
        }
        let negative = output(serde_json::json!({"DurationSeconds": -5, "Width": "wide"}));
        let stats = negative.video_stats().unwrap();
        assert_eq!((stats.duration_seconds, stats.width), (None, None));
    }
}
