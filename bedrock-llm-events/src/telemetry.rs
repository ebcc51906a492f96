//! OpenTelemetry signals for invocations, through the OpenTelemetry API: the GenAI client
//! span, the GenAI client metrics and the opt-in content event (`docs/llm-events.md` §12).
//!
//! [`GenAiTelemetry`] is handed the providers an application set up (any SDK, any exporter;
//! `bedrock-llm-export`'s `otlp` feature builds OTLP ones) and records one [`Invocation`] at a
//! time — a live call on the recorder's worker, or a replayed log record:
//!
//! - a `Client` span named `{gen_ai.operation.name} {gen_ai.request.model}`, from the call's
//!   start to its end (the record's timestamp and duration), with typed attributes and an error
//!   status on failure, parented to the caller's OpenTelemetry context;
//! - `gen_ai.client.token.usage` (`{token}`, by `gen_ai.token.type`),
//!   `gen_ai.client.operation.duration` (`s`) and, for streams,
//!   `gen_ai.client.operation.time_to_first_chunk` (`s`), with the conventions' advised bucket
//!   boundaries;
//! - with content recording and `otel_content` on, one `gen_ai.client.inference.operation.details`
//!   log record carrying the messages, system instructions and tool definitions as structured
//!   values. Without a logger the content goes on the span as JSON text instead; with content
//!   off it goes nowhere.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bedrock_llm_core::{ExchangeKind, Invocation};
use opentelemetry::logs::{AnyValue, LogRecord as _, Logger, LoggerProvider, Severity};
use opentelemetry::metrics::{Counter, Histogram, MeterProvider};
use opentelemetry::trace::{
    Span as _, SpanContext, SpanId, SpanKind, Status, TraceId, Tracer as _, TracerProvider,
};
use opentelemetry::{Context, InstrumentationScope, KeyValue};

use crate::config::Config;
use crate::context::TraceContext;
use crate::names::gen_ai;
use crate::render::otel::{self, OtelValue};

/// The instrumentation scope of every signal.
pub(crate) const SCOPE_NAME: &str = "bedrock-llm";

/// The content event's name.
pub(crate) const DETAILS_EVENT: &str = "gen_ai.client.inference.operation.details";

/// `gen_ai.client.token.usage` bucket boundaries the conventions advise.
pub(crate) const TOKEN_BUCKETS: [f64; 14] = [
    1.0,
    4.0,
    16.0,
    64.0,
    256.0,
    1024.0,
    4096.0,
    16384.0,
    65536.0,
    262_144.0,
    1_048_576.0,
    4_194_304.0,
    16_777_216.0,
    67_108_864.0,
];

/// `gen_ai.client.operation.duration` (and time to first chunk) bucket boundaries, seconds.
pub(crate) const DURATION_BUCKETS: [f64; 14] = [
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/// Metric names.
pub(crate) mod metric {
    /// Tokens used, by `gen_ai.token.type`.
    pub(crate) const TOKEN_USAGE: &str = "gen_ai.client.token.usage";
    /// The call's duration, seconds.
    pub(crate) const OPERATION_DURATION: &str = "gen_ai.client.operation.duration";
    /// A stream's time to its first chunk, seconds.
    pub(crate) const TIME_TO_FIRST_CHUNK: &str = "gen_ai.client.operation.time_to_first_chunk";
    /// What calls cost by list prices, in nano-dollars: an integer counter, so its sums stay
    /// exact in any backend (`docs/cost.md` §4). Attributes: model, operation, Region.
    pub(crate) const COST: &str = "aws.bedrock.cost";
}

/// The histograms invocations are recorded into.
struct Instruments {
    token_usage: Histogram<u64>,
    duration: Histogram<f64>,
    time_to_first_chunk: Histogram<f64>,
    cost: Counter<u64>,
}

/// Emits the content event through some OpenTelemetry logger.
trait DetailsLogger: Send + Sync {
    fn emit(&self, attributes: Vec<(&'static str, AnyValue)>, at: SystemTime, span: &SpanContext);
}

/// Any API logger as a [`DetailsLogger`]: the API's `Logger` trait is generic, so not object safe.
struct LoggerOf<L>(L);

impl<L: Logger + Send + Sync> DetailsLogger for LoggerOf<L> {
    fn emit(&self, attributes: Vec<(&'static str, AnyValue)>, at: SystemTime, span: &SpanContext) {
        let mut record = self.0.create_log_record();
        record.set_event_name(DETAILS_EVENT);
        record.set_timestamp(at);
        record.set_observed_timestamp(SystemTime::now());
        // The conventions ask for DEBUG (severity number 5) on this event.
        record.set_severity_number(Severity::Debug);
        record.set_severity_text("DEBUG");
        record.add_attributes(attributes);
        if span.is_valid() {
            record.set_trace_context(span.trace_id(), span.span_id(), Some(span.trace_flags()));
        }
        self.0.emit(record);
    }
}

/// Where invocations' OpenTelemetry signals go: a tracer, a meter and a logger, each optional.
#[derive(Clone, Default)]
pub struct GenAiTelemetry {
    tracer: Option<Arc<opentelemetry::global::BoxedTracer>>,
    instruments: Option<Arc<Instruments>>,
    logger: Option<Arc<dyn DetailsLogger>>,
}

impl fmt::Debug for GenAiTelemetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenAiTelemetry")
            .field("spans", &self.tracer.is_some())
            .field("metrics", &self.instruments.is_some())
            .field("content_events", &self.logger.is_some())
            .finish()
    }
}

fn scope() -> InstrumentationScope {
    InstrumentationScope::builder(SCOPE_NAME)
        .with_version(env!("CARGO_PKG_VERSION"))
        .build()
}

impl GenAiTelemetry {
    /// No signals yet: add providers with the `with_…` methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Spans and metrics through the global tracer and meter providers (the API has no global
    /// logger provider: add one with [`GenAiTelemetry::with_logger_provider`]).
    pub fn global() -> Self {
        let tracer = opentelemetry::global::tracer_provider().tracer_with_scope(scope());
        Self {
            tracer: Some(Arc::new(tracer)),
            ..Self::default()
        }
        .with_meter_provider(&*opentelemetry::global::meter_provider())
    }

    /// Client spans through `provider`.
    pub fn with_tracer_provider<P>(mut self, provider: &P) -> Self
    where
        P: TracerProvider,
        P::Tracer: Send + Sync + 'static,
        <P::Tracer as opentelemetry::trace::Tracer>::Span: Send + Sync + 'static,
    {
        let tracer = provider.tracer_with_scope(scope());
        self.tracer = Some(Arc::new(opentelemetry::global::BoxedTracer::new(Box::new(
            tracer,
        ))));
        self
    }

    /// GenAI client metrics through `provider`.
    pub fn with_meter_provider<P: MeterProvider + ?Sized>(mut self, provider: &P) -> Self {
        let meter = provider.meter_with_scope(scope());
        self.instruments = Some(Arc::new(Instruments {
            token_usage: meter
                .u64_histogram(metric::TOKEN_USAGE)
                .with_unit("{token}")
                .with_description("Number of input and output tokens used.")
                .with_boundaries(TOKEN_BUCKETS.to_vec())
                .build(),
            duration: meter
                .f64_histogram(metric::OPERATION_DURATION)
                .with_unit("s")
                .with_description("GenAI operation duration.")
                .with_boundaries(DURATION_BUCKETS.to_vec())
                .build(),
            time_to_first_chunk: meter
                .f64_histogram(metric::TIME_TO_FIRST_CHUNK)
                .with_unit("s")
                .with_description("Time to receive the first chunk of a streamed response.")
                .with_boundaries(DURATION_BUCKETS.to_vec())
                .build(),
            cost: meter
                .u64_counter(metric::COST)
                .with_unit("{nanoUSD}")
                .with_description("Estimated cost of Bedrock calls by list prices, nano-dollars.")
                .build(),
        }));
        self
    }

    /// Content events through `provider` (only sent when content recording and `otel_content`
    /// are both on).
    pub fn with_logger_provider<P>(mut self, provider: &P) -> Self
    where
        P: LoggerProvider,
        P::Logger: Send + Sync + 'static,
    {
        self.logger = Some(Arc::new(LoggerOf(provider.logger_with_scope(scope()))));
        self
    }

    /// Records `invocation`: its span (child of `parent`), metrics and, when `config` lets
    /// content out, its content event. Returns the span's ids when a span was recorded, so
    /// events can carry them.
    pub fn record(
        &self,
        invocation: &Invocation,
        config: &Config,
        parent: &Context,
    ) -> Option<TraceContext> {
        self.record_inner(invocation, config, parent)
    }

    /// [`Self::record`] with the span's ids given — a replayed record's derived ids, so its span
    /// names the trace and span its events name, and a re-delivery sends identical ids. The
    /// ids reach the span through a tracer provider built with [`PresetIds`] (the OTLP
    /// pipeline's is); another provider draws its own.
    pub fn record_with_ids(
        &self,
        invocation: &Invocation,
        config: &Config,
        ids: &TraceContext,
    ) -> Option<TraceContext> {
        let preset = (
            TraceId::from_hex(&ids.trace_id).ok(),
            SpanId::from_hex(&ids.span_id).ok(),
        );
        PRESET.with(|slot| slot.set(preset));
        let recorded = self.record_inner(invocation, config, &Context::new());
        PRESET.with(|slot| slot.set((None, None)));
        recorded
    }

    fn record_inner(
        &self,
        invocation: &Invocation,
        config: &Config,
        parent: &Context,
    ) -> Option<TraceContext> {
        if !config.active() {
            return None;
        }
        let started = UNIX_EPOCH + Duration::from_millis(invocation.timing.started_at_ms);
        let ended = started + invocation.timing.duration.unwrap_or_default();
        let attributes = otel::call_attributes(invocation);
        let cost = config.cost_of(invocation);
        let content = (config.record_content && config.otel_content)
            .then(|| otel::content(invocation))
            .filter(|content| !content.is_empty());
        let mut span_context = SpanContext::empty_context();
        if let Some(tracer) = &self.tracer {
            let mut span_attributes: Vec<KeyValue> = attributes
                .iter()
                .map(|(key, value)| KeyValue::new(*key, value.to_attribute()))
                .collect();
            span_attributes.extend(
                otel::cost_attributes(cost.as_ref())
                    .into_iter()
                    .map(|(key, value)| KeyValue::new(key, value.to_attribute())),
            );
            if self.logger.is_none()
                && let Some(content) = &content
            {
                span_attributes.extend(
                    content
                        .iter()
                        .map(|(key, value)| KeyValue::new(*key, value.to_attribute())),
                );
            }
            let mut span = tracer
                .span_builder(otel::span_name(invocation))
                .with_kind(SpanKind::Client)
                .with_start_time(started)
                .with_attributes(span_attributes)
                .start_with_context(tracer.as_ref(), parent);
            if let Some(error) = &invocation.error {
                let description = error.message.clone().unwrap_or_else(|| error.code.clone());
                span.set_status(Status::error(description));
            }
            span_context = span.span_context().clone();
            span.end_with_timestamp(ended);
        }
        if let Some(instruments) = &self.instruments {
            record_metrics(instruments, invocation, &attributes);
            if let Some(cost) = cost.as_ref().and_then(crate::cost::CostOutcome::cost) {
                let mut point = metric_attributes(&attributes, false);
                point.retain(|kv| {
                    kv.key.as_str() == gen_ai::OPERATION_NAME
                        || kv.key.as_str() == gen_ai::REQUEST_MODEL
                });
                if let Some(region) = &invocation.region {
                    point.push(KeyValue::new("cloud.region", region.clone()));
                }
                instruments.cost.add(cost.total.nanos(), &point);
            }
        }
        if let (Some(logger), Some(content)) = (&self.logger, content) {
            let details = attributes
                .iter()
                .chain(&content)
                .map(|(key, value)| (*key, value.to_any_value()))
                .collect();
            logger.emit(details, ended, &span_context);
        }
        TraceContext::from_span_context(&span_context)
    }
}

thread_local! {
    /// Ids the next span started on this thread takes ([`GenAiTelemetry::record_with_ids`]).
    static PRESET: std::cell::Cell<(Option<TraceId>, Option<SpanId>)> =
        const { std::cell::Cell::new((None, None)) };
}

/// Hands out the ids [`GenAiTelemetry::record_with_ids`] set for the span it starts, each once;
/// every other id is `fallback`'s. For an SDK tracer provider's id generator (its trait is the
/// SDK's, so the OTLP pipeline implements it over this): replayed records' spans then carry
/// their derived ids.
#[derive(Debug, Clone, Copy, Default)]
pub struct PresetIds;

impl PresetIds {
    /// The preset trace id, taken; `None` when none is set.
    pub fn take_trace_id(&self) -> Option<TraceId> {
        PRESET.with(|slot| {
            let (trace, span) = slot.get();
            slot.set((None, span));
            trace
        })
    }

    /// The preset span id, taken; `None` when none is set.
    pub fn take_span_id(&self) -> Option<SpanId> {
        PRESET.with(|slot| {
            let (trace, span) = slot.get();
            slot.set((trace, None));
            span
        })
    }
}

/// The attributes a metric data point carries, of those the call has.
fn metric_attributes(attributes: &[(&'static str, OtelValue)], with_error: bool) -> Vec<KeyValue> {
    const KEYS: [&str; 6] = [
        gen_ai::OPERATION_NAME,
        gen_ai::PROVIDER_NAME,
        gen_ai::REQUEST_MODEL,
        gen_ai::RESPONSE_MODEL,
        gen_ai::SERVER_ADDRESS,
        gen_ai::SERVER_PORT,
    ];
    attributes
        .iter()
        .filter(|(key, _)| KEYS.contains(key) || (with_error && *key == gen_ai::ERROR_TYPE))
        .map(|(key, value)| KeyValue::new(*key, value.to_attribute()))
        .collect()
}

fn record_metrics(
    instruments: &Instruments,
    invocation: &Invocation,
    attributes: &[(&'static str, OtelValue)],
) {
    let common = metric_attributes(attributes, true);
    // Every call is one data point, failed or not, so error rates computed from the
    // histogram's count hold; a call whose duration nobody measured or reported (a replayed
    // record with neither latency nor a stream's metrics, typically a failure) records 0 s:
    // its count is right and it adds nothing to the sum (`docs/llm-events.md` §12).
    let duration = invocation.timing.duration.unwrap_or_default();
    instruments.duration.record(duration.as_secs_f64(), &common);
    if let Some(ttfc) = invocation.timing.time_to_first_token {
        instruments
            .time_to_first_chunk
            .record(ttfc.as_secs_f64(), &common);
    }
    // Token usage is a successful call's: the conventions leave error.type off it.
    if invocation.error.is_some() {
        return;
    }
    let Some((usage, _)) = invocation.usage() else {
        return;
    };
    let by_type = |count: Option<u64>, token_type: &'static str| {
        if let Some(count) = count {
            let mut point = metric_attributes(attributes, false);
            point.push(KeyValue::new(gen_ai::TOKEN_TYPE, Cow::Borrowed(token_type)));
            instruments.token_usage.record(count, &point);
        }
    };
    by_type(usage.input_tokens, "input");
    if invocation.kind != Some(ExchangeKind::Embedding) {
        by_type(usage.output_tokens, "output");
    }
}
