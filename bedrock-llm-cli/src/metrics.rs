//! `bedrock-llm metrics`: Bedrock's own figures from CloudWatch — `pull` reads the runtime and
//! guardrail metrics per series and period (JSON lines, Elastic documents, EMF, or delivered to
//! a destination); `reconcile` sets them beside what invocation logs hold, per model and
//! period, and names the differences (unlogged traffic, logging gaps).

use std::collections::BTreeMap;
use std::time::Duration;

use bedrock_llm_events::pulled::{self, MetricPoint};
use bedrock_llm_events::{Config, RuntimeMetrics};
use bedrock_llm_export::destination::Settings;
use bedrock_llm_logs::ReadOptions;
use bedrock_llm_logs::cloudwatch_metrics::{
    CloudWatchMetrics, GUARDRAILS_NAMESPACE, RUNTIME_NAMESPACE,
};
use bedrock_llm_logs::{LogReader, ReadItem, Source};

use crate::destinations::DestinationArgs;
use crate::output::{Stop, note};

pub(crate) use crate::metrics_args::*;

pub(crate) fn run(command: &MetricsCommand) -> Result<(), Stop> {
    match command {
        MetricsCommand::Pull(args) => pull(args),
        MetricsCommand::Reconcile(args) => reconcile(args),
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Window {
    /// `--until` in ms, when given.
    pub(crate) fn until_ms(&self) -> Result<Option<i64>, Stop> {
        match &self.until {
            Some(_) => Ok(Some(self.bounds()?.1)),
            None => Ok(None),
        }
    }

    /// `(start, end)` in ms.
    pub(crate) fn bounds(&self) -> Result<(i64, i64), Stop> {
        let parse = |text: &str, end: bool| -> Result<i64, Stop> {
            if text.len() <= 13 {
                let range = if end {
                    bedrock_llm_logs::s3::HourRange::parse(None, Some(text))?
                } else {
                    bedrock_llm_logs::s3::HourRange::parse(Some(text), None)?
                };
                let (since, until) = range.bounds_ms();
                let bound = if end { until.map(|u| u + 1) } else { since };
                return bound.ok_or_else(|| format!("{text:?} is not a time").into());
            }
            bedrock_llm_logs::timestamp_ms(text)
                .and_then(|ms| i64::try_from(ms).ok())
                .ok_or_else(|| {
                    format!("{text:?} is not a time (YYYY-MM-DD[THH] or ISO 8601)").into()
                })
        };
        let end = self
            .until
            .as_deref()
            .map_or(Ok(now_ms()), |t| parse(t, true))?;
        let start = self
            .since
            .as_deref()
            .map_or(Ok(end - 3 * 3_600_000), |t| parse(t, false))?;
        if start >= end {
            return Err("--since must come before --until".into());
        }
        Ok((start, end))
    }
}

/// CloudWatch, connected, with the runtime its calls block on.
struct CloudWatch {
    runtime: Option<tokio::runtime::Runtime>,
    metrics: CloudWatchMetrics,
}

impl CloudWatch {
    fn connect() -> Result<Self, Stop> {
        let runtime = crate::aws::runtime()?;
        let config = runtime.block_on(crate::aws::sdk_config())?;
        let metrics = CloudWatchMetrics::new(
            crate::aws::cloudwatch_client(&config),
            runtime.handle().clone(),
        );
        Ok(Self {
            runtime: Some(runtime),
            metrics,
        })
    }

    /// Every series' points of `namespaces` from `start` to `end` (ms).
    fn read(
        &self,
        namespaces: &[&str],
        start: i64,
        end: i64,
        period: i32,
    ) -> Result<Vec<MetricPoint>, Stop> {
        let mut points = Vec::new();
        for namespace in namespaces {
            points.extend(
                self.metrics
                    .pull(namespace, start, end, period)
                    .map_err(|e| e.to_string())?,
            );
        }
        Ok(points)
    }
}

impl Drop for CloudWatch {
    fn drop(&mut self) {
        // Nothing in flight is worth waiting for once the command is done.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Both namespaces' points in the window.
fn read_points(window: &Window, namespaces: &[&str]) -> Result<Vec<MetricPoint>, Stop> {
    let (start, end) = window.bounds()?;
    CloudWatch::connect()?.read(namespaces, start, end, window.period)
}

/// Prints `points` in `args`' format on stdout.
fn print_points(points: &[MetricPoint], args: &PullArgs) -> Result<(), Stop> {
    let lines: Vec<serde_json::Value> = match args.format {
        PullFormat::Json => points.iter().map(MetricPoint::json).collect(),
        PullFormat::Elastic => pulled::elastic_documents(points, "default", None),
        PullFormat::Emf => pulled::emf_documents(points, &args.namespace),
    };
    let mut out = String::new();
    for line in lines {
        out.push_str(&line.to_string());
        out.push('\n');
    }
    use std::io::Write as _;
    let mut stdout = std::io::stdout();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(crate::output::stdout_error)
}

fn pull(args: &PullArgs) -> Result<(), Stop> {
    let names = args.destinations.names();
    let to_stdout = names.contains(&"stdout");
    let others: Vec<String> = names
        .into_iter()
        .filter(|n| *n != "stdout")
        .map(str::to_owned)
        .collect();
    let mut fanout = if others.is_empty() {
        None
    } else {
        let only_others = DestinationArgs {
            to: others,
            endpoint: args.destinations.endpoint.clone(),
        };
        Some(only_others.open(&Settings::new(Config::default().enabled()))?)
    };
    let source = CloudWatch::connect()?;
    let namespaces = [RUNTIME_NAMESPACE, GUARDRAILS_NAMESPACE];
    let mut more = Vec::new();
    let mut total = 0usize;
    // Prints and delivers one batch; `true` once every destination has it.
    let mut emit = |points: &[MetricPoint], more: &mut Vec<String>| -> Result<bool, Stop> {
        total += points.len();
        if to_stdout {
            print_points(points, args)?;
        }
        let Some(fanout) = fanout.as_mut() else {
            return Ok(true);
        };
        let (refused, delivered) = fanout.metric_points(points);
        if !refused.is_empty() {
            more.push(format!(
                "{} take no CloudWatch metric points",
                refused.join(", ")
            ));
        }
        if let Err(error) = delivered {
            more.push(error.to_string());
            return Ok(false);
        }
        fanout.checkpoint().map_err(crate::work::stop)
    };
    if args.follow {
        let read = |start, end, period| source.read(&namespaces, start, end, period);
        crate::metrics_follow::run(args, &read, &mut more, &mut emit)?;
    } else {
        let (start, end) = args.window.bounds()?;
        let points = source.read(&namespaces, start, end, args.window.period)?;
        emit(&points, &mut more)?;
    }
    let first = format!("metrics pull: {total} points");
    more.dedup();
    let Some(fanout) = fanout else {
        note(&first);
        return if more.is_empty() {
            Ok(())
        } else {
            Err(more.join("; ").into())
        };
    };
    let ended = fanout.shutdown(std::time::Instant::now() + Duration::from_secs(30));
    crate::destinations::conclude(&ended, Some(&first), more)
}

/// The figures reconciled: CloudWatch's metric name and the logs' figure.
const RECONCILED: &[&str] = &[
    "Invocations",
    "InputTokenCount",
    "OutputTokenCount",
    "InvocationClientErrors",
    "InvocationServerErrors",
    "InvocationThrottles",
];

fn reconcile(args: &ReconcileArgs) -> Result<(), Stop> {
    let (start, end) = args.window.bounds()?;
    let period = args.window.period;
    let points = read_points(&args.window, &[RUNTIME_NAMESPACE])?;
    // CloudWatch: (model, period start, metric) → value; the account total left out.
    let mut counted: BTreeMap<(String, i64, &str), f64> = BTreeMap::new();
    for point in &points {
        let (Some(model), Some(metric)) = (
            point.model_id(),
            RECONCILED.iter().find(|m| **m == point.metric),
        ) else {
            continue;
        };
        *counted
            .entry((model.to_owned(), point.timestamp_ms, metric))
            .or_default() += point.value;
    }
    // The logs, in the same periods.
    let mut logged = RuntimeMetrics::new(Duration::from_secs(u64::try_from(period).unwrap_or(300)))
        .map_err(|e| e.to_string())?;
    let sources: Vec<Source> = args.paths.iter().map(|p| Source::parse(p)).collect();
    let mut unreadable = Vec::new();
    for item in LogReader::with_options(sources, ReadOptions::default()) {
        match item {
            ReadItem::Record(read) => {
                let invocation =
                    bedrock_llm_logs::replay(&read.record, bedrock_llm_models::registry());
                let at = i64::try_from(invocation.timing.started_at_ms).unwrap_or(i64::MAX);
                if (start..end).contains(&at) {
                    logged.add(&invocation);
                }
            }
            ReadItem::Unreadable { path, reason } => unreadable.push(format!("{path}: {reason}")),
            ReadItem::Skipped(_) => {}
        }
    }
    let mut held: BTreeMap<(String, i64, &str), f64> = BTreeMap::new();
    for (at, model, figures) in logged.figures() {
        let at = i64::try_from(at).unwrap_or(i64::MAX);
        for (metric, value) in [
            ("Invocations", figures.invocations),
            ("InputTokenCount", figures.input_tokens),
            ("OutputTokenCount", figures.output_tokens),
            ("InvocationClientErrors", figures.client_errors),
            ("InvocationServerErrors", figures.server_errors),
            ("InvocationThrottles", figures.throttles),
        ] {
            held.insert((model.to_owned(), at, metric), value as f64);
        }
    }
    let mut keys: Vec<&(String, i64, &str)> = counted.keys().chain(held.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut rows = Vec::new();
    for key in keys {
        let cloudwatch = counted.get(key).copied().unwrap_or(0.0);
        let logs = held.get(key).copied().unwrap_or(0.0);
        if (cloudwatch - logs).abs() > f64::EPSILON {
            rows.push((key.clone(), cloudwatch, logs));
        }
    }
    print_differences(&rows, args.format)?;
    let mut summary = format!(
        "metrics reconcile: {} series points from CloudWatch, {} models in the logs, {} differences",
        counted.len(),
        logged
            .figures()
            .map(|(_, m, _)| m)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        rows.len()
    );
    if !unreadable.is_empty() {
        summary.push_str(&format!("; could not read: {}", unreadable.join(", ")));
        note(&summary);
        return Err("some logs could not be read".into());
    }
    note(&summary);
    Ok(())
}

type Row = ((String, i64, &'static str), f64, f64);

fn print_differences(rows: &[Row], format: ReconcileFormat) -> Result<(), Stop> {
    let timestamp =
        |ms: i64| bedrock_llm_events::render::elastic::iso_millis(u64::try_from(ms).unwrap_or(0));
    let mut out = String::new();
    match format {
        ReconcileFormat::Json => {
            for ((model, at, metric), cloudwatch, logs) in rows {
                let line = serde_json::json!({
                    "model_id": model, "timestamp": timestamp(*at), "metric": metric,
                    "cloudwatch": cloudwatch, "logs": logs, "difference": cloudwatch - logs,
                });
                out.push_str(&line.to_string());
                out.push('\n');
            }
        }
        ReconcileFormat::Table => {
            let width = rows
                .iter()
                .map(|((m, _, _), _, _)| m.len())
                .max()
                .unwrap_or(5)
                .max(5);
            out.push_str(&format!(
                "{:width$}  {:24}  {:22}  {:>12}  {:>12}  {:>12}\n",
                "MODEL", "PERIOD", "METRIC", "CLOUDWATCH", "LOGS", "DIFFERENCE"
            ));
            for ((model, at, metric), cloudwatch, logs) in rows {
                out.push_str(&format!(
                    "{model:width$}  {:24}  {metric:22}  {cloudwatch:>12}  {logs:>12}  {:>+12}\n",
                    timestamp(*at),
                    cloudwatch - logs
                ));
            }
        }
    }
    use std::io::Write as _;
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(crate::output::stdout_error)
}
