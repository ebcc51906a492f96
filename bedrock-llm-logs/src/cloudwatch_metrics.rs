//! Bedrock's own runtime and guardrail metrics, read from CloudWatch (feature `cloudwatch`):
//! every series of `AWS/Bedrock` and `AWS/Bedrock/Guardrails` that `ListMetrics` names, read
//! with `GetMetricData` in batches of at most 500 queries — `InvocationLatency` as the
//! Average, the rest as the Sum, as Elastic's integration reads them — one point per series
//! and period. The series without a `ModelId` (the account-wide total) is a series of its own,
//! never added to the per-model ones.
//!
//! The API is blocking: call it from threads that may block.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};

/// Bedrock's runtime metrics namespace.
pub const RUNTIME_NAMESPACE: &str = "AWS/Bedrock";
/// Bedrock's guardrail metrics namespace.
pub const GUARDRAILS_NAMESPACE: &str = "AWS/Bedrock/Guardrails";
/// `GetMetricData` takes at most this many queries a call.
const MAX_QUERIES: usize = 500;

pub use bedrock_llm_events::pulled::MetricPoint;

/// The statistic Elastic reads a metric by: the average latency, the sum of the rest.
pub fn stat_of(metric: &str) -> &'static str {
    if metric == "InvocationLatency" {
        "Average"
    } else {
        "Sum"
    }
}

/// Why the metrics could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
#[error("cannot read CloudWatch metrics ({namespace}): {reason}")]
pub struct CloudWatchMetricsError {
    /// The namespace.
    pub namespace: String,
    /// What CloudWatch said, and what to check.
    pub reason: String,
}

/// A CloudWatch client on a runtime the calls block on.
#[derive(Debug, Clone)]
pub struct CloudWatchMetrics {
    client: aws_sdk_cloudwatch::Client,
    runtime: tokio::runtime::Handle,
}

impl CloudWatchMetrics {
    /// Reads through `client`, blocking on `runtime`.
    pub fn new(client: aws_sdk_cloudwatch::Client, runtime: tokio::runtime::Handle) -> Self {
        Self { client, runtime }
    }

    /// Every series' points of `namespace` from `start_ms` to `end_ms`, per `period` seconds,
    /// ordered by metric, dimensions and time.
    pub fn pull(
        &self,
        namespace: &str,
        start_ms: i64,
        end_ms: i64,
        period: i32,
    ) -> Result<Vec<MetricPoint>, CloudWatchMetricsError> {
        let error = |reason: String| CloudWatchMetricsError {
            namespace: namespace.to_owned(),
            reason,
        };
        let series = self.list(namespace).map_err(error)?;
        let mut points = Vec::new();
        for batch in series.chunks(MAX_QUERIES) {
            let queries: Vec<MetricDataQuery> = batch
                .iter()
                .enumerate()
                .map(|(at, metric)| {
                    let name = metric.metric_name().unwrap_or_default();
                    MetricDataQuery::builder()
                        .id(format!("q{at}"))
                        .metric_stat(
                            MetricStat::builder()
                                .metric(metric.clone())
                                .period(period)
                                .stat(stat_of(name))
                                .build(),
                        )
                        .return_data(true)
                        .build()
                })
                .collect();
            let mut token: Option<String> = None;
            for _ in 0..100_000 {
                let answer = self
                    .runtime
                    .block_on(
                        self.client
                            .get_metric_data()
                            .set_metric_data_queries(Some(queries.clone()))
                            .start_time(aws_sdk_cloudwatch::primitives::DateTime::from_millis(
                                start_ms,
                            ))
                            .end_time(aws_sdk_cloudwatch::primitives::DateTime::from_millis(
                                end_ms,
                            ))
                            .set_next_token(token.clone())
                            .send(),
                    )
                    .map_err(|e| error(explain(&e)))?;
                for result in answer.metric_data_results() {
                    let index = result
                        .id()
                        .and_then(|id| id.strip_prefix('q'))
                        .and_then(|n| n.parse::<usize>().ok());
                    let Some(metric) = index.and_then(|i| batch.get(i)) else {
                        continue;
                    };
                    let name = metric.metric_name().unwrap_or_default().to_owned();
                    let dimensions: BTreeMap<String, String> = metric
                        .dimensions()
                        .iter()
                        .filter_map(|d| Some((d.name()?.to_owned(), d.value()?.to_owned())))
                        .collect();
                    for (at, value) in result.timestamps().iter().zip(result.values()) {
                        points.push(MetricPoint {
                            namespace: namespace.to_owned(),
                            metric: name.clone(),
                            dimensions: dimensions.clone(),
                            timestamp_ms: at.to_millis().unwrap_or_default(),
                            period,
                            stat: stat_of(&name),
                            value: *value,
                        });
                    }
                }
                match answer.next_token() {
                    Some(next) if token.as_deref() != Some(next) => token = Some(next.to_owned()),
                    _ => break,
                }
            }
        }
        points.sort_by(|a, b| {
            (&a.metric, &a.dimensions, a.timestamp_ms).cmp(&(
                &b.metric,
                &b.dimensions,
                b.timestamp_ms,
            ))
        });
        Ok(points)
    }

    /// Every series of `namespace`, each once.
    fn list(&self, namespace: &str) -> Result<Vec<Metric>, String> {
        let mut series: BTreeMap<(String, Vec<(String, String)>), Metric> = BTreeMap::new();
        let mut token: Option<String> = None;
        for _ in 0..100_000 {
            let page = self
                .runtime
                .block_on(
                    self.client
                        .list_metrics()
                        .namespace(namespace)
                        .set_next_token(token.clone())
                        .send(),
                )
                .map_err(|e| explain(&e))?;
            for metric in page.metrics() {
                let key: Vec<(String, String)> = metric
                    .dimensions()
                    .iter()
                    .map(|d| {
                        (
                            d.name().unwrap_or_default().to_owned(),
                            d.value().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect();
                let name = metric.metric_name().unwrap_or_default().to_owned();
                // The series exactly as listed: an empty dimension list is the account total.
                let rebuilt = Metric::builder()
                    .namespace(namespace)
                    .metric_name(&name)
                    .set_dimensions(Some(
                        metric
                            .dimensions()
                            .iter()
                            .map(|d| {
                                Dimension::builder()
                                    .set_name(d.name().map(str::to_owned))
                                    .set_value(d.value().map(str::to_owned))
                                    .build()
                            })
                            .collect(),
                    ))
                    .build();
                series.entry((name, key)).or_insert(rebuilt);
            }
            match page.next_token() {
                Some(next) if token.as_deref() != Some(next) => token = Some(next.to_owned()),
                _ => break,
            }
        }
        Ok(series.into_values().collect())
    }
}

/// What a failed call means and what to check.
fn explain<E, R>(error: &aws_sdk_cloudwatch::error::SdkError<E, R>) -> String
where
    E: aws_sdk_cloudwatch::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use aws_sdk_cloudwatch::error::ProvideErrorMetadata as _;
    match error.code() {
        Some(code) => {
            let hint = match code {
                "AccessDenied" | "AccessDeniedException" => {
                    " (the credentials need cloudwatch:ListMetrics and cloudwatch:GetMetricData)"
                }
                "Throttling" | "ThrottlingException" => " (still throttled after 8 attempts)",
                _ => "",
            };
            format!("{code}: {}{hint}", error.message().unwrap_or_default())
        }
        None => bedrock_llm_core::display_chain(error),
    }
}
