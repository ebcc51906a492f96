//! The arguments of `bedrock-llm metrics`: its subcommands, their windows, formats and
//! destinations.

use crate::destinations::DestinationArgs;

/// What `metrics` does.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum MetricsCommand {
    /// Read Bedrock's runtime (`AWS/Bedrock`) and guardrail (`AWS/Bedrock/Guardrails`) metrics
    /// from CloudWatch: every series `ListMetrics` names, `InvocationLatency` as the Average and
    /// the rest as the Sum, one point per series and period. The account-wide series (no
    /// `ModelId`) stays a series of its own.
    #[command(after_help = crate::help::metrics_pull())]
    Pull(PullArgs),
    /// Compare, per model and period, what CloudWatch counted with what invocation logs hold
    /// (invocations, input and output tokens, client and server errors, throttles), and print
    /// where they differ.
    #[command(after_help = crate::help::metrics_reconcile())]
    Reconcile(ReconcileArgs),
}

/// The window and period both commands read.
#[derive(Debug, clap::Args)]
pub(crate) struct Window {
    /// From this time: `YYYY-MM-DD`, `YYYY-MM-DDTHH` (UTC) or a full ISO 8601 time (default:
    /// three hours ago).
    #[arg(long)]
    pub(crate) since: Option<String>,
    /// To this time, as --since (default: now; with --follow, never).
    #[arg(long)]
    pub(crate) until: Option<String>,
    /// The period, in seconds (a multiple of 60).
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(i32).range(60..=86_400))]
    pub(crate) period: i32,
}

/// Options of `metrics pull`.
#[derive(Debug, clap::Args)]
pub(crate) struct PullArgs {
    #[command(flatten)]
    pub(crate) window: Window,
    /// Keep pulling each period once it is complete (`--lag` after its end); with --state,
    /// resumable, each period once. SIGINT/SIGTERM ends it between batches, with status 0.
    #[arg(long)]
    pub(crate) follow: bool,
    /// With --follow: seconds between looks.
    #[arg(long, value_name = "SECS", default_value_t = 60, requires = "follow")]
    pub(crate) poll: u64,
    /// With --follow: how long after a period's end it is read (CloudWatch settles late data).
    #[arg(long, value_name = "SECS", default_value_t = 300, requires = "follow")]
    pub(crate) lag: u64,
    /// With --follow: stop once no new point came for this many seconds.
    #[arg(long, value_name = "SECS", requires = "follow")]
    pub(crate) idle_exit: Option<u64>,
    /// With --follow: keep the first period not yet pulled in this file (written atomically,
    /// once the destinations have the periods before it).
    #[arg(long, value_name = "FILE", requires = "follow")]
    pub(crate) state: Option<std::path::PathBuf>,
    /// How stdout shows the points.
    #[arg(long, value_enum, default_value_t = PullFormat::Json)]
    pub(crate) format: PullFormat,
    /// The EMF namespace (`--format emf`): `AWS/…` is AWS's own.
    #[arg(long, default_value = bedrock_llm_events::DEFAULT_NAMESPACE)]
    pub(crate) namespace: String,
    #[command(flatten)]
    pub(crate) destinations: DestinationArgs,
}

/// What `metrics pull` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PullFormat {
    /// One JSON object per series and period.
    Json,
    /// Elastic `aws_bedrock.runtime` / `aws_bedrock.guardrails` documents.
    Elastic,
    /// CloudWatch Embedded Metric Format.
    Emf,
}

/// Options of `metrics reconcile`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReconcileArgs {
    /// Files or directories of invocation-log records (`-` for stdin).
    #[arg(required = true)]
    pub(crate) paths: Vec<String>,
    #[command(flatten)]
    pub(crate) window: Window,
    /// A table, or one JSON object per difference.
    #[arg(long, value_enum, default_value_t = ReconcileFormat::Table)]
    pub(crate) format: ReconcileFormat,
}

/// What `metrics reconcile` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReconcileFormat {
    /// Aligned columns.
    Table,
    /// `{"model_id", "timestamp", "metric", "cloudwatch", "logs", "difference"}` per line.
    Json,
}
