//! The Bulk API client: documents into data streams with `create` (the only action a data stream
//! takes), gzip bodies, requests bounded in bytes, and a fate for every document — created,
//! already present (a `409` on `create`: delivered before, so replay is idempotent), rejected (a
//! `400`-class item, with its reason) or dropped (still failing after the last attempt).
//!
//! Retried: items answered `429` or `5xx` (only those items), and whole requests answered
//! `429`/`5xx`, timed out or cut off — with exponential backoff and full jitter, `Retry-After`
//! honoured up to the longest backoff, a bounded number of attempts and never past a deadline.
//! A `413` halves the request. Hand-rolled because no maintained Rust crate speaks the Bulk
//! API without the whole `elasticsearch` client and its own HTTP/TLS stack.

use std::collections::VecDeque;
use std::io::Write as _;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;

use super::ElasticConfig;
use crate::http::{HttpClient, SendError};

/// The most of a Bulk answer read: its items run to about 200 bytes per document.
const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;
/// Rejection reasons kept for the summary.
const REASONS_KEPT: usize = 10;

/// One document for one data stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The data stream.
    pub index: String,
    /// `_id`: the same document always gets the same id.
    pub id: String,
    /// The document, as JSON.
    pub source: String,
}

impl Document {
    /// The action and source lines, each ending in a newline.
    fn lines(&self) -> String {
        let action = serde_json::json!({"create": {"_index": self.index, "_id": self.id}});
        format!("{action}\n{}\n", self.source)
    }

    fn bytes(&self) -> usize {
        self.source.len() + self.index.len() + self.id.len() + 40
    }
}

/// What became of the documents sent so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkCounts {
    /// Created.
    pub created: u64,
    /// Answered `409`: already in the data stream.
    pub already_present: u64,
    /// Refused for what they hold (a mapping conflict, a bad value); never retried.
    pub rejected: u64,
    /// Given up on after the last attempt, or at the deadline.
    pub dropped: u64,
    /// Documents sent again after a retriable answer.
    pub retries: u64,
    /// Bulk requests made.
    pub requests: u64,
    /// The first rejection reasons, `type: reason`.
    pub reasons: Vec<String>,
    /// The last failure that cost documents.
    pub last_failure: Option<String>,
}

/// A Bulk API client for one cluster.
#[derive(Debug, Clone)]
pub struct BulkClient {
    http: HttpClient,
    config: ElasticConfig,
    headers: HeaderMap,
}

#[derive(Deserialize)]
struct BulkAnswer {
    #[serde(default)]
    items: Vec<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct ItemResult {
    status: u16,
    error: Option<serde_json::Value>,
}

/// How one request went.
enum Outcome {
    /// Every item answered; these are to be sent again.
    Answered(Vec<Document>),
    /// Nothing was taken; all to be sent again, after at least this long.
    Retry(String, Option<Duration>),
    /// Too large: halve it.
    TooLarge,
    /// Refused as a whole for good (credentials, a wrong URL).
    Refused(String),
}

impl BulkClient {
    /// A client for `config`'s cluster.
    pub fn new(config: ElasticConfig) -> Result<Self, crate::ExportError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-ndjson"),
        );
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(auth) = config.auth.header() {
            let value = HeaderValue::from_str(&auth).map_err(|_| {
                crate::ExportError::Unknown("ELASTIC_API_KEY cannot be sent in a header".into())
            })?;
            headers.insert(header::AUTHORIZATION, value);
        }
        Ok(Self {
            http: HttpClient::new()?,
            config,
            headers,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ElasticConfig {
        &self.config
    }

    /// The HTTP client and headers (authorization included), for other calls to the cluster.
    pub(super) fn parts(&self) -> (&HttpClient, &HeaderMap) {
        (&self.http, &self.headers)
    }

    /// Sends `documents`; every one ends counted in `counts` as created, already present,
    /// rejected or dropped. No attempt starts after `deadline`.
    pub async fn send(
        &self,
        documents: Vec<Document>,
        deadline: Option<Instant>,
        counts: &mut BulkCounts,
    ) {
        let mut queue: VecDeque<(Vec<Document>, u32)> =
            split(documents, self.config.max_request_bytes)
                .into_iter()
                .map(|batch| (batch, 1))
                .collect();
        while let Some((batch, attempt)) = queue.pop_front() {
            if batch.is_empty() {
                continue;
            }
            counts.requests += 1;
            let (again, wait) = match self.request(&batch, counts).await {
                Outcome::Answered(again) => (again, None),
                Outcome::Retry(why, after) => {
                    counts.last_failure = Some(why);
                    (batch, after)
                }
                Outcome::TooLarge if batch.len() > 1 => {
                    let mut first = batch;
                    let second = first.split_off(first.len() / 2);
                    queue.push_front((second, attempt));
                    queue.push_front((first, attempt));
                    continue;
                }
                Outcome::TooLarge => {
                    counts.rejected += 1;
                    note_reason(counts, "request_too_large: larger than the cluster takes");
                    continue;
                }
                Outcome::Refused(why) => {
                    counts.dropped += batch.len() as u64;
                    counts.last_failure = Some(why);
                    continue;
                }
            };
            if again.is_empty() {
                continue;
            }
            let backoff = self.backoff(attempt, wait);
            let late = deadline.is_some_and(|d| Instant::now() + backoff > d);
            if attempt >= self.config.max_attempts || late {
                counts.dropped += again.len() as u64;
                let why = counts.last_failure.take().unwrap_or_default();
                counts.last_failure = Some(format!(
                    "{} documents not delivered after {attempt} attempts{}: {why}",
                    again.len(),
                    if late { " (out of time)" } else { "" }
                ));
                continue;
            }
            counts.retries += again.len() as u64;
            tokio::time::sleep(backoff).await;
            queue.push_front((again, attempt + 1));
        }
    }

    /// Exponential backoff with full jitter, at least `retry_after` (cut to the longest
    /// backoff, so a huge `Retry-After` cannot stall delivery).
    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let cap = self.config.max_backoff;
        let base = Duration::from_millis(250)
            .saturating_mul(1 << attempt.min(16))
            .min(cap);
        let jittered = base.mul_f64(0.5 + fastrand::f64() * 0.5);
        retry_after.map_or(jittered, |after| after.min(cap).max(jittered))
    }

    async fn request(&self, batch: &[Document], counts: &mut BulkCounts) -> Outcome {
        let mut ndjson = String::with_capacity(batch.iter().map(Document::bytes).sum());
        for document in batch {
            ndjson.push_str(&document.lines());
        }
        let body = match gzip(ndjson.as_bytes()) {
            Ok(body) => body,
            Err(error) => return Outcome::Retry(format!("gzip failed: {error}"), None),
        };
        let url = format!("{}/_bulk", self.config.url);
        let answer = self
            .http
            .post_reading(
                &url,
                &self.headers,
                body,
                self.config.timeout,
                MAX_ANSWER_BYTES,
            )
            .await;
        let (status, retry_after, body) = match answer {
            Ok(answer) => answer,
            Err(SendError::Request(why)) => return Outcome::Refused(why),
            Err(error) => return Outcome::Retry(error.to_string(), None),
        };
        let snippet = || String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => return Outcome::TooLarge,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT => {
                return Outcome::Retry(format!("Elasticsearch answered {status}"), retry_after);
            }
            s if s.is_server_error() => {
                return Outcome::Retry(
                    format!("Elasticsearch answered {status}: {}", snippet()),
                    retry_after,
                );
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Outcome::Refused(format!(
                    "Elasticsearch refused the credentials ({status}); check ELASTIC_API_KEY or ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD: {}",
                    snippet()
                ));
            }
            s if !s.is_success() => {
                return Outcome::Refused(format!(
                    "Elasticsearch answered {status} to {}: {}",
                    crate::http::redact_userinfo(&url),
                    snippet()
                ));
            }
            _ => {}
        }
        let Ok(answer) = serde_json::from_slice::<BulkAnswer>(&body) else {
            return Outcome::Retry(
                format!("an answer that is not a Bulk response: {}", snippet()),
                None,
            );
        };
        let mut again = Vec::new();
        for (at, document) in batch.iter().enumerate() {
            let result = answer
                .items
                .get(at)
                .and_then(|item| item.values().next())
                .and_then(|r| ItemResult::deserialize(r).ok());
            match result {
                Some(ItemResult {
                    status: 200..=299, ..
                }) => counts.created += 1,
                Some(ItemResult { status: 409, .. }) => counts.already_present += 1,
                Some(ItemResult { status, error }) if status == 429 || status >= 500 => {
                    counts.last_failure = Some(format!(
                        "documents answered {status}: {}",
                        reason(error.as_ref())
                    ));
                    again.push(document.clone());
                }
                Some(ItemResult { error, .. }) => {
                    counts.rejected += 1;
                    note_reason(
                        counts,
                        &format!("{}: {}", document.id, reason(error.as_ref())),
                    );
                }
                // An answer without this item: nothing says it was taken.
                None => again.push(document.clone()),
            }
        }
        Outcome::Answered(again)
    }
}

/// `type: reason` of an item's error.
fn reason(error: Option<&serde_json::Value>) -> String {
    let Some(error) = error else {
        return "no reason given".into();
    };
    let kind = error
        .get("type")
        .and_then(|v| v.as_str())
        .unwrap_or("error");
    let why = error
        .get("reason")
        .and_then(|v| v.as_str())
        .map_or_else(|| error.to_string(), str::to_owned);
    format!("{kind}: {why}")
}

fn note_reason(counts: &mut BulkCounts, why: &str) {
    tracing::warn!(target: "bedrock_llm::elasticsearch", "document rejected: {why}");
    if counts.reasons.len() < REASONS_KEPT {
        counts.reasons.push(why.to_owned());
    }
}

/// Documents in requests of at most `max_bytes` (a larger document goes alone).
fn split(documents: Vec<Document>, max_bytes: usize) -> Vec<Vec<Document>> {
    let mut batches = Vec::new();
    let mut batch = Vec::new();
    let mut bytes = 0;
    for document in documents {
        let size = document.bytes();
        if !batch.is_empty() && bytes + size > max_bytes {
            batches.push(std::mem::take(&mut batch));
            bytes = 0;
        }
        bytes += size;
        batch.push(document);
    }
    if !batch.is_empty() {
        batches.push(batch);
    }
    batches
}

fn gzip(data: &[u8]) -> std::io::Result<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 4),
        flate2::Compression::fast(),
    );
    encoder.write_all(data)?;
    Ok(Bytes::from(encoder.finish()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: usize, size: usize) -> Document {
        Document {
            index: "logs-x-default".into(),
            id: id.to_string(),
            source: format!("{{\"a\":\"{}\"}}", "x".repeat(size)),
        }
    }

    #[test]
    fn requests_stay_within_their_bytes_and_keep_order() {
        let documents: Vec<Document> = (0..10).map(|i| doc(i, 100)).collect();
        let batches = split(documents.clone(), 450);
        assert!(batches.len() > 1);
        for batch in &batches {
            let bytes: usize = batch.iter().map(Document::bytes).sum();
            assert!(bytes <= 450 || batch.len() == 1, "{bytes}");
        }
        let flat: Vec<Document> = batches.into_iter().flatten().collect();
        assert_eq!(flat, documents);
        // A document bigger than a request goes alone, not lost.
        assert_eq!(split(vec![doc(1, 1000)], 100).len(), 1);
    }

    #[test]
    fn action_lines_are_create_with_the_id() {
        let lines = doc(7, 1).lines();
        let mut parts = lines.split('\n');
        let action: serde_json::Value =
            serde_json::from_str(parts.next().unwrap_or("")).unwrap_or_default();
        assert_eq!(action["create"]["_id"], "7");
        assert_eq!(action["create"]["_index"], "logs-x-default");
        assert!(lines.ends_with('\n'));
    }
}
