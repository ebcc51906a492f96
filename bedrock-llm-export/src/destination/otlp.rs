//! The `otlp` destination (feature `otlp`): each call as OpenTelemetry signals — a client span
//! with the call's trace and span ids, the GenAI client metrics and (content on) the content
//! event — over OTLP/HTTP.
//!
//! The resource is per caller: calls of one account and Region share a pipeline whose resource
//! says `cloud.provider = aws`, `cloud.region` and `cloud.account.id`; a call of another gets its
//! own pipeline (up to [`MAX_PIPELINES`]). Live calls are recorded by the recorder through
//! [`Destination::telemetry`]; this destination then only flushes and shuts down.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use bedrock_llm_events::{Config, GenAiTelemetry};

use super::{Call, DeliveryError, Destination, Origin, OwnedCall, Prepare, Prepared, Reporter};
use crate::newrelic::DeliveryReport;
use crate::otlp::{OtlpOptions, OtlpPipeline, OtlpStats};

/// Distinct (account, Region) resources kept; calls beyond share one without them.
pub(super) const MAX_PIPELINES: usize = 16;

/// Calls between flushes of the batch processors, below their 2048-span queue.
const FLUSH_EVERY: u64 = 512;

struct Pipeline {
    pipeline: OtlpPipeline,
    telemetry: GenAiTelemetry,
    since_flush: u64,
}

/// OpenTelemetry over OTLP/HTTP.
pub struct OtlpDestination {
    options: OtlpOptions,
    config: Config,
    pipelines: BTreeMap<(Option<String>, Option<String>), Pipeline>,
    /// Every pipeline's counts, kept past its shutdown.
    stats: Arc<Mutex<Vec<Arc<OtlpStats>>>>,
    problems: Vec<String>,
}

impl std::fmt::Debug for OtlpDestination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtlpDestination")
            .field("pipelines", &self.pipelines.len())
            .finish_non_exhaustive()
    }
}

impl OtlpDestination {
    /// Pipelines built from `options` (plus each caller's resource), recording calls by
    /// `config` (content events only with content on). The shared pipeline is built now, so a
    /// bad configuration is an error before anything is read.
    pub fn new(options: OtlpOptions, config: Config) -> Result<Self, crate::otlp::OtlpError> {
        let mut destination = Self {
            options,
            config,
            pipelines: BTreeMap::new(),
            stats: Arc::default(),
            problems: Vec::new(),
        };
        destination.pipeline(&Origin::default())?;
        Ok(destination)
    }

    fn pipeline(&mut self, origin: &Origin) -> Result<&mut Pipeline, crate::otlp::OtlpError> {
        let mut key = (origin.account_id.clone(), origin.region.clone());
        if !self.pipelines.contains_key(&key) && self.pipelines.len() >= MAX_PIPELINES {
            key = (None, None);
        }
        if !self.pipelines.contains_key(&key) {
            let mut options = self.options.clone();
            if let Some(region) = &key.1 {
                options = options.resource_attribute("cloud.region", region.clone());
            }
            if let Some(account) = &key.0 {
                options = options.resource_attribute("cloud.account.id", account.clone());
            }
            let pipeline = OtlpPipeline::new(options)?;
            let telemetry = pipeline.telemetry();
            self.stats
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(pipeline.stats().clone());
            self.pipelines.insert(
                key.clone(),
                Pipeline {
                    pipeline,
                    telemetry,
                    since_flush: 0,
                },
            );
        }
        self.pipelines
            .get_mut(&key)
            .ok_or_else(|| crate::otlp::OtlpError::Runtime("the pipeline vanished".to_owned()))
    }
}

/// Calls kept whole: the signals are made on the delivering thread, through the pipelines.
struct CallPreparer;

impl Prepare for CallPreparer {
    fn prepare(&self, call: &Call<'_>) -> Prepared {
        Prepared::Call(Box::new(OwnedCall {
            invocation: call.invocation.clone(),
            trace: call.context.trace.clone(),
            origin: call.origin.clone(),
        }))
    }
}

impl Destination for OtlpDestination {
    fn name(&self) -> &'static str {
        "otlp"
    }

    fn preparer(&self) -> Arc<dyn Prepare> {
        Arc::new(CallPreparer)
    }

    /// As gauges dated at their periods' starts, through the shared pipeline.
    fn metric_points(
        &mut self,
        points: &[bedrock_llm_events::pulled::MetricPoint],
    ) -> Result<bool, DeliveryError> {
        let pipeline = self
            .pipeline(&Origin::default())
            .map_err(|e| DeliveryError::Failed(e.to_string()))?;
        pipeline
            .pipeline
            .send_dated_gauges(points)
            .map_err(|e| DeliveryError::Failed(format!("otlp: {e}")))?;
        Ok(true)
    }

    /// Records the call's span — with the ids its events carry — metrics and content event.
    fn deliver(&mut self, prepared: Prepared) -> Result<(), DeliveryError> {
        let Prepared::Call(call) = prepared else {
            return Err(DeliveryError::Failed("otlp takes calls".to_owned()));
        };
        let config = self.config.clone();
        let pipeline = self
            .pipeline(&call.origin)
            .map_err(|e| DeliveryError::Failed(e.to_string()))?;
        pipeline
            .telemetry
            .record_with_ids(&call.invocation, &config, &call.trace);
        pipeline.since_flush += 1;
        if pipeline.since_flush >= FLUSH_EVERY {
            pipeline.since_flush = 0;
            if let Err(e) = pipeline.pipeline.flush() {
                self.problems.push(e.to_string());
            }
        }
        Ok(())
    }

    fn telemetry(&self) -> Option<GenAiTelemetry> {
        self.pipelines
            .get(&(None, None))
            .map(|p| p.telemetry.clone())
    }

    fn checkpoint(&mut self) -> Result<bool, DeliveryError> {
        let mut delivered = true;
        for pipeline in self.pipelines.values_mut() {
            pipeline.since_flush = 0;
            delivered &= pipeline.pipeline.flush().is_ok();
        }
        Ok(delivered)
    }

    fn shutdown(&mut self, _deadline: Instant) -> Result<DeliveryReport, DeliveryError> {
        let mut problems = std::mem::take(&mut self.problems);
        for (_, pipeline) in std::mem::take(&mut self.pipelines) {
            if let Err(e) = pipeline.pipeline.shutdown() {
                problems.push(e.to_string());
            }
        }
        let report = (self.reporter())();
        if problems.is_empty() || !report.delivered() {
            // Counted refusals and losses say more than the SDK's shutdown error.
            Ok(report)
        } else {
            Err(DeliveryError::Failed(format!(
                "{} invocations recorded, but delivery failed: {}",
                report.events_sent,
                problems.join("; ")
            )))
        }
    }

    /// Spans accepted (one a call) as events sent; refused and lost items of every signal as
    /// dropped.
    fn reporter(&self) -> Reporter {
        let stats = self.stats.clone();
        Arc::new(move || {
            let mut report = DeliveryReport::default();
            for each in stats.lock().unwrap_or_else(PoisonError::into_inner).iter() {
                report.events_sent += each.spans_accepted();
                report.events_dropped += each.rejected() + each.lost();
                report.posts += each.requests();
                report.retries += each.retries();
            }
            report
        })
    }

    fn summary(&self, report: &DeliveryReport) -> String {
        let all = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        let sum = |f: fn(&OtlpStats) -> u64| all.iter().map(|s| f(s)).sum::<u64>();
        format!(
            "otlp: {} invocations sent (a span each, {} metric points{}); {} rejected by the receiver, {} lost after retries; {} requests ({} retries)",
            report.events_sent,
            sum(OtlpStats::points_accepted),
            if self.config.record_content && self.config.otel_content {
                format!(", {} content events", sum(OtlpStats::logs_accepted))
            } else {
                String::new()
            },
            sum(OtlpStats::rejected),
            sum(OtlpStats::lost),
            report.posts,
            report.retries
        ) + &all
            .iter()
            .find_map(|s| s.last_failure())
            .map(|failure| {
                format!(
                    "\n  last failure: {failure}; check the endpoint (--endpoint, OTEL_EXPORTER_OTLP_ENDPOINT) and that the collector is up and accepts OTLP/HTTP"
                )
            })
            .unwrap_or_default()
    }
}
