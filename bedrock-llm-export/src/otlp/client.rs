//! The OTLP exporters' HTTP client: the crate's client on the pipeline's runtime, retrying as
//! the OTLP specification asks (429, 502, 503, 504 and connection failures, with exponential
//! backoff and jitter, honouring `Retry-After` up to a ceiling, within the export timeout) and
//! counting
//! what each request carried — spans, log records, metric points — by what the receiver did
//! with it: accepted, rejected (a 4xx, or a partial success's rejected count), or lost (still
//! failing at the deadline).

use std::io::Read as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::BodyExt as _;
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::metrics::v1::metric::Data;
use prost::Message as _;

use super::MAX_ANSWER_BYTES;

/// The first retry's delay; each retry doubles it (with jitter).
const INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// The longest wait between attempts, a server's `Retry-After` included.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the receiver did with the data, by signal.
#[derive(Debug, Default)]
pub struct OtlpStats {
    counts: [[AtomicU64; 3]; 3],
    requests: AtomicU64,
    retries: AtomicU64,
    /// The last export that did not get through, as a sentence.
    failure: std::sync::Mutex<Option<String>>,
}

/// Spans, log records, metric points.
#[derive(Debug, Clone, Copy)]
enum Signal {
    Spans = 0,
    Logs = 1,
    Points = 2,
}

/// Accepted, rejected, lost.
#[derive(Debug, Clone, Copy)]
enum Fate {
    Accepted = 0,
    Rejected = 1,
    Lost = 2,
}

impl OtlpStats {
    fn add(&self, signal: Signal, fate: Fate, n: u64) {
        self.counts[signal as usize][fate as usize].fetch_add(n, Ordering::Relaxed);
    }

    fn get(&self, signal: Signal, fate: Fate) -> u64 {
        self.counts[signal as usize][fate as usize].load(Ordering::Relaxed)
    }

    /// Spans the receiver accepted.
    pub fn spans_accepted(&self) -> u64 {
        self.get(Signal::Spans, Fate::Accepted)
    }

    /// Log records the receiver accepted.
    pub fn logs_accepted(&self) -> u64 {
        self.get(Signal::Logs, Fate::Accepted)
    }

    /// Metric data points the receiver accepted.
    pub fn points_accepted(&self) -> u64 {
        self.get(Signal::Points, Fate::Accepted)
    }

    /// Spans, log records and points the receiver refused (a 4xx, a partial success).
    pub fn rejected(&self) -> u64 {
        (0..3)
            .map(|s| self.counts[s][Fate::Rejected as usize].load(Ordering::Relaxed))
            .sum()
    }

    /// Spans, log records and points still undelivered when their request's time was up.
    pub fn lost(&self) -> u64 {
        (0..3)
            .map(|s| self.counts[s][Fate::Lost as usize].load(Ordering::Relaxed))
            .sum()
    }

    /// The last export refused or lost: where it went and what came back (`POST
    /// http://collector:4318/v1/traces answered 503 Service Unavailable`, `… failed: connection
    /// refused`).
    pub fn last_failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn note_failure(&self, failure: String) {
        *self
            .failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(failure);
    }

    /// Requests made, retries included.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Requests that were retries.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }
}

/// The crate's HTTP client as the OTLP exporters' client: each request runs on the
/// pipeline's runtime, so an exporter may be driven from any thread.
#[derive(Debug, Clone)]
pub(super) struct SpawningClient {
    pub(super) client: crate::http::HttpClient,
    pub(super) runtime: tokio::runtime::Handle,
    /// One attempt's timeout.
    pub(super) timeout: Duration,
    /// How long a request is tried, attempts and waits together.
    pub(super) retry_window: Duration,
    pub(super) stats: Arc<OtlpStats>,
    pub(super) breaker: Arc<std::sync::Mutex<Breaker>>,
}

/// Exports lost in a row, and until when no attempt is made.
#[derive(Debug, Default)]
pub(super) struct Breaker {
    lost_in_a_row: u32,
    open_until: Option<Instant>,
}

/// Exports lost in a row (every retry failed) before the endpoint is left alone.
const BREAKER_THRESHOLD: u32 = 3;
/// How long an open breaker keeps exports from trying.
const BREAKER_COOLDOWN: Duration = Duration::from_secs(30);

impl Breaker {
    fn is_open(&self) -> bool {
        self.open_until.is_some_and(|until| Instant::now() < until)
    }

    /// Counts an export's end: a lost one towards opening, any answer closes it.
    fn note(&mut self, lost: bool) {
        if !lost {
            *self = Self::default();
            return;
        }
        self.lost_in_a_row += 1;
        if self.lost_in_a_row >= BREAKER_THRESHOLD {
            self.open_until = Some(Instant::now() + BREAKER_COOLDOWN);
            tracing::warn!(
                cooldown = ?BREAKER_COOLDOWN,
                "bedrock-llm: the OTLP endpoint lost {} exports in a row; not trying for a while",
                self.lost_in_a_row
            );
        }
    }
}

/// What one attempt came to: an answer, or no answer.
enum Attempt {
    Answer(Response<Bytes>),
    Failed(crate::http::SendError),
}

impl SpawningClient {
    async fn attempt(&self, request: Request<Bytes>) -> Attempt {
        let client = self.client.clone();
        let timeout = self.timeout;
        let exchange = async move {
            let response = tokio::time::timeout(timeout, client.send(request))
                .await
                .map_err(|_| crate::http::SendError::Timeout(timeout))??;
            let (head, body) = response.into_parts();
            let limited = http_body_util::Limited::new(body, MAX_ANSWER_BYTES);
            let bytes = tokio::time::timeout(timeout, limited.collect())
                .await
                .map_err(|_| crate::http::SendError::Timeout(timeout))?
                .map_err(|e| crate::http::SendError::Connection(e.to_string()))?
                .to_bytes();
            Ok::<_, crate::http::SendError>(Response::from_parts(head, bytes))
        };
        match self.runtime.spawn(exchange).await {
            Ok(Ok(response)) => Attempt::Answer(response),
            Ok(Err(error)) => Attempt::Failed(error),
            Err(error) => Attempt::Failed(crate::http::SendError::Connection(error.to_string())),
        }
    }
}

/// How long to wait before attempt `attempt + 1`: exponential with jitter, at least the
/// server's `Retry-After`, never more than [`MAX_BACKOFF`].
fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    let exponential = INITIAL_BACKOFF
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    let jittered = exponential.mul_f64(0.5 + fastrand::f64() * 0.5);
    retry_after
        .map_or(jittered, |after| after.max(jittered))
        .min(MAX_BACKOFF)
}

fn retry_after(response: &Response<Bytes>) -> Option<Duration> {
    crate::http::retry_after_seconds(response.headers().get(http::header::RETRY_AFTER)?)
}

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for SpawningClient {
    async fn send_bytes(
        &self,
        request: Request<Bytes>,
    ) -> Result<Response<Bytes>, opentelemetry_http::HttpError> {
        let (head, body) = request.into_parts();
        let carried = carried(head.uri.path(), &head.headers, &body);
        let target = crate::http::redact_userinfo(&head.uri.to_string());
        let count = |fate: Fate| {
            if let Some((signal, n)) = carried {
                self.stats.add(signal, fate, n);
            }
        };
        let breaker = |lost: bool| {
            self.breaker
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .note(lost);
        };
        if self
            .breaker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_open()
        {
            // A dead endpoint is not hammered: the data is counted lost at once.
            count(Fate::Lost);
            return Err(
                "the OTLP endpoint lost several exports in a row; not trying for a while".into(),
            );
        }
        // `OTEL_EXPORTER_OTLP_TIMEOUT` is, by the specification, the most one export may take:
        // attempts and the waits between them together.
        let deadline = Instant::now() + self.retry_window;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            if attempt > 1 {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
            }
            let request = Request::from_parts(head.clone(), body.clone());
            let (answer, after) = match self.attempt(request).await {
                Attempt::Answer(response) => {
                    let status = response.status().as_u16();
                    if (200..300).contains(&status) {
                        if let Some((signal, n)) = carried {
                            let rejected = rejected_of(signal, response.body()).min(n);
                            self.stats.add(signal, Fate::Accepted, n - rejected);
                            self.stats.add(signal, Fate::Rejected, rejected);
                        }
                        breaker(false);
                        return Ok(response);
                    }
                    if !matches!(status, 429 | 502 | 503 | 504) {
                        // The receiver refused the data itself: sending it again cannot help.
                        tracing::warn!(
                            status = %response.status(),
                            path = head.uri.path(),
                            "bedrock-llm: the OTLP receiver refused data; not retried"
                        );
                        count(Fate::Rejected);
                        self.stats
                            .note_failure(format!("POST {target} answered {}", response.status()));
                        breaker(false);
                        return Ok(response);
                    }
                    let after = retry_after(&response);
                    (Ok(response), after)
                }
                Attempt::Failed(error) => (Err(error), None),
            };
            let wait = backoff(attempt, after);
            if Instant::now() + wait >= deadline {
                count(Fate::Lost);
                self.stats.note_failure(match &answer {
                    Ok(response) => format!("POST {target} answered {}", response.status()),
                    Err(error) => format!("POST {target} failed: {error}"),
                });
                breaker(true);
                return answer.map_err(|error| Box::new(error) as opentelemetry_http::HttpError);
            }
            tracing::debug!(attempt, ?wait, "bedrock-llm: retrying an OTLP export");
            // The SDK's processors call from plain threads: the wait runs on the runtime.
            let _ = self
                .runtime
                .spawn(async move { tokio::time::sleep(wait).await })
                .await;
        }
    }
}

/// What a request carries: its signal and how many items, decoded from the body (gzipped or
/// not). `None` for a body that does not decode.
fn carried(path: &str, headers: &http::HeaderMap, body: &Bytes) -> Option<(Signal, u64)> {
    let gzipped = headers
        .get(http::header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let plain;
    let bytes: &[u8] = if gzipped {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(body.as_ref())
            .read_to_end(&mut out)
            .ok()?;
        plain = out;
        &plain
    } else {
        body
    };
    if path.ends_with("/v1/traces") {
        let request = ExportTraceServiceRequest::decode(bytes).ok()?;
        let n = request
            .resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .map(|s| s.spans.len() as u64)
            .sum();
        Some((Signal::Spans, n))
    } else if path.ends_with("/v1/logs") {
        let request = ExportLogsServiceRequest::decode(bytes).ok()?;
        let n = request
            .resource_logs
            .iter()
            .flat_map(|r| &r.scope_logs)
            .map(|s| s.log_records.len() as u64)
            .sum();
        Some((Signal::Logs, n))
    } else if path.ends_with("/v1/metrics") {
        let request = ExportMetricsServiceRequest::decode(bytes).ok()?;
        let n = request
            .resource_metrics
            .iter()
            .flat_map(|r| &r.scope_metrics)
            .flat_map(|s| &s.metrics)
            .map(|m| match &m.data {
                Some(Data::Histogram(h)) => h.data_points.len() as u64,
                Some(Data::Gauge(g)) => g.data_points.len() as u64,
                Some(Data::Sum(s)) => s.data_points.len() as u64,
                Some(Data::ExponentialHistogram(h)) => h.data_points.len() as u64,
                Some(Data::Summary(s)) => s.data_points.len() as u64,
                None => 0,
            })
            .sum();
        Some((Signal::Points, n))
    } else {
        None
    }
}

/// The rejected count of a partial success in a 2xx answer's body.
fn rejected_of(signal: Signal, body: &Bytes) -> u64 {
    let rejected = match signal {
        Signal::Spans => ExportTraceServiceResponse::decode(body.as_ref())
            .ok()
            .and_then(|r| r.partial_success)
            .map(|p| p.rejected_spans),
        Signal::Logs => ExportLogsServiceResponse::decode(body.as_ref())
            .ok()
            .and_then(|r| r.partial_success)
            .map(|p| p.rejected_log_records),
        Signal::Points => ExportMetricsServiceResponse::decode(body.as_ref())
            .ok()
            .and_then(|r| r.partial_success)
            .map(|p| p.rejected_data_points),
    };
    rejected.and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_http::HttpClient as _;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

    /// A dead endpoint opens the breaker after three lost exports: the next ones make no
    /// request and count their spans lost at once.
    #[test]
    fn a_dead_endpoint_opens_the_breaker() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = {
            let _entered = runtime.enter();
            SpawningClient {
                client: crate::http::HttpClient::new().unwrap(),
                runtime: runtime.handle().clone(),
                timeout: Duration::from_millis(200),
                retry_window: Duration::from_millis(300),
                stats: Arc::default(),
                breaker: Arc::default(),
            }
        };
        let body = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                scope_spans: vec![ScopeSpans {
                    spans: vec![Span::default(), Span::default()],
                    ..ScopeSpans::default()
                }],
                ..ResourceSpans::default()
            }],
        }
        .encode_to_vec();
        let send = || {
            let request = Request::post(format!("http://127.0.0.1:{port}/v1/traces"))
                .body(Bytes::from(body.clone()))
                .unwrap();
            futures_executor(client.send_bytes(request))
        };
        for _ in 0..3 {
            assert!(send().is_err());
        }
        let requests = client.stats.requests();
        assert!(requests >= 3);
        for _ in 0..2 {
            assert!(send().is_err());
        }
        assert_eq!(client.stats.requests(), requests, "no request while open");
        assert_eq!(
            client.stats.lost(),
            10,
            "five exports of two spans, all lost"
        );
    }

    /// Drives `future` on this thread, as the SDK's processors do.
    fn futures_executor<F: std::future::Future>(future: F) -> F::Output {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(future)
    }
}
