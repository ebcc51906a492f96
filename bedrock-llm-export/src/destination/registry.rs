//! The registration point: every destination this crate builds, by the name `--to` gives it,
//! and what opening one takes. A new backend is one more line in [`registered`].

use bedrock_llm_events::Config;

use super::{Destination, ElasticsearchDestination, LineFormat, Lines, NewRelicDestination};
use crate::ExportError;

/// What opening a destination may read besides the environment.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// How calls are rendered: content in or out.
    pub config: Config,
    /// A base URL replacing the backend's own (a local receiver, a proxy).
    pub endpoint: Option<String>,
    /// The line format (`stdout`).
    pub line_format: LineFormat,
    /// Runtime-metric documents to write with the lines (`stdout`).
    pub runtime_format: Option<super::RuntimeFormat>,
    /// `service.name` when the environment names none (`otlp`).
    pub service_name: String,
    /// The Region of the resource when calls do not say (`otlp`, live calls).
    pub region: Option<String>,
    /// Events waiting for delivery at most (`newrelic`): a live harvest drops the oldest
    /// beyond, replay waits for room.
    pub max_pending_events: usize,
}

impl Settings {
    /// Defaults: content as `config` says, New Relic lines, no endpoint override.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            endpoint: None,
            line_format: LineFormat::NewRelic,
            runtime_format: None,
            service_name: "bedrock-llm".to_owned(),
            region: None,
            max_pending_events: 100_000,
        }
    }

    /// With the backend's URL replaced by `endpoint`.
    pub fn with_endpoint(mut self, endpoint: Option<String>) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// With lines in `format`, and runtime metrics as `runtime` documents.
    pub fn with_lines(mut self, format: LineFormat, runtime: Option<super::RuntimeFormat>) -> Self {
        self.line_format = format;
        self.runtime_format = runtime;
        self
    }

    /// With `service.name` defaulting to `name` and the resource's Region to `region`.
    pub fn with_service(mut self, name: impl Into<String>, region: Option<String>) -> Self {
        self.service_name = name.into();
        self.region = region;
        self
    }
}

/// A destination this crate can open by name.
#[derive(Debug, Clone, Copy)]
pub struct Registration {
    /// Its name, as `--to` spells it.
    pub name: &'static str,
    /// One line on what it is and what configures it.
    pub about: &'static str,
    /// Opens it from the environment and `settings`.
    pub open: fn(&Settings) -> Result<Box<dyn Destination>, ExportError>,
}

/// Every destination, in the order `--to` lists them.
pub fn registered() -> &'static [Registration] {
    &[
        Registration {
            name: "stdout",
            about: "NDJSON on standard output, in the chosen format",
            open: |settings| {
                Ok(Box::new(
                    Lines::stdout(settings.line_format, settings.config.clone())
                        .with_runtime_metrics(settings.runtime_format),
                ))
            },
        },
        Registration {
            name: "newrelic",
            about: "New Relic's Event API (events) and Metric API (metrics); NEW_RELIC_LICENSE_KEY and NEW_RELIC_ACCOUNT_ID",
            open: open_newrelic,
        },
        Registration {
            name: "elasticsearch",
            about: "Elasticsearch's Bulk API into the aws_bedrock data streams; ELASTICSEARCH_URL or ELASTIC_CLOUD_ID, ELASTIC_API_KEY or ELASTICSEARCH_USERNAME/PASSWORD",
            open: open_elasticsearch,
        },
        #[cfg(feature = "otlp")]
        Registration {
            name: "otlp",
            about: "OpenTelemetry over OTLP/HTTP: a client span per call, the GenAI client metrics and (content on) content events; OTEL_EXPORTER_OTLP_* and OTEL_SERVICE_NAME",
            open: open_otlp,
        },
    ]
}

/// Opens the destination named `name`.
pub fn open(name: &str, settings: &Settings) -> Result<Box<dyn Destination>, ExportError> {
    match registered().iter().find(|r| r.name == name) {
        Some(registration) => (registration.open)(settings),
        None => Err(ExportError::Unknown(format!(
            "no destination `{name}`; there are {}",
            registered()
                .iter()
                .map(|r| r.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn open_newrelic(settings: &Settings) -> Result<Box<dyn Destination>, ExportError> {
    let mut config = crate::NewRelicConfig::from_env()?;
    if let Some(endpoint) = &settings.endpoint {
        config = config.endpoint(endpoint);
    }
    Ok(Box::new(NewRelicDestination::from_config(
        config,
        settings.config.clone(),
        settings.max_pending_events,
        60,
    )?))
}

#[cfg(feature = "otlp")]
fn open_otlp(settings: &Settings) -> Result<Box<dyn Destination>, ExportError> {
    let mut options = crate::otlp::OtlpOptions::default()
        .default_service_name(settings.service_name.clone())
        .resource_attribute("cloud.provider", "aws");
    if let Some(endpoint) = &settings.endpoint {
        options = options.endpoint(endpoint.clone());
    }
    if let Some(region) = &settings.region {
        options = options.resource_attribute("cloud.region", region.clone());
    }
    let destination = super::OtlpDestination::new(options, settings.config.clone())
        .map_err(|e| ExportError::Unknown(e.to_string()))?;
    Ok(Box::new(destination))
}

fn open_elasticsearch(settings: &Settings) -> Result<Box<dyn Destination>, ExportError> {
    let config = crate::elastic::ElasticConfig::from_env(settings.endpoint.as_deref())
        .map_err(|e| ExportError::Unknown(e.to_string()))?;
    Ok(Box::new(ElasticsearchDestination::new(
        config,
        settings.config.clone(),
    )?))
}
