//! `bedrock-llm`: the command-line face of bedrock-llm.
//!
//! `bedrock-llm replay PATH…` turns Bedrock model invocation logs into the same events.
//!
//! `bedrock-llm demo` starts a loopback Bedrock emulator, calls every prebuilt model family
//! through the async client, the blocking client and the SDK interceptor, makes calls that
//! fail in each way Bedrock fails, and prints the LLM events and metrics recorded — a table on
//! a terminal, NDJSON with `--json`. `--live` calls real Bedrock instead, with credentials
//! from the environment.

mod aws;
mod demo;
mod destinations;
mod fixtures;
mod output;
mod parallel;
mod replay;
mod sqs;
mod state;
mod table;
mod work;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Observability for AWS Bedrock Runtime calls.
#[derive(Debug, Parser)]
#[command(name = "bedrock-llm", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Call every prebuilt family (emulated unless --live) and print the events and metrics.
    Demo(demo::DemoArgs),
    /// Replay Bedrock model invocation logs into LLM events (NDJSON on stdout).
    Replay(Box<replay::ReplayArgs>),
    /// Write a crate's sample files out as fixture files; --check for drift, --record from
    /// live Bedrock.
    Fixtures(fixtures::FixturesArgs),
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
    };
    match result {
        Ok(()) | Err(output::Stop::Closed) => ExitCode::SUCCESS,
        Err(output::Stop::Failed(message)) => {
            output::note(&format!("bedrock-llm: {message}"));
            ExitCode::FAILURE
        }
    }
}
