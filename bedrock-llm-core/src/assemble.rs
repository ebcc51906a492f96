//! The one assembler of [`Invocation`] records: [`InvocationBuilder`].
//!
//! Every producer — the SDK interceptor, the stream wrappers and the body tap, the blocking
//! client (through the interceptor), log replay, and [`Invocation::read_bodies`] — hands the
//! pieces it captured to a builder and calls [`InvocationBuilder::finish`]. The rules that turn
//! pieces into a record live here and nowhere else:
//!
//! - **Routing**: by model ID (any form, pins first) and the request body's shape; `Converse`
//!   and `ConverseStream` through the registry's Converse slot, whatever the model.
//! - **Capture is cheap, reading is deferred**: the methods a call path uses only store
//!   (refcounted bytes, headers, timings); bodies and chunks are parsed in `finish`, which a
//!   recorder may run on a worker thread. A long stream's chunks are folded as they arrive
//!   once the held bytes pass [`HELD_CHUNK_BYTES`], so memory stays bounded.
//! - **Duration**: measured by the caller's clock when the call was live; otherwise Bedrock's
//!   own latency (a stream's invocation metrics, Converse's `metrics.latencyMs`, the
//!   `X-Amzn-Bedrock-Invocation-Latency` header). Time to first token likewise: measured, else
//!   Bedrock's first-byte latency.
//! - **Guardrails**: intervened when the finish reason says `guardrail_intervened`, or Bedrock
//!   marked the whole body or any chunk `amazon-bedrock-guardrailAction: INTERVENED`; the
//!   guardrail's id is the request's `guardrailIdentifier`, else the one a trace names.
//! - **Streams**: how they ended (completed unless told otherwise), content truncation at the
//!   cap, unreadable chunks kept (the first few) and counted (all), Bedrock's stream metrics,
//!   with an invocation log's counts as the fallback.
//! - **Errors**: as the producer classified them; the HTTP status they carry is the answer's
//!   ([`InvocationError::status`] maps codes to statuses for every producer alike).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde::Deserialize;

use crate::adapter::Adapter;
use crate::model::ExchangeKind;
use crate::model_id::ModelId;
use crate::record::{Invocation, InvocationError, Operation, ServiceMetrics, StreamEnd};
use crate::registry::Registry;
use crate::stream::{ChunkDelta, DEFAULT_CONTENT_CAP, StreamAccumulator};
use crate::view::{RequestView, ResponseView};

/// Raw chunk bytes a stream holds unread before it starts folding as chunks arrive.
pub const HELD_CHUNK_BYTES: usize = 256 * 1024;

/// The family name of Converse records read from the SDK's typed shapes.
pub const CONVERSE_FAMILY: &str = "Converse";

/// The response as captured: bytes to read, or a view already built from typed SDK shapes.
#[derive(Debug)]
enum ResponsePiece {
    Body(Bytes),
    View(ResponseView),
}

/// Collects the pieces of one invocation and assembles its record. See the module docs for
/// the rules it owns.
#[derive(Debug)]
pub struct InvocationBuilder {
    record: Invocation,
    adapter: Option<&'static dyn Adapter>,
    /// Routing left for later (it may parse the request body): the registry to ask.
    route_later: Option<Arc<Registry>>,
    /// The record's model ID is parsed when the pieces are read.
    parse_later: bool,
    /// Set for live calls: the duration and time to first token are measured on it.
    clock: Option<Instant>,
    measured: Option<Duration>,
    request: Option<Bytes>,
    response: Option<ResponsePiece>,
    status: Option<u16>,
    /// An invocation log's token counts, the last tier.
    logged: Option<ServiceMetrics>,
    /// Whether any stream chunk or delta arrived.
    streamed: bool,
    /// Chunks held unread while they are few, with when each arrived.
    held: Vec<(Bytes, Duration)>,
    held_bytes: usize,
    /// Chunks folded as they arrive, once the held ones passed [`HELD_CHUNK_BYTES`].
    accumulator: Option<Box<StreamAccumulator>>,
    content_cap: usize,
}

impl InvocationBuilder {
    /// A builder for a call to `model_id`, routed through `registry`: the Converse slot for
    /// Converse operations, else the adapter serving the ID (the request body settles IDs two
    /// families share).
    pub fn new(
        registry: &Registry,
        model_id: impl Into<String>,
        operation: Operation,
        request_body: Option<&[u8]>,
    ) -> Self {
        let record = Invocation::new(model_id, operation);
        let adapter = route(registry, &record, request_body);
        Self::from_record(record, adapter)
    }

    /// [`Self::new`] for a call path: the adapter is settled when the pieces are read, since
    /// telling apart two families that share an ID parses the request body. Until then the
    /// first adapter serving the ID gives [`Self::kind`].
    ///
    /// The model ID is parsed when the pieces are read too; `first` remembers, per ID, the
    /// first adapter serving it, so a call path neither parses nor searches the registry.
    pub fn routed_later(
        registry: Arc<Registry>,
        model_id: impl Into<String>,
        operation: Operation,
        first: &FirstAdapters,
    ) -> Self {
        let record = Invocation::unparsed(model_id.into(), operation);
        let adapter = if is_converse(operation) {
            registry.converse()
        } else {
            first.get(&registry, &record.model_id)
        };
        let mut builder = Self::from_record(record, adapter);
        builder.parse_later = true;
        if !is_converse(operation) {
            builder.route_later = Some(registry);
        }
        builder
    }

    /// Settles routing left for later, with the request body.
    fn route(&mut self) {
        if std::mem::take(&mut self.parse_later) {
            self.record.parsed_model_id = ModelId::parse(&self.record.model_id).ok();
        }
        let Some(registry) = self.route_later.take() else {
            return;
        };
        let adapter = route(&registry, &self.record, self.request.as_deref());
        if let Some(adapter) = adapter {
            self.record.family = Some(adapter.family());
            self.record.kind = Some(adapter.kind());
        }
        self.adapter = adapter;
    }

    /// A builder reading bodies with `adapter` whatever the model ID (typed calls, opaque
    /// ARNs); `None` reads nothing but Bedrock's own keys.
    pub fn with_adapter(
        model_id: impl Into<String>,
        operation: Operation,
        adapter: Option<&'static dyn Adapter>,
    ) -> Self {
        Self::from_record(Invocation::new(model_id, operation), adapter)
    }

    /// A builder that completes `record`: what the record already holds stands unless a piece
    /// given later replaces it.
    pub fn from_record(mut record: Invocation, adapter: Option<&'static dyn Adapter>) -> Self {
        if let Some(adapter) = adapter {
            record.family = Some(adapter.family());
            record.kind = Some(if is_converse(record.operation) {
                ExchangeKind::Chat
            } else {
                adapter.kind()
            });
        } else if is_converse(record.operation) {
            // Read from the SDK's typed shapes when no Converse JSON reader is registered.
            record.family = Some(CONVERSE_FAMILY);
            record.kind = Some(ExchangeKind::Chat);
        }
        Self {
            record,
            adapter,
            route_later: None,
            parse_later: false,
            clock: None,
            measured: None,
            request: None,
            response: None,
            status: None,
            logged: None,
            streamed: false,
            held: Vec::new(),
            held_bytes: 0,
            accumulator: None,
            content_cap: DEFAULT_CONTENT_CAP,
        }
    }

    /// Starts the call's clock now (a live call): the start time is now, and the duration and
    /// time to first token are measured from here.
    pub fn start_clock(&mut self) -> &mut Self {
        self.clock = Some(Instant::now());
        self.record.timing.started_at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// Stops the clock: the call (or its stream) is over. Later calls change nothing.
    pub fn stop_clock(&mut self) -> &mut Self {
        if self.measured.is_none() {
            self.measured = self.clock.map(|start| start.elapsed());
        }
        self
    }

    /// Keeps at most `bytes` of streamed text (default [`DEFAULT_CONTENT_CAP`]).
    pub fn content_cap(&mut self, bytes: usize) -> &mut Self {
        self.content_cap = bytes;
        self
    }

    /// The adapter that reads the bodies, when one serves the model (for a builder routed
    /// later, the first serving the ID until the pieces are read).
    pub fn adapter(&self) -> Option<&'static dyn Adapter> {
        self.adapter
    }

    /// Chat, completion or embedding, when known before any body is read.
    pub fn kind(&self) -> Option<ExchangeKind> {
        self.record.kind
    }

    /// The model ID as the caller sent it.
    pub fn model_id(&self) -> &str {
        &self.record.model_id
    }

    /// The operation.
    pub fn operation(&self) -> Operation {
        self.record.operation
    }

    /// The HTTP status of the answer, once its head arrived.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// When the call started, milliseconds since the Unix epoch (replay: the log's timestamp).
    pub fn started_at_ms(&mut self, ms: u64) -> &mut Self {
        self.record.timing.started_at_ms = ms;
        self
    }

    /// The AWS Region the call went to.
    pub fn region(&mut self, region: Option<String>) -> &mut Self {
        if region.is_some() {
            self.record.region = region;
        }
        self
    }

    /// Bedrock's request id.
    pub fn request_id(&mut self, request_id: Option<String>) -> &mut Self {
        if request_id.is_some() {
            self.record.request_id = request_id;
        }
        self
    }

    /// The guardrail the request named.
    pub fn guardrail_id(&mut self, guardrail_id: Option<String>) -> &mut Self {
        if guardrail_id.is_some() {
            self.record.guardrail_id = guardrail_id;
        }
        self
    }

    /// The request body, read in [`Self::finish`].
    pub fn request_body(&mut self, body: impl Into<Bytes>) -> &mut Self {
        self.request = Some(body.into());
        self
    }

    /// The request, already neutral (Converse calls read from the SDK's typed input).
    pub fn request_view(&mut self, view: RequestView) -> &mut Self {
        self.record.request = Some(view);
        self
    }

    /// The response headers [`Self::response_head`] reads.
    pub const RESPONSE_HEADERS: [&'static str; 5] = [
        "x-amzn-requestid",
        "x-amz-request-id",
        "x-amzn-bedrock-input-token-count",
        "x-amzn-bedrock-output-token-count",
        "x-amzn-bedrock-invocation-latency",
    ];

    /// The answer's status and headers (name, value; names in any case): request id and
    /// Bedrock's counts and latency. One pass, comparing only `x-amz…` names and decoding only
    /// the values read.
    pub fn response_head<'h>(
        &mut self,
        status: u16,
        headers: impl IntoIterator<Item = (&'h str, &'h [u8])>,
    ) -> &mut Self {
        let mut found: [Option<&[u8]>; 5] = [None; 5];
        for (name, value) in headers {
            if !name
                .as_bytes()
                .get(..5)
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"x-amz"))
            {
                continue;
            }
            if let Some(at) = Self::RESPONSE_HEADERS
                .iter()
                .position(|known| known.eq_ignore_ascii_case(name))
            {
                found[at].get_or_insert(value);
            }
        }
        let text = |value: Option<&'h [u8]>| value.and_then(|v| std::str::from_utf8(v).ok());
        let count = |value| text(value).and_then(|v| v.trim().parse::<u64>().ok());
        let [request_id, fallback_request_id, input, output, latency] = found;
        self.status = Some(status);
        self.request_id(
            text(request_id)
                .or_else(|| text(fallback_request_id))
                .map(str::to_owned),
        );
        self.record.header_metrics = ServiceMetrics {
            input_tokens: count(input),
            output_tokens: count(output),
            invocation_latency_ms: count(latency),
            first_byte_latency_ms: None,
        };
        self
    }

    /// The whole response body, read in [`Self::finish`]. For a streamed operation this is a
    /// response logged whole (a Converse stream's log record, a single object).
    pub fn response_body(&mut self, body: impl Into<Bytes>) -> &mut Self {
        self.response = Some(ResponsePiece::Body(body.into()));
        self
    }

    /// The response, already neutral (Converse calls read from the SDK's typed output), with
    /// the latency Bedrock reported beside it.
    pub fn response_view(&mut self, view: ResponseView, latency_ms: Option<u64>) -> &mut Self {
        self.response = Some(ResponsePiece::View(view));
        if latency_ms.is_some() {
            self.record.header_metrics.invocation_latency_ms = latency_ms;
        }
        self
    }

    fn elapsed(&self) -> Duration {
        self.clock.map_or(Duration::ZERO, |start| start.elapsed())
    }

    /// The stream's accumulator, with every held chunk folded in.
    fn folding(&mut self) -> &mut StreamAccumulator {
        self.route();
        let (adapter, cap) = (self.adapter, self.content_cap);
        let accumulator = self
            .accumulator
            .get_or_insert_with(|| Box::new(StreamAccumulator::new(adapter, cap)));
        for (chunk, at) in self.held.drain(..) {
            note_trace(&mut self.record.guardrail_id, &chunk);
            accumulator.push(&chunk, at);
        }
        self.held_bytes = 0;
        accumulator
    }

    /// One stream chunk (the decoded `bytes` of a `chunk` event), arriving now.
    pub fn stream_chunk(&mut self, chunk: impl Into<Bytes>) -> &mut Self {
        let chunk = chunk.into();
        let at = self.elapsed();
        self.streamed = true;
        if self.accumulator.is_none() && self.held_bytes + chunk.len() <= HELD_CHUNK_BYTES {
            self.held_bytes += chunk.len();
            self.held.push((chunk, at));
        } else {
            self.folding().push(&chunk, at);
            note_trace(&mut self.record.guardrail_id, &chunk);
        }
        self
    }

    /// One stream event already read into a delta (ConverseStream's typed events), arriving
    /// now; `latency_ms` is Bedrock's, on the metadata event.
    pub fn stream_delta(&mut self, delta: ChunkDelta, latency_ms: Option<u64>) -> &mut Self {
        let at = self.elapsed();
        self.streamed = true;
        let accumulator = self.folding();
        accumulator.push_delta(delta, at);
        if let Some(latency_ms) = latency_ms {
            accumulator.set_latency(latency_ms);
        }
        self
    }

    /// How the stream ended; stops the clock.
    pub fn end_stream(&mut self, end: StreamEnd) -> &mut Self {
        self.record.stream_end.get_or_insert(end);
        self.stop_clock()
    }

    /// An invocation log's token counts: used when neither body nor stream reports them.
    pub fn logged_counts(&mut self, input: Option<u64>, output: Option<u64>) -> &mut Self {
        self.logged = Some(ServiceMetrics {
            input_tokens: input,
            output_tokens: output,
            ..ServiceMetrics::default()
        });
        self
    }

    /// The call failed.
    pub fn fail(&mut self, error: InvocationError) -> &mut Self {
        self.record.error = Some(error);
        self
    }

    /// Reads every captured piece and returns the record. Never fails: a body that does not
    /// read leaves its view `None` and adds to [`Invocation::extraction_errors`].
    pub fn finish(mut self) -> Invocation {
        self.stop_clock();
        self.route();
        let adapter = self.adapter;
        if let (Some(adapter), Some(body)) = (adapter, self.request.take()) {
            match adapter.request_view(&body) {
                Ok(view) => self.record.request = Some(view),
                Err(error) => self.record.extraction_errors.push(error),
            }
        }
        let mut whole_body = None;
        match self.response.take() {
            Some(ResponsePiece::Body(body)) => {
                if let Some(adapter) = adapter {
                    match adapter.response_view(&body) {
                        Ok(view) => self.record.response = Some(view),
                        Err(error) => self.record.extraction_errors.push(error),
                    }
                }
                if is_converse(self.record.operation) {
                    self.converse_extras(&body);
                }
                whole_body = Some(body);
            }
            Some(ResponsePiece::View(view)) => self.record.response = Some(view),
            None => {}
        }
        let mut first_token = None;
        if self.streamed {
            // Folds any chunks still held.
            self.folding();
        }
        if let Some(accumulator) = self.accumulator.take() {
            let outcome = accumulator.finish();
            let record = &mut self.record;
            if adapter.is_some() || outcome.response.is_some() {
                record.response = outcome.response;
            }
            record.stream_metrics = outcome.metrics;
            record.content_truncated |= outcome.truncated;
            record.guardrail_intervened |= outcome.guardrail_intervened;
            record.extraction_errors_omitted += outcome
                .errors_seen
                .saturating_sub(outcome.errors.len() as u64);
            record.extraction_errors.extend(outcome.errors);
            first_token = outcome.time_to_first_token;
        }
        self.finish_counts();
        self.finish_timing(first_token);
        let record = &mut self.record;
        if record.operation.is_streaming()
            && (whole_body.is_some() || self.streamed)
            && record.stream_end.is_none()
        {
            record.stream_end = Some(StreamEnd::Completed);
        }
        record.note_guardrail(whole_body.as_deref());
        self.record
    }

    /// The log's counts fill what the stream (or, for whole bodies, nothing) reported.
    fn finish_counts(&mut self) {
        let Some(logged) = self.logged else { return };
        let record = &mut self.record;
        record.stream_metrics = Some(match record.stream_metrics {
            Some(metrics) => ServiceMetrics {
                input_tokens: metrics.input_tokens.or(logged.input_tokens),
                output_tokens: metrics.output_tokens.or(logged.output_tokens),
                ..metrics
            },
            None => logged,
        });
    }

    /// The one duration rule: measured when live, else Bedrock's latency.
    fn finish_timing(&mut self, measured_first_token: Option<Duration>) {
        let live = self.clock.is_some();
        let record = &mut self.record;
        let reported = |pick: fn(&ServiceMetrics) -> Option<u64>| {
            record
                .stream_metrics
                .as_ref()
                .and_then(pick)
                .or_else(|| pick(&record.header_metrics))
                .map(Duration::from_millis)
        };
        let duration = self
            .measured
            .or(record.timing.duration)
            .or_else(|| reported(|m| m.invocation_latency_ms));
        let first_token = if live {
            measured_first_token
        } else {
            record
                .timing
                .time_to_first_token
                .or_else(|| reported(|m| m.first_byte_latency_ms))
        };
        record.timing.duration = duration;
        record.timing.time_to_first_token = first_token;
    }

    /// What a whole Converse response says beside its message: Bedrock's latency and the
    /// guardrail its trace names.
    fn converse_extras(&mut self, body: &[u8]) {
        let Ok(extras) = serde_json::from_slice::<ConverseExtras>(body) else {
            return;
        };
        if let Some(latency) = extras.metrics.and_then(|m| m.latency_ms) {
            self.record.header_metrics.invocation_latency_ms = Some(latency.get());
        }
        if self.record.guardrail_id.is_none() {
            self.record.guardrail_id = extras.trace.as_ref().and_then(GuardrailTrace::id);
        }
    }
}

/// The first adapter serving each model ID seen, for [`InvocationBuilder::routed_later`]: a
/// call path learns its family's kind without parsing the ID. Holds at most
/// [`FirstAdapters::LIMIT`] IDs; others are resolved each time (a stream of made-up IDs must
/// not grow it).
#[derive(Debug, Default)]
pub struct FirstAdapters {
    seen: Mutex<Vec<FirstAdapter>>,
}

/// A model ID and the first adapter serving it.
type FirstAdapter = (Box<str>, Option<&'static dyn Adapter>);

impl FirstAdapters {
    /// The most model IDs remembered.
    pub const LIMIT: usize = 64;

    /// Remembers nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many model IDs are remembered (at most [`Self::LIMIT`]).
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first adapter of `registry` serving `model_id` (pins first).
    pub fn get(&self, registry: &Registry, model_id: &str) -> Option<&'static dyn Adapter> {
        // A poisoned list is still a list of settled answers.
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, adapter)) = seen.iter().find(|(id, _)| **id == *model_id) {
            return *adapter;
        }
        let adapter = registry.resolve(model_id, None);
        if seen.len() < Self::LIMIT {
            seen.push((model_id.into(), adapter));
        }
        adapter
    }
}

/// The adapter for `record`'s call: the registry's Converse slot for Converse operations, else
/// the one serving the model ID (pins first; the parse the record holds is reused), settled by
/// `request_body` when two families share the ID.
pub(crate) fn route(
    registry: &Registry,
    record: &Invocation,
    request_body: Option<&[u8]>,
) -> Option<&'static dyn Adapter> {
    if is_converse(record.operation) {
        return registry.converse();
    }
    match &record.parsed_model_id {
        Some(id) => registry.resolve_id(id, request_body),
        None => registry.resolve(&record.model_id, request_body),
    }
}

fn is_converse(operation: Operation) -> bool {
    matches!(operation, Operation::Converse | Operation::ConverseStream)
}

/// The parts of a Converse response body read beyond the adapter's view.
#[derive(Deserialize)]
struct ConverseExtras {
    metrics: Option<ConverseMetrics>,
    trace: Option<GuardrailTrace>,
}

#[derive(Deserialize)]
struct ConverseMetrics {
    #[serde(rename = "latencyMs")]
    latency_ms: Option<crate::value::TokenCount>,
}

/// `trace` (Converse) or `amazon-bedrock-trace` (stream chunks): which guardrail assessed the
/// call.
#[derive(Deserialize)]
struct GuardrailTrace {
    guardrail: Option<GuardrailAssessments>,
}

#[derive(Deserialize)]
struct GuardrailAssessments {
    #[serde(rename = "inputAssessment", alias = "input")]
    input: Option<serde_json::Map<String, serde_json::Value>>,
}

impl GuardrailTrace {
    /// The assessed guardrail: the first key of the input assessment.
    fn id(&self) -> Option<String> {
        self.guardrail
            .as_ref()?
            .input
            .as_ref()?
            .keys()
            .next()
            .cloned()
    }
}

/// A stream chunk's trace key.
#[derive(Deserialize)]
struct ChunkTrace {
    #[serde(rename = "amazon-bedrock-trace")]
    trace: Option<GuardrailTrace>,
}

/// Sets `guardrail_id` from a chunk's `amazon-bedrock-trace`, when it has none yet.
fn note_trace(guardrail_id: &mut Option<String>, chunk: &[u8]) {
    if guardrail_id.is_none()
        && memchr::memmem::find(chunk, b"amazon-bedrock-trace").is_some()
        && let Ok(trace) = serde_json::from_slice::<ChunkTrace>(chunk)
    {
        *guardrail_id = trace.trace.as_ref().and_then(GuardrailTrace::id);
    }
}
