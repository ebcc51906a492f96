//! The connection side: one request read (method, path, headers, body) and recorded, handed to
//! `answer` (which checks its signature and applies its fault), and what that answers sent —
//! whole, or as event-stream frames.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};

use crate::answer::{Dropped, answer};
use crate::converse::Operation;
use crate::frames::stream_body;
use crate::{Answer, Body, RecordedRequest, State};

/// Serves one request.
pub(crate) async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Dropped> {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => return Err(Dropped),
    };
    let (encoded, operation) = match path
        .strip_prefix("/model/")
        .and_then(|rest| rest.rsplit_once('/'))
    {
        Some((id, "invoke")) => (Some(id), Operation::Invoke),
        Some((id, "invoke-with-response-stream")) => (Some(id), Operation::InvokeStream),
        Some((id, "converse")) => (Some(id), Operation::Converse),
        Some((id, "converse-stream")) => (Some(id), Operation::ConverseStream),
        None if path == "/async-invoke" => (None, Operation::AsyncInvoke),
        _ => (None, Operation::Invoke),
    };
    // A job names its model in the body, beside the family's request body (`modelInput`),
    // which is re-serialized as the adapters read bodies.
    let (model_id, job_input) = match operation {
        Operation::AsyncInvoke => {
            let job = serde_json::from_slice::<serde_json::Value>(&body).ok();
            let field = |key: &str| job.as_ref().and_then(|job| job.get(key));
            (
                field("modelId")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
                field("modelInput").and_then(|input| serde_json::to_vec(input).ok()),
            )
        }
        _ => (
            encoded.map(|id| {
                percent_encoding::percent_decode_str(id)
                    .decode_utf8_lossy()
                    .into_owned()
            }),
            None,
        ),
    };
    let recorded = RecordedRequest {
        method,
        path,
        model_id: model_id.clone().unwrap_or_default(),
        headers,
        body,
    };
    let request_id = state.request_id();
    let answer = answer(&state, &recorded, model_id, job_input, operation).await;
    if let Ok(mut requests) = state.requests.lock() {
        requests.push(recorded);
    }
    match answer? {
        Answer::Whole(response) => {
            let mut builder = Response::builder()
                .status(response.status)
                .header("x-amzn-RequestId", request_id);
            for (name, value) in &response.headers {
                builder = builder.header(name, value);
            }
            let body = Full::new(Bytes::from(response.body))
                .map_err(|never| match never {})
                .boxed();
            builder.body(body).map_err(|_| Dropped)
        }
        Answer::Stream { frames, fault } => Response::builder()
            .status(200)
            .header("x-amzn-RequestId", request_id)
            .header("Content-Type", "application/vnd.amazon.eventstream")
            .header("X-Amzn-Bedrock-Content-Type", "application/json")
            .body(stream_body(frames, fault))
            .map_err(|_| Dropped),
    }
}
