//! Type-erased adapters: a [`BedrockModel`] seen through a trait object, so a registry, the
//! interceptor and log replay can hold adapters for families they do not name.

use std::marker::PhantomData;

use crate::error::BodyError;
use crate::model::{BedrockModel, ExchangeKind, ModelRequest, ModelResponse};
use crate::model_id::ModelId;
use crate::view::ChunkDelta;
use crate::view::{RequestView, ResponseView};

/// A model family behind a trait object.
pub trait Adapter: Send + Sync + std::fmt::Debug {
    /// The family name.
    fn family(&self) -> &'static str;
    /// Chat, text completion or embedding.
    fn kind(&self) -> ExchangeKind;
    /// Whether the family serves `id`.
    fn serves(&self, id: &ModelId) -> bool;
    /// The model-ID patterns served.
    fn id_patterns(&self) -> &'static [&'static str];
    /// Whether the family reads this request body (see [`BedrockModel::accepts_request`]).
    fn accepts_request(&self, body: &[u8]) -> bool;
    /// What one stream chunk adds (see [`BedrockModel::chunk_delta`]).
    fn chunk_delta(&self, chunk: &[u8]) -> Option<Result<ChunkDelta, BodyError>>;
    /// Parses a request body into its neutral view.
    fn request_view(&self, body: &[u8]) -> Result<RequestView, BodyError>;
    /// Parses a response body into its neutral view.
    fn response_view(&self, body: &[u8]) -> Result<ResponseView, BodyError>;
    /// Whether answers carry reasoning inline (see [`BedrockModel::INLINE_REASONING`]).
    fn inline_reasoning(&self) -> bool {
        false
    }
}

/// The [`Adapter`] for a [`BedrockModel`] type.
pub struct AdapterOf<M>(PhantomData<fn() -> M>);

impl<M> std::fmt::Debug for AdapterOf<M>
where
    M: BedrockModel,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AdapterOf").field(&M::FAMILY).finish()
    }
}

impl<M: BedrockModel> AdapterOf<M> {
    /// The adapter value (zero-sized).
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<M: BedrockModel> Default for AdapterOf<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: BedrockModel> Adapter for AdapterOf<M> {
    fn family(&self) -> &'static str {
        M::FAMILY
    }

    fn kind(&self) -> ExchangeKind {
        M::KIND
    }

    fn serves(&self, id: &ModelId) -> bool {
        M::serves(id)
    }

    fn id_patterns(&self) -> &'static [&'static str] {
        M::ID_PATTERNS
    }

    fn accepts_request(&self, body: &[u8]) -> bool {
        M::accepts_request(body)
    }

    fn chunk_delta(&self, chunk: &[u8]) -> Option<Result<ChunkDelta, BodyError>> {
        M::chunk_delta(chunk)
    }

    fn request_view(&self, body: &[u8]) -> Result<RequestView, BodyError> {
        M::decode_request(body).map(|request| request.view())
    }

    fn response_view(&self, body: &[u8]) -> Result<ResponseView, BodyError> {
        M::decode_response(body).map(|response| {
            let mut view = response.view();
            if M::INLINE_REASONING {
                crate::reasoning::split_inline_reasoning(&mut view);
            }
            view
        })
    }

    fn inline_reasoning(&self) -> bool {
        M::INLINE_REASONING
    }
}

/// The adapter for `M`, as a trait object.
pub fn adapter<M: BedrockModel>() -> &'static dyn Adapter {
    // `AdapterOf<M>` is zero-sized, so this borrow is of a promoted constant.
    const fn erased<M: BedrockModel>() -> AdapterOf<M> {
        AdapterOf::new()
    }
    &const { erased::<M>() }
}
