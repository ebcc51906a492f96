//! Shared set-up for the client tests: an emulator, a recorder, and clients aimed at it; and
//! helpers that compare what a caller got, and what was recorded, across paths.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::invoke_model::InvokeModelOutput;
use bedrock_llm_core::client::{Client, InvokeModelSdkError, RecordingInterceptor};
use bedrock_llm_emulator::Emulator;
use bedrock_llm_events::{Config, Harvest, LlmEvent, Recorder};

/// Attributes that differ between two recordings of the same exchange.
const VOLATILE: &[&str] = &[
    "id",
    "completion_id",
    "span_id",
    "trace_id",
    "duration",
    "timestamp",
    "request_id",
];

/// An event without its per-call ids and timings, for comparing recordings.
pub fn stable(event: &LlmEvent) -> (String, BTreeMap<String, String>) {
    let attributes = event
        .attributes()
        .iter()
        .filter(|(k, _)| !VOLATILE.contains(&k.as_ref()))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (event.event_type().to_owned(), attributes)
}

/// The harvest's events as [`stable`] gives them, also without the attributes in `differing`
/// (what two paths of one exchange may legitimately disagree on, e.g. time to first token).
pub fn comparable(
    harvest: &Harvest,
    differing: &[&str],
) -> Vec<(String, BTreeMap<String, String>)> {
    harvest
        .events
        .iter()
        .map(|event| {
            let (kind, mut attributes) = stable(event);
            for key in differing {
                attributes.remove(*key);
            }
            (kind, attributes)
        })
        .collect()
}

/// An enabled recorder.
pub fn recorder() -> Arc<Recorder> {
    Arc::new(Recorder::new(Config::default().enabled()))
}

/// The instrumented async client for `emulator`, recording into `recorder`.
pub fn client(emulator: &Emulator, recorder: &Arc<Recorder>) -> Client {
    let sdk = aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config());
    Client::new(sdk, bedrock_llm_models::new_registry(), recorder.clone())
}

/// A plain SDK client aimed at `emulator`, with the recording interceptor added to its config —
/// the "one line" a user with their own client adds.
/// `observer` is told of its calls: a [`Recorder`], or [`Captured`] to keep the records.
pub fn intercepted_sdk<O: bedrock_llm_core::InvocationObserver + 'static>(
    emulator: &Emulator,
    observer: &Arc<O>,
) -> aws_sdk_bedrockruntime::Client {
    let interceptor = RecordingInterceptor::new(
        Arc::new(bedrock_llm_models::new_registry()),
        observer.clone(),
    );
    let config = emulator
        .sdk_config()
        .to_builder()
        .interceptor(interceptor)
        .build();
    aws_sdk_bedrockruntime::Client::from_conf(config)
}

/// A plain, uninstrumented SDK client aimed at `emulator`.
pub fn plain_sdk(emulator: &Emulator) -> aws_sdk_bedrockruntime::Client {
    aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config())
}

/// What a caller observed of a call, minus the per-request id: the output's bytes and content
/// type, or the error's kind, status, code and message.
pub fn outcome(result: &Result<InvokeModelOutput, InvokeModelSdkError>) -> String {
    match result {
        Ok(output) => format!(
            "ok {:?} {:?}",
            output.content_type(),
            output.body().as_ref()
        ),
        Err(error) => {
            let kind = match error {
                SdkError::ConstructionFailure(_) => "construction_failure",
                SdkError::TimeoutError(_) => "timeout",
                SdkError::DispatchFailure(_) => "dispatch_failure",
                SdkError::ResponseError(_) => "response_error",
                SdkError::ServiceError(_) => "service_error",
                _ => "other",
            };
            let status = error.raw_response().map(|r| r.status().as_u16());
            format!(
                "err {kind} {status:?} {:?} {:?}",
                error.code(),
                error.message()
            )
        }
    }
}

/// The events of `event_type`, in order.
pub fn events_of_type<'a>(events: &'a [LlmEvent], event_type: &str) -> Vec<&'a LlmEvent> {
    events
        .iter()
        .filter(|event| event.event_type() == event_type)
        .collect()
}

/// An observer that keeps every finished record, for tests that compare records themselves
/// rather than the events made from them.
#[derive(Debug, Default)]
pub struct Captured(std::sync::Mutex<Vec<bedrock_llm_core::Invocation>>);

impl Captured {
    /// The records finished so far, taken out.
    pub fn take(&self) -> Vec<bedrock_llm_core::Invocation> {
        self.0
            .lock()
            .map(|mut records| std::mem::take(&mut *records))
            .unwrap_or_default()
    }
}

impl bedrock_llm_core::InvocationObserver for Captured {
    fn start(&self, _: &bedrock_llm_core::CallStart<'_>) -> bedrock_llm_core::CallState {
        bedrock_llm_core::CallState::empty()
    }

    fn finish(&self, _: bedrock_llm_core::CallState, invocation: bedrock_llm_core::Invocation) {
        if let Ok(mut records) = self.0.lock() {
            records.push(invocation);
        }
    }
}
