//! The body tap: how [`super::RecordingInterceptor`] records a streamed call on a plain SDK
//! client. In `modify_before_deserialization` — which the orchestrator runs before the event
//! stream deserializer takes the response body — the body is wrapped so that every byte still
//! reaches the SDK unchanged while a copy is decoded into event-stream messages and folded
//! into the call's record. The call is recorded once: at the body's end, at an exception frame
//! or a transport error (with the content so far), or when the caller drops the stream.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::event_stream::{HeaderValue, Message};
use bytes::{Buf, Bytes, BytesMut};

use super::stream::Recording;
use crate::record::{FailureKind, InvocationError, Operation, StreamEnd};

/// What the tap decodes into a record.
#[derive(Debug)]
struct TapState {
    recording: Option<Recording>,
    operation: Operation,
    decoder: MessageFrameDecoder,
    buffer: BytesMut,
    /// Set when the bytes stop being event-stream messages: they still pass, unread.
    broken: bool,
}

/// Shared by every body the SDK may rebuild from the same response.
#[derive(Debug, Clone)]
pub(crate) struct Tap(Arc<Mutex<TapState>>);

impl Tap {
    pub(crate) fn new(recording: Recording, operation: Operation) -> Self {
        Self(Arc::new(Mutex::new(TapState {
            recording: Some(recording),
            operation,
            decoder: MessageFrameDecoder::new(),
            buffer: BytesMut::new(),
            broken: false,
        })))
    }

    /// `body`, tapped: the same bytes, read once more on the side.
    pub(crate) fn wrap(&self, body: SdkBody) -> SdkBody {
        let tap = self.clone();
        body.map_preserve_contents(move |inner| {
            SdkBody::from_body_1_x(TappedBody {
                inner,
                tap: tap.clone(),
            })
        })
    }

    fn with(&self, f: impl FnOnce(&mut TapState)) {
        if let Ok(mut state) = self.0.lock() {
            f(&mut state);
        }
    }

    fn feed(&self, data: &Bytes) {
        self.with(|state| state.feed(data));
    }

    fn finish(&self, end: StreamEnd, error: Option<InvocationError>) {
        self.with(|state| {
            if let Some(recording) = state.recording.take() {
                recording.finish(end, error);
            }
        });
    }
}

impl TapState {
    fn feed(&mut self, data: &[u8]) {
        if self.broken || self.recording.is_none() {
            return;
        }
        self.buffer.extend_from_slice(data);
        loop {
            match self.decoder.decode_frame(&mut self.buffer) {
                Ok(DecodedFrame::Complete(message)) => self.message(&message),
                Ok(DecodedFrame::Incomplete) => break,
                Err(_) => {
                    // Not event-stream framing: leave the bytes to the SDK, which reports it.
                    self.broken = true;
                    self.buffer.clear();
                    break;
                }
            }
        }
        // Keep the buffer's storage from growing without bound across a long stream.
        if !self.buffer.has_remaining() {
            self.buffer = BytesMut::new();
        }
    }

    fn message(&mut self, message: &Message) {
        let header = |name: &str| {
            message.headers().iter().find_map(|h| {
                (h.name().as_str() == name)
                    .then(|| match h.value() {
                        HeaderValue::String(s) => Some(s.as_str().to_owned()),
                        _ => None,
                    })
                    .flatten()
            })
        };
        let Some(recording) = self.recording.as_mut() else {
            return;
        };
        match header(":message-type").as_deref() {
            Some("exception") | Some("error") => {
                let code = header(":exception-type").or_else(|| header(":error-code"));
                let message_text = serde_json::from_slice::<serde_json::Value>(message.payload())
                    .ok()
                    .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
                    .or_else(|| header(":error-message"));
                let error = InvocationError::exception_frame(code, message_text);
                if let Some(recording) = self.recording.take() {
                    recording.finish(StreamEnd::Failed, Some(error));
                }
            }
            _ => {
                let event = header(":event-type").unwrap_or_default();
                match self.operation {
                    Operation::InvokeModelWithResponseStream if event == "chunk" => {
                        if let Some(bytes) = chunk_bytes(message.payload()) {
                            recording.chunk(Bytes::from(bytes));
                        }
                    }
                    Operation::ConverseStream => {
                        let (delta, latency) =
                            super::converse::json_chunk_delta(&event, message.payload());
                        recording.delta(delta, latency);
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The decoded `bytes` of a `chunk` event's payload (`{"bytes": "<base64>", "p": …}`).
fn chunk_bytes(payload: &[u8]) -> Option<Vec<u8>> {
    #[derive(serde::Deserialize)]
    struct Chunk<'a> {
        #[serde(borrow)]
        bytes: Option<std::borrow::Cow<'a, str>>,
    }
    let chunk: Chunk<'_> = serde_json::from_slice(payload).ok()?;
    aws_smithy_types::base64::decode(chunk.bytes?.as_ref()).ok()
}

/// The response body, passed through untouched, with a copy of each piece to the tap.
struct TappedBody {
    inner: SdkBody,
    tap: Tap,
}

impl http_body::Body for TappedBody {
    type Data = Bytes;
    type Error = aws_smithy_types::body::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.tap.feed(data);
                }
            }
            Poll::Ready(Some(Err(error))) => {
                let error = InvocationError::sdk(
                    FailureKind::ResponseError,
                    Some(crate::error::display_chain(error.as_ref())),
                );
                self.tap.finish(StreamEnd::Failed, Some(error));
            }
            Poll::Ready(None) => self.tap.finish(StreamEnd::Completed, None),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for TappedBody {
    fn drop(&mut self) {
        // The caller dropped the stream before its end (a body read to its end has already
        // finished the record, so this does nothing then).
        self.tap.finish(StreamEnd::Dropped, None);
    }
}
