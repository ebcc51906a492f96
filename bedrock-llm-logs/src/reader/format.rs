//! Telling the formats apart, line by line and document by document: a record, a CloudWatch
//! log event (`{"message": "<record>"}`), an export line (`<timestamp> {record}`), a
//! pretty-printed document (`FilterLogEvents` output) — each turned into records or a reported
//! skip, never lost.

use serde::Deserialize;

use super::lines::{Line, read_capped_line};
use super::{Location, LogReader, ReadItem, ReadRecord};
use crate::lenient::{DroppedField, FieldReader, Members, unusable};
use crate::record::ModelInvocationLog;

/// A CloudWatch log event or a `FilterLogEvents` document.
#[derive(Deserialize)]
struct CloudWatch {
    message: Option<String>,
    events: Option<Vec<CloudWatchEvent>>,
}

#[derive(Deserialize)]
struct CloudWatchEvent {
    message: String,
}

impl LogReader {
    /// Interprets one line of bytes.
    pub(super) fn line(&mut self, location: Location, bytes: &[u8]) {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let reason = format!("not UTF-8 (invalid byte at offset {})", error.valid_up_to());
                return self.skip(location, reason);
            }
        };
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let json = if text.starts_with('{') {
            text
        } else {
            // A CloudWatch export line: `<timestamp> <record>`.
            match text.split_once(' ') {
                Some((_, rest)) if rest.trim_start().starts_with('{') => rest.trim_start(),
                _ => return self.skip(location, "not a JSON object".to_owned()),
            }
        };
        self.json(location, json, true);
    }

    /// Interprets one JSON text: a record, or (when `wrappers`) a CloudWatch event or
    /// `FilterLogEvents` document holding records.
    fn json(&mut self, location: Location, json: &str, wrappers: bool) {
        let mut dropped = Vec::new();
        let mut fields = FieldReader {
            quote_chars: self.options.quote_chars(),
            dropped: &mut dropped,
        };
        // The fast path: a well-formed record parses in one go.
        if let Ok(mut record) = serde_json::from_str::<ModelInvocationLog>(json)
            && unusable(&record).is_none()
        {
            fields.check(&mut record);
            return self.record(location, record, json.len(), dropped);
        }
        let members = match serde_json::from_str::<Members>(json) {
            Ok(members) => members,
            Err(error) => {
                let error = bedrock_llm_core::shorten_quoted_values(
                    &error.to_string(),
                    self.options.quote_chars(),
                )
                .into_owned();
                return self.skip(location, format!("malformed JSON: {error}"));
            }
        };
        let looks_like_record = ["modelId", "operation", "schemaType"]
            .iter()
            .any(|key| members.contains_key(*key));
        if looks_like_record {
            let record = fields.record(&members);
            match unusable(&record) {
                None => self.record(location, record, json.len(), dropped),
                Some(reason) => self.skip(location, reason.to_owned()),
            }
            return;
        }
        if wrappers && let Ok(wrapper) = serde_json::from_str::<CloudWatch>(json) {
            match (wrapper.message, wrapper.events) {
                (Some(message), _) => return self.json(location, &message, false),
                (None, Some(events)) => {
                    for event in events {
                        self.json(location.clone(), &event.message, false);
                    }
                    return;
                }
                (None, None) => {}
            }
        }
        self.skip(location, "not a ModelInvocationLog record".to_owned());
    }

    fn record(
        &mut self,
        location: Location,
        record: ModelInvocationLog,
        bytes: usize,
        dropped: Vec<DroppedField>,
    ) {
        self.push(ReadItem::Record(Box::new(ReadRecord {
            location,
            record,
            bytes,
            dropped,
        })));
    }

    /// A file whose first line is a lone `{`: a pretty-printed document (`FilterLogEvents`
    /// output) when its second line is not an object of its own; read whole, within the cap.
    /// If it turns out not to be a document — it is malformed, or a stray `{` before NDJSON —
    /// its lines are read one by one, so nothing after the stray line is lost.
    pub(super) fn document(&mut self, location: Location, first: &mut Vec<u8>) {
        let cap = self.options.max_record_bytes;
        let mut text = std::mem::take(first);
        let mut starts = vec![0usize];
        let mut scratch = Vec::new();
        let mut complete = false;
        while let Some(current) = &mut self.current {
            match read_capped_line(current.reader.as_mut(), &mut scratch, cap) {
                Ok(Line::Text(length)) => {
                    current.line += 1;
                    self.bytes = self.bytes.saturating_add(length);
                    let second = starts.len() == 1;
                    starts.push(text.len());
                    text.extend_from_slice(&scratch);
                    if second && scratch.trim_ascii_start().starts_with(b"{") {
                        break; // NDJSON after a stray brace.
                    }
                    if text.len() > cap {
                        break;
                    }
                }
                Ok(Line::Eof) => {
                    complete = true;
                    break;
                }
                // Over the cap, or unreadable: what was gathered is read line by line and
                // the reading loop meets the rest.
                Ok(Line::TooLong(length)) => {
                    current.line += 1;
                    let line = current.line;
                    self.bytes = self.bytes.saturating_add(length);
                    let reason = format!(
                        "record of {length} bytes is over the limit of {cap} bytes (--max-record-bytes)"
                    );
                    self.lines_of(&location, &text, &starts);
                    let file = location.file.clone();
                    self.skip(Location { file, line }, reason);
                    *first = text;
                    return;
                }
                Err(_) => break,
            }
        }
        if complete
            && text.len() <= cap
            && let Ok(json) = std::str::from_utf8(&text)
            && serde_json::from_str::<serde::de::IgnoredAny>(json).is_ok()
        {
            self.json(location, json.trim(), true);
        } else {
            self.lines_of(&location, &text, &starts);
        }
        text.clear();
        *first = text;
    }

    /// Reads each line of `text` (starting at `starts`) as a line of its own.
    fn lines_of(&mut self, first: &Location, text: &[u8], starts: &[usize]) {
        for (index, &start) in starts.iter().enumerate() {
            let end = starts.get(index + 1).copied().unwrap_or(text.len());
            let location = Location {
                file: first.file.clone(),
                line: first.line + index as u64,
            };
            self.line(location, &text[start..end]);
        }
    }
}
