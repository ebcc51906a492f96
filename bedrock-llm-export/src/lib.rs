//! Delivery: the data leaves the process.
//!
//! - [`destination`]: the [`Destination`](destination::Destination) trait every backend implements — stdout lines in a
//!   format, New Relic, OTLP (feature `otlp`), or one of your own — with [`Fanout`](destination::Fanout) for several
//!   at once, the registration list `--to` reads, and the library's replay driver.
//! - [`Harvester`] (a tokio task) and [`BlockingHarvester`] (its own thread) drain a
//!   [`Recorder`](bedrock_llm_events::Recorder) every 5 s by default and hand the harvest to
//!   their destinations; `flush()` and `shutdown(timeout)` deliver what is pending.
//! - [`NewRelicExporter`] sends LLM events to the Event API and metrics to the Metric API:
//!   gzip bodies within the 10^6-byte limit (split before sending, halved again on a 413),
//!   retries with exponential backoff and jitter on connection errors, timeouts, 408, 429
//!   (honouring `Retry-After`) and 5xx; a 400 or 403 drops the batch once, with one log line.
//! - [`elastic`]: Elasticsearch's Bulk API (data streams, `create`, gzip, per-item retries) and
//!   index templates for clusters without Elastic's Amazon Bedrock integration.
//! - `otlp` (feature `otlp`): OpenTelemetry providers exporting spans, GenAI metrics and content
//!   events over OTLP/HTTP, configured by the standard `OTEL_EXPORTER_OTLP_*` variables.
//! - [`payload`]: how events, error reports (`LlmError` events) and metrics are written for
//!   the APIs, and the 4096-character value limit.
//!
//! Two lines ship a live client's events:
//!
//! ```no_run
//! # async fn run(recorder: std::sync::Arc<bedrock_llm_events::Recorder>) -> Result<(), bedrock_llm_export::ExportError> {
//! use bedrock_llm_export::{Harvester, HarvestOptions, NewRelicConfig, NewRelicExporter};
//!
//! let exporter = NewRelicExporter::new(NewRelicConfig::from_env()?)?;
//! let harvester = Harvester::spawn(recorder, exporter, HarvestOptions::default());
//! // … the application runs; before it exits:
//! let report = harvester.shutdown(std::time::Duration::from_secs(10)).await;
//! # let _ = report; Ok(()) }
//! ```
//!
//! ## Features
#![doc = document_features::document_features!()]

pub mod destination;
pub mod elastic;
mod harvester;
pub mod http;
mod newrelic;
#[cfg(feature = "otlp")]
pub mod otlp;
pub mod payload;
mod proxy;

pub use harvester::{BlockingHarvester, HarvestOptions, Harvester, IntoDestinations};
pub use newrelic::{
    ConfigError, DeliveryReport, NEW_RELIC_ENDPOINT_VAR, NewRelicConfig, NewRelicExporter, Region,
    Stats,
};

/// Why an exporter could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The configuration is incomplete or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be set up: {0}")]
    Http(#[from] http::SendError),
    /// A destination could not be opened (an unknown name, a bad OTLP configuration).
    #[error("{0}")]
    Unknown(String),
}
