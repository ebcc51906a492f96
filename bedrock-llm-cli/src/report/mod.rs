//! `bedrock-llm report PATH…`: what the calls in invocation logs cost and who spent it — by
//! model, IAM principal, `requestMetadata` tag and day — with calls, errors, throttles, tokens,
//! what caching saved and latency percentiles. A table on the terminal, JSON for machines, and
//! one self-contained HTML page with charts. Every figure is an estimate from list prices.

mod html;
mod spend;
mod terminal;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use bedrock_llm_events::RuntimeMetrics;
use bedrock_llm_logs::DEFAULT_MAX_BODY_BYTES;
use bedrock_llm_logs::s3::HourRange;
use bedrock_llm_logs::{DEFAULT_MAX_RECORD_BYTES, ReadOptions};

use crate::output::{Stdout, Stop, stdout_error};
use crate::progress::Progress;
use crate::work::{Observe, Settings, Tally};

pub(crate) use spend::Spend;

/// What the report is written as on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// A table that fits the terminal.
    Table,
    /// One JSON object.
    Json,
}

/// Options of `report`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// Files or directories of records (`-` for stdin), `s3://BUCKET/PREFIX`, or
    /// `cloudwatch:LOG_GROUP`, as `replay` reads them.
    #[arg(required = true)]
    paths: Vec<String>,
    #[command(flatten)]
    prices: crate::prices::PriceArgs,
    /// What stdout gets.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also write the report as one self-contained HTML page (charts and tables; it loads
    /// nothing from the network).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Rows per table on the terminal and the page (the JSON has every row).
    #[arg(long, default_value_t = 15)]
    top: usize,
    /// Only S3 objects and log events from this hour on (`YYYY-MM-DD` or `YYYY-MM-DDTHH`, UTC).
    #[arg(long)]
    since: Option<String>,
    /// Only S3 objects and log events up to the end of this hour.
    #[arg(long)]
    until: Option<String>,
    /// With `cloudwatch:` sources: only streams whose names start with this.
    #[arg(long, value_name = "PREFIX")]
    log_stream_prefix: Option<String>,
    /// Do not fetch bodies Bedrock offloaded to S3 (their token counts are in the record).
    #[arg(long)]
    no_fetch_bodies: bool,
    /// The largest record read, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_RECORD_BYTES as u64, value_parser = clap::value_parser!(u64).range(1..=(1 << 32)))]
    max_record_bytes: u64,
    /// Stop at the first line that is not a record, or path that cannot be read.
    #[arg(long)]
    strict: bool,
}

pub(crate) fn run(args: &ReportArgs) -> Result<(), Stop> {
    if args.prices.no_cost() {
        return Err("--no-cost leaves a spend report nothing to report".into());
    }
    let table = args.prices.table()?;
    let range = HourRange::parse(args.since.as_deref(), args.until.as_deref())?;
    let aws = crate::aws::Aws::new();
    let progress = Progress::new();
    let note = |text: &str| progress.note(text);
    let wanted = crate::sources::Wanted {
        range: &range,
        stream_prefix: args.log_stream_prefix.as_deref(),
        follow: false,
        strict: args.strict,
        aws: &aws,
        note: &note,
    };
    let gathered = crate::sources::gather(&args.paths, &wanted)?;
    let spend = Mutex::new(Spend::default());
    let observe = |record: &bedrock_llm_logs::ModelInvocationLog,
                   invocation: &bedrock_llm_core::Invocation| {
        if let Ok(mut spend) = spend.lock() {
            spend.add(record, invocation, &table);
        }
    };
    let interrupt = crate::signals::Interrupt::listen();
    let metrics = RuntimeMetrics::new(Duration::from_secs(60)).map_err(|e| e.to_string())?;
    let resume = BTreeMap::new();
    let settings = Settings {
        registry: bedrock_llm_models::registry(),
        options: ReadOptions::default()
            .max_record_bytes(usize::try_from(args.max_record_bytes).unwrap_or(usize::MAX)),
        preparers: Vec::new(),
        aws: &aws,
        fetch_bodies: !args.no_fetch_bodies,
        max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        strict: args.strict,
        metadata: false,
        interrupt: &interrupt,
        resume: &resume,
        progress: &progress,
        keep_metrics: false,
        metrics: &metrics,
        observe: Some(&observe as &Observe<'_>),
    };
    let mut tally = Tally {
        unreadable: gathered.unreadable,
        ..Tally::default()
    };
    for unit in &gathered.units {
        let report = crate::work::process(unit, &settings, &mut |_| Ok(()), &mut |text| {
            progress.note(&text);
        })?;
        tally.add(report.tally);
        if interrupt.asked() {
            break;
        }
    }
    progress.finish();
    let spend = spend
        .into_inner()
        .map_err(|_| "the report's figures were lost")?;
    let json = spend.to_json(&table);
    if let Some(path) = &args.html {
        let page = html::page(&spend, &json, args.top);
        std::fs::write(path, page).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let mut stdout = Stdout::new();
    match args.format {
        Format::Json => {
            use std::io::Write as _;
            let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
            writeln!(stdout.writer(), "{text}").map_err(stdout_error)?;
        }
        Format::Table => {
            terminal::write(stdout.writer(), &spend, &json, args.top).map_err(stdout_error)?
        }
    }
    stdout.finish()?;
    crate::output::note(&format!(
        "report: {} records read, {} lines skipped{}; figures are estimates from the price \
         table of {}",
        tally.records,
        tally.skipped,
        match tally.unreadable.len() {
            0 => String::new(),
            n => format!(", {n} sources unreadable"),
        },
        table.about.label(),
    ));
    if !tally.unreadable.is_empty() || interrupt.asked() {
        return Err(Stop::Failed(if interrupt.asked() {
            "stopped by a signal: the report covers what was read".to_owned()
        } else {
            format!("could not read: {}", tally.unreadable.join(", "))
        }));
    }
    Ok(())
}
