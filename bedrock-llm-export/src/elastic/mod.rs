//! Elasticsearch: where and how to reach a cluster ([`ElasticConfig`], from the environment the
//! Elastic tools read), and the Bulk API client ([`BulkClient`]) that writes documents into data
//! streams with `create`, gzip, bounded requests and retries.

mod bulk;
mod setup;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

pub use bulk::{BulkClient, BulkCounts, Document};
pub use setup::{SetupReport, index_templates, install_templates};

/// Why a cluster cannot be addressed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ElasticConfigError {
    /// No URL anywhere.
    #[error(
        "no Elasticsearch to send to: set ELASTICSEARCH_URL (e.g. https://localhost:9200) or ELASTIC_CLOUD_ID, or give --endpoint URL"
    )]
    NoEndpoint,
    /// `ELASTIC_CLOUD_ID` is not `name:base64(host$es_uuid$kibana_uuid)`.
    #[error("ELASTIC_CLOUD_ID is not a Cloud ID (name:base64 of host$es_uuid$kibana_uuid): {0}")]
    CloudId(String),
    /// The URL is not http(s).
    #[error("the Elasticsearch URL `{0}` is not an http:// or https:// URL")]
    Url(String),
    /// A credential cannot go in a header.
    #[error("{0} has characters that cannot be sent in a header")]
    Header(&'static str),
}

/// How requests authenticate.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// No `Authorization` header.
    None,
    /// `Authorization: ApiKey <encoded>`.
    ApiKey(String),
    /// `Authorization: Basic <base64(user:password)>`.
    Basic(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a credential.
        f.write_str(match self {
            Self::None => "None",
            Self::ApiKey(_) => "ApiKey(***)",
            Self::Basic(_) => "Basic(***)",
        })
    }
}

impl Auth {
    /// The `Authorization` header value, if any.
    pub fn header(&self) -> Option<String> {
        match self {
            Self::None => None,
            Self::ApiKey(encoded) => Some(format!("ApiKey {encoded}")),
            Self::Basic(encoded) => Some(format!("Basic {encoded}")),
        }
    }

    /// An API key as `ELASTIC_API_KEY` holds it: the encoded form Kibana shows
    /// (`base64(id:api_key)`), or `id:api_key`, which is encoded here.
    pub fn api_key(key: &str) -> Self {
        let key = key.trim();
        if key.contains(':') {
            Self::ApiKey(BASE64.encode(key))
        } else {
            Self::ApiKey(key.to_owned())
        }
    }

    /// Basic auth.
    pub fn basic(user: &str, password: &str) -> Self {
        Self::Basic(BASE64.encode(format!("{user}:{password}")))
    }
}

/// Where documents go and how.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ElasticConfig {
    /// The cluster's base URL, without a trailing `/`.
    pub url: String,
    /// Credentials.
    pub auth: Auth,
    /// The data streams' namespace (`logs-aws_bedrock.invocation-<namespace>`).
    pub namespace: String,
    /// The most uncompressed bytes in one Bulk request.
    pub max_request_bytes: usize,
    /// How long one request may take.
    pub timeout: Duration,
    /// Attempts per document before it counts as dropped.
    pub max_attempts: u32,
    /// The longest wait between attempts (a larger `Retry-After` is cut to this).
    pub max_backoff: Duration,
}

/// Bulk requests' size unless told otherwise: Elastic advises 5–15 MB.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 5 * 1024 * 1024;

impl ElasticConfig {
    /// A cluster at `url`, no credentials, namespace `default`.
    pub fn new(url: &str) -> Result<Self, ElasticConfigError> {
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ElasticConfigError::Url(crate::http::redact_userinfo(url)));
        }
        Ok(Self {
            url: url.to_owned(),
            auth: Auth::None,
            namespace: bedrock_llm_events::render::elastic::DEFAULT_NAMESPACE.to_owned(),
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            timeout: Duration::from_secs(30),
            max_attempts: 8,
            max_backoff: Duration::from_secs(30),
        })
    }

    /// From the environment: `ELASTICSEARCH_URL` or `ELASTIC_CLOUD_ID` (unless `endpoint` is
    /// given), `ELASTIC_API_KEY` or `ELASTICSEARCH_USERNAME`/`ELASTICSEARCH_PASSWORD`,
    /// `BEDROCK_LLM_ELASTIC_NAMESPACE`, `BEDROCK_LLM_ELASTIC_BULK_BYTES`.
    pub fn from_env(endpoint: Option<&str>) -> Result<Self, ElasticConfigError> {
        Self::from_lookup(endpoint, |name| std::env::var(name).ok())
    }

    /// [`Self::from_env`] reading variables through `var` (tests, other sources).
    pub fn from_lookup(
        endpoint: Option<&str>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ElasticConfigError> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let url = match (endpoint, var("ELASTICSEARCH_URL"), var("ELASTIC_CLOUD_ID")) {
            (Some(endpoint), _, _) => endpoint.to_owned(),
            (None, Some(url), _) => url,
            (None, None, Some(cloud_id)) => cloud_url(&cloud_id)?,
            (None, None, None) => return Err(ElasticConfigError::NoEndpoint),
        };
        let mut config = Self::new(&url)?;
        config.auth = match (
            var("ELASTIC_API_KEY"),
            var("ELASTICSEARCH_USERNAME"),
            var("ELASTICSEARCH_PASSWORD"),
        ) {
            (Some(key), _, _) => Auth::api_key(&key),
            (None, Some(user), password) => Auth::basic(&user, &password.unwrap_or_default()),
            _ => Auth::None,
        };
        if let Some(header) = config.auth.header()
            && http::HeaderValue::from_str(&header).is_err()
        {
            return Err(ElasticConfigError::Header("ELASTIC_API_KEY"));
        }
        if let Some(namespace) = var("BEDROCK_LLM_ELASTIC_NAMESPACE") {
            config.namespace = namespace;
        }
        if let Some(bytes) = var("BEDROCK_LLM_ELASTIC_BULK_BYTES").and_then(|b| b.parse().ok()) {
            config.max_request_bytes = usize::max(bytes, 1024);
        }
        Ok(config)
    }

    /// The invocation data stream: `logs-aws_bedrock.invocation-<namespace>`.
    pub fn invocation_stream(&self) -> String {
        format!(
            "logs-{}-{}",
            bedrock_llm_events::render::elastic::INVOCATION_DATASET,
            self.namespace
        )
    }

    /// The runtime data stream: `metrics-aws_bedrock.runtime-<namespace>`.
    pub fn runtime_stream(&self) -> String {
        format!(
            "metrics-{}-{}",
            bedrock_llm_events::render::elastic::RUNTIME_DATASET,
            self.namespace
        )
    }
}

/// The cluster URL an Elastic Cloud ID names: `name:base64(host[:port]$es_uuid$kibana_uuid)` →
/// `https://<es_uuid>.<host>[:port]`.
pub fn cloud_url(cloud_id: &str) -> Result<String, ElasticConfigError> {
    let bad = |why: &str| ElasticConfigError::CloudId(why.to_owned());
    let encoded = cloud_id
        .split_once(':')
        .map_or(cloud_id, |(_, encoded)| encoded);
    let decoded = BASE64
        .decode(encoded.trim())
        .map_err(|e| bad(&format!("not base64 ({e})")))?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad("not UTF-8"))?;
    let mut parts = decoded.split('$');
    let (Some(host), Some(es)) = (parts.next(), parts.next()) else {
        return Err(bad("no `$` between host and cluster id"));
    };
    if host.is_empty() || es.is_empty() {
        return Err(bad("an empty host or cluster id"));
    }
    let (host, port) = match host.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => (host, Some(port)),
        _ => (host, None),
    };
    Ok(match port {
        Some(port) if port != "443" => format!("https://{es}.{host}:{port}"),
        _ => format!("https://{es}.{host}"),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn cloud_ids_name_their_cluster() {
        let id = format!(
            "my-deployment:{}",
            BASE64.encode("eu-west-1.aws.found.io$abc123$kib")
        );
        assert_eq!(
            cloud_url(&id).unwrap(),
            "https://abc123.eu-west-1.aws.found.io"
        );
        let with_port = format!("x:{}", BASE64.encode("host.example:9243$es1$kb"));
        assert_eq!(
            cloud_url(&with_port).unwrap(),
            "https://es1.host.example:9243"
        );
        assert!(matches!(
            cloud_url("x:%%%"),
            Err(ElasticConfigError::CloudId(_))
        ));
        assert!(cloud_url(&format!("x:{}", BASE64.encode("nohost"))).is_err());
    }

    #[test]
    fn the_environment_elastic_tools_read() {
        let config = ElasticConfig::from_lookup(
            None,
            lookup(&[
                ("ELASTICSEARCH_URL", "http://127.0.0.1:9200/"),
                ("ELASTIC_API_KEY", "id:secret"),
            ]),
        )
        .unwrap();
        assert_eq!(config.url, "http://127.0.0.1:9200");
        assert_eq!(
            config.auth.header().unwrap(),
            format!("ApiKey {}", BASE64.encode("id:secret"))
        );
        assert_eq!(
            config.invocation_stream(),
            "logs-aws_bedrock.invocation-default"
        );
        assert!(!format!("{config:?}").contains("secret"));

        let basic = ElasticConfig::from_lookup(
            Some("https://es:9200"),
            lookup(&[
                ("ELASTICSEARCH_USERNAME", "elastic"),
                ("ELASTICSEARCH_PASSWORD", "pw"),
                ("BEDROCK_LLM_ELASTIC_NAMESPACE", "prod"),
            ]),
        )
        .unwrap();
        assert_eq!(
            basic.auth.header().unwrap(),
            format!("Basic {}", BASE64.encode("elastic:pw"))
        );
        assert_eq!(basic.runtime_stream(), "metrics-aws_bedrock.runtime-prod");

        assert_eq!(
            ElasticConfig::from_lookup(None, lookup(&[])).unwrap_err(),
            ElasticConfigError::NoEndpoint
        );
        assert!(matches!(
            ElasticConfig::from_lookup(Some("localhost:9200"), lookup(&[])),
            Err(ElasticConfigError::Url(_))
        ));
    }
}
