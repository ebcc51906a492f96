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
use bedrock_llm_core::{ModelId, Registry};
use bedrock_llm_models::samples::{self, Sample};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use tokio::sync::oneshot;

mod builder;
mod converse;
mod frames;
mod signature;

pub use builder::EmulatorBuilder;
use converse::{Operation, converse_answer};
use frames::{chunk_frame, stream_body};
use signature::check_signature;

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
        EmulatorBuilder::new()
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

impl State {
    /// A fresh, UUID-shaped request id.
    fn request_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("e0000000-0000-4000-8000-{n:012x}")
    }
}
