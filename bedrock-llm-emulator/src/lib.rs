//! A Bedrock Runtime server on 127.0.0.1 for tests: `POST /model/{modelId}/invoke` and
//! `/invoke-with-response-stream` (AWS event-stream frames, base64 `bytes` chunks in each
//! family's own chunk shape, invocation metrics on the last chunk), `/converse` and
//! `/converse-stream` (any model ID), and `POST /async-invoke` (a job: `{invocationArn}`) answered
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
use bedrock_llm_models::samples::Sample;
use bytes::Bytes;
use tokio::sync::oneshot;

mod answer;
mod builder;
mod converse;
mod fault;
mod frames;
mod server;
mod signature;

pub use builder::EmulatorBuilder;
pub use fault::Fault;

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

impl State {
    /// A fresh, UUID-shaped request id.
    fn request_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("e0000000-0000-4000-8000-{n:012x}")
    }
}
