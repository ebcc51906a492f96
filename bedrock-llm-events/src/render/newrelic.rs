//! New Relic Event API JSON: one flat object per event, `eventType` and `timestamp` first,
//! then the attributes in order. Written by hand rather than through a map so that key order
//! is stable and no intermediate `serde_json::Value` is built.

use crate::attribute::AttrValue;
use crate::build::ErrorReport;
use crate::event::LlmEvent;
use crate::names::{attr, error_attr};

use super::json_text::write_str;

/// The event as one JSON object.
pub fn event_json(event: &LlmEvent) -> String {
    let mut out = Vec::with_capacity(256);
    write_event_bytes(&mut out, event);
    into_string(out)
}

/// Events as NDJSON: one object per line, each line ending in `\n`.
pub fn ndjson<'a>(events: impl IntoIterator<Item = &'a LlmEvent>) -> String {
    let mut out = Vec::with_capacity(1024);
    for event in events {
        write_event_bytes(&mut out, event);
        out.push(b'\n');
    }
    into_string(out)
}

/// Events as the JSON array the Event API accepts in one POST, in a buffer sized once.
pub fn payload<'a, I>(events: I) -> String
where
    I: IntoIterator<Item = &'a LlmEvent>,
    I::IntoIter: Clone,
{
    let events = events.into_iter();
    let size: usize = events.clone().map(|e| e.written_len_hint() + 1).sum();
    let mut out = Vec::with_capacity(size + 2);
    out.push(b'[');
    for (i, event) in events.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_event_bytes(&mut out, event);
    }
    out.push(b']');
    into_string(out)
}

/// Writes one event object onto `out`.
pub fn write_event(out: &mut String, event: &LlmEvent) {
    // Written straight onto the string's own buffer: no second buffer, no copy.
    let mut bytes = std::mem::take(out).into_bytes();
    write_event_bytes(&mut bytes, event);
    *out = into_string(bytes);
}

/// Writes one event object onto a byte buffer: strings are escaped straight into it, so no
/// attribute costs an allocation.
pub fn write_event_bytes(out: &mut Vec<u8>, event: &LlmEvent) {
    write_event_for_api(out, event, usize::MAX, &[]);
}

/// [`write_event_bytes`] for an ingest API with a limit on string values: each longer value is
/// cut to `max_value_chars` characters (on a character boundary) and the event then carries
/// `truncated: true`; `extra` string attributes (`appName`, `host`) follow the event's own.
/// Returns whether a value was cut.
pub fn write_event_for_api(
    out: &mut Vec<u8>,
    event: &LlmEvent,
    max_value_chars: usize,
    extra: &[(&str, &str)],
) -> bool {
    out.reserve(event.written_len_hint());
    out.extend_from_slice(b"{\"eventType\":");
    write_str(out, event.event_type());
    out.extend_from_slice(b",\"timestamp\":");
    let timestamp = event
        .get_i64(attr::TIMESTAMP)
        .map_or(event.time_ms() as i128, i128::from);
    out.extend_from_slice(itoa::Buffer::new().format(timestamp).as_bytes());
    let mut truncated = false;
    for (key, value) in event.attributes() {
        if key == attr::TIMESTAMP {
            continue;
        }
        out.push(b',');
        write_str(out, key);
        out.push(b':');
        match value {
            // A byte count within the limit is a character count within it: no scan needed.
            AttrValue::Str(text) if text.len() > max_value_chars => {
                match text.char_indices().nth(max_value_chars) {
                    Some((at, _)) => {
                        write_str(out, &text[..at]);
                        truncated = true;
                    }
                    None => write_str(out, text),
                }
            }
            other => write_value(out, other),
        }
    }
    close_for_api(out, extra, truncated)
}

/// An error report as an `LlmError` event (the agents report a `TransactionError`, a type the
/// Event API reserves to them): `error.class` carries the code, as
/// New Relic's agents report exceptions, beside the attributes of `docs/llm-events.md` §9.
pub fn error_json(report: &ErrorReport, timestamp_ms: u64) -> String {
    let mut out = Vec::with_capacity(256);
    write_error_for_api(&mut out, report, timestamp_ms, usize::MAX, &[]);
    into_string(out)
}

/// [`error_json`] into `out` as the Event API takes it — the one rendering of the `LlmError`
/// event, for stdout and every exporter: the message cut to `max_value_chars` characters
/// (then `truncated: true`), then the `extra` attributes (`appName`, `host`). Returns whether
/// the message was cut.
pub fn write_error_for_api(
    out: &mut Vec<u8>,
    report: &ErrorReport,
    timestamp_ms: u64,
    max_value_chars: usize,
    extra: &[(&str, &str)],
) -> bool {
    out.extend_from_slice(b"{\"eventType\":");
    write_str(out, crate::names::event_type::ERROR);
    out.extend_from_slice(b",\"timestamp\":");
    write_json(out, &timestamp_ms);
    for key in [error_attr::CLASS, error_attr::CODE] {
        out.push(b',');
        write_str(out, key);
        out.push(b':');
        write_str(out, &report.code);
    }
    let mut truncated = false;
    if let Some(message) = &report.message {
        out.push(b',');
        write_str(out, error_attr::MESSAGE);
        out.push(b':');
        match message.char_indices().nth(max_value_chars) {
            Some((at, _)) if message.len() > max_value_chars => {
                write_str(out, &message[..at]);
                truncated = true;
            }
            _ => write_str(out, message),
        }
    }
    if let Some(status) = report.http_status {
        out.push(b',');
        write_str(out, error_attr::HTTP_STATUS);
        out.push(b':');
        write_json(out, &status);
    }
    for (key, id) in [
        (error_attr::COMPLETION_ID, &report.completion_id),
        (error_attr::EMBEDDING_ID, &report.embedding_id),
    ] {
        if let Some(id) = id {
            out.push(b',');
            write_str(out, key);
            out.push(b':');
            write_str(out, id);
        }
    }
    close_for_api(out, extra, truncated)
}

/// Ends an object for the Event API: the `extra` attributes, `truncated: true` when a value
/// was cut, the closing brace. Returns `truncated`.
fn close_for_api(out: &mut Vec<u8>, extra: &[(&str, &str)], truncated: bool) -> bool {
    for (key, value) in extra {
        out.push(b',');
        write_str(out, key);
        out.push(b':');
        write_str(out, value);
    }
    if truncated {
        out.extend_from_slice(b",\"truncated\":true");
    }
    out.push(b'}');
    truncated
}

fn write_value(out: &mut Vec<u8>, value: &AttrValue) {
    match value {
        AttrValue::Str(s) => write_str(out, s),
        AttrValue::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
        // Non-finite floats never get this far (the builder drops them); serde_json writes
        // `null` for one, which keeps the JSON valid if one ever did.
        AttrValue::Float(f) => write_json(out, f),
        AttrValue::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
    }
}

fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing a string or number into a `Vec` cannot fail.
    let _ = serde_json::to_writer(out, value);
}

/// The buffer holds only `&str` contents and ASCII punctuation, so it is always UTF-8; the
/// lossy arm is there so that no input can make this panic.
fn into_string(out: Vec<u8>) -> String {
    String::from_utf8(out)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}
