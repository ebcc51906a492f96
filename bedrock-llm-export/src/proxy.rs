//! Connecting through the proxy the environment names, as curl reads it (`HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, lower case too): a CONNECT tunnel to the
//! destination, for HTTPS and plain HTTP alike. Loopback destinations are always direct, as Go's
//! `ProxyFromEnvironment` has them — a local collector or test receiver is never sent to a
//! corporate proxy.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A TCP connector that tunnels through the environment's proxy where it applies.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    direct: HttpConnector,
    proxies: Arc<Matcher>,
}

impl ProxyConnector {
    /// Proxies as the environment says now.
    pub(crate) fn from_env() -> Self {
        let mut direct = HttpConnector::new();
        // TLS is layered on top by the caller: this connector hands out plain TCP for `https`.
        direct.enforce_http(false);
        Self {
            direct,
            proxies: Arc::new(Matcher::from_env()),
        }
    }
}

/// Whether `host` is this machine: `localhost`, 127.0.0.0/8 or `::1`.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl tower_service::Service<Uri> for ProxyConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, destination: Uri) -> Self::Future {
        let proxy = destination
            .host()
            .filter(|host| !is_loopback(host))
            .and_then(|_| self.proxies.intercept(&destination));
        match proxy {
            None => {
                let mut direct = self.direct.clone();
                Box::pin(async move { Ok(direct.call(destination).await?) })
            }
            Some(proxy) => {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), self.direct.clone());
                if let Some(credentials) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(credentials.clone());
                }
                Box::pin(async move { Ok(tunnel.call(destination).await?) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_is_always_direct() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.8.9.10",
            "[::1]",
            "::1",
        ] {
            assert!(super::is_loopback(host), "{host}");
        }
        for host in [
            "collector.newrelic.com",
            "10.0.0.1",
            "::2",
            "localhost.example",
        ] {
            assert!(!super::is_loopback(host), "{host}");
        }
    }
}
