//! What to answer one recorded request with: a 403 for a bad signature, its scripted fault, a
//! route of the builder's, a recorded stream, the family's sample (whole or streamed, its
//! chunks cut into pieces), or Converse's answer. A job (`StartAsyncInvoke`) is answered from
//! its `modelInput` as an `InvokeModel` of the same body would be.

use std::fmt;
use std::sync::atomic::Ordering;

use bedrock_llm_core::ModelId;
use bedrock_llm_models::samples;

use crate::converse::{Operation, converse_answer};
use crate::frames::chunk_frame;
use crate::signature::check_signature;
use crate::{Answer, EmulatedResponse, Fault, RecordedRequest, State};

/// Why a connection is dropped without a response (hyper closes it on a service error).
#[derive(Debug)]
pub(crate) struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by a scripted fault")
    }
}

impl std::error::Error for Dropped {}

pub(crate) async fn answer(
    state: &State,
    request: &RecordedRequest,
    model_id: Option<String>,
    job_input: Option<Vec<u8>>,
    operation: Operation,
) -> Result<Answer, Dropped> {
    let streaming = operation == Operation::InvokeStream;
    let whole = |response: EmulatedResponse| Ok(Answer::Whole(response));
    let unknown = || EmulatedResponse::error(404, "UnknownOperationException", "Unknown operation");
    if request.method != "POST" {
        return whole(unknown());
    }
    let Some(model_id) = model_id else {
        return whole(unknown());
    };
    if state.check_signature
        && let Err(message) = check_signature(request)
    {
        return whole(EmulatedResponse::error(
            403,
            "InvalidSignatureException",
            &message,
        ));
    }
    let fault = state.faults.get(&model_id).cloned();
    match &fault {
        Some(Fault::DropConnection) => return Err(Dropped),
        Some(Fault::MalformedBody) if operation == Operation::Invoke => {
            return whole(EmulatedResponse::json(
                b"{\"completion\": \"cut off mid-str".to_vec(),
                Some(3),
                Some(5),
            ));
        }
        Some(Fault::Slow(delay)) => tokio::time::sleep(*delay).await,
        Some(fault) => {
            if let Some((status, code, message)) = fault.error() {
                return whole(EmulatedResponse::error(status.as_u16(), code, message));
            }
        }
        None => {}
    }
    let invalid = || {
        EmulatedResponse::error(
            400,
            "ValidationException",
            "The provided model identifier is invalid.",
        )
    };
    let Ok(id) = ModelId::parse(&model_id) else {
        return whole(invalid());
    };
    // A job's request body is its `modelInput`.
    let body: &[u8] = match (operation, &job_input) {
        (Operation::AsyncInvoke, Some(input)) => input,
        (Operation::AsyncInvoke, None) => return whole(invalid()),
        _ => &request.body,
    };
    if matches!(
        operation,
        Operation::InvokeStream | Operation::ConverseStream
    ) && let Some(frames) = state.recorded_streams.get(&model_id)
    {
        return Ok(Answer::Stream {
            frames: frames.clone(),
            fault,
        });
    }
    if matches!(operation, Operation::Converse | Operation::ConverseStream) {
        return Ok(converse_answer(state, &id, operation, fault));
    }
    if let Some(route) = state.routes.iter().find(|route| (route.serves)(&id)) {
        if streaming {
            return whole(EmulatedResponse::error(
                400,
                "ValidationException",
                "The emulator streams the prebuilt families only; this route answers InvokeModel.",
            ));
        }
        return whole((route.handler)(body));
    }
    let Some(adapter) = state.registry.resolve_id(&id, Some(body)) else {
        return whole(invalid());
    };
    if let Err(error) = adapter.request_view(body) {
        return whole(EmulatedResponse::error(
            400,
            "ValidationException",
            &format!("Malformed input request: {error}"),
        ));
    }
    // The sample sent this very request, else one for this model, else any of the family.
    let family = state
        .samples
        .iter()
        .filter(|s| s.family == adapter.family());
    let sample = family
        .clone()
        .find(|s| s.request == body)
        .or_else(|| {
            // The same request serialized in another key order (an SDK document's map).
            let sent = serde_json::from_slice::<serde_json::Value>(body).ok()?;
            family.clone().find(|s| {
                serde_json::from_slice::<serde_json::Value>(&s.request).ok() == Some(sent.clone())
            })
        })
        .or_else(|| family.clone().find(|s| s.model_id == model_id))
        .or_else(|| family.clone().next());
    let Some(sample) = sample else {
        return whole(invalid());
    };
    if streaming {
        let size = state.piece_chars.load(Ordering::Relaxed);
        let Some(chunks) = bedrock_llm_models::samples::stream_chunks(sample, &mut |text| {
            samples::pieces(text, size)
        }) else {
            return whole(EmulatedResponse::error(
                400,
                "ValidationException",
                "The provided model doesn't support streaming.",
            ));
        };
        let frames = chunks
            .iter()
            .map(|chunk| chunk_frame(chunk.to_string().as_bytes()))
            .collect();
        return Ok(Answer::Stream { frames, fault });
    }
    let headers = sample
        .headers
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("x-amzn-RequestId"))
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect();
    whole(EmulatedResponse {
        status: 200,
        headers,
        body: sample.response.clone(),
    })
}
