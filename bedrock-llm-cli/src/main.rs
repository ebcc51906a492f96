//! `bedrock-llm`: the command-line face of bedrock-llm.
//!
//! `bedrock-llm replay PATH…` turns Bedrock model invocation logs into the same events;
//! `bedrock-llm report PATH…` says what those calls cost and who spent it, by the price table
//! `bedrock-llm prices` imports or shows.
//!
//! `bedrock-llm demo` starts a loopback Bedrock emulator, calls every prebuilt model family
//! through the async client, the blocking client and the SDK interceptor, makes calls that
//! fail in each way Bedrock fails, and prints the LLM events and metrics recorded — a table on
//! a terminal, NDJSON with `--json`. `--live` calls real Bedrock instead, with credentials
//! from the environment.

mod aws;
mod demo;
mod destinations;
mod elastic;
mod fixtures;
mod follow;
mod help;
mod metrics;
mod metrics_args;
mod metrics_follow;
mod output;
mod parallel;
mod prices;
mod progress;
mod replay;
mod report;
mod runtime_out;
mod signals;
mod sources;
mod sqs;
mod state;
mod table;
mod work;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Observability for AWS Bedrock Runtime calls.
#[derive(Debug, Parser)]
#[command(name = "bedrock-llm", version, about, after_help = help::TOP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// More diagnostics on stderr: -v for each delivery step, -vv for debugging. RUST_LOG
    /// (`warn`, `bedrock_llm_export=debug`, …) overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Only errors on stderr (the closing summary still prints).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
}

/// Diagnostics (export failures, retries, skipped work) to stderr, at the level -v/-q or
/// `RUST_LOG` ask for; warnings by default, so a refused key or a dead endpoint is seen.
fn diagnostics(verbose: u8, quiet: bool) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let level = match (quiet, verbose) {
        (true, _) => LevelFilter::ERROR,
        (false, 0) => LevelFilter::WARN,
        (false, 1) => LevelFilter::INFO,
        (false, 2) => LevelFilter::DEBUG,
        (false, _) => LevelFilter::TRACE,
    };
    let filter = match std::env::var("RUST_LOG") {
        Ok(text) if !text.trim().is_empty() => text.parse::<Targets>().unwrap_or_else(|error| {
            output::note(&format!(
                "bedrock-llm: RUST_LOG={text:?} is not understood ({error}); using the default"
            ));
            Targets::new().with_default(level)
        }),
        _ => Targets::new().with_default(level),
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .without_time()
        .with_target(false);
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(filter)
        .try_init();
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Call every prebuilt family (emulated unless --live) and print the events and metrics.
    #[command(after_help = help::demo())]
    Demo(demo::DemoArgs),
    /// Replay Bedrock model invocation logs into LLM events (NDJSON on stdout).
    #[command(after_help = help::replay())]
    Replay(Box<replay::ReplayArgs>),
    /// Write a crate's sample files out as fixture files; --check for drift, --record from
    /// live Bedrock.
    #[command(after_help = help::fixtures())]
    Fixtures(fixtures::FixturesArgs),
    /// Elasticsearch: install index templates for the data streams replay delivers to.
    #[command(after_help = help::elastic(), subcommand)]
    Elastic(elastic::ElasticCommand),
    /// Bedrock's own runtime and guardrail metrics from CloudWatch: pull them, or reconcile them
    /// with invocation logs.
    #[command(subcommand, after_help = help::metrics())]
    Metrics(metrics::MetricsCommand),
    /// What the calls in invocation logs cost, and who spent it: by model, principal, tag and
    /// day — a table, JSON, or an HTML page with charts.
    #[command(after_help = help::report())]
    Report(Box<report::ReportArgs>),
    /// Price tables: import AWS Price List offer files, or print the table in effect.
    #[command(subcommand, after_help = help::prices())]
    Prices(prices::PricesCommand),
    /// Print a completion script for a shell (bash, zsh, fish, elvish, powershell).
    #[command(after_help = help::completions())]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` go to stdout, usage errors to stderr; either may be closed.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    diagnostics(cli.verbose, cli.quiet);
    // The registry skips a malformed alias list; say so before anything is read with it.
    if let Err(error) = bedrock_llm_core::Registry::new().aliases_from_env() {
        output::note(&format!(
            "bedrock-llm: {}: {error}",
            bedrock_llm_core::MODEL_ALIASES_ENV
        ));
        return ExitCode::FAILURE;
    }
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Replay(args) => replay::run(&args),
        Command::Fixtures(args) => fixtures::run(&args),
        Command::Elastic(command) => elastic::run(&command),
        Command::Metrics(command) => metrics::run(&command),
        Command::Report(args) => report::run(&args),
        Command::Prices(command) => prices::run(&command),
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "bedrock-llm", &mut script);
            use std::io::Write as _;
            std::io::stdout()
                .write_all(&script)
                .map_err(output::stdout_error)
        }
    };
    match result {
        Ok(()) | Err(output::Stop::Closed) => ExitCode::SUCCESS,
        Err(output::Stop::Failed(message)) => {
            output::note(&format!("bedrock-llm: {message}"));
            ExitCode::FAILURE
        }
    }
}
