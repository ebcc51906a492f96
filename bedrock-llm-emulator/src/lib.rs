//! A Bedrock Runtime server on 127.0.0.1 for tests: `POST /model/{modelId}/invoke` and
//! `/invoke-with-response-stream` (AWS event-stream frames, base64 `bytes` chunks in each
//! family's own chunk shape, invocation metrics on the last chunk), `/converse` and
//! `/converse-stream` (any model ID) answered
//! with realistic, deterministic bodies for every prebuilt family (from
//! `bedrock_llm_models::samples`) or for families you derive, with the real response headers
//! (`x-amzn-RequestId`, token counts, latency), and scripted faults.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use bedrock_llm_emulator::{Emulator, Fault};
//!
//! let emulator = Emulator::builder().fault("anthropic.claude-3-haiku-20240307-v1:0", Fault::Throttling).start().await?;
//! let sdk = aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config());
//! # Ok(()) }
//! ```
//!
//! Requests must be SigV4-signed for the `bedrock` service (checked structurally: algorithm,
//! credential scope, signed headers, `x-amz-date`); an unsigned request gets the 403 AWS sends.
//! The server only ever binds a loopback address.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bedrock_llm_core::client::{SdkTarget, sdk_config};
use bedrock_llm_core::{BedrockModel, ModelId, ModelResponse, Registry};
use bedrock_llm_models::samples::{self, Sample};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A scripted failure for calls to one model ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 `ThrottlingException`.
    Throttling,
    /// 400 `ValidationException`.
    Validation,
    /// 403 `AccessDeniedException`.
    AccessDenied,
    /// 500 `InternalServerException`.
    InternalServer,
    /// 503 `ServiceUnavailableException`.
    ServiceUnavailable,
    /// Answers normally after a delay.
    Slow(Duration),
    /// 200 with a body that is not JSON.
    MalformedBody,
    /// Closes the connection without answering.
    DropConnection,
    /// Streams: an exception frame (`modelStreamErrorException`) after this many chunks.
    StreamException {
        /// Chunks sent first.
        after: usize,
    },
    /// Streams: half a frame after this many chunks, then the end of the body.
    StreamTruncated {
        /// Chunks sent first.
        after: usize,
    },
    /// Streams: the connection closes after this many chunks.
    StreamDropped {
        /// Chunks sent first.
        after: usize,
    },
    /// Streams: this delay before every chunk.
    SlowStream(Duration),
}

impl Fault {
    /// The status, AWS error code and message of an error fault.
    fn error(&self) -> Option<(StatusCode, &'static str, &'static str)> {
        Some(match self {
            Self::Throttling => (
                StatusCode::TOO_MANY_REQUESTS,
                "ThrottlingException",
                "Too many requests, please wait before trying again.",
            ),
            Self::Validation => (
                StatusCode::BAD_REQUEST,
                "ValidationException",
                "Malformed input request, please reformat your input and try again.",
            ),
            Self::AccessDenied => (
                StatusCode::FORBIDDEN,
                "AccessDeniedException",
                "You don't have access to the model with the specified model ID.",
            ),
            Self::InternalServer => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerException",
                "The server encountered an internal error.",
            ),
            Self::ServiceUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailableException",
                "The service is temporarily unable to handle the request.",
            ),
            Self::Slow(_)
            | Self::MalformedBody
            | Self::DropConnection
            | Self::StreamException { .. }
            | Self::StreamTruncated { .. }
            | Self::StreamDropped { .. }
            | Self::SlowStream(_) => return None,
        })
    }
}

/// What the emulator answers: status, headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatedResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers beyond `x-amzn-RequestId`, which the emulator adds.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl EmulatedResponse {
    /// A 200 JSON response with token-count and latency headers.
    pub fn json(body: Vec<u8>, input_tokens: Option<u64>, output_tokens: Option<u64>) -> Self {
        let mut headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            (
                "X-Amzn-Bedrock-Invocation-Latency".to_owned(),
                "42".to_owned(),
            ),
        ];
        if let Some(n) = input_tokens {
            headers.push(("X-Amzn-Bedrock-Input-Token-Count".to_owned(), n.to_string()));
        }
        if let Some(n) = output_tokens {
            headers.push((
                "X-Amzn-Bedrock-Output-Token-Count".to_owned(),
                n.to_string(),
            ));
        }
        Self {
            status: 200,
            headers,
            body,
        }
    }

    /// An AWS error response.
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self {
            status,
            headers: vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                (
                    "x-amzn-ErrorType".to_owned(),
                    format!("{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"),
                ),
            ],
            body: serde_json::json!({ "message": message })
                .to_string()
                .into_bytes(),
        }
    }
}

type Handler = Arc<dyn Fn(&[u8]) -> EmulatedResponse + Send + Sync>;

/// The response body: whole, or fed frame by frame.
type Body = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

/// What the emulator sends back.
enum Answer {
    Whole(EmulatedResponse),
    /// Event-stream frames, ready to send.
    Stream {
        frames: Vec<Bytes>,
        fault: Option<Fault>,
    },
}

/// A route: the model IDs it serves, and how it answers.
#[derive(Clone)]
struct Route {
    serves: Arc<dyn Fn(&ModelId) -> bool + Send + Sync>,
    handler: Handler,
}

/// A request the emulator received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `POST`.
    pub method: String,
    /// The raw path.
    pub path: String,
    /// The percent-decoded model ID.
    pub model_id: String,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// A header value by (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Configures an [`Emulator`].
#[derive(Clone)]
pub struct EmulatorBuilder {
    routes: Vec<Route>,
    recorded_streams: HashMap<String, Vec<Bytes>>,
    faults: HashMap<String, Fault>,
    samples: bool,
    check_signature: bool,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("routes", &self.routes.len())
            .field("recorded_streams", &self.recorded_streams.len())
            .field("faults", &self.faults)
            .field("samples", &self.samples)
            .field("check_signature", &self.check_signature)
            .finish()
    }
}

impl EmulatorBuilder {
    /// Answers calls to models `M` serves with `respond(request)`.
    pub fn respond<M: BedrockModel>(
        mut self,
        respond: impl Fn(&M::Request) -> M::Response + Send + Sync + 'static,
    ) -> Self
    where
        M::Request: 'static,
    {
        let handler: Handler = Arc::new(move |body: &[u8]| match M::decode_request(body) {
            Ok(request) => {
                let response = respond(&request);
                let usage = response.view().usage;
                match response.to_body() {
                    Ok(bytes) => {
                        EmulatedResponse::json(bytes, usage.input_tokens, usage.output_tokens)
                    }
                    Err(error) => {
                        EmulatedResponse::error(500, "InternalServerException", &error.to_string())
                    }
                }
            }
            Err(error) => EmulatedResponse::error(
                400,
                "ValidationException",
                &format!("Malformed input request: {error}"),
            ),
        });
        self.routes.insert(
            0,
            Route {
                serves: Arc::new(M::serves),
                handler,
            },
        );
        self
    }

    /// Answers calls to exactly `model_id` with `respond(body)`.
    pub fn respond_raw(
        mut self,
        model_id: &str,
        respond: impl Fn(&[u8]) -> EmulatedResponse + Send + Sync + 'static,
    ) -> Self {
        let wanted = model_id.to_owned();
        self.routes.insert(
            0,
            Route {
                serves: Arc::new(move |id: &ModelId| id.as_str() == wanted),
                handler: Arc::new(respond),
            },
        );
        self
    }

    /// Answers streamed calls (`invoke-with-response-stream`, `converse-stream`) to exactly
    /// `model_id` with `wire`: recorded event-stream bytes, sent message by message as Bedrock
    /// sent them. For replaying real recorded streams through a real client.
    pub fn respond_stream_recorded(mut self, model_id: &str, wire: &[u8]) -> Self {
        self.recorded_streams
            .insert(model_id.to_owned(), split_messages(wire));
        self
    }

    /// Answers streamed calls to `model_id` with one `chunk` event per item of `chunks` (each
    /// the decoded bytes of the event, any text at all), in order.
    pub fn respond_stream_chunks(
        mut self,
        model_id: &str,
        chunks: impl IntoIterator<Item = Vec<u8>>,
    ) -> Self {
        let frames = chunks.into_iter().map(|c| chunk_frame(&c)).collect();
        self.recorded_streams.insert(model_id.to_owned(), frames);
        self
    }

    /// Serves a family from a sample file in `bedrock-llm-testkit`'s format
    /// (`{"model_id", "cases": [{"request", "response", "headers"?, "chunks"?}]}`), prebuilt or
    /// a user's: `InvokeModel` calls to its model ID get the response (and headers) of the case
    /// whose request equals the body sent, else of the first case; streamed calls get the
    /// chunks of the first case that has some.
    pub fn serve_sample_file(self, path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let invalid = |why: String| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: {why}", path.display()),
            )
        };
        let file: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path)?).map_err(|e| invalid(e.to_string()))?;
        let model_id = file["model_id"]
            .as_str()
            .ok_or_else(|| invalid("no model_id".to_owned()))?
            .to_owned();
        let cases = file["cases"]
            .as_array()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| invalid("no cases".to_owned()))?
            .clone();
        // Each model ID the file names (its own, and any case's) answers with its cases.
        let mut ids: Vec<String> = vec![model_id.clone()];
        for case in &cases {
            if let Some(id) = case["model_id"].as_str()
                && !ids.iter().any(|known| known == id)
            {
                ids.push(id.to_owned());
            }
        }
        let mut builder = self;
        for id in ids {
            let mine: Vec<serde_json::Value> = cases
                .iter()
                .filter(|case| case["model_id"].as_str().unwrap_or(&model_id) == id)
                .cloned()
                .collect();
            if mine.is_empty() {
                continue;
            }
            let chunks: Option<Vec<Vec<u8>>> = mine.iter().find_map(|case| {
                case["chunks"]
                    .as_array()
                    .map(|chunks| chunks.iter().map(|c| c.to_string().into_bytes()).collect())
            });
            let answer = move |body: &[u8]| {
                let sent: Option<serde_json::Value> = serde_json::from_slice(body).ok();
                let case = mine
                    .iter()
                    .find(|case| sent.as_ref() == Some(&case["request"]))
                    .unwrap_or(&mine[0]);
                let mut response =
                    EmulatedResponse::json(case["response"].to_string().into_bytes(), None, None);
                if let Some(headers) = case["headers"].as_object() {
                    for (name, value) in headers {
                        response
                            .headers
                            .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                        response
                            .headers
                            .push((name.clone(), value.as_str().unwrap_or_default().to_owned()));
                    }
                }
                response
            };
            builder = builder.respond_raw(&id, answer);
            if let Some(chunks) = chunks {
                builder = builder.respond_stream_chunks(&id, chunks);
            }
        }
        Ok(builder)
    }

    /// Fails every call to exactly `model_id` with `fault`.
    pub fn fault(mut self, model_id: &str, fault: Fault) -> Self {
        self.faults.insert(model_id.to_owned(), fault);
        self
    }

    /// Whether to answer the prebuilt families with their samples (default: yes).
    pub fn prebuilt_samples(mut self, on: bool) -> Self {
        self.samples = on;
        self
    }

    /// Whether to require a SigV4 signature (default: yes).
    pub fn check_signature(mut self, on: bool) -> Self {
        self.check_signature = on;
        self
    }

    /// Binds 127.0.0.1 on an ephemeral port and starts serving.
    pub async fn start(self) -> std::io::Result<Emulator> {
        let samples = if self.samples {
            bedrock_llm_models::samples::all().unwrap_or_default()
        } else {
            Vec::new()
        };
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            routes: self.routes,
            recorded_streams: self.recorded_streams,
            faults: self.faults,
            samples,
            registry: bedrock_llm_models::new_registry(),
            check_signature: self.check_signature,
            requests: Mutex::new(Vec::new()),
            counter: AtomicU64::new(0),
            piece_chars: std::sync::atomic::AtomicUsize::new(16),
        });
        let (shutdown, mut stop) = oneshot::channel::<()>();
        let serving = Arc::clone(&state);
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = &mut stop => break,
                    accepted = listener.accept() => accepted,
                };
                let Ok((stream, _)) = accepted else { continue };
                // Small event-stream frames must not wait on Nagle's algorithm.
                let _ = stream.set_nodelay(true);
                let state = Arc::clone(&serving);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        handle(Arc::clone(&state), request)
                    });
                    // A dropped connection ends here with an error; that is the fault working.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Emulator {
            addr,
            state,
            shutdown: Some(shutdown),
        })
    }
}

struct State {
    routes: Vec<Route>,
    recorded_streams: HashMap<String, Vec<Bytes>>,
    faults: HashMap<String, Fault>,
    samples: Vec<Sample>,
    registry: Registry,
    check_signature: bool,
    requests: Mutex<Vec<RecordedRequest>>,
    counter: AtomicU64,
    /// Characters per streamed text piece.
    piece_chars: std::sync::atomic::AtomicUsize,
}

/// A running emulator; stops when dropped.
pub struct Emulator {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// A builder answering every prebuilt family from its samples.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            routes: Vec::new(),
            recorded_streams: HashMap::new(),
            faults: HashMap::new(),
            samples: true,
            check_signature: true,
        }
    }

    /// `http://127.0.0.1:{port}`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// An SDK config aimed here: `us-east-1`, test credentials (signed for real), retries off,
    /// a 5 s attempt timeout.
    pub fn sdk_config(&self) -> aws_sdk_bedrockruntime::Config {
        sdk_config(&self.sdk_target())
    }

    /// The target [`Emulator::sdk_config`] uses, to adjust (e.g. a shorter timeout).
    pub fn sdk_target(&self) -> SdkTarget {
        SdkTarget {
            region: "us-east-1".to_owned(),
            credentials: aws_sdk_bedrockruntime::config::Credentials::new(
                "AKIDEMULATOR",
                "emulator-secret",
                None,
                None,
                "bedrock-llm-emulator",
            ),
            endpoint_url: Some(self.endpoint_url()),
            max_attempts: None,
            attempt_timeout: Some(Duration::from_secs(5)),
        }
    }

    /// How many characters of text each streamed chunk carries (default 16).
    pub fn set_stream_piece_chars(&self, chars: usize) {
        self.state
            .piece_chars
            .store(chars.max(1), Ordering::Relaxed);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state
            .requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Why a connection is dropped without a response (hyper closes it on a service error).
#[derive(Debug)]
struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by a scripted fault")
    }
}

impl std::error::Error for Dropped {}

async fn handle(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Body>, Dropped> {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => return Err(Dropped),
    };
    let (encoded, operation) = match path
        .strip_prefix("/model/")
        .and_then(|rest| rest.rsplit_once('/'))
    {
        Some((id, "invoke")) => (Some(id), Operation::Invoke),
        Some((id, "invoke-with-response-stream")) => (Some(id), Operation::InvokeStream),
        Some((id, "converse")) => (Some(id), Operation::Converse),
        Some((id, "converse-stream")) => (Some(id), Operation::ConverseStream),
        _ => (None, Operation::Invoke),
    };
    let model_id = encoded.map(|id| {
        percent_encoding::percent_decode_str(id)
            .decode_utf8_lossy()
            .into_owned()
    });
    let recorded = RecordedRequest {
        method,
        path,
        model_id: model_id.clone().unwrap_or_default(),
        headers,
        body,
    };
    let request_id = state.request_id();
    let answer = answer(&state, &recorded, model_id, operation).await;
    if let Ok(mut requests) = state.requests.lock() {
        requests.push(recorded);
    }
    match answer? {
        Answer::Whole(response) => {
            let mut builder = Response::builder()
                .status(response.status)
                .header("x-amzn-RequestId", request_id);
            for (name, value) in &response.headers {
                builder = builder.header(name, value);
            }
            let body = Full::new(Bytes::from(response.body))
                .map_err(|never| match never {})
                .boxed();
            builder.body(body).map_err(|_| Dropped)
        }
        Answer::Stream { frames, fault } => Response::builder()
            .status(200)
            .header("x-amzn-RequestId", request_id)
            .header("Content-Type", "application/vnd.amazon.eventstream")
            .header("X-Amzn-Bedrock-Content-Type", "application/json")
            .body(stream_body(frames, fault))
            .map_err(|_| Dropped),
    }
}

/// One `chunk` event: `{"bytes": base64(chunk), "p": padding}`.
fn chunk_frame(chunk: &[u8]) -> Bytes {
    let payload = serde_json::json!({"bytes": aws_smithy_types::base64::encode(chunk), "p": "abcdefghijklmnopqrstuvwxyz"});
    frame(
        &[
            (":message-type", "event"),
            (":event-type", "chunk"),
            (":content-type", "application/json"),
        ],
        payload.to_string().into_bytes(),
    )
}

/// The event-stream messages of `wire`, found by each prelude's total length (the first four
/// bytes, big-endian). What does not parse as a whole message goes out as one last piece.
fn split_messages(mut wire: &[u8]) -> Vec<Bytes> {
    let mut messages = Vec::new();
    while wire.len() >= 16 {
        let total = u32::from_be_bytes([wire[0], wire[1], wire[2], wire[3]]) as usize;
        if total < 16 || total > wire.len() {
            break;
        }
        messages.push(Bytes::copy_from_slice(&wire[..total]));
        wire = &wire[total..];
    }
    if !wire.is_empty() {
        messages.push(Bytes::copy_from_slice(wire));
    }
    messages
}

/// An exception frame, as Bedrock sends mid-stream.
fn exception_frame(exception_type: &'static str, message: &str) -> Bytes {
    let payload = serde_json::json!({"message": message});
    frame(
        &[
            (":message-type", "exception"),
            (":exception-type", exception_type),
            (":content-type", "application/json"),
        ],
        payload.to_string().into_bytes(),
    )
}

fn frame(headers: &[(&'static str, &'static str)], payload: Vec<u8>) -> Bytes {
    use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
    let mut message = Message::new(payload);
    for (name, value) in headers {
        message = message.add_header(Header::new(*name, HeaderValue::String((*value).into())));
    }
    let mut buffer = Vec::new();
    // Writing a well-formed message into memory cannot fail.
    let _ = aws_smithy_eventstream::frame::write_message_to(&message, &mut buffer);
    Bytes::from(buffer)
}

/// A ConverseStream event frame: the event's JSON itself, named by `:event-type`.
fn converse_event_frame(event_type: &'static str, payload: &serde_json::Value) -> Bytes {
    frame(
        &[
            (":message-type", "event"),
            (":event-type", event_type),
            (":content-type", "application/json"),
        ],
        payload.to_string().into_bytes(),
    )
}

/// A body fed frame by frame from a task, so delays and mid-stream faults happen on the wire.
fn stream_body(frames: Vec<Bytes>, fault: Option<Fault>) -> Body {
    type Item = Result<hyper::body::Frame<Bytes>, std::io::Error>;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Item>(4);
    tokio::spawn(async move {
        let data = |bytes: Bytes| -> Item { Ok(hyper::body::Frame::data(bytes)) };
        for (index, frame) in frames.into_iter().enumerate() {
            match &fault {
                Some(Fault::StreamException { after }) if index == *after => {
                    let frame =
                        exception_frame("modelStreamErrorException", "The model stream failed.");
                    let _ = sender.send(data(frame)).await;
                    return;
                }
                Some(Fault::StreamTruncated { after }) if index == *after => {
                    let _ = sender.send(data(frame.slice(..frame.len() / 2))).await;
                    return;
                }
                Some(Fault::StreamDropped { after }) if index == *after => {
                    // Let the frames already sent reach the client first.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let _ = sender
                        .send(Err(std::io::Error::other(
                            "connection dropped by a scripted fault",
                        )))
                        .await;
                    return;
                }
                Some(Fault::SlowStream(delay)) => tokio::time::sleep(*delay).await,
                _ => {}
            }
            if sender.send(data(frame)).await.is_err() {
                // The client went away; stop producing.
                return;
            }
        }
    });
    let frames = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|frame| (frame, receiver))
    });
    http_body_util::StreamBody::new(frames).boxed()
}

async fn answer(
    state: &State,
    request: &RecordedRequest,
    model_id: Option<String>,
    operation: Operation,
) -> Result<Answer, Dropped> {
    let streaming = operation == Operation::InvokeStream;
    let whole = |response: EmulatedResponse| Ok(Answer::Whole(response));
    let unknown = || EmulatedResponse::error(404, "UnknownOperationException", "Unknown operation");
    if request.method != "POST" {
        return whole(unknown());
    }
    let Some(model_id) = model_id else {
        return whole(unknown());
    };
    if state.check_signature
        && let Err(message) = check_signature(request)
    {
        return whole(EmulatedResponse::error(
            403,
            "InvalidSignatureException",
            &message,
        ));
    }
    let fault = state.faults.get(&model_id).cloned();
    match &fault {
        Some(Fault::DropConnection) => return Err(Dropped),
        Some(Fault::MalformedBody) if operation == Operation::Invoke => {
            return whole(EmulatedResponse::json(
                b"{\"completion\": \"cut off mid-str".to_vec(),
                Some(3),
                Some(5),
            ));
        }
        Some(Fault::Slow(delay)) => tokio::time::sleep(*delay).await,
        Some(fault) => {
            if let Some((status, code, message)) = fault.error() {
                return whole(EmulatedResponse::error(status.as_u16(), code, message));
            }
        }
        None => {}
    }
    let invalid = || {
        EmulatedResponse::error(
            400,
            "ValidationException",
            "The provided model identifier is invalid.",
        )
    };
    let Ok(id) = ModelId::parse(&model_id) else {
        return whole(invalid());
    };
    if matches!(
        operation,
        Operation::InvokeStream | Operation::ConverseStream
    ) && let Some(frames) = state.recorded_streams.get(&model_id)
    {
        return Ok(Answer::Stream {
            frames: frames.clone(),
            fault,
        });
    }
    if matches!(operation, Operation::Converse | Operation::ConverseStream) {
        return Ok(converse_answer(state, &id, operation, fault));
    }
    if let Some(route) = state.routes.iter().find(|route| (route.serves)(&id)) {
        if streaming {
            return whole(EmulatedResponse::error(
                400,
                "ValidationException",
                "The emulator streams the prebuilt families only; this route answers InvokeModel.",
            ));
        }
        return whole((route.handler)(&request.body));
    }
    let Some(adapter) = state.registry.resolve_id(&id, Some(&request.body)) else {
        return whole(invalid());
    };
    if let Err(error) = adapter.request_view(&request.body) {
        return whole(EmulatedResponse::error(
            400,
            "ValidationException",
            &format!("Malformed input request: {error}"),
        ));
    }
    // The sample sent this very request, else one for this model, else any of the family.
    let family = state
        .samples
        .iter()
        .filter(|s| s.family == adapter.family());
    let sample = family
        .clone()
        .find(|s| s.request == request.body)
        .or_else(|| family.clone().find(|s| s.model_id == model_id))
        .or_else(|| family.clone().next());
    let Some(sample) = sample else {
        return whole(invalid());
    };
    if streaming {
        let size = state.piece_chars.load(Ordering::Relaxed);
        let Some(chunks) = bedrock_llm_models::samples::stream_chunks(sample, &mut |text| {
            samples::pieces(text, size)
        }) else {
            return whole(EmulatedResponse::error(
                400,
                "ValidationException",
                "The provided model doesn't support streaming.",
            ));
        };
        let frames = chunks
            .iter()
            .map(|chunk| chunk_frame(chunk.to_string().as_bytes()))
            .collect();
        return Ok(Answer::Stream { frames, fault });
    }
    let headers = sample
        .headers
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("x-amzn-RequestId"))
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect();
    whole(EmulatedResponse {
        status: 200,
        headers,
        body: sample.response.clone(),
    })
}

/// The four operations served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Invoke,
    InvokeStream,
    Converse,
    ConverseStream,
}

/// A Converse answer: the family sample's text and counts when the model has a prebuilt
/// family, else a generic one (Converse serves every model).
fn converse_answer(
    state: &State,
    id: &ModelId,
    operation: Operation,
    fault: Option<Fault>,
) -> Answer {
    let sample = state.registry.resolve_id(id, None).and_then(|adapter| {
        state
            .samples
            .iter()
            .find(|s| s.family == adapter.family())
            .map(|s| (adapter, s))
    });
    let (text, input, output, latency) = match sample {
        Some((adapter, sample)) => {
            let view = adapter.response_view(&sample.response).ok();
            let text = view
                .as_ref()
                .and_then(|v| v.messages.first())
                .map(|m| m.content.clone())
                .unwrap_or_default();
            let header = |name: &str| sample.header(name);
            let usage = view.map(|v| v.usage).unwrap_or_default();
            (
                text,
                usage
                    .input_tokens
                    .or(header("X-Amzn-Bedrock-Input-Token-Count"))
                    .unwrap_or(0),
                usage
                    .output_tokens
                    .or(header("X-Amzn-Bedrock-Output-Token-Count"))
                    .unwrap_or(0),
                header("X-Amzn-Bedrock-Invocation-Latency").unwrap_or(100),
            )
        }
        None => ("Hello from the Bedrock emulator.".to_owned(), 10, 8, 100),
    };
    let usage = serde_json::json!({"inputTokens": input, "outputTokens": output, "totalTokens": input + output});
    let metrics = serde_json::json!({"latencyMs": latency});
    if operation == Operation::Converse {
        let body = serde_json::json!({
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": usage,
            "metrics": metrics,
        });
        let response = EmulatedResponse {
            status: 200,
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: body.to_string().into_bytes(),
        };
        return Answer::Whole(response);
    }
    let mut frames = vec![converse_event_frame(
        "messageStart",
        &serde_json::json!({"role": "assistant"}),
    )];
    for piece in samples::pieces(&text, state.piece_chars.load(Ordering::Relaxed)) {
        let delta = serde_json::json!({"contentBlockIndex": 0, "delta": {"text": piece}});
        frames.push(converse_event_frame("contentBlockDelta", &delta));
    }
    frames.push(converse_event_frame(
        "contentBlockStop",
        &serde_json::json!({"contentBlockIndex": 0}),
    ));
    frames.push(converse_event_frame(
        "messageStop",
        &serde_json::json!({"stopReason": "end_turn"}),
    ));
    frames.push(converse_event_frame(
        "metadata",
        &serde_json::json!({"usage": usage, "metrics": metrics}),
    ));
    Answer::Stream { frames, fault }
}

impl State {
    /// A fresh, UUID-shaped request id.
    fn request_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("e0000000-0000-4000-8000-{n:012x}")
    }
}

/// The structure of a SigV4 `Authorization` header for Bedrock Runtime.
fn check_signature(request: &RecordedRequest) -> Result<(), String> {
    let authorization = request
        .header("authorization")
        .ok_or("Missing Authentication Token")?;
    let rest = authorization
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or("The request signature algorithm must be AWS4-HMAC-SHA256.")?;
    let field = |name: &str| {
        rest.split(", ")
            .find_map(|part| part.strip_prefix(name))
            .map(str::trim)
    };
    let credential =
        field("Credential=").ok_or("Authorization header requires 'Credential' parameter.")?;
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope[3] != "bedrock" || scope[4] != "aws4_request" {
        return Err(format!(
            "Credential should be scoped to a valid Region and the bedrock service: {credential}"
        ));
    }
    let signed = field("SignedHeaders=")
        .ok_or("Authorization header requires 'SignedHeaders' parameter.")?;
    if !signed.split(';').any(|h| h == "host") || !signed.split(';').any(|h| h == "x-amz-date") {
        return Err("SignedHeaders must include host and x-amz-date.".to_owned());
    }
    let signature =
        field("Signature=").ok_or("Authorization header requires 'Signature' parameter.")?;
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("The request signature is malformed.".to_owned());
    }
    if request.header("x-amz-date").is_none() {
        return Err("Missing x-amz-date header.".to_owned());
    }
    Ok(())
}
