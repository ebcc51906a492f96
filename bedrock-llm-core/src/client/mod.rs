//! Clients over `aws-sdk-bedrockruntime` that record every call (feature `client`).
//!
//! - [`Client`]: async. [`Client::invoke`] sends a typed request and returns the typed response;
//!   [`Client::invoke_raw`] and [`Client::send`] take bytes or the SDK's own builder and return
//!   the SDK's own output and errors, unchanged.
//! - [`Client::invoke_stream_raw`] (and `invoke_stream`, `send_stream`): streamed calls; the
//!   [`RecordedStream`] yields the SDK's own events and records the call when it ends.
//! - [`Client::converse`] and [`Client::converse_stream`]: Converse, for every model Bedrock
//!   serves through it, recorded from the SDK's typed shapes.
//! - [`Client::start_async_invoke`]: jobs (videos, video embeddings), their `modelInput` built
//!   from a family's request bytes by [`model_input`].
//! - [`BlockingClient`]: the same for synchronous programs.
//! - [`RecordingInterceptor`]: the SDK interceptor both use; add it to your own client's config
//!   to record its calls with no other change.
//!
//! Recording never changes what the caller gets: the request, the response bytes, the errors
//! and their kinds are the SDK's. See [`sdk_config`] for building an SDK config without
//! `aws-config`, and [`http_client`] for the HTTP client (hyper with rustls and ring) the
//! SDK needs when its default TLS stack is left out.

mod blocking;
mod call;
mod converse;
mod http;
mod interceptor;
mod job;
mod stream;
mod tap;

pub use http::http_client;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_bedrockruntime::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_bedrockruntime::error::SdkError;
use aws_sdk_bedrockruntime::operation::converse::builders::ConverseFluentBuilder;
use aws_sdk_bedrockruntime::operation::converse::{ConverseError, ConverseOutput};
use aws_sdk_bedrockruntime::operation::converse_stream::ConverseStreamError;
use aws_sdk_bedrockruntime::operation::converse_stream::builders::ConverseStreamFluentBuilder;
use aws_sdk_bedrockruntime::operation::invoke_model::builders::InvokeModelFluentBuilder;
use aws_sdk_bedrockruntime::operation::invoke_model::{InvokeModelError, InvokeModelOutput};
use aws_sdk_bedrockruntime::operation::invoke_model_with_response_stream::InvokeModelWithResponseStreamError;
use aws_sdk_bedrockruntime::operation::invoke_model_with_response_stream::builders::InvokeModelWithResponseStreamFluentBuilder;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use thiserror::Error;

pub use blocking::{BlockingClient, BlockingError, BlockingStream};
pub use interceptor::RecordingInterceptor;
pub use job::model_input;
pub use stream::{
    ConverseStreamEventError, RecordedConverseStream, RecordedStream, StreamEventError,
};

use crate::adapter::adapter;
use crate::error::BodyError;
use crate::model::{BedrockModel, ModelRequest};
use crate::observe::InvocationObserver;
use crate::registry::Registry;

/// The SDK's error for `InvokeModel`.
pub type InvokeModelSdkError = SdkError<InvokeModelError, HttpResponse>;

/// The SDK's error for `Converse`.
pub type ConverseSdkError = SdkError<ConverseError, HttpResponse>;

/// The SDK's error for starting `ConverseStream`.
pub type ConverseStreamSdkError = SdkError<ConverseStreamError, HttpResponse>;

/// The SDK's error for starting `InvokeModelWithResponseStream`.
pub type InvokeStreamSdkError = SdkError<InvokeModelWithResponseStreamError, HttpResponse>;

/// Why a typed call failed.
#[derive(Debug, Error)]
pub enum InvokeError {
    /// The SDK call failed; this is the SDK's own error.
    #[error("InvokeModel failed: {}", aws_sdk_bedrockruntime::error::DisplayErrorContext(.0))]
    Sdk(#[source] Box<InvokeModelSdkError>),
    /// The typed request could not be serialized.
    #[error("the request could not be serialized: {0}")]
    RequestBody(#[source] BodyError),
    /// A streamed call could not start; this is the SDK's own error.
    #[error("InvokeModelWithResponseStream failed: {}", aws_sdk_bedrockruntime::error::DisplayErrorContext(.0))]
    Stream(#[source] Box<InvokeStreamSdkError>),
    /// The call succeeded but the response body does not fit the typed response.
    #[error("the response body does not fit the model's response type: {0}")]
    ResponseBody(#[source] BodyError),
}

impl InvokeError {
    /// The SDK error, when the call itself failed.
    pub fn sdk_error(&self) -> Option<&InvokeModelSdkError> {
        match self {
            Self::Sdk(error) => Some(error),
            _ => None,
        }
    }
}

/// An async Bedrock Runtime client that records every call.
#[derive(Debug, Clone)]
pub struct Client {
    sdk: aws_sdk_bedrockruntime::Client,
    /// `sdk` with the recording interceptor in its config: calls that need nothing per call
    /// use it, since a per-call interceptor makes the SDK rebuild its pipeline each time.
    recorded: aws_sdk_bedrockruntime::Client,
    /// The interceptor of `recorded`; per-call interceptors are clones of it, so every call
    /// shares its remembered model IDs and spare builders.
    base: RecordingInterceptor,
    stream_content_cap: usize,
}

impl Client {
    /// Wraps `sdk`. Raw calls read bodies through `registry`; typed calls use their model's
    /// adapter whatever the registry holds.
    pub fn new(
        sdk: aws_sdk_bedrockruntime::Client,
        registry: Registry,
        observer: Arc<dyn InvocationObserver>,
    ) -> Self {
        let base = RecordingInterceptor::new(Arc::new(registry), observer);
        let mut config = sdk.config().to_builder();
        config.push_interceptor(base.clone().into_shared());
        let recorded = aws_sdk_bedrockruntime::Client::from_conf(config.build());
        Self {
            sdk,
            recorded,
            base,
            stream_content_cap: crate::stream::DEFAULT_CONTENT_CAP,
        }
    }

    /// Keeps at most `bytes` of streamed text per call for the record (default 1 MiB); beyond
    /// it content is dropped and the record flagged. The caller's chunks are never affected.
    pub fn with_stream_content_cap(mut self, bytes: usize) -> Self {
        self.stream_content_cap = bytes;
        self
    }

    /// The wrapped SDK client (uninstrumented).
    pub fn sdk(&self) -> &aws_sdk_bedrockruntime::Client {
        &self.sdk
    }

    /// The interceptor this client attaches to each call.
    pub fn interceptor(&self) -> RecordingInterceptor {
        let mut interceptor = self.base.clone();
        interceptor.stream_content_cap = self.stream_content_cap;
        interceptor
    }

    /// Sends `request` to `model_id` and returns the typed response.
    pub async fn invoke<M: BedrockModel>(
        &self,
        model_id: &str,
        request: &M::Request,
    ) -> Result<M::Response, InvokeError> {
        let body = request
            .to_body()
            .map_err(|e| InvokeError::RequestBody(e.with_family(M::FAMILY)))?;
        let interceptor = self.interceptor().pinned(adapter::<M>());
        let output = self
            .sdk
            .invoke_model()
            .model_id(model_id)
            .content_type("application/json")
            .accept("application/json")
            .body(Blob::new(body))
            .customize()
            .interceptor(interceptor)
            .send()
            .await
            .map_err(|e| InvokeError::Sdk(Box::new(e)))?;
        M::decode_response(output.body().as_ref()).map_err(InvokeError::ResponseBody)
    }

    /// Sends `body` to `model_id`; returns the SDK's output or error, unchanged.
    ///
    /// The SDK's own future, not one wrapping it: the orchestrator's future is large, and an
    /// `async fn` here would copy it into its own on every call.
    pub fn invoke_raw(
        &self,
        model_id: &str,
        body: impl Into<Vec<u8>>,
    ) -> impl Future<Output = Result<InvokeModelOutput, InvokeModelSdkError>> + Send + 'static {
        self.recorded
            .invoke_model()
            .model_id(model_id)
            .content_type("application/json")
            .accept("application/json")
            .body(Blob::new(body.into()))
            .send()
    }

    /// Starts a streamed call to `model_id` with `body`; the stream yields the SDK's own events,
    /// and the call is recorded when it ends (or fails, or is dropped).
    pub async fn invoke_stream_raw(
        &self,
        model_id: &str,
        body: impl Into<Vec<u8>>,
    ) -> Result<RecordedStream, InvokeStreamSdkError> {
        self.send_stream(self.stream_builder(model_id, body.into()))
            .await
    }

    fn stream_builder(
        &self,
        model_id: &str,
        body: Vec<u8>,
    ) -> InvokeModelWithResponseStreamFluentBuilder {
        self.sdk
            .invoke_model_with_response_stream()
            .model_id(model_id)
            .content_type("application/json")
            .accept("application/json")
            .body(Blob::new(body))
    }

    /// Starts a streamed call with a typed request of model `M`, read with `M`'s adapter.
    pub async fn invoke_stream<M: BedrockModel>(
        &self,
        model_id: &str,
        request: &M::Request,
    ) -> Result<RecordedStream, InvokeError> {
        let body = request
            .to_body()
            .map_err(|e| InvokeError::RequestBody(e.with_family(M::FAMILY)))?;
        self.start_stream(
            self.stream_builder(model_id, body),
            self.interceptor().pinned(adapter::<M>()),
        )
        .await
        .map_err(|e| InvokeError::Stream(Box::new(e)))
    }

    /// Starts a streamed call built with the SDK's own builder, recorded.
    pub async fn send_stream(
        &self,
        builder: InvokeModelWithResponseStreamFluentBuilder,
    ) -> Result<RecordedStream, InvokeStreamSdkError> {
        self.start_stream(builder, self.interceptor()).await
    }

    async fn start_stream(
        &self,
        builder: InvokeModelWithResponseStreamFluentBuilder,
        interceptor: RecordingInterceptor,
    ) -> Result<RecordedStream, InvokeStreamSdkError> {
        let handoff: call::Handoff = Arc::new(std::sync::Mutex::new(None));
        let interceptor = interceptor.handing_off(Arc::clone(&handoff));
        let output = builder.customize().interceptor(interceptor).send().await?;
        let call = handoff.lock().ok().and_then(|mut slot| slot.take());
        Ok(RecordedStream::new(output, call))
    }

    /// Sends a Converse request built with the SDK's builder, recorded; returns the SDK's output
    /// or error, unchanged. Works for every model Bedrock serves through Converse.
    pub async fn converse(
        &self,
        builder: ConverseFluentBuilder,
    ) -> Result<ConverseOutput, ConverseSdkError> {
        builder
            .customize()
            .interceptor(self.interceptor())
            .send()
            .await
    }

    /// Starts a ConverseStream call built with the SDK's builder; the stream yields the SDK's
    /// own events and the call is recorded when it ends (or fails, or is dropped).
    pub async fn converse_stream(
        &self,
        builder: ConverseStreamFluentBuilder,
    ) -> Result<RecordedConverseStream, ConverseStreamSdkError> {
        let handoff: call::Handoff = Arc::new(std::sync::Mutex::new(None));
        let interceptor = self.interceptor().handing_off(Arc::clone(&handoff));
        let output = builder.customize().interceptor(interceptor).send().await?;
        let call = handoff.lock().ok().and_then(|mut slot| slot.take());
        Ok(RecordedConverseStream::new(output, call))
    }

    /// Sends a request built with the SDK's own builder (guardrails, trace, service tier, …),
    /// recorded; returns the SDK's output or error, unchanged (the SDK's own future, as
    /// [`Self::invoke_raw`] returns it).
    pub fn send(
        &self,
        builder: InvokeModelFluentBuilder,
    ) -> impl Future<Output = Result<InvokeModelOutput, InvokeModelSdkError>> + Send + 'static {
        builder.customize().interceptor(self.interceptor()).send()
    }
}

/// Where and as whom an SDK config sends requests.
#[derive(Debug, Clone)]
pub struct SdkTarget {
    /// Region, e.g. `us-east-1`.
    pub region: String,
    /// Credentials to sign with.
    pub credentials: Credentials,
    /// An endpoint URL that replaces the Region's (a loopback emulator).
    pub endpoint_url: Option<String>,
    /// Retries; `None` disables them (tests want each fault seen once).
    pub max_attempts: Option<u32>,
    /// A per-attempt timeout.
    pub attempt_timeout: Option<Duration>,
}

/// An SDK config built directly, not through `aws-config`, so environment variables such as
/// `AWS_ENDPOINT_URL` cannot silently change the target.
pub fn sdk_config(target: &SdkTarget) -> aws_sdk_bedrockruntime::Config {
    let retry = match target.max_attempts {
        Some(attempts) => aws_sdk_bedrockruntime::config::retry::RetryConfig::standard()
            .with_max_attempts(attempts),
        None => aws_sdk_bedrockruntime::config::retry::RetryConfig::disabled(),
    };
    let mut timeouts = aws_sdk_bedrockruntime::config::timeout::TimeoutConfig::builder();
    if let Some(timeout) = target.attempt_timeout {
        timeouts = timeouts.operation_attempt_timeout(timeout);
    }
    let mut builder = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(target.region.clone()))
        .credentials_provider(target.credentials.clone())
        .http_client(http_client())
        .retry_config(retry)
        .timeout_config(timeouts.build());
    if let Some(url) = &target.endpoint_url {
        builder = builder.endpoint_url(url);
    }
    builder.build()
}

/// Credentials and Region from the standard environment variables (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`, `AWS_REGION` or
/// `AWS_DEFAULT_REGION`), for live calls. `None` when they are not all set.
pub fn target_from_env() -> Option<SdkTarget> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let access_key = var("AWS_ACCESS_KEY_ID")?;
    let secret_key = var("AWS_SECRET_ACCESS_KEY")?;
    let region = var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION"))?;
    Some(SdkTarget {
        region,
        credentials: Credentials::new(
            access_key,
            secret_key,
            var("AWS_SESSION_TOKEN"),
            None,
            "environment",
        ),
        endpoint_url: None,
        max_attempts: Some(3),
        attempt_timeout: Some(Duration::from_secs(120)),
    })
}
