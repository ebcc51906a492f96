//! From one neutral [`Invocation`] to its events (`docs/llm-events.md` §2–§9): a summary and its
//! messages for a completion, one event for an embedding, and an error report for a failure.

use bedrock_llm_core::{
    ExchangeKind, Invocation, InvocationError, Message, Operation, StreamEnd, Usage,
};

use crate::attribute::Text;
use crate::config::{Config, TokenPrecedence};
use crate::context::{CallContext, derived_uuid, uuid_v4_text};
use crate::cost::CostOutcome;
use crate::event::{CustomAttributes, LlmEvent, LlmEventBuilder};
use crate::names::{attr, event_type, value};

/// Which source produced the token counts (for logs and tests; not an event attribute): core's
/// one tier enum, whose `Callback` is the user's token callback.
pub use bedrock_llm_core::TokenSource as TokenTier;

/// The error report of a failed call (`docs/llm-events.md` §9).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorReport {
    /// HTTP status, when a response arrived.
    pub http_status: Option<u16>,
    /// AWS error code or SDK failure kind.
    pub code: String,
    /// The message.
    pub message: Option<String>,
    /// The summary's id, for completions.
    pub completion_id: Option<String>,
    /// The embedding event's id, for embeddings.
    pub embedding_id: Option<String>,
}

impl ErrorReport {
    /// The report of `error`, for the summary `completion_id` or the embedding `embedding_id`.
    /// `http_status` is the status the answer had on the wire (200 for a stream that broke off
    /// with an exception frame, as New Relic's agents report it); classifying the failure
    /// (throttle, client or server error) is [`InvocationError::status`]'s one rule, which
    /// runtime metrics use.
    pub fn of(
        error: &InvocationError,
        completion_id: Option<String>,
        embedding_id: Option<String>,
    ) -> Self {
        Self {
            http_status: error.http_status,
            code: error.code.clone(),
            message: error.message.clone(),
            completion_id,
            embedding_id,
        }
    }
}

/// Everything one invocation produced.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InvocationEvents {
    /// Summary then messages (request first), or the embedding event.
    pub events: Vec<LlmEvent>,
    /// Set when the call failed.
    pub error: Option<ErrorReport>,
    /// Where the token counts came from, when any were recorded.
    pub token_tier: Option<TokenTier>,
    /// Attributes dropped by the limits.
    pub dropped_attributes: u32,
    /// What the call cost (`None` when pricing is off), priced once for every use.
    pub cost: Option<CostOutcome>,
}

/// What [`emit_events`] produced besides the events it handed over.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EmittedEvents {
    /// How many events were handed to the sink.
    pub events: usize,
    /// Set when the call failed.
    pub error: Option<ErrorReport>,
    /// Where the token counts came from, when any were recorded.
    pub token_tier: Option<TokenTier>,
    /// Attributes dropped by the limits.
    pub dropped_attributes: u32,
    /// What the call cost (`None` when pricing is off).
    pub cost: Option<CostOutcome>,
}

/// Builds the events of `invocation`. Never fails: what a body did not say is absent.
pub fn build_events(
    invocation: &Invocation,
    config: &Config,
    context: &CallContext,
) -> InvocationEvents {
    let mut events = Vec::new();
    let emitted = emit_events(invocation, config, context, &mut |event| events.push(event));
    InvocationEvents {
        events,
        error: emitted.error,
        token_tier: emitted.token_tier,
        dropped_attributes: emitted.dropped_attributes,
        cost: emitted.cost,
    }
}

/// [`build_events`], handing each event to `sink` as soon as it is built instead of
/// collecting them: a call with a million messages then costs one event's memory at a time
/// (what `bedrock-llm replay` does).
pub fn emit_events(
    invocation: &Invocation,
    config: &Config,
    context: &CallContext,
    sink: &mut dyn FnMut(LlmEvent),
) -> EmittedEvents {
    let builder = Builder {
        sink,
        emitted: 0,
        invocation,
        config,
        shared: Shared {
            model: Text::from(&invocation.model_id),
            span_id: Text::from(&context.trace.span_id),
            trace_id: Text::from(&context.trace.trace_id),
            request_id: invocation.request_id.as_ref().map(Text::from),
            custom: CustomAttributes::new(&context.llm_attributes, config.limits()),
        },
        id_seed: context.id_seed.as_deref(),
        dropped: 0,
        cost: config.cost_of(invocation),
    };
    match invocation.kind {
        Some(ExchangeKind::Embedding) => builder.embedding(),
        _ => builder.completion(),
    }
}

struct Builder<'a> {
    sink: &'a mut dyn FnMut(LlmEvent),
    emitted: usize,
    invocation: &'a Invocation,
    config: &'a Config,
    shared: Shared,
    /// Derive ids from this instead of drawing them (replay).
    id_seed: Option<&'a str>,
    dropped: u32,
    /// The call's cost, priced once: on its summary or embedding event, and handed back.
    cost: Option<CostOutcome>,
}

/// Values every event of the call carries, made once and shared between the events.
struct Shared {
    model: Text,
    span_id: Text,
    trace_id: Text,
    request_id: Option<Text>,
    custom: CustomAttributes,
}

/// Token counts resolved for a completion.
enum Tokens {
    /// All three go on the summary; messages get `token_count = 0`.
    Complete {
        prompt: u64,
        completion: u64,
        tier: TokenTier,
    },
    /// Messages get the callback's count for their content.
    PerMessage,
    /// Nothing known; the backend tokenizes.
    Unknown,
}

impl Builder<'_> {
    /// The id of event `kind` number `sequence`: derived from the seed when there is one,
    /// else random.
    fn id(&self, kind: &str, sequence: usize) -> Text {
        match self.id_seed {
            Some(seed) => {
                let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
                let id = derived_uuid(seed, kind, sequence);
                Text::Shared(id.hyphenated().encode_lower(&mut text).into())
            }
            None => uuid_v4_text(),
        }
    }

    /// The attributes every event of a call starts with, in the spec's order.
    fn event(&self, event_type: &'static str, time_ms: u64, id: Text) -> LlmEventBuilder {
        let mut event = LlmEvent::builder(event_type, time_ms, self.config.limits());
        event
            .str(attr::ID, id)
            .str(attr::SPAN_ID, self.shared.span_id.clone())
            .str(attr::TRACE_ID, self.shared.trace_id.clone())
            .str(attr::VENDOR, value::VENDOR)
            .str(attr::INGEST_SOURCE, value::INGEST_SOURCE);
        event
    }

    /// Builds the event and hands it to the sink.
    fn finish(&mut self, mut builder: LlmEventBuilder) {
        let (event, dropped) = builder.build_counting();
        self.dropped += dropped;
        self.emitted += 1;
        (self.sink)(event);
    }

    fn started_ms(&self) -> u64 {
        self.invocation.timing.started_at_ms
    }

    fn ended_ms(&self) -> u64 {
        let duration = self
            .invocation
            .timing
            .duration
            .map_or(0, |d| d.as_millis() as u64);
        self.started_ms().saturating_add(duration)
    }

    fn duration_ms(&self) -> Option<f64> {
        self.invocation
            .timing
            .duration
            .map(|d| d.as_secs_f64() * 1000.0)
    }

    fn model(&self) -> Text {
        self.shared.model.clone()
    }

    fn request_id(&self) -> Option<Text> {
        self.shared.request_id.clone()
    }

    /// `response_id`: the body's id; for Converse, the request id (Node's rule).
    fn response_id(&self) -> Option<Text> {
        let from_body = self
            .invocation
            .response
            .as_ref()
            .and_then(|r| r.response_id.as_ref())
            .map(Text::from);
        let converse = matches!(
            self.invocation.operation,
            Operation::Converse | Operation::ConverseStream
        );
        from_body.or_else(|| if converse { self.request_id() } else { None })
    }

    fn callback(&self, content: &str) -> Option<u64> {
        self.config
            .token_callback
            .as_ref()
            .and_then(|callback| callback(&self.invocation.model_id, content))
    }

    fn resolve_tokens(&self, request: &[Message], response: &[Message]) -> Tokens {
        if self.config.token_precedence == TokenPrecedence::CallbackFirst
            && self.config.token_callback.is_some()
        {
            let join = |messages: &[Message]| {
                messages
                    .iter()
                    .map(|m| m.content.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            if let (Some(prompt), Some(completion)) = (
                self.callback(&join(request)),
                self.callback(&join(response)),
            ) {
                return Tokens::Complete {
                    prompt,
                    completion,
                    tier: TokenTier::Callback,
                };
            }
        }
        match self.invocation.usage() {
            Some((
                Usage {
                    input_tokens: Some(prompt),
                    output_tokens: Some(completion),
                    ..
                },
                source,
            )) => Tokens::Complete {
                prompt,
                completion,
                tier: source,
            },
            _ if self.config.token_callback.is_some() => Tokens::PerMessage,
            _ => Tokens::Unknown,
        }
    }

    fn completion(mut self) -> EmittedEvents {
        let invocation = self.invocation;
        let summary_id = self.id(event_type::SUMMARY, 0);
        let response_id = self.response_id();
        let request_messages: &[Message] = invocation.request.as_ref().map_or(&[], |r| &r.messages);
        let response_messages: &[Message] =
            invocation.response.as_ref().map_or(&[], |r| &r.messages);
        let tokens = self.resolve_tokens(request_messages, response_messages);
        let message_count = request_messages.len() + response_messages.len();

        let params = invocation.request.as_ref().map(|r| &r.params);
        let mut summary = self.event(event_type::SUMMARY, self.started_ms(), summary_id.clone());
        summary
            .opt_str(attr::REQUEST_ID, self.request_id())
            .opt_str(attr::RESPONSE_ID, response_id.clone())
            .str(attr::REQUEST_MODEL, self.model())
            .str(attr::RESPONSE_MODEL, self.model())
            .opt_float(
                attr::REQUEST_TEMPERATURE,
                params.and_then(|p| p.temperature),
            )
            .opt_int(
                attr::REQUEST_MAX_TOKENS,
                params.and_then(|p| p.max_tokens).filter(|&n| n > 0),
            )
            .opt_int(
                attr::NUMBER_OF_MESSAGES,
                (message_count > 0).then_some(message_count as u64),
            )
            .opt_str(
                attr::FINISH_REASON,
                invocation
                    .response
                    .as_ref()
                    .and_then(|r| r.finish_reason.as_ref())
                    .map(|f| Text::from(&f.raw)),
            )
            .opt_float(attr::DURATION, self.duration_ms())
            .int(attr::TIMESTAMP, self.started_ms())
            .opt_float(
                attr::TIME_TO_FIRST_TOKEN,
                invocation
                    .timing
                    .time_to_first_token
                    .map(|d| d.as_secs_f64() * 1000.0),
            );
        let mut token_tier = None;
        if let Tokens::Complete {
            prompt,
            completion,
            tier,
        } = tokens
        {
            summary
                .int(attr::PROMPT_TOKENS, prompt)
                .int(attr::COMPLETION_TOKENS, completion)
                .int(attr::TOTAL_TOKENS, prompt.saturating_add(completion));
            token_tier = Some(tier);
        }
        if let Some(usage) = invocation.response.as_ref().map(|r| &r.usage) {
            summary
                .opt_int(attr::CACHE_READ_TOKENS, usage.cache_read_input_tokens)
                .opt_int(attr::CACHE_WRITE_TOKENS, usage.cache_write_input_tokens);
        }
        serving(&mut summary, invocation);
        kind_facts(&mut summary, invocation);
        cost_facts(&mut summary, self.cost.as_ref());
        summary.error_flag(invocation.is_error());
        if invocation.stream_end == Some(StreamEnd::Dropped) {
            summary.bool(attr::INCOMPLETE, true);
        }
        summary.custom_prepared(&self.shared.custom);
        self.finish(summary);

        let all = request_messages
            .iter()
            .map(|m| (m, false))
            .chain(response_messages.iter().map(|m| (m, true)));
        let mut per_message_callback_used = false;
        let mut id_buffer = String::new();
        for (sequence, (message, is_response)) in all.enumerate() {
            let id = match &response_id {
                Some(response_id) => {
                    id_buffer.clear();
                    id_buffer.push_str(response_id);
                    id_buffer.push('-');
                    id_buffer.push_str(itoa::Buffer::new().format(sequence));
                    Text::Shared(id_buffer.as_str().into())
                }
                None => self.id(event_type::MESSAGE, sequence),
            };
            let time = if is_response {
                self.ended_ms()
            } else {
                self.started_ms()
            };
            let mut event = self.event(event_type::MESSAGE, time, id);
            event
                .opt_str(attr::REQUEST_ID, self.request_id())
                .str(attr::RESPONSE_MODEL, self.model())
                .str(attr::COMPLETION_ID, summary_id.clone())
                .int(attr::SEQUENCE, sequence as u64)
                .str(
                    attr::ROLE,
                    message.role.known_str().map_or_else(
                        || Text::from(message.role.as_str().to_owned()),
                        Text::Static,
                    ),
                );
            if self.config.record_content {
                event.content(attr::CONTENT, &message.content);
                let reasoning: Vec<&str> = message
                    .parts
                    .iter()
                    .filter_map(|part| match part {
                        bedrock_llm_core::Part::Reasoning { content } => Some(content.as_str()),
                        _ => None,
                    })
                    .collect();
                if !reasoning.is_empty() {
                    event.content(attr::REASONING, reasoning.join("\n\n"));
                }
            }
            if is_response {
                event.bool(attr::IS_RESPONSE, true);
            } else {
                event.int(attr::TIMESTAMP, self.started_ms());
            }
            match tokens {
                Tokens::Complete { .. } => {
                    event.int(attr::TOKEN_COUNT, 0);
                }
                Tokens::PerMessage => {
                    // The callback sees content even when it is not recorded (§6).
                    if let Some(count) = self.callback(&message.content) {
                        event.int(attr::TOKEN_COUNT, count);
                        per_message_callback_used = true;
                    }
                }
                Tokens::Unknown => {}
            }
            event.custom_prepared(&self.shared.custom);
            self.finish(event);
        }
        if per_message_callback_used {
            token_tier = Some(TokenTier::Callback);
        }

        let error = invocation
            .error
            .as_ref()
            .map(|error| ErrorReport::of(error, Some(summary_id.to_string()), None));
        EmittedEvents {
            events: self.emitted,
            error,
            token_tier,
            dropped_attributes: self.dropped,
            cost: self.cost,
        }
    }

    fn embedding(mut self) -> EmittedEvents {
        let invocation = self.invocation;
        let id = self.id(event_type::EMBEDDING, 0);
        let inputs: &[String] = invocation
            .request
            .as_ref()
            .map_or(&[], |r| &r.embedding_inputs);
        // Several texts (Cohere) make one event with the texts joined by a newline.
        let input = inputs.join("\n");
        let total = invocation
            .input_tokens()
            .or_else(|| self.callback(&input).map(|n| (n, TokenTier::Callback)));

        let mut event = self.event(event_type::EMBEDDING, self.started_ms(), id.clone());
        event
            .opt_str(attr::REQUEST_ID, self.request_id())
            .str(attr::REQUEST_MODEL, self.model())
            .str(attr::RESPONSE_MODEL, self.model());
        if self.config.record_content && invocation.request.is_some() {
            event.content(attr::INPUT, input);
        }
        event
            .opt_float(attr::DURATION, self.duration_ms())
            .int(attr::TIMESTAMP, self.started_ms())
            .opt_int(attr::TOTAL_TOKENS, total.map(|(n, _)| n));
        serving(&mut event, invocation);
        kind_facts(&mut event, invocation);
        cost_facts(&mut event, self.cost.as_ref());
        event
            .error_flag(invocation.is_error())
            .custom_prepared(&self.shared.custom);
        self.finish(event);
        let error = invocation
            .error
            .as_ref()
            .map(|error| ErrorReport::of(error, None, Some(id.to_string())));
        EmittedEvents {
            events: self.emitted,
            error,
            token_tier: total.map(|(_, tier)| tier),
            dropped_attributes: self.dropped,
            cost: self.cost,
        }
    }
}

/// How Bedrock served the call, on a summary or embedding event: a guardrail's intervention
/// and, where known, the Region the call ran in, its latency mode and service tier.
fn serving(event: &mut LlmEventBuilder, invocation: &Invocation) {
    if invocation.guardrail_intervened {
        event.bool(attr::GUARDRAIL_INTERVENED, true);
    }
    let serving = &invocation.serving;
    event
        .opt_str(attr::INFERENCE_REGION, serving.inference_region.clone())
        .opt_str(attr::PERFORMANCE_LATENCY, serving.latency.clone())
        .opt_str(attr::SERVICE_TIER, serving.service_tier.clone());
}

/// An image or video generation's, an embedding's or a rerank's facts on its event
/// (`kind_facts`).
fn kind_facts(event: &mut LlmEventBuilder, invocation: &Invocation) {
    put_facts(
        event,
        crate::kind_facts::kind_facts(invocation, attr::NUMBER_OF_IMAGES),
    );
}

/// What the call cost, on its summary or embedding event, when pricing is on.
fn cost_facts(event: &mut LlmEventBuilder, cost: Option<&CostOutcome>) {
    if let Some(outcome) = cost {
        put_facts(
            event,
            crate::cost::facts::cost_facts(outcome, &crate::cost::facts::NEW_RELIC),
        );
    }
}

fn put_facts(event: &mut LlmEventBuilder, facts: Vec<(&'static str, crate::kind_facts::Fact)>) {
    use crate::kind_facts::Fact;
    for (key, fact) in facts {
        match fact {
            Fact::Int(value) => event.int(key, value),
            Fact::Float(value) => event.float(key, value),
            Fact::Str(value) => event.str(key, value),
            Fact::Shared(value) => event.str(key, value),
        };
    }
}
