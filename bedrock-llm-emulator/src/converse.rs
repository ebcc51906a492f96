//! The operations served, and Converse answers: a family's sample text and counts, or a
//! generic answer for a model with no prebuilt family.

use std::sync::atomic::Ordering;

use bedrock_llm_core::ModelId;
use bedrock_llm_models::samples;

use crate::frames::converse_event_frame;
use crate::{Answer, EmulatedResponse, Fault, State};

/// The four operations served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Invoke,
    InvokeStream,
    Converse,
    ConverseStream,
    /// `POST /async-invoke`: the model ID and its request body (`modelInput`) are in the body.
    AsyncInvoke,
}

/// A Converse answer: the family sample's text and counts when the model has a prebuilt
/// family, else a generic one (Converse serves every model).
pub(crate) fn converse_answer(
    state: &State,
    id: &ModelId,
    operation: Operation,
    fault: Option<Fault>,
) -> Answer {
    let sample = state.registry.resolve_id(id, None).and_then(|adapter| {
        state
            .samples
            .iter()
            .find(|s| s.family == adapter.family())
            .map(|s| (adapter, s))
    });
    let (text, input, output, latency) = match sample {
        Some((adapter, sample)) => {
            let view = adapter.response_view(&sample.response).ok();
            let text = view
                .as_ref()
                .and_then(|v| v.messages.first())
                .map(|m| m.content.clone())
                .unwrap_or_default();
            let header = |name: &str| sample.header(name);
            let usage = view.map(|v| v.usage).unwrap_or_default();
            (
                text,
                usage
                    .input_tokens
                    .or(header("X-Amzn-Bedrock-Input-Token-Count"))
                    .unwrap_or(0),
                usage
                    .output_tokens
                    .or(header("X-Amzn-Bedrock-Output-Token-Count"))
                    .unwrap_or(0),
                header("X-Amzn-Bedrock-Invocation-Latency").unwrap_or(100),
            )
        }
        None => ("Hello from the Bedrock emulator.".to_owned(), 10, 8, 100),
    };
    let usage = serde_json::json!({"inputTokens": input, "outputTokens": output, "totalTokens": input + output});
    let metrics = serde_json::json!({"latencyMs": latency});
    if operation == Operation::Converse {
        let body = serde_json::json!({
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": usage,
            "metrics": metrics,
        });
        let response = EmulatedResponse {
            status: 200,
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: body.to_string().into_bytes(),
        };
        return Answer::Whole(response);
    }
    let mut frames = vec![converse_event_frame(
        "messageStart",
        &serde_json::json!({"role": "assistant"}),
    )];
    for piece in samples::pieces(&text, state.piece_chars.load(Ordering::Relaxed)) {
        let delta = serde_json::json!({"contentBlockIndex": 0, "delta": {"text": piece}});
        frames.push(converse_event_frame("contentBlockDelta", &delta));
    }
    frames.push(converse_event_frame(
        "contentBlockStop",
        &serde_json::json!({"contentBlockIndex": 0}),
    ));
    frames.push(converse_event_frame(
        "messageStop",
        &serde_json::json!({"stopReason": "end_turn"}),
    ));
    frames.push(converse_event_frame(
        "metadata",
        &serde_json::json!({"usage": usage, "metrics": metrics}),
    ));
    Answer::Stream { frames, fault }
}
