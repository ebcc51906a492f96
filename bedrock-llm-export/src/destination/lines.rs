//! The `stdout` destination: one line per event or record, in a format — New Relic Event API
//! objects, OpenTelemetry GenAI attributes, invocation-log records or Elastic invocation
//! documents — written to any
//! `Write` (standard output by default), with runtime metrics as EMF or Elastic documents.

use std::io::{self, BufWriter, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bedrock_llm_events::render::{elastic, newrelic, otel};
use bedrock_llm_events::{Config, Harvest, RuntimeMetrics, emit_events, now_ms};
use bedrock_llm_logs::{Caller, to_record};

use super::{Call, DeliveryError, Destination, Prepare, Prepared, Reporter};
use crate::newrelic::DeliveryReport;

/// What each call is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineFormat {
    /// New Relic Event API objects (flat, with `eventType`), one per line; `LlmError` events
    /// for failed calls.
    NewRelic,
    /// One object per call with its OpenTelemetry GenAI attributes, typed.
    Otel,
    /// The calls as `ModelInvocationLog` records (bodies left out with content off).
    InvocationLog,
    /// Elastic `aws_bedrock.invocation` documents, as Elastic's integration makes them.
    Elastic,
}

/// Which runtime-metric documents to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeFormat {
    /// CloudWatch Embedded Metric Format.
    Emf,
    /// Elastic `aws_bedrock.runtime` documents.
    Elastic,
}

/// Lines to a writer. Standard output by default ([`Lines::stdout`]).
pub struct Lines {
    out: BufWriter<Box<dyn Write + Send>>,
    preparer: Arc<LinePreparer>,
    runtime: Option<RuntimeFormat>,
    /// Runtime metrics handed over so far: written after the lines, at shutdown.
    runtime_metrics: Option<RuntimeMetrics>,
    written: Arc<AtomicU64>,
}

impl std::fmt::Debug for Lines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lines")
            .field("format", &self.preparer.format)
            .finish_non_exhaustive()
    }
}

impl Lines {
    /// Lines in `format` to `out`, rendered by `config` (content in or out).
    pub fn new(out: Box<dyn Write + Send>, format: LineFormat, config: Config) -> Self {
        Self {
            out: BufWriter::with_capacity(64 * 1024, out),
            preparer: Arc::new(LinePreparer { format, config }),
            runtime: None,
            runtime_metrics: None,
            written: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Lines in `format` to standard output.
    pub fn stdout(format: LineFormat, config: Config) -> Self {
        Self::new(Box::new(io::stdout()), format, config)
    }

    /// Also writes runtime metrics, as `format` documents, when a run hands them over.
    pub fn with_runtime_metrics(mut self, format: Option<RuntimeFormat>) -> Self {
        self.runtime = format;
        self
    }

    fn write(&mut self, text: &str) -> Result<(), DeliveryError> {
        self.out.write_all(text.as_bytes()).map_err(write_error)?;
        let lines = text.bytes().filter(|b| *b == b'\n').count() as u64;
        self.written.fetch_add(lines, Ordering::Relaxed);
        Ok(())
    }

    fn line(&mut self, text: &str) -> Result<(), DeliveryError> {
        self.write(text)?;
        self.write("\n")
    }
}

/// A failed write, classified: a reader that went away ends the run quietly.
fn write_error(error: io::Error) -> DeliveryError {
    if error.kind() == io::ErrorKind::BrokenPipe {
        DeliveryError::Closed
    } else {
        DeliveryError::Failed(format!("cannot write to standard output: {error}"))
    }
}

struct LinePreparer {
    format: LineFormat,
    config: Config,
}

impl Prepare for LinePreparer {
    fn prepare(&self, call: &Call<'_>) -> Prepared {
        let mut text = String::new();
        let invocation = call.invocation;
        let config = &self.config;
        match self.format {
            LineFormat::NewRelic => {
                let emitted = emit_events(invocation, config, call.context, &mut |event| {
                    newrelic::write_event(&mut text, &event);
                    text.push('\n');
                });
                if let Some(error) = &emitted.error {
                    text.push_str(&newrelic::error_json(
                        error,
                        invocation.timing.started_at_ms,
                    ));
                    text.push('\n');
                }
            }
            LineFormat::Otel => {
                let origin = call.origin;
                let resource = [
                    ("user.id", origin.identity_arn.as_deref()),
                    ("cloud.account.id", origin.account_id.as_deref()),
                    ("cloud.region", origin.region.as_deref()),
                ];
                let mut bytes = Vec::with_capacity(1024);
                // With the ids the call's events carry, so both renderings name the same trace.
                let trace = &call.context.trace;
                otel::write_span_json(
                    &mut bytes,
                    invocation,
                    config,
                    &resource,
                    Some((&trace.trace_id, &trace.span_id)),
                );
                bytes.push(b'\n');
                // Only `&str` contents and ASCII punctuation: always UTF-8, never a panic.
                text = String::from_utf8(bytes)
                    .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
            }
            LineFormat::Elastic => {
                let origin = call.origin;
                let caller = elastic::Caller {
                    account_id: origin.account_id.as_deref(),
                    region: origin.region.as_deref(),
                    identity_arn: origin.identity_arn.as_deref(),
                };
                let bodies = elastic::Bodies {
                    request: call.request_body,
                    response: call.response_body,
                };
                text = elastic::invocation_document_json(
                    invocation,
                    &caller,
                    &bodies,
                    config,
                    elastic::DEFAULT_NAMESPACE,
                );
                text.push('\n');
            }
            LineFormat::InvocationLog => {
                // With content off the bodies stay out: they are the prompts and completions.
                let content = config.record_content;
                let caller = Caller {
                    account_id: call.origin.account_id.clone(),
                    identity_arn: call.origin.identity_arn.clone(),
                };
                let mut record = to_record(
                    invocation,
                    call.request_body.filter(|_| content),
                    call.response_body.filter(|_| content),
                    &caller,
                );
                if let Some(outcome) = config.cost_of(invocation) {
                    bedrock_llm_logs::add_cost(&mut record, &outcome);
                }
                text = bedrock_llm_logs::record_json(&record);
                text.push('\n');
            }
        }
        Prepared::Text(text)
    }
}

impl Destination for Lines {
    fn name(&self) -> &'static str {
        "stdout"
    }

    fn preparer(&self) -> Arc<dyn Prepare> {
        self.preparer.clone()
    }

    fn deliver(&mut self, prepared: Prepared) -> Result<(), DeliveryError> {
        match prepared {
            Prepared::Text(text) => self.write(&text),
            // Only this destination's preparer feeds it, and it makes text.
            other => Err(DeliveryError::Failed(format!(
                "stdout takes text, not {other:?}"
            ))),
        }
    }

    fn wants_runtime_metrics(&self) -> bool {
        self.runtime.is_some()
    }

    /// Kept, and written after the lines at shutdown: a run may hand metrics over in parts
    /// (periods as they close), and stdout keeps them together at the end.
    fn runtime_metrics(&mut self, metrics: &RuntimeMetrics) -> Result<(), DeliveryError> {
        if self.runtime.is_some() {
            self.runtime_metrics
                .get_or_insert_with(|| metrics.empty_like())
                .merge(metrics);
        }
        Ok(())
    }

    /// Events, error reports and the harvest's metrics (as `BedrockLlmMetric` objects), in the
    /// New Relic format.
    fn harvest(&mut self, harvest: &Harvest) -> Result<Vec<(&'static str, u64)>, DeliveryError> {
        let now = now_ms();
        for event in &harvest.events {
            self.line(&newrelic::event_json(event))?;
        }
        for report in &harvest.error_reports {
            self.line(&newrelic::error_json(report, now))?;
        }
        for (name, data) in harvest.metrics.iter() {
            let line = serde_json::json!({
                "eventType": "BedrockLlmMetric",
                "timestamp": now,
                "metric.name": name,
                "count": data.count,
                "total_ms": data.total_ms,
                "min_ms": data.min_ms,
                "max_ms": data.max_ms,
            });
            self.line(&line.to_string())?;
        }
        Ok(Vec::new())
    }

    fn checkpoint(&mut self) -> Result<bool, DeliveryError> {
        self.out.flush().map_err(write_error)?;
        Ok(true)
    }

    fn shutdown(&mut self, _deadline: Instant) -> Result<DeliveryReport, DeliveryError> {
        if let Some(metrics) = self.runtime_metrics.take() {
            let documents = match self.runtime {
                Some(RuntimeFormat::Emf) => metrics.emf(),
                Some(RuntimeFormat::Elastic) => metrics.elastic(),
                None => Vec::new(),
            };
            for document in documents {
                self.line(&document.to_string())?;
            }
        }
        // Only a successful flush means the lines were written.
        self.out.flush().map_err(write_error)?;
        Ok((self.reporter())())
    }

    fn reporter(&self) -> Reporter {
        let written = self.written.clone();
        Arc::new(move || DeliveryReport {
            events_sent: written.load(Ordering::Relaxed),
            ..DeliveryReport::default()
        })
    }

    fn summary(&self, report: &DeliveryReport) -> String {
        format!("stdout: {} lines written", report.events_sent)
    }
}
