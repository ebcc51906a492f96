//! The `newrelic` destination: events to the Event API, metrics to the Metric API, through a
//! [`NewRelicExporter`]. Replayed calls are batched (about four POSTs' worth) and a full
//! buffer of undelivered events makes delivery wait rather than drop; a live harvest's events
//! wait in a bounded buffer whose oldest are dropped and counted.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bedrock_llm_events::{Config, Harvest, RuntimeMetrics, emit_events, now_ms};

use super::{
    Call, DROPPED_EVENTS_METRIC, DROPPED_METRICS_METRIC, DeliveryError, Destination, Prepare,
    Prepared, Reporter, TRUNCATED_VALUES_METRIC,
};
use crate::newrelic::{DeliveryReport, NewRelicExporter};
use crate::payload::{self, Identity};

/// Events gathered before a delivery: about four POSTs' worth.
const BATCH_BYTES: usize = 4_000_000;

/// Events and metric documents waiting for delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bounds {
    events: usize,
    metric_documents: usize,
}

/// New Relic, through an exporter, on a runtime of its own (so replay's threads and a
/// harvester's blocking task can drive it alike).
pub struct NewRelicDestination {
    runtime: tokio::runtime::Runtime,
    exporter: NewRelicExporter,
    preparer: Arc<EventPreparer>,
    /// Events not yet accepted, oldest first.
    pending: VecDeque<String>,
    pending_bytes: usize,
    metrics: VecDeque<Vec<u8>>,
    bounds: Bounds,
    last_harvest_ms: u64,
    /// Events waiting or in a request under way, for reports taken while delivery goes on.
    waiting: Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for NewRelicDestination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewRelicDestination")
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl NewRelicDestination {
    /// Delivers through `exporter`, rendering replayed calls by `config`. At most
    /// `max_pending_events` events wait (a live harvest drops the oldest beyond; replay waits
    /// for room) and `max_pending_metric_documents` metric documents.
    pub fn new(
        exporter: NewRelicExporter,
        config: Config,
        max_pending_events: usize,
        max_pending_metric_documents: usize,
    ) -> Result<Self, crate::ExportError> {
        Ok(Self::with_runtime(
            delivery_runtime()?,
            exporter,
            config,
            max_pending_events,
            max_pending_metric_documents,
        ))
    }

    /// [`Self::new`] with an exporter built from `config` on the destination's own runtime.
    pub fn from_config(
        config: crate::NewRelicConfig,
        render: Config,
        max_pending_events: usize,
        max_pending_metric_documents: usize,
    ) -> Result<Self, crate::ExportError> {
        let runtime = delivery_runtime()?;
        let exporter = {
            let _entered = runtime.enter();
            NewRelicExporter::new(config)?
        };
        Ok(Self::with_runtime(
            runtime,
            exporter,
            render,
            max_pending_events,
            max_pending_metric_documents,
        ))
    }

    fn with_runtime(
        runtime: tokio::runtime::Runtime,
        exporter: NewRelicExporter,
        config: Config,
        max_pending_events: usize,
        max_pending_metric_documents: usize,
    ) -> Self {
        let identity = exporter.config().identity.clone();
        Self {
            runtime,
            exporter,
            preparer: Arc::new(EventPreparer { config, identity }),
            pending: VecDeque::new(),
            pending_bytes: 0,
            metrics: VecDeque::new(),
            bounds: Bounds {
                events: max_pending_events.max(1),
                metric_documents: max_pending_metric_documents.max(1),
            },
            last_harvest_ms: now_ms(),
            waiting: Arc::default(),
        }
    }

    /// The exporter.
    pub fn exporter(&self) -> &NewRelicExporter {
        &self.exporter
    }

    fn push(&mut self, json: String) {
        self.pending_bytes += json.len();
        self.pending.push_back(json);
        self.note_waiting(self.pending.len());
    }

    fn note_waiting(&self, n: usize) {
        self.waiting
            .store(n as u64, std::sync::atomic::Ordering::Relaxed);
    }

    /// Sends every pending event once (with the exporter's retries); what is not accepted
    /// stays, in order.
    fn send_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        // Until the answer, the batch in flight is still waiting.
        let batch: Vec<String> = self.pending.drain(..).collect();
        self.pending_bytes = 0;
        let kept = self.runtime.block_on(self.exporter.send_events(batch));
        self.note_waiting(0);
        for event in kept {
            self.push(event);
        }
    }

    /// Sends the waiting metric documents in order, up to the first that fails.
    fn send_metric_documents(&mut self) {
        while let Some(document) = self.metrics.pop_front() {
            if !self
                .runtime
                .block_on(self.exporter.send_metrics(document.clone()))
            {
                self.metrics.push_front(document);
                break;
            }
        }
    }

    /// Keeps the newest `max` of `queue`; how many were dropped.
    fn drop_oldest<T>(queue: &mut VecDeque<T>, max: usize) -> u64 {
        let over = queue.len().saturating_sub(max);
        queue.drain(..over);
        over as u64
    }
}

/// The one-thread runtime a destination drives its exporter on.
fn delivery_runtime() -> Result<tokio::runtime::Runtime, crate::ExportError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            crate::http::SendError::Connection(format!("no async runtime for delivery: {e}")).into()
        })
}

/// Calls as Event API objects, with the exporter's identity.
struct EventPreparer {
    config: Config,
    identity: Identity,
}

impl Prepare for EventPreparer {
    fn prepare(&self, call: &Call<'_>) -> Prepared {
        let mut events = Vec::new();
        let emitted = emit_events(call.invocation, &self.config, call.context, &mut |event| {
            events.push(payload::event_json(&event, &self.identity));
        });
        if let Some(error) = &emitted.error {
            events.push(payload::error_json(
                error,
                call.invocation.timing.started_at_ms,
                &self.identity,
            ));
        }
        Prepared::Events(events)
    }
}

impl Destination for NewRelicDestination {
    fn name(&self) -> &'static str {
        "newrelic"
    }

    fn preparer(&self) -> Arc<dyn Prepare> {
        self.preparer.clone()
    }

    /// Queues a replayed call's events; a full batch is sent, and a buffer of undelivered
    /// events at its bound is sent again before more are taken — replay waits, never drops.
    fn deliver(&mut self, prepared: Prepared) -> Result<(), DeliveryError> {
        let Prepared::Events(events) = prepared else {
            return Err(DeliveryError::Failed(
                "newrelic takes Event API objects".to_owned(),
            ));
        };
        let stats = self.exporter.stats().clone();
        for event in events {
            stats.truncated_values(u64::from(event.truncated));
            self.push(event.json);
        }
        if self.pending_bytes >= BATCH_BYTES || self.pending.len() >= self.bounds.events {
            self.send_pending();
        }
        if self.pending.len() >= self.bounds.events {
            // Still full after the exporter's retries: give the backend a moment, then once
            // more; a backend that stays down stops the run rather than losing data.
            std::thread::sleep(Duration::from_millis(500));
            self.send_pending();
            if self.pending.len() >= self.bounds.events {
                return Err(DeliveryError::Failed(format!(
                    "New Relic is not accepting events: {} are waiting for delivery",
                    self.pending.len()
                )));
            }
        }
        Ok(())
    }

    fn wants_runtime_metrics(&self) -> bool {
        true
    }

    fn runtime_metrics(&mut self, metrics: &RuntimeMetrics) -> Result<(), DeliveryError> {
        let documents = payload::runtime_documents(metrics, &self.exporter.config().identity);
        self.metrics.extend(documents);
        self.send_metric_documents();
        Ok(())
    }

    /// As Metric API gauges, a few thousand to a payload.
    fn metric_points(
        &mut self,
        points: &[bedrock_llm_events::pulled::MetricPoint],
    ) -> Result<bool, DeliveryError> {
        for chunk in points.chunks(2_000) {
            let payload = bedrock_llm_events::pulled::newrelic_gauges(chunk);
            self.metrics.push_back(payload.to_string().into_bytes());
        }
        self.send_metric_documents();
        Ok(true)
    }

    fn harvest(&mut self, harvest: &Harvest) -> Result<Vec<(&'static str, u64)>, DeliveryError> {
        let identity = self.exporter.config().identity.clone();
        let now = now_ms();
        let mut truncated = 0;
        for event in &harvest.events {
            let json = payload::event_json(event, &identity);
            truncated += u64::from(json.truncated);
            self.push(json.json);
        }
        for report in &harvest.error_reports {
            let json = payload::error_json(report, now, &identity);
            truncated += u64::from(json.truncated);
            self.push(json.json);
        }
        let interval = now.saturating_sub(self.last_harvest_ms);
        if let Some(document) =
            payload::metrics_document(&harvest.metrics, self.last_harvest_ms, interval, &identity)
        {
            self.metrics.push_back(document);
        }
        self.metrics
            .extend(payload::runtime_documents(&harvest.runtime, &identity));
        self.last_harvest_ms = now;
        let stats = self.exporter.stats().clone();
        stats.truncated_values(truncated);
        // A live buffer never makes the application wait: beyond its bound, the oldest go.
        let dropped_events = Self::drop_oldest(&mut self.pending, self.bounds.events);
        self.pending_bytes = self.pending.iter().map(String::len).sum();
        self.note_waiting(self.pending.len());
        stats.dropped_events(dropped_events);
        let dropped_documents = Self::drop_oldest(&mut self.metrics, self.bounds.metric_documents);
        stats.dropped_metric_documents(dropped_documents);
        self.send_pending();
        self.send_metric_documents();
        Ok(vec![
            (TRUNCATED_VALUES_METRIC, truncated),
            (DROPPED_EVENTS_METRIC, dropped_events),
            (DROPPED_METRICS_METRIC, dropped_documents),
        ])
    }

    fn checkpoint(&mut self) -> Result<bool, DeliveryError> {
        self.send_pending();
        self.send_metric_documents();
        Ok(self.pending.is_empty() && self.metrics.is_empty())
    }

    fn shutdown(&mut self, deadline: Instant) -> Result<DeliveryReport, DeliveryError> {
        self.send_pending();
        self.send_metric_documents();
        if !self.pending.is_empty() && Instant::now() + Duration::from_millis(500) < deadline {
            // One more try for what a short outage kept back.
            std::thread::sleep(Duration::from_millis(500));
            self.send_pending();
            self.send_metric_documents();
        }
        let mut report = self.exporter.stats().report();
        // What is still waiting will never be sent.
        report.events_dropped += self.pending.len() as u64;
        self.pending.clear();
        self.note_waiting(0);
        report.metric_documents_dropped += self.metrics.len() as u64;
        Ok(report)
    }

    fn reporter(&self) -> Reporter {
        let stats = self.exporter.stats().clone();
        let waiting = self.waiting.clone();
        Arc::new(move || {
            let mut report = stats.report();
            report.events_pending = waiting.load(std::sync::atomic::Ordering::Relaxed);
            report
        })
    }

    fn summary(&self, report: &DeliveryReport) -> String {
        format!(
            "newrelic: {} events sent, {} metric documents sent, {} POSTs ({} retries), {} events and {} metric documents dropped ({} events refused by New Relic), {} values cut to 4096 characters",
            report.events_sent,
            report.metric_documents_sent,
            report.posts,
            report.retries,
            report.events_dropped,
            report.metric_documents_dropped,
            report.events_rejected,
            report.values_truncated
        )
    }
}
