//! The SDK's HTTP client: hyper with rustls and the ring crypto provider (no aws-lc to
//! compile), HTTPS to AWS through the proxy the environment names, plain HTTP to a loopback
//! endpoint directly.

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Destinations never sent to a proxy, besides those `NO_PROXY` names: this machine.
const ALWAYS_DIRECT: &str = "localhost,127.0.0.1,::1";

/// The HTTP client for an SDK config. AWS is reached over HTTPS through `HTTPS_PROXY` (or
/// `ALL_PROXY`; lower case too) when one is set, minus `NO_PROXY` and loopback.
pub fn http_client() -> SharedHttpClient {
    let proxy = https_proxy_from_env();
    // `build_https` has no proxy setting; the connector function is how the builder takes one
    // (the same steps `build_https` takes, plus the proxy).
    aws_smithy_http_client::Builder::new().build_with_connector_fn(move |settings, components| {
        let mut builder = aws_smithy_http_client::Connector::builder()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .proxy_config(proxy.clone());
        builder.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            builder.set_sleep_impl(components.sleep_impl());
        }
        builder.build()
    })
}

/// The HTTPS proxy as curl reads the environment. A proxy URL that does not parse is left
/// unused rather than failing the client: the requests go direct, as with no proxy set.
fn https_proxy_from_env() -> ProxyConfig {
    let first = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    };
    let Some(url) = first(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]) else {
        return ProxyConfig::disabled();
    };
    let bypass = match first(&["NO_PROXY", "no_proxy"]) {
        Some(listed) => format!("{listed},{ALWAYS_DIRECT}"),
        None => ALWAYS_DIRECT.to_owned(),
    };
    match ProxyConfig::https(url.as_str()) {
        Ok(config) => config.no_proxy(bypass),
        Err(_) => ProxyConfig::disabled(),
    }
}
