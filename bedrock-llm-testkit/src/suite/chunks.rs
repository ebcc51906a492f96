//! The streaming property: a sample's chunks, whole and with text deltas split at random
//! characters, reassemble to the whole response's messages, tool calls and finish reason.

use std::time::Duration;

use bedrock_llm_core::{Part, ResponseView, StreamAccumulator};
use serde_json::Value;

use super::{Run, property, replace_string};
use crate::sample::Case;

impl Run {
    /// The sample's chunks, then the same with text deltas split at random characters, must
    /// reassemble to the whole response's messages and finish reason.
    pub(super) fn chunks(
        &mut self,
        case: &Case,
        chunks: &[Value],
        whole: &ResponseView,
        splits: usize,
    ) {
        let expected = summary(whole);
        let assembled = self.assemble(chunks);
        let input = Value::Array(chunks.to_vec()).to_string();
        if assembled != expected {
            self.fail(
                property::CHUNKS,
                &case.name,
                None,
                format!("chunks give {assembled:?}, the whole response {expected:?}"),
                &input,
            );
            return;
        }
        for _ in 0..splits {
            let Some(split) = self.split_one(chunks) else {
                return;
            };
            let assembled = self.assemble(&split);
            if assembled != expected {
                self.fail(
                    property::RECHUNKED,
                    &case.name,
                    None,
                    format!("split chunks give {assembled:?}, the whole response {expected:?}"),
                    &Value::Array(split).to_string(),
                );
                return;
            }
        }
    }

    fn assemble(&self, chunks: &[Value]) -> Summary {
        let mut accumulator = StreamAccumulator::new(Some(self.adapter), usize::MAX);
        for chunk in chunks {
            accumulator.push(chunk.to_string().as_bytes(), Duration::ZERO);
        }
        accumulator.finish().response.as_ref().and_then(summary)
    }

    /// The chunks with one text-only delta (or argument piece) cut in two at a random character.
    fn split_one(&mut self, chunks: &[Value]) -> Option<Vec<Value>> {
        let candidates: Vec<(usize, String)> = chunks
            .iter()
            .enumerate()
            .filter_map(|(i, chunk)| {
                let delta = self
                    .adapter
                    .chunk_delta(chunk.to_string().as_bytes())?
                    .ok()?;
                let only_text = delta.finish_reason.is_none()
                    && delta.usage == Default::default()
                    && delta.texts.len() == 1
                    && delta.texts[0].finish_reason.is_none()
                    && delta.texts[0].parts.is_empty();
                let text = delta.texts.into_iter().next()?;
                // A text delta, or a piece of a tool call's arguments: either may be cut.
                let text = match (text.text, text.arguments_delta) {
                    (Some(text), None) | (None, Some(text)) => text,
                    _ => return None,
                };
                (only_text && text.chars().count() >= 2).then_some((i, text))
            })
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let (index, text) = &candidates[self.rng.usize(..candidates.len())];
        let cut = self.rng.usize(1..text.chars().count());
        let at = text
            .char_indices()
            .nth(cut)
            .map_or(text.len(), |(at, _)| at);
        let (head, tail) = text.split_at(at);
        let mut first = chunks[*index].clone();
        let mut second = chunks[*index].clone();
        if !replace_string(&mut first, text, head) || !replace_string(&mut second, text, tail) {
            return None;
        }
        let mut out = chunks[..*index].to_vec();
        out.push(first);
        out.push(second);
        out.extend_from_slice(&chunks[*index + 1..]);
        Some(out)
    }
}

/// The messages (role, content, tool calls, reasoning) and finish reason of a response, as chunks must
/// reassemble them.
type Summary = Option<(Vec<(String, String, Vec<Part>)>, Option<String>)>;

fn summary(view: &ResponseView) -> Summary {
    let messages = view
        .messages
        .iter()
        .map(|m| {
            // Tool calls and shown reasoning must come out of a stream as the whole body has
            // them; text parts are already in `content`.
            let calls = m
                .parts
                .iter()
                .filter(|part| matches!(part, Part::ToolCall { .. } | Part::Reasoning { .. }))
                .cloned()
                .collect();
            (m.role.as_str().to_owned(), m.content.clone(), calls)
        })
        .collect();
    let reason = view
        .call_finish_reason()
        .map(|r| r.normalized.as_str().to_owned());
    Some((messages, reason))
}
