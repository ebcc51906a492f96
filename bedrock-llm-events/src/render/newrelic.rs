//! New Relic Event API JSON: one flat object per event, `eventType` and `timestamp` first,
//! then the attributes in order. Written by hand rather than through a map so that key order
//! is stable and no intermediate `serde_json::Value` is built.

use crate::attribute::AttrValue;
use crate::build::ErrorReport;
use crate::event::LlmEvent;
use crate::names::{attr, error_attr};

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

/// Events as the JSON array the Event API accepts in one POST.
pub fn payload<'a>(events: impl IntoIterator<Item = &'a LlmEvent>) -> String {
    let mut out = Vec::with_capacity(1024);
    out.push(b'[');
    for (i, event) in events.into_iter().enumerate() {
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
    out.extend_from_slice(b"{\"eventType\":");
    write_str(out, event.event_type());
    out.extend_from_slice(b",\"timestamp\":");
    let timestamp = event
        .get_i64(attr::TIMESTAMP)
        .map_or(event.time_ms() as i128, i128::from);
    write_json(out, &timestamp);
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
        AttrValue::Int(i) => write_json(out, i),
        // Non-finite floats never get this far (the builder drops them); serde_json writes
        // `null` for one, which keeps the JSON valid if one ever did.
        AttrValue::Float(f) => write_json(out, f),
        AttrValue::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s.as_bytes()) {
        write_json(out, s);
    } else {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Whether JSON needs any byte of `bytes` escaped. Most text needs none, and serde_json's
/// escaper looks at one byte at a time. Long text is checked 32 bytes per step in a loop the
/// compiler vectorizes (no early exit inside a step); the rest, and the short keys and ids
/// that make up most attributes, 8 bytes per step as one `u64`. The escaping itself stays
/// serde_json's.
fn needs_escape(bytes: &[u8]) -> bool {
    let must_escape = |byte: u8| byte < 0x20 || byte == b'"' || byte == b'\\';
    let mut chunks = bytes.chunks_exact(32);
    for chunk in &mut chunks {
        if chunk
            .iter()
            .fold(false, |found, &byte| found | must_escape(byte))
        {
            return true;
        }
    }
    let mut words = chunks.remainder().chunks_exact(8);
    for word in &mut words {
        let mut lanes = [0u8; 8];
        lanes.copy_from_slice(word);
        if word_needs_escape(u64::from_le_bytes(lanes)) {
            return true;
        }
    }
    words.remainder().iter().any(|&byte| must_escape(byte))
}

/// Whether any of the eight bytes of `word` is below 0x20, `"` or `\\` (the classic
/// "has a byte less than n" and "has a zero byte" tests; bytes ≥ 0x80 never match).
fn word_needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGHS;
    let control = below(word, 0x20);
    let quote = below(word ^ (ONES * u64::from(b'"')), 1);
    let backslash = below(word ^ (ONES * u64::from(b'\\')), 1);
    (control | quote | backslash) != 0
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

#[cfg(test)]
mod tests {
    use super::needs_escape;

    /// Every byte value at every position of strings up to 48 bytes long (covering the
    /// 32-byte, 8-byte and single-byte steps), on backgrounds next to the matched values
    /// (where a borrow between lanes would show), against the byte-at-a-time rule.
    #[test]
    fn escape_check_agrees_with_the_byte_rule() {
        let reference = |bytes: &[u8]| bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
        for background in [b'a', 0x20, 0x21, 0x23, 0x5d, 0x7f, 0x80, 0xff] {
            for len in 0..48 {
                for at in 0..len {
                    for byte in 0..=255u8 {
                        let mut text = vec![background; len];
                        text[at] = byte;
                        assert_eq!(
                            needs_escape(&text),
                            reference(&text),
                            "len {len}, byte {byte:#x} at {at} on {background:#x}"
                        );
                    }
                }
            }
        }
    }
}
