//! `bedrock-llm replay PATH…`: invocation-log records (files, directories, `-` for stdin;
//! NDJSON, gzipped S3 objects, CloudWatch exports) replayed into LLM events, written as NDJSON
//! on stdout; a summary, and every skipped line with its reason, on stderr.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::Duration;

use bedrock_llm_events::render::{newrelic, otel};
use bedrock_llm_events::{CallContext, Config, build_events};
use bedrock_llm_logs::writer::Caller;
use bedrock_llm_logs::{LogReader, ReadItem, RuntimeMetrics, Source, replay, to_record};
use serde_json::json;

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

/// Options of `replay`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReplayArgs {
    /// Files or directories of records (`-` for stdin).
    #[arg(required = true)]
    paths: Vec<String>,
    /// What to write for each record.
    #[arg(long, value_enum, default_value_t = Format::Newrelic)]
    format: Format,
    /// Also write runtime metrics per model and period, after the records.
    #[arg(long, value_enum)]
    metrics: Option<MetricsFormat>,
    /// The metrics period, in seconds.
    #[arg(long, default_value_t = 60)]
    period: u64,
    /// Leave prompt, completion and embedding input text out.
    #[arg(long)]
    no_content: bool,
    /// Stop at the first line that is not a record.
    #[arg(long)]
    strict: bool,
}

pub(crate) fn run(args: &ReplayArgs) -> Result<(), String> {
    let sources = args.paths.iter().map(|p| Source::parse(p));
    let reader = LogReader::new(sources).map_err(|e| format!("cannot read the input: {e}"))?;
    let config = Config {
        record_content: !args.no_content,
        otel_content: true,
        ..Config::default().enabled()
    };
    let registry = bedrock_llm_models::registry();
    let mut metrics = RuntimeMetrics::new(Duration::from_secs(args.period.max(1)));
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let progress = io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("replaying");
        bar
    });
    let (mut records, mut written, mut skipped) = (0u64, 0u64, 0u64);
    for item in reader {
        match item {
            ReadItem::Skipped(location, reason) => {
                if args.strict {
                    return Err(format!("{location}: {reason} (--strict)"));
                }
                skipped += 1;
                let line = format!("skipped {location}: {reason}");
                match &progress {
                    Some(bar) => bar.println(line),
                    None => eprintln!("{line}"),
                }
            }
            ReadItem::Record(_, record, _) => {
                records += 1;
                let invocation = replay(&record, registry);
                metrics.add(&invocation);
                let lines = match args.format {
                    Format::Newrelic => {
                        let built = build_events(&invocation, &config, &CallContext::detached());
                        let mut lines: Vec<String> =
                            built.events.iter().map(newrelic::event_json).collect();
                        if let Some(error) = &built.error {
                            lines
                                .push(newrelic::error_json(error, invocation.timing.started_at_ms));
                        }
                        lines
                    }
                    Format::Otel => {
                        let mut attributes = serde_json::Map::new();
                        for (key, value) in otel::attributes(&invocation, &config) {
                            attributes.insert(key.to_owned(), json!(value.to_text()));
                        }
                        // Record fields with no New Relic slot (`invocation-logs.md` §6).
                        for (key, value) in [
                            (
                                "user.id",
                                record.identity.as_ref().and_then(|i| i.arn.clone()),
                            ),
                            ("cloud.account.id", record.account_id.clone()),
                            ("cloud.region", record.region.clone()),
                        ] {
                            if let Some(value) = value {
                                attributes.insert(key.to_owned(), json!(value));
                            }
                        }
                        vec![
                            json!({"name": otel::span_name(&invocation), "attributes": attributes})
                                .to_string(),
                        ]
                    }
                    Format::InvocationLog => {
                        let body = |raw: Option<&serde_json::value::RawValue>| {
                            raw.map(|r| r.get().as_bytes().to_vec())
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
                        vec![serde_json::to_string(&written).unwrap_or_default()]
                    }
                };
                for line in lines {
                    if writeln!(out, "{line}").is_err() {
                        // The reader of stdout went away (`| head`): stop quietly.
                        return Ok(());
                    }
                    written += 1;
                }
                if let Some(bar) = &progress {
                    bar.set_message(format!("{records} records"));
                    bar.tick();
                }
            }
        }
    }
    if let Some(kind) = args.metrics {
        let documents = match kind {
            MetricsFormat::Emf => metrics.emf(),
            MetricsFormat::Elastic => metrics.elastic(),
        };
        for document in documents {
            if writeln!(out, "{document}").is_err() {
                return Ok(());
            }
            written += 1;
        }
    }
    let _ = out.flush();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    eprintln!("replay: {records} records read, {written} lines written, {skipped} lines skipped");
    Ok(())
}
