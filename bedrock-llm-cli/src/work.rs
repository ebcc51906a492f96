//! One unit of replay work — a local file, stdin, or an S3 object — read into output items,
//! whatever the destination: the same function serves the sequential run (items written as they
//! come), the parallel run (items gathered per unit and written in unit order) and the SQS
//! consumer (one notified object at a time).

use std::path::PathBuf;

use bedrock_llm_core::{Invocation, Registry};
use bedrock_llm_events::render::{newrelic, otel};
use bedrock_llm_events::{CallContext, Config, RuntimeMetrics, TraceContext, emit_events};
use bedrock_llm_export::payload::{EventJson, Identity};
use bedrock_llm_logs::fetch::BodyFetcher;
use bedrock_llm_logs::reader::ReadOptions;
use bedrock_llm_logs::s3::ObjectEntry;
use bedrock_llm_logs::writer::Caller;
use bedrock_llm_logs::{
    LogReader, ModelInvocationLog, ReadItem, Source, call_context, replay_fetching, to_record,
};

use crate::otlp::Origin;
use crate::output::Stop;
use crate::replay::Format;

/// A source of records read as one piece.
#[derive(Debug, Clone)]
pub(crate) enum Unit {
    /// Standard input.
    Stdin,
    /// A local file.
    File(PathBuf),
    /// An S3 object.
    Object(ObjectEntry),
}

impl Unit {
    /// The unit's identity and version for `--state`; stdin has none.
    pub(crate) fn identity(&self) -> Option<(String, String)> {
        match self {
            Self::Stdin => None,
            Self::File(path) => {
                let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
                let version = crate::state::file_version(&canonical)?;
                Some((canonical.display().to_string(), version))
            }
            Self::Object(object) => Some((
                object.uri(),
                object
                    .etag
                    .clone()
                    .unwrap_or_else(|| format!("size:{}", object.size)),
            )),
        }
    }
}

/// What a record becomes, for the destination.
#[derive(Debug)]
pub(crate) enum Item {
    /// A line for stdout.
    Line(String),
    /// Several lines for stdout, each ending in a newline (a unit's lines gathered on a
    /// worker: one write instead of one per line).
    Lines(String),
    /// A New Relic Event API object.
    Event(EventJson),
    /// An invocation for OTLP, with its caller and the ids its events carry.
    Invocation(Origin, Box<Invocation>, TraceContext),
}

/// Where output goes, as far as rendering is concerned.
#[derive(Debug, Clone)]
pub(crate) enum Mode {
    /// NDJSON lines in this format.
    Lines(Format),
    /// New Relic events for this app and host.
    NewRelic(Identity),
    /// OpenTelemetry signals.
    Otlp,
}

/// What every unit is read with.
pub(crate) struct Settings<'a> {
    pub(crate) config: &'a Config,
    pub(crate) registry: &'a Registry,
    pub(crate) options: ReadOptions,
    pub(crate) mode: Mode,
    /// S3, connected on first use.
    pub(crate) aws: &'a crate::aws::Aws,
    /// Fetch offloaded bodies (through `aws`).
    pub(crate) fetch_bodies: bool,
    pub(crate) max_body_bytes: u64,
    pub(crate) no_content: bool,
    pub(crate) strict: bool,
    /// An empty aggregate with the run's period and namespace.
    pub(crate) metrics: &'a RuntimeMetrics,
}

/// What a unit counted.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) records: u64,
    pub(crate) written: u64,
    pub(crate) skipped: u64,
    pub(crate) dropped_fields: u64,
    pub(crate) fetch_failures: u64,
    pub(crate) unreadable: Vec<String>,
    /// Notified objects that could not be read, left to the queue to deliver again.
    pub(crate) retried: u64,
    /// Records of model IDs that name no model whose body fits several families' shapes.
    pub(crate) ambiguous: u64,
}

impl Tally {
    pub(crate) fn add(&mut self, other: Tally) {
        self.records += other.records;
        self.written += other.written;
        self.skipped += other.skipped;
        self.dropped_fields += other.dropped_fields;
        self.fetch_failures += other.fetch_failures;
        self.retried += other.retried;
        self.ambiguous += other.ambiguous;
        self.unreadable.extend(other.unreadable);
    }
}

/// A unit's counts and runtime metrics.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) tally: Tally,
    pub(crate) metrics: RuntimeMetrics,
}

/// Reads `unit`, handing each output item to `emit` and each note (skips, drops, fetch
/// failures) to `note`, in order.
pub(crate) fn process(
    unit: &Unit,
    settings: &Settings<'_>,
    emit: &mut dyn FnMut(Item) -> Result<(), Stop>,
    note: &mut dyn FnMut(String),
) -> Result<Report, Stop> {
    let options = settings.options.clone();
    let reader = match unit {
        Unit::Stdin => LogReader::with_options([Source::Stdin], options),
        Unit::File(path) => LogReader::with_options([Source::Path(path.clone())], options),
        Unit::Object(object) => {
            let s3 = &settings.aws.get()?.s3;
            match s3.open(&object.bucket, &object.key) {
                Ok(body) => LogReader::from_reader(object.uri(), body, options),
                Err(error) => {
                    if settings.strict {
                        return Err(format!("{error} (--strict)").into());
                    }
                    note(error.to_string());
                    return Ok(Report {
                        tally: Tally {
                            unreadable: vec![object.uri()],
                            ..Tally::default()
                        },
                        metrics: settings.metrics.empty_like(),
                    });
                }
            }
        }
    };
    let fetcher: Option<&dyn BodyFetcher> = settings
        .fetch_bodies
        .then_some(settings.aws as &dyn BodyFetcher);
    let mut tally = Tally::default();
    let mut metrics = settings.metrics.empty_like();
    for item in reader {
        match item {
            ReadItem::Skipped(skip) => {
                // Lines only: a loop link or a socket in a directory holds no records to lose.
                if settings.strict && skip.lines > 0 {
                    return Err(format!("{skip} (--strict)").into());
                }
                tally.skipped = tally.skipped.saturating_add(skip.lines);
                note(format!("skipped {skip}"));
            }
            ReadItem::Unreadable { path, reason } => {
                if settings.strict {
                    return Err(format!("cannot read {path}: {reason} (--strict)").into());
                }
                note(format!("cannot read {path}: {reason}"));
                tally.unreadable.push(path);
            }
            ReadItem::Record(read) => {
                tally.records += 1;
                for field in &read.dropped {
                    note(format!("dropped {}: {field}", read.location));
                }
                tally.dropped_fields += read.dropped.len() as u64;
                let record = &read.record;
                let replayed =
                    replay_fetching(record, settings.registry, fetcher, settings.max_body_bytes);
                for failure in &replayed.fetch_failures {
                    note(format!(
                        "{}: offloaded body not fetched: {failure}",
                        read.location
                    ));
                }
                tally.fetch_failures += replayed.fetch_failures.len() as u64;
                let invocation = replayed.invocation;
                if invocation.routing == Some(bedrock_llm_core::Routing::AmbiguousBody) {
                    tally.ambiguous += 1;
                }
                metrics.add(&invocation);
                let context = call_context(record, read.location.line);
                tally.written += render(settings, record, invocation, &context, emit)?;
            }
        }
    }
    Ok(Report { tally, metrics })
}

/// [`process`] writing straight to `sink`, notes above `progress`.
pub(crate) fn process_into(
    unit: &Unit,
    settings: &Settings<'_>,
    sink: &mut crate::replay::Sink,
    progress: &crate::replay::Progress,
) -> Result<Report, Stop> {
    process(
        unit,
        settings,
        &mut |item| sink.emit(settings.config, item),
        &mut |line| progress.note(&line),
    )
}

/// Hands the output items of one record to `emit`; returns how many.
fn render(
    settings: &Settings<'_>,
    record: &ModelInvocationLog,
    invocation: Invocation,
    context: &CallContext,
    emit: &mut dyn FnMut(Item) -> Result<(), Stop>,
) -> Result<u64, Stop> {
    let config = settings.config;
    match &settings.mode {
        Mode::Otlp => {
            let origin = Origin {
                account_id: record.account_id.clone(),
                region: record.region.clone(),
            };
            emit(Item::Invocation(
                origin,
                Box::new(invocation),
                context.trace.clone(),
            ))?;
            Ok(1)
        }
        Mode::NewRelic(identity) => {
            let mut failed = None;
            let emitted = emit_events(&invocation, config, context, &mut |event| {
                if failed.is_none() {
                    let json = bedrock_llm_export::payload::event_json(&event, identity);
                    failed = emit(Item::Event(json)).err();
                }
            });
            if let Some(stop) = failed {
                return Err(stop);
            }
            if let Some(error) = &emitted.error {
                emit(Item::Event(bedrock_llm_export::payload::error_json(
                    error,
                    invocation.timing.started_at_ms,
                    identity,
                )))?;
            }
            Ok(emitted.events as u64 + u64::from(emitted.error.is_some()))
        }
        Mode::Lines(Format::Newrelic) => {
            // Each event is written as it is built: a record with a million messages never
            // holds a million events.
            let mut failed = None;
            let emitted = emit_events(&invocation, config, context, &mut |event| {
                if failed.is_none() {
                    let mut line = String::new();
                    newrelic::write_event(&mut line, &event);
                    failed = emit(Item::Line(line)).err();
                }
            });
            if let Some(stop) = failed {
                return Err(stop);
            }
            if let Some(error) = &emitted.error {
                emit(Item::Line(newrelic::error_json(
                    error,
                    invocation.timing.started_at_ms,
                )))?;
            }
            Ok(emitted.events as u64 + u64::from(emitted.error.is_some()))
        }
        Mode::Lines(Format::Otel) => {
            let identity = record.identity.as_ref().and_then(|i| i.arn.as_deref());
            let resource = [
                ("user.id", identity),
                ("cloud.account.id", record.account_id.as_deref()),
                ("cloud.region", record.region.as_deref()),
            ];
            let mut span = otel::span_json(&invocation, config, &resource);
            // The ids the record's events carry, so both renderings name the same trace.
            span["trace_id"] = serde_json::json!(context.trace.trace_id);
            span["span_id"] = serde_json::json!(context.trace.span_id);
            emit(Item::Line(span.to_string()))?;
            Ok(1)
        }
        Mode::Lines(Format::InvocationLog) => {
            // With content off the bodies stay out: they are the prompts and completions.
            let body = |raw: Option<&serde_json::value::RawValue>| {
                raw.filter(|_| !settings.no_content)
                    .map(|r| r.get().as_bytes().to_vec())
            };
            let request = body(
                record
                    .input
                    .as_ref()
                    .and_then(|i| i.input_body_json.as_deref()),
            );
            let response = body(
                record
                    .output
                    .as_ref()
                    .and_then(|o| o.output_body_json.as_deref()),
            );
            let caller = Caller {
                account_id: record.account_id.clone(),
                identity_arn: record.identity.as_ref().and_then(|i| i.arn.clone()),
            };
            let written = to_record(
                &invocation,
                request.as_deref(),
                response.as_deref(),
                &caller,
            );
            emit(Item::Line(
                serde_json::to_string(&written).unwrap_or_default(),
            ))?;
            Ok(1)
        }
    }
}
