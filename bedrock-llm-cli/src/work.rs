//! One unit of replay work — a local file, stdin, an S3 object or a log group's events — read
//! into calls, each
//! prepared for every destination by its preparer: the same function serves the sequential run
//! (delivered as they come), the parallel run (gathered per unit and delivered in unit order)
//! and the SQS consumer (one notified object at a time).

use std::path::PathBuf;

use std::collections::BTreeMap;
use std::sync::Arc;

use bedrock_llm_core::Registry;
use bedrock_llm_events::CallContext;
use bedrock_llm_events::RuntimeMetrics;
use bedrock_llm_export::destination::{DeliveryError, Prepare, Prepared, prepare_record};
use bedrock_llm_logs::BodyFetcher;
use bedrock_llm_logs::ReadOptions;
use bedrock_llm_logs::id_seed;
use bedrock_llm_logs::s3::ObjectEntry;
use bedrock_llm_logs::{
    LogReader, ModelInvocationLog, ReadItem, Source, call_context, replay_fetching,
};

use crate::output::Stop;

/// A source of records read as one piece.
#[derive(Debug, Clone)]
pub(crate) enum Unit {
    /// Standard input.
    Stdin,
    /// A local file.
    File(PathBuf),
    /// An S3 object.
    Object(ObjectEntry),
    /// Events of a CloudWatch Logs group, in event-time order.
    Events(Arc<GroupEvents>),
}

/// A log group's events read as one unit.
#[derive(Debug)]
pub(crate) struct GroupEvents {
    pub(crate) group: bedrock_llm_logs::cloudwatch::LogGroup,
    pub(crate) events: Vec<bedrock_llm_logs::cloudwatch::LogEvent>,
    /// The follower's position once these are delivered (`--follow --state`).
    pub(crate) checkpoint: Option<String>,
}

impl GroupEvents {
    /// The events' messages as NDJSON, one record per line: a message's own line breaks are
    /// whitespace between JSON tokens (JSON strings hold none raw), so they become spaces.
    fn ndjson(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.events.iter().map(|e| e.message.len() + 1).sum());
        for event in &self.events {
            out.extend(
                event
                    .message
                    .bytes()
                    .map(|b| if b == b'\n' || b == b'\r' { b' ' } else { b }),
            );
            out.push(b'\n');
        }
        out
    }
}

impl Unit {
    /// The bytes the unit holds as stored, where known (not stdin).
    pub(crate) fn size(&self) -> Option<u64> {
        match self {
            Self::Stdin => None,
            Self::File(path) => std::fs::metadata(path).ok().map(|m| m.len()),
            Self::Object(object) => Some(object.size),
            Self::Events(batch) => Some(
                batch
                    .events
                    .iter()
                    .map(|e| e.message.len() as u64 + 1)
                    .sum(),
            ),
        }
    }

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
            // A follower's position; a one-off window is not a source a re-run could skip.
            Self::Events(batch) => batch
                .checkpoint
                .clone()
                .map(|checkpoint| (batch.group.uri(), checkpoint)),
        }
    }
}

/// What every unit is read with.
pub(crate) struct Settings<'a> {
    pub(crate) registry: &'a Registry,
    pub(crate) options: ReadOptions,
    /// Each destination's renderer, in destination order.
    pub(crate) preparers: Vec<Arc<dyn Prepare>>,
    /// S3, connected on first use.
    pub(crate) aws: &'a crate::aws::Aws,
    /// Fetch offloaded bodies (through `aws`).
    pub(crate) fetch_bodies: bool,
    pub(crate) max_body_bytes: u64,
    pub(crate) strict: bool,
    /// `requestMetadata` as `llm.` attributes (`--no-metadata` turns it off).
    pub(crate) metadata: bool,
    /// Whether a signal asked the run to stop.
    pub(crate) interrupt: &'a crate::signals::Interrupt,
    /// Records a stopped run delivered, per source (`--state`): skipped here.
    pub(crate) resume: &'a BTreeMap<String, (String, u64)>,
    /// Ticks per record read.
    pub(crate) progress: &'a crate::progress::Progress,
    /// An empty aggregate with the run's period and namespace.
    pub(crate) metrics: &'a RuntimeMetrics,
    /// Whether anything takes the runtime metrics: otherwise none are kept.
    pub(crate) keep_metrics: bool,
    /// Shown every record with its call, as read (`report` aggregates through it).
    pub(crate) observe: Option<&'a Observe<'a>>,
}

/// What sees every record with its call.
pub(crate) type Observe<'a> =
    dyn Fn(&ModelInvocationLog, &bedrock_llm_core::Invocation) + Sync + 'a;

/// What a unit counted.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) records: u64,
    pub(crate) skipped: u64,
    pub(crate) dropped_fields: u64,
    pub(crate) fetch_failures: u64,
    pub(crate) unreadable: Vec<String>,
    /// Notified objects that could not be read, left to the queue to deliver again.
    pub(crate) retried: u64,
    /// Records of model IDs that name no model whose body fits several families' shapes.
    pub(crate) ambiguous: u64,
    /// Records a stopped run had delivered, skipped on resuming.
    pub(crate) resumed: u64,
    /// Sources a stop left part-read.
    pub(crate) stopped: u64,
}

impl Tally {
    pub(crate) fn add(&mut self, other: Tally) {
        self.records += other.records;
        self.skipped += other.skipped;
        self.dropped_fields += other.dropped_fields;
        self.fetch_failures += other.fetch_failures;
        self.retried += other.retried;
        self.ambiguous += other.ambiguous;
        self.resumed += other.resumed;
        self.stopped += other.stopped;
        self.unreadable.extend(other.unreadable);
    }
}

/// A unit's counts and runtime metrics.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) tally: Tally,
    pub(crate) metrics: RuntimeMetrics,
    /// Set when a stop was asked for before the unit's end: how many of its records were
    /// read through (those skipped on resuming included).
    pub(crate) stopped_at: Option<u64>,
}

/// What reading a unit hands on as it goes.
pub(crate) enum Out {
    /// What destination `.0`'s preparer made of a call.
    Prepared(usize, Prepared),
    /// Runtime metrics of periods that closed while the unit was read (a long file hands its
    /// figures on as it goes instead of keeping them to its end).
    Metrics(RuntimeMetrics),
}

/// Records between looks for closed runtime-metric periods.
const METRICS_EVERY: u64 = 1024;

/// Reads `unit`, handing each output to `emit` and each note (skips, drops, fetch failures)
/// to `note`, in order.
pub(crate) fn process(
    unit: &Unit,
    settings: &Settings<'_>,
    emit: &mut dyn FnMut(Out) -> Result<(), Stop>,
    note: &mut dyn FnMut(String),
) -> Result<Report, Stop> {
    let options = settings.options.clone();
    let reader = match unit {
        Unit::Stdin => LogReader::with_options([Source::Stdin], options),
        // Opened here to count its bytes for the progress line; a file that cannot be opened
        // goes to the reader, which says why as for any path.
        Unit::File(path) => match std::fs::File::open(path) {
            Ok(file) => LogReader::from_reader(
                path.display().to_string(),
                settings.progress.counted(file),
                options,
            ),
            Err(_) => LogReader::with_options([Source::Path(path.clone())], options),
        },
        Unit::Events(batch) => LogReader::from_reader(
            batch.group.uri(),
            settings
                .progress
                .counted(std::io::Cursor::new(batch.ndjson())),
            options,
        ),
        Unit::Object(object) => {
            let s3 = &settings.aws.get()?.s3;
            match s3.open(&object.bucket, &object.key) {
                Ok(body) => {
                    LogReader::from_reader(object.uri(), settings.progress.counted(body), options)
                }
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
                        stopped_at: None,
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
    // A source a stopped run got part of the way through goes on after what it delivered.
    let skip = unit
        .identity()
        .and_then(|(source, version)| {
            let (done_version, records) = settings.resume.get(&source)?;
            (*done_version == version).then_some(*records)
        })
        .unwrap_or(0);
    let mut seen = 0u64;
    let mut stopped_at = None;
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
                if seen < skip {
                    seen += 1;
                    tally.resumed += 1;
                    continue;
                }
                if settings.interrupt.asked() {
                    stopped_at = Some(seen);
                    break;
                }
                seen += 1;
                tally.records += 1;
                settings.progress.record();
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
                if let Some(observe) = settings.observe {
                    observe(record, &invocation);
                }
                if invocation.routing == Some(bedrock_llm_core::Routing::AmbiguousBody) {
                    tally.ambiguous += 1;
                }
                if settings.keep_metrics {
                    metrics.add(&invocation);
                    if tally.records.is_multiple_of(METRICS_EVERY)
                        && let Some(closed) =
                            metrics.split_closed(crate::runtime_out::lateness(metrics.period_ms()))
                    {
                        emit(Out::Metrics(closed))?;
                    }
                }
                // Nothing to prepare for (`report` only observes): no ids to derive.
                if settings.preparers.is_empty() {
                    continue;
                }
                let context = if settings.metadata {
                    call_context(record, read.location.line)
                } else {
                    CallContext::replayed(id_seed(record, read.location.line))
                };
                for (index, prepared) in
                    prepare_record(&settings.preparers, record, &invocation, &context)
                {
                    emit(Out::Prepared(index, prepared))?;
                }
            }
        }
    }
    Ok(Report {
        tally,
        metrics,
        stopped_at,
    })
}

/// A destination's failure as the command's.
pub(crate) fn stop(error: DeliveryError) -> Stop {
    match error {
        DeliveryError::Closed => Stop::Closed,
        other => Stop::Failed(other.to_string()),
    }
}
