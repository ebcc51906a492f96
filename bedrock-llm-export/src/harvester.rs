//! The harvester: a background task that drains a [`Recorder`] on an interval (5 s by default,
//! New Relic's agent cycle for custom events) and hands the harvest to its destinations
//! ([`Destination::harvest`]). What cannot be delivered yet waits for the next cycle in each
//! destination's bounded buffer; beyond it the oldest events are dropped and counted
//! (`Supportability/Rust/ML/Export/Dropped/Events`). The application's calls never wait on it:
//! recording only appends to the recorder.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bedrock_llm_events::{Config, Recorder};
use tokio::sync::{mpsc, oneshot};

use crate::destination::{Destination, Fanout, NewRelicDestination, Reporter};
use crate::newrelic::{DeliveryReport, NewRelicExporter};

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

/// What a harvester can deliver to: a New Relic exporter (the common case), one destination,
/// or several.
pub trait IntoDestinations {
    /// The destinations, each buffering by `options`.
    fn into_destinations(self, options: &HarvestOptions) -> Fanout;
}

impl IntoDestinations for NewRelicExporter {
    fn into_destinations(self, options: &HarvestOptions) -> Fanout {
        let destination = NewRelicDestination::new(
            self,
            Config::default(),
            options.max_pending_events,
            options.max_pending_metric_documents,
        );
        match destination {
            Ok(destination) => Fanout::new(vec![Box::new(destination)]),
            Err(error) => {
                tracing::error!(%error, "bedrock-llm: the New Relic destination could not start; nothing will be delivered");
                Fanout::new(Vec::new())
            }
        }
    }
}

impl IntoDestinations for Box<dyn Destination> {
    fn into_destinations(self, _: &HarvestOptions) -> Fanout {
        Fanout::new(vec![self])
    }
}

impl IntoDestinations for Vec<Box<dyn Destination>> {
    fn into_destinations(self, _: &HarvestOptions) -> Fanout {
        Fanout::new(self)
    }
}

impl IntoDestinations for Fanout {
    fn into_destinations(self, _: &HarvestOptions) -> Fanout {
        self
    }
}

/// One cycle, on a thread that may block: harvest the recorder, hand the harvest to every
/// destination, and count what they report (drops, cut values) for the next harvest.
fn cycle(recorder: &Recorder, destinations: &Mutex<Fanout>) {
    let harvest = recorder.harvest();
    let (counts, delivered) = destinations
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .harvest(&harvest);
    if let Err(error) = delivered {
        tracing::warn!(%error, "bedrock-llm: a destination could not take a harvest");
    }
    for (name, n) in counts {
        recorder.count_supportability(name, n);
    }
}

/// A running harvester (a tokio task). Dropping it stops the task; call
/// [`shutdown`](Self::shutdown) to deliver what is pending first.
pub struct Harvester {
    commands: mpsc::Sender<Command>,
    reporters: Vec<Reporter>,
}

impl std::fmt::Debug for Harvester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harvester")
            .field("destinations", &self.reporters.len())
            .finish_non_exhaustive()
    }
}

fn sum(reporters: &[Reporter]) -> DeliveryReport {
    let mut total = DeliveryReport::default();
    for reporter in reporters {
        total.add(&reporter());
    }
    total
}

impl Harvester {
    /// Starts harvesting `recorder` into `destinations` on the current tokio runtime. Each
    /// harvest goes to every destination ([`Destination::harvest`]), on a blocking thread:
    /// the application's calls never wait on delivery.
    pub fn spawn(
        recorder: Arc<Recorder>,
        destinations: impl IntoDestinations,
        options: HarvestOptions,
    ) -> Self {
        let destinations = destinations.into_destinations(&options);
        let reporters = destinations.reporters();
        let destinations = Arc::new(Mutex::new(destinations));
        let (commands, mut receiver) = mpsc::channel::<Command>(8);
        let task_reporters = reporters.clone();
        tokio::spawn(async move {
            let run_cycle = || {
                let (recorder, destinations) = (recorder.clone(), destinations.clone());
                tokio::task::spawn_blocking(move || cycle(&recorder, &destinations))
            };
            let mut ticks = tokio::time::interval(options.interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await; // the first tick is immediate
            loop {
                tokio::select! {
                    _ = ticks.tick() => { let _ = run_cycle().await; }
                    command = receiver.recv() => match command {
                        Some(Command::Flush(done)) => {
                            let _ = run_cycle().await;
                            let _ = done.send(());
                        }
                        Some(Command::Shutdown(deadline, done)) => {
                            let (recorder, destinations) = (recorder.clone(), destinations.clone());
                            let last = tokio::task::spawn_blocking(move || {
                                cycle(&recorder, &destinations);
                                let fanout = std::mem::replace(
                                    &mut *destinations.lock().unwrap_or_else(PoisonError::into_inner),
                                    Fanout::new(Vec::new()),
                                );
                                let mut report = DeliveryReport::default();
                                for ended in fanout.shutdown(deadline) {
                                    if let Ok(each) = &ended.result {
                                        report.add(each);
                                    }
                                }
                                report
                            });
                            let budget = deadline.saturating_duration_since(Instant::now());
                            let report = match tokio::time::timeout(budget, last).await {
                                Ok(Ok(report)) => report,
                                _ => sum(&task_reporters),
                            };
                            let _ = done.send(report);
                            return;
                        }
                        None => return,
                    },
                }
            }
        });
        Self {
            commands,
            reporters,
        }
    }

    /// Harvests and delivers now, and waits for it.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.commands.send(Command::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Delivers what is pending within `timeout`, stops, and reports what was delivered,
    /// retried and dropped over the harvester's life (every destination's counts, added).
    pub async fn shutdown(self, timeout: Duration) -> DeliveryReport {
        let (done, wait) = oneshot::channel();
        let deadline = Instant::now() + timeout;
        if self
            .commands
            .send(Command::Shutdown(deadline, done))
            .await
            .is_err()
        {
            return sum(&self.reporters);
        }
        wait.await.unwrap_or_else(|_| sum(&self.reporters))
    }

    /// The counts so far, every destination's added.
    pub fn report(&self) -> DeliveryReport {
        sum(&self.reporters)
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
        destinations: impl IntoDestinations,
        options: HarvestOptions,
    ) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("bedrock-llm-harvester")
            .enable_all()
            .build()?;
        let harvester = {
            let _entered = runtime.enter();
            Harvester::spawn(recorder, destinations, options)
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
