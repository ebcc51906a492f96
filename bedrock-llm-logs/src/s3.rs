//! Invocation-log objects in S3 (feature `s3`): listed page by page under a prefix, in key
//! order, filtered by the hour in Bedrock's `…/YYYY/MM/DD/HH/` layout (the offloaded bodies
//! under `data/` folders left out), and streamed — an
//! object is never held whole — into the same [`crate::LogReader`] as local files. The same
//! client fetches offloaded bodies ([`BodyFetcher`]).
//!
//! The API is blocking, like the reader: call it from threads that may block (not from inside
//! the async runtime whose handle it was given).

use std::io::Read;

use bytes::Bytes;

use crate::fetch::{BodyFetcher, FetchError, S3Uri};

/// Chunks of an object in flight between the download and the reader.
const CHUNKS_IN_FLIGHT: usize = 4;

/// Why S3 could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum S3Error {
    /// Listing failed.
    #[error("cannot list {location}: {reason}")]
    List {
        /// `s3://bucket/prefix`.
        location: String,
        /// What S3 said.
        reason: String,
    },
    /// An object could not be opened or read.
    #[error("cannot read {location}: {reason}")]
    Get {
        /// `s3://bucket/key`.
        location: String,
        /// What S3 said.
        reason: String,
    },
}

/// One listed object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectEntry {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its ETag, which changes when the object does.
    pub etag: Option<String>,
}

impl ObjectEntry {
    /// `s3://bucket/key`.
    pub fn uri(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

/// An inclusive range of hours, as `YYYYMMDDHH`, matched against the `…/YYYY/MM/DD/HH/` part of
/// a key. Keys without that part pass only when the range is open on both ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HourRange {
    since: Option<String>,
    until: Option<String>,
}

impl HourRange {
    /// From `--since` / `--until` values: `YYYY-MM-DD` or `YYYY-MM-DDTHH` (minutes ignored);
    /// a bare date starts at its hour 00 and ends after its hour 23.
    pub fn parse(since: Option<&str>, until: Option<&str>) -> Result<Self, String> {
        let hour = |text: &str, end: bool| -> Result<String, String> {
            let bad = || format!("{text:?} is not a date (YYYY-MM-DD) or hour (YYYY-MM-DDTHH)");
            let (date, hour) = match text.split_once('T') {
                Some((date, time)) => (date, Some(time.get(..2).ok_or_else(bad)?)),
                None => (text, None),
            };
            let parts: Vec<&str> = date.split('-').collect();
            let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
            if parts.len() != 3
                || !digits(parts[0], 4)
                || !digits(parts[1], 2)
                || !digits(parts[2], 2)
                || hour.is_some_and(|h| !digits(h, 2))
            {
                return Err(bad());
            }
            let hour = hour.unwrap_or(if end { "23" } else { "00" });
            Ok(format!("{}{}{}{hour}", parts[0], parts[1], parts[2]))
        };
        Ok(Self {
            since: since.map(|s| hour(s, false)).transpose()?,
            until: until.map(|u| hour(u, true)).transpose()?,
        })
    }

    /// The range in ms since the epoch, both ends inclusive (a bare `until` hour runs to its
    /// last millisecond), for sources filtered by time rather than by key.
    pub fn bounds_ms(&self) -> (Option<i64>, Option<i64>) {
        let ms = |hour: &str| -> Option<i64> {
            let number = |range: std::ops::Range<usize>| hour.get(range)?.parse::<i64>().ok();
            let (year, month, day, h) =
                (number(0..4)?, number(4..6)?, number(6..8)?, number(8..10)?);
            let days = days_from_civil(year, month, day);
            Some((days * 24 + h) * 3_600_000)
        };
        (
            self.since.as_deref().and_then(ms),
            self.until
                .as_deref()
                .and_then(ms)
                .map(|start| start + 3_599_999),
        )
    }

    /// Whether the range is open on both ends.
    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// Whether `key` falls in the range.
    pub fn contains(&self, key: &str) -> bool {
        match key_hour(key) {
            Some(hour) => {
                self.since
                    .as_deref()
                    .is_none_or(|since| hour.as_str() >= since)
                    && self
                        .until
                        .as_deref()
                        .is_none_or(|until| hour.as_str() <= until)
            }
            None => self.is_open(),
        }
    }
}

/// The `YYYYMMDDHH` of the last `/YYYY/MM/DD/HH/` run of segments in `key`.
fn key_hour(key: &str) -> Option<String> {
    let segments: Vec<&str> = key.split('/').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    segments.windows(4).rev().find_map(|w| {
        (digits(w[0], 4) && digits(w[1], 2) && digits(w[2], 2) && digits(w[3], 2))
            .then(|| w.concat())
    })
}

/// An S3 client and the runtime it runs on.
#[derive(Debug, Clone)]
pub struct S3Objects {
    client: aws_sdk_s3::Client,
    runtime: tokio::runtime::Handle,
}

impl S3Objects {
    /// Reads through `client`, whose requests run on `runtime`.
    pub fn new(client: aws_sdk_s3::Client, runtime: tokio::runtime::Handle) -> Self {
        Self { client, runtime }
    }

    /// Every object under `location`'s prefix whose key falls in `range`, in key order.
    pub fn list(&self, location: &S3Uri, range: &HourRange) -> Result<Vec<ObjectEntry>, S3Error> {
        let failed = |reason: String| S3Error::List {
            location: location.to_string(),
            reason,
        };
        self.runtime.block_on(async {
            let mut pages = self
                .client
                .list_objects_v2()
                .bucket(&location.bucket)
                .prefix(&location.key)
                .into_paginator()
                .send();
            let mut entries = Vec::new();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| failed(crate::aws_error::explain(&e)))?;
                for object in page.contents() {
                    let Some(key) = object.key() else { continue };
                    // Bedrock offloads large bodies and media under a `data/` folder of the
                    // same layout: they are fetched by the records naming them, not read as logs.
                    if key.ends_with('/')
                        || key.split('/').any(|s| s == "data")
                        || !range.contains(key)
                    {
                        continue;
                    }
                    entries.push(ObjectEntry {
                        bucket: location.bucket.clone(),
                        key: key.to_owned(),
                        size: object
                            .size()
                            .and_then(|s| u64::try_from(s).ok())
                            .unwrap_or(0),
                        etag: object.e_tag().map(str::to_owned),
                    });
                }
            }
            // S3 lists in UTF-8 binary order already; sorting keeps the promise for any
            // implementation.
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(entries)
        })
    }

    /// The object `bucket`/`key`, streamed: at most a few chunks are held at a time.
    pub fn open(&self, bucket: &str, key: &str) -> Result<ObjectReader, S3Error> {
        let location = format!("s3://{bucket}/{key}");
        let output = self
            .runtime
            .block_on(self.client.get_object().bucket(bucket).key(key).send())
            .map_err(|e| S3Error::Get {
                location: location.clone(),
                reason: crate::aws_error::explain(&e),
            })?;
        let (chunks, receiver) = tokio::sync::mpsc::channel(CHUNKS_IN_FLIGHT);
        let mut body = output.body;
        self.runtime.spawn(async move {
            loop {
                let next = match body.next().await {
                    None => return,
                    Some(Ok(bytes)) => Ok(bytes),
                    Some(Err(e)) => Err(e.to_string()),
                };
                let stop = next.is_err();
                // The reader went away: stop downloading.
                if chunks.send(next).await.is_err() || stop {
                    return;
                }
            }
        });
        Ok(ObjectReader {
            receiver,
            chunk: Bytes::new(),
            location,
        })
    }
}

/// A streamed object body as `Read`.
#[derive(Debug)]
pub struct ObjectReader {
    receiver: tokio::sync::mpsc::Receiver<Result<Bytes, String>>,
    chunk: Bytes,
    location: String,
}

impl Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            match self.receiver.blocking_recv() {
                None => return Ok(0),
                Some(Ok(bytes)) => self.chunk = bytes,
                Some(Err(reason)) => {
                    return Err(std::io::Error::other(format!(
                        "{}: download failed: {reason}",
                        self.location
                    )));
                }
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk = self.chunk.slice(n..);
        Ok(n)
    }
}

impl BodyFetcher for S3Objects {
    fn fetch(&self, uri: &str, max_bytes: u64) -> Result<Vec<u8>, FetchError> {
        let location = S3Uri::parse(uri)
            .filter(|l| !l.key.is_empty())
            .ok_or_else(|| FetchError::NotS3(uri.to_owned()))?;
        let failed = |reason: String| FetchError::Failed {
            uri: uri.to_owned(),
            reason,
        };
        let mut reader = self
            .open(&location.bucket, &location.key)
            .map_err(|e| failed(e.to_string()))?;
        let mut bytes = Vec::new();
        (&mut reader)
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| failed(e.to_string()))?;
        if bytes.len() as u64 > max_bytes {
            return Err(FetchError::TooLarge {
                uri: uri.to_owned(),
                limit: max_bytes,
            });
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_come_from_bedrocks_layout() {
        let key = "AWSLogs/123/BedrockModelInvocationLogs/us-east-1/2024/04/18/22/x.json.gz";
        assert_eq!(key_hour(key).as_deref(), Some("2024041822"));
        assert_eq!(key_hour("flat/x.json.gz"), None);
        let range = HourRange::parse(Some("2024-04-18T22"), Some("2024-04-18")).unwrap();
        assert!(range.contains(key));
        assert!(!range.contains(&key.replace("/22/", "/21/")));
        assert!(!range.contains(&key.replace("/18/", "/19/")));
        assert!(!range.contains("flat/x.json.gz"));
        assert!(HourRange::default().contains("flat/x.json.gz"));
        assert!(HourRange::parse(Some("18/04/2024"), None).is_err());
        assert!(HourRange::parse(None, Some("2024-04-18Tx")).is_err());
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod bounds_tests {
    use super::HourRange;

    #[test]
    fn hour_ranges_in_milliseconds() {
        let range =
            HourRange::parse(Some("2024-04-18T22"), Some("2024-04-18T22")).unwrap_or_default();
        // 2024-04-18T22:00:00Z is 1713477600 s.
        assert_eq!(
            range.bounds_ms(),
            (Some(1_713_477_600_000), Some(1_713_481_199_999))
        );
        let days = HourRange::parse(Some("1970-01-01"), Some("2000-03-01")).unwrap_or_default();
        assert_eq!(days.bounds_ms(), (Some(0), Some(951_955_199_999)));
        assert_eq!(HourRange::default().bounds_ms(), (None, None));
    }
}
