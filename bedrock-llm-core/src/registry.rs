//! The registry: which adapter reads the bodies of a call to a given model ID.
//!
//! Resolution normalizes the ID first (strips the ARN wrapping and a cross-region geography),
//! then asks each adapter, newest registration first, whether it serves the ID and reads the
//! request body's shape. IDs that name no model (provisioned throughput, application inference
//! profiles, custom deployments, imported models) resolve through, in order: an explicit pin,
//! an alias to a model ID that names its model, and the request body's shape — exactly one
//! family's [`BodyShape`] fitting; several fitting is ambiguous and reads nothing
//! ([`Routing`], `docs/bedrock-formats.md` §8).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::adapter::{Adapter, adapter};
use crate::model::BedrockModel;
use crate::model_id::ModelId;
use crate::shape::{
    AliasError, BodyShape, MODEL_ALIASES_ENV, Routing, parse_aliases, top_level_keys,
};

/// Maps model IDs to adapters.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    /// Which adapter list this is, for the per-thread cache of [`Registry::serving`]: drawn
    /// afresh whenever the list changes, so a clone shares it only while its list is the same.
    generation: u64,
    /// In resolution order: the last registered first.
    adapters: Vec<&'static dyn Adapter>,
    /// Exact model-ID text → adapter, for IDs that do not name their model.
    pins: HashMap<String, &'static dyn Adapter>,
    /// Exact model-ID text → the model ID it stands for.
    aliases: HashMap<String, ModelId>,
    /// Request-body shapes that name a family, for IDs that name no model.
    shapes: Vec<(BodyShape, &'static dyn Adapter)>,
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
        static GENERATIONS: AtomicU64 = AtomicU64::new(1);
        self.generation = GENERATIONS.fetch_add(1, Ordering::Relaxed);
        self
    }

    /// Routes the exact model-ID text `model_id` (e.g. a provisioned-throughput ARN) to `M`.
    pub fn pin<M: BedrockModel>(&mut self, model_id: impl Into<String>) -> &mut Self {
        self.pins.insert(model_id.into(), adapter::<M>());
        self
    }

    /// Treats the exact model-ID text `from` (an application inference profile ARN, say) as
    /// the model ID `to`, which names its model.
    pub fn alias(&mut self, from: impl Into<String>, to: ModelId) -> &mut Self {
        self.aliases.insert(from.into(), to);
        self
    }

    /// Adds the aliases of [`MODEL_ALIASES_ENV`] (`FROM=TO,…`), when it is set. A malformed
    /// list adds nothing and is the error.
    pub fn aliases_from_env(&mut self) -> Result<&mut Self, AliasError> {
        let text = std::env::var(MODEL_ALIASES_ENV).unwrap_or_default();
        for (from, to) in parse_aliases(&text)? {
            self.alias(from, to);
        }
        Ok(self)
    }

    /// Reads request bodies of `shape` with `M` when the model ID names no model.
    pub fn recognize<M: BedrockModel>(&mut self, shape: BodyShape) -> &mut Self {
        self.shapes.push((shape, adapter::<M>()));
        self
    }

    /// The body shapes recognized, with their adapters.
    pub fn shapes(&self) -> impl Iterator<Item = (BodyShape, &'static dyn Adapter)> + '_ {
        self.shapes.iter().copied()
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
        self.route(model_id, None, request_body).0
    }

    /// [`Registry::resolve`] for an already parsed ID.
    pub fn resolve_id(
        &self,
        id: &ModelId,
        request_body: Option<&[u8]>,
    ) -> Option<&'static dyn Adapter> {
        self.route(id.as_str(), Some(id), request_body).0
    }

    /// The adapter for a call to `model_id` (`parsed`, when the caller has parsed it) with
    /// `request_body`, and how it was found: a pin, an alias, the ID itself, or — for an ID
    /// that names no model — the body's shape (see the module docs).
    pub fn route(
        &self,
        model_id: &str,
        parsed: Option<&ModelId>,
        request_body: Option<&[u8]>,
    ) -> (Option<&'static dyn Adapter>, Routing) {
        if let Some(pinned) = self.pins.get(model_id) {
            return (Some(*pinned), Routing::Pinned);
        }
        if let Some(target) = self.aliases.get(model_id) {
            let adapter = self.serving(target, request_body);
            return (adapter, Routing::Alias);
        }
        let owned;
        let id = match parsed {
            Some(id) => Some(id),
            None => {
                owned = ModelId::parse(model_id).ok();
                owned.as_ref()
            }
        };
        if let Some(id) = id {
            if let Some(adapter) = self.serving(id, request_body) {
                return (Some(adapter), Routing::ModelId);
            }
            if id.form().names_model() {
                return (None, Routing::Unrecognized);
            }
        }
        self.by_shape(request_body)
    }

    /// The first adapter serving `id` (whose request-body check `request_body` passes).
    fn serving(&self, id: &ModelId, request_body: Option<&[u8]>) -> Option<&'static dyn Adapter> {
        // The body checks run after the cache is let go, so an adapter's own code never runs
        // while it is borrowed.
        let cached = SERVING.with(|cache| {
            let mut cache = cache.try_borrow_mut().ok()?;
            if cache.generation != self.generation {
                cache.generation = self.generation;
                cache.by_id.clear();
            }
            if let Some(serving) = cache.by_id.get(id.as_str()) {
                return Some(Rc::clone(serving));
            }
            // Bounded: an ID past the cap is matched afresh each time.
            (cache.by_id.len() < SERVING_CACHE_IDS).then(|| {
                let serving = self.matching(id);
                cache.by_id.insert(id.as_str().into(), Rc::clone(&serving));
                serving
            })
        });
        let serving = cached.unwrap_or_else(|| self.matching(id));
        match request_body {
            None => serving.first().copied(),
            Some(body) => serving.iter().copied().find(|a| a.accepts_request(body)),
        }
    }

    /// Every adapter serving `id`, in resolution order.
    fn matching(&self, id: &ModelId) -> Rc<[&'static dyn Adapter]> {
        self.adapters
            .iter()
            .copied()
            .filter(|a| a.serves(id))
            .collect()
    }

    /// The one family whose shape `request_body` has; several is ambiguous, none unrecognized.
    fn by_shape(&self, request_body: Option<&[u8]>) -> (Option<&'static dyn Adapter>, Routing) {
        let Some(keys) = request_body.and_then(top_level_keys) else {
            return (None, Routing::Unrecognized);
        };
        let mut fitting = self
            .shapes
            .iter()
            .filter(|(shape, _)| shape.fits(&keys))
            .map(|(_, adapter)| *adapter);
        let Some(first) = fitting.next() else {
            return (None, Routing::Unrecognized);
        };
        // One family may give several shapes; ambiguity is between families.
        if fitting.any(|other| other.family() != first.family()) {
            return (None, Routing::AmbiguousBody);
        }
        (Some(first), Routing::BodyShape)
    }
}

/// How many model IDs each thread remembers the serving adapters of. Calls and log records
/// name few distinct IDs; the cap bounds memory when a log names many.
const SERVING_CACHE_IDS: usize = 256;

/// The adapters serving each model ID seen, per thread: matching an ID asks every adapter
/// whether it serves it (a pattern test per adapter, the larger part of resolving a call), and
/// the answer depends only on the ID and the adapter list. Per thread, so that replay's
/// workers share no lock.
#[derive(Default)]
struct ServingCache {
    generation: u64,
    by_id: HashMap<Box<str>, Rc<[&'static dyn Adapter]>, foldhash::fast::RandomState>,
}

thread_local! {
    static SERVING: RefCell<ServingCache> = RefCell::new(ServingCache::default());
}
