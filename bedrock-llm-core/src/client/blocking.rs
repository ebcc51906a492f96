//! `BlockingClient`: the async client's API for synchronous programs. It owns a
//! current-thread Tokio runtime and blocks on each call. Called from inside an async runtime,
//! where blocking would stall (or panic), it returns [`BlockingError::InsideAsyncRuntime`].

use aws_sdk_bedrockruntime::operation::invoke_model::InvokeModelOutput;
use aws_sdk_bedrockruntime::operation::invoke_model::builders::InvokeModelFluentBuilder;
use thiserror::Error;

use aws_sdk_bedrockruntime::types::ResponseStream;

use super::{
    Client, InvokeError, InvokeModelSdkError, InvokeStreamSdkError, RecordedStream,
    StreamEventError,
};
use crate::model::BedrockModel;

/// Why a blocking call did not return the call's own result.
#[derive(Debug, Error)]
pub enum BlockingError<E> {
    /// Called from inside an async runtime; use the async [`Client`] there.
    #[error(
        "the blocking client was called from inside an async runtime; use the async client there"
    )]
    InsideAsyncRuntime,
    /// Its runtime could not be started.
    #[error("the blocking client's runtime could not start: {0}")]
    Runtime(#[source] std::io::Error),
    /// The call's own error.
    #[error(transparent)]
    Call(E),
}

/// A synchronous Bedrock Runtime client that records every call.
#[derive(Debug)]
pub struct BlockingClient {
    client: Client,
    runtime: Option<tokio::runtime::Runtime>,
}

// The raw calls return the SDK's own error, as the async client does; it is large, and boxing
// it here would make the blocking API differ from the async one.
#[allow(clippy::result_large_err)]
impl BlockingClient {
    /// Wraps `client` with a runtime of its own. Fails inside an async runtime, where a
    /// blocking client could not be used (nor dropped).
    pub fn new(client: Client) -> Result<Self, BlockingError<std::convert::Infallible>> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(BlockingError::InsideAsyncRuntime);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(BlockingError::Runtime)?;
        Ok(Self {
            client,
            runtime: Some(runtime),
        })
    }

    /// The async client underneath.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn block_on<F: std::future::Future<Output = Result<T, E>>, T, E>(
        &self,
        future: F,
    ) -> Result<T, BlockingError<E>> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(BlockingError::InsideAsyncRuntime);
        }
        match &self.runtime {
            Some(runtime) => runtime.block_on(future).map_err(BlockingError::Call),
            None => Err(BlockingError::InsideAsyncRuntime),
        }
    }

    /// [`Client::invoke`], blocking.
    pub fn invoke<M: BedrockModel>(
        &self,
        model_id: &str,
        request: &M::Request,
    ) -> Result<M::Response, BlockingError<InvokeError>> {
        self.block_on(self.client.invoke::<M>(model_id, request))
    }

    /// [`Client::invoke_raw`], blocking.
    pub fn invoke_raw(
        &self,
        model_id: &str,
        body: impl Into<Vec<u8>>,
    ) -> Result<InvokeModelOutput, BlockingError<InvokeModelSdkError>> {
        self.block_on(self.client.invoke_raw(model_id, body))
    }

    /// [`Client::send`], blocking.
    pub fn send(
        &self,
        builder: InvokeModelFluentBuilder,
    ) -> Result<InvokeModelOutput, BlockingError<InvokeModelSdkError>> {
        self.block_on(self.client.send(builder))
    }
}

// As above: the SDK's own (large) error, unboxed like the async API's.
#[allow(clippy::result_large_err)]
impl BlockingClient {
    /// [`Client::converse`], blocking.
    pub fn converse(
        &self,
        builder: aws_sdk_bedrockruntime::operation::converse::builders::ConverseFluentBuilder,
    ) -> Result<
        aws_sdk_bedrockruntime::operation::converse::ConverseOutput,
        BlockingError<super::ConverseSdkError>,
    > {
        self.block_on(self.client.converse(builder))
    }

    /// [`Client::invoke_stream_raw`], blocking: an iterator over the SDK's own events.
    pub fn invoke_stream_raw(
        &self,
        model_id: &str,
        body: impl Into<Vec<u8>>,
    ) -> Result<BlockingStream<'_>, BlockingError<InvokeStreamSdkError>> {
        let stream = self.block_on(self.client.invoke_stream_raw(model_id, body))?;
        Ok(BlockingStream {
            client: self,
            stream: Some(stream),
        })
    }
}

/// A streamed response for synchronous code: each `next` blocks for the SDK's next event.
/// Dropping it early records the call as dropped.
#[derive(Debug)]
pub struct BlockingStream<'a> {
    client: &'a BlockingClient,
    stream: Option<RecordedStream>,
}

impl Iterator for BlockingStream<'_> {
    type Item = Result<ResponseStream, BlockingError<StreamEventError>>;

    fn next(&mut self) -> Option<Self::Item> {
        let stream = self.stream.as_mut()?;
        match self.client.block_on(stream.recv()) {
            Ok(Some(event)) => Some(Ok(event)),
            Ok(None) => {
                self.stream = None;
                None
            }
            Err(error) => {
                // The stream is over after an error; it has recorded itself.
                self.stream = None;
                Some(Err(error))
            }
        }
    }
}

impl Drop for BlockingClient {
    fn drop(&mut self) {
        // Dropping a runtime inside another one panics; shutting it down in the background
        // does not, wherever the client is dropped.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
