//! An HTTP/1 server on a free 127.0.0.1 port for the test receivers: each connection is served
//! by `answer` with the shared `state`; the server stops when its [`Stop`] is dropped.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response};
use tokio::net::TcpListener;

/// Stops the server when dropped.
#[derive(Debug)]
pub struct Stop(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for Stop {
    fn drop(&mut self) {
        if let Some(stop) = self.0.take() {
            let _ = stop.send(());
        }
    }
}

/// Serves every request with `answer(state, request)`; returns the address and the stop handle.
pub async fn serve<S, F, E>(
    state: Arc<Mutex<S>>,
    answer: fn(Arc<Mutex<S>>, Request<hyper::body::Incoming>) -> F,
) -> std::io::Result<(SocketAddr, Stop)>
where
    S: Send + 'static,
    F: Future<Output = Result<Response<Full<Bytes>>, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = &mut stopped => return,
            };
            let Ok((stream, _)) = accepted else { continue };
            let state = Arc::clone(&state);
            tokio::spawn(async move {
                let service = service_fn(move |request| answer(Arc::clone(&state), request));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((addr, Stop(Some(stop))))
}
