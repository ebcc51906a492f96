//! Streamed responses, reassembled: what each chunk adds ([`ChunkDelta`], read by the family's
//! chunk type) and the family-neutral [`StreamAccumulator`] that folds them into the same
//! [`ResponseView`] a non-streamed call gives.
//!
//! Folding rules: text deltas concatenate per choice, and per content block within a choice
//! (blocks are joined by a blank line, as for a whole body); a chunk that starts tool calls
//! opens a block of its own, and argument pieces are appended to the call of their block (else
//! the last call), so a streamed message has the same tool-call parts — id, name, arguments
//! parsed from the joined pieces — as the whole body; the last finish reason and the last
//! reported value of each count win (families send running totals or a final count); ids come
//! from the first chunk that has them. Bedrock's `amazon-bedrock-invocationMetrics` on the last
//! chunk become the stream's service metrics. Buffered content is capped; beyond the cap,
//! content is dropped and the outcome says so — the caller's chunks are never touched. Chunks
//! that are bare JSON strings or numbers (`"[DONE]"`) are skipped.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use crate::adapter::Adapter;
use crate::error::BodyError;
use crate::view::{
    ChunkDelta, ChunkText, FinishReason, Message, Part, ResponseView, Role, ServiceMetrics, Usage,
    join_segments,
};

/// Content kept per stream by default: 1 MiB of text.
pub const DEFAULT_CONTENT_CAP: usize = 1 << 20;

/// At most this many chunk errors are kept per stream (the rest are counted).
const MAX_KEPT_ERRORS: usize = 8;

/// `amazon-bedrock-invocationMetrics` and the guardrail marker Bedrock adds to chunks.
#[derive(Debug, Deserialize)]
struct BedrockKeys {
    #[serde(rename = "amazon-bedrock-invocationMetrics")]
    metrics: Option<InvocationMetrics>,
    #[serde(rename = "amazon-bedrock-guardrailAction")]
    guardrail_action: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InvocationMetrics {
    input_token_count: Option<crate::value::TokenCount>,
    output_token_count: Option<crate::value::TokenCount>,
    invocation_latency: Option<crate::value::TokenCount>,
    first_byte_latency: Option<crate::value::TokenCount>,
}

#[derive(Debug, Default)]
struct ChoiceState {
    role: Option<Role>,
    /// Content blocks in arrival order.
    blocks: Vec<BlockState>,
    finish_reason: Option<FinishReason>,
    /// Whether some block holds a tool call (so the message gets parts).
    has_calls: bool,
    /// Whether some block holds reasoning (so the message gets parts).
    has_reasoning: bool,
}

/// One content block of a streamed message.
#[derive(Debug, Default)]
struct BlockState {
    index: Option<u64>,
    text: String,
    /// The block as parts, when it started tool calls; empty for a text block.
    parts: Vec<Part>,
    /// Argument pieces per tool-call part of `parts` (by position among the calls).
    arguments: Vec<String>,
    /// The block holds reasoning: its text is a reasoning part, not message text.
    reasoning: bool,
}

impl BlockState {
    /// The block's parts, each tool call's arguments assembled from its pieces: the JSON they
    /// make, or the text itself when it is not JSON (a stream cut short), for the renderings
    /// to show as they show an unparsable argument string.
    fn into_parts(self) -> Vec<Part> {
        if self.reasoning {
            return vec![Part::Reasoning { content: self.text }];
        }
        if self.parts.is_empty() {
            return if self.text.is_empty() {
                Vec::new()
            } else {
                vec![Part::Text { content: self.text }]
            };
        }
        let mut pieces = self.arguments.into_iter();
        self.parts
            .into_iter()
            .map(|part| match part {
                Part::ToolCall {
                    id,
                    name,
                    arguments,
                } => {
                    let piece = pieces.next().unwrap_or_default();
                    let arguments = if piece.trim().is_empty() {
                        arguments
                    } else {
                        Some(
                            serde_json::from_str(&piece)
                                .unwrap_or(serde_json::Value::String(piece)),
                        )
                    };
                    Part::ToolCall {
                        id,
                        name,
                        arguments,
                    }
                }
                other => other,
            })
            .collect()
    }

    fn calls(&self) -> usize {
        self.parts
            .iter()
            .filter(|part| matches!(part, Part::ToolCall { .. }))
            .count()
    }
}

/// Whether every top-level key of `chunk` is one of Bedrock's own (`amazon-bedrock-…`).
fn only_bedrock_keys(chunk: &[u8]) -> bool {
    serde_json::from_slice::<BTreeMap<String, serde::de::IgnoredAny>>(chunk)
        .is_ok_and(|keys| !keys.is_empty() && keys.keys().all(|k| k.starts_with("amazon-bedrock-")))
}

/// Folds a stream's chunks into one response view.
#[derive(Debug)]
pub struct StreamAccumulator {
    adapter: Option<&'static dyn Adapter>,
    choices: BTreeMap<u64, ChoiceState>,
    finish_reason: Option<FinishReason>,
    usage: Usage,
    response_id: Option<String>,
    response_model: Option<String>,
    metrics: Option<ServiceMetrics>,
    guardrail_intervened: bool,
    first_content: Option<Duration>,
    content_bytes: usize,
    content_cap: usize,
    truncated: bool,
    chunks: u64,
    errors: Vec<BodyError>,
    errors_seen: u64,
    deltas: u64,
}

/// A reassembled stream.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StreamOutcome {
    /// The response, as a non-streamed call would report it; `None` when no adapter read it.
    pub response: Option<ResponseView>,
    /// From the last chunk's `amazon-bedrock-invocationMetrics`.
    pub metrics: Option<ServiceMetrics>,
    /// When the first content arrived, from the start of the call.
    pub time_to_first_token: Option<Duration>,
    /// Content was dropped at the cap.
    pub truncated: bool,
    /// A guardrail intervened on some chunk.
    pub guardrail_intervened: bool,
    /// Chunks seen.
    pub chunks: u64,
    /// Chunks the adapter could not read (the first few).
    pub errors: Vec<BodyError>,
    /// How many chunks the adapter could not read.
    pub errors_seen: u64,
}

impl StreamAccumulator {
    /// An accumulator reading chunks with `adapter` (`None`: only Bedrock's metrics are read),
    /// keeping at most `content_cap` bytes of text.
    pub fn new(adapter: Option<&'static dyn Adapter>, content_cap: usize) -> Self {
        Self {
            adapter,
            choices: BTreeMap::new(),
            finish_reason: None,
            usage: Usage::default(),
            response_id: None,
            response_model: None,
            metrics: None,
            guardrail_intervened: false,
            first_content: None,
            content_bytes: 0,
            content_cap,
            truncated: false,
            chunks: 0,
            errors: Vec::new(),
            errors_seen: 0,
            deltas: 0,
        }
    }

    /// Records Bedrock's latency for streams that report it outside chunks (ConverseStream's
    /// metadata event).
    pub fn set_latency(&mut self, latency_ms: u64) {
        self.metrics
            .get_or_insert_with(ServiceMetrics::default)
            .invocation_latency_ms = Some(latency_ms);
    }

    /// Reads one chunk (the decoded `bytes` of a `chunk` event), which arrived `elapsed` after
    /// the call started. Never fails: an unreadable chunk is counted.
    pub fn push(&mut self, chunk: &[u8], elapsed: Duration) {
        self.chunks += 1;
        // Bare JSON values that are not objects (`"[DONE]"`) carry nothing; skip them.
        let first = chunk.iter().find(|b| !b.is_ascii_whitespace());
        if matches!(first, Some(b'"' | b'[' | b'0'..=b'9' | b'-')) {
            return;
        }
        if let Some(adapter) = self.adapter {
            match adapter.chunk_delta(chunk) {
                Some(Ok(delta)) => self.push_delta(delta, elapsed),
                // A chunk of Bedrock's keys alone (metrics, a guardrail trace) is no family's
                // shape, and no error either.
                Some(Err(_)) if only_bedrock_keys(chunk) => {}
                Some(Err(error)) => self.error(error),
                None => {}
            }
        }
        // Bedrock's own keys; most chunks have none, so skip the second parse for them.
        if memchr_bedrock(chunk)
            && let Ok(keys) = serde_json::from_slice::<BedrockKeys>(chunk)
        {
            if let Some(metrics) = keys.metrics {
                self.metrics = Some(ServiceMetrics {
                    input_tokens: metrics.input_token_count.map(|c| c.0),
                    output_tokens: metrics.output_token_count.map(|c| c.0),
                    invocation_latency_ms: metrics.invocation_latency.map(|c| c.0),
                    first_byte_latency_ms: metrics.first_byte_latency.map(|c| c.0),
                });
            }
            if keys
                .guardrail_action
                .is_some_and(|a| a.eq_ignore_ascii_case("INTERVENED"))
            {
                self.guardrail_intervened = true;
            }
        }
    }

    fn error(&mut self, error: BodyError) {
        self.errors_seen += 1;
        if self.errors.len() < MAX_KEPT_ERRORS {
            self.errors.push(error);
        }
    }

    /// Folds in one chunk's delta.
    pub fn push_delta(&mut self, delta: ChunkDelta, elapsed: Duration) {
        self.deltas += 1;
        for (position, text) in delta.texts.into_iter().enumerate() {
            let ChunkText {
                choice,
                role,
                text,
                finish_reason,
                parts,
                arguments_delta,
            } = text;
            let text = match text {
                Some(text) => {
                    if !text.is_empty() && self.first_content.is_none() {
                        self.first_content = Some(elapsed);
                    }
                    self.within_cap(text)
                }
                None => None,
            };
            let piece = arguments_delta.and_then(|piece| self.within_cap(piece));
            // Reasoning pieces extend the choice's reasoning block of this index; the rest of
            // the parts start tool calls, when any is one.
            let (reasoning, parts): (Vec<Part>, Vec<Part>) = parts
                .into_iter()
                .partition(|part| matches!(part, Part::Reasoning { .. }));
            let reasoning: Vec<String> = reasoning
                .into_iter()
                .filter_map(|part| match part {
                    Part::Reasoning { content } => self.within_cap(content),
                    _ => None,
                })
                .collect();
            let state = self
                .choices
                .entry(choice.unwrap_or(position as u64))
                .or_default();
            if let Some(role) = role {
                state.role = Some(role);
            }
            if let Some(reason) = finish_reason {
                state.finish_reason = Some(reason);
            }
            for content in reasoning {
                state.has_reasoning = true;
                match state.blocks.last_mut() {
                    Some(block) if block.reasoning && block.index == delta.block_index => {
                        block.text.push_str(&content)
                    }
                    _ => state.blocks.push(BlockState {
                        index: delta.block_index,
                        text: content,
                        reasoning: true,
                        ..BlockState::default()
                    }),
                }
            }
            let parts = if parts
                .iter()
                .any(|part| matches!(part, Part::ToolCall { .. } | Part::ToolCallResponse { .. }))
            {
                parts
            } else {
                Vec::new()
            };
            if !parts.is_empty() {
                // A block that starts tool calls is a block of its own, whatever its index.
                state.has_calls = true;
                state.blocks.push(BlockState {
                    index: delta.block_index,
                    text: text.unwrap_or_default(),
                    parts,
                    arguments: Vec::new(),
                    reasoning: false,
                });
            } else if let Some(text) = text {
                match state.blocks.last_mut() {
                    Some(block)
                        if block.index == delta.block_index
                            && block.parts.is_empty()
                            && !block.reasoning =>
                    {
                        block.text.push_str(&text)
                    }
                    _ => state.blocks.push(BlockState {
                        index: delta.block_index,
                        text,
                        ..BlockState::default()
                    }),
                }
            }
            if let Some(piece) = piece {
                // The call of the chunk's block when it names one, else the last call.
                let target = state
                    .blocks
                    .iter_mut()
                    .rev()
                    .filter(|block| block.calls() > 0)
                    .find(|block| delta.block_index.is_none() || block.index == delta.block_index);
                if let Some(block) = target {
                    let calls = block.calls();
                    block.arguments.resize(calls, String::new());
                    if let Some(last) = block.arguments.last_mut() {
                        last.push_str(&piece);
                    }
                }
            }
        }
        if let Some(reason) = delta.finish_reason {
            self.finish_reason = Some(reason);
        }
        let usage = delta.usage;
        let last = |slot: &mut Option<u64>, value: Option<u64>| {
            if value.is_some() {
                *slot = value;
            }
        };
        last(&mut self.usage.input_tokens, usage.input_tokens);
        last(&mut self.usage.output_tokens, usage.output_tokens);
        last(&mut self.usage.total_tokens, usage.total_tokens);
        last(
            &mut self.usage.cache_read_input_tokens,
            usage.cache_read_input_tokens,
        );
        last(
            &mut self.usage.cache_write_input_tokens,
            usage.cache_write_input_tokens,
        );
        last(
            &mut self.usage.cache_write_1h_input_tokens,
            usage.cache_write_1h_input_tokens,
        );
        if self.response_id.is_none() {
            self.response_id = delta.response_id;
        }
        if self.response_model.is_none() {
            self.response_model = delta.response_model;
        }
    }

    /// `text` as far as the content cap lets it in (cut on a character boundary; `None` once
    /// nothing fits), counted against the cap.
    fn within_cap(&mut self, text: String) -> Option<String> {
        let room = self.content_cap.saturating_sub(self.content_bytes);
        let text = if text.len() > room {
            self.truncated = true;
            let cut = (0..=room)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            if cut == 0 {
                return None;
            }
            text[..cut].to_owned()
        } else {
            text
        };
        self.content_bytes += text.len();
        Some(text)
    }

    /// The reassembled stream.
    pub fn finish(self) -> StreamOutcome {
        // Deltas pushed directly (ConverseStream) make a response without an adapter.
        let read = self.adapter.is_some() || self.deltas > 0;
        let inline_reasoning = self.adapter.is_some_and(|a| a.inline_reasoning());
        let response = read.then(|| {
            let mut messages: Vec<Message> = self
                .choices
                .into_values()
                .map(|state| {
                    let content = join_segments(
                        state
                            .blocks
                            .iter()
                            .filter(|b| !b.reasoning)
                            .map(|b| b.text.clone())
                            .collect(),
                    );
                    // Parts, as a whole body gives them, only for messages with tool calls or
                    // reasoning.
                    let parts = if state.has_calls || state.has_reasoning {
                        state
                            .blocks
                            .into_iter()
                            .flat_map(BlockState::into_parts)
                            .collect()
                    } else {
                        Vec::new()
                    };
                    Message {
                        role: state.role.unwrap_or(Role::Assistant),
                        content,
                        finish_reason: state.finish_reason,
                        parts,
                    }
                })
                .collect();
            let finish_reason =
                crate::view::settle_finish_reasons(&mut messages, self.finish_reason, None);
            ResponseView {
                messages,
                finish_reason,
                usage: self.usage,
                response_id: self.response_id,
                response_model: self.response_model,
                embedding: None,
                images: None,
                rerank: None,
                videos: None,
            }
        });
        let response = response.map(|mut view| {
            if inline_reasoning {
                crate::reasoning::split_inline_reasoning(&mut view);
            }
            view
        });
        StreamOutcome {
            response,
            metrics: self.metrics,
            time_to_first_token: self.first_content,
            truncated: self.truncated,
            guardrail_intervened: self.guardrail_intervened,
            chunks: self.chunks,
            errors: self.errors,
            errors_seen: self.errors_seen,
        }
    }
}

/// Whether a body or chunk carries `amazon-bedrock-guardrailAction: INTERVENED` at its top level.
pub(crate) fn guardrail_action_intervened(body: &[u8]) -> bool {
    memchr_bedrock(body)
        && serde_json::from_slice::<BedrockKeys>(body).is_ok_and(|keys| {
            keys.guardrail_action
                .is_some_and(|a| a.eq_ignore_ascii_case("INTERVENED"))
        })
}

/// Whether `chunk` mentions Bedrock's own keys at all: one vectorized search, since it runs on
/// every chunk and every whole response body.
fn memchr_bedrock(chunk: &[u8]) -> bool {
    // Built once: building a searcher costs more than searching a short chunk with it.
    static BEDROCK_KEYS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"amazon-bedrock-"));
    BEDROCK_KEYS.find(chunk).is_some()
}
