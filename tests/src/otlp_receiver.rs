//! An OTLP/HTTP receiver on 127.0.0.1 for exporter tests. It enforces the protocol's binary
//! contract — `POST /v1/traces`, `/v1/metrics`, `/v1/logs`; `Content-Type:
//! application/x-protobuf`; an optional `gzip` encoding; a body that decodes as the signal's
//! `Export…ServiceRequest` of the official protobuf definitions (`opentelemetry-proto`); a
//! required header when one is set — answers an empty `Export…ServiceResponse`, and plays a
//! script of faults first (statuses with `Retry-After`, which OTLP clients retry on 429, 502,
//! 503 and 504).

use std::collections::VecDeque;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::metrics::v1::{Metric, metric};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;

/// One scripted answer, used by the next request before the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// This status, with `Retry-After: n` when given.
    Status(u16, Option<u64>),
    /// 503 to every request for this long, from the request that meets it.
    Outage(std::time::Duration),
    /// This status for the next request to this path (the other signals go on as usual).
    On(&'static str, u16),
}

/// What one request was and how it was answered.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The path.
    pub path: String,
    /// The status sent.
    pub status: u16,
    /// The `Content-Type` sent.
    pub content_type: String,
    /// The body came gzipped.
    pub gzip: bool,
}

#[derive(Debug, Default)]
struct State {
    faults: VecDeque<Fault>,
    /// Until when every request gets a 503.
    down_until: Option<std::time::Instant>,
    required_header: Option<(String, String)>,
    traces: Vec<ExportTraceServiceRequest>,
    metrics: Vec<ExportMetricsServiceRequest>,
    logs: Vec<ExportLogsServiceRequest>,
    exchanges: Vec<Exchange>,
}

/// A running receiver; stops when dropped.
#[derive(Debug)]
pub struct Receiver {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    /// Stops the server when the receiver is dropped.
    _stop: crate::loopback::Stop,
}

impl Receiver {
    /// Starts a receiver answering `faults` first, then by the contract.
    pub async fn start(faults: Vec<Fault>) -> std::io::Result<Self> {
        Self::start_requiring(faults, None).await
    }

    /// As [`start`](Self::start), refusing requests without header `name: value` (401).
    pub async fn start_requiring(
        faults: Vec<Fault>,
        header: Option<(&str, &str)>,
    ) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(State {
            faults: faults.into(),
            required_header: header.map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned())),
            ..State::default()
        }));
        let (addr, stop) = crate::loopback::serve(Arc::clone(&state), answer).await?;
        Ok(Self {
            addr,
            state,
            _stop: stop,
        })
    }

    /// `http://127.0.0.1:{port}`, the base URL (signal paths are appended by clients).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every span accepted, with its resource's attributes.
    pub fn spans(&self) -> Vec<(Vec<KeyValue>, Span)> {
        let state = self.state.lock().unwrap();
        let mut out = Vec::new();
        for request in &state.traces {
            for resource_spans in &request.resource_spans {
                let resource = resource_spans
                    .resource
                    .as_ref()
                    .map(|r| r.attributes.clone())
                    .unwrap_or_default();
                for scope in &resource_spans.scope_spans {
                    for span in &scope.spans {
                        out.push((resource.clone(), span.clone()));
                    }
                }
            }
        }
        out
    }

    /// The distinct string values of span attribute `key` (e.g. the models called).
    pub fn span_values(&self, key: &str) -> std::collections::BTreeSet<String> {
        self.spans()
            .iter()
            .filter_map(|(_, span)| str_attribute(&span.attributes, key))
            .map(str::to_owned)
            .collect()
    }

    /// Every metric accepted (one per export and scope), with its resource's attributes.
    pub fn metrics(&self) -> Vec<(Vec<KeyValue>, Metric)> {
        let state = self.state.lock().unwrap();
        let mut out = Vec::new();
        for request in &state.metrics {
            for resource_metrics in &request.resource_metrics {
                let resource = resource_metrics
                    .resource
                    .as_ref()
                    .map(|r| r.attributes.clone())
                    .unwrap_or_default();
                for scope in &resource_metrics.scope_metrics {
                    for metric in &scope.metrics {
                        out.push((resource.clone(), metric.clone()));
                    }
                }
            }
        }
        out
    }

    /// Every log record accepted.
    pub fn log_records(&self) -> Vec<LogRecord> {
        let state = self.state.lock().unwrap();
        state
            .logs
            .iter()
            .flat_map(|r| &r.resource_logs)
            .flat_map(|r| &r.scope_logs)
            .flat_map(|s| s.log_records.clone())
            .collect()
    }

    /// Every request, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.state.lock().unwrap().exchanges.clone()
    }
}

/// The value of attribute `key`, if present.
pub fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a any_value::Value> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.value.as_ref())
}

/// A string attribute.
pub fn str_attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    match attribute(attributes, key)? {
        any_value::Value::StringValue(s) => Some(s),
        _ => None,
    }
}

/// The histogram data points of `metric`, or none if it is not a histogram.
pub fn histogram_points(
    metric: &Metric,
) -> Vec<opentelemetry_proto::tonic::metrics::v1::HistogramDataPoint> {
    match &metric.data {
        Some(metric::Data::Histogram(histogram)) => histogram.data_points.clone(),
        _ => Vec::new(),
    }
}

/// An `AnyValue` as JSON, to compare structures.
pub fn any_to_json(value: &AnyValue) -> serde_json::Value {
    use serde_json::json;
    match &value.value {
        None => serde_json::Value::Null,
        Some(any_value::Value::StringValue(s)) => json!(s),
        Some(any_value::Value::BoolValue(b)) => json!(b),
        Some(any_value::Value::IntValue(i)) => json!(i),
        Some(any_value::Value::DoubleValue(d)) => json!(d),
        Some(any_value::Value::BytesValue(b)) => json!(b),
        Some(any_value::Value::ArrayValue(array)) => {
            serde_json::Value::Array(array.values.iter().map(any_to_json).collect())
        }
        Some(any_value::Value::KvlistValue(list)) => serde_json::Value::Object(
            list.values
                .iter()
                .map(|kv| {
                    (
                        kv.key.clone(),
                        kv.value
                            .as_ref()
                            .map_or(serde_json::Value::Null, any_to_json),
                    )
                })
                .collect(),
        ),
        Some(_) => serde_json::Value::Null,
    }
}

fn reply(status: u16, content_type: &str, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
    response
        .headers_mut()
        .insert("content-type", content_type.parse().unwrap());
    response
}

async fn answer(
    state: Arc<Mutex<State>>,
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let path = request.uri().path().to_owned();
    let headers = request.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let gzip = headers.get("content-encoding").is_some_and(|v| v == "gzip");
    let is_post = request.method() == hyper::Method::POST;
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut state = state.lock().unwrap();
    let now = std::time::Instant::now();
    // A path-specific fault waits for its path; the others come in order.
    let at = state.faults.iter().position(|fault| match fault {
        Fault::On(wanted, _) => *wanted == path,
        _ => true,
    });
    let mut fault = at.and_then(|at| state.faults.remove(at));
    if let Some(Fault::Outage(length)) = fault {
        state.down_until = Some(now + length);
        fault = None;
    }
    if let Some(Fault::On(_, status)) = fault {
        fault = Some(Fault::Status(status, None));
    }
    if state.down_until.is_some_and(|until| now < until) {
        fault = Some(Fault::Status(503, None));
    }
    if let Some(Fault::Status(status, retry_after)) = fault {
        state.exchanges.push(Exchange {
            path: path.clone(),
            status,
            content_type: content_type.clone(),
            gzip,
        });
        let mut response = reply(status, "text/plain", b"scripted".to_vec());
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert("retry-after", seconds.to_string().parse().unwrap());
        }
        return Ok(response);
    }
    let header_ok = state.required_header.as_ref().is_none_or(|(name, value)| {
        headers
            .get(name.as_str())
            .is_some_and(|v| v.as_bytes() == value.as_bytes())
    });
    let refuse = |status: u16, why: &str| (status, why.as_bytes().to_vec());
    let (status, answer) =
        if !is_post || !matches!(path.as_str(), "/v1/traces" | "/v1/metrics" | "/v1/logs") {
            refuse(404, "not found")
        } else if content_type != "application/x-protobuf" {
            refuse(415, "only application/x-protobuf is accepted here")
        } else if !header_ok {
            refuse(401, "missing or wrong authentication header")
        } else {
            let mut bytes = body.to_vec();
            if gzip {
                let mut plain = Vec::new();
                match flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut plain) {
                    Ok(_) => bytes = plain,
                    Err(_) => bytes.clear(),
                }
            }
            let decoded = match path.as_str() {
                "/v1/traces" => ExportTraceServiceRequest::decode(&bytes[..]).map(|r| {
                    state.traces.push(r);
                    ExportTraceServiceResponse::default().encode_to_vec()
                }),
                "/v1/metrics" => ExportMetricsServiceRequest::decode(&bytes[..]).map(|r| {
                    state.metrics.push(r);
                    ExportMetricsServiceResponse::default().encode_to_vec()
                }),
                _ => ExportLogsServiceRequest::decode(&bytes[..]).map(|r| {
                    state.logs.push(r);
                    ExportLogsServiceResponse::default().encode_to_vec()
                }),
            };
            match decoded {
                Ok(answer) => (200, answer),
                Err(_) => refuse(400, "the body is not the signal's protobuf request"),
            }
        };
    state.exchanges.push(Exchange {
        path: path.clone(),
        status,
        content_type: content_type.clone(),
        gzip,
    });
    let kind = if status == 200 {
        "application/x-protobuf"
    } else {
        "text/plain"
    };
    Ok(reply(status, kind, answer))
}
