//! AWS event-stream frames as Bedrock sends them (chunks, exceptions, ConverseStream events),
//! and a body that sends them one by one so delays and mid-stream faults happen on the wire.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;

use crate::{Body, Fault};

/// One `chunk` event: `{"bytes": base64(chunk), "p": padding}`.
pub(crate) fn chunk_frame(chunk: &[u8]) -> Bytes {
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
pub(crate) fn split_messages(mut wire: &[u8]) -> Vec<Bytes> {
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
pub(crate) fn converse_event_frame(event_type: &'static str, payload: &serde_json::Value) -> Bytes {
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
pub(crate) fn stream_body(frames: Vec<Bytes>, fault: Option<Fault>) -> Body {
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
