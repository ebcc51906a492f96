//! Destinations: where finished invocations go — stdout in a format, New Relic, OTLP,
//! Elasticsearch, or any
//! backend a user writes — behind one trait, driven the same way by the live [`Harvester`],
//! by replay (sequential, `-j N`, SQS) and by the demo.
//!
//! The split is OpenTelemetry's processor/exporter one: a destination's [`Prepare`] renders a
//! finished [`Call`] where it is read (replay's worker threads, in parallel, since it reads
//! only settings), and the [`Destination`] itself delivers what was prepared, in order, on one
//! thread. Live calls reach destinations as the recorder's [`Harvest`]s. One buffer policy
//! holds for all: a live harvest never blocks the application (a destination's buffer drops the
//! oldest and counts it); replay never drops (a full buffer makes delivery wait, which slows
//! the reading down).
//!
//! A new backend is one implementation of [`Destination`] and one line in [`registered`].
//!
//! [`Harvester`]: crate::Harvester

mod elasticsearch;
mod lines;
mod newrelic;
#[cfg(feature = "otlp")]
mod otlp;
mod registry;
mod replay;

use std::sync::Arc;
use std::time::Instant;

use bedrock_llm_core::Invocation;
use bedrock_llm_events::{CallContext, Harvest, RuntimeMetrics, TraceContext};

pub use elasticsearch::ElasticsearchDestination;
pub use lines::{LineFormat, Lines, RuntimeFormat};
pub use newrelic::NewRelicDestination;
#[cfg(feature = "otlp")]
pub use otlp::OtlpDestination;
pub use registry::{Registration, Settings, open, registered};
pub use replay::{ReplayCounts, logged_bodies, prepare_record, replay_into};

use crate::newrelic::DeliveryReport;
use crate::payload::EventJson;

/// Events a destination dropped (a live buffer's oldest), as a supportability metric.
pub const DROPPED_EVENTS_METRIC: &str = "Supportability/Rust/ML/Export/Dropped/Events";
/// Metric documents a destination dropped, as a supportability metric.
pub const DROPPED_METRICS_METRIC: &str = "Supportability/Rust/ML/Export/Dropped/Metrics";
/// Attribute values cut to the Event API's limit, as a supportability metric.
pub const TRUNCATED_VALUES_METRIC: &str = "Supportability/Rust/ML/Export/Truncated/Values";

/// Who made a call — for resources (`cloud.account.id`, `cloud.region`, `user.id`) and for
/// formats that name the caller. Replay knows it from the record; a live call from the SDK's
/// configuration, if at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct Origin {
    /// The account.
    pub account_id: Option<String>,
    /// The Region.
    pub region: Option<String>,
    /// The caller's ARN.
    pub identity_arn: Option<String>,
}

impl Origin {
    /// A caller of `account_id` in `region`, identified by `identity_arn`.
    pub fn new(
        account_id: Option<String>,
        region: Option<String>,
        identity_arn: Option<String>,
    ) -> Self {
        Self {
            account_id,
            region,
            identity_arn,
        }
    }
}

/// One finished invocation, as destinations receive it: the record, the call's context (ids,
/// custom attributes), its caller, and — for a replayed record — the bodies as logged.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The record.
    pub invocation: &'a Invocation,
    /// Ids and `llm.` attributes its events carry.
    pub context: &'a CallContext,
    /// Who made it.
    pub origin: &'a Origin,
    /// The request body as logged (formats that carry bodies write it).
    pub request_body: Option<&'a [u8]>,
    /// The response body as logged.
    pub response_body: Option<&'a [u8]>,
}

/// A call as one destination sends it, prepared off the delivering thread.
#[derive(Debug)]
#[non_exhaustive]
pub enum Prepared {
    /// Complete lines of text, each ending in a newline.
    Text(String),
    /// New Relic Event API objects.
    Events(Vec<EventJson>),
    /// The call itself, for destinations that send records rather than text (OTLP).
    Call(Box<OwnedCall>),
    /// Documents for data streams (Elasticsearch).
    Documents(Vec<crate::elastic::Document>),
}

/// A call kept whole: the record, the ids its events carry, its caller.
#[derive(Debug)]
pub struct OwnedCall {
    /// The record.
    pub invocation: Invocation,
    /// The trace and span ids its events carry.
    pub trace: TraceContext,
    /// Who made it.
    pub origin: Origin,
}

/// Renders calls for one destination. Runs on any thread, so it holds only settings.
pub trait Prepare: Send + Sync {
    /// What the destination will send for `call`.
    fn prepare(&self, call: &Call<'_>) -> Prepared;
}

/// Why a destination could not take or deliver data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// Whoever reads the output went away (a closed pipe): stop quietly.
    #[error("the reader of the output went away")]
    Closed,
    /// Data could not be written or delivered; the message says what and where.
    #[error("{0}")]
    Failed(String),
}

/// Reads a destination's counts at any time, from any thread.
pub type Reporter = Arc<dyn Fn() -> DeliveryReport + Send + Sync>;

/// A backend that data is delivered to.
pub trait Destination: Send {
    /// Its name, as `--to` spells it (`stdout`, `newrelic`, `otlp`).
    fn name(&self) -> &'static str;

    /// The renderer replay prepares each call with (on any thread).
    fn preparer(&self) -> Arc<dyn Prepare>;

    /// Sends (or queues) what the preparer made, in order. May wait for room in a full buffer
    /// (replay's backpressure); never drops.
    fn deliver(&mut self, prepared: Prepared) -> Result<(), DeliveryError>;

    /// Whether it takes runtime metrics: a run keeps them (one figure set per model and
    /// period, which a long replay with short periods makes large) only when some destination
    /// or side output will.
    fn wants_runtime_metrics(&self) -> bool {
        false
    }

    /// Runtime metrics per model and period (replay's, at the end of a run).
    fn runtime_metrics(&mut self, metrics: &RuntimeMetrics) -> Result<(), DeliveryError> {
        let _ = metrics;
        Ok(())
    }

    /// Metric points read from CloudWatch (`metrics pull`), delivered now; `Ok(false)` when
    /// the destination takes none.
    fn metric_points(
        &mut self,
        points: &[bedrock_llm_events::pulled::MetricPoint],
    ) -> Result<bool, DeliveryError> {
        let _ = points;
        Ok(false)
    }

    /// A live recorder's harvest: its events, error reports and metrics. Must not wait on a
    /// slow backend for room: beyond its buffer it drops the oldest. Returns supportability
    /// counts (`name`, `n`) for the recorder to report with its next harvest.
    fn harvest(&mut self, harvest: &Harvest) -> Result<Vec<(&'static str, u64)>, DeliveryError> {
        let _ = harvest;
        Ok(Vec::new())
    }

    /// OpenTelemetry signals a live recorder should record each call through (the OTLP
    /// destination's pipeline); `None` for destinations that take harvests.
    fn telemetry(&self) -> Option<bedrock_llm_events::GenAiTelemetry> {
        None
    }

    /// The namespace of the Elastic invocation documents a live recorder should make for it
    /// (the Elasticsearch destination's); `None` for destinations that take none.
    fn elastic_namespace(&self) -> Option<String> {
        None
    }

    /// Makes everything taken so far written or delivered; `true` when all of it was (what
    /// SQS deletes and `--state` wait for).
    fn checkpoint(&mut self) -> Result<bool, DeliveryError>;

    /// Delivers what is pending, within `deadline` as far as the backend allows, and stops.
    /// The report counts what was sent and what never will be.
    fn shutdown(&mut self, deadline: Instant) -> Result<DeliveryReport, DeliveryError>;

    /// The counts so far, readable while the destination works.
    fn reporter(&self) -> Reporter;

    /// The closing summary line for `report`.
    fn summary(&self, report: &DeliveryReport) -> String {
        format!(
            "{}: {} sent, {} dropped",
            self.name(),
            report.events_sent,
            report.events_dropped
        )
    }
}

impl DeliveryReport {
    /// Whether everything was delivered: nothing dropped, nothing still pending.
    pub fn delivered(&self) -> bool {
        self.events_dropped == 0 && self.metric_documents_dropped == 0 && self.events_pending == 0
    }

    /// Adds `other`'s counts.
    pub fn add(&mut self, other: &DeliveryReport) {
        self.events_sent += other.events_sent;
        self.events_dropped += other.events_dropped;
        self.events_rejected += other.events_rejected;
        self.events_pending += other.events_pending;
        self.metric_documents_sent += other.metric_documents_sent;
        self.metric_documents_dropped += other.metric_documents_dropped;
        self.posts += other.posts;
        self.retries += other.retries;
        self.values_truncated += other.values_truncated;
    }
}

/// Several destinations fed from one pass over the calls: each gets what its own preparer
/// made, so no destination ever sees another's items.
pub struct Fanout {
    destinations: Vec<Box<dyn Destination>>,
}

impl std::fmt::Debug for Fanout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.destinations.iter().map(|d| d.name()))
            .finish()
    }
}

impl Fanout {
    /// Fans out to `destinations`, in order.
    pub fn new(destinations: Vec<Box<dyn Destination>>) -> Self {
        Self { destinations }
    }

    /// The destinations' names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.destinations.iter().map(|d| d.name()).collect()
    }

    /// Every destination's preparer, in order (index `i` is destination `i`'s).
    pub fn preparers(&self) -> Vec<Arc<dyn Prepare>> {
        self.destinations.iter().map(|d| d.preparer()).collect()
    }

    /// Prepares `call` for every destination: `(index, prepared)` pairs.
    pub fn prepare(preparers: &[Arc<dyn Prepare>], call: &Call<'_>) -> Vec<(usize, Prepared)> {
        preparers
            .iter()
            .enumerate()
            .map(|(index, preparer)| (index, preparer.prepare(call)))
            .collect()
    }

    /// Hands what destination `index`'s preparer made to it.
    pub fn deliver(&mut self, index: usize, prepared: Prepared) -> Result<(), DeliveryError> {
        match self.destinations.get_mut(index) {
            Some(destination) => destination.deliver(prepared),
            None => Err(DeliveryError::Failed(format!(
                "no destination {index} (there are {})",
                self.destinations.len()
            ))),
        }
    }

    /// Whether any destination takes runtime metrics.
    pub fn wants_runtime_metrics(&self) -> bool {
        self.destinations.iter().any(|d| d.wants_runtime_metrics())
    }

    /// Runtime metrics to every destination; the first failure after all were tried.
    pub fn runtime_metrics(&mut self, metrics: &RuntimeMetrics) -> Result<(), DeliveryError> {
        let mut first = Ok(());
        for destination in &mut self.destinations {
            if let Err(error) = destination.runtime_metrics(metrics) {
                first = first.and(Err(error));
            }
        }
        first
    }

    /// Metric points read from CloudWatch to every destination: the names of those that take
    /// none, and the first failure after every destination had its turn.
    pub fn metric_points(
        &mut self,
        points: &[bedrock_llm_events::pulled::MetricPoint],
    ) -> (Vec<&'static str>, Result<(), DeliveryError>) {
        let mut refused = Vec::new();
        let mut first = Ok(());
        for destination in &mut self.destinations {
            match destination.metric_points(points) {
                Ok(true) => {}
                Ok(false) => refused.push(destination.name()),
                Err(error) => first = first.and(Err(error)),
            }
        }
        (refused, first)
    }

    /// A live harvest to every destination: the supportability counts they return, and the
    /// first failure after every destination had its turn.
    pub fn harvest(
        &mut self,
        harvest: &Harvest,
    ) -> (Vec<(&'static str, u64)>, Result<(), DeliveryError>) {
        let mut counts = Vec::new();
        let mut first = Ok(());
        for destination in &mut self.destinations {
            match destination.harvest(harvest) {
                Ok(more) => counts.extend(more),
                Err(error) => first = first.and(Err(error)),
            }
        }
        (counts, first)
    }

    /// The OpenTelemetry signals a live recorder should record through, if a destination has
    /// them.
    pub fn telemetry(&self) -> Option<bedrock_llm_events::GenAiTelemetry> {
        self.destinations.iter().find_map(|d| d.telemetry())
    }

    /// `recorder`, set up to record what these destinations take from live calls: the OTLP
    /// destination's signals, the Elasticsearch destination's invocation documents.
    pub fn equip(
        &self,
        mut recorder: bedrock_llm_events::Recorder,
    ) -> bedrock_llm_events::Recorder {
        if let Some(telemetry) = self.telemetry() {
            recorder = recorder.with_telemetry(telemetry);
        }
        if let Some(namespace) = self.elastic_namespace() {
            recorder = recorder.with_elastic_documents(namespace);
        }
        recorder
    }

    /// The namespace of the Elastic documents a live recorder should make, if a destination
    /// takes them.
    pub fn elastic_namespace(&self) -> Option<String> {
        self.destinations.iter().find_map(|d| d.elastic_namespace())
    }

    /// Checkpoints every destination; `true` when all of them delivered everything.
    pub fn checkpoint(&mut self) -> Result<bool, DeliveryError> {
        let mut all = true;
        for destination in &mut self.destinations {
            all &= destination.checkpoint()?;
        }
        Ok(all)
    }

    /// Every destination's reporter, in order.
    pub fn reporters(&self) -> Vec<Reporter> {
        self.destinations.iter().map(|d| d.reporter()).collect()
    }

    /// Shuts every destination down by `deadline`: each one's name, report (or failure) and
    /// summary line, in order.
    pub fn shutdown(self, deadline: Instant) -> Vec<Shutdown> {
        self.destinations
            .into_iter()
            .map(|mut destination| {
                let result = destination.shutdown(deadline);
                let summary = match &result {
                    Ok(report) => destination.summary(report),
                    Err(error) => format!("{}: {error}", destination.name()),
                };
                Shutdown {
                    name: destination.name(),
                    result,
                    summary,
                }
            })
            .collect()
    }
}

/// How one destination ended.
#[derive(Debug)]
#[non_exhaustive]
pub struct Shutdown {
    /// The destination.
    pub name: &'static str,
    /// Its report, or why it could not finish.
    pub result: Result<DeliveryReport, DeliveryError>,
    /// Its closing summary line.
    pub summary: String,
}

impl Shutdown {
    /// Whether everything taken was delivered.
    pub fn delivered(&self) -> bool {
        self.result.as_ref().is_ok_and(DeliveryReport::delivered)
    }
}
