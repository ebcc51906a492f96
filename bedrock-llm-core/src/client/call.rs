//! The call slot: a call under way ([`PendingCall`]) — what it captured so far and whom to hand
//! it to — and the [`Handoff`] through which a successful stream's call passes from the
//! interceptor to the stream wrapper that finishes it. One home, so the interceptor, the
//! stream wrappers and the body tap each depend on it rather than on one another.

use std::sync::{Arc, Mutex};

use crate::assemble::InvocationBuilder;
use crate::observe::{CallState, InvocationObserver};

/// Where a successful stream's pending record goes, for the stream wrapper to finish.
pub(crate) type Handoff = Arc<Mutex<Option<PendingCall>>>;

/// A call under way: what it captured so far, and whom to hand it to.
#[derive(Debug)]
pub(crate) struct PendingCall {
    /// Boxed once: it is moved from hook to hook and on to the observer's worker.
    pub(crate) builder: Box<InvocationBuilder>,
    pub(crate) state: CallState,
    pub(crate) observer: Arc<dyn InvocationObserver>,
}

impl PendingCall {
    /// Hands the capture to the observer, which reads it (now, or on its own worker).
    pub(crate) fn finish(mut self) {
        self.builder.stop_clock();
        self.observer.finish_capture(self.state, self.builder);
    }
}
