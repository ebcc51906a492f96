//! A New Relic ingest receiver on 127.0.0.1 for exporter tests. It enforces the Event and
//! Metric APIs' documented contract — `POST /v1/accounts/{account}/events` and `/metric/v1`,
//! the `Api-Key` header, gzip bodies, at most 10^6 bytes (else 413), a JSON array of flat
//! objects each with an `eventType` (events) or of `{common, metrics}` blocks (metrics) — and
//! plays a script of faults first: statuses (with `Retry-After`), closed connections, answers
//! slower than the client's timeout.

use std::collections::VecDeque;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use serde_json::Value;

/// One scripted answer, used by the next request (events or metrics) before the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// This status, with `Retry-After: n` when given.
    Status(u16, Option<u64>),
    /// The connection closes without an answer.
    Close,
    /// A 500, sent only after this delay.
    Slow(Duration),
}

/// What one request was and how it was answered.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The path.
    pub path: String,
    /// The status sent (0 for a closed connection).
    pub status: u16,
    /// The body's size on the wire.
    pub wire_bytes: usize,
    /// `Content-Encoding: gzip` was sent.
    pub gzip: bool,
    /// The `Api-Key` header was the expected key.
    pub key_ok: bool,
}

#[derive(Debug, Default)]
struct State {
    faults: VecDeque<Fault>,
    events: Vec<Value>,
    metric_blocks: Vec<Value>,
    exchanges: Vec<Exchange>,
    max_bytes: usize,
}

/// A running receiver; stops when dropped.
#[derive(Debug)]
pub struct Receiver {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    /// Stops the server when the receiver is dropped.
    _stop: crate::loopback::Stop,
}

/// The license key and account the receiver expects.
pub const KEY: &str = "test-license-key-NRAL";
/// The account in the events path.
pub const ACCOUNT: &str = "1234567";

impl Receiver {
    /// Starts a receiver answering `faults` first, then by the contract.
    pub async fn start(faults: Vec<Fault>) -> std::io::Result<Self> {
        Self::start_with_limit(faults, 1_000_000).await
    }

    /// As [`start`](Self::start), refusing bodies over `max_bytes` with 413.
    pub async fn start_with_limit(faults: Vec<Fault>, max_bytes: usize) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(State {
            faults: faults.into(),
            max_bytes,
            ..State::default()
        }));
        let (addr, stop) = crate::loopback::serve(Arc::clone(&state), answer).await?;
        Ok(Self {
            addr,
            state,
            _stop: stop,
        })
    }

    /// `http://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The events accepted, in arrival order.
    pub fn events(&self) -> Vec<Value> {
        self.state.lock().unwrap().events.clone()
    }

    /// The metric blocks accepted.
    pub fn metric_blocks(&self) -> Vec<Value> {
        self.state.lock().unwrap().metric_blocks.clone()
    }

    /// Every request, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.state.lock().unwrap().exchanges.clone()
    }

    /// Scripts more faults.
    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.lock().unwrap().faults.extend(faults);
    }
}

/// The connection is closed without an answer.
#[derive(Debug)]
struct Closed;

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("closed by script")
    }
}

impl std::error::Error for Closed {}

fn reply(status: u16, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
    response
}

async fn answer(
    state: Arc<Mutex<State>>,
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Closed> {
    let path = request.uri().path().to_owned();
    let gzip = request
        .headers()
        .get("content-encoding")
        .is_some_and(|v| v == "gzip");
    let key_ok = request.headers().get("api-key").is_some_and(|v| v == KEY);
    let is_post = request.method() == hyper::Method::POST;
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let log = |status: u16| Exchange {
        path: path.clone(),
        status,
        wire_bytes: body.len(),
        gzip,
        key_ok,
    };
    let fault = state.lock().unwrap().faults.pop_front();
    match fault {
        Some(Fault::Close) => {
            state.lock().unwrap().exchanges.push(log(0));
            return Err(Closed);
        }
        Some(Fault::Status(status, retry_after)) => {
            state.lock().unwrap().exchanges.push(log(status));
            let mut response = reply(status, r#"{"error":"scripted"}"#);
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", seconds.to_string().parse().unwrap());
            }
            return Ok(response);
        }
        Some(Fault::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            state.lock().unwrap().exchanges.push(log(500));
            return Ok(reply(500, "{}"));
        }
        None => {}
    }
    let events_path = format!("/v1/accounts/{ACCOUNT}/events");
    let (status, text) = if !is_post || (path != events_path && path != "/metric/v1") {
        (404, "not found")
    } else if !key_ok {
        (403, r#"{"error":"invalid key"}"#)
    } else if body.len() > state.lock().unwrap().max_bytes {
        (413, r#"{"error":"payload too large"}"#)
    } else {
        match decode(&body, gzip) {
            Err(problem) => (400, problem),
            Ok(value) if path == events_path => match check_events(&value) {
                Ok(()) => {
                    let items = value.as_array().cloned().unwrap_or_default();
                    state.lock().unwrap().events.extend(items);
                    (
                        200,
                        r#"{"success":true,"uuid":"00000000-0000-4000-8000-000000000000"}"#,
                    )
                }
                Err(problem) => (400, problem),
            },
            Ok(value) => match check_metrics(&value) {
                Ok(()) => {
                    let items = value.as_array().cloned().unwrap_or_default();
                    state.lock().unwrap().metric_blocks.extend(items);
                    (
                        202,
                        r#"{"requestId":"00000000-0000-4000-8000-000000000001"}"#,
                    )
                }
                Err(problem) => (400, problem),
            },
        }
    };
    state.lock().unwrap().exchanges.push(log(status));
    Ok(reply(status, text))
}

fn decode(body: &[u8], gzip: bool) -> Result<Value, &'static str> {
    let mut text = Vec::new();
    if gzip {
        flate2::read::GzDecoder::new(body)
            .read_to_end(&mut text)
            .map_err(|_| "body is not gzip")?;
    } else {
        text = body.to_vec();
    }
    serde_json::from_slice(&text).map_err(|_| "body is not JSON")
}

fn check_events(value: &Value) -> Result<(), &'static str> {
    let events = value.as_array().ok_or("events must be a JSON array")?;
    for event in events {
        let object = event.as_object().ok_or("each event must be an object")?;
        if !object.get("eventType").is_some_and(Value::is_string) {
            return Err("each event needs a string eventType");
        }
        if object.values().any(|v| v.is_object() || v.is_array()) {
            return Err("events must be flat");
        }
        if object.keys().any(|k| k.len() > 255) {
            return Err("attribute names are at most 255 characters");
        }
        if object
            .values()
            .any(|v| v.as_str().is_some_and(|s| s.chars().count() > 4096))
        {
            return Err("attribute values are at most 4096 characters");
        }
    }
    Ok(())
}

fn check_metrics(value: &Value) -> Result<(), &'static str> {
    let blocks = value.as_array().ok_or("metrics must be a JSON array")?;
    for block in blocks {
        let metrics = block["metrics"]
            .as_array()
            .ok_or("each block needs metrics")?;
        for metric in metrics {
            if !metric["name"].is_string() {
                return Err("each metric needs a name");
            }
            match metric["type"].as_str() {
                Some("gauge" | "count") if metric["value"].is_number() => {}
                Some("summary") if metric["value"].is_object() => {}
                _ => return Err("each metric needs a type and a value of that type"),
            }
            let interval = metric
                .get("interval.ms")
                .or_else(|| block["common"].get("interval.ms"));
            if matches!(metric["type"].as_str(), Some("count" | "summary"))
                && !interval.is_some_and(Value::is_number)
            {
                return Err("count and summary metrics need interval.ms");
            }
        }
    }
    Ok(())
}
