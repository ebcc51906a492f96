//! Offloaded bodies. Bedrock writes a body too large for the record to S3 and names it by
//! `input.inputBodyS3Path` / `output.outputBodyS3Path`; a [`BodyFetcher`] supplies such bodies
//! to [`crate::replay::replay_fetching`] — the S3 one (feature `s3`), or any other source.

/// The largest offloaded body fetched by default.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 << 20;

/// Supplies offloaded bodies by their S3 URI.
pub trait BodyFetcher: Send + Sync {
    /// The bytes of the object at `uri` (`s3://bucket/key`), refusing more than `max_bytes`.
    fn fetch(&self, uri: &str, max_bytes: u64) -> Result<Vec<u8>, FetchError>;
}

/// Why an offloaded body could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The path is not an `s3://bucket/key` URI.
    #[error("{0:?} is not an s3://bucket/key URI")]
    NotS3(String),
    /// The object is larger than allowed.
    #[error("{uri} is larger than {limit} bytes")]
    TooLarge {
        /// The body's URI.
        uri: String,
        /// The limit.
        limit: u64,
    },
    /// The source failed (missing object, access denied, network).
    #[error("{uri}: {reason}")]
    Failed {
        /// The body's URI.
        uri: String,
        /// What the source said.
        reason: String,
    },
    /// The object is not a JSON body.
    #[error("{uri}: not a JSON body ({reason})")]
    NotJson {
        /// The body's URI.
        uri: String,
        /// What was wrong.
        reason: String,
    },
}

/// An `s3://bucket/key` URI, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Uri {
    /// The bucket.
    pub bucket: String,
    /// The key (or key prefix), possibly empty.
    pub key: String,
}

impl S3Uri {
    /// Splits `s3://bucket/key`; `None` for anything else (no scheme, no bucket).
    pub fn parse(uri: &str) -> Option<Self> {
        let rest = uri.strip_prefix("s3://")?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        (!bucket.is_empty()).then(|| Self {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        })
    }
}

impl std::fmt::Display for S3Uri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// A fetched object as body text: gunzipped if gzipped (within `max_bytes`), UTF-8, and one
/// JSON value.
pub(crate) fn body_text(uri: &str, bytes: Vec<u8>, max_bytes: u64) -> Result<String, FetchError> {
    use std::io::Read as _;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut plain)
            .map_err(|e| FetchError::NotJson {
                uri: uri.to_owned(),
                reason: format!("bad gzip: {e}"),
            })?;
        if plain.len() as u64 > max_bytes {
            return Err(FetchError::TooLarge {
                uri: uri.to_owned(),
                limit: max_bytes,
            });
        }
        plain
    } else {
        bytes
    };
    let text = String::from_utf8(bytes).map_err(|e| FetchError::NotJson {
        uri: uri.to_owned(),
        reason: format!("not UTF-8: {e}"),
    })?;
    serde_json::from_str::<serde::de::IgnoredAny>(&text).map_err(|e| FetchError::NotJson {
        uri: uri.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_split_into_bucket_and_key() {
        assert_eq!(
            S3Uri::parse("s3://logs/AWSLogs/1/x.json.gz"),
            Some(S3Uri {
                bucket: "logs".into(),
                key: "AWSLogs/1/x.json.gz".into()
            })
        );
        assert_eq!(
            S3Uri::parse("s3://logs").map(|u| u.key),
            Some(String::new())
        );
        assert_eq!(S3Uri::parse("s3:///key"), None);
        assert_eq!(S3Uri::parse("https://logs/key"), None);
    }

    #[test]
    fn bodies_must_be_json_and_fit() {
        assert!(body_text("s3://b/k", br#"{"a":1}"#.to_vec(), 100).is_ok());
        assert!(matches!(
            body_text("s3://b/k", b"not json".to_vec(), 100),
            Err(FetchError::NotJson { .. })
        ));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, format!("\"{}\"", "x".repeat(1000)).as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert!(body_text("s3://b/k", gz.clone(), 2000).is_ok());
        assert!(matches!(
            body_text("s3://b/k", gz, 100),
            Err(FetchError::TooLarge { limit: 100, .. })
        ));
    }
}
