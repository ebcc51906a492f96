//! [`SpareBuilders`]: boxed builders a call path reuses, so capturing a call allocates neither
//! the builder nor copies of its bodies and text once the recorder is warm.
//!
//! A builder is large (it holds the whole record) and is finished on the recorder's worker,
//! so without reuse every call allocates it on the caller's thread and frees it on another.
//! With the system allocator that is the slow path on both sides: an allocation too large
//! for the thread's cache, and a free into another thread's arena. A finished builder comes
//! back here instead, emptied, with its buffers, and the next call takes it. The lock is taken
//! once by the caller (take) and once by the worker (give back), each for a push or a pop.

#![expect(
    clippy::vec_box,
    reason = "callers hold the boxes; keeping them boxed here is what saves the allocation"
)]

use std::sync::{Arc, Mutex, PoisonError};

use super::{FirstAdapters, InvocationBuilder};
use crate::adapter::Adapter;
use crate::record::Operation;
use crate::registry::Registry;

/// Boxed [`InvocationBuilder`]s waiting to be reused; see the module docs. Holds at most
/// [`Self::LIMIT`] builders, each keeping at most [`Self::BUFFER_LIMIT`] bytes of buffers, so
/// what it keeps is bounded whatever the calls were.
#[derive(Debug, Default)]
pub(crate) struct SpareBuilders {
    spare: Mutex<Vec<Box<InvocationBuilder>>>,
}

impl SpareBuilders {
    /// The most builders kept: about the calls a busy recorder has in its queue at once.
    pub(crate) const LIMIT: usize = 256;

    /// The most bytes of buffers a kept builder holds on to (the bodies' and the text's
    /// together); larger ones are let go.
    pub(crate) const BUFFER_LIMIT: usize = 8 * 1024;

    /// Keeps nothing yet.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// How many builders are waiting.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.spare().len()
    }

    /// Whether none is.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of buffers the waiting builders hold on to (at most [`Self::BUFFER_LIMIT`] each).
    #[cfg(test)]
    pub(crate) fn buffer_bytes(&self) -> usize {
        self.spare().iter().map(|b| b.buffer_capacity()).sum()
    }

    /// A builder for a call path, routed through `registry` once its pieces are read (see
    /// `InvocationBuilder::begin_routed_later`), in a spare box when there is one. Finish it with
    /// [`InvocationBuilder::finish_boxed`] to give it back.
    pub(crate) fn routed_later(
        self: &Arc<Self>,
        registry: Arc<Registry>,
        model_id: &str,
        operation: Operation,
        first: &FirstAdapters,
    ) -> Box<InvocationBuilder> {
        let mut builder = self.take();
        builder.begin_routed_later(registry, model_id, operation, first);
        builder
    }

    /// [`InvocationBuilder::with_adapter`], in a spare box when there is one.
    pub(crate) fn with_adapter(
        self: &Arc<Self>,
        model_id: &str,
        operation: Operation,
        adapter: Option<&'static dyn Adapter>,
    ) -> Box<InvocationBuilder> {
        let mut builder = self.take();
        builder.begin_with_adapter(model_id, operation, adapter);
        builder
    }

    /// A blank builder: a spare one, or a new one that comes back here when finished.
    fn take(self: &Arc<Self>) -> Box<InvocationBuilder> {
        self.spare()
            .pop()
            .unwrap_or_else(|| Box::new(InvocationBuilder::blank(Some(Arc::clone(self)))))
    }

    /// Keeps `builder` (already emptied) for the next call, unless enough are kept.
    pub(super) fn give_back(&self, mut builder: Box<InvocationBuilder>) {
        builder.trim_buffers(Self::BUFFER_LIMIT);
        let mut spare = self.spare();
        if spare.len() < Self::LIMIT {
            spare.push(builder);
        }
    }

    fn spare(&self) -> std::sync::MutexGuard<'_, Vec<Box<InvocationBuilder>>> {
        // Every update is one push or pop: a poisoned list is still a list of blank builders.
        self.spare.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
