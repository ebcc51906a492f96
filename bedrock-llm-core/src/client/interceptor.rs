//! `RecordingInterceptor`: an SDK interceptor that turns every `InvokeModel`,
//! `InvokeModelWithResponseStream`, `Converse`, `ConverseStream` and `StartAsyncInvoke` call
//! into a neutral [`Invocation`] and hands it to an [`InvocationObserver`].
//!
//! Hooks only capture, into an [`InvocationBuilder`]: the request when the call starts, status
//! and headers when the response arrives, the output or error at the end; the builder reads
//! them when the observer finishes it (off the call path, for the events crate's recorder).
//! Nothing here changes the request, the response or the result, and nothing here fails the
//! call: every hook returns `Ok`, and a problem of our own is reported to the observer as an
//! instrumentation error.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Mutex};

use aws_sdk_bedrockruntime::config::interceptors::{
    BeforeDeserializationInterceptorContextMut, BeforeSerializationInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_sdk_bedrockruntime::config::{
    ConfigBag, Intercept, Region, RuntimeComponents, SharedInterceptor,
};
use aws_sdk_bedrockruntime::error::{BoxError, ProvideErrorMetadata};
use aws_sdk_bedrockruntime::operation::converse::{ConverseError, ConverseInput, ConverseOutput};
use aws_sdk_bedrockruntime::operation::converse_stream::{
    ConverseStreamError, ConverseStreamInput, ConverseStreamOutput,
};
use aws_sdk_bedrockruntime::operation::invoke_model::{
    InvokeModelError, InvokeModelInput, InvokeModelOutput,
};
use aws_sdk_bedrockruntime::operation::invoke_model_with_response_stream::{
    InvokeModelWithResponseStreamError, InvokeModelWithResponseStreamInput,
    InvokeModelWithResponseStreamOutput,
};
use aws_sdk_bedrockruntime::operation::start_async_invoke::{
    StartAsyncInvokeError, StartAsyncInvokeInput, StartAsyncInvokeOutput,
};
use aws_smithy_runtime_api::client::interceptors::context::{Error as ErasedError, Input};
use aws_smithy_runtime_api::client::interceptors::dyn_dispatch_hint;
use aws_smithy_runtime_api::client::orchestrator::OrchestratorError;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

use super::call::{Handoff, PendingCall};
use super::converse;
use crate::adapter::Adapter;
use crate::assemble::{FirstAdapters, SpareBuilders};
use crate::observe::{CallStart, InvocationObserver};
use crate::record::{FailureKind, InvocationError, Operation};
use crate::registry::Registry;
use crate::view::RequestView;

/// Records Bedrock Runtime calls. Add it to your own SDK client's config with
/// `aws_sdk_bedrockruntime::config::Builder::interceptor`, or let [`super::Client`] attach it.
///
/// Streamed calls (`InvokeModelWithResponseStream`, `ConverseStream`) are recorded completely
/// on a plain SDK client too: the response body is tapped before the SDK's event-stream
/// deserializer takes it (see `tap`), so content, tokens, finish reason, time to first token,
/// exception frames and early drops are recorded as [`super::Client`]'s own streams record
/// them, while the caller's events stay the SDK's, byte for byte.
#[derive(Clone)]
pub struct RecordingInterceptor {
    registry: Arc<Registry>,
    observer: Arc<dyn InvocationObserver>,
    pinned: Option<&'static dyn Adapter>,
    /// The kind of each model ID seen, so calls do not parse their IDs on the call path.
    first_adapters: Arc<FirstAdapters>,
    /// Builders finished calls gave back, for the next calls' captures.
    spare: Arc<SpareBuilders>,
    handoff: Option<Handoff>,
    /// Bytes of streamed text kept for the record.
    pub(crate) stream_content_cap: usize,
}

impl fmt::Debug for RecordingInterceptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordingInterceptor")
            .field("adapters", &self.registry.adapters().count())
            .field("observer", &self.observer)
            .field("pinned", &self.pinned.map(|a| a.family()))
            .finish()
    }
}

impl RecordingInterceptor {
    /// Records through `observer`, reading bodies with the adapters of `registry`.
    pub fn new(registry: Arc<Registry>, observer: Arc<dyn InvocationObserver>) -> Self {
        Self {
            registry,
            observer,
            pinned: None,
            first_adapters: Arc::new(FirstAdapters::new()),
            spare: SpareBuilders::new(),
            handoff: None,
            stream_content_cap: crate::stream::DEFAULT_CONTENT_CAP,
        }
    }

    /// Reads bodies with `adapter` whatever the model ID (typed calls, opaque ARNs).
    pub fn pinned(mut self, adapter: &'static dyn Adapter) -> Self {
        self.pinned = Some(adapter);
        self
    }

    /// This interceptor wrapped for a config builder's `push_interceptor`, always on: the SDK
    /// then skips its per-hook check for a `DisableInterceptor` in the config bag, a search
    /// through every layer that otherwise costs each call more than a hook's own work.
    /// `config::Builder::interceptor(this)` attaches it too, with that check.
    pub fn into_shared(self) -> SharedInterceptor {
        SharedInterceptor::permanent(self)
    }

    /// Hands a successful stream's record to `handoff` instead of finishing it.
    pub(crate) fn handing_off(mut self, handoff: Handoff) -> Self {
        self.handoff = Some(handoff);
        self
    }

    fn take_call(&self, cfg: &ConfigBag) -> Option<PendingCall> {
        let in_flight = cfg.load::<InFlight>()?;
        match in_flight.0.lock() {
            Ok(mut slot) => slot.take(),
            Err(_) => {
                self.observer
                    .instrumentation_error("interceptor_state_poisoned");
                None
            }
        }
    }
}

/// Per-call state, kept in the call's config bag (the smithy pattern for per-request data).
#[derive(Debug)]
struct InFlight(Mutex<Option<PendingCall>>);

impl Storable for InFlight {
    type Storer = StoreReplace<Self>;
}

/// What a recorded call's input gives: its model ID and operation, and the request as bytes for
/// an adapter (`InvokeModel…`, and `StartAsyncInvoke`'s `modelInput` as JSON) or as an already
/// neutral view (`Converse…`).
struct RecordedInput<'a> {
    model_id: &'a str,
    operation: Operation,
    body: Option<Cow<'a, [u8]>>,
    view: Option<RequestView>,
    guardrail_id: Option<String>,
}

fn recorded_input(input: &Input) -> Option<RecordedInput<'_>> {
    if let Some(input) = input.downcast_ref::<InvokeModelInput>() {
        return Some(RecordedInput {
            model_id: input.model_id().unwrap_or_default(),
            operation: Operation::InvokeModel,
            body: input.body().map(|blob| Cow::Borrowed(blob.as_ref())),
            view: None,
            guardrail_id: input.guardrail_identifier().map(str::to_owned),
        });
    }
    if let Some(input) = input.downcast_ref::<InvokeModelWithResponseStreamInput>() {
        return Some(RecordedInput {
            model_id: input.model_id().unwrap_or_default(),
            operation: Operation::InvokeModelWithResponseStream,
            body: input.body().map(|blob| Cow::Borrowed(blob.as_ref())),
            view: None,
            guardrail_id: input.guardrail_identifier().map(str::to_owned),
        });
    }
    // The two Converse inputs have the same accessors but no common trait.
    macro_rules! converse_input {
        ($input:expr, $operation:expr) => {{
            let input = $input;
            let view = converse::request_view(&converse::ConverseRequest {
                messages: input.messages(),
                system: input.system(),
                inference: input.inference_config(),
                tools: input.tool_config(),
                additional: input.additional_model_request_fields(),
            });
            Some(RecordedInput {
                model_id: input.model_id().unwrap_or_default(),
                operation: $operation,
                body: None,
                view: Some(view),
                guardrail_id: input
                    .guardrail_config()
                    .map(|g| g.guardrail_identifier().to_owned()),
            })
        }};
    }
    if let Some(input) = input.downcast_ref::<ConverseInput>() {
        return converse_input!(input, Operation::Converse);
    }
    if let Some(input) = input.downcast_ref::<ConverseStreamInput>() {
        return converse_input!(input, Operation::ConverseStream);
    }
    // A job (a video, embeddings): its `modelInput` is the family's own request body.
    if let Some(input) = input.downcast_ref::<StartAsyncInvokeInput>() {
        return Some(RecordedInput {
            model_id: input.model_id().unwrap_or_default(),
            operation: Operation::StartAsyncInvoke,
            body: input
                .model_input()
                .map(|document| Cow::Owned(converse::document_json(document).into_bytes())),
            view: None,
            guardrail_id: None,
        });
    }
    None
}

// Only the hooks implemented here are called (the SDK skips the others, and their per-hook
// check of the config bag). The attribute is hidden from the SDK's docs but is the way its
// `Intercept::overridden_hooks` asks to be derived.
#[dyn_dispatch_hint]
impl Intercept for RecordingInterceptor {
    fn name(&self) -> &'static str {
        "bedrock-llm RecordingInterceptor"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if !self.observer.enabled() {
            return Ok(());
        }
        // Other operations pass through untouched.
        let Some(RecordedInput {
            model_id,
            operation,
            body,
            view,
            guardrail_id,
        }) = recorded_input(context.input())
        else {
            return Ok(());
        };
        // Converse is one API for every model: read through the registry's Converse slot.
        let mut builder = match self.pinned {
            Some(pinned) if view.is_none() => {
                self.spare.with_adapter(model_id, operation, Some(pinned))
            }
            _ => self.spare.routed_later(
                Arc::clone(&self.registry),
                model_id,
                operation,
                &self.first_adapters,
            ),
        };
        let state = self.observer.start(&CallStart {
            model_id: builder.model_id(),
            operation,
            kind: builder.kind(),
            sdk_version: Some(aws_sdk_bedrockruntime::meta::PKG_VERSION),
        });
        builder
            .start_clock()
            .content_cap(self.stream_content_cap)
            .guardrail_id(guardrail_id);
        if let Some(region) = cfg.load::<Region>() {
            builder.copy_region(region.as_ref());
        }
        match (view, body) {
            (Some(view), _) => {
                builder.request_view(view);
            }
            // A copy (the SDK serializes the input it keeps), into the builder's own buffer.
            (None, Some(Cow::Borrowed(body))) => {
                builder.copy_request_body(body);
            }
            // A job's `modelInput`, made into JSON for us: handed over, not copied again.
            (None, Some(Cow::Owned(body))) => {
                builder.request_body(body);
            }
            (None, None) => {}
        }
        let call = PendingCall {
            builder,
            state,
            observer: Arc::clone(&self.observer),
        };
        cfg.interceptor_state()
            .store_put(InFlight(Mutex::new(Some(call))));
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // One look into the config bag per hook: each look walks its layers.
        let Some(in_flight) = cfg.load::<InFlight>() else {
            return Ok(());
        };
        let Ok(mut slot) = in_flight.0.lock() else {
            self.observer
                .instrumentation_error("interceptor_state_poisoned");
            return Ok(());
        };
        let Some(call) = slot.as_mut() else {
            return Ok(());
        };
        let response = context.response();
        let status = response.status();
        call.builder
            .response_head(status.as_u16(), response.headers().iter_bytes());
        // A successful stream is recorded as its frames pass; the crate's own stream wrappers
        // read the SDK's events instead.
        if self.handoff.is_some()
            || !status.is_success()
            || !call.builder.operation().is_streaming()
        {
            return Ok(());
        }
        let Some(call) = slot.take() else {
            return Ok(());
        };
        drop(slot);
        let operation = call.builder.operation();
        let tap = super::tap::Tap::new(super::stream::Recording::new(call), operation);
        let body = context.response_mut().take_body();
        *context.response_mut().body_mut() = tap.wrap(body);
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(mut call) = self.take_call(cfg) else {
            return Ok(());
        };
        match context.output_or_error() {
            Some(Ok(output)) => {
                if let Some(output) = output.downcast_ref::<InvokeModelOutput>() {
                    // A copy, into the builder's own buffer: sharing the loaded body's bytes
                    // would keep the connection's read buffer from being reused until the
                    // record is built, costing the next call a fresh buffer.
                    call.builder.copy_response_body(output.body().as_ref());
                } else if let Some(output) = output.downcast_ref::<StartAsyncInvokeOutput>() {
                    // The job's answer is its ARN; the family's response type reads it.
                    let body = serde_json::json!({"invocationArn": output.invocation_arn()});
                    call.builder.response_body(body.to_string());
                } else if let Some(output) = output.downcast_ref::<ConverseOutput>() {
                    let (view, metrics) = converse::response_view(output);
                    call.builder
                        .response_view(view, metrics.invocation_latency_ms);
                } else if (output
                    .downcast_ref::<InvokeModelWithResponseStreamOutput>()
                    .is_some()
                    || output.downcast_ref::<ConverseStreamOutput>().is_some())
                    && let Some(handoff) = &self.handoff
                    && let Ok(mut slot) = handoff.lock()
                {
                    // The stream wrapper finishes the record when the stream ends.
                    *slot = Some(call);
                    return Ok(());
                }
            }
            Some(Err(error)) => {
                let status = call.builder.status();
                call.builder.fail(invocation_error(error, status));
            }
            None => self
                .observer
                .instrumentation_error("interceptor_no_outcome"),
        }
        call.finish();
        Ok(())
    }
}

/// The AWS error code and message of an operation error, whichever operation it came from.
fn error_metadata(operation: &ErasedError) -> (Option<String>, Option<String>) {
    fn pair(error: &impl ProvideErrorMetadata) -> (Option<String>, Option<String>) {
        (
            error.code().map(str::to_owned),
            error.message().map(str::to_owned),
        )
    }
    if let Some(typed) = operation.downcast_ref::<InvokeModelError>() {
        pair(typed)
    } else if let Some(typed) = operation.downcast_ref::<InvokeModelWithResponseStreamError>() {
        pair(typed)
    } else if let Some(typed) = operation.downcast_ref::<ConverseError>() {
        pair(typed)
    } else if let Some(typed) = operation.downcast_ref::<ConverseStreamError>() {
        pair(typed)
    } else if let Some(typed) = operation.downcast_ref::<StartAsyncInvokeError>() {
        pair(typed)
    } else {
        (None, None)
    }
}

/// Maps every failure kind to the error the events report (`docs/llm-events.md` §9).
fn invocation_error(
    error: &OrchestratorError<ErasedError>,
    status: Option<u16>,
) -> InvocationError {
    if let Some(operation) = error.as_operation_error() {
        let (code, message) = error_metadata(operation);
        return InvocationError::service(
            code,
            status,
            message.or_else(|| Some(operation.to_string())),
        );
    }
    let kind =
        if error.is_timeout_error() || error.as_connector_error().is_some_and(|c| c.is_timeout()) {
            FailureKind::Timeout
        } else if error.is_connector_error() {
            FailureKind::DispatchFailure
        } else if error.is_response_error() || status.is_some() {
            FailureKind::ResponseError
        } else {
            FailureKind::ConstructionFailure
        };
    InvocationError::sdk(kind, Some(crate::error::display_chain(error)))
}
