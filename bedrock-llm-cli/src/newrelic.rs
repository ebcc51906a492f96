//! `--to newrelic`: the events and metrics a command makes, sent to New Relic's Event and
//! Metric APIs instead of printed (key and account from `NEW_RELIC_LICENSE_KEY` and
//! `NEW_RELIC_ACCOUNT_ID`; `--endpoint URL` sends every API to one local or proxy address).

use std::time::Duration;

use bedrock_llm_events::RuntimeMetrics;
use bedrock_llm_events::metrics::MetricTable;
use bedrock_llm_export::payload::{self, EventJson, Identity};
use bedrock_llm_export::{DeliveryReport, NewRelicConfig, NewRelicExporter};

use crate::output::Stop;

/// Events gathered before a delivery: about four POSTs' worth.
const BATCH_BYTES: usize = 4_000_000;

/// Undelivered events kept for the last try at most; beyond, they are dropped and counted.
const MAX_KEPT_EVENTS: usize = 200_000;

/// Where the exporter is set up from.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct NewRelicArgs {
    /// With `--to newrelic`: send every New Relic API to this scheme, host and port instead of
    /// the region's (paths stay: `/v1/accounts/{account}/events`, `/metric/v1`). With
    /// `--to otlp`: the OTLP base URL, overriding OTEL_EXPORTER_OTLP_ENDPOINT (`/v1/traces`,
    /// `/v1/metrics`, `/v1/logs` are appended).
    #[arg(long, value_name = "URL")]
    pub(crate) endpoint: Option<String>,
}

/// A New Relic destination for a command's output.
pub(crate) struct NewRelicSink {
    runtime: tokio::runtime::Runtime,
    exporter: NewRelicExporter,
    batch: Vec<String>,
    batch_bytes: usize,
    kept: Vec<String>,
    dropped_here: u64,
}

impl NewRelicSink {
    /// The exporter from the environment and `args`.
    pub(crate) fn from_env(args: &NewRelicArgs) -> Result<Self, Stop> {
        let mut config = NewRelicConfig::from_env().map_err(|e| e.to_string())?;
        if let Some(endpoint) = &args.endpoint {
            config = config.endpoint(endpoint);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("could not start the async runtime: {e}"))?;
        let exporter = {
            let _entered = runtime.enter();
            NewRelicExporter::new(config).map_err(|e| e.to_string())?
        };
        Ok(Self {
            runtime,
            exporter,
            batch: Vec::new(),
            batch_bytes: 0,
            kept: Vec::new(),
            dropped_here: 0,
        })
    }

    /// `appName` and `host` for the events.
    pub(crate) fn identity(&self) -> &Identity {
        &self.exporter.config().identity
    }

    /// Queues one event; delivers when a batch is full.
    pub(crate) fn push(&mut self, event: EventJson) {
        self.exporter
            .stats()
            .truncated_values(u64::from(event.truncated));
        self.batch_bytes += event.json.len();
        self.batch.push(event.json);
        if self.batch_bytes >= BATCH_BYTES {
            self.deliver();
        }
    }

    /// Delivers what is queued now; `true` when nothing is left waiting for a retry.
    pub(crate) fn deliver_now(&mut self) -> bool {
        self.deliver();
        self.kept.is_empty()
    }

    fn deliver(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        let kept = self.runtime.block_on(self.exporter.send_events(batch));
        let room = MAX_KEPT_EVENTS.saturating_sub(self.kept.len());
        self.dropped_here += kept.len().saturating_sub(room) as u64;
        self.kept.extend(kept.into_iter().take(room));
    }

    /// Sends the runtime metrics as one Metric API document; `false` when it could not be
    /// delivered.
    pub(crate) fn metrics_of(&mut self, metrics: &RuntimeMetrics) -> bool {
        let identity = self.identity().clone();
        match payload::runtime_document(metrics, &identity) {
            Some(document) => self.runtime.block_on(self.exporter.send_metrics(document)),
            None => true,
        }
    }

    /// Sends a harvest's metrics (the `Llm/…` timings and `Supportability/…` counts) as one
    /// Metric API document; `false` when it could not be delivered.
    pub(crate) fn harvest_metrics(
        &mut self,
        metrics: &MetricTable,
        start_ms: u64,
        interval_ms: u64,
    ) -> bool {
        let identity = self.identity().clone();
        match payload::metrics_document(metrics, start_ms, interval_ms, &identity) {
            Some(document) => self.runtime.block_on(self.exporter.send_metrics(document)),
            None => true,
        }
    }

    /// Delivers what is queued, retries what was kept once more, and reports; `metrics_sent`
    /// says whether the metrics document made it.
    pub(crate) fn finish(mut self, metrics_sent: bool) -> DeliveryReport {
        self.deliver();
        let kept = std::mem::take(&mut self.kept);
        let still = if kept.is_empty() {
            Vec::new()
        } else {
            self.runtime.block_on(async {
                tokio::time::sleep(Duration::from_millis(500)).await;
                self.exporter.send_events(kept).await
            })
        };
        let mut report = self.exporter.stats().report();
        report.events_dropped += self.dropped_here + still.len() as u64;
        report.metric_documents_dropped += u64::from(!metrics_sent);
        report
    }

    /// The report, as the closing summary line.
    pub(crate) fn summary(report: &DeliveryReport) -> String {
        format!(
            "newrelic: {} events sent, {} metric documents sent, {} POSTs ({} retries), {} events and {} metric documents dropped, {} values cut to 4096 characters",
            report.events_sent,
            report.metric_documents_sent,
            report.posts,
            report.retries,
            report.events_dropped,
            report.metric_documents_dropped,
            report.values_truncated
        )
    }

    /// Whether everything made it.
    pub(crate) fn delivered(report: &DeliveryReport) -> bool {
        report.events_dropped == 0 && report.metric_documents_dropped == 0
    }
}
