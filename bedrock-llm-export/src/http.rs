//! The HTTP client the exporters POST with: hyper's pooled client over rustls (with ring and
//! the platform's root certificates) — the same stack the Bedrock SDK client is built on here,
//! so no second TLS implementation is compiled. Proxies: `proxy.rs`.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// The most of an answer's body read.
const MAX_BODY_READ: usize = 64 * 1024;

/// Why a POST got no HTTP answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// No answer within the timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The connection failed or closed before an answer.
    #[error("connection failed: {0}")]
    Connection(String),
    /// The request could not be built (a bad URL or header).
    #[error("bad request: {0}")]
    Request(String),
}

/// An HTTP answer: status, `Retry-After` if any, and the start of the body (for messages).
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// `Retry-After`, in seconds, when the server sent one.
    pub retry_after: Option<Duration>,
    /// The body's first bytes, for a log line.
    pub body: String,
}

/// A pooled HTTPS (and plain HTTP, for local receivers) client.
#[derive(Clone)]
pub struct HttpClient {
    client: Client<hyper_rustls::HttpsConnector<crate::proxy::ProxyConnector>, Full<Bytes>>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HttpClient")
    }
}

impl HttpClient {
    /// A client trusting the platform's root certificates, through the environment's proxy
    /// (`HTTPS_PROXY`, `NO_PROXY`, …; never for loopback). Fails only when no root certificate
    /// can be loaded.
    pub fn new() -> Result<Self, SendError> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls_ring())
            .map_err(|e| SendError::Connection(format!("no root certificates: {e}")))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(crate::proxy::ProxyConnector::from_env());
        Ok(Self {
            client: Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(30))
                .build(connector),
        })
    }

    /// Sends `request` as it is; the answer's body is left to the caller to read.
    pub async fn send(
        &self,
        request: Request<Bytes>,
    ) -> Result<http::Response<hyper::body::Incoming>, SendError> {
        self.client
            .request(request.map(Full::new))
            .await
            .map_err(|e| SendError::Connection(bedrock_llm_core::display_chain(&e)))
    }

    /// POSTs `body` to `url` with `headers`, waiting at most `timeout` for the whole answer.
    pub async fn post(
        &self,
        url: &str,
        headers: &HeaderMap,
        body: Bytes,
        timeout: Duration,
    ) -> Result<Answer, SendError> {
        let (status, retry_after, body) = self
            .post_reading(url, headers, body, timeout, MAX_BODY_READ)
            .await?;
        let body = String::from_utf8_lossy(&body[..body.len().min(512)]).into_owned();
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }

    /// [`Self::post`], keeping up to `limit` bytes of the answer's body (an API whose answer
    /// is data, such as Elasticsearch's Bulk API); a longer body is read as far as `limit`
    /// and reported as a connection error, so it is never half-trusted.
    pub async fn post_reading(
        &self,
        url: &str,
        headers: &HeaderMap,
        body: Bytes,
        timeout: Duration,
        limit: usize,
    ) -> Result<(StatusCode, Option<Duration>, Bytes), SendError> {
        let mut request = Request::post(url)
            .body(Full::new(body))
            .map_err(|e| SendError::Request(e.to_string()))?;
        request.headers_mut().extend(headers.clone());
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| SendError::Connection(bedrock_llm_core::display_chain(&e)))?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(http::header::RETRY_AFTER)
                .and_then(retry_after_seconds);
            // A huge body is not read into memory.
            let body = match http_body_util::Limited::new(response.into_body(), limit)
                .collect()
                .await
            {
                Ok(collected) => collected.to_bytes(),
                Err(error) if error.is::<http_body_util::LengthLimitError>() => {
                    if limit == MAX_BODY_READ {
                        Bytes::from_static(b"(a body over 64 KiB, not read)")
                    } else {
                        return Err(SendError::Connection(format!(
                            "an answer over {limit} bytes, not read"
                        )));
                    }
                }
                Err(error) => return Err(SendError::Connection(error.to_string())),
            };
            Ok((status, retry_after, body))
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| SendError::Timeout(timeout))?
    }
}

/// The TLS provider: the one the application installed as the process default (a FIPS or
/// aws-lc-rs provider, say), else rustls' ring provider — the one the SDK's client is built
/// with here.
fn rustls_ring() -> rustls::crypto::CryptoProvider {
    if let Some(installed) = rustls::crypto::CryptoProvider::get_default() {
        return installed.as_ref().clone();
    }
    // rustls 0.23.48 deprecates ring's constructor only because ring has no post-quantum key
    // exchange; its replacement, aws-lc-rs, compiles a C library for minutes on every clean
    // build. Classical key exchange is what the SDK's `rustls-ring` client uses too, and an
    // application that wants post-quantum installs aws-lc-rs as the default (taken above).
    #[allow(deprecated)]
    rustls::crypto::ring::default_provider()
}

/// `Retry-After: <seconds>` (the HTTP-date form is not used by the New Relic APIs).
pub(crate) fn retry_after_seconds(value: &HeaderValue) -> Option<Duration> {
    value
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// `text` with the user information of every URL in it (`https://user:password@host`) replaced
/// by `***`, so an endpoint's credentials never reach a message or a log line.
pub fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        // The authority ends at the first `/`, `?`, `#` or whitespace; userinfo before an `@`.
        let end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(user_end) => {
                out.push_str("***");
                rest = &tail[user_end..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact_userinfo;

    #[test]
    fn userinfo_is_redacted_wherever_a_url_stands() {
        assert_eq!(
            redact_userinfo("bad endpoint https://alice:s3cret@collector:4318/v1/traces: refused"),
            "bad endpoint https://***@collector:4318/v1/traces: refused"
        );
        assert_eq!(
            redact_userinfo("http://h:1/a?x=user@y and ftp://u@h"),
            "http://h:1/a?x=user@y and ftp://***@h"
        );
        assert_eq!(redact_userinfo("no url at all"), "no url at all");
        assert_eq!(redact_userinfo("http://"), "http://");
    }
}
