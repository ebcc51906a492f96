//! Runtime metrics under CloudWatch's `AWS/Bedrock` metric names, per `ModelId` and period, from
//! live calls (the [`Recorder`](crate::Recorder) keeps them per harvest) or replayed invocations
//! (`docs/invocation-logs.md` §7), rendered as CloudWatch Embedded Metric
//! Format or as Elastic `aws_bedrock.runtime` documents.
//!
//! The names are Bedrock's, the namespace is not: CloudWatch reserves `AWS/…` namespaces for
//! AWS itself, so EMF documents go to [`DEFAULT_NAMESPACE`] unless told otherwise.
//!
//! CloudWatch semantics: a success counts in `Invocations` with its latency and tokens; a
//! throttle counts only in `InvocationThrottles`; other failures count as client (4xx) or
//! server (5xx) errors; a call that never reached Bedrock (timeout, connection failure) counts
//! nowhere, as CloudWatch never sees it.

use std::collections::BTreeMap;
use std::time::Duration;

use bedrock_llm_core::Invocation;
use serde_json::{Value, json};

/// One model's figures in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figures {
    /// Successful requests.
    pub invocations: u64,
    /// Sum, count, min and max of latencies, in ms.
    pub latency_sum_ms: f64,
    /// Latencies counted.
    pub latency_count: u64,
    /// Smallest latency.
    pub latency_min_ms: f64,
    /// Largest latency.
    pub latency_max_ms: f64,
    /// 4xx outcomes.
    pub client_errors: u64,
    /// 5xx outcomes.
    pub server_errors: u64,
    /// Throttled requests.
    pub throttles: u64,
    /// Input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Images generated.
    pub output_images: u64,
}

impl Figures {
    /// The average latency, when any was counted.
    pub fn average_latency_ms(&self) -> Option<f64> {
        (self.latency_count > 0).then(|| self.latency_sum_ms / self.latency_count as f64)
    }
}

/// How a failure counts.
enum Outcome {
    Success,
    Throttle,
    ClientError,
    ServerError,
    Unseen,
}

fn outcome(invocation: &Invocation) -> Outcome {
    let Some(error) = &invocation.error else {
        return Outcome::Success;
    };
    // One classification for live, replayed and mid-stream failures: by the status the
    // answer had, or the one Bedrock documents for the code.
    match error.status() {
        Some(429) => Outcome::Throttle,
        Some(status) if (400..500).contains(&status) => Outcome::ClientError,
        Some(status) if status >= 500 => Outcome::ServerError,
        _ if error.kind.reached_bedrock() => Outcome::ClientError,
        _ => Outcome::Unseen,
    }
}

/// The CloudWatch namespace EMF documents use by default.
pub const DEFAULT_NAMESPACE: &str = "BedrockLlm/Runtime";

/// A period or namespace CloudWatch would not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricsConfigError {
    /// Not a period CloudWatch aggregates by.
    #[error(
        "a metrics period of {0} s is not one CloudWatch uses: use 1, 5, 10, 20 or 30 s, or a multiple of 60 s up to one day (86400)"
    )]
    Period(u128),
    /// Not a namespace CloudWatch accepts.
    #[error(
        "the CloudWatch namespace {0:?} is not valid: use 1-255 characters from A-Z a-z 0-9 . - _ / # : and space, not starting with `AWS/` (reserved for AWS)"
    )]
    Namespace(String),
}

/// Aggregates invocations per (period start, model ID).
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeMetrics {
    period_ms: u64,
    namespace: String,
    /// Period start → model ID → its figures and Region. Keyed in two levels so counting a
    /// call for a model already seen allocates nothing (it runs under the recorder's lock).
    buckets: BTreeMap<u64, BTreeMap<String, (Figures, Option<String>)>>,
    /// Guardrail figures, in the same periods.
    guardrails: crate::guardrail_metrics::GuardrailBuckets,
    /// `OutputImageCount` by the image dimensions a request said, in the same periods.
    image_series: BTreeMap<u64, BTreeMap<ImageSeries, u64>>,
}

/// One `OutputImageCount` series beside the `ModelId` one: the image dimensions Bedrock adds
/// where the request says them (`ImageSize` `1024x1024`, `Quality`, `BucketedStepSize` — the
/// request's step count, as Bedrock's bucket edges are not published).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageSeries {
    /// `ModelId`.
    pub model_id: String,
    /// `ImageSize`.
    pub image_size: Option<String>,
    /// `Quality`.
    pub quality: Option<String>,
    /// `BucketedStepSize`.
    pub bucketed_step_size: Option<String>,
}

impl ImageSeries {
    /// The series of a successful image generation, when its request says any dimension.
    fn of(invocation: &Invocation) -> Option<Self> {
        let params = &invocation.request.as_ref()?.params.image;
        let series = Self {
            model_id: invocation.model_id.clone(),
            image_size: params.size_label(),
            quality: params.quality.clone(),
            bucketed_step_size: params.steps.map(|steps| steps.to_string()),
        };
        (series.image_size.is_some()
            || series.quality.is_some()
            || series.bucketed_step_size.is_some())
        .then_some(series)
    }

    /// The dimensions present, as CloudWatch names them.
    fn dimensions(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![("ModelId", self.model_id.as_str())];
        for (name, value) in [
            ("ImageSize", &self.image_size),
            ("Quality", &self.quality),
            ("BucketedStepSize", &self.bucketed_step_size),
        ] {
            if let Some(value) = value {
                out.push((name, value.as_str()));
            }
        }
        out
    }
}

impl RuntimeMetrics {
    /// Aggregation into periods of `period` (CloudWatch's default is 60 s; Elastic polls 5 min):
    /// 1, 5, 10, 20 or 30 seconds, or a whole number of minutes up to a day, as CloudWatch
    /// aggregates; anything else is refused rather than rounded.
    pub fn new(period: Duration) -> Result<Self, MetricsConfigError> {
        let seconds = period.as_secs();
        let valid = period.subsec_nanos() == 0
            && (matches!(seconds, 1 | 5 | 10 | 20 | 30)
                || (seconds.is_multiple_of(60) && (60..=86_400).contains(&seconds)));
        if !valid {
            return Err(MetricsConfigError::Period(period.as_millis() / 1000));
        }
        Ok(Self {
            period_ms: seconds * 1000,
            namespace: DEFAULT_NAMESPACE.to_owned(),
            buckets: BTreeMap::new(),
            guardrails: BTreeMap::new(),
            image_series: BTreeMap::new(),
        })
    }

    /// Aggregation per minute, CloudWatch's default period.
    pub fn per_minute() -> Self {
        Self {
            period_ms: 60_000,
            namespace: DEFAULT_NAMESPACE.to_owned(),
            buckets: BTreeMap::new(),
            guardrails: BTreeMap::new(),
            image_series: BTreeMap::new(),
        }
    }

    /// The aggregation period, in milliseconds.
    pub fn period_ms(&self) -> u64 {
        self.period_ms
    }

    /// Whether no call was counted.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty() && self.guardrails.is_empty()
    }

    /// EMF documents under `namespace` instead of [`DEFAULT_NAMESPACE`].
    pub fn with_namespace(mut self, namespace: &str) -> Result<Self, MetricsConfigError> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || ".-_/#: ".contains(c);
        if namespace.is_empty()
            || namespace.len() > 255
            || !namespace.chars().all(allowed)
            || namespace.starts_with("AWS/")
        {
            return Err(MetricsConfigError::Namespace(namespace.to_owned()));
        }
        self.namespace = namespace.to_owned();
        Ok(self)
    }

    /// The EMF namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Counts one invocation.
    pub fn add(&mut self, invocation: &Invocation) {
        let start = invocation.timing.started_at_ms / self.period_ms * self.period_ms;
        if invocation.guardrail_id.is_some() || !invocation.guardrail_usage.is_empty() {
            crate::guardrail_metrics::add(&mut self.guardrails, start, invocation);
        }
        let models = self.buckets.entry(start).or_default();
        if !models.contains_key(invocation.model_id.as_str()) {
            models.insert(invocation.model_id.clone(), Default::default());
        }
        let Some((figures, region)) = models.get_mut(invocation.model_id.as_str()) else {
            return;
        };
        if region.is_none() {
            *region = invocation.region.clone();
        }
        match outcome(invocation) {
            Outcome::Success => {
                figures.invocations = figures.invocations.saturating_add(1);
                let latency = invocation
                    .header_metrics
                    .invocation_latency_ms
                    .or(invocation
                        .stream_metrics
                        .and_then(|m| m.invocation_latency_ms))
                    .map(|ms| ms as f64)
                    .or(invocation.timing.duration.map(|d| d.as_secs_f64() * 1000.0));
                if let Some(ms) = latency {
                    if figures.latency_count == 0 {
                        figures.latency_min_ms = ms;
                        figures.latency_max_ms = ms;
                    }
                    figures.latency_count = figures.latency_count.saturating_add(1);
                    figures.latency_sum_ms += ms;
                    figures.latency_min_ms = figures.latency_min_ms.min(ms);
                    figures.latency_max_ms = figures.latency_max_ms.max(ms);
                }
                if let Some(images) = invocation.response.as_ref().and_then(|r| r.images.as_ref()) {
                    figures.output_images = figures.output_images.saturating_add(images.count);
                    if let Some(series) = ImageSeries::of(invocation) {
                        let count = self
                            .image_series
                            .entry(start)
                            .or_default()
                            .entry(series)
                            .or_default();
                        *count = count.saturating_add(images.count);
                    }
                }
                if let Some((usage, _)) = invocation.usage() {
                    // Counts come from input: a hostile one near 2^64 saturates, never wraps.
                    figures.input_tokens = figures
                        .input_tokens
                        .saturating_add(usage.input_tokens.unwrap_or(0));
                    figures.output_tokens = figures
                        .output_tokens
                        .saturating_add(usage.output_tokens.unwrap_or(0));
                }
            }
            Outcome::Throttle => figures.throttles = figures.throttles.saturating_add(1),
            Outcome::ClientError => {
                figures.client_errors = figures.client_errors.saturating_add(1);
            }
            Outcome::ServerError => {
                figures.server_errors = figures.server_errors.saturating_add(1);
            }
            Outcome::Unseen => {}
        }
    }

    /// Adds `other`'s counts (same period) to these: figures of work split across threads
    /// add up to the figures of the whole.
    pub fn merge(&mut self, other: &RuntimeMetrics) {
        for (&start, series) in &other.image_series {
            let ours = self.image_series.entry(start).or_default();
            for (key, count) in series {
                let slot = ours.entry(key.clone()).or_default();
                *slot = slot.saturating_add(*count);
            }
        }
        for (&start, keys) in &other.guardrails {
            let ours = self.guardrails.entry(start).or_default();
            for (key, figures) in keys {
                ours.entry(key.clone()).or_default().merge(figures);
            }
        }
        for (&start, models) in &other.buckets {
            let ours = self.buckets.entry(start).or_default();
            for (model, (theirs, region)) in models {
                let (figures, our_region) = ours.entry(model.clone()).or_default();
                if our_region.is_none() {
                    our_region.clone_from(region);
                }
                if theirs.latency_count > 0 {
                    if figures.latency_count == 0 {
                        figures.latency_min_ms = theirs.latency_min_ms;
                        figures.latency_max_ms = theirs.latency_max_ms;
                    }
                    figures.latency_min_ms = figures.latency_min_ms.min(theirs.latency_min_ms);
                    figures.latency_max_ms = figures.latency_max_ms.max(theirs.latency_max_ms);
                }
                figures.latency_count = figures.latency_count.saturating_add(theirs.latency_count);
                figures.latency_sum_ms += theirs.latency_sum_ms;
                let add = |a: &mut u64, b: u64| *a = a.saturating_add(b);
                add(&mut figures.invocations, theirs.invocations);
                add(&mut figures.client_errors, theirs.client_errors);
                add(&mut figures.server_errors, theirs.server_errors);
                add(&mut figures.throttles, theirs.throttles);
                add(&mut figures.input_tokens, theirs.input_tokens);
                add(&mut figures.output_tokens, theirs.output_tokens);
                add(&mut figures.output_images, theirs.output_images);
            }
        }
    }

    /// Takes out the periods that ended more than `lateness` before the latest period seen
    /// began — the ones no later call is expected to add to — so a long replay hands them on
    /// as it goes instead of keeping every period to the end. `None` when none has closed.
    pub fn split_closed(&mut self, lateness: Duration) -> Option<RuntimeMetrics> {
        let latest = *self.buckets.keys().next_back()?;
        let lateness_ms = u64::try_from(lateness.as_millis()).unwrap_or(u64::MAX);
        let watermark = latest.saturating_sub(lateness_ms);
        // Periods starting at or before `watermark - period` have ended by the watermark.
        let first_open = watermark.saturating_sub(self.period_ms).saturating_add(1);
        let open = self.buckets.split_off(&first_open);
        let closed = std::mem::replace(&mut self.buckets, open);
        let open_guardrails = self.guardrails.split_off(&first_open);
        let closed_guardrails = std::mem::replace(&mut self.guardrails, open_guardrails);
        let open_images = self.image_series.split_off(&first_open);
        let closed_images = std::mem::replace(&mut self.image_series, open_images);
        (!closed.is_empty() || !closed_guardrails.is_empty()).then(|| Self {
            period_ms: self.period_ms,
            namespace: self.namespace.clone(),
            buckets: closed,
            guardrails: closed_guardrails,
            image_series: closed_images,
        })
    }

    /// A copy with the same period and namespace and no counts.
    pub fn empty_like(&self) -> Self {
        Self {
            period_ms: self.period_ms,
            namespace: self.namespace.clone(),
            buckets: BTreeMap::new(),
            guardrails: BTreeMap::new(),
            image_series: BTreeMap::new(),
        }
    }

    /// The figures, by (period start in ms, model ID).
    pub fn figures(&self) -> impl Iterator<Item = (u64, &str, &Figures)> {
        self.entries()
            .map(|(start, model, figures, _)| (start, model, figures))
    }

    /// Every (period start, model ID, figures, Region), in that order.
    fn entries(&self) -> impl Iterator<Item = (u64, &str, &Figures, Option<&str>)> {
        self.buckets.iter().flat_map(|(start, models)| {
            models.iter().map(move |(model, (figures, region))| {
                (*start, model.as_str(), figures, region.as_deref())
            })
        })
    }

    /// One CloudWatch Embedded Metric Format document per model and period. `InvocationLatency`
    /// is the period's average; its min and max ride along as properties.
    pub fn emf(&self) -> Vec<Value> {
        self.entries()
            .map(|(start, model, figures, _)| {
                let mut metrics = vec![
                    json!({"Name": "Invocations", "Unit": "Count"}),
                    json!({"Name": "InvocationClientErrors", "Unit": "Count"}),
                    json!({"Name": "InvocationServerErrors", "Unit": "Count"}),
                    json!({"Name": "InvocationThrottles", "Unit": "Count"}),
                    json!({"Name": "InputTokenCount", "Unit": "Count"}),
                    json!({"Name": "OutputTokenCount", "Unit": "Count"}),
                    json!({"Name": "OutputImageCount", "Unit": "Count"}),
                ];
                let mut document = json!({
                    "ModelId": model,
                    "Invocations": figures.invocations,
                    "InvocationClientErrors": figures.client_errors,
                    "InvocationServerErrors": figures.server_errors,
                    "InvocationThrottles": figures.throttles,
                    "InputTokenCount": figures.input_tokens,
                    "OutputTokenCount": figures.output_tokens,
                    "OutputImageCount": figures.output_images,
                });
                if let Some(average) = figures.average_latency_ms() {
                    metrics.push(json!({"Name": "InvocationLatency", "Unit": "Milliseconds"}));
                    document["InvocationLatency"] = json!(average);
                    document["InvocationLatencyMin"] = json!(figures.latency_min_ms);
                    document["InvocationLatencyMax"] = json!(figures.latency_max_ms);
                }
                document["_aws"] = json!({
                    "Timestamp": start,
                    "CloudWatchMetrics": [{"Namespace": self.namespace, "Dimensions": [["ModelId"]], "Metrics": metrics}],
                });
                document
            })
            .chain(self.image_entries().map(|(start, series, count)| {
                let dimensions = series.dimensions();
                let mut document = json!({"OutputImageCount": count});
                for (name, value) in &dimensions {
                    document[*name] = json!(value);
                }
                let names: Vec<&str> = dimensions.iter().map(|(name, _)| *name).collect();
                document["_aws"] = json!({
                    "Timestamp": start,
                    "CloudWatchMetrics": [{"Namespace": self.namespace, "Dimensions": [names], "Metrics": [{"Name": "OutputImageCount", "Unit": "Count"}]}],
                });
                document
            }))
            .collect()
    }

    /// `OutputImageCount` by image dimensions: (period start, series, images).
    pub fn image_entries(&self) -> impl Iterator<Item = (u64, &ImageSeries, u64)> {
        self.image_series.iter().flat_map(|(start, series)| {
            series.iter().map(move |(key, count)| (*start, key, *count))
        })
    }

    /// One document per model and period, shaped like Elastic's `aws_bedrock.runtime`, then
    /// the guardrail documents (`aws_bedrock.guardrails`), in the `default` namespace.
    pub fn elastic(&self) -> Vec<Value> {
        let namespace = crate::render::elastic::DEFAULT_NAMESPACE;
        let mut documents = self.elastic_in(namespace);
        documents.extend(self.elastic_guardrails_in(namespace));
        documents
    }

    /// Guardrail figures per guardrail, content source, operation and period, as
    /// `metrics-aws_bedrock.guardrails-<namespace>` documents.
    pub fn elastic_guardrails_in(&self, namespace: &str) -> Vec<Value> {
        crate::guardrail_metrics::documents(&self.guardrails, self.period_ms, namespace)
    }

    /// The guardrail figures, by (period start in ms, guardrail, content source, operation).
    pub fn guardrail_figures(
        &self,
    ) -> impl Iterator<
        Item = (
            u64,
            &crate::guardrail_metrics::GuardrailKey,
            &crate::guardrail_metrics::GuardrailFigures,
        ),
    > {
        self.guardrails.iter().flat_map(|(start, keys)| {
            keys.iter()
                .map(move |(key, figures)| (*start, key, figures))
        })
    }

    /// One document per model and period for `metrics-aws_bedrock.runtime-<namespace>`, as
    /// Metricbeat's CloudWatch metricset writes Bedrock's own: `@timestamp` the period's start,
    /// `InvocationLatency` the period's average, the counts its sums.
    pub fn elastic_in(&self, namespace: &str) -> Vec<Value> {
        self.entries()
            .map(|(start, model, figures, region)| {
                let mut runtime = json!({
                    "model_id": model,
                    "invocations": figures.invocations,
                    "invocation_client_errors": figures.client_errors,
                    "invocation_server_errors": figures.server_errors,
                    "invocation_throttles": figures.throttles,
                    "input_token_count": figures.input_tokens,
                    "output_token_count": figures.output_tokens,
                    "output_image_count": figures.output_images,
                });
                if let Some(average) = figures.average_latency_ms() {
                    runtime["invocation_latency"] = json!(average);
                }
                let mut cloud = json!({"provider": "aws"});
                if let Some(region) = region {
                    cloud["region"] = json!(region);
                }
                let aws = json!({"cloudwatch": {"namespace": "AWS/Bedrock"}});
                self.runtime_document(start, namespace, aws, cloud, runtime)
            })
            .chain(self.image_entries().map(|(start, series, count)| {
                // Metricbeat writes a series' extra dimensions under `aws.dimensions`.
                let mut dimensions = serde_json::Map::new();
                for (name, value) in series.dimensions() {
                    dimensions.insert(name.to_owned(), json!(value));
                }
                let aws =
                    json!({"cloudwatch": {"namespace": "AWS/Bedrock"}, "dimensions": dimensions});
                let runtime = json!({"model_id": series.model_id, "output_image_count": count});
                self.runtime_document(start, namespace, aws, json!({"provider": "aws"}), runtime)
            }))
            .collect()
    }

    /// One `aws_bedrock.runtime` document for the period starting at `start`.
    fn runtime_document(
        &self,
        start: u64,
        namespace: &str,
        aws: Value,
        cloud: Value,
        runtime: Value,
    ) -> Value {
        use crate::render::elastic::{ECS_VERSION, RUNTIME_DATASET, iso_millis};
        json!({
            "@timestamp": iso_millis(start),
            "data_stream": {"type": "metrics", "dataset": RUNTIME_DATASET, "namespace": namespace},
            "ecs": {"version": ECS_VERSION},
            "event": {"dataset": RUNTIME_DATASET, "module": "aws_bedrock", "kind": "metric"},
            "metricset": {"name": "cloudwatch", "period": self.period_ms},
            "aws": aws,
            "cloud": cloud,
            "aws_bedrock": {"runtime": runtime},
        })
    }
}
