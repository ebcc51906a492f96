//! [`EmulatorBuilder`]: the routes, recorded streams, faults and checks an emulator starts with.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use bedrock_llm_core::{BedrockModel, ModelId, ModelResponse};
use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::frames::{chunk_frame, split_messages};
use crate::server::handle;
use crate::{EmulatedResponse, Emulator, Fault, Handler, Route, State};

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
    pub(crate) fn new() -> Self {
        Self {
            routes: Vec::new(),
            recorded_streams: HashMap::new(),
            faults: HashMap::new(),
            samples: true,
            check_signature: true,
        }
    }

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
        let file = bedrock_llm_testkit::SampleFile::load(path)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
        if file.cases.is_empty() {
            return Err(invalid("no cases".to_owned()));
        }
        // Each model ID the file names (its own, and any case's) answers with its cases.
        let mut ids: Vec<String> = vec![file.model_id.clone()];
        for case in &file.cases {
            let id = case.model_id(&file);
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_owned());
            }
        }
        let mut builder = self;
        for id in ids {
            let mine: Vec<bedrock_llm_testkit::Case> = file
                .cases
                .iter()
                .filter(|case| case.model_id(&file) == id)
                .cloned()
                .collect();
            if mine.is_empty() {
                continue;
            }
            let chunks: Option<Vec<Vec<u8>>> = mine.iter().find_map(|case| {
                let chunks = case.chunks.as_ref()?;
                Some(chunks.iter().map(|c| c.to_string().into_bytes()).collect())
            });
            let answer = move |body: &[u8]| {
                let sent: Option<serde_json::Value> = serde_json::from_slice(body).ok();
                let case = mine
                    .iter()
                    .find(|case| sent.as_ref() == Some(&case.request))
                    .unwrap_or(&mine[0]);
                let mut response = EmulatedResponse::json(case.response_bytes(), None, None);
                for (name, value) in &case.headers {
                    response
                        .headers
                        .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                    response.headers.push((name.clone(), value.clone()));
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
