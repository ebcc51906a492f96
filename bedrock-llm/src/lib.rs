//! One crate to add, three lines to instrument: every AWS Bedrock Runtime call an SDK client
//! makes is recorded and shipped where the environment says — New Relic
//! (`NEW_RELIC_LICENSE_KEY`, `NEW_RELIC_ACCOUNT_ID`, optionally
//! `BEDROCK_LLM_NEW_RELIC_ENDPOINT`), OpenTelemetry over OTLP with the `otlp`
//! feature (`OTEL_EXPORTER_OTLP_ENDPOINT`, …) — by the settings the New Relic agents and the
//! OpenTelemetry SDKs read (`BEDROCK_LLM_ENABLED` or `NEW_RELIC_AI_MONITORING_ENABLED`,
//! content capture, …).
//!
//! ```no_run
//! # use aws_sdk_bedrockruntime::config::Builder;
//! # fn instrument<S>(aws: &S) -> Result<(), bedrock_llm::InitError>
//! # where for<'a> Builder: From<&'a S> {
//! // `aws`: `aws_config::defaults(…).http_client(bedrock_llm::http_client()).load().await`.
//! let bedrock = bedrock_llm::init_from_env()?;
//! let client = aws_sdk_bedrockruntime::Client::from_conf(
//!     Builder::from(aws).interceptor(bedrock.interceptor()).build(),
//! );
//! // … calls through `client` are recorded; dropping `bedrock` delivers what is pending.
//! # Ok(()) }
//! ```
//!
//! The pieces stay reachable: [`core`] (the record and the clients), [`models`] (the
//! prebuilt adapters), [`events`] (events, metrics, config) and [`export`] (destinations,
//! harvester).
//!
//! ## Features
#![doc = document_features::document_features!()]

use std::sync::Arc;
use std::time::Duration;

pub use bedrock_llm_core as core;
pub use bedrock_llm_events as events;
pub use bedrock_llm_export as export;
pub use bedrock_llm_models as models;

/// The HTTPS client (hyper, rustls with ring) for `aws_config::defaults(…).http_client(…)`: an
/// SDK built without its default TLS stack, so no aws-lc to compile.
pub use bedrock_llm_core::client::http_client;

use bedrock_llm_core::client::RecordingInterceptor;
use bedrock_llm_events::{Config, Recorder};
use bedrock_llm_export::destination::Destination;
use bedrock_llm_export::{BlockingHarvester, DeliveryReport, HarvestOptions};

pub use bedrock_llm_export::NEW_RELIC_ENDPOINT_VAR;

/// Why instrumentation could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// A setting has a value that cannot be used.
    #[error(transparent)]
    Config(#[from] bedrock_llm_events::ConfigError),
    /// A destination could not be set up from its settings.
    #[error("{name}: {source}")]
    Destination {
        /// The destination (`newrelic`, `otlp`).
        name: &'static str,
        /// What its settings lack.
        source: bedrock_llm_export::ExportError,
    },
    /// The delivery thread could not start.
    #[error("the delivery thread could not start: {0}")]
    Thread(#[from] std::io::Error),
}

/// Running instrumentation: the interceptor for an SDK client, and delivery in the background.
/// Dropping it delivers what is pending (up to 10 s); [`Bedrock::shutdown`] says what was.
pub struct Bedrock {
    recorder: Arc<Recorder>,
    interceptor: RecordingInterceptor,
    harvester: Option<BlockingHarvester>,
    destinations: Vec<&'static str>,
}

impl std::fmt::Debug for Bedrock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bedrock")
            .field("destinations", &self.destinations)
            .finish_non_exhaustive()
    }
}

/// Starts recording and delivery from the environment: the destinations whose settings are
/// present, the recording settings (`BEDROCK_LLM_ENABLED`, content capture, …). A destination
/// configured while recording is off is said loudly on stderr — it would otherwise get nothing.
pub fn init_from_env() -> Result<Bedrock, InitError> {
    let config = Config::from_env()?;
    let mut destinations: Vec<Box<dyn Destination>> = Vec::new();
    let settings = bedrock_llm_export::destination::Settings::new(config.clone());
    if std::env::var_os("NEW_RELIC_LICENSE_KEY").is_some() {
        destinations.push(open("newrelic", &settings)?);
    }
    if ["ELASTICSEARCH_URL", "ELASTIC_CLOUD_ID"]
        .iter()
        .any(|name| std::env::var_os(name).is_some())
    {
        destinations.push(open("elasticsearch", &settings)?);
    }
    #[cfg(feature = "otlp")]
    if [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some())
    {
        destinations.push(open("otlp", &settings)?);
    }
    let names: Vec<&'static str> = destinations.iter().map(|d| d.name()).collect();
    if !config.enabled && !names.is_empty() {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "bedrock-llm: {} configured, but recording is off: set BEDROCK_LLM_ENABLED=true (or NEW_RELIC_AI_MONITORING_ENABLED=true) to send Bedrock calls there",
            names.join(" and ")
        );
    }
    let fanout = bedrock_llm_export::destination::Fanout::new(destinations);
    let recorder = Arc::new(fanout.equip(Recorder::new(config)));
    let harvester = BlockingHarvester::spawn(recorder.clone(), fanout, HarvestOptions::default())?;
    let interceptor = RecordingInterceptor::new(
        Arc::new(bedrock_llm_models::new_registry()),
        recorder.clone(),
    );
    Ok(Bedrock {
        recorder,
        interceptor,
        harvester: Some(harvester),
        destinations: names,
    })
}

fn open(
    name: &'static str,
    settings: &bedrock_llm_export::destination::Settings,
) -> Result<Box<dyn Destination>, InitError> {
    bedrock_llm_export::destination::open(name, settings)
        .map_err(|source| InitError::Destination { name, source })
}

impl Bedrock {
    /// The interceptor to add to an SDK client's config: every call it makes is recorded.
    pub fn interceptor(&self) -> RecordingInterceptor {
        self.interceptor.clone()
    }

    /// The recorder, for feedback, custom attributes or a harvest of your own.
    pub fn recorder(&self) -> &Arc<Recorder> {
        &self.recorder
    }

    /// The destinations the environment configured (`newrelic`, `otlp`).
    pub fn destinations(&self) -> &[&'static str] {
        &self.destinations
    }

    /// Delivers what is recorded so far, and waits for it.
    pub fn flush(&self) {
        if let Some(harvester) = &self.harvester {
            let _ = off_async(|| harvester.flush());
        }
    }

    /// Delivers what is pending within `timeout`, stops, and reports.
    ///
    /// # Panics
    /// Only if delivery itself panicked (a bug), rather than report a loss as none.
    pub fn shutdown(mut self, timeout: Duration) -> DeliveryReport {
        match self.harvester.take() {
            // Asked for a report, the caller gets the panic rather than a report that would
            // claim nothing was lost.
            Some(harvester) => off_async(move || harvester.shutdown(timeout))
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => DeliveryReport::default(),
        }
    }
}

impl Drop for Bedrock {
    fn drop(&mut self) {
        if let Some(harvester) = self.harvester.take() {
            let _ = off_async(move || harvester.shutdown(Duration::from_secs(10)));
        }
    }
}

/// Runs `f` on a thread of its own: the delivery runtime blocks, which an async caller's
/// thread must not. A panic in delivery is said on stderr and handed back: `flush` and `Drop`
/// drop it — instrumentation never takes the application down, least of all from a `Drop`.
fn off_async<T: Send>(f: impl FnOnce() -> T + Send) -> std::thread::Result<T> {
    let outcome = std::thread::scope(|scope| scope.spawn(f).join());
    if outcome.is_err() {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "bedrock-llm: delivery failed unexpectedly; what was pending may be lost"
        );
    }
    outcome
}
