//! `--to otlp`: a command's invocations sent as OpenTelemetry signals — one client span each,
//! the GenAI client metrics and (unless `--no-content`) the content events — over OTLP/HTTP,
//! configured by the standard `OTEL_EXPORTER_OTLP_*` variables; `--endpoint URL` overrides
//! `OTEL_EXPORTER_OTLP_ENDPOINT`.
//!
//! The resource is per caller: records of one account and Region share a pipeline whose
//! resource says `cloud.provider = aws`, `cloud.region` and `cloud.account.id`; a record of
//! another gets its own pipeline (up to [`MAX_PIPELINES`]).

use std::collections::BTreeMap;

use bedrock_llm_core::Invocation;
use bedrock_llm_events::{Config, TraceContext};
use bedrock_llm_export::otlp::{OtlpOptions, OtlpPipeline};

use crate::output::Stop;

/// Distinct (account, Region) resources kept; records beyond share one without them.
pub(crate) const MAX_PIPELINES: usize = 16;

/// Records between flushes of the batch processors, below their 2048-span queue.
const FLUSH_EVERY: u64 = 512;

/// The `service.name` when the environment names none.
const SERVICE_NAME: &str = "bedrock-llm";

/// Who made a call, for the resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Origin {
    pub(crate) account_id: Option<String>,
    pub(crate) region: Option<String>,
}

struct Pipeline {
    pipeline: OtlpPipeline,
    telemetry: bedrock_llm_events::GenAiTelemetry,
    since_flush: u64,
}

/// OTLP destination for a command's invocations.
pub(crate) struct OtlpSink {
    endpoint: Option<String>,
    pipelines: BTreeMap<Origin, Pipeline>,
    /// Invocations sent.
    pub(crate) sent: u64,
    problems: Vec<String>,
}

impl OtlpSink {
    /// A sink sending to `endpoint` (a base URL), else to the environment's endpoint.
    pub(crate) fn new(endpoint: Option<String>) -> Result<Self, Stop> {
        let mut sink = Self {
            endpoint,
            pipelines: BTreeMap::new(),
            sent: 0,
            problems: Vec::new(),
        };
        // Set up the shared pipeline now, so a bad configuration stops the run before it reads.
        sink.pipeline(&Origin::default())?;
        Ok(sink)
    }

    fn pipeline(&mut self, origin: &Origin) -> Result<&mut Pipeline, Stop> {
        let origin = if self.pipelines.contains_key(origin) || self.pipelines.len() < MAX_PIPELINES
        {
            origin.clone()
        } else {
            Origin::default()
        };
        if !self.pipelines.contains_key(&origin) {
            let mut options = OtlpOptions::default()
                .default_service_name(SERVICE_NAME)
                .resource_attribute("cloud.provider", "aws");
            if let Some(endpoint) = &self.endpoint {
                options = options.endpoint(endpoint.clone());
            }
            if let Some(region) = &origin.region {
                options = options.resource_attribute("cloud.region", region.clone());
            }
            if let Some(account) = &origin.account_id {
                options = options.resource_attribute("cloud.account.id", account.clone());
            }
            let pipeline = OtlpPipeline::new(options).map_err(|e| e.to_string())?;
            let telemetry = pipeline.telemetry();
            self.pipelines.insert(
                origin.clone(),
                Pipeline {
                    pipeline,
                    telemetry,
                    since_flush: 0,
                },
            );
        }
        self.pipelines
            .get_mut(&origin)
            .ok_or_else(|| Stop::from("the OTLP pipeline vanished"))
    }

    /// Sends one invocation's span (with `ids`: the ids its events carry), metrics and content
    /// event; returns the span's ids.
    pub(crate) fn send(
        &mut self,
        origin: &Origin,
        config: &Config,
        invocation: &Invocation,
        ids: &TraceContext,
    ) -> Result<Option<TraceContext>, Stop> {
        let pipeline = self.pipeline(origin)?;
        let ids = pipeline.telemetry.record_with_ids(invocation, config, ids);
        pipeline.since_flush += 1;
        let flush = pipeline.since_flush >= FLUSH_EVERY;
        if flush {
            pipeline.since_flush = 0;
            if let Err(e) = pipeline.pipeline.flush() {
                self.problems.push(e.to_string());
            }
        }
        self.sent += 1;
        Ok(ids)
    }

    /// Exports what the batch processors hold, now; the first failure, if any.
    pub(crate) fn flush(&mut self) -> Result<(), String> {
        for pipeline in self.pipelines.values_mut() {
            pipeline.since_flush = 0;
            pipeline.pipeline.flush().map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Delivers everything and shuts the pipelines down; the closing summary, or what failed.
    /// `content` says whether content events were part of it.
    pub(crate) fn finish(self, content: bool) -> Result<String, String> {
        let mut problems = self.problems;
        for (_, pipeline) in self.pipelines {
            if let Err(e) = pipeline.pipeline.shutdown() {
                problems.push(e.to_string());
            }
        }
        if problems.is_empty() {
            Ok(format!(
                "otlp: {} invocations sent (a span each, GenAI metrics{})",
                self.sent,
                if content { ", content events" } else { "" }
            ))
        } else {
            Err(format!(
                "otlp: {} invocations recorded, but delivery failed: {}",
                self.sent,
                problems.join("; ")
            ))
        }
    }
}
