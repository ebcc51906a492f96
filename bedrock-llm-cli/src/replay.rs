//! `bedrock-llm replay PATH…`: invocation-log records (files, directories, `-` for stdin;
//! NDJSON, gzipped S3 objects, CloudWatch exports) replayed into LLM events, written as NDJSON
//! on stdout; a summary, and every skipped line with its reason, on stderr.

use std::io::{self, IsTerminal};
use std::time::Duration;

use bedrock_llm_core::Invocation;
use bedrock_llm_events::RuntimeMetrics;
use bedrock_llm_events::render::{newrelic, otel};
use bedrock_llm_events::runtime::DEFAULT_NAMESPACE;
use bedrock_llm_events::{CallContext, Config, emit_events};
use bedrock_llm_logs::reader::{DEFAULT_MAX_RECORD_BYTES, ReadOptions};
use bedrock_llm_logs::writer::Caller;
use bedrock_llm_logs::{LogReader, ModelInvocationLog, ReadItem, Source, replay, to_record};

use crate::newrelic::{NewRelicArgs, NewRelicSink};
use crate::otlp::{Origin, OtlpSink};
use crate::output::{Stdout, Stop, note};

/// What each record is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// New Relic Event API objects (flat, with `eventType`), one per line.
    Newrelic,
    /// One object per record with its OpenTelemetry GenAI attributes.
    Otel,
    /// The records again, as `ModelInvocationLog` written by this project.
    InvocationLog,
}

/// Which runtime-metric documents to append.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MetricsFormat {
    /// CloudWatch Embedded Metric Format.
    Emf,
    /// Elastic `aws_bedrock.runtime` documents.
    Elastic,
}

/// Where the output goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Destination {
    /// NDJSON on standard output.
    #[default]
    Stdout,
    /// New Relic's Event API (events) and Metric API (runtime metrics), with the key and
    /// account from NEW_RELIC_LICENSE_KEY and NEW_RELIC_ACCOUNT_ID.
    Newrelic,
    /// OpenTelemetry over OTLP/HTTP: a client span per record, the GenAI client metrics and
    /// (unless --no-content) the content events; configured by OTEL_EXPORTER_OTLP_* and
    /// OTEL_SERVICE_NAME.
    Otlp,
}

/// Options of `replay`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReplayArgs {
    /// Where to send what is replayed.
    #[arg(long, value_enum, default_value_t = Destination::Stdout)]
    to: Destination,
    #[command(flatten)]
    newrelic: NewRelicArgs,
    /// Files or directories of records (`-` for stdin). Directories are walked, following
    /// symlinks, each file read once; a path that cannot be read is reported and makes the
    /// exit status non-zero after the other paths are read.
    #[arg(required = true)]
    paths: Vec<String>,
    /// What to write for each record.
    #[arg(long, value_enum, default_value_t = Format::Newrelic)]
    format: Format,
    /// Also write runtime metrics per model and period, after the records.
    #[arg(long, value_enum)]
    metrics: Option<MetricsFormat>,
    /// The metrics period, in seconds: 1, 5, 10, 20, 30, or a multiple of 60 up to 86400.
    #[arg(long, default_value_t = 60)]
    period: u64,
    /// The CloudWatch namespace of `--metrics emf` documents. The metric names are Bedrock's,
    /// but `AWS/Bedrock` is reserved for AWS itself, so ours go to their own namespace.
    #[arg(long, default_value = DEFAULT_NAMESPACE)]
    namespace: String,
    /// Leave prompts, completions, embedding inputs, tool arguments and system text out of
    /// every output format (request and response bodies too), and input values out of messages.
    #[arg(long)]
    no_content: bool,
    /// The largest record read, in bytes; a larger one is skipped and reported. Bedrock
    /// offloads large bodies to S3, so real records stay far below the default.
    #[arg(long, default_value_t = DEFAULT_MAX_RECORD_BYTES as u64, value_parser = clap::value_parser!(u64).range(1..=(1 << 32)))]
    max_record_bytes: u64,
    /// Stop at the first line that is not a record, or path that cannot be read.
    #[arg(long)]
    strict: bool,
}

/// What the run counted, for the closing summary.
#[derive(Debug, Default)]
struct Tally {
    records: u64,
    written: u64,
    skipped: u64,
    dropped_fields: u64,
    unreadable: Vec<String>,
}

pub(crate) fn run(args: &ReplayArgs) -> Result<(), Stop> {
    let mut metrics = RuntimeMetrics::new(Duration::from_secs(args.period))
        .and_then(|m| m.with_namespace(&args.namespace))
        .map_err(|e| e.to_string())?;
    let options = ReadOptions::default()
        .max_record_bytes(usize::try_from(args.max_record_bytes).unwrap_or(usize::MAX))
        .quote_values(!args.no_content);
    let reader = LogReader::with_options(args.paths.iter().map(|p| Source::parse(p)), options);
    // Replay's whole purpose is the record: content goes out unless --no-content says not.
    let config = Config::default()
        .enabled()
        .with_content(!args.no_content)
        .with_otel_content(!args.no_content);
    let registry = bedrock_llm_models::registry();
    let mut out = Stdout::new();
    if args.to != Destination::Stdout && (args.format != Format::Newrelic || args.metrics.is_some())
    {
        return Err(
            "--to sends events and metrics itself; --format and --metrics are for stdout".into(),
        );
    }
    let mut sink = match args.to {
        Destination::Newrelic => Some(NewRelicSink::from_env(&args.newrelic)?),
        _ => None,
    };
    let mut otlp = match args.to {
        Destination::Otlp => Some(OtlpSink::new(args.newrelic.endpoint.clone())?),
        _ => None,
    };
    let progress = io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("replaying");
        bar
    });
    let report = |line: String| match &progress {
        Some(bar) => bar.println(line),
        None => note(&line),
    };
    let mut tally = Tally::default();
    for item in reader {
        match item {
            ReadItem::Skipped(skip) => {
                // Lines only: a loop link or a socket in a directory holds no records to lose.
                if args.strict && skip.lines > 0 {
                    return Err(format!("{skip} (--strict)").into());
                }
                tally.skipped = tally.skipped.saturating_add(skip.lines);
                report(format!("skipped {skip}"));
            }
            ReadItem::Unreadable { path, reason } => {
                if args.strict {
                    return Err(format!("cannot read {path}: {reason} (--strict)").into());
                }
                report(format!("cannot read {path}: {reason}"));
                tally.unreadable.push(path);
            }
            ReadItem::Record(read) => {
                tally.records += 1;
                for field in &read.dropped {
                    report(format!("dropped {}: {field}", read.location));
                }
                tally.dropped_fields += read.dropped.len() as u64;
                let record = &read.record;
                let invocation = replay(record, registry);
                metrics.add(&invocation);
                tally.written += match (&mut sink, &mut otlp) {
                    (Some(sink), _) => send_record(sink, &config, &invocation),
                    (None, Some(otlp)) => {
                        let origin = Origin {
                            account_id: record.account_id.clone(),
                            region: record.region.clone(),
                        };
                        otlp.send(&origin, &config, &invocation)?;
                        1
                    }
                    (None, None) => write_record(&mut out, args, &config, record, &invocation)?,
                };
                if let Some(bar) = &progress {
                    bar.set_message(format!("{} records", tally.records));
                    bar.tick();
                }
            }
        }
    }
    if let Some(otlp) = otlp {
        if let Some(bar) = &progress {
            bar.finish_and_clear();
        }
        let delivered = otlp.finish();
        note(&format!(
            "replay: {} records read, {} lines skipped, {} fields dropped",
            tally.records, tally.skipped, tally.dropped_fields
        ));
        let summary = delivered?;
        note(&summary);
        if !tally.unreadable.is_empty() {
            return Err(format!("could not read: {}", tally.unreadable.join(", ")).into());
        }
        return Ok(());
    }
    if let Some(mut sink) = sink {
        let delivered = sink.metrics_of(&metrics);
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        let report = sink.finish(delivered);
        note(&format!(
            "replay: {} records read, {} lines skipped, {} fields dropped",
            tally.records, tally.skipped, tally.dropped_fields
        ));
        note(&NewRelicSink::summary(&report));
        if !tally.unreadable.is_empty() {
            return Err(format!("could not read: {}", tally.unreadable.join(", ")).into());
        }
        return if NewRelicSink::delivered(&report) {
            Ok(())
        } else {
            Err("not everything could be delivered to New Relic".into())
        };
    }
    if let Some(kind) = args.metrics {
        let documents = match kind {
            MetricsFormat::Emf => metrics.emf(),
            MetricsFormat::Elastic => metrics.elastic(),
        };
        for document in documents {
            out.line(&document.to_string())?;
            tally.written += 1;
        }
    }
    // Only a successful flush means the lines were written.
    out.finish()?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    note(&format!(
        "replay: {} records read, {} lines written, {} lines skipped, {} fields dropped{}",
        tally.records,
        tally.written,
        tally.skipped,
        tally.dropped_fields,
        match tally.unreadable.len() {
            0 => String::new(),
            n => format!(", {n} paths unreadable"),
        }
    ));
    if tally.unreadable.is_empty() {
        Ok(())
    } else {
        Err(format!("could not read: {}", tally.unreadable.join(", ")).into())
    }
}

/// Sends the New Relic events (and error report) of one record; returns how many.
fn send_record(sink: &mut NewRelicSink, config: &Config, invocation: &Invocation) -> u64 {
    let identity = sink.identity().clone();
    let emitted = emit_events(invocation, config, &CallContext::detached(), &mut |event| {
        sink.push(bedrock_llm_export::payload::event_json(&event, &identity));
    });
    if let Some(error) = &emitted.error {
        let report = bedrock_llm_export::payload::error_json(
            error,
            invocation.timing.started_at_ms,
            &identity,
        );
        sink.push(report);
    }
    emitted.events as u64 + u64::from(emitted.error.is_some())
}

/// Writes the output lines of one record, each as soon as it is rendered; returns how many.
fn write_record(
    out: &mut Stdout,
    args: &ReplayArgs,
    config: &Config,
    record: &ModelInvocationLog,
    invocation: &Invocation,
) -> Result<u64, Stop> {
    let lines = match args.format {
        Format::Newrelic => {
            // Each event is written as it is built: a record with a million messages never
            // holds a million events.
            let mut line = String::new();
            let mut failed = None;
            let emitted = emit_events(invocation, config, &CallContext::detached(), &mut |event| {
                if failed.is_none() {
                    line.clear();
                    newrelic::write_event(&mut line, &event);
                    failed = out.line(&line).err();
                }
            });
            if let Some(stop) = failed {
                return Err(stop);
            }
            if let Some(error) = &emitted.error {
                out.line(&newrelic::error_json(
                    error,
                    invocation.timing.started_at_ms,
                ))?;
            }
            return Ok(emitted.events as u64 + u64::from(emitted.error.is_some()));
        }
        Format::Otel => {
            let identity = record.identity.as_ref().and_then(|i| i.arn.as_deref());
            let resource = [
                ("user.id", identity),
                ("cloud.account.id", record.account_id.as_deref()),
                ("cloud.region", record.region.as_deref()),
            ];
            vec![otel::span_json(invocation, config, &resource).to_string()]
        }
        Format::InvocationLog => {
            // With content off the bodies stay out: they are the prompts and completions.
            let body = |raw: Option<&serde_json::value::RawValue>| {
                raw.filter(|_| !args.no_content)
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
            let written = to_record(invocation, request.as_deref(), response.as_deref(), &caller);
            vec![serde_json::to_string(&written).unwrap_or_default()]
        }
    };
    for line in &lines {
        out.line(line)?;
    }
    Ok(lines.len() as u64)
}
