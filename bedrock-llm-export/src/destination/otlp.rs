//! The `otlp` destination (feature `otlp`): each call as OpenTelemetry signals — a client span
//! with the call's trace and span ids, the GenAI client metrics and (content on) the content
//! event — over OTLP/HTTP.
//!
//! The resource is per caller: calls of one account and Region share a pipeline whose resource
//! says `cloud.provider = aws`, `cloud.region` and `cloud.account.id`; a call of another gets its
//! own pipeline (up to [`MAX_PIPELINES`]). Live calls are recorded by the recorder through
//! [`Destination::telemetry`]; this destination then only flushes and shuts down.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bedrock_llm_events::{Config, GenAiTelemetry};

use super::{Call, DeliveryError, Destination, Origin, OwnedCall, Prepare, Prepared, Reporter};
use crate::newrelic::DeliveryReport;
use crate::otlp::{OtlpOptions, OtlpPipeline};

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
    sent: Arc<AtomicU64>,
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
            sent: Arc::new(AtomicU64::new(0)),
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
        self.sent.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// A live recorder recorded each call's signals through [`Self::telemetry`] already; the
    /// harvest only says how many calls that was.
    fn harvest(
        &mut self,
        harvest: &bedrock_llm_events::Harvest,
    ) -> Result<Vec<(&'static str, u64)>, DeliveryError> {
        use bedrock_llm_events::names::event_type;
        let calls = harvest
            .events
            .iter()
            .filter(|e| matches!(e.event_type(), event_type::SUMMARY | event_type::EMBEDDING))
            .count();
        self.sent.fetch_add(calls as u64, Ordering::Relaxed);
        Ok(Vec::new())
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
        let sent = self.sent.load(Ordering::Relaxed);
        if problems.is_empty() {
            Ok(DeliveryReport {
                events_sent: sent,
                ..DeliveryReport::default()
            })
        } else {
            Err(DeliveryError::Failed(format!(
                "{sent} invocations recorded, but delivery failed: {}",
                problems.join("; ")
            )))
        }
    }

    fn reporter(&self) -> Reporter {
        let sent = self.sent.clone();
        Arc::new(move || DeliveryReport {
            events_sent: sent.load(Ordering::Relaxed),
            ..DeliveryReport::default()
        })
    }

    fn summary(&self, report: &DeliveryReport) -> String {
        format!(
            "otlp: {} invocations sent (a span each, GenAI metrics{})",
            report.events_sent,
            if self.config.record_content && self.config.otel_content {
                ", content events"
            } else {
                ""
            }
        )
    }
}
