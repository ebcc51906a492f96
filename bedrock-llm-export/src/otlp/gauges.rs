//! Metric points read from CloudWatch as OTLP gauges, each stamped with its period's start.
//! The OpenTelemetry SDK stamps a gauge with the time it is exported, which would misdate a
//! point read hours later, so the request is written here with the official protobuf types and
//! POSTed to the metrics endpoint through the pipeline's own client (its retries, breaker and
//! counts).

use bytes::Bytes;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{
    Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, metric, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message as _;

use bedrock_llm_events::pulled::MetricPoint;

fn text(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.to_owned())),
        }),
        ..Default::default()
    }
}

/// `InvocationLatency` → `aws.bedrock.invocation_latency`; guardrail series under
/// `aws.bedrock.guardrails.`.
fn name(point: &MetricPoint) -> String {
    let snake = bedrock_llm_core::snake_case(&point.metric);
    if point.namespace.ends_with("/Guardrails") {
        format!("aws.bedrock.guardrails.{snake}")
    } else {
        format!("aws.bedrock.{snake}")
    }
}

/// One export request: a gauge per metric name, a point per series and period.
pub(super) fn request(points: &[MetricPoint], resource: &opentelemetry_sdk::Resource) -> Bytes {
    let mut by_name: std::collections::BTreeMap<String, Vec<NumberDataPoint>> =
        std::collections::BTreeMap::new();
    for point in points {
        let mut attributes = vec![
            text("aws.cloudwatch.namespace", &point.namespace),
            text("aws.cloudwatch.stat", point.stat),
            KeyValue {
                key: "aws.cloudwatch.period".to_owned(),
                value: Some(AnyValue {
                    value: Some(any_value::Value::IntValue(i64::from(point.period))),
                }),
                ..Default::default()
            },
        ];
        for (dimension, value) in &point.dimensions {
            attributes.push(text(&format!("aws.bedrock.{dimension}"), value));
        }
        let start = u64::try_from(point.timestamp_ms).unwrap_or(0) * 1_000_000;
        by_name
            .entry(name(point))
            .or_default()
            .push(NumberDataPoint {
                attributes,
                start_time_unix_nano: start,
                time_unix_nano: start,
                value: Some(number_data_point::Value::AsDouble(point.value)),
                ..Default::default()
            });
    }
    let metrics = by_name
        .into_iter()
        .map(|(name, data_points)| Metric {
            name,
            data: Some(metric::Data::Gauge(Gauge { data_points })),
            ..Default::default()
        })
        .collect();
    let resource = Resource {
        attributes: resource
            .iter()
            .map(|(key, value)| text(key.as_str(), &value.to_string()))
            .collect(),
        ..Default::default()
    };
    let request = ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(resource),
            scope_metrics: vec![ScopeMetrics {
                scope: Some(InstrumentationScope {
                    name: "bedrock-llm".to_owned(),
                    version: env!("CARGO_PKG_VERSION").to_owned(),
                    ..Default::default()
                }),
                metrics,
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    Bytes::from(request.encode_to_vec())
}

/// The metrics endpoint as the exporter resolves it: the configured base (`--endpoint`), else
/// `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` as is, else `OTEL_EXPORTER_OTLP_ENDPOINT` +
/// `/v1/metrics`, else `http://localhost:4318/v1/metrics`.
pub(super) fn endpoint(configured: Option<&str>) -> String {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(base) = configured {
        return format!("{}/v1/metrics", base.trim_end_matches('/'));
    }
    if let Some(url) = var("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") {
        return url;
    }
    let base = var("OTEL_EXPORTER_OTLP_ENDPOINT").unwrap_or_else(|| "http://localhost:4318".into());
    format!("{}/v1/metrics", base.trim_end_matches('/'))
}

/// `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_EXPORTER_OTLP_METRICS_HEADERS` (`k=v,k2=v2`, values
/// percent-decoded), the signal's own last.
pub(super) fn headers() -> Vec<(String, String)> {
    let mut headers = Vec::new();
    for name in [
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
    ] {
        let Ok(list) = std::env::var(name) else {
            continue;
        };
        for pair in list.split(',') {
            if let Some((key, value)) = pair.split_once('=') {
                let value = percent_decode(value.trim());
                headers.retain(|(k, _): &(String, String)| !k.eq_ignore_ascii_case(key.trim()));
                headers.push((key.trim().to_owned(), value));
            }
        }
    }
    headers
}

/// `%XX` escapes decoded (the header list's values are URL-encoded).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[at] == b'%'
            && let (Some(&high), Some(&low)) = (bytes.get(at + 1), bytes.get(at + 2))
            && let (Some(high), Some(low)) = (hex(high), hex(low))
        {
            out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_become_gauges_at_their_period_start() {
        let point = MetricPoint {
            namespace: "AWS/Bedrock".into(),
            metric: "InvocationLatency".into(),
            dimensions: [("ModelId".to_owned(), "m1".to_owned())].into(),
            timestamp_ms: 1_713_477_600_000,
            period: 300,
            stat: "Average",
            value: 120.5,
        };
        let bytes = request(
            &[point],
            &opentelemetry_sdk::Resource::builder_empty().build(),
        );
        let decoded = ExportMetricsServiceRequest::decode(bytes).unwrap_or_default();
        let metric = &decoded.resource_metrics[0].scope_metrics[0].metrics[0];
        assert_eq!(metric.name, "aws.bedrock.invocation_latency");
        let Some(metric::Data::Gauge(gauge)) = &metric.data else {
            unreachable!("a gauge")
        };
        assert_eq!(
            gauge.data_points[0].time_unix_nano,
            1_713_477_600_000_000_000
        );
        assert_eq!(percent_decode("a%20b%2Cc"), "a b,c");
    }
}
