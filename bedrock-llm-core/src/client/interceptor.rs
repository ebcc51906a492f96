//! `RecordingInterceptor`: an SDK interceptor that turns every `InvokeModel` call into a neutral
//! [`Invocation`] and hands it to an [`InvocationObserver`].
//!
//! Hooks only capture: the request view when the call starts, status and headers when the
//! response arrives, the output or error at the end. Nothing here changes the request, the
//! response or the result, and nothing here fails the call: every hook returns `Ok`, and a
//! problem of our own is reported to the observer as an instrumentation error.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_bedrockruntime::config::{
    ConfigBag, Intercept, Region, RuntimeComponents,
    interceptors::{
        BeforeDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextRef,
        FinalizerInterceptorContextRef,
    },
};
use aws_sdk_bedrockruntime::error::{BoxError, ProvideErrorMetadata};
use aws_sdk_bedrockruntime::operation::invoke_model::{
    InvokeModelError, InvokeModelInput, InvokeModelOutput,
};
use aws_smithy_runtime_api::client::orchestrator::OrchestratorError;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

use crate::adapter::Adapter;
use crate::error::BodyError;
use crate::observe::{CallStart, CallState, InvocationObserver};
use crate::record::{Invocation, InvocationError, Operation, ServiceMetrics};
use crate::registry::Registry;
use crate::view::RequestView;

/// Records `InvokeModel` calls. Add it to your own SDK client's config with
/// `aws_sdk_bedrockruntime::config::Builder::interceptor`, or let [`super::Client`] attach it.
#[derive(Clone)]
pub struct RecordingInterceptor {
    registry: Arc<Registry>,
    observer: Arc<dyn InvocationObserver>,
    pinned: Option<&'static dyn Adapter>,
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
        }
    }

    /// Reads bodies with `adapter` whatever the model ID (typed calls, opaque ARNs).
    pub fn pinned(mut self, adapter: &'static dyn Adapter) -> Self {
        self.pinned = Some(adapter);
        self
    }
}

/// Per-call state, kept in the call's config bag (the smithy pattern for per-request data).
#[derive(Debug)]
struct InFlight(Mutex<Option<Call>>);

impl Storable for InFlight {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug)]
struct Call {
    model_id: String,
    adapter: Option<&'static dyn Adapter>,
    request: Option<RequestView>,
    request_error: Option<BodyError>,
    started: Instant,
    started_at_ms: u64,
    state: CallState,
    response: Option<Captured>,
}

/// What the response's status line and headers said.
#[derive(Debug, Default)]
struct Captured {
    status: u16,
    request_id: Option<String>,
    metrics: ServiceMetrics,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl RecordingInterceptor {
    fn take_call(&self, cfg: &ConfigBag) -> Option<Call> {
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
        let Some(input) = context.input().downcast_ref::<InvokeModelInput>() else {
            return Ok(());
        };
        let model_id = input.model_id().unwrap_or_default().to_owned();
        let body = input.body().map(|blob| blob.as_ref());
        let adapter = self
            .pinned
            .or_else(|| self.registry.resolve(&model_id, body));
        let (request, request_error) = match (adapter, body) {
            (Some(adapter), Some(body)) => match adapter.request_view(body) {
                Ok(view) => (Some(view), None),
                Err(error) => (None, Some(error)),
            },
            _ => (None, None),
        };
        let state = self.observer.start(&CallStart {
            model_id: &model_id,
            operation: Operation::InvokeModel,
            kind: adapter.map(|a| a.kind()),
            sdk_version: Some(aws_sdk_bedrockruntime::meta::PKG_VERSION),
        });
        let call = Call {
            model_id,
            adapter,
            request,
            request_error,
            started: Instant::now(),
            started_at_ms: now_ms(),
            state,
            response: None,
        };
        cfg.interceptor_state()
            .store_put(InFlight(Mutex::new(Some(call))));
        Ok(())
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(in_flight) = cfg.load::<InFlight>() else {
            return Ok(());
        };
        let response = context.response();
        let headers = response.headers();
        let count = |name: &str| headers.get(name).and_then(|v| v.trim().parse::<u64>().ok());
        let captured = Captured {
            status: response.status().as_u16(),
            request_id: headers
                .get("x-amzn-requestid")
                .or_else(|| headers.get("x-amz-request-id"))
                .map(str::to_owned),
            metrics: ServiceMetrics {
                input_tokens: count("x-amzn-bedrock-input-token-count"),
                output_tokens: count("x-amzn-bedrock-output-token-count"),
                invocation_latency_ms: count("x-amzn-bedrock-invocation-latency"),
                first_byte_latency_ms: None,
            },
        };
        if let Ok(mut slot) = in_flight.0.lock()
            && let Some(call) = slot.as_mut()
        {
            call.response = Some(captured);
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(call) = self.take_call(cfg) else {
            return Ok(());
        };
        let mut record = Invocation::new(call.model_id, Operation::InvokeModel);
        record.region = cfg
            .load::<Region>()
            .map(|region| region.as_ref().to_owned());
        record.timing.started_at_ms = call.started_at_ms;
        record.timing.duration = Some(call.started.elapsed());
        if let Some(adapter) = call.adapter {
            record.family = Some(adapter.family());
            record.kind = Some(adapter.kind());
        }
        record.request = call.request;
        record.extraction_errors.extend(call.request_error);
        let status = call.response.as_ref().map(|r| r.status);
        if let Some(captured) = call.response {
            record.request_id = captured.request_id;
            record.header_metrics = captured.metrics;
        }
        match context.output_or_error() {
            Some(Ok(output)) => {
                if let (Some(output), Some(adapter)) =
                    (output.downcast_ref::<InvokeModelOutput>(), call.adapter)
                {
                    match adapter.response_view(output.body().as_ref()) {
                        Ok(view) => record.response = Some(view),
                        Err(error) => record.extraction_errors.push(error),
                    }
                }
            }
            Some(Err(error)) => record.error = Some(invocation_error(error, status)),
            None => self
                .observer
                .instrumentation_error("interceptor_no_outcome"),
        }
        self.observer.finish(call.state, record);
        Ok(())
    }
}

/// Maps every failure kind to the error the events report (`llm-events.md` §9).
fn invocation_error(
    error: &OrchestratorError<aws_smithy_runtime_api::client::interceptors::context::Error>,
    status: Option<u16>,
) -> InvocationError {
    if let Some(operation) = error.as_operation_error() {
        let (code, message) = match operation.downcast_ref::<InvokeModelError>() {
            Some(typed) => (
                typed.code().map(str::to_owned),
                typed.message().map(str::to_owned),
            ),
            None => (None, None),
        };
        return InvocationError {
            http_status: status,
            code: code.unwrap_or_else(|| "Unhandled".to_owned()),
            message: message.or_else(|| Some(operation.to_string())),
        };
    }
    let kind =
        if error.is_timeout_error() || error.as_connector_error().is_some_and(|c| c.is_timeout()) {
            "timeout"
        } else if error.is_connector_error() {
            "dispatch_failure"
        } else if error.is_response_error() || status.is_some() {
            "response_error"
        } else {
            "construction_failure"
        };
    InvocationError {
        http_status: None,
        code: kind.to_owned(),
        message: Some(display_chain(error)),
    }
}

/// An error and its sources, `: `-joined, as the SDK's `DisplayErrorContext` would print them.
fn display_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
