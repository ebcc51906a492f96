//! Scripted failures ([`Fault`]): the errors Bedrock answers with (status, `x-amzn-ErrorType`,
//! body), a stream broken off mid-way by an exception frame, a dropped connection, a slow
//! answer.

use std::time::Duration;

use hyper::StatusCode;

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
    pub(crate) fn error(&self) -> Option<(StatusCode, &'static str, &'static str)> {
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
