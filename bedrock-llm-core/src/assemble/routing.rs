//! Routing a call to its adapter: by operation (the registry's Converse slot) and model ID
//! (pins first; the request body settles IDs two families share), and [`FirstAdapters`], which
//! lets a call path learn its family without parsing the ID.

use std::sync::{Mutex, PoisonError};

use crate::adapter::Adapter;
use crate::record::{Invocation, Operation};
use crate::registry::Registry;
use crate::shape::Routing;

/// The first adapter serving each model ID seen, for
/// [`SpareBuilders::routed_later`](super::SpareBuilders::routed_later): a
/// call path learns its family's kind without parsing the ID. Holds at most
/// [`FirstAdapters::LIMIT`] IDs; others are resolved each time (a stream of made-up IDs must
/// not grow it).
#[derive(Debug, Default)]
pub(crate) struct FirstAdapters {
    seen: Mutex<Vec<FirstAdapter>>,
}

/// A model ID and the first adapter serving it.
type FirstAdapter = (Box<str>, Option<&'static dyn Adapter>);

impl FirstAdapters {
    /// The most model IDs remembered.
    pub(crate) const LIMIT: usize = 64;

    /// Remembers nothing yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// How many model IDs are remembered (at most [`Self::LIMIT`]).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// The first adapter of `registry` serving `model_id` (pins first).
    pub(crate) fn get(&self, registry: &Registry, model_id: &str) -> Option<&'static dyn Adapter> {
        // A poisoned list is still a list of settled answers.
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, adapter)) = seen.iter().find(|(id, _)| **id == *model_id) {
            return *adapter;
        }
        let adapter = registry.resolve(model_id, None);
        if seen.len() < Self::LIMIT {
            seen.push((model_id.into(), adapter));
        }
        adapter
    }
}

/// The adapter for `record`'s call: the registry's Converse slot for Converse operations, else
/// the one serving the model ID (pins first; the parse the record holds is reused), settled by
/// `request_body` when two families share the ID.
pub(crate) fn route(
    registry: &Registry,
    record: &Invocation,
    request_body: Option<&[u8]>,
) -> (Option<&'static dyn Adapter>, Routing) {
    if is_converse(record.operation) {
        return (registry.converse(), Routing::Converse);
    }
    registry.route(
        &record.model_id,
        record.parsed_model_id.as_ref(),
        request_body,
    )
}

pub(crate) fn is_converse(operation: Operation) -> bool {
    matches!(operation, Operation::Converse | Operation::ConverseStream)
}
