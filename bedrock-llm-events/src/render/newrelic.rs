//! New Relic Event API JSON: one flat object per event, `eventType` and `timestamp` first,
//! then the attributes in order. Written by hand rather than through a map so that key order
//! is stable and no intermediate `serde_json::Value` is built.

use crate::attribute::AttrValue;
use crate::build::ErrorReport;
use crate::event::LlmEvent;
use crate::names::{attr, error_attr};

/// The event as one JSON object.
pub fn event_json(event: &LlmEvent) -> String {
    let mut out = String::with_capacity(256);
    write_event(&mut out, event);
    out
}

/// Events as NDJSON: one object per line, each line ending in `\n`.
pub fn ndjson<'a>(events: impl IntoIterator<Item = &'a LlmEvent>) -> String {
    let mut out = String::new();
    for event in events {
        write_event(&mut out, event);
        out.push('\n');
    }
    out
}

/// Events as the JSON array the Event API accepts in one POST.
pub fn payload<'a>(events: impl IntoIterator<Item = &'a LlmEvent>) -> String {
    let mut out = String::from("[");
    for (i, event) in events.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_event(&mut out, event);
    }
    out.push(']');
    out
}

/// Writes one event object onto `out`.
pub fn write_event(out: &mut String, event: &LlmEvent) {
    out.push_str("{\"eventType\":");
    write_str(out, event.event_type());
    out.push_str(",\"timestamp\":");
    let timestamp = event
        .get_i64(attr::TIMESTAMP)
        .map_or(event.time_ms() as i128, i128::from);
    out.push_str(&timestamp.to_string());
    for (key, value) in event.attributes() {
        if key == attr::TIMESTAMP {
            continue;
        }
        out.push(',');
        write_str(out, key);
        out.push(':');
        write_value(out, value);
    }
    out.push('}');
}

/// An error report as a `TransactionError`-style object: `error.class` carries the code, as
/// New Relic's agents report exceptions, beside the attributes of `llm-events.md` §9.
pub fn error_json(report: &ErrorReport, timestamp_ms: u64) -> String {
    let mut out = String::from("{\"eventType\":\"TransactionError\",\"timestamp\":");
    out.push_str(&timestamp_ms.to_string());
    out.push_str(",\"error.class\":");
    write_str(&mut out, &report.code);
    out.push(',');
    write_str(&mut out, error_attr::CODE);
    out.push(':');
    write_str(&mut out, &report.code);
    if let Some(message) = &report.message {
        out.push(',');
        write_str(&mut out, error_attr::MESSAGE);
        out.push(':');
        write_str(&mut out, message);
    }
    if let Some(status) = report.http_status {
        out.push(',');
        write_str(&mut out, error_attr::HTTP_STATUS);
        out.push(':');
        out.push_str(&status.to_string());
    }
    for (key, id) in [
        (error_attr::COMPLETION_ID, &report.completion_id),
        (error_attr::EMBEDDING_ID, &report.embedding_id),
    ] {
        if let Some(id) = id {
            out.push(',');
            write_str(&mut out, key);
            out.push(':');
            write_str(&mut out, id);
        }
    }
    out.push('}');
    out
}

fn write_value(out: &mut String, value: &AttrValue) {
    match value {
        AttrValue::Str(s) => write_str(out, s),
        AttrValue::Int(i) => out.push_str(&i.to_string()),
        // Non-finite floats never get this far (the builder drops them); `null` keeps the JSON
        // valid if one ever did.
        AttrValue::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(number) => out.push_str(&number.to_string()),
            None => out.push_str("null"),
        },
        AttrValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

fn write_str(out: &mut String, s: &str) {
    // Serializing a `str` into JSON cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}
