//! The [`Recorder`] as the client layer's [`InvocationObserver`]: at call start it captures the
//! call context (trace ids, `llm.` attribute scopes) and opens the GenAI span; at the end it
//! hands the call to its worker, which reads the captured pieces and records the events.
//!
//! A span someone listens to ends with the call, so its record is read at the call's end and
//! only the events are built on the worker; with nobody listening, all the reading moves off
//! the caller's path.

use bedrock_llm_core::{CallStart, CallState, Invocation, InvocationBuilder, InvocationObserver};

use crate::context::CapturedContext;
use crate::recorder::Recorder;
use crate::span::GenAiSpan;
use crate::worker::Job;

/// What a call carries from start to finish.
struct Started {
    context: CapturedContext,
    span: GenAiSpan,
    sdk_version: Option<&'static str>,
    /// The caller's OpenTelemetry context, the parent of the call's OpenTelemetry span.
    parent: Option<opentelemetry::Context>,
}

impl InvocationObserver for Recorder {
    fn enabled(&self) -> bool {
        self.config().active()
    }

    fn start(&self, call: &CallStart<'_>) -> CallState {
        let operation = call.kind.map_or("chat", |kind| kind.otel_operation_name());
        let span = GenAiSpan::start(operation, call.model_id);
        // The span is the call's, so events link to it.
        let context = if span.span().is_disabled() {
            CapturedContext::capture()
        } else {
            span.span().in_scope(CapturedContext::capture)
        };
        CallState::new(Started {
            context,
            span,
            sdk_version: call.sdk_version,
            parent: self.has_telemetry().then(opentelemetry::Context::current),
        })
    }

    fn finish(&self, state: CallState, invocation: Invocation) {
        let (context, sdk_version, parent) =
            self.close_started(state.downcast::<Started>(), &invocation);
        self.hand_over(Job::Record {
            invocation: Box::new(invocation),
            context,
            sdk_version,
            parent,
        });
    }

    fn finish_capture(&self, state: CallState, capture: Box<InvocationBuilder>) {
        match state.downcast::<Started>() {
            Some(started) if started.span.span().is_disabled() => self.hand_over(Job::Capture {
                capture,
                context: started.context,
                sdk_version: started.sdk_version,
                parent: started.parent,
            }),
            started => {
                let invocation = capture.finish_boxed();
                let (context, sdk_version, parent) = self.close_started(started, &invocation);
                self.hand_over(Job::Record {
                    invocation: Box::new(invocation),
                    context,
                    sdk_version,
                    parent,
                });
            }
        }
    }

    fn instrumentation_error(&self, what: &'static str) {
        self.count_instrumentation_error(what);
    }
}

impl Recorder {
    /// Ends the call's span with its record; gives back what its events need.
    fn close_started(
        &self,
        started: Option<Started>,
        invocation: &Invocation,
    ) -> (
        CapturedContext,
        Option<&'static str>,
        Option<opentelemetry::Context>,
    ) {
        match started {
            Some(Started {
                context,
                span,
                sdk_version,
                parent,
            }) => {
                span.finish(invocation, self.config());
                (context, sdk_version, parent)
            }
            None => {
                self.count_instrumentation_error("observer_state_missing");
                (CapturedContext::detached(), None, None)
            }
        }
    }
}
