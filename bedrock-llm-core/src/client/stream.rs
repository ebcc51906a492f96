//! `RecordedStream`: an `InvokeModelWithResponseStream` response whose events reach the caller
//! exactly as the SDK yields them, while the family adapter reassembles them. The call is
//! recorded once: at the end of the stream, at an error (with the content so far), or when the
//! caller drops the stream (with the content so far, marked as dropped).

use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::converse_stream::ConverseStreamOutput as ConverseStreamOperationOutput;
use aws_sdk_bedrockruntime::operation::invoke_model_with_response_stream::InvokeModelWithResponseStreamOutput;
use aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError;
use aws_sdk_bedrockruntime::types::error::ResponseStreamError;
use aws_sdk_bedrockruntime::types::{ConverseStreamOutput, ResponseStream};
use aws_smithy_types::event_stream::RawMessage;
use bytes::Bytes;

use super::call::PendingCall;
use crate::record::{FailureKind, InvocationError, StreamEnd};
use crate::view::ChunkDelta;

/// The SDK's error for a stream event.
pub type StreamEventError = SdkError<ResponseStreamError, RawMessage>;

/// A streamed response that records itself.
#[derive(Debug)]
pub struct RecordedStream {
    output: InvokeModelWithResponseStreamOutput,
    recording: Option<Recording>,
}

/// A stream being recorded: the call, capturing its chunks. Shared by the stream wrappers and
/// the interceptor's body tap.
#[derive(Debug)]
pub(crate) struct Recording {
    call: PendingCall,
}

impl RecordedStream {
    pub(crate) fn new(
        output: InvokeModelWithResponseStreamOutput,
        call: Option<PendingCall>,
    ) -> Self {
        Self {
            output,
            recording: call.map(Recording::new),
        }
    }

    /// The SDK's output: content type and request id. Its event receiver is read through
    /// [`RecordedStream::recv`].
    pub fn output(&self) -> &InvokeModelWithResponseStreamOutput {
        &self.output
    }

    /// The next event, exactly as the SDK's receiver yields it.
    pub async fn recv(&mut self) -> Result<Option<ResponseStream>, StreamEventError> {
        let item = self.output.body.recv().await;
        if let Some(recording) = &mut self.recording {
            match &item {
                Ok(Some(ResponseStream::Chunk(part))) => {
                    if let Some(bytes) = part.bytes() {
                        recording.chunk(Bytes::copy_from_slice(bytes.as_ref()));
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => self.finish(StreamEnd::Completed, None),
                Err(error) => self.finish(StreamEnd::Failed, Some(stream_error(error))),
            }
        }
        item
    }

    fn finish(&mut self, end: StreamEnd, error: Option<InvocationError>) {
        if let Some(recording) = self.recording.take() {
            recording.finish(end, error);
        }
    }
}

impl Recording {
    pub(crate) fn new(call: PendingCall) -> Self {
        Self { call }
    }

    /// A chunk's decoded bytes, held for the builder.
    pub(crate) fn chunk(&mut self, chunk: Bytes) {
        self.call.builder.stream_chunk(chunk);
    }

    /// A stream event already read into a delta, with Bedrock's latency when it has it.
    pub(crate) fn delta(&mut self, delta: ChunkDelta, latency_ms: Option<u64>) {
        self.call.builder.stream_delta(delta, latency_ms);
    }

    /// The stream ended: hands the capture on, once.
    pub(crate) fn finish(self, end: StreamEnd, error: Option<InvocationError>) {
        let Self { mut call } = self;
        if let Some(error) = error {
            call.builder.fail(error);
        }
        call.builder.end_stream(end);
        call.finish();
    }
}

impl Drop for RecordedStream {
    fn drop(&mut self) {
        self.finish(StreamEnd::Dropped, None);
    }
}

/// Maps a stream event error (`docs/llm-events.md` §9): an exception frame keeps the initial status
/// (200) and carries its `:exception-type`; a transport failure has no status.
fn stream_error(error: &StreamEventError) -> InvocationError {
    match error {
        SdkError::ServiceError(service) => {
            let typed = service.err();
            // The frame's `:exception-type`, which the SDK turns into the variant.
            let code = match typed {
                ResponseStreamError::InternalServerException(_) => "internalServerException",
                ResponseStreamError::ModelStreamErrorException(_) => "modelStreamErrorException",
                ResponseStreamError::ModelTimeoutException(_) => "modelTimeoutException",
                ResponseStreamError::ServiceUnavailableException(_) => {
                    "serviceUnavailableException"
                }
                ResponseStreamError::ThrottlingException(_) => "throttlingException",
                ResponseStreamError::ValidationException(_) => "validationException",
                _ => return exception_frame(typed.code(), typed),
            };
            exception_frame(Some(code), typed)
        }
        other => transport_error(other),
    }
}

/// The SDK's error for a ConverseStream event.
pub type ConverseStreamEventError = SdkError<ConverseStreamOutputError, RawMessage>;

/// A ConverseStream response that records itself, like [`RecordedStream`].
#[derive(Debug)]
pub struct RecordedConverseStream {
    output: ConverseStreamOperationOutput,
    recording: Option<Recording>,
}

impl RecordedConverseStream {
    pub(crate) fn new(output: ConverseStreamOperationOutput, call: Option<PendingCall>) -> Self {
        Self {
            output,
            recording: call.map(Recording::new),
        }
    }

    /// The SDK's output. Its event receiver is read through [`RecordedConverseStream::recv`].
    pub fn output(&self) -> &ConverseStreamOperationOutput {
        &self.output
    }

    /// The next event, exactly as the SDK's receiver yields it.
    pub async fn recv(&mut self) -> Result<Option<ConverseStreamOutput>, ConverseStreamEventError> {
        let item = self.output.stream.recv().await;
        if let Some(recording) = &mut self.recording {
            match &item {
                Ok(Some(event)) => {
                    let (delta, latency) = super::converse::chunk_delta(event);
                    recording.delta(delta, latency);
                }
                Ok(None) => self.finish(StreamEnd::Completed, None),
                Err(error) => self.finish(StreamEnd::Failed, Some(converse_stream_error(error))),
            }
        }
        item
    }

    fn finish(&mut self, end: StreamEnd, error: Option<InvocationError>) {
        if let Some(recording) = self.recording.take() {
            recording.finish(end, error);
        }
    }
}

impl Drop for RecordedConverseStream {
    fn drop(&mut self) {
        self.finish(StreamEnd::Dropped, None);
    }
}

/// An exception frame: the stream's status stays 200; the message is the frame's, or the
/// error's own text when the frame has none.
fn exception_frame(
    code: Option<&str>,
    typed: &(impl ProvideErrorMetadata + std::fmt::Display),
) -> InvocationError {
    let message = typed
        .message()
        .map(str::to_owned)
        .or_else(|| Some(typed.to_string()));
    InvocationError::exception_frame(code.map(str::to_owned), message)
}

/// Maps a ConverseStream event error, as [`stream_error`] does.
fn converse_stream_error(error: &ConverseStreamEventError) -> InvocationError {
    match error {
        SdkError::ServiceError(service) => {
            let typed = service.err();
            let code = match typed {
                ConverseStreamOutputError::InternalServerException(_) => "internalServerException",
                ConverseStreamOutputError::ModelStreamErrorException(_) => {
                    "modelStreamErrorException"
                }
                ConverseStreamOutputError::ServiceUnavailableException(_) => {
                    "serviceUnavailableException"
                }
                ConverseStreamOutputError::ThrottlingException(_) => "throttlingException",
                ConverseStreamOutputError::ValidationException(_) => "validationException",
                _ => return exception_frame(typed.code(), typed),
            };
            exception_frame(Some(code), typed)
        }
        other => transport_error(other),
    }
}

/// A stream failure that is not an exception frame: no status.
fn transport_error<E, R>(error: &SdkError<E, R>) -> InvocationError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let kind = match error {
        SdkError::TimeoutError(_) => FailureKind::Timeout,
        SdkError::DispatchFailure(_) => FailureKind::DispatchFailure,
        SdkError::ConstructionFailure(_) => FailureKind::ConstructionFailure,
        _ => FailureKind::ResponseError,
    };
    InvocationError::sdk(
        kind,
        Some(aws_sdk_bedrockruntime::error::DisplayErrorContext(error).to_string()),
    )
}
