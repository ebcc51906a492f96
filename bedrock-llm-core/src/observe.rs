//! The seam between the client layer and whatever records calls: an [`InvocationObserver`] is
//! told when a call starts (to capture its context, open a span) and handed the finished
//! [`Invocation`]. The events crate's recorder is one; this crate never names it.

use std::any::Any;
use std::fmt;

use crate::assemble::InvocationBuilder;
use crate::model::ExchangeKind;
use crate::record::{Invocation, Operation};

/// What is known when a call starts.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CallStart<'a> {
    /// The model ID as the caller sent it.
    pub model_id: &'a str,
    /// The operation.
    pub operation: Operation,
    /// The family's exchange kind, when an adapter is known.
    pub kind: Option<ExchangeKind>,
    /// The version of the instrumented SDK (`aws_sdk_bedrockruntime::meta::PKG_VERSION`).
    pub sdk_version: Option<&'static str>,
}

/// An observer's per-call state, handed back to [`InvocationObserver::finish`].
pub struct CallState(Box<dyn Any + Send>);

impl CallState {
    /// Wraps any per-call value.
    pub fn new<T: Any + Send>(value: T) -> Self {
        Self(Box::new(value))
    }

    /// No state.
    pub fn empty() -> Self {
        Self::new(())
    }

    /// The value, when it is a `T`.
    pub fn downcast<T: Any>(self) -> Option<T> {
        self.0.downcast::<T>().ok().map(|boxed| *boxed)
    }
}

impl fmt::Debug for CallState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallState(..)")
    }
}

/// Receives every instrumented call.
///
/// **Guarantees asked of implementors:** both methods are quick and never panic or block;
/// they run inside the SDK's request pipeline, and the caller's result must not depend on them.
pub trait InvocationObserver: Send + Sync + fmt::Debug {
    /// Whether calls are recorded at all; when `false`, the client layer skips every capture.
    fn enabled(&self) -> bool {
        true
    }

    /// **When:** before the request is serialized. **Returns:** state for [`Self::finish`].
    fn start(&self, call: &CallStart<'_>) -> CallState;

    /// **When:** after the call ended, successfully or not.
    fn finish(&self, state: CallState, invocation: Invocation);

    /// **When:** after the call ended, with its pieces captured (bodies, headers, timings,
    /// chunks) but not yet read. The default reads them now and calls [`Self::finish`]. An
    /// observer that records off the call path hands `capture` to a worker of its own and
    /// calls [`InvocationBuilder::finish_boxed`] there (which gives the builder back to be
    /// reused); it must never wait for room to do so.
    fn finish_capture(&self, state: CallState, capture: Box<InvocationBuilder>) {
        self.finish(state, capture.finish_boxed());
    }

    /// **When:** the instrumentation itself hit a problem (never the caller's). For a
    /// supportability count; `what` is a short static name.
    fn instrumentation_error(&self, what: &'static str) {
        let _ = what;
    }
}
