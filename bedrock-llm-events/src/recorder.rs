//! The recorder: a thread-safe, bounded store of events, error reports and metrics between
//! harvests. Events beyond `max_samples_stored` are sampled uniformly (reservoir sampling,
//! Algorithm R), so every event seen has the same chance to be kept; how many were seen and
//! kept is counted exactly. Calls of the client layer reach it through its worker
//! ([`crate::worker`]), off the caller's path.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use bedrock_llm_core::{Invocation, Routing};

use crate::attribute::AttrValue;
use crate::build::{ErrorReport, InvocationEvents, build_events};
use crate::config::Config;
use crate::context::{CallContext, uuid_v4};
use crate::event::LlmEvent;
use crate::metrics::{MetricTable, operation_metric_name};
use crate::names::{attr, event_type, metric, value};
use crate::runtime::RuntimeMetrics;
use crate::telemetry::GenAiTelemetry;
use crate::worker::{Job, RunJobs, Worker};

/// Error reports kept between harvests (New Relic's error-event default).
pub const ERROR_REPORT_CAPACITY: usize = 100;

/// What one harvest drained.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Harvest {
    /// Events kept.
    pub events: Vec<LlmEvent>,
    /// Events offered since the last harvest (kept or not).
    pub events_seen: u64,
    /// Error reports kept.
    pub error_reports: Vec<ErrorReport>,
    /// Error reports offered since the last harvest.
    pub error_reports_seen: u64,
    /// Metrics since the last harvest, with the configuration supportability metrics.
    pub metrics: MetricTable,
    /// CloudWatch-named runtime metrics of the calls since the last harvest, per model and
    /// minute.
    pub runtime: RuntimeMetrics,
    /// Elastic invocation documents of the calls since the last harvest, `(_id, JSON)`, when
    /// the recorder makes them ([`Recorder::with_elastic_documents`]).
    pub elastic_documents: Vec<(String, String)>,
    /// Elastic documents offered since the last harvest (kept or not).
    pub elastic_documents_seen: u64,
}

/// A reservoir of at most `capacity` items.
#[derive(Debug)]
struct Reservoir<T> {
    capacity: usize,
    items: Vec<T>,
    seen: u64,
}

impl<T> Reservoir<T> {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            items: Vec::new(),
            seen: 0,
        }
    }

    fn offer(&mut self, item: T, rng: &mut fastrand::Rng) {
        self.seen += 1;
        if self.items.len() < self.capacity {
            if self.items.len() == self.items.capacity() {
                // Grow in steps that never pass the capacity, so memory stays bounded by it.
                let target = (self.items.len() * 2).clamp(16, self.capacity);
                self.items.reserve_exact(target - self.items.len());
            }
            self.items.push(item);
        } else if self.capacity > 0 {
            let slot = rng.u64(..self.seen);
            if let Ok(slot) = usize::try_from(slot)
                && slot < self.capacity
            {
                self.items[slot] = item;
            }
        }
    }

    fn drain(&mut self) -> (Vec<T>, u64) {
        let seen = std::mem::take(&mut self.seen);
        (std::mem::take(&mut self.items), seen)
    }
}

#[derive(Debug)]
struct State {
    events: Reservoir<LlmEvent>,
    elastic: Reservoir<(String, String)>,
    errors: Reservoir<ErrorReport>,
    metrics: MetricTable,
    runtime: RuntimeMetrics,
    rng: fastrand::Rng,
}

/// Records invocations as events and metrics. Share it (`Arc<Recorder>`) between threads.
///
/// Calls made through the client layer are read and turned into events on the recorder's
/// worker thread (see [`Config::recording_queue`]); [`Recorder::harvest`] waits for the calls
/// handed over before it, and [`Recorder::flush`] waits without harvesting.
#[derive(Debug)]
pub struct Recorder {
    shared: Arc<Shared>,
    /// Started by the first call handed over; `None` records on the caller's thread.
    worker: OnceLock<Option<Worker>>,
}

/// What the recorder and its worker share.
#[derive(Debug)]
pub(crate) struct Shared {
    config: Config,
    sdk_version: String,
    state: Mutex<State>,
    /// Calls dropped at a full queue since the last harvest.
    dropped: AtomicU64,
    /// Where calls' OpenTelemetry signals go, if anywhere.
    pub(crate) telemetry: Option<GenAiTelemetry>,
    /// The namespace of the Elastic documents each call makes, when it makes them.
    elastic_namespace: Option<String>,
}

/// A user's feedback on a call (`LlmFeedbackMessage`), linked to it by trace id.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    /// The trace of the rated call (see [`crate::TraceContext::current`]).
    pub trace_id: String,
    /// A string (`"good"`) or a number (`4`).
    pub rating: AttrValue,
    /// A category, e.g. `informative`.
    pub category: Option<String>,
    /// Free text.
    pub message: Option<String>,
    /// Extra attributes, merged flat into the event; a built-in key wins.
    pub metadata: Vec<(String, AttrValue)>,
}

impl Feedback {
    /// Feedback with a rating and nothing else.
    pub fn new(trace_id: impl Into<String>, rating: impl Into<AttrValue>) -> Self {
        Self {
            trace_id: trace_id.into(),
            rating: rating.into(),
            category: None,
            message: None,
            metadata: Vec::new(),
        }
    }
}

impl Recorder {
    /// A recorder with `config`. The instrumented SDK's version defaults to `unknown`.
    pub fn new(config: Config) -> Self {
        let mut metrics = MetricTable::default();
        if config.active() && config.token_callback.is_some() {
            metrics.count(metric::TOKEN_CALLBACK_SET, 1);
        }
        let state = State {
            events: Reservoir::new(config.max_samples_stored),
            elastic: Reservoir::new(config.max_samples_stored),
            errors: Reservoir::new(ERROR_REPORT_CAPACITY),
            metrics,
            runtime: RuntimeMetrics::per_minute(),
            rng: fastrand::Rng::new(),
        };
        Self {
            shared: Arc::new(Shared {
                config,
                sdk_version: "unknown".to_owned(),
                state: Mutex::new(state),
                dropped: AtomicU64::new(0),
                telemetry: None,
                elastic_namespace: None,
            }),
            worker: OnceLock::new(),
        }
    }

    /// Names the version of the instrumented SDK, for `Supportability/Rust/ML/Bedrock/{version}`.
    /// Set it before the first call (the worker then shares the recorder's settings).
    pub fn with_sdk_version(mut self, version: impl Into<String>) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.sdk_version = version.into();
        }
        self
    }

    /// Also sends every recorded call's OpenTelemetry span, GenAI metrics and (opt-in) content
    /// event through `telemetry`; the call's events then carry its span's ids. Set it before
    /// the first call (the worker then shares the recorder's settings).
    pub fn with_telemetry(mut self, telemetry: GenAiTelemetry) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.telemetry = Some(telemetry);
        }
        self
    }

    /// Also renders every recorded call as an Elastic `aws_bedrock.invocation` document for the
    /// data streams of `namespace`, kept (up to `max_samples_stored`) for the next harvest. Set
    /// it before the first call.
    pub fn with_elastic_documents(mut self, namespace: impl Into<String>) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.elastic_namespace = Some(namespace.into());
        }
        self
    }

    /// Whether calls' OpenTelemetry signals are sent (see [`Recorder::with_telemetry`]).
    pub fn has_telemetry(&self) -> bool {
        self.shared.telemetry.is_some()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.state()
    }

    /// Hands a finished call's work to the worker, or does it here when there is none. A full
    /// queue drops the call and counts it; this never waits.
    pub(crate) fn hand_over(&self, job: Job) {
        let worker = self
            .worker
            .get_or_init(|| Worker::start(&self.shared, self.shared.config.recording_queue));
        match worker {
            Some(worker) => worker.hand_over(job, &self.shared.dropped),
            None => self.shared.run(job),
        }
    }

    /// Waits until every call handed to the worker before now is recorded. Returns at once
    /// when no worker runs; never waits longer than a few seconds.
    pub fn flush(&self) {
        if let Some(Some(worker)) = self.worker.get() {
            worker.flush();
        }
    }

    /// Records one invocation: its metrics, and (unless streaming is off for a streamed call)
    /// its events and error report. Returns what was built, or `None` when recording is off.
    pub fn record(
        &self,
        invocation: &Invocation,
        context: &CallContext,
    ) -> Option<InvocationEvents> {
        self.record_for_sdk(invocation, context, None)
    }

    /// [`Recorder::record`] for a call made through an SDK of `sdk_version` (which overrides
    /// [`Recorder::with_sdk_version`] in the supportability metric).
    pub fn record_for_sdk(
        &self,
        invocation: &Invocation,
        context: &CallContext,
        sdk_version: Option<&str>,
    ) -> Option<InvocationEvents> {
        self.shared
            .record_call(invocation, context, sdk_version, None)
    }
}

impl RunJobs for Shared {
    /// Does one job of the worker's.
    fn run(&self, job: Job) {
        match job {
            Job::Capture {
                capture,
                context,
                sdk_version,
                parent,
            } => {
                let invocation = capture.finish_boxed();
                let context = context.into_context();
                self.record_call(&invocation, &context, sdk_version, parent.as_ref());
            }
            Job::Record {
                invocation,
                context,
                sdk_version,
                parent,
            } => {
                let context = context.into_context();
                self.record_call(&invocation, &context, sdk_version, parent.as_ref());
            }
            Job::Flush(done) => {
                let _ = done.send(());
            }
        }
    }

    fn count_instrumentation_error(&self, what: &str) {
        self.state()
            .metrics
            .count(&format!("{}/{what}", metric::INSTRUMENTATION_ERROR), 1);
    }
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state inconsistent (every update is
        // a single push or counter bump), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records one call: its OpenTelemetry signals (when telemetry is set; the events then
    /// carry the client span's ids), metrics and events. `parent` is the caller's
    /// OpenTelemetry context (the current one when `None`).
    fn record_call(
        &self,
        invocation: &Invocation,
        context: &CallContext,
        sdk_version: Option<&str>,
        parent: Option<&opentelemetry::Context>,
    ) -> Option<InvocationEvents> {
        if !self.config.active() {
            return None;
        }
        let linked;
        let context = match &self.telemetry {
            Some(telemetry) => {
                let span = match parent {
                    Some(parent) => telemetry.record(invocation, &self.config, parent),
                    None => telemetry.record(
                        invocation,
                        &self.config,
                        &opentelemetry::Context::current(),
                    ),
                };
                match span {
                    Some(trace) => {
                        linked = CallContext {
                            trace,
                            ..context.clone()
                        };
                        &linked
                    }
                    None => context,
                }
            }
            None => context,
        };
        let streaming_off = invocation.operation.is_streaming() && !self.config.streaming;
        let built = (!streaming_off).then(|| build_events(invocation, &self.config, context));
        // A live call keeps no bodies: the document has every field but them.
        let document = self.elastic_namespace.as_deref().map(|namespace| {
            let document = crate::render::elastic::invocation_document_json(
                invocation,
                &crate::render::elastic::Caller {
                    region: invocation.region.as_deref(),
                    ..Default::default()
                },
                &crate::render::elastic::Bodies::default(),
                &self.config,
                namespace,
            );
            let id = format!("{}{}", context.trace.trace_id, context.trace.span_id);
            (id, document)
        });
        // Priced once, by the builder (or here when streams build no events), before the lock
        // is taken: the lock covers only the counters' updates.
        let unpriced = match &built {
            Some(built) => matches!(built.cost, Some(crate::cost::CostOutcome::Unpriced(_))),
            None => matches!(
                self.config.cost_of(invocation),
                Some(crate::cost::CostOutcome::Unpriced(_))
            ),
        };
        let mut state = self.state();
        if let Some(document) = document {
            let State { elastic, rng, .. } = &mut *state;
            elastic.offer(document, rng);
        }
        let State {
            events,
            errors,
            metrics,
            runtime,
            rng,
            ..
        } = &mut *state;
        runtime.add(invocation);
        let version = sdk_version.unwrap_or(&self.sdk_version);
        metrics.count(&format!("{}{version}", metric::BEDROCK_VERSION_PREFIX), 1);
        let operation = operation_metric_name(invocation.kind, invocation.operation);
        match invocation.timing.duration {
            Some(duration) => metrics.timing(&operation, duration.as_secs_f64() * 1000.0),
            None => metrics.count(&operation, 1),
        }
        metrics.count(
            metric::EXTRACTION_ERROR,
            invocation.extraction_error_count(),
        );
        match invocation.routing {
            Some(Routing::AmbiguousBody) => metrics.count(metric::ROUTING_AMBIGUOUS, 1),
            Some(Routing::Unrecognized) => metrics.count(metric::ROUTING_UNRECOGNIZED, 1),
            _ => {}
        }
        if unpriced {
            metrics.count(metric::COST_UNPRICED, 1);
        }
        metrics.count(
            metric::DROPPED_ATTRIBUTE,
            u64::from(context.llm_attributes.ignored()),
        );
        if streaming_off {
            metrics.count(metric::STREAMING_DISABLED, 1);
        }
        let built = built?;
        metrics.count(
            metric::DROPPED_ATTRIBUTE,
            u64::from(built.dropped_attributes),
        );
        for event in &built.events {
            events.offer(event.clone(), rng);
        }
        if let Some(error) = &built.error {
            errors.offer(error.clone(), rng);
        }
        Some(built)
    }
}

impl Recorder {
    /// Records an `LlmFeedbackMessage`; returns its id, or `None` when recording is off.
    pub fn record_feedback(&self, feedback: Feedback) -> Option<String> {
        if !self.config().active() {
            return None;
        }
        let id = uuid_v4();
        let now = now_ms();
        let mut event = LlmEvent::builder(event_type::FEEDBACK, now, self.config().limits());
        event
            .str(attr::ID, id.clone())
            .str(attr::TRACE_ID, feedback.trace_id)
            .opt_str(attr::CATEGORY, feedback.category)
            .opt_str(attr::MESSAGE, feedback.message)
            .str(attr::INGEST_SOURCE, value::INGEST_SOURCE)
            .int(attr::TIMESTAMP, now)
            .dynamic(attr::RATING.to_owned(), feedback.rating);
        const BUILT_IN: &[&str] = &[
            attr::ID,
            attr::TRACE_ID,
            attr::RATING,
            attr::CATEGORY,
            attr::MESSAGE,
            attr::INGEST_SOURCE,
            attr::TIMESTAMP,
        ];
        for (key, value) in feedback.metadata {
            if !BUILT_IN.contains(&key.as_str()) {
                event.dynamic(key, value);
            }
        }
        let (event, dropped) = event.build_counting();
        let mut state = self.state();
        let State {
            events,
            metrics,
            rng,
            ..
        } = &mut *state;
        metrics.count(metric::DROPPED_ATTRIBUTE, u64::from(dropped));
        events.offer(event, rng);
        Some(id)
    }

    /// Counts a problem of the instrumentation itself
    /// (`Supportability/Rust/ML/Bedrock/InstrumentationError/{what}`).
    pub fn count_instrumentation_error(&self, what: &str) {
        self.shared.count_instrumentation_error(what);
    }

    /// Adds `n` to the count of `name` (a `Supportability/…` metric of a component that works
    /// with the recorder, e.g. an exporter's drops), reported with the next harvest.
    pub fn count_supportability(&self, name: &str, n: u64) {
        if n > 0 {
            self.state().metrics.count(name, n);
        }
    }

    /// Drains everything recorded since the last harvest, atomically: an event is in exactly
    /// one harvest. First waits for the calls already handed to the worker ([`Self::flush`]).
    /// Adds the configuration supportability metrics.
    pub fn harvest(&self) -> Harvest {
        self.flush();
        let dropped = self.shared.dropped.swap(0, Ordering::Relaxed);
        let config = self.config();
        let mut state = self.state();
        let (events, events_seen) = state.events.drain();
        let (elastic_documents, elastic_documents_seen) = state.elastic.drain();
        let (error_reports, error_reports_seen) = state.errors.drain();
        let mut metrics = std::mem::take(&mut state.metrics);
        let runtime = std::mem::replace(&mut state.runtime, RuntimeMetrics::per_minute());
        drop(state);
        if dropped > 0 {
            metrics.count(metric::RECORDING_DROPPED, dropped);
        }
        if config.active() {
            metrics.count(metric::ENABLED, 1);
            let streaming = if config.streaming {
                metric::STREAMING_ENABLED
            } else {
                metric::STREAMING_DISABLED
            };
            metrics.count(streaming, 1);
            let content = if config.record_content {
                metric::RECORD_CONTENT_ENABLED
            } else {
                metric::RECORD_CONTENT_DISABLED
            };
            metrics.count(content, 1);
        } else {
            metrics = MetricTable::default();
            metrics.count(metric::DISABLED, 1);
        }
        Harvest {
            events,
            events_seen,
            elastic_documents,
            elastic_documents_seen,
            error_reports,
            error_reports_seen,
            metrics,
            runtime,
        }
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
