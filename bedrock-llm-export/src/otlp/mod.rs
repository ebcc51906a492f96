//! OTLP delivery (feature `otlp`): OpenTelemetry SDK tracer, meter and logger providers that
//! export over OTLP/HTTP with protobuf bodies, ready to hand to
//! [`bedrock_llm_events::GenAiTelemetry`].
//!
//! The standard variables are honoured by the exporters themselves:
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (a base URL: `/v1/traces`, `/v1/metrics`, `/v1/logs` are
//! appended), the per-signal `OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT` (used as is),
//! `OTEL_EXPORTER_OTLP_HEADERS` (`api-key=…` for New Relic), `OTEL_EXPORTER_OTLP_TIMEOUT`,
//! `OTEL_EXPORTER_OTLP_COMPRESSION` (`gzip`); the resource takes `OTEL_SERVICE_NAME` and
//! `OTEL_RESOURCE_ATTRIBUTES`.
//! `OTEL_EXPORTER_OTLP_PROTOCOL` may be `http/protobuf` (the default); the other protocols are
//! not compiled in, and asking for one is an error rather than a silent switch.
//!
//! Requests go through this crate's hyper + rustls client on a small runtime of the pipeline's
//! own: the SDK's batch processors export from plain threads, which have no async runtime.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry_otlp::{WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;

use bedrock_llm_events::GenAiTelemetry;

mod client;
mod gauges;

pub use client::OtlpStats;
use client::SpawningClient;

/// The default timeout of one attempt (the specification's 10 s).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an export is retried when `OTEL_EXPORTER_OTLP_TIMEOUT` does not say: long enough
/// to ride out a short outage, within the SDK processors' 30-second export timeout.
const DEFAULT_RETRY_WINDOW: Duration = Duration::from_secs(25);

/// The largest response body read from a receiver.
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// Why an OTLP pipeline could not be set up or shut down.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OtlpError {
    /// `OTEL_EXPORTER_OTLP_PROTOCOL` names a protocol this build does not have.
    #[error(
        "OTEL_EXPORTER_OTLP_PROTOCOL={0:?} is not supported by this build; use `http/protobuf` (or unset it)"
    )]
    Protocol(String),
    /// The runtime that carries the requests could not start.
    #[error("the export runtime could not start: {0}")]
    Runtime(String),
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be set up: {0}")]
    Http(#[from] crate::http::SendError),
    /// An exporter rejected its configuration (an invalid endpoint or header).
    #[error("the OTLP {signal} exporter could not be built: {message}")]
    Exporter {
        /// `traces`, `metrics` or `logs`.
        signal: &'static str,
        /// The exporter's own message.
        message: String,
    },
    /// Shutting down did not deliver everything.
    #[error("OTLP shutdown: {0}")]
    Shutdown(String),
}

/// What the pipeline is built with, beyond the environment.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct OtlpOptions {
    /// A base URL overriding `OTEL_EXPORTER_OTLP_ENDPOINT` (signal paths are appended).
    pub endpoint: Option<String>,
    /// `service.name` when neither `OTEL_SERVICE_NAME` nor `OTEL_RESOURCE_ATTRIBUTES` sets one.
    pub default_service_name: Option<String>,
    /// More resource attributes (e.g. `cloud.provider`, `cloud.region`, `cloud.account.id`).
    pub resource: Vec<KeyValue>,
}

impl OtlpOptions {
    /// Sends to the base URL `endpoint` instead of the environment's.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Names the service when the environment does not.
    pub fn default_service_name(mut self, name: impl Into<String>) -> Self {
        self.default_service_name = Some(name.into());
        self
    }

    /// Adds a resource attribute.
    pub fn resource_attribute(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.resource.push(KeyValue::new(key, value.into()));
        self
    }
}

/// OTLP providers for the three signals, and the runtime their requests run on.
pub struct OtlpPipeline {
    tracer_provider: SdkTracerProvider,
    meter_provider: SdkMeterProvider,
    logger_provider: SdkLoggerProvider,
    resource: Resource,
    /// What the receiver did with the data sent so far.
    stats: Arc<OtlpStats>,
    /// `OTEL_EXPORTER_OTLP_TIMEOUT`: the most one export may take, retries included.
    export_timeout: Duration,
    /// Kept for the providers' lifetime; shut down without blocking when dropped.
    runtime: Option<tokio::runtime::Runtime>,
    /// The exporters' client, for requests written here (dated gauges).
    http: SpawningClient,
    /// The `--endpoint` base, when one was given.
    endpoint: Option<String>,
}

impl std::fmt::Debug for OtlpPipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtlpPipeline")
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

/// How long one export may take, attempts and retries together: `OTEL_EXPORTER_OTLP_TIMEOUT`
/// (milliseconds) when set, else [`DEFAULT_RETRY_WINDOW`]; and the timeout of one attempt
/// (the variable, else the specification's 10 s).
fn timeouts_from_env() -> (Duration, Duration) {
    let set = std::env::var("OTEL_EXPORTER_OTLP_TIMEOUT")
        .ok()
        .and_then(|ms| ms.trim().parse::<u64>().ok())
        .map(Duration::from_millis);
    match set {
        Some(timeout) => (timeout, timeout),
        None => (DEFAULT_RETRY_WINDOW, DEFAULT_TIMEOUT),
    }
}

impl OtlpPipeline {
    /// Providers configured from the environment alone.
    pub fn from_env() -> Result<Self, OtlpError> {
        Self::new(OtlpOptions::default())
    }

    /// Providers configured from the environment and `options`.
    pub fn new(options: OtlpOptions) -> Result<Self, OtlpError> {
        for variable in [
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
            "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
        ] {
            if let Ok(protocol) = std::env::var(variable)
                && !matches!(protocol.trim(), "" | "http/protobuf")
            {
                return Err(OtlpError::Protocol(protocol));
            }
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("bedrock-llm-otlp")
            .enable_all()
            .build()
            .map_err(|e| OtlpError::Runtime(e.to_string()))?;
        let client = {
            // The connector's pool is bound to the runtime it is made in.
            let _entered = runtime.enter();
            crate::http::HttpClient::new()?
        };
        let stats = Arc::new(OtlpStats::default());
        let (export_timeout, attempt_timeout) = timeouts_from_env();
        let http = SpawningClient {
            client,
            runtime: runtime.handle().clone(),
            timeout: attempt_timeout,
            retry_window: export_timeout,
            stats: stats.clone(),
            breaker: Arc::default(),
        };
        let resource = resource(&options);
        let endpoint = |path: &str| {
            options
                .endpoint
                .as_ref()
                .map(|base| format!("{}/{path}", base.trim_end_matches('/')))
        };
        let exporter_error = |signal| {
            move |e: opentelemetry_otlp::ExporterBuildError| OtlpError::Exporter {
                signal,
                message: crate::http::redact_userinfo(&e.to_string()),
            }
        };

        let mut spans = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_http_client(http.clone());
        if let Some(url) = endpoint("v1/traces") {
            spans = spans.with_endpoint(url);
        }
        let spans = spans.build().map_err(exporter_error("traces"))?;

        let mut metrics = opentelemetry_otlp::MetricExporter::builder()
            .with_http()
            .with_http_client(http.clone());
        if let Some(url) = endpoint("v1/metrics") {
            metrics = metrics.with_endpoint(url);
        }
        let metrics = metrics.build().map_err(exporter_error("metrics"))?;

        let mut logs = opentelemetry_otlp::LogExporter::builder()
            .with_http()
            .with_http_client(http.clone());
        if let Some(url) = endpoint("v1/logs") {
            logs = logs.with_endpoint(url);
        }
        let logs = logs.build().map_err(exporter_error("logs"))?;

        Ok(Self {
            tracer_provider: SdkTracerProvider::builder()
                .with_resource(resource.clone())
                .with_id_generator(DerivedIds::default())
                .with_batch_exporter(spans)
                .build(),
            meter_provider: SdkMeterProvider::builder()
                .with_resource(resource.clone())
                .with_periodic_exporter(metrics)
                .build(),
            logger_provider: SdkLoggerProvider::builder()
                .with_resource(resource.clone())
                .with_batch_exporter(logs)
                .build(),
            resource,
            stats,
            export_timeout,
            runtime: Some(runtime),
            http,
            endpoint: options.endpoint.clone(),
        })
    }

    /// Sends metric points read from CloudWatch as gauges dated at their periods' starts (the
    /// SDK would date them at export), through the pipeline's client: retried, counted, and a
    /// refusal said.
    pub fn send_dated_gauges(
        &self,
        points: &[bedrock_llm_events::pulled::MetricPoint],
    ) -> Result<(), OtlpError> {
        use opentelemetry_http::HttpClient as _;
        let Some(runtime) = &self.runtime else {
            return Err(OtlpError::Runtime("the pipeline is shut down".into()));
        };
        let url = gauges::endpoint(self.endpoint.as_deref());
        for chunk in points.chunks(5_000) {
            let mut request = http::Request::post(&url)
                .header(http::header::CONTENT_TYPE, "application/x-protobuf")
                .body(gauges::request(chunk, &self.resource))
                .map_err(|e| OtlpError::Runtime(format!("bad OTLP metrics URL {url}: {e}")))?;
            for (key, value) in gauges::headers() {
                if let (Ok(key), Ok(value)) = (
                    http::HeaderName::from_bytes(key.as_bytes()),
                    http::HeaderValue::from_str(&value),
                ) {
                    request.headers_mut().insert(key, value);
                }
            }
            let answer = runtime
                .block_on(self.http.send_bytes(request))
                .map_err(|e| OtlpError::Runtime(e.to_string()))?;
            if !answer.status().is_success() {
                return Err(OtlpError::Runtime(format!(
                    "POST {} answered {}",
                    crate::http::redact_userinfo(&url),
                    answer.status()
                )));
            }
        }
        Ok(())
    }

    /// What the receiver did with the data sent so far: accepted, rejected, lost, per signal.
    pub fn stats(&self) -> &Arc<OtlpStats> {
        &self.stats
    }

    /// Signals for invocations through these providers: spans, metrics, content events.
    pub fn telemetry(&self) -> GenAiTelemetry {
        GenAiTelemetry::new()
            .with_tracer_provider(&self.tracer_provider)
            .with_meter_provider(&self.meter_provider)
            .with_logger_provider(&self.logger_provider)
    }

    /// The tracer provider (to install globally, or under `tracing-opentelemetry`).
    pub fn tracer_provider(&self) -> &SdkTracerProvider {
        &self.tracer_provider
    }

    /// The meter provider.
    pub fn meter_provider(&self) -> &SdkMeterProvider {
        &self.meter_provider
    }

    /// The logger provider.
    pub fn logger_provider(&self) -> &SdkLoggerProvider {
        &self.logger_provider
    }

    /// The resource every signal carries.
    pub fn resource(&self) -> &Resource {
        &self.resource
    }

    /// Exports the spans and log records waiting in the batch processors (metrics are
    /// exported on their period and at shutdown). Blocks until the exports end; call it from
    /// a thread that may block.
    pub fn flush(&self) -> Result<(), OtlpError> {
        let traces = self.tracer_provider.force_flush();
        let logs = self.logger_provider.force_flush();
        traces
            .and(logs)
            .map_err(|e| OtlpError::Shutdown(crate::http::redact_userinfo(&e.to_string())))
    }

    /// Delivers what is pending (spans, log records, the metrics' last collection) and stops
    /// the providers. Blocks; call it from a thread that may block.
    pub fn shutdown(mut self) -> Result<(), OtlpError> {
        // Long enough for a request retrying through an outage (within the export timeout).
        let timeout = self.export_timeout + Duration::from_secs(5);
        let results = [
            (
                "traces",
                self.tracer_provider.shutdown_with_timeout(timeout),
            ),
            (
                "metrics",
                self.meter_provider.shutdown_with_timeout(timeout),
            ),
            ("logs", self.logger_provider.shutdown_with_timeout(timeout)),
        ];
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
        let failed: Vec<String> = results
            .into_iter()
            .filter_map(|(signal, result)| result.err().map(|e| format!("{signal}: {e}")))
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(OtlpError::Shutdown(crate::http::redact_userinfo(
                &failed.join("; "),
            )))
        }
    }
}

impl Drop for OtlpPipeline {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics inside another runtime.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The resource: the environment's (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, the
/// SDK's own), then `options`' attributes, and the default service name if none is set.
fn resource(options: &OtlpOptions) -> Resource {
    let from_env = Resource::builder().build();
    let unnamed = from_env
        .get(&opentelemetry::Key::from_static_str("service.name"))
        .is_none_or(|name| name.as_str().starts_with("unknown_service"));
    let mut builder = Resource::builder().with_attributes(options.resource.iter().cloned());
    if unnamed && let Some(name) = &options.default_service_name {
        builder = builder.with_service_name(name.clone());
    }
    builder.build()
}

/// The pipeline's span ids: a replayed record's derived ids where
/// [`GenAiTelemetry::record_with_ids`](bedrock_llm_events::GenAiTelemetry::record_with_ids) set
/// them (so its span names the trace and span its New Relic events name, and a re-delivery
/// repeats them), random ones otherwise.
#[derive(Debug, Default)]
struct DerivedIds {
    random: opentelemetry_sdk::trace::RandomIdGenerator,
}

impl opentelemetry_sdk::trace::IdGenerator for DerivedIds {
    fn new_trace_id(&self) -> opentelemetry::trace::TraceId {
        bedrock_llm_events::PresetIds
            .take_trace_id()
            .unwrap_or_else(|| self.random.new_trace_id())
    }

    fn new_span_id(&self) -> opentelemetry::trace::SpanId {
        bedrock_llm_events::PresetIds
            .take_span_id()
            .unwrap_or_else(|| self.random.new_span_id())
    }
}
