//! The [`Recorder`] as the client layer's [`InvocationObserver`]: at call start it captures the
//! call context (trace ids, `llm.` attribute scopes) and opens the GenAI span; at the end it
//! finishes the span and records the invocation.

use bedrock_llm_core::{CallStart, CallState, Invocation, InvocationObserver};

use crate::context::CallContext;
use crate::recorder::Recorder;
use crate::render::otel::GenAiSpan;

/// What a call carries from start to finish.
struct Started {
    context: CallContext,
    span: GenAiSpan,
    sdk_version: Option<&'static str>,
}

impl InvocationObserver for Recorder {
    fn enabled(&self) -> bool {
        self.config().active()
    }

    fn start(&self, call: &CallStart<'_>) -> CallState {
        let operation = call.kind.map_or("chat", |kind| kind.otel_operation_name());
        let span = GenAiSpan::start(operation, call.model_id);
        // The span is the call's, so events link to it.
        let context = span.span().in_scope(CallContext::capture);
        CallState::new(Started {
            context,
            span,
            sdk_version: call.sdk_version,
        })
    }

    fn finish(&self, state: CallState, invocation: Invocation) {
        match state.downcast::<Started>() {
            Some(Started {
                context,
                span,
                sdk_version,
            }) => {
                span.finish(&invocation, self.config());
                self.record_for_sdk(&invocation, &context, sdk_version);
            }
            None => {
                self.instrumentation_error("observer_state_missing");
                self.record_for_sdk(&invocation, &CallContext::detached(), None);
            }
        }
    }

    fn instrumentation_error(&self, what: &'static str) {
        self.count_instrumentation_error(what);
    }
}
