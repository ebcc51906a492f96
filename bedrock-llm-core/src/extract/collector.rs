//! The [`Collector`]: receives a body's annotated values and assembles its neutral view.

use crate::view::{ChunkDelta, ChunkText};
use crate::view::{
    EmbeddingStats, FinishReason, ImageStats, Message, Part, RequestParams, RequestView,
    RerankStats, ResponseView, Role, ToolDefinition, Usage,
};

pub use super::slots::*;

#[derive(Debug)]
struct Draft {
    choice_index: Option<u64>,
    role: Option<Role>,
    segments: Vec<String>,
    /// The message's parts in order; they are kept only once a tool call or response shows
    /// up, so text stays in `segments` until then.
    parts: Vec<DraftPart>,
    structured: bool,
    /// A whole message answering a tool call (`role: tool` turns that name the call).
    answers_call: Option<String>,
    /// Pieces of a streamed tool call's arguments (stream chunks only).
    arguments_delta: Option<String>,
    finish_reason: Option<FinishReason>,
    system: bool,
}

/// A part of a message being drafted: one of its own (reasoning, a tool call), or the text
/// segment at an index — copied into a text part only if the message ends up with parts.
#[derive(Debug)]
enum DraftPart {
    Own(Part),
    Segment(usize),
}

impl Draft {
    fn new(system: bool) -> Self {
        Self {
            choice_index: None,
            role: None,
            segments: Vec::new(),
            parts: Vec::new(),
            structured: false,
            answers_call: None,
            arguments_delta: None,
            finish_reason: None,
            system,
        }
    }
}

/// An open block placeholder: its text, and what a tool call or response in it carries.
#[derive(Debug, Default)]
struct Block {
    segments: Vec<String>,
    id: Option<String>,
    name: Option<String>,
    arguments: Option<serde_json::Value>,
}

/// What a closed message of a stream chunk says beside its text.
#[derive(Debug)]
struct ChunkFacts {
    /// The role as the body gave it (none when it gave none).
    role: Option<Role>,
    choice: Option<u64>,
    has_text: bool,
    arguments_delta: Option<String>,
}

/// Receives the annotated values of one body and assembles its neutral view.
#[derive(Debug)]
pub struct Collector {
    side: Side,
    system: Vec<Message>,
    messages: Vec<Message>,
    open: Vec<Draft>,
    implicit: Option<Draft>,
    blocks: Vec<Block>,
    params: RequestParams,
    embedding_inputs: Vec<String>,
    tool_names: Vec<String>,
    tools: Vec<ToolDefinition>,
    finish_reason: Option<FinishReason>,
    usage: Usage,
    response_id: Option<String>,
    response_model: Option<String>,
    embedding: Option<EmbeddingStats>,
    images: Option<ImageStats>,
    rerank: Option<RerankStats>,
    block_index: Option<u64>,
    /// Per closed message, what a stream chunk reports beside the message.
    chunk_facts: Vec<ChunkFacts>,
}

impl Collector {
    /// An empty collector for one side.
    pub fn new(side: Side) -> Self {
        Self {
            side,
            system: Vec::new(),
            messages: Vec::new(),
            open: Vec::new(),
            implicit: None,
            blocks: Vec::new(),
            params: RequestParams::default(),
            embedding_inputs: Vec::new(),
            tool_names: Vec::new(),
            tools: Vec::new(),
            finish_reason: None,
            usage: Usage::default(),
            response_id: None,
            response_model: None,
            embedding: None,
            images: None,
            rerank: None,
            block_index: None,
            chunk_facts: Vec::new(),
        }
    }

    fn default_role(&self) -> Role {
        match self.side {
            Side::Request => Role::User,
            Side::Response => Role::Assistant,
        }
    }

    /// The message text currently goes to: the innermost open message, else the body's
    /// implicit single message (Claude Messages responses have `role`/`content` at top level).
    fn current(&mut self) -> &mut Draft {
        if !self.open.is_empty() {
            let last = self.open.len() - 1;
            return &mut self.open[last];
        }
        self.implicit.get_or_insert_with(|| Draft::new(false))
    }

    /// Adds one content segment (segments of a message are joined by a blank line).
    pub fn text(&mut self, text: &str) {
        self.segment(text.to_owned());
    }

    fn segment(&mut self, text: String) {
        if let Some(block) = self.blocks.last_mut() {
            block.segments.push(text);
        } else {
            let draft = self.current();
            if !text.is_empty() {
                draft.parts.push(DraftPart::Segment(draft.segments.len()));
            }
            draft.segments.push(text);
        }
    }

    /// Adds reasoning to the current message as a part of its own: the message gets parts, and
    /// the reasoning stays out of its text.
    pub fn reasoning(&mut self, text: &str) {
        if text.is_empty() || !self.blocks.is_empty() {
            return;
        }
        let draft = self.current();
        draft.parts.push(DraftPart::Own(Part::Reasoning {
            content: text.to_owned(),
        }));
        draft.structured = true;
    }

    /// Runs `f` inside a new message; closes it into the message list afterwards.
    pub fn message(&mut self, f: impl FnOnce(&mut Self)) {
        self.open.push(Draft::new(false));
        f(self);
        if let Some(draft) = self.open.pop() {
            self.close(draft);
        }
    }

    /// Runs `f` inside a new system message (placed before all other messages). Nothing is
    /// recorded when `f` adds no text (`system: None`).
    pub fn system(&mut self, f: impl FnOnce(&mut Self)) {
        self.open.push(Draft::new(true));
        f(self);
        if let Some(draft) = self.open.pop().filter(|d| !d.segments.is_empty()) {
            self.close(draft);
        }
    }

    /// Runs `f` inside a new user message. Nothing is recorded when `f` adds no text.
    pub fn prompt(&mut self, f: impl FnOnce(&mut Self)) {
        self.open.push(Draft::new(false));
        f(self);
        if let Some(mut draft) = self.open.pop().filter(|d| !d.segments.is_empty()) {
            draft.role = Some(Role::User);
            self.close(draft);
        }
    }

    /// Runs `f` inside a block placeholder `<tag>…</tag>` (`<tag>` when `f` adds no text). A
    /// top-level `tool_use` block is also kept as a tool-call part, a `tool_result` block as a
    /// tool-call response part.
    pub fn block(&mut self, tag: &str, f: impl FnOnce(&mut Self)) {
        self.blocks.push(Block::default());
        f(self);
        let block = self.blocks.pop().unwrap_or_default();
        let inner = crate::view::join_segments(block.segments);
        let rendered = if inner.is_empty() {
            format!("<{tag}>")
        } else {
            format!("<{tag}>{inner}</{tag}>")
        };
        if !self.blocks.is_empty() {
            self.segment(rendered);
            return;
        }
        let part = match tag {
            "tool_use" => Part::ToolCall {
                id: block.id,
                name: block.name.unwrap_or_default(),
                arguments: block.arguments,
            },
            "tool_result" => Part::ToolCallResponse {
                id: block.id,
                response: inner,
            },
            _ => {
                self.segment(rendered);
                return;
            }
        };
        let draft = self.current();
        draft.parts.push(DraftPart::Own(part));
        draft.structured = true;
        draft.segments.push(rendered);
    }

    /// The tool offered last, or a new one when it already has `filled`.
    fn tool_slot(&mut self, filled: impl Fn(&ToolDefinition) -> bool) -> &mut ToolDefinition {
        if self.tools.last().is_none_or(&filled) {
            self.tools.push(ToolDefinition::default());
        }
        let last = self.tools.len() - 1;
        &mut self.tools[last]
    }

    fn close(&mut self, mut draft: Draft) {
        if !draft.system {
            self.chunk_facts.push(ChunkFacts {
                role: draft.role.clone(),
                choice: draft.choice_index,
                has_text: !draft.segments.is_empty(),
                arguments_delta: draft.arguments_delta.take(),
            });
        }
        let role = match (draft.system, draft.role) {
            (true, _) => Role::System,
            (false, Some(role)) => role,
            (false, None) => self.default_role(),
        };
        let segments = &draft.segments;
        let structured: Vec<Part> = if draft.structured {
            let parts = std::mem::take(&mut draft.parts).into_iter();
            parts
                .map(|part| match part {
                    DraftPart::Own(part) => part,
                    DraftPart::Segment(at) => Part::Text {
                        content: segments.get(at).cloned().unwrap_or_default(),
                    },
                })
                .collect()
        } else {
            Vec::new()
        };
        let content = crate::view::join_segments(draft.segments);
        let parts = match (draft.structured, draft.answers_call) {
            (true, _) => structured,
            (false, Some(id)) => vec![Part::ToolCallResponse {
                id: Some(id),
                response: content.clone(),
            }],
            (false, None) => Vec::new(),
        };
        let message = Message {
            role,
            content,
            finish_reason: draft.finish_reason,
            parts,
        };
        if draft.system {
            self.system.push(message);
        } else {
            self.messages.push(message);
        }
    }

    /// Reports a scalar text value.
    pub fn scalar(&mut self, which: Scalar, text: &str) {
        match which {
            Scalar::Role => self.current().role = Some(Role::from_body(text)),
            Scalar::FinishReason => {
                let reason = Some(FinishReason::from_raw(text));
                match self.open.last_mut() {
                    Some(draft) => draft.finish_reason = reason,
                    None => self.finish_reason = reason,
                }
            }
            Scalar::ResponseId => {
                self.response_id.get_or_insert_with(|| text.to_owned());
            }
            Scalar::ResponseModel => {
                self.response_model.get_or_insert_with(|| text.to_owned());
            }
            Scalar::Name => {
                if let Some(block) = self.blocks.last_mut() {
                    block.name.get_or_insert_with(|| text.to_owned());
                }
                self.text(text);
            }
            Scalar::ToolName => {
                self.tool_names.push(text.to_owned());
                // A description or schema reported before the name waits in an unnamed slot.
                self.tool_slot(|tool| !tool.name.is_empty()).name = text.to_owned();
            }
            Scalar::ToolDescription => {
                self.tool_slot(|tool| tool.description.is_some())
                    .description = Some(text.to_owned());
            }
            Scalar::Reasoning => self.reasoning(text),
            Scalar::ImageQuality => self.params.image.quality = Some(text.to_owned()),
            Scalar::AspectRatio => self.params.image.aspect_ratio = Some(text.to_owned()),
            Scalar::VideoDuration => {
                self.params.video.duration_seconds = crate::VideoParams::parse_seconds(text);
            }
            Scalar::VideoDimension => self.params.video.dimension = Some(text.to_owned()),
            Scalar::VideoAspectRatio => self.params.video.aspect_ratio = Some(text.to_owned()),
            Scalar::ImageError => {
                self.images.get_or_insert_with(ImageStats::default).error = Some(text.to_owned());
            }
            Scalar::ImageFinishReason => self
                .images
                .get_or_insert_with(ImageStats::default)
                .finish_reasons
                .push(FinishReason::from_raw(text)),
            Scalar::ArgumentsDelta => self
                .current()
                .arguments_delta
                .get_or_insert_with(String::new)
                .push_str(text),
            Scalar::ToolCallId => match self.blocks.last_mut() {
                Some(block) => {
                    block.id.get_or_insert_with(|| text.to_owned());
                }
                None => {
                    self.current()
                        .answers_call
                        .get_or_insert_with(|| text.to_owned());
                }
            },
        }
    }

    /// Reports a JSON value kept as a structure.
    pub fn structure(&mut self, which: Structure, value: &serde_json::Value) {
        match which {
            Structure::Arguments => {
                if let Some(block) = self.blocks.last_mut() {
                    block.arguments.get_or_insert_with(|| value.clone());
                }
            }
            Structure::ToolParameters => {
                self.tool_slot(|tool| tool.parameters.is_some()).parameters = Some(value.clone());
            }
        }
    }

    /// Reports a stream position.
    pub fn index(&mut self, which: Index, value: u64) {
        match which {
            Index::Block => self.block_index = Some(value),
            Index::Choice => self.current().choice_index = Some(value),
        }
    }

    /// Reports a JSON value, rendered as `<json>…</json>` inside the current message.
    pub fn json(&mut self, value: &serde_json::Value) {
        self.segment(format!("<json>{value}</json>"));
    }

    /// Adds to a token counter (counts in a choice list add up).
    pub fn tokens(&mut self, which: Tokens, count: u64) {
        let slot = match which {
            Tokens::Input => &mut self.usage.input_tokens,
            Tokens::Output => &mut self.usage.output_tokens,
            Tokens::Total => &mut self.usage.total_tokens,
            Tokens::CacheRead => &mut self.usage.cache_read_input_tokens,
            Tokens::CacheWrite => &mut self.usage.cache_write_input_tokens,
            Tokens::CacheWrite1h => &mut self.usage.cache_write_1h_input_tokens,
        };
        *slot = Some(slot.unwrap_or(0).saturating_add(count));
    }

    /// Sets an integer request parameter.
    pub fn int_param(&mut self, which: IntParam, value: u64) {
        let slot = match which {
            IntParam::MaxTokens => &mut self.params.max_tokens,
            IntParam::TopK => &mut self.params.top_k,
            IntParam::ChoiceCount => &mut self.params.choice_count,
            IntParam::ImageCount => &mut self.params.image.count,
            IntParam::ImageWidth => &mut self.params.image.width,
            IntParam::ImageHeight => &mut self.params.image.height,
            IntParam::ImageSteps => &mut self.params.image.steps,
            IntParam::TopN => &mut self.params.rerank.top_n,
            IntParam::VideoFps => &mut self.params.video.fps,
        };
        *slot = Some(value);
    }

    /// Sets a float parameter (a rerank result's score is kept as the best one seen).
    pub fn float_param(&mut self, which: FloatParam, value: f64) {
        let slot = match which {
            FloatParam::RelevanceScore => {
                let stats = self.rerank.get_or_insert_with(RerankStats::default);
                stats.top_score = Some(stats.top_score.map_or(value, |best| best.max(value)));
                return;
            }
            FloatParam::Temperature => &mut self.params.temperature,
            FloatParam::TopP => &mut self.params.top_p,
            FloatParam::FrequencyPenalty => &mut self.params.frequency_penalty,
            FloatParam::PresencePenalty => &mut self.params.presence_penalty,
        };
        *slot = Some(value);
    }

    /// Adds a stop sequence.
    pub fn stop_sequence(&mut self, text: &str) {
        self.params.stop_sequences.push(text.to_owned());
    }

    /// Adds a text to embed.
    pub fn embedding_input(&mut self, text: &str) {
        self.embedding_inputs.push(text.to_owned());
    }

    /// Reports returned embedding vectors. The first report wins: a body that carries the same
    /// vectors twice (Titan's `embedding` and `embeddingsByType.float`) counts them once.
    pub fn embedding(&mut self, stats: EmbeddingStats) {
        self.embedding.get_or_insert(stats);
    }

    /// Marks the body as an image response: its view says how many images came back, 0 when
    /// it lists none (a refusal, an empty list).
    pub fn expect_images(&mut self) {
        self.images.get_or_insert_with(ImageStats::default);
    }

    /// Counts one generated image from its base64 payload (an empty one is no image). Only
    /// the count and size are kept: no payload reaches any rendering.
    pub fn image(&mut self, base64: &str) {
        let images = self.images.get_or_insert_with(ImageStats::default);
        if !base64.trim().is_empty() {
            images.count = images.count.saturating_add(1);
            images.bytes = images.bytes.saturating_add(ImageStats::decoded_len(base64));
        }
    }

    /// Reports how many documents a rerank request sends.
    pub fn rerank_documents(&mut self, count: u64) {
        self.params.rerank.documents = Some(count);
    }

    /// Reports how many results a rerank response returns.
    pub fn rerank_results(&mut self, count: u64) {
        self.rerank.get_or_insert_with(RerankStats::default).results = count;
    }

    /// Adds the request's negative prompt (what the image must not show) as a message of its
    /// own, role `negative`, after the prompt.
    pub fn negative_prompt(&mut self, f: impl FnOnce(&mut Self)) {
        self.open.push(Draft::new(false));
        f(self);
        if let Some(mut draft) = self.open.pop().filter(|d| !d.segments.is_empty()) {
            draft.role = Some(Role::Other("negative".to_owned()));
            self.close(draft);
        }
    }

    fn into_messages(mut self) -> (Vec<Message>, Self) {
        if let Some(draft) = self.implicit.take() {
            self.close(draft);
        }
        let mut messages = std::mem::take(&mut self.system);
        messages.append(&mut self.messages);
        (messages, self)
    }

    /// The request view.
    pub fn into_request_view(self) -> RequestView {
        let (messages, this) = self.into_messages();
        RequestView {
            messages,
            embedding_inputs: this.embedding_inputs,
            params: this.params,
            tool_names: this.tool_names,
            // Only named tools: a description with no name is not a tool.
            tools: this
                .tools
                .into_iter()
                .filter(|tool| !tool.name.is_empty())
                .collect(),
        }
    }

    /// What one stream chunk adds (see [`crate::stream`]).
    pub fn into_chunk_delta(mut self) -> ChunkDelta {
        if let Some(draft) = self.implicit.take() {
            self.close(draft);
        }
        let texts = self
            .messages
            .into_iter()
            .zip(self.chunk_facts)
            .map(|(message, facts)| ChunkText {
                choice: facts.choice,
                role: facts.role,
                text: facts.has_text.then_some(message.content),
                finish_reason: message.finish_reason,
                parts: message.parts,
                arguments_delta: facts.arguments_delta,
            })
            .collect();
        ChunkDelta {
            texts,
            block_index: self.block_index,
            finish_reason: self.finish_reason,
            usage: self.usage,
            response_id: self.response_id,
            response_model: self.response_model,
        }
    }

    /// The response view.
    pub fn into_response_view(self) -> ResponseView {
        let (mut messages, this) = self.into_messages();
        let finish_reason = crate::view::settle_finish_reasons(
            &mut messages,
            this.finish_reason,
            this.images.as_ref(),
        );
        ResponseView {
            messages,
            finish_reason,
            usage: this.usage,
            response_id: this.response_id,
            response_model: this.response_model,
            embedding: this.embedding,
            images: this.images,
            rerank: this.rerank,
            // A job's video exists only later; a log reports it beside the body.
            videos: None,
        }
    }
}
