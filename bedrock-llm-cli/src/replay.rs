//! `bedrock-llm replay SOURCE…`: invocation-log records replayed into LLM events. Sources are
//! files, directories, `-` for stdin, `s3://BUCKET/PREFIX` (listed and streamed), or with
//! `--sqs QUEUE_URL` the objects S3 notifications name. Output goes to stdout as NDJSON, to New
//! Relic or over OTLP; a summary, and every skipped line with its reason, on stderr.
//!
//! Files and objects are read `-j N` at a time, each into its own buffer, and written whole in
//! source order, so the output is the same for any `N`. Event ids are derived from the
//! records, so the same logs replayed twice give identical events.

use std::path::PathBuf;
use std::time::Duration;

use bedrock_llm_events::DEFAULT_NAMESPACE;
use bedrock_llm_events::{Config, RuntimeMetrics};
use bedrock_llm_logs::DEFAULT_MAX_BODY_BYTES;
use bedrock_llm_logs::s3::HourRange;
use bedrock_llm_logs::{DEFAULT_MAX_RECORD_BYTES, ReadOptions};

use bedrock_llm_export::destination::Fanout;
use bedrock_llm_export::destination::{LineFormat, RuntimeFormat, Settings};

use crate::destinations::DestinationArgs;
use crate::output::Stop;
use crate::parallel::Output;
use crate::progress::Progress;
use crate::runtime_out::{MetricsFormat, RuntimeOut};
use crate::state::State;
use crate::work::{Settings as WorkSettings, Tally, Unit};

/// How long delivery may go on after the last record is read.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// What each record is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// New Relic Event API objects (flat, with `eventType`), one per line.
    Newrelic,
    /// One object per record with its OpenTelemetry GenAI attributes.
    Otel,
    /// The records again, as `ModelInvocationLog` written by this project.
    InvocationLog,
    /// Elastic `aws_bedrock.invocation` documents, as Elastic's Amazon Bedrock integration
    /// makes them (differences: docs/elastic.md).
    Elastic,
}

/// Options of `replay`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReplayArgs {
    #[command(flatten)]
    destinations: DestinationArgs,
    #[command(flatten)]
    prices: crate::prices::PriceArgs,
    /// Files or directories of records (`-` for stdin), `s3://BUCKET/PREFIX` (every object
    /// under the prefix, in key order), or `cloudwatch:LOG_GROUP` (a log group's name or ARN:
    /// its events in time order). Directories are walked, following symlinks, each file
    /// read once; a path that cannot be read is reported and makes the exit status non-zero
    /// after the other paths are read.
    #[arg(required_unless_present = "sqs")]
    paths: Vec<String>,
    /// Consume S3 object-created notifications (plain, or wrapped by SNS or EventBridge) from
    /// this SQS queue: each notified object is replayed and its message deleted once the
    /// output is written or delivered.
    #[arg(long, value_name = "QUEUE_URL", conflicts_with = "paths")]
    sqs: Option<String>,
    /// With --sqs or --follow: stop once nothing new came for this many seconds (else run
    /// until interrupted).
    #[arg(long, value_name = "SECS")]
    idle_exit: Option<u64>,
    /// With `cloudwatch:` sources: only streams whose names start with this.
    #[arg(long, value_name = "PREFIX")]
    log_stream_prefix: Option<String>,
    /// Keep polling the `cloudwatch:` sources for new events (with --state: resumable, each
    /// event once); SIGINT/SIGTERM ends it after the current batch, with status 0.
    #[arg(long)]
    follow: bool,
    /// With --follow: seconds between polls.
    #[arg(long, value_name = "SECS", default_value_t = 30, requires = "follow")]
    poll: u64,
    /// With --follow: how far back each poll looks again for events CloudWatch ingested late.
    #[arg(long, value_name = "SECS", default_value_t = 60, requires = "follow")]
    lag: u64,
    /// With --sqs: how long a received message stays hidden from other workers; extended while
    /// a large object is still being read.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=43_200))]
    visibility_timeout: u32,
    /// With --sqs: a message received more often than this is a poison object, left for the
    /// queue's dead-letter policy instead of being tried again.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    max_receives: u32,
    /// Files or objects read in parallel (default: every core). Output stays in source order.
    #[arg(short = 'j', long)]
    jobs: Option<usize>,
    /// Record finished files and objects in this file (written atomically after each); a
    /// re-run skips those unchanged since.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Only S3 objects whose `…/YYYY/MM/DD/HH/` key part is at or after this hour, and log
    /// events from this hour on (`YYYY-MM-DD` or `YYYY-MM-DDTHH`, UTC).
    #[arg(long)]
    since: Option<String>,
    /// Only S3 objects whose `…/YYYY/MM/DD/HH/` key part is at or before this hour, and log
    /// events to the end of this hour.
    #[arg(long)]
    until: Option<String>,
    /// Do not fetch bodies Bedrock offloaded to S3 (`inputBodyS3Path`, `outputBodyS3Path`).
    #[arg(long)]
    no_fetch_bodies: bool,
    /// The largest offloaded body fetched, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: u64,
    /// What to write for each record.
    #[arg(long, value_enum, default_value_t = Format::Newrelic)]
    format: Format,
    /// Also write runtime metrics per model and period: to --metrics-out, else to stdout after
    /// the records.
    #[arg(long, value_enum)]
    metrics: Option<MetricsFormat>,
    /// Write the runtime metrics (EMF unless --metrics says otherwise) to this file, apart from
    /// the events; works with every destination.
    #[arg(long, value_name = "FILE")]
    metrics_out: Option<PathBuf>,
    /// The metrics period, in seconds: 1, 5, 10, 20, 30, or a multiple of 60 up to 86400.
    #[arg(long, default_value_t = 60)]
    period: u64,
    /// The CloudWatch namespace of EMF documents. The metric names are Bedrock's, but
    /// `AWS/Bedrock` is reserved for AWS itself, so ours go to their own namespace.
    #[arg(long, default_value = DEFAULT_NAMESPACE)]
    namespace: String,
    /// Leave prompts, completions, embedding inputs, tool arguments and system text out of
    /// every output format (request and response bodies too), and input values out of messages.
    /// `requestMetadata` is the caller's tags, not content, and stays (see --no-metadata).
    #[arg(long)]
    no_content: bool,
    /// Leave the records' `requestMetadata` out (otherwise each entry becomes an `llm.`
    /// attribute): tags can hold anything a caller put there.
    #[arg(long)]
    no_metadata: bool,
    /// The largest record read, in bytes; a larger one is skipped and reported. Bedrock
    /// offloads large bodies to S3, so real records stay far below the default.
    #[arg(long, default_value_t = DEFAULT_MAX_RECORD_BYTES as u64, value_parser = clap::value_parser!(u64).range(1..=(1 << 32)))]
    max_record_bytes: u64,
    /// Stop at the first line that is not a record, or path that cannot be read.
    #[arg(long)]
    strict: bool,
}

pub(crate) fn run(args: &ReplayArgs) -> Result<(), Stop> {
    let metrics_template = RuntimeMetrics::new(Duration::from_secs(args.period))
        .and_then(|m| m.with_namespace(&args.namespace))
        .map_err(|e| e.to_string())?;
    let destinations = &args.destinations;
    if !destinations.has_stdout() && args.format != Format::Newrelic {
        return Err("--format is for stdout; the other destinations send their own format".into());
    }
    if !destinations.has_stdout() && args.metrics.is_some() && args.metrics_out.is_none() {
        return Err("with --to other than stdout, runtime metrics go to --metrics-out FILE".into());
    }
    if args.idle_exit.is_some() && args.sqs.is_none() && !args.follow {
        return Err("--idle-exit is for --sqs and --follow".into());
    }
    let cloudwatch = args.paths.iter().any(|p| p.starts_with("cloudwatch:"));
    if args.follow && !cloudwatch {
        return Err("--follow is for cloudwatch:LOG_GROUP sources".into());
    }
    let range = HourRange::parse(args.since.as_deref(), args.until.as_deref())?;
    let options = ReadOptions::default()
        .max_record_bytes(usize::try_from(args.max_record_bytes).unwrap_or(usize::MAX))
        .quote_values(!args.no_content);
    // Replay's whole purpose is the record: content goes out unless --no-content says not.
    let config = args.prices.configure(
        Config::default()
            .enabled()
            .with_content(!args.no_content)
            .with_otel_content(!args.no_content),
    )?;
    let line_format = match args.format {
        Format::Newrelic => LineFormat::NewRelic,
        Format::Otel => LineFormat::Otel,
        Format::InvocationLog => LineFormat::InvocationLog,
        Format::Elastic => LineFormat::Elastic,
    };
    // Runtime metrics go with the lines unless --metrics-out takes them.
    let runtime_format = match (args.metrics, &args.metrics_out) {
        (Some(MetricsFormat::Emf), None) => Some(RuntimeFormat::Emf),
        (Some(MetricsFormat::Elastic), None) => Some(RuntimeFormat::Elastic),
        _ => None,
    };
    let mut fanout = destinations.open(
        &Settings::new(config.clone())
            .with_lines(line_format, runtime_format)
            .with_service("bedrock-llm", None),
    )?;

    let aws = crate::aws::Aws::new();
    if args.sqs.is_some() || cloudwatch || args.paths.iter().any(|p| p.starts_with("s3://")) {
        // Sources in AWS: connect now, so missing credentials stop the run before it reads.
        aws.get()?;
    }
    let interrupt = crate::signals::Interrupt::listen();
    // A follower's batches are never cut short: the signal ends the loop between them.
    let never = crate::signals::Interrupt::default();
    let mut state = args.state.as_deref().map(State::load).transpose()?;
    let resume = state
        .as_ref()
        .map(|state| state.partial().clone())
        .unwrap_or_default();
    let progress = Progress::new();
    let settings = WorkSettings {
        registry: bedrock_llm_models::registry(),
        options,
        preparers: fanout.preparers(),
        aws: &aws,
        fetch_bodies: !args.no_fetch_bodies,
        max_body_bytes: args.max_body_bytes,
        strict: args.strict,
        metadata: !args.no_metadata,
        interrupt: if args.follow { &never } else { &interrupt },
        resume: &resume,
        progress: &progress,
        keep_metrics: args.metrics_out.is_some() || fanout.wants_runtime_metrics(),
        metrics: &metrics_template,
        observe: None,
    };
    let mut skipped_done = 0u64;
    let mut output = Output {
        destinations: &mut fanout,
        state: state.as_mut(),
        progress: &progress,
        tally: Tally::default(),
        runtime: RuntimeOut::new(
            &metrics_template,
            args.metrics_out.clone(),
            args.metrics.unwrap_or(MetricsFormat::Emf),
        ),
    };

    if let Some(queue) = &args.sqs {
        let connected = aws.get()?;
        let consumer = crate::sqs::Consumer {
            queue_url: queue.clone(),
            client: crate::aws::sqs_client(&connected.config),
            runtime: connected.runtime.handle().clone(),
            idle_exit: args.idle_exit.map(Duration::from_secs),
            visibility_timeout: args.visibility_timeout,
            max_receives: args.max_receives,
        };
        consumer.run(&settings, &mut output)?;
    } else {
        let note = |text: &str| progress.note(text);
        let wanted = crate::sources::Wanted {
            range: &range,
            stream_prefix: args.log_stream_prefix.as_deref(),
            follow: args.follow,
            strict: args.strict,
            aws: &aws,
            note: &note,
        };
        let crate::sources::Gathered {
            mut units,
            followed,
            unreadable,
        } = crate::sources::gather(&args.paths, &wanted)?;
        output.tally.unreadable.extend(unreadable);
        if let Some(state) = &output.state {
            let before = units.len();
            units.retain(|unit| {
                unit.identity()
                    .is_none_or(|(source, version)| !state.is_done(&source, &version))
            });
            skipped_done = (before - units.len()) as u64;
        }
        // Sizes known for every unit (no stdin): bytes of the total, and an ETA.
        if let Some(total) = units.iter().map(Unit::size).sum::<Option<u64>>() {
            progress.expect_bytes(total);
        }
        let jobs = args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1);
        crate::parallel::run(units, jobs, &settings, &mut output)?;
        if !followed.is_empty() {
            let (since_ms, until_ms) = range.bounds_ms();
            let follow = crate::follow::Follow {
                poll: Duration::from_secs(args.poll.max(1)),
                lag: Duration::from_secs(args.lag),
                idle_exit: args.idle_exit.map(Duration::from_secs),
                since_ms,
                until_ms,
            };
            crate::follow::run(followed, &follow, &settings, &mut output, &interrupt)?;
        }
    }
    let Output { tally, runtime, .. } = output;
    finish(
        args,
        fanout,
        runtime,
        &tally,
        skipped_done,
        progress,
        // A follower stopped by a signal finished its batch and checkpointed: a clean end.
        interrupt.asked() && !args.follow,
    )
}

/// Delivers what is pending, writes the side outputs, prints the summary and sets the exit
/// status.
fn finish(
    args: &ReplayArgs,
    mut fanout: Fanout,
    runtime: RuntimeOut,
    tally: &Tally,
    skipped_done: u64,
    progress: Progress,
    interrupted: bool,
) -> Result<(), Stop> {
    // The periods still open; a failing side output (a full disk) costs no delivery.
    let metrics_failures = runtime.finish(&mut fanout);
    progress.finish();
    let read = format!(
        "replay: {} records read, {} lines skipped, {} fields dropped{}{}{}{}{}",
        tally.records,
        tally.skipped,
        tally.dropped_fields,
        match tally.fetch_failures {
            0 => String::new(),
            n => format!(", {n} offloaded bodies not fetched"),
        },
        match (skipped_done, tally.resumed) {
            (0, 0) => String::new(),
            (n, 0) => format!(", {n} sources already done (--state)"),
            (n, r) =>
                format!(", {n} sources already done and {r} records already delivered (--state)"),
        },
        match tally.unreadable.len() {
            0 => String::new(),
            n => format!(", {n} sources unreadable"),
        },
        match tally.retried {
            0 => String::new(),
            n => format!(", {n} notified objects left to the queue to retry"),
        },
        match tally.ambiguous {
            0 => String::new(),
            n => format!(
                ", {n} records of opaque model IDs left unread (their bodies fit several \
                 families; map the IDs with {})",
                bedrock_llm_core::MODEL_ALIASES_ENV
            ),
        },
    );
    let ended = fanout.shutdown(std::time::Instant::now() + SHUTDOWN_GRACE);
    let mut more = Vec::new();
    if interrupted {
        more.push(format!(
            "stopped by a signal: what was read is delivered{}; {} sources were left part-read",
            if args.state.is_some() {
                " and checkpointed (re-run with the same --state to go on)"
            } else {
                ""
            },
            tally.stopped
        ));
    }
    if !tally.unreadable.is_empty() {
        more.push(format!("could not read: {}", tally.unreadable.join(", ")));
    }
    more.extend(metrics_failures);
    crate::destinations::conclude(&ended, Some(&read), more)
}
