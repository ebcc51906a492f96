//! New Relic payloads: LLM events (and error reports) as Event API JSON arrays, metrics as a
//! Metric API document — each cut into gzip bodies that stay within the APIs' 10^6-byte limit.
//!
//! Attribute values longer than the Event API's 4096 characters (message `content`, embedding
//! `input`) are cut to 4096 characters, and the event says so with `truncated: true` (the
//! agents' collector protocol takes longer values; the public Event API does not). Error
//! reports travel as `LlmError` events: the Event API does not take the agents' reserved
//! `TransactionError` type.

use std::io::Write;

use bedrock_llm_events::RuntimeMetrics;
use bedrock_llm_events::metrics::MetricTable;
use bedrock_llm_events::render::newrelic;
use bedrock_llm_events::{ErrorReport, LlmEvent};
use serde_json::{Map, Value, json};

/// The Event and Metric APIs' limit per POST, in bytes.
pub const MAX_PAYLOAD_BYTES: usize = 1_000_000;

/// The Event API's limit on a custom attribute value, in characters.
pub const MAX_VALUE_CHARS: usize = 4096;

/// Room kept below the limit for what gzip can add to incompressible content (stored blocks
/// cost 5 bytes per 64 KiB, plus a 18-byte frame).
const GZIP_SLACK: usize = 1024;

/// The event type error reports are sent as.
pub const ERROR_EVENT_TYPE: &str = bedrock_llm_events::names::event_type::ERROR;

/// Attributes every payload gets, so data groups by service.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// `appName`.
    pub app_name: String,
    /// `host`.
    pub host: String,
}

impl Identity {
    /// `appName` and `host`, those that are set, as event attributes.
    pub fn attributes(&self) -> Vec<(&'static str, &str)> {
        [("appName", &self.app_name), ("host", &self.host)]
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(key, value)| (key, value.as_str()))
            .collect()
    }
}

/// One event, ready to send: its JSON text, and whether a value was cut.
#[derive(Debug, Clone, PartialEq)]
pub struct EventJson {
    /// The flat JSON object.
    pub json: String,
    /// A value was longer than the Event API takes and was cut.
    pub truncated: bool,
}

/// An LLM event as the Event API takes it: the New Relic rendering the NDJSON output uses,
/// values cut to the API's limit, with the identity.
pub fn event_json(event: &LlmEvent, identity: &Identity) -> EventJson {
    let mut out = Vec::with_capacity(512);
    let truncated =
        newrelic::write_event_for_api(&mut out, event, MAX_VALUE_CHARS, &identity.attributes());
    EventJson {
        // The writer emits only `&str` contents and ASCII punctuation.
        json: String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        truncated,
    }
}

/// An error report as an `LlmError` event: the one rendering the NDJSON output uses
/// (`render::newrelic::write_error_for_api`), the message cut to the API's limit, with the
/// identity.
pub fn error_json(report: &ErrorReport, timestamp_ms: u64, identity: &Identity) -> EventJson {
    let mut out = Vec::with_capacity(256);
    let truncated = newrelic::write_error_for_api(
        &mut out,
        report,
        timestamp_ms,
        MAX_VALUE_CHARS,
        &identity.attributes(),
    );
    EventJson {
        json: String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        truncated,
    }
}

fn add_identity(object: &mut Map<String, Value>, identity: &Identity) {
    for (key, value) in identity.attributes() {
        object.insert(key.to_owned(), json!(value));
    }
}

/// Events packed into JSON arrays of at most `limit` bytes each (before gzip), in order; an
/// event that alone is over the limit is returned apart.
pub fn pack(events: &[String], limit: usize) -> (Vec<Vec<usize>>, Vec<usize>) {
    let budget = limit.saturating_sub(GZIP_SLACK);
    let mut batches = Vec::new();
    let mut oversized = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut size = 2; // `[` and `]`
    for (index, event) in events.iter().enumerate() {
        let cost = event.len() + 1;
        if cost + 2 > budget {
            oversized.push(index);
            continue;
        }
        if size + cost > budget && !current.is_empty() {
            batches.push(std::mem::take(&mut current));
            size = 2;
        }
        current.push(index);
        size += cost;
    }
    if !current.is_empty() {
        batches.push(current);
    }
    (batches, oversized)
}

/// The JSON array of the chosen events.
pub fn array(events: &[String], chosen: &[usize]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(chosen.iter().map(|&i| events[i].len() + 1).sum::<usize>() + 2);
    out.push(b'[');
    for (n, &index) in chosen.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(events[index].as_bytes());
    }
    out.push(b']');
    out
}

/// Gzips `body`.
pub fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4 + 64),
        flate2::Compression::default(),
    );
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

/// One Metric API document for a harvest's metrics: timings as summaries, counts as counts.
pub fn metrics_document(
    metrics: &MetricTable,
    start_ms: u64,
    interval_ms: u64,
    identity: &Identity,
) -> Option<Vec<u8>> {
    let items: Vec<Value> = metrics
        .iter()
        .map(|(name, data)| {
            if data.total_ms > 0.0 {
                json!({"name": name, "type": "summary",
                    "value": {"count": data.count, "sum": data.total_ms, "min": data.min_ms, "max": data.max_ms}})
            } else {
                json!({"name": name, "type": "count", "value": data.count})
            }
        })
        .collect();
    if items.is_empty() {
        return None;
    }
    let mut attributes = Map::new();
    add_identity(&mut attributes, identity);
    attributes.insert("instrumentation.provider".to_owned(), json!("bedrock-llm"));
    let document = json!([{
        "common": {"timestamp": start_ms, "interval.ms": interval_ms.max(1), "attributes": attributes},
        "metrics": items,
    }]);
    Some(document.to_string().into_bytes())
}

/// Runtime metrics as Metric API documents: per model and period, counts named
/// `bedrock_llm.runtime.<CloudWatch name>` with the attribute `modelId`, and the latency as a
/// summary — as many documents as it takes for each to stay under the API's 10^6-byte limit
/// before gzip (a month of one-second periods is many megabytes). None when no call was
/// counted.
pub fn runtime_documents(runtime: &RuntimeMetrics, identity: &Identity) -> Vec<Vec<u8>> {
    let mut items = Vec::new();
    for (start, model, figures) in runtime.figures() {
        let mut attributes = Map::new();
        attributes.insert("modelId".to_owned(), json!(model));
        add_identity(&mut attributes, identity);
        let mut push = |name: &str, value: Value, kind: &str| {
            items.push(json!({
                "name": format!("bedrock_llm.runtime.{name}"), "type": kind, "value": value,
                "timestamp": start, "interval.ms": runtime.period_ms(), "attributes": attributes,
            }));
        };
        for (name, value) in [
            ("Invocations", figures.invocations),
            ("InvocationClientErrors", figures.client_errors),
            ("InvocationServerErrors", figures.server_errors),
            ("InvocationThrottles", figures.throttles),
            ("InputTokenCount", figures.input_tokens),
            ("OutputTokenCount", figures.output_tokens),
        ] {
            push(name, json!(value), "count");
        }
        if figures.latency_count > 0 {
            let latency = json!({"count": figures.latency_count, "sum": figures.latency_sum_ms,
                "min": figures.latency_min_ms, "max": figures.latency_max_ms});
            push("InvocationLatency", latency, "summary");
        }
    }
    let items: Vec<String> = items.iter().map(Value::to_string).collect();
    let (batches, oversized) = pack(&items, MAX_PAYLOAD_BYTES);
    debug_assert!(oversized.is_empty(), "a metric is never near 10^6 bytes");
    batches
        .into_iter()
        .map(|batch| {
            let mut document = String::from("[{\"metrics\":[");
            for (n, index) in batch.into_iter().enumerate() {
                if n > 0 {
                    document.push(',');
                }
                document.push_str(&items[index]);
            }
            document.push_str("]}]");
            document.into_bytes()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_metrics_split_into_documents_under_the_limit() {
        use bedrock_llm_core::{Invocation, Operation};
        let mut runtime = RuntimeMetrics::new(std::time::Duration::from_secs(1)).unwrap();
        // Six hours of one call a second, one-second periods: ~20,000 model-periods.
        for second in 0..21_600u64 {
            let mut call = Invocation::new("meta.llama3-70b-instruct-v1:0", Operation::InvokeModel);
            call.timing.started_at_ms = 1_700_000_000_000 + second * 1000;
            runtime.add(&call);
        }
        let identity = Identity {
            app_name: "app".to_owned(),
            host: "h".to_owned(),
        };
        let documents = runtime_documents(&runtime, &identity);
        assert!(documents.len() > 1, "one document would be megabytes");
        let mut items = 0;
        for document in &documents {
            assert!(document.len() < MAX_PAYLOAD_BYTES, "{}", document.len());
            let parsed: Value = serde_json::from_slice(document).unwrap();
            items += parsed[0]["metrics"].as_array().unwrap().len();
        }
        // Six counts a period (no latency was measured), every one of them in some document.
        assert_eq!(items, 21_600 * 6);
    }

    #[test]
    fn packing_keeps_order_and_the_limit() {
        let events: Vec<String> = (0..100)
            .map(|i| format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(i * 10)))
            .collect();
        let (batches, oversized) = pack(&events, 4000);
        assert!(
            oversized
                .iter()
                .all(|&i| events[i].len() + 3 > 4000 - GZIP_SLACK)
        );
        let flat: Vec<usize> = batches
            .iter()
            .flatten()
            .copied()
            .chain(oversized.iter().copied())
            .collect();
        let mut sorted = flat.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
        for batch in &batches {
            let body = array(&events, batch);
            assert!(body.len() <= 4000 - GZIP_SLACK, "{}", body.len());
            let parsed: Vec<Value> = serde_json::from_slice(&body).unwrap_or_default();
            assert_eq!(parsed.len(), batch.len());
        }
    }

    #[test]
    fn incompressible_bodies_stay_within_the_limit_after_gzip() {
        let mut rng = fastrand::Rng::with_seed(7);
        let noise: String = (0..MAX_PAYLOAD_BYTES).map(|_| rng.alphanumeric()).collect();
        let events: Vec<String> = noise
            .as_bytes()
            .chunks(4000)
            .map(|c| format!("{{\"content\":\"{}\"}}", String::from_utf8_lossy(c)))
            .collect();
        let (batches, oversized) = pack(&events, MAX_PAYLOAD_BYTES);
        assert!(oversized.is_empty());
        for batch in batches {
            assert!(gzip(&array(&events, &batch)).len() <= MAX_PAYLOAD_BYTES);
        }
    }

    #[test]
    fn the_api_rendering_is_the_ndjson_rendering_with_the_identity() {
        let mut builder = LlmEvent::builder(
            "LlmChatCompletionMessage",
            7,
            bedrock_llm_events::Limits::default(),
        );
        builder
            .str("content", "é\"quoted\"")
            .int("sequence", 1)
            .bool("is_response", true);
        let event = builder.build();
        let identity = Identity {
            app_name: "app".to_owned(),
            host: "h".to_owned(),
        };
        let sent = event_json(&event, &identity);
        let printed = newrelic::event_json(&event);
        assert!(!sent.truncated);
        assert_eq!(
            sent.json,
            format!(
                "{},\"appName\":\"app\",\"host\":\"h\"}}",
                &printed[..printed.len() - 1]
            )
        );
    }

    #[test]
    fn error_reports_render_once_and_long_messages_are_cut_and_flagged() {
        use bedrock_llm_core::{Invocation, InvocationError, Operation};
        use bedrock_llm_events::{CallContext, Config, build_events};
        let report = |message: String| {
            let mut invocation =
                Invocation::new("meta.llama3-8b-instruct-v1:0", Operation::InvokeModel);
            invocation.error =
                Some(InvocationError::new("ThrottlingException").with_message(message));
            build_events(
                &invocation,
                &Config::default().enabled(),
                &CallContext::detached(),
            )
            .error
            .unwrap()
        };
        let identity = Identity {
            app_name: "app".to_owned(),
            host: "h".to_owned(),
        };
        let long = report("é".repeat(MAX_VALUE_CHARS + 10));
        let sent = error_json(&long, 5, &identity);
        let value: Value = serde_json::from_str(&sent.json).unwrap();
        assert!(sent.truncated && value["truncated"] == json!(true));
        assert_eq!(
            value["error.message"].as_str().unwrap().chars().count(),
            MAX_VALUE_CHARS
        );
        assert_eq!(value["appName"], "app");
        // Within the limit: the API's rendering is the printed one plus the identity.
        let short = report("a".repeat(MAX_VALUE_CHARS));
        let sent = error_json(&short, 5, &identity);
        let printed = newrelic::error_json(&short, 5);
        assert!(!sent.truncated);
        assert_eq!(
            sent.json,
            format!(
                "{},\"appName\":\"app\",\"host\":\"h\"}}",
                &printed[..printed.len() - 1]
            )
        );
    }
}
