//! The one assembler of [`Invocation`] records: [`InvocationBuilder`].
//!
//! Every producer — the SDK interceptor, the stream wrappers and the body tap, the blocking
//! client (through the interceptor), log replay, and [`Invocation::read_bodies`] — hands the
//! pieces it captured to a builder and calls [`InvocationBuilder::finish`]. The rules that turn
//! pieces into a record live here and nowhere else:
//!
//! - **Routing**: by model ID (any form, pins first) and the request body's shape; `Converse`
//!   and `ConverseStream` through the registry's Converse slot, whatever the model.
//! - **Capture is cheap, reading is deferred**: the methods a call path uses only store —
//!   refcounted bytes, or copies into buffers the builder keeps (bodies, the model ID, the
//!   Region, the head's raw values), and timings; everything is parsed in `finish`, which a
//!   recorder may run on a worker thread, and a boxed builder from [`SpareBuilders`] is then
//!   reused with its buffers. A long stream's chunks are folded as they arrive once the held
//!   bytes pass [`HELD_CHUNK_BYTES`], so memory stays bounded.
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

mod body;
mod finish;
mod read;
#[cfg_attr(
    not(feature = "client"),
    allow(dead_code, reason = "the call path's parts serve the client feature")
)]
mod routing;
#[cfg_attr(
    not(feature = "client"),
    allow(dead_code, reason = "the call path's parts serve the client feature")
)]
mod spare;
#[cfg(all(test, feature = "derive"))]
mod tests;
mod text;
mod traces;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use body::BodySlot;
pub(crate) use routing::FirstAdapters;
use routing::is_converse;
pub(crate) use routing::route;

use crate::shape::Routing;
pub(crate) use spare::SpareBuilders;
use text::CallText;
use traces::note_trace;

use crate::adapter::Adapter;
use crate::model::ExchangeKind;
use crate::model_id::ModelId;
use crate::record::{Invocation, InvocationError, Operation, StreamEnd};
use crate::registry::Registry;
use crate::stream::{DEFAULT_CONTENT_CAP, StreamAccumulator};
use crate::view::{ChunkDelta, ServiceMetrics, VideoStats};
use crate::view::{RequestView, ResponseView};

/// Raw chunk bytes a stream holds unread before it starts folding as chunks arrive.
pub(crate) const HELD_CHUNK_BYTES: usize = 256 * 1024;

/// The family name of Converse records read from the SDK's typed shapes.
pub(crate) const CONVERSE_FAMILY: &str = "Converse";

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
    request: BodySlot,
    /// The response: a whole body to read, or a view built from the SDK's typed shapes (the
    /// last given wins).
    response_body: BodySlot,
    response_view: Option<ResponseView>,
    /// The latency Bedrock reported beside a response view (Converse).
    view_latency_ms: Option<u64>,
    status: Option<u16>,
    /// The model ID, Region and head as a call path copied them.
    text: CallText,
    /// An invocation log's token counts, the last tier.
    logged: Option<ServiceMetrics>,
    /// The video a job produced, as an invocation log reports it.
    logged_video: Option<VideoStats>,
    /// Whether any stream chunk or delta arrived.
    streamed: bool,
    /// Chunks held unread while they are few, with when each arrived.
    held: Vec<(Bytes, Duration)>,
    held_bytes: usize,
    /// Chunks folded as they arrive, once the held ones passed [`HELD_CHUNK_BYTES`].
    accumulator: Option<Box<StreamAccumulator>>,
    content_cap: usize,
    /// Where a boxed builder goes back to when finished, to be reused.
    home: Option<Arc<SpareBuilders>>,
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
        let mut record = Invocation::new(model_id, operation);
        let (adapter, routing) = route(registry, &record, request_body);
        record.routing = Some(routing);
        Self::from_record(record, adapter)
    }

    /// Sets a blank builder up for a call path: the adapter is settled when the pieces are
    /// read, since telling apart two families that share an ID parses the request body. Until
    /// then the first adapter serving the ID gives [`Self::kind`].
    ///
    /// The model ID is parsed when the pieces are read too; `first` remembers, per ID, the
    /// first adapter serving it, so a call path neither parses nor searches the registry.
    #[cfg_attr(
        not(feature = "client"),
        allow(dead_code, reason = "the call path's parts serve the client feature")
    )]
    pub(super) fn begin_routed_later(
        &mut self,
        registry: Arc<Registry>,
        model_id: &str,
        operation: Operation,
        first: &FirstAdapters,
    ) {
        self.text.set_model_id(model_id);
        self.record.operation = operation;
        let adapter = if is_converse(operation) {
            self.record.routing = Some(Routing::Converse);
            registry.converse()
        } else {
            first.get(&registry, model_id)
        };
        self.set_adapter(adapter);
        self.parse_later = true;
        if !is_converse(operation) {
            self.route_later = Some(registry);
        }
    }

    /// Settles routing left for later, with the request body.
    fn route(&mut self) {
        self.text.settle_model_id(&mut self.record);
        if std::mem::take(&mut self.parse_later) {
            self.record.parsed_model_id = ModelId::parse(&self.record.model_id).ok();
        }
        let Some(registry) = self.route_later.take() else {
            return;
        };
        let (adapter, routing) = route(&registry, &self.record, self.request.get());
        self.record.routing = Some(routing);
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
        let mut builder = Self::blank(None);
        builder.begin_with_adapter(&model_id.into(), operation, adapter);
        builder
    }

    /// Sets a blank builder up as [`Self::with_adapter`] builds one.
    fn begin_with_adapter(
        &mut self,
        model_id: &str,
        operation: Operation,
        adapter: Option<&'static dyn Adapter>,
    ) {
        self.record.parsed_model_id = ModelId::parse(model_id).ok();
        self.text.set_model_id(model_id);
        self.record.operation = operation;
        self.set_adapter(adapter);
    }

    /// A builder continuing `record` (its ID, operation and anything already set), reading
    /// bodies with `adapter`.
    pub fn from_record(record: Invocation, adapter: Option<&'static dyn Adapter>) -> Self {
        let mut builder = Self::holding(record, None);
        builder.set_adapter(adapter);
        builder
    }

    /// Reads bodies with `adapter`; the record's family and kind follow from it.
    fn set_adapter(&mut self, adapter: Option<&'static dyn Adapter>) {
        let record = &mut self.record;
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
        self.adapter = adapter;
    }

    /// A builder holding nothing; a boxed one goes back to `home` when finished.
    pub(super) fn blank(home: Option<Arc<SpareBuilders>>) -> Self {
        Self::holding(Invocation::placeholder(Operation::InvokeModel), home)
    }

    /// A builder of `record` and nothing else yet.
    fn holding(record: Invocation, home: Option<Arc<SpareBuilders>>) -> Self {
        Self {
            record,
            adapter: None,
            route_later: None,
            parse_later: false,
            clock: None,
            measured: None,
            request: BodySlot::default(),
            response_body: BodySlot::default(),
            response_view: None,
            view_latency_ms: None,
            status: None,
            text: CallText::default(),
            logged: None,
            logged_video: None,
            streamed: false,
            held: Vec::new(),
            held_bytes: 0,
            accumulator: None,
            content_cap: DEFAULT_CONTENT_CAP,
            home,
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
        self.text
            .pending_model_id()
            .unwrap_or(&self.record.model_id)
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

    /// A copy of the AWS Region the call went to (a call path's capture: a reused builder
    /// allocates nothing for it).
    pub fn copy_region(&mut self, region: &str) -> &mut Self {
        self.text.set_region(region);
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

    /// Where and how Bedrock served the call (replay: `inferenceRegion`,
    /// `performanceConfig.latency`); fills only what is not known yet.
    pub fn serving(&mut self, serving: crate::record::Serving) -> &mut Self {
        self.record.serving.fill_from(serving);
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
        self.request.share(body.into());
        self
    }

    /// A copy of the request body, read in [`Self::finish`]: a call path's capture, into a
    /// buffer this builder keeps (a reused builder allocates nothing for it).
    pub fn copy_request_body(&mut self, body: &[u8]) -> &mut Self {
        self.request.copy_from(body);
        self
    }

    /// The request, already neutral (Converse calls read from the SDK's typed input).
    pub fn request_view(&mut self, view: RequestView) -> &mut Self {
        self.record.request = Some(view);
        self
    }

    /// The response headers [`Self::response_head`] reads.
    pub const RESPONSE_HEADERS: [&'static str; 7] = text::RESPONSE_HEADERS;

    /// The answer's status and headers (name, value; names in any case): the request id and
    /// Bedrock's counts and latency are copied as bytes and decoded when the pieces are read
    /// (the request id of the head then wins over one given to [`Self::request_id`]).
    pub fn response_head<'h>(
        &mut self,
        status: u16,
        headers: impl IntoIterator<Item = (&'h str, &'h [u8])>,
    ) -> &mut Self {
        self.status = Some(status);
        self.text.capture_head(headers);
        self
    }

    /// The whole response body, read in [`Self::finish`]. For a streamed operation this is a
    /// response logged whole (a Converse stream's log record, a single object).
    pub fn response_body(&mut self, body: impl Into<Bytes>) -> &mut Self {
        self.response_body.share(body.into());
        self.response_view = None;
        self
    }

    /// A copy of the whole response body, as [`Self::copy_request_body`] copies the request's.
    pub fn copy_response_body(&mut self, body: &[u8]) -> &mut Self {
        self.response_body.copy_from(body);
        self.response_view = None;
        self
    }

    /// The response, already neutral (Converse calls read from the SDK's typed output), with
    /// the latency Bedrock reported beside it.
    pub fn response_view(&mut self, view: ResponseView, latency_ms: Option<u64>) -> &mut Self {
        self.response_body.clear();
        self.response_view = Some(view);
        self.view_latency_ms = latency_ms;
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
            note_trace(&mut self.record, &chunk);
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
            note_trace(&mut self.record, &chunk);
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

    /// The video a job produced, as an invocation log reports it beside the bodies
    /// (`outputVideo`): the response's [`VideoStats`], and — for a model no adapter knew — what
    /// makes the record a video generation.
    pub fn logged_video(&mut self, video: Option<VideoStats>) -> &mut Self {
        self.logged_video = video;
        self
    }

    /// The call failed.
    pub fn fail(&mut self, error: InvocationError) -> &mut Self {
        self.record.error = Some(error);
        self
    }
}
