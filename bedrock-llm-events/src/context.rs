//! Call context captured when a call starts: `llm.` custom attributes and the trace context.
//!
//! Custom attributes are set on a scope — a closure for synchronous code
//! ([`with_llm_attributes`]) or a future ([`LlmAttributesExt::with_llm_attributes`]), which
//! re-enters the scope on every poll and so works across `.await` on any executor — or per
//! call. Scopes nest; an inner value wins. Keys that do not start with `llm.` are ignored.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::attribute::{AttrValue, Text};
use crate::names::attr::LLM_PREFIX;

/// `llm.`-prefixed custom attributes, sorted by key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LlmAttributes {
    values: BTreeMap<String, AttrValue>,
    ignored: u32,
}

impl LlmAttributes {
    /// No attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key = value` when `key` starts with `llm.`; other keys are ignored (and counted).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<AttrValue>) -> &mut Self {
        let key = key.into();
        if key.starts_with(LLM_PREFIX) && key.len() > LLM_PREFIX.len() {
            self.values.insert(key, value.into());
        } else {
            self.ignored += 1;
        }
        self
    }

    /// Builder form of [`LlmAttributes::insert`].
    pub fn with(mut self, key: impl Into<String>, value: impl Into<AttrValue>) -> Self {
        self.insert(key, value);
        self
    }

    /// The attributes, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &AttrValue)> {
        self.values.iter()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Keys refused for lacking the `llm.` prefix.
    pub fn ignored(&self) -> u32 {
        self.ignored
    }

    /// `self` with `other`'s values on top.
    pub fn merged_with(&self, other: &Self) -> Self {
        let mut merged = self.clone();
        for (key, value) in &other.values {
            merged.values.insert(key.clone(), value.clone());
        }
        merged.ignored += other.ignored;
        merged
    }
}

impl<K: Into<String>, V: Into<AttrValue>> FromIterator<(K, V)> for LlmAttributes {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut attributes = Self::new();
        for (key, value) in iter {
            attributes.insert(key, value);
        }
        attributes
    }
}

thread_local! {
    static SCOPES: RefCell<Vec<Arc<LlmAttributes>>> = const { RefCell::new(Vec::new()) };
}

/// Pops the scope pushed by its creator, even when the scope's code panics.
struct ScopeGuard;

impl ScopeGuard {
    fn enter(attributes: Arc<LlmAttributes>) -> Self {
        SCOPES.with(|scopes| scopes.borrow_mut().push(attributes));
        Self
    }
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        SCOPES.with(|scopes| {
            scopes.borrow_mut().pop();
        });
    }
}

/// Runs `f` with `attributes` applied to every call made inside it.
pub fn with_llm_attributes<R>(attributes: LlmAttributes, f: impl FnOnce() -> R) -> R {
    let _guard = ScopeGuard::enter(Arc::new(attributes));
    f()
}

/// The custom attributes in effect here: every enclosing scope merged, inner values winning.
pub fn current_llm_attributes() -> LlmAttributes {
    SCOPES.with(|scopes| {
        let scopes = scopes.borrow();
        match scopes.as_slice() {
            [] => LlmAttributes::new(),
            [only] => (**only).clone(),
            all => all
                .iter()
                .fold(LlmAttributes::new(), |acc, scope| acc.merged_with(scope)),
        }
    })
}

pin_project_lite::pin_project! {
    /// A future that runs inside a custom-attribute scope (see [`LlmAttributesExt`]).
    #[derive(Debug)]
    pub struct WithLlmAttributes<F> {
        #[pin]
        inner: F,
        attributes: Arc<LlmAttributes>,
    }
}

impl<F: Future> Future for WithLlmAttributes<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _guard = ScopeGuard::enter(Arc::clone(this.attributes));
        this.inner.poll(cx)
    }
}

/// Scopes custom attributes to a future, across every `.await` inside it.
pub trait LlmAttributesExt: Future + Sized {
    /// Applies `attributes` to every call the future makes.
    fn with_llm_attributes(self, attributes: LlmAttributes) -> WithLlmAttributes<Self> {
        WithLlmAttributes {
            inner: self,
            attributes: Arc::new(attributes),
        }
    }
}

impl<F: Future> LlmAttributesExt for F {}

/// W3C-shaped ids linking a call's events to a trace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TraceContext {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// 16 lowercase hex digits.
    pub span_id: String,
}

impl TraceContext {
    /// The ids of the span active now: the OpenTelemetry context, else the current `tracing`
    /// span (its id as the span id, and a trace id derived from it, so events of one span
    /// group together), else freshly generated ids.
    pub fn current() -> Self {
        TraceIds::current().to_context()
    }

    /// Ids derived from `seed`: the same seed always gives the same ids.
    pub fn derived(seed: &str) -> Self {
        let trace = derived_uuid(seed, "trace", 0);
        let span = derived_uuid(seed, "span", 0);
        Self {
            trace_id: hex(trace.as_bytes()),
            span_id: hex(&span.as_bytes()[..8]),
        }
    }

    /// Fresh random ids.
    pub fn generate() -> Self {
        TraceIds::generate().to_context()
    }

    /// The ids of `context`'s span, when it has a valid one.
    pub fn from_opentelemetry(context: &opentelemetry::Context) -> Option<Self> {
        use opentelemetry::trace::TraceContextExt as _;
        Self::from_span_context(context.span().span_context())
    }

    /// The ids of an OpenTelemetry span, when valid.
    pub fn from_span_context(span_context: &opentelemetry::trace::SpanContext) -> Option<Self> {
        TraceIds::from_span_context(span_context).map(TraceIds::to_context)
    }
}

/// Everything an invocation's events take from where the call was made.
#[derive(Debug, Clone, PartialEq)]
pub struct CallContext {
    /// Ids linking the events to a trace.
    pub trace: TraceContext,
    /// Custom attributes: the scopes in effect at the call, plus any given for the call.
    pub llm_attributes: LlmAttributes,
    /// When set, event ids are derived from it (see [`CallContext::replayed`]) instead of
    /// drawn at random.
    pub id_seed: Option<String>,
}

impl CallContext {
    /// The context here and now: the current trace context and custom-attribute scopes.
    pub fn capture() -> Self {
        CapturedContext::capture().into_context()
    }

    /// A context with generated ids and no custom attributes (replay without a caller context).
    pub fn detached() -> Self {
        CapturedContext::detached().into_context()
    }

    /// A context for a record replayed from a log, identified by `seed` (its account and
    /// request id): the trace and span ids and every event id are derived from the seed, so
    /// replaying the same record twice gives identical events a backend can deduplicate.
    pub fn replayed(seed: impl Into<String>) -> Self {
        let seed = seed.into();
        Self {
            trace: TraceContext::derived(&seed),
            llm_attributes: LlmAttributes::new(),
            id_seed: Some(seed),
        }
    }

    /// Adds per-call custom attributes on top of the scoped ones.
    pub fn with_call_attributes(mut self, attributes: &LlmAttributes) -> Self {
        self.llm_attributes = self.llm_attributes.merged_with(attributes);
        self
    }
}

/// Trace and span ids as bytes: what a call path captures; the hex text is made off it.
#[derive(Debug, Clone, Copy)]
struct TraceIds {
    trace: [u8; 16],
    span: [u8; 8],
}

impl TraceIds {
    /// See [`TraceContext::current`].
    fn current() -> Self {
        use opentelemetry::trace::TraceContextExt as _;
        // Borrowed, not cloned: `Context::current` would clone the context on every call.
        let otel = opentelemetry::Context::map_current(|otel| {
            Self::from_span_context(otel.span().span_context())
        });
        if let Some(ids) = otel {
            return ids;
        }
        if let Some(id) = tracing::Span::current().id() {
            let span = id.into_u64();
            let mixed = span.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x6a09_e667_f3bc_c908;
            let mut trace = [0u8; 16];
            trace[..8].copy_from_slice(&mixed.to_be_bytes());
            trace[8..].copy_from_slice(&span.to_be_bytes());
            return Self {
                trace,
                span: span.to_be_bytes(),
            };
        }
        Self::generate()
    }

    fn from_span_context(span_context: &opentelemetry::trace::SpanContext) -> Option<Self> {
        span_context.is_valid().then(|| Self {
            trace: span_context.trace_id().to_bytes(),
            span: span_context.span_id().to_bytes(),
        })
    }

    fn generate() -> Self {
        let mut ids = Self {
            trace: [0; 16],
            span: [0; 8],
        };
        fill_random(&mut ids.trace);
        fill_random(&mut ids.span);
        ids
    }

    fn to_context(self) -> TraceContext {
        TraceContext {
            trace_id: hex(&self.trace),
            span_id: hex(&self.span),
        }
    }
}

/// [`CallContext::capture`] as a call path takes it: nothing formatted, nothing allocated
/// unless custom attributes are in scope. [`CapturedContext::into_context`] finishes it.
#[derive(Debug, Clone)]
pub(crate) struct CapturedContext {
    trace: TraceIds,
    llm_attributes: LlmAttributes,
}

impl CapturedContext {
    pub(crate) fn capture() -> Self {
        Self {
            trace: TraceIds::current(),
            llm_attributes: current_llm_attributes(),
        }
    }

    /// See [`CallContext::detached`].
    pub(crate) fn detached() -> Self {
        Self {
            trace: TraceIds::generate(),
            llm_attributes: LlmAttributes::new(),
        }
    }

    pub(crate) fn into_context(self) -> CallContext {
        CallContext {
            trace: self.trace.to_context(),
            llm_attributes: self.llm_attributes,
            id_seed: None,
        }
    }
}

pub(crate) fn fill_random(bytes: &mut [u8]) {
    for chunk in bytes.chunks_mut(8) {
        let random = fastrand::u64(..).to_le_bytes();
        chunk.copy_from_slice(&random[..chunk.len()]);
    }
}

/// Lowercase hex. Every call without a trace formats two ids, and `write!` per byte cost more
/// than the rest of capturing the context.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|&byte| {
            [
                char::from(DIGITS[usize::from(byte >> 4)]),
                char::from(DIGITS[usize::from(byte & 0x0f)]),
            ]
        })
        .collect()
}

/// The namespace of derived ids (a fixed, arbitrary UUID of this project's).
const ID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6b1e_7d2a_93c4_4f0e_a5d8_2c61_b0e9_47f3);

/// A name-based (v5) UUID for event `kind` number `sequence` of the record `seed` names.
pub(crate) fn derived_uuid(seed: &str, kind: &str, sequence: usize) -> uuid::Uuid {
    uuid::Uuid::new_v5(
        &ID_NAMESPACE,
        format!("{seed}\u{1f}{kind}\u{1f}{sequence}").as_bytes(),
    )
}

/// A random UUID v4, as text.
pub(crate) fn uuid_v4() -> String {
    with_uuid_v4(str::to_owned)
}

/// A random UUID v4 as event text, made straight from the stack buffer.
pub(crate) fn uuid_v4_text() -> Text {
    with_uuid_v4(|text| Text::Shared(text.into()))
}

fn with_uuid_v4<R>(f: impl FnOnce(&str) -> R) -> R {
    let mut bytes = [0u8; 16];
    fill_random(&mut bytes);
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    f(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .encode_lower(&mut text))
}
