//! Metric points read from CloudWatch — Bedrock's own `AWS/Bedrock` and
//! `AWS/Bedrock/Guardrails` figures, one per series and period — and their renderings: JSON
//! lines, Elastic runtime and guardrail documents (as Metricbeat writes them), CloudWatch EMF
//! and New Relic Metric API gauges. Reading them is `bedrock_llm_logs::cloudwatch_metrics`'s.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::render::elastic::{ECS_VERSION, RUNTIME_DATASET, iso_millis};

/// One series' value in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPoint {
    /// `AWS/Bedrock` or `AWS/Bedrock/Guardrails`.
    pub namespace: String,
    /// `Invocations`, `InvocationLatency`, …
    pub metric: String,
    /// The series' dimensions (`ModelId`, or the guardrail's); empty for the account total.
    pub dimensions: BTreeMap<String, String>,
    /// The period's start, ms since the epoch.
    pub timestamp_ms: i64,
    /// The period, in seconds.
    pub period: i32,
    /// `Sum` or `Average`.
    pub stat: &'static str,
    /// The value.
    pub value: f64,
}

impl MetricPoint {
    /// The model the series is about; `None` for the account total and guardrail series.
    pub fn model_id(&self) -> Option<&str> {
        self.dimensions.get("ModelId").map(String::as_str)
    }

    /// `{"namespace", "metric", "dimensions", "timestamp", "period", "stat", "value"}`.
    pub fn json(&self) -> Value {
        json!({
            "namespace": self.namespace,
            "metric": self.metric,
            "dimensions": self.dimensions,
            "timestamp": iso_millis(u64::try_from(self.timestamp_ms).unwrap_or(0)),
            "period": self.period,
            "stat": self.stat,
            "value": self.value,
        })
    }
}

/// `InvocationClientErrors` → `invocation_client_errors`, as Elastic names the fields
/// (`LegacyModelInvocations` → `legacymodel_invocations`, its one exception).
fn field(metric: &str) -> String {
    if metric == "LegacyModelInvocations" {
        return "legacymodel_invocations".to_owned();
    }
    bedrock_llm_core::snake_case(metric)
}

/// Elastic documents: one per namespace, series dimensions and period, every metric of the
/// series a field — `metrics-aws_bedrock.runtime-<namespace>` for `AWS/Bedrock` (the
/// `ModelId` as `model_id`; no `model_id` on the account total), and
/// `metrics-aws_bedrock.guardrails-<namespace>` for `AWS/Bedrock/Guardrails`.
pub fn elastic_documents(
    points: &[MetricPoint],
    namespace: &str,
    region: Option<&str>,
) -> Vec<Value> {
    type Key<'a> = (&'a str, &'a BTreeMap<String, String>, i64, i32);
    let mut grouped: BTreeMap<Key<'_>, Vec<&MetricPoint>> = BTreeMap::new();
    for point in points {
        grouped
            .entry((
                &point.namespace,
                &point.dimensions,
                point.timestamp_ms,
                point.period,
            ))
            .or_default()
            .push(point);
    }
    grouped
        .into_iter()
        .map(|((cw_namespace, dimensions, start, period), points)| {
            let guardrails = cw_namespace.ends_with("/Guardrails");
            let (dataset, group) = if guardrails {
                (crate::guardrail_metrics::GUARDRAILS_DATASET, "guardrails")
            } else {
                (RUNTIME_DATASET, "runtime")
            };
            let mut figures = serde_json::Map::new();
            for point in points {
                figures.insert(field(&point.metric), json!(point.value));
            }
            for (name, value) in dimensions {
                figures.insert(field(name), json!(value));
            }
            let mut cloud = json!({"provider": "aws"});
            if let Some(region) = region {
                cloud["region"] = json!(region);
            }
            json!({
                "@timestamp": iso_millis(u64::try_from(start).unwrap_or(0)),
                "data_stream": {"type": "metrics", "dataset": dataset, "namespace": namespace},
                "ecs": {"version": ECS_VERSION},
                "event": {"dataset": dataset, "module": "aws_bedrock", "kind": "metric"},
                "metricset": {"name": "cloudwatch", "period": i64::from(period) * 1000},
                "aws": {"cloudwatch": {"namespace": cw_namespace}, "dimensions": dimensions},
                "cloud": cloud,
                "aws_bedrock": { group: figures },
            })
        })
        .collect()
}

/// CloudWatch Embedded Metric Format documents under `emf_namespace` (one per series and
/// period; `AWS/…` namespaces are AWS's own, so Bedrock's figures are re-published under
/// ours), with the series' dimensions.
pub fn emf_documents(points: &[MetricPoint], emf_namespace: &str) -> Vec<Value> {
    points
        .iter()
        .map(|point| {
            let unit = if point.metric.ends_with("Latency") {
                "Milliseconds"
            } else {
                "Count"
            };
            let mut document = json!({
                point.metric.clone(): point.value,
                "_aws": {
                    "Timestamp": point.timestamp_ms,
                    "CloudWatchMetrics": [{
                        "Namespace": emf_namespace,
                        "Dimensions": [point.dimensions.keys().collect::<Vec<_>>()],
                        "Metrics": [{"Name": point.metric, "Unit": unit}],
                    }],
                },
            });
            for (name, value) in &point.dimensions {
                document[name] = json!(value);
            }
            document
        })
        .collect()
}

/// New Relic Metric API gauges (`aws.bedrock.invocations`, `aws.bedrock.guardrails.…`), the
/// dimensions as attributes, the period's start as the timestamp: one payload block.
pub fn newrelic_gauges(points: &[MetricPoint]) -> Value {
    let metrics: Vec<Value> = points
        .iter()
        .map(|point| {
            let prefix = if point.namespace.ends_with("/Guardrails") {
                "aws.bedrock.guardrails"
            } else {
                "aws.bedrock"
            };
            let mut attributes = json!({
                "aws.cloudwatch.namespace": point.namespace,
                "stat": point.stat,
                "period.s": point.period,
            });
            for (name, value) in &point.dimensions {
                attributes[field(name)] = json!(value);
            }
            json!({
                "name": format!("{prefix}.{}", field(&point.metric)),
                "type": "gauge",
                "value": point.value,
                "timestamp": point.timestamp_ms,
                "attributes": attributes,
            })
        })
        .collect();
    json!([{ "common": {"attributes": {"instrumentation.provider": "bedrock-llm"}}, "metrics": metrics }])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(metric: &str, model: Option<&str>, value: f64) -> MetricPoint {
        MetricPoint {
            namespace: "AWS/Bedrock".into(),
            metric: metric.into(),
            dimensions: model
                .map(|m| BTreeMap::from([("ModelId".to_owned(), m.to_owned())]))
                .unwrap_or_default(),
            timestamp_ms: 1_713_477_600_000,
            period: 300,
            stat: if metric == "InvocationLatency" {
                "Average"
            } else {
                "Sum"
            },
            value,
        }
    }

    #[test]
    fn one_document_per_series_and_period_with_the_account_total_apart() {
        let points = [
            point("Invocations", Some("m1"), 3.0),
            point("InvocationLatency", Some("m1"), 120.5),
            point("Invocations", None, 10.0),
            point("LegacyModelInvocations", Some("m1"), 1.0),
        ];
        let documents = elastic_documents(&points, "default", Some("us-east-1"));
        assert_eq!(documents.len(), 2);
        let total = &documents[0]["aws_bedrock"]["runtime"];
        assert_eq!(total["invocations"], 10.0);
        assert!(total.get("model_id").is_none());
        let model = &documents[1]["aws_bedrock"]["runtime"];
        assert_eq!(model["model_id"], "m1");
        assert_eq!(model["invocations"], 3.0);
        assert_eq!(model["invocation_latency"], 120.5);
        assert_eq!(model["legacymodel_invocations"], 1.0);
        assert_eq!(documents[1]["@timestamp"], "2024-04-18T22:00:00.000Z");
        assert_eq!(documents[1]["metricset"]["period"], 300_000);

        let gauges = newrelic_gauges(&points);
        assert_eq!(gauges[0]["metrics"][0]["name"], "aws.bedrock.invocations");
        assert_eq!(gauges[0]["metrics"][0]["attributes"]["model_id"], "m1");
        let emf = emf_documents(&points[..1], "BedrockLlm/Runtime");
        assert_eq!(emf[0]["Invocations"], 3.0);
        assert_eq!(emf[0]["ModelId"], "m1");
    }
}
