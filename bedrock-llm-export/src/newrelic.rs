//! The New Relic exporter: events to the Event API, metrics to the Metric API, gzip bodies
//! within the 10^6-byte limit, retries with exponential backoff and jitter on connection errors,
//! timeouts, 408, 429 (honouring `Retry-After`) and 5xx; a 413 splits the batch in halves; a
//! 400 or 403 drops the batch once, with one log line.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};

use crate::http::{HttpClient, SendError};
use crate::payload::{self, Identity, MAX_PAYLOAD_BYTES};

/// New Relic's data centers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// `insights-collector.newrelic.com`, `metric-api.newrelic.com`.
    Us,
    /// `insights-collector.eu01.nr-data.net`, `metric-api.eu.newrelic.com`.
    Eu,
    /// `gov-insights-collector.newrelic.com`, `gov-metric-api.newrelic.com`.
    FedRamp,
}

impl Region {
    /// The region a license key belongs to: EU keys start with `eu` (`eu01x…`).
    pub fn of_key(license_key: &str) -> Self {
        if license_key.trim().starts_with("eu") {
            Self::Eu
        } else {
            Self::Us
        }
    }

    /// The region of a collector host as the New Relic agents' `NEW_RELIC_HOST` names it
    /// (`collector.newrelic.com`, `collector.eu01.nr-data.net`, `gov-collector.newrelic.com`);
    /// `None` for any other host, which says nothing of where the Event API is.
    pub fn of_collector_host(host: &str) -> Option<Self> {
        let host = host.trim().trim_end_matches('/');
        let host = host.split_once("://").map_or(host, |(_, rest)| rest);
        let host = host
            .split([':', '/'])
            .next()
            .unwrap_or(host)
            .to_ascii_lowercase();
        if host.starts_with("gov-") && host.ends_with(".newrelic.com") {
            Some(Self::FedRamp)
        } else if host.ends_with(".eu01.nr-data.net") || host.ends_with(".eu.newrelic.com") {
            Some(Self::Eu)
        } else if host.ends_with(".newrelic.com") || host.ends_with(".nr-data.net") {
            Some(Self::Us)
        } else {
            None
        }
    }

    fn hosts(self) -> (&'static str, &'static str) {
        match self {
            Self::Us => (
                "https://insights-collector.newrelic.com",
                "https://metric-api.newrelic.com",
            ),
            Self::Eu => (
                "https://insights-collector.eu01.nr-data.net",
                "https://metric-api.eu.newrelic.com",
            ),
            Self::FedRamp => (
                "https://gov-insights-collector.newrelic.com",
                "https://gov-metric-api.newrelic.com",
            ),
        }
    }
}

/// A base URL replacing New Relic's Event and Metric API hosts (a proxy, a local receiver),
/// read by [`NewRelicConfig::from_env`].
pub const NEW_RELIC_ENDPOINT_VAR: &str = "BEDROCK_LLM_NEW_RELIC_ENDPOINT";

/// What is missing to reach New Relic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// An environment variable is not set.
    #[error("{0} is not set: New Relic needs a license key and an account id")]
    Missing(&'static str),
    /// A value cannot go in a header or URL.
    #[error("{0} has characters that cannot be sent")]
    Invalid(&'static str),
    /// `NEW_RELIC_HOST` names a host that is not one of New Relic's collectors.
    #[error(
        "NEW_RELIC_HOST is `{0}`, not a New Relic collector (collector.newrelic.com, collector.eu01.nr-data.net, gov-collector.newrelic.com); for a proxy or a local receiver give its URL as the destination's endpoint instead"
    )]
    UnknownHost(String),
}

/// Where and how to send.
#[derive(Clone)]
#[non_exhaustive]
pub struct NewRelicConfig {
    /// The ingest license key (sent as `Api-Key`).
    pub license_key: String,
    /// The account the events go to.
    pub account_id: String,
    /// `appName` and `host` on every event and metric.
    pub identity: Identity,
    /// The Event API URL.
    pub events_url: String,
    /// The Metric API URL.
    pub metrics_url: String,
    /// How long one POST may take.
    pub timeout: Duration,
    /// Attempts per batch and delivery (a batch still failing then waits for the next one).
    pub max_attempts: u32,
    /// The first retry's delay; each retry doubles it (with jitter), up to `max_backoff`.
    pub initial_backoff: Duration,
    /// The longest delay between attempts — a server's `Retry-After` included: a longer one
    /// is waited out only this long (30 s by default).
    pub max_backoff: Duration,
    /// The longest one batch is tried for, attempts and waits together (60 s by default):
    /// a batch still failing then waits for the next delivery.
    pub batch_deadline: Duration,
    /// Deliveries in a row that end with nothing accepted before the exporter stops trying
    /// for [`Self::breaker_cooldown`] (3 by default): a dead endpoint is not hammered.
    pub breaker_threshold: u32,
    /// How long an open breaker keeps the exporter from trying (30 s by default).
    pub breaker_cooldown: Duration,
}

impl std::fmt::Debug for NewRelicConfig {
    /// The license key is a secret: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewRelicConfig")
            .field("license_key", &"<redacted>")
            .field("account_id", &self.account_id)
            .field("identity", &self.identity)
            .field("events_url", &self.events_url)
            .field("metrics_url", &self.metrics_url)
            .field("request_timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .field("max_backoff", &self.max_backoff)
            .field("batch_deadline", &self.batch_deadline)
            .finish_non_exhaustive()
    }
}

impl NewRelicConfig {
    /// A configuration for `license_key` and `account_id`, in the key's region, with `appName`
    /// from `NEW_RELIC_APP_NAME` (else `bedrock-llm`) and this machine's host name.
    pub fn new(license_key: impl Into<String>, account_id: impl Into<String>) -> Self {
        let license_key = license_key.into();
        let account_id = account_id.into();
        let mut config = Self {
            identity: Identity {
                app_name: std::env::var("NEW_RELIC_APP_NAME")
                    .ok()
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(|| "bedrock-llm".to_owned()),
                host: host_name(),
            },
            events_url: String::new(),
            metrics_url: String::new(),
            timeout: Duration::from_secs(20),
            max_attempts: 6,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            batch_deadline: Duration::from_secs(60),
            breaker_threshold: 3,
            breaker_cooldown: Duration::from_secs(30),
            license_key,
            account_id,
        };
        config.set_region(Region::of_key(&config.license_key));
        config
    }

    /// From `NEW_RELIC_LICENSE_KEY`, `NEW_RELIC_ACCOUNT_ID` and `NEW_RELIC_APP_NAME`; the
    /// region from `NEW_RELIC_HOST` when set (FedRAMP, or EU with a key that does not say),
    /// else from the key; every API at `BEDROCK_LLM_NEW_RELIC_ENDPOINT` when that is set.
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = |name: &'static str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .ok_or(ConfigError::Missing(name))
        };
        let mut config = Self::new(var("NEW_RELIC_LICENSE_KEY")?, var("NEW_RELIC_ACCOUNT_ID")?);
        if let Ok(host) = var("NEW_RELIC_HOST") {
            let region = Region::of_collector_host(&host).ok_or(ConfigError::UnknownHost(host))?;
            config.set_region(region);
        }
        if let Ok(base) = var(NEW_RELIC_ENDPOINT_VAR) {
            config = config.endpoint(&base);
        }
        config.check()?;
        Ok(config)
    }

    /// The endpoints of `region` (FedRAMP is never inferred from a key).
    pub fn region(mut self, region: Region) -> Self {
        self.set_region(region);
        self
    }

    fn set_region(&mut self, region: Region) {
        let (events, metrics) = region.hosts();
        self.events_url = format!("{events}/v1/accounts/{}/events", self.account_id);
        self.metrics_url = format!("{metrics}/metric/v1");
    }

    /// Every API at `base` (scheme, host and port; the paths stay), e.g. a local receiver or a
    /// proxy: `http://127.0.0.1:8080`.
    pub fn endpoint(mut self, base: &str) -> Self {
        let base = base.trim_end_matches('/');
        self.events_url = format!("{base}/v1/accounts/{}/events", self.account_id);
        self.metrics_url = format!("{base}/metric/v1");
        self
    }

    /// `appName` on every event and metric.
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.identity.app_name = name.into();
        self
    }

    fn check(&self) -> Result<(), ConfigError> {
        if HeaderValue::from_str(&self.license_key).is_err() {
            return Err(ConfigError::Invalid("the license key"));
        }
        if !self.account_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ConfigError::Invalid("the account id"));
        }
        Ok(())
    }
}

/// This machine's name: `HOSTNAME`, else the kernel's, else `unknown`.
fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Counts of what was delivered, retried and dropped.
#[derive(Debug, Default)]
pub struct Stats {
    events_sent: AtomicU64,
    events_dropped: AtomicU64,
    events_rejected: AtomicU64,
    metric_documents_sent: AtomicU64,
    metric_documents_dropped: AtomicU64,
    posts: AtomicU64,
    retries: AtomicU64,
    values_truncated: AtomicU64,
}

/// What a destination delivered, retried, refused and lost (a snapshot of [`Stats`] for New
/// Relic).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryReport {
    /// Events (and error reports) the backend accepted.
    pub events_sent: u64,
    /// Events that will never be delivered: rejected, too large, beyond a full buffer, or
    /// still undelivered at shutdown.
    pub events_dropped: u64,
    /// Of the dropped, those the backend refused (400, 403, 413): sending them again cannot
    /// help.
    pub events_rejected: u64,
    /// Events not delivered yet when the report was taken — waiting, or in a request still
    /// under way (a shutdown whose deadline passed mid-request counts them here).
    pub events_pending: u64,
    /// Metric documents accepted.
    pub metric_documents_sent: u64,
    /// Metric documents dropped.
    pub metric_documents_dropped: u64,
    /// POSTs made.
    pub posts: u64,
    /// POSTs that were retries.
    pub retries: u64,
    /// Attribute values cut to the Event API's 4096 characters.
    pub values_truncated: u64,
}

impl Stats {
    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts events dropped before reaching the exporter (a full buffer).
    pub fn dropped_events(&self, n: u64) {
        Self::add(&self.events_dropped, n);
    }

    /// Counts metric documents dropped before reaching the exporter.
    pub fn dropped_metric_documents(&self, n: u64) {
        Self::add(&self.metric_documents_dropped, n);
    }

    /// Counts values cut to the Event API's limit.
    pub fn truncated_values(&self, n: u64) {
        Self::add(&self.values_truncated, n);
    }

    /// The counts now.
    pub fn report(&self) -> DeliveryReport {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        DeliveryReport {
            events_sent: get(&self.events_sent),
            events_dropped: get(&self.events_dropped),
            events_rejected: get(&self.events_rejected),
            events_pending: 0,
            metric_documents_sent: get(&self.metric_documents_sent),
            metric_documents_dropped: get(&self.metric_documents_dropped),
            posts: get(&self.posts),
            retries: get(&self.retries),
            values_truncated: get(&self.values_truncated),
        }
    }
}

/// How one POST ended.
enum Outcome {
    Accepted,
    /// Worth another try, after at least this long if the server said.
    Retry(Option<Duration>, String),
    /// Refused for good (400, 403, …).
    Rejected(StatusCode, String),
    /// 413.
    TooLarge,
}

/// Sends to New Relic's Event and Metric APIs.
#[derive(Clone)]
pub struct NewRelicExporter {
    config: Arc<NewRelicConfig>,
    client: HttpClient,
    stats: Arc<Stats>,
    events_headers: HeaderMap,
    breaker: Arc<std::sync::Mutex<Breaker>>,
}

impl std::fmt::Debug for NewRelicExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The config's Debug redacts the key; the headers (which carry it) are left out.
        f.debug_struct("NewRelicExporter")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Consecutive deliveries that ended with nothing accepted, and until when to stop trying.
#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

impl NewRelicExporter {
    /// An exporter for `config`. Fails when the platform's root certificates cannot be loaded
    /// or the key cannot be sent in a header.
    pub fn new(config: NewRelicConfig) -> Result<Self, crate::ExportError> {
        config.check()?;
        let mut events_headers = HeaderMap::new();
        let mut key = HeaderValue::from_str(&config.license_key)
            .map_err(|_| ConfigError::Invalid("the license key"))?;
        // Kept out of the HTTP stack's logs and debug output.
        key.set_sensitive(true);
        events_headers.insert("Api-Key", key);
        events_headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        events_headers.insert(
            http::header::CONTENT_ENCODING,
            HeaderValue::from_static("gzip"),
        );
        events_headers.insert(
            http::header::USER_AGENT,
            HeaderValue::from_static(concat!("bedrock-llm/", env!("CARGO_PKG_VERSION"))),
        );
        Ok(Self {
            config: Arc::new(config),
            client: HttpClient::new()?,
            stats: Arc::new(Stats::default()),
            events_headers,
            breaker: Arc::default(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &NewRelicConfig {
        &self.config
    }

    /// The counts so far, shared with every clone of this exporter.
    pub fn stats(&self) -> &Arc<Stats> {
        &self.stats
    }

    /// Sends `events` (flat JSON objects, see [`payload::event_json`]) in as few POSTs as the
    /// limit allows. Returns the events that could not be delivered yet (retries used up on
    /// errors worth retrying): the caller keeps them for a later delivery. Rejected and
    /// oversized events are dropped and counted.
    pub async fn send_events(&self, events: Vec<String>) -> Vec<String> {
        let (batches, oversized) = payload::pack(&events, MAX_PAYLOAD_BYTES);
        if !oversized.is_empty() {
            tracing::warn!(
                count = oversized.len(),
                "bedrock-llm: events larger than New Relic's 10^6-byte payload limit dropped"
            );
            Stats::add(&self.stats.events_dropped, oversized.len() as u64);
            Stats::add(&self.stats.events_rejected, oversized.len() as u64);
        }
        let mut kept = Vec::new();
        for batch in batches {
            self.send_batch(&events, batch, &mut kept).await;
        }
        kept.sort_unstable();
        kept.into_iter().map(|i| events[i].clone()).collect()
    }

    /// One batch, split in halves on 413; what stays undelivered goes to `kept`.
    async fn send_batch(&self, events: &[String], batch: Vec<usize>, kept: &mut Vec<usize>) {
        let mut pending = vec![batch];
        while let Some(batch) = pending.pop() {
            let body = payload::gzip(&payload::array(events, &batch));
            match self
                .post_with_retries(&self.config.events_url, Bytes::from(body))
                .await
            {
                Outcome::Accepted => Stats::add(&self.stats.events_sent, batch.len() as u64),
                Outcome::TooLarge if batch.len() > 1 => {
                    let (first, second) = batch.split_at(batch.len() / 2);
                    pending.push(second.to_vec());
                    pending.push(first.to_vec());
                }
                Outcome::TooLarge => {
                    tracing::warn!(
                        "bedrock-llm: New Relic refused one event as too large (413); dropped"
                    );
                    Stats::add(&self.stats.events_dropped, 1);
                    Stats::add(&self.stats.events_rejected, 1);
                }
                Outcome::Rejected(status, body) => {
                    tracing::warn!(
                        %status, body = %body, count = batch.len(),
                        "bedrock-llm: New Relic rejected a batch of events; dropped, not retried"
                    );
                    Stats::add(&self.stats.events_dropped, batch.len() as u64);
                    Stats::add(&self.stats.events_rejected, batch.len() as u64);
                }
                Outcome::Retry(_, reason) => {
                    tracing::debug!(reason = %reason, "bedrock-llm: events kept for the next delivery");
                    kept.extend(batch);
                }
            }
        }
    }

    /// Sends one Metric API document. `false` when it should be kept for a later delivery.
    pub async fn send_metrics(&self, document: Vec<u8>) -> bool {
        match self
            .post_with_retries(
                &self.config.metrics_url,
                Bytes::from(payload::gzip(&document)),
            )
            .await
        {
            Outcome::Accepted => {
                Stats::add(&self.stats.metric_documents_sent, 1);
                true
            }
            Outcome::Retry(..) => false,
            Outcome::TooLarge | Outcome::Rejected(..) => {
                tracing::warn!("bedrock-llm: New Relic rejected a metrics document; dropped");
                Stats::add(&self.stats.metric_documents_dropped, 1);
                true
            }
        }
    }

    /// Whether the breaker is open now (a dead endpoint is left alone for a while).
    fn breaker_open(&self) -> bool {
        let breaker = self
            .breaker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        breaker
            .open_until
            .is_some_and(|until| Instant::now() < until)
    }

    /// Counts a POST sequence's end: a success closes the breaker, a run of failures opens it.
    fn note_outcome(&self, outcome: &Outcome) {
        let mut breaker = self
            .breaker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match outcome {
            Outcome::Retry(..) => {
                breaker.failures += 1;
                if breaker.failures >= self.config.breaker_threshold.max(1) {
                    breaker.open_until = Some(Instant::now() + self.config.breaker_cooldown);
                    tracing::warn!(
                        cooldown = ?self.config.breaker_cooldown,
                        "bedrock-llm: New Relic failed {} deliveries in a row; not trying again for a while",
                        breaker.failures
                    );
                }
            }
            _ => *breaker = Breaker::default(),
        }
    }

    async fn post_with_retries(&self, url: &str, body: Bytes) -> Outcome {
        if self.breaker_open() {
            return Outcome::Retry(
                None,
                "the breaker is open after repeated failures".to_owned(),
            );
        }
        let deadline = Instant::now() + self.config.batch_deadline;
        let mut attempt = 0;
        let outcome = loop {
            attempt += 1;
            Stats::add(&self.stats.posts, 1);
            if attempt > 1 {
                Stats::add(&self.stats.retries, 1);
            }
            let outcome = self.post(url, body.clone()).await;
            let Outcome::Retry(after, reason) = outcome else {
                break outcome;
            };
            if attempt >= self.config.max_attempts.max(1) {
                break Outcome::Retry(after, reason);
            }
            let wait = self.backoff(attempt, after);
            // The batch's time is up once the wait would end past its deadline.
            if Instant::now() + wait >= deadline {
                break Outcome::Retry(after, format!("{reason}; batch deadline reached"));
            }
            tokio::time::sleep(wait).await;
        };
        self.note_outcome(&outcome);
        outcome
    }

    /// Exponential backoff with full jitter, at least the server's `Retry-After` — never more
    /// than `max_backoff`, whatever the server asks (`Retry-After: 100000` is a day).
    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exponential = self
            .config
            .initial_backoff
            .saturating_mul(1 << (attempt - 1).min(16))
            .min(self.config.max_backoff);
        let jittered = exponential.mul_f64(0.5 + fastrand::f64() * 0.5);
        retry_after
            .map_or(jittered, |after| after.max(jittered))
            .min(self.config.max_backoff)
    }

    async fn post(&self, url: &str, body: Bytes) -> Outcome {
        let started = Instant::now();
        match self
            .client
            .post(url, &self.events_headers, body, self.config.timeout)
            .await
        {
            Ok(answer) => match answer.status.as_u16() {
                200..=299 => Outcome::Accepted,
                413 => Outcome::TooLarge,
                408 | 429 | 500..=599 => Outcome::Retry(
                    answer.retry_after,
                    format!("HTTP {} after {:?}", answer.status, started.elapsed()),
                ),
                _ => Outcome::Rejected(answer.status, answer.body),
            },
            Err(error @ (SendError::Timeout(_) | SendError::Connection(_))) => {
                Outcome::Retry(None, error.to_string())
            }
            Err(error @ SendError::Request(_)) => {
                Outcome::Rejected(StatusCode::BAD_REQUEST, error.to_string())
            }
        }
    }
}
