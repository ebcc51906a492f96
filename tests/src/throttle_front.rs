//! A throttling front for an AWS test double: an HTTP server on 127.0.0.1 that answers the first
//! few requests with `400 ThrottlingException` (the JSON protocols' error shape) and forwards
//! every other request to the server behind it — so a test sees the SDK's client ride out
//! throttling against a real service (moto), which never throttles by itself.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};

#[derive(Debug)]
struct State {
    upstream: u16,
    /// Requests still to throttle.
    remaining: u32,
    /// Requests throttled so far.
    throttled: u32,
}

/// A running front; stops when dropped.
#[derive(Debug)]
pub struct ThrottleFront {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    _stop: crate::loopback::Stop,
}

impl ThrottleFront {
    /// Fronts the server on 127.0.0.1:`upstream`, throttling the first `first` requests.
    pub async fn start(upstream: u16, first: u32) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(State {
            upstream,
            remaining: first,
            throttled: 0,
        }));
        let (addr, stop) = crate::loopback::serve(Arc::clone(&state), answer).await?;
        Ok(Self {
            addr,
            state,
            _stop: stop,
        })
    }

    /// `http://127.0.0.1:{port}`, for `AWS_ENDPOINT_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests were throttled.
    pub fn throttled(&self) -> u32 {
        self.state.lock().unwrap().throttled
    }
}

async fn answer(
    state: Arc<Mutex<State>>,
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Box<dyn std::error::Error + Send + Sync>> {
    let upstream = {
        let mut state = state.lock().unwrap();
        if state.remaining > 0 {
            state.remaining -= 1;
            state.throttled += 1;
            let mut response = Response::new(Full::new(Bytes::from_static(
                br#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
            )));
            *response.status_mut() = hyper::StatusCode::BAD_REQUEST;
            response.headers_mut().insert(
                "content-type",
                hyper::header::HeaderValue::from_static("application/x-amz-json-1.1"),
            );
            response.headers_mut().insert(
                "x-amzn-errortype",
                hyper::header::HeaderValue::from_static("ThrottlingException"),
            );
            return Ok(response);
        }
        state.upstream
    };
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let response = sender
        .send_request(Request::from_parts(parts, Full::new(body)))
        .await?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await?.to_bytes();
    Ok(Response::from_parts(parts, Full::new(body)))
}
