//! `--to NAME` (repeatable) and `--endpoint [NAME=]URL`: the library's registered destinations,
//! opened by name — the CLI's only knowledge of which backends exist.

use bedrock_llm_export::destination::Fanout;
use bedrock_llm_export::destination::{DeliveryError, Settings, Shutdown, open, registered};

use crate::output::{Stop, note};

/// Where a command's output goes.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct DestinationArgs {
    /// Where to send the output; repeat for several at once (`--to newrelic --to otlp`), fed
    /// from one pass over the calls. `stdout`: NDJSON in --format. `newrelic`: the Event API
    /// (events) and Metric API (metrics), key and account from NEW_RELIC_LICENSE_KEY and
    /// NEW_RELIC_ACCOUNT_ID. `otlp`: OpenTelemetry over OTLP/HTTP (a client span per call,
    /// the GenAI client metrics and, unless --no-content, content events), configured by
    /// OTEL_EXPORTER_OTLP_* and OTEL_SERVICE_NAME.
    #[arg(long = "to", value_name = "DESTINATION", value_parser = destination_names())]
    pub(crate) to: Vec<String>,
    /// Send a destination to this base URL instead of its own: `NAME=URL` for one of several
    /// (`--endpoint newrelic=http://127.0.0.1:8080`), or a bare URL with one destination. For
    /// `newrelic` every API keeps its path (`/v1/accounts/{account}/events`, `/metric/v1`); for
    /// `otlp` it overrides OTEL_EXPORTER_OTLP_ENDPOINT (`/v1/traces`, `/v1/metrics`, `/v1/logs`
    /// are appended).
    #[arg(long, value_name = "[NAME=]URL")]
    pub(crate) endpoint: Vec<String>,
}

fn destination_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(registered().iter().map(|registration| {
        clap::builder::PossibleValue::new(registration.name).help(registration.about)
    }))
}

impl DestinationArgs {
    /// The destinations named, `stdout` when none is.
    pub(crate) fn names(&self) -> Vec<&str> {
        if self.to.is_empty() {
            vec!["stdout"]
        } else {
            self.to.iter().map(String::as_str).collect()
        }
    }

    /// Whether output goes to stdout (alone or beside others).
    pub(crate) fn has_stdout(&self) -> bool {
        self.names().contains(&"stdout")
    }

    /// The endpoint given for `name`, if any: `name=URL`, or a bare URL when `name` is the one
    /// destination.
    fn endpoint_for(&self, name: &str) -> Result<Option<String>, Stop> {
        let names = self.names();
        let mut found = None;
        for given in &self.endpoint {
            let named = given
                .split_once('=')
                .filter(|(prefix, _)| registered().iter().any(|r| r.name == *prefix));
            let (target, url) = match named {
                Some((target, url)) => (target, url),
                None if names.len() == 1 => (names[0], given.as_str()),
                None => {
                    return Err(format!(
                        "--endpoint {}: with several destinations, name the one it is for (--endpoint NAME=URL)",
                        bedrock_llm_export::http::redact_userinfo(given)
                    )
                    .into());
                }
            };
            if !names.contains(&target) {
                return Err(format!(
                    "--endpoint {}: `{target}` is not one of --to",
                    bedrock_llm_export::http::redact_userinfo(given)
                )
                .into());
            }
            if target == name {
                found = Some(url.to_owned());
            }
        }
        Ok(found)
    }

    /// Opens every destination named, each with its endpoint, from `settings`.
    pub(crate) fn open(&self, settings: &Settings) -> Result<Fanout, Stop> {
        let mut destinations = Vec::new();
        let names = self.names();
        for (at, name) in names.iter().enumerate() {
            if names[..at].contains(name) {
                return Err(format!("--to {name} is given twice").into());
            }
            let settings = settings.clone().with_endpoint(self.endpoint_for(name)?);
            destinations.push(
                open(name, &settings)
                    .map_err(|e| bedrock_llm_export::http::redact_userinfo(&e.to_string()))?,
            );
        }
        Ok(Fanout::new(destinations))
    }
}

/// How a run ends once its destinations are shut down: a reader that went away (`| head`)
/// ends it quietly, as a Unix tool would; else `first_line` (if any) and every destination's
/// summary go to stderr, and every failure — undelivered data, a destination that could not
/// finish, and `more` — is named in the error.
pub(crate) fn conclude(
    ended: &[Shutdown],
    first_line: Option<&str>,
    more: Vec<String>,
) -> Result<(), Stop> {
    if ended
        .iter()
        .any(|e| matches!(e.result, Err(DeliveryError::Closed)))
    {
        return Err(Stop::Closed);
    }
    if let Some(line) = first_line {
        note(line);
    }
    let mut failures = Vec::new();
    for each in ended {
        match &each.result {
            Ok(report) => {
                note(&each.summary);
                if !report.delivered() {
                    failures.push(format!(
                        "not everything could be delivered to {}",
                        each.name
                    ));
                }
            }
            Err(_) => failures.push(each.summary.clone()),
        }
    }
    failures.extend(more);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; ").into())
    }
}
