//! `RecordedStream`: an `InvokeModelWithResponseStream` response whose events reach the caller
//! exactly as the SDK yields them, while the family adapter reassembles them. The call is
//! recorded once: at the end of the stream, at an error (with the content so far), or when the
//! caller drops the stream (with the content so far, marked as dropped).

use std::time::Instant;

use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::invoke_model_with_response_stream::InvokeModelWithResponseStreamOutput;
use aws_sdk_bedrockruntime::types::ResponseStream;
use aws_sdk_bedrockruntime::types::error::ResponseStreamError;
use aws_smithy_types::event_stream::RawMessage;

use super::interceptor::PendingCall;
use crate::record::{InvocationError, StreamEnd};
use crate::stream::{DEFAULT_CONTENT_CAP, StreamAccumulator};

/// The SDK's error for a stream event.
pub type StreamEventError = SdkError<ResponseStreamError, RawMessage>;

/// A streamed response that records itself.
#[derive(Debug)]
pub struct RecordedStream {
    output: InvokeModelWithResponseStreamOutput,
    recording: Option<Recording>,
}

#[derive(Debug)]
struct Recording {
    call: PendingCall,
    accumulator: StreamAccumulator,
    started: Instant,
}

impl RecordedStream {
    pub(crate) fn new(
        output: InvokeModelWithResponseStreamOutput,
        call: Option<PendingCall>,
    ) -> Self {
        let recording = call.map(|call| Recording {
            accumulator: StreamAccumulator::new(call.adapter, DEFAULT_CONTENT_CAP),
            started: call.started,
            call,
        });
        Self { output, recording }
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
                        recording
                            .accumulator
                            .push(bytes.as_ref(), recording.started.elapsed());
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
        let Some(Recording {
            mut call,
            accumulator,
            ..
        }) = self.recording.take()
        else {
            return;
        };
        let outcome = accumulator.finish();
        let record = &mut call.record;
        record.response = outcome.response;
        record.stream_metrics = outcome.metrics;
        record.timing.time_to_first_token = outcome.time_to_first_token;
        record.content_truncated = outcome.truncated;
        record.extraction_errors.extend(outcome.errors);
        record.stream_end = Some(end);
        if error.is_some() {
            record.error = error;
        }
        call.finish();
    }
}

impl Drop for RecordedStream {
    fn drop(&mut self) {
        self.finish(StreamEnd::Dropped, None);
    }
}

/// Maps a stream event error (`llm-events.md` §9): an exception frame keeps the initial status
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
                _ => typed.code().unwrap_or("Unhandled"),
            };
            InvocationError {
                http_status: Some(200),
                code: code.to_owned(),
                message: typed
                    .message()
                    .map(str::to_owned)
                    .or_else(|| Some(typed.to_string())),
            }
        }
        other => {
            let code = match other {
                SdkError::TimeoutError(_) => "timeout",
                SdkError::DispatchFailure(_) => "dispatch_failure",
                SdkError::ConstructionFailure(_) => "construction_failure",
                _ => "response_error",
            };
            InvocationError {
                http_status: None,
                code: code.to_owned(),
                message: Some(
                    aws_sdk_bedrockruntime::error::DisplayErrorContext(other).to_string(),
                ),
            }
        }
    }
}
