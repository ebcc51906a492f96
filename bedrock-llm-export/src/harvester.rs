//! The harvester: a background task that drains a [`Recorder`] on an interval (5 s by default,
//! New Relic's agent cycle for custom events) and hands the harvest to the exporter. What cannot
//! be delivered yet waits for the next cycle in a bounded buffer; beyond it the oldest events
//! are dropped and counted (`Supportability/Rust/ML/Export/Dropped/Events`). The application's
//! calls never wait on it: recording only appends to the recorder.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bedrock_llm_events::{Recorder, now_ms};
use tokio::sync::{mpsc, oneshot};

use crate::newrelic::{DeliveryReport, NewRelicExporter};
use crate::payload;

/// Dropped events, as a supportability metric.
pub const DROPPED_EVENTS_METRIC: &str = "Supportability/Rust/ML/Export/Dropped/Events";
/// Dropped metric documents, as a supportability metric.
pub const DROPPED_METRICS_METRIC: &str = "Supportability/Rust/ML/Export/Dropped/Metrics";
/// Attribute values cut to the Event API's limit, as a supportability metric.
pub const TRUNCATED_VALUES_METRIC: &str = "Supportability/Rust/ML/Export/Truncated/Values";

/// How the harvester runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HarvestOptions {
    /// Time between harvests.
    pub interval: Duration,
    /// Events kept waiting for delivery at most; beyond, the oldest are dropped.
    pub max_pending_events: usize,
    /// Metric documents kept waiting at most (one per harvest).
    pub max_pending_metric_documents: usize,
}

impl Default for HarvestOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            max_pending_events: 100_000,
            max_pending_metric_documents: 60,
        }
    }
}

impl HarvestOptions {
    /// With harvests every `interval`.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// With at most `events` waiting for delivery.
    pub fn max_pending_events(mut self, events: usize) -> Self {
        self.max_pending_events = events;
        self
    }
}

enum Command {
    Flush(oneshot::Sender<()>),
    Shutdown(Instant, oneshot::Sender<DeliveryReport>),
}

/// What waits for delivery.
struct Pending {
    events: VecDeque<String>,
    metrics: VecDeque<Vec<u8>>,
    options: HarvestOptions,
    last_harvest_ms: u64,
}

impl Pending {
    /// Drains the recorder into the buffers, dropping the oldest beyond their bounds.
    fn harvest(&mut self, recorder: &Recorder, exporter: &NewRelicExporter) {
        let harvest = recorder.harvest();
        let identity = &exporter.config().identity;
        let now = now_ms();
        let mut truncated = 0;
        for event in &harvest.events {
            let json = payload::event_json(event, identity);
            truncated += u64::from(json.truncated);
            self.events.push_back(json.json);
        }
        for report in &harvest.error_reports {
            let json = payload::error_json(report, now, identity);
            truncated += u64::from(json.truncated);
            self.events.push_back(json.json);
        }
        let interval = now.saturating_sub(self.last_harvest_ms);
        if let Some(document) =
            payload::metrics_document(&harvest.metrics, self.last_harvest_ms, interval, identity)
        {
            self.metrics.push_back(document);
        }
        if let Some(document) = payload::runtime_document(&harvest.runtime, identity) {
            self.metrics.push_back(document);
        }
        self.last_harvest_ms = now;
        let stats = exporter.stats();
        stats.truncated_values(truncated);
        recorder.count_supportability(TRUNCATED_VALUES_METRIC, truncated);
        let dropped = drop_oldest(&mut self.events, self.options.max_pending_events);
        stats.dropped_events(dropped);
        recorder.count_supportability(DROPPED_EVENTS_METRIC, dropped);
        let dropped = drop_oldest(&mut self.metrics, self.options.max_pending_metric_documents);
        stats.dropped_metric_documents(dropped);
        recorder.count_supportability(DROPPED_METRICS_METRIC, dropped);
    }

    /// Sends what waits; what cannot go yet stays, in order.
    async fn deliver(&mut self, exporter: &NewRelicExporter) {
        if !self.events.is_empty() {
            let events: Vec<String> = self.events.drain(..).collect();
            let kept = exporter.send_events(events).await;
            for event in kept.into_iter().rev() {
                self.events.push_front(event);
            }
        }
        while let Some(document) = self.metrics.pop_front() {
            if !exporter.send_metrics(document.clone()).await {
                self.metrics.push_front(document);
                break;
            }
        }
    }

    /// One cycle: harvest, then deliver.
    async fn cycle(&mut self, recorder: &Recorder, exporter: &NewRelicExporter) {
        self.harvest(recorder, exporter);
        self.deliver(exporter).await;
    }
}

/// Keeps the newest `max` items of `queue`; returns how many were dropped.
fn drop_oldest<T>(queue: &mut VecDeque<T>, max: usize) -> u64 {
    let over = queue.len().saturating_sub(max);
    queue.drain(..over);
    over as u64
}

/// A running harvester (a tokio task). Dropping it stops the task; call
/// [`shutdown`](Self::shutdown) to deliver what is pending first.
#[derive(Debug)]
pub struct Harvester {
    commands: mpsc::Sender<Command>,
    exporter: NewRelicExporter,
}

impl Harvester {
    /// Starts harvesting `recorder` into `exporter` on the current tokio runtime.
    pub fn spawn(
        recorder: Arc<Recorder>,
        exporter: NewRelicExporter,
        options: HarvestOptions,
    ) -> Self {
        let (commands, mut receiver) = mpsc::channel::<Command>(8);
        let task_exporter = exporter.clone();
        tokio::spawn(async move {
            let mut pending = Pending {
                events: VecDeque::new(),
                metrics: VecDeque::new(),
                options,
                last_harvest_ms: now_ms(),
            };
            let mut ticks = tokio::time::interval(options.interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await; // the first tick is immediate
            loop {
                tokio::select! {
                    _ = ticks.tick() => pending.cycle(&recorder, &task_exporter).await,
                    command = receiver.recv() => match command {
                        Some(Command::Flush(done)) => {
                            pending.cycle(&recorder, &task_exporter).await;
                            let _ = done.send(());
                        }
                        Some(Command::Shutdown(deadline, done)) => {
                            let budget = deadline.saturating_duration_since(Instant::now());
                            let _ = tokio::time::timeout(budget, pending.cycle(&recorder, &task_exporter)).await;
                            let mut report = task_exporter.stats().report();
                            // What is still waiting will never be sent.
                            report.events_dropped += pending.events.len() as u64;
                            report.metric_documents_dropped += pending.metrics.len() as u64;
                            let _ = done.send(report);
                            return;
                        }
                        None => return,
                    },
                }
            }
        });
        Self { commands, exporter }
    }

    /// Harvests and delivers now, and waits for it.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.commands.send(Command::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Delivers what is pending within `timeout`, stops, and reports what was delivered,
    /// retried and dropped over the harvester's life.
    pub async fn shutdown(self, timeout: Duration) -> DeliveryReport {
        let (done, wait) = oneshot::channel();
        let deadline = Instant::now() + timeout;
        if self
            .commands
            .send(Command::Shutdown(deadline, done))
            .await
            .is_err()
        {
            return self.exporter.stats().report();
        }
        wait.await
            .unwrap_or_else(|_| self.exporter.stats().report())
    }

    /// The counts so far.
    pub fn report(&self) -> DeliveryReport {
        self.exporter.stats().report()
    }
}

/// The harvester on a thread of its own, for programs without an async runtime (the
/// blocking client's users).
#[derive(Debug)]
pub struct BlockingHarvester {
    harvester: Option<Harvester>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl BlockingHarvester {
    /// Starts a one-thread runtime and the harvester on it.
    pub fn spawn(
        recorder: Arc<Recorder>,
        exporter: NewRelicExporter,
        options: HarvestOptions,
    ) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("bedrock-llm-harvester")
            .enable_all()
            .build()?;
        let harvester = {
            let _entered = runtime.enter();
            Harvester::spawn(recorder, exporter, options)
        };
        Ok(Self {
            harvester: Some(harvester),
            runtime: Some(runtime),
        })
    }

    /// Harvests and delivers now, and waits for it. Must not be called from async code.
    pub fn flush(&self) {
        if let (Some(harvester), Some(runtime)) = (&self.harvester, &self.runtime) {
            runtime.block_on(harvester.flush());
        }
    }

    /// Delivers what is pending within `timeout`, stops, and reports.
    pub fn shutdown(mut self, timeout: Duration) -> DeliveryReport {
        match (self.harvester.take(), self.runtime.take()) {
            (Some(harvester), Some(runtime)) => {
                let report = runtime.block_on(harvester.shutdown(timeout));
                runtime.shutdown_timeout(Duration::from_millis(100));
                report
            }
            _ => DeliveryReport::default(),
        }
    }
}

impl Drop for BlockingHarvester {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
