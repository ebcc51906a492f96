//! An Elasticsearch on 127.0.0.1 for the `elasticsearch` destination's tests. It enforces the
//! Bulk API's contract as a data stream sees it — `POST /_bulk`, `Content-Type:
//! application/x-ndjson`, gzip when `Content-Encoding` says so, the body ending in a newline,
//! action and source lines in pairs, `create` only (data streams refuse `index`), `_index` a
//! `logs-`/`metrics-` data stream, a source with `@timestamp`, the `Authorization` header — keeps
//! documents by `_id` (a second `create` is a `409`), and plays scripted faults: whole-request
//! statuses, closed connections, and per-item `429`s and `400`s by document id. It also serves
//! `GET`/`PUT /_index_template/<name>`.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use serde_json::{Value, json};

/// The API key the receiver expects (`Authorization: ApiKey <KEY>`).
pub const KEY: &str = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";

/// One scripted answer to the next Bulk request, before the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// This whole-request status.
    Status(u16),
    /// The connection closes without an answer.
    Close,
}

/// What one Bulk request was and how it was answered.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The status sent (0 for a closed connection).
    pub status: u16,
    /// `Authorization` was `ApiKey <KEY>`.
    pub auth_ok: bool,
    /// The body was gzip.
    pub gzip: bool,
    /// Documents in the request.
    pub documents: usize,
    /// The body's size on the wire.
    pub wire_bytes: usize,
}

#[derive(Debug, Default)]
struct State {
    faults: VecDeque<Fault>,
    /// `_id` → how many more times to answer that item 429.
    item_429: HashMap<String, u32>,
    /// `_id`s always answered 400.
    item_400: Vec<String>,
    /// `(index, _id)` → source.
    documents: BTreeMap<(String, String), Value>,
    /// Every `create` that arrived, duplicates too.
    creates: Vec<(String, String)>,
    exchanges: Vec<Exchange>,
    templates: BTreeMap<String, Value>,
}

/// A running receiver; stops when dropped.
#[derive(Debug)]
pub struct Receiver {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    _stop: crate::loopback::Stop,
}

impl Receiver {
    /// Starts a receiver answering `faults` first.
    pub async fn start(faults: Vec<Fault>) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(State {
            faults: faults.into(),
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

    /// Answers the item with `_id` `id` 429 the next `times` times it arrives.
    pub fn throttle_item(&self, id: &str, times: u32) {
        self.state
            .lock()
            .unwrap()
            .item_429
            .insert(id.to_owned(), times);
    }

    /// Answers the item with `_id` `id` 400 (a mapping conflict) every time.
    pub fn reject_item(&self, id: &str) {
        self.state.lock().unwrap().item_400.push(id.to_owned());
    }

    /// Scripts more whole-request faults.
    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.lock().unwrap().faults.extend(faults);
    }

    /// The documents kept, by `(data stream, _id)`.
    pub fn documents(&self) -> BTreeMap<(String, String), Value> {
        self.state.lock().unwrap().documents.clone()
    }

    /// Every `create` that arrived (duplicates included), in order.
    pub fn creates(&self) -> Vec<(String, String)> {
        self.state.lock().unwrap().creates.clone()
    }

    /// Every Bulk request, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.state.lock().unwrap().exchanges.clone()
    }

    /// Index templates installed, by name.
    pub fn templates(&self) -> BTreeMap<String, Value> {
        self.state.lock().unwrap().templates.clone()
    }

    /// Installs a template as someone else would (no `_meta.managed_by`).
    pub fn install_foreign_template(&self, name: &str) {
        self.state.lock().unwrap().templates.insert(
            name.to_owned(),
            json!({"index_patterns": [format!("{name}-*")]}),
        );
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

fn reply(status: u16, body: Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
    response.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

fn error(status: u16, kind: &str, reason: &str) -> Response<Full<Bytes>> {
    reply(
        status,
        json!({"error": {"type": kind, "reason": reason}, "status": status}),
    )
}

async fn answer(
    state: Arc<Mutex<State>>,
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Closed> {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let headers = request.headers().clone();
    let auth_ok = headers
        .get("authorization")
        .is_some_and(|v| v.to_str().is_ok_and(|v| v == format!("ApiKey {KEY}")));
    let gzip = headers.get("content-encoding").is_some_and(|v| v == "gzip");
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if !auth_ok {
        return Ok(error(
            401,
            "security_exception",
            "missing authentication credentials",
        ));
    }
    if let Some(name) = path.strip_prefix("/_index_template/") {
        return Ok(template(&state, &method, name, &body));
    }
    if path != "/_bulk" || method != hyper::Method::POST {
        return Ok(error(404, "not_found", "no such endpoint"));
    }
    let mut log = Exchange {
        status: 0,
        auth_ok,
        gzip,
        documents: 0,
        wire_bytes: body.len(),
    };
    let fault = state.lock().unwrap().faults.pop_front();
    match fault {
        Some(Fault::Close) => {
            state.lock().unwrap().exchanges.push(log);
            return Err(Closed);
        }
        Some(Fault::Status(status)) => {
            log.status = status;
            state.lock().unwrap().exchanges.push(log);
            return Ok(error(status, "scripted", "scripted fault"));
        }
        None => {}
    }
    let content_type_ok = headers.get("content-type").is_some_and(|v| {
        v.to_str()
            .is_ok_and(|v| v.starts_with("application/x-ndjson"))
    });
    let response = match (content_type_ok, decode(&body, gzip)) {
        (false, _) => error(
            400,
            "illegal_argument_exception",
            "Content-Type must be application/x-ndjson",
        ),
        (true, Err(problem)) => error(400, "parse_exception", problem),
        (true, Ok(text)) => match pairs(&text) {
            Err(problem) => error(400, "illegal_argument_exception", problem),
            Ok(pairs) => {
                log.documents = pairs.len();
                bulk(&state, pairs)
            }
        },
    };
    log.status = response.status().as_u16();
    state.lock().unwrap().exchanges.push(log);
    Ok(response)
}

fn decode(body: &[u8], gzip: bool) -> Result<String, &'static str> {
    let mut text = Vec::new();
    if gzip {
        flate2::read::GzDecoder::new(body)
            .read_to_end(&mut text)
            .map_err(|_| "body is not gzip")?;
    } else {
        text = body.to_vec();
    }
    String::from_utf8(text).map_err(|_| "body is not UTF-8")
}

/// `(action, index, id, source)` per document, by the contract.
fn pairs(text: &str) -> Result<Vec<(String, String, Value)>, &'static str> {
    if !text.ends_with('\n') {
        return Err("The bulk request must be terminated by a newline [\\n]");
    }
    let lines: Vec<&str> = text.lines().collect();
    if !lines.len().is_multiple_of(2) {
        return Err("every action line needs a source line");
    }
    let mut out = Vec::new();
    for pair in lines.chunks(2) {
        let action: Value =
            serde_json::from_str(pair[0]).map_err(|_| "an action line is not JSON")?;
        let create = action
            .get("create")
            .ok_or("only `create` is allowed on a data stream")?;
        let index = create["_index"]
            .as_str()
            .ok_or("`create` needs an _index")?;
        if !(index.starts_with("logs-") || index.starts_with("metrics-")) {
            return Err("_index must be a logs-/metrics- data stream");
        }
        let id = create["_id"].as_str().ok_or("`create` needs an _id")?;
        let source: Value =
            serde_json::from_str(pair[1]).map_err(|_| "a source line is not JSON")?;
        if !source.get("@timestamp").is_some_and(Value::is_string) {
            return Err("a data stream document needs @timestamp");
        }
        out.push((index.to_owned(), id.to_owned(), source));
    }
    Ok(out)
}

fn bulk(state: &Arc<Mutex<State>>, pairs: Vec<(String, String, Value)>) -> Response<Full<Bytes>> {
    let mut state = state.lock().unwrap();
    let mut items = Vec::new();
    let mut errors = false;
    for (index, id, source) in pairs {
        state.creates.push((index.clone(), id.clone()));
        let throttled = state.item_429.get_mut(&id).filter(|n| **n > 0);
        let (status, error) = if let Some(remaining) = throttled {
            *remaining -= 1;
            (
                429,
                Some(
                    json!({"type": "es_rejected_execution_exception", "reason": "rejected execution"}),
                ),
            )
        } else if state.item_400.contains(&id) {
            (
                400,
                Some(
                    json!({"type": "document_parsing_exception", "reason": "failed to parse field [gen_ai.usage.prompt_tokens]"}),
                ),
            )
        } else {
            match state.documents.entry((index.clone(), id.clone())) {
                std::collections::btree_map::Entry::Occupied(_) => (
                    409,
                    Some(
                        json!({"type": "version_conflict_engine_exception", "reason": format!("[{id}]: version conflict, document already exists")}),
                    ),
                ),
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(source);
                    (201, None)
                }
            }
        };
        errors |= error.is_some();
        let mut item = json!({"_index": index, "_id": id, "status": status});
        if let Some(error) = error {
            item["error"] = error;
        }
        items.push(json!({ "create": item }));
    }
    reply(200, json!({"took": 1, "errors": errors, "items": items}))
}

fn template(
    state: &Arc<Mutex<State>>,
    method: &hyper::Method,
    name: &str,
    body: &[u8],
) -> Response<Full<Bytes>> {
    let mut state = state.lock().unwrap();
    match *method {
        hyper::Method::GET => match state.templates.get(name) {
            Some(template) => reply(
                200,
                json!({"index_templates": [{"name": name, "index_template": template}]}),
            ),
            None => error(
                404,
                "resource_not_found_exception",
                "index template matching [x] not found",
            ),
        },
        hyper::Method::PUT => match serde_json::from_slice::<Value>(body) {
            Ok(template) if template["index_patterns"].is_array() => {
                state.templates.insert(name.to_owned(), template);
                reply(200, json!({"acknowledged": true}))
            }
            _ => error(
                400,
                "parse_exception",
                "an index template needs index_patterns",
            ),
        },
        _ => error(405, "method_not_allowed", "GET or PUT"),
    }
}
