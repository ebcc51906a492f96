//! The registry: which adapter reads the bodies of a call to a given model ID.
//!
//! Resolution normalizes the ID first (strips the ARN wrapping and a cross-region geography),
//! then asks each adapter, newest registration first, whether it serves the ID and reads the
//! request body's shape. IDs that name no model (provisioned throughput, application inference
//! profiles, imported models) resolve only through an explicit pin.

use std::collections::HashMap;

use crate::adapter::{Adapter, adapter};
use crate::model::BedrockModel;
use crate::model_id::ModelId;
use crate::record::Invocation;

/// Maps model IDs to adapters.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    /// In resolution order: the last registered first.
    adapters: Vec<&'static dyn Adapter>,
    /// Exact model-ID text → adapter, for IDs that do not name their model.
    pins: HashMap<String, &'static dyn Adapter>,
    /// The reader of Converse JSON bodies (Converse is one API for every model, so it is not
    /// resolved by model ID): what log replay reads `Converse`/`ConverseStream` records with.
    converse: Option<&'static dyn Adapter>,
}

impl Registry {
    /// An empty registry: every model resolves to the generic fallback.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `M`. Later registrations take precedence, so a user's adapter can replace a
    /// prebuilt one for the IDs it serves.
    pub fn register<M: BedrockModel>(&mut self) -> &mut Self {
        self.register_adapter(adapter::<M>())
    }

    /// Adds a type-erased adapter, with the same precedence as [`Registry::register`].
    pub fn register_adapter(&mut self, adapter: &'static dyn Adapter) -> &mut Self {
        self.adapters.insert(0, adapter);
        self
    }

    /// Routes the exact model-ID text `model_id` (e.g. a provisioned-throughput ARN) to `M`.
    pub fn pin<M: BedrockModel>(&mut self, model_id: impl Into<String>) -> &mut Self {
        self.pins.insert(model_id.into(), adapter::<M>());
        self
    }

    /// Reads Converse JSON bodies (request and whole response) with `adapter`, for every model.
    pub fn set_converse(&mut self, adapter: &'static dyn Adapter) -> &mut Self {
        self.converse = Some(adapter);
        self
    }

    /// The Converse JSON reader, when one is set.
    pub fn converse(&self) -> Option<&'static dyn Adapter> {
        self.converse
    }

    /// The registered adapters, in resolution order.
    pub fn adapters(&self) -> impl Iterator<Item = &'static dyn Adapter> + '_ {
        self.adapters.iter().copied()
    }

    /// The adapter for a call to `model_id` with `request_body`, or `None` for the generic
    /// fallback. `request_body` settles IDs two families share; without it, the first adapter
    /// serving the ID wins.
    pub fn resolve(
        &self,
        model_id: &str,
        request_body: Option<&[u8]>,
    ) -> Option<&'static dyn Adapter> {
        if let Some(pinned) = self.pins.get(model_id) {
            return Some(*pinned);
        }
        let id = ModelId::parse(model_id).ok()?;
        self.resolve_id(&id, request_body)
    }

    /// [`Registry::resolve`] for an already parsed ID.
    pub fn resolve_id(
        &self,
        id: &ModelId,
        request_body: Option<&[u8]>,
    ) -> Option<&'static dyn Adapter> {
        if let Some(pinned) = self.pins.get(id.as_str()) {
            return Some(*pinned);
        }
        let mut serving = self.adapters.iter().copied().filter(|a| a.serves(id));
        match request_body {
            None => serving.next(),
            Some(body) => serving.find(|a| a.accepts_request(body)),
        }
    }

    /// Fills `record`'s views from the bodies through the adapter for its model (the Converse
    /// slot for Converse operations), by the rules of
    /// [`InvocationBuilder`](crate::assemble::InvocationBuilder). An unknown model leaves the
    /// views empty and the family `None`; the rest of the record (model, timing, request id,
    /// header counts) stands as it is.
    pub fn read_bodies(
        &self,
        record: &mut Invocation,
        request: Option<&[u8]>,
        response: Option<&[u8]>,
    ) {
        if let Some(adapter) = crate::assemble::route(self, record, request) {
            record.read_bodies(adapter, request, response);
        }
    }
}
