//! AWS access for the commands: `aws-config`'s default chain (environment, profiles, SSO,
//! web identity, container and instance credentials; `AWS_ENDPOINT_URL` and the per-service
//! `AWS_ENDPOINT_URL_S3` / `_SQS` honoured) over the same hyper + rustls client the Bedrock
//! client uses, so one TLS stack is built.

use aws_config::BehaviorVersion;

use crate::output::Stop;

/// The runtime AWS requests run on; the commands themselves block on it.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Stop> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Stop::from(format!("could not start the async runtime: {e}")))
}

/// The shared AWS configuration from the default chain. Fails early, with a message, when no
/// credentials can be found, rather than on the first request.
pub(crate) async fn sdk_config() -> Result<aws_config::SdkConfig, Stop> {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .http_client(bedrock_llm_core::client::http_client())
        .load()
        .await;
    let provider = config
        .credentials_provider()
        .ok_or("no AWS credentials provider could be set up")?;
    use aws_sdk_s3::config::ProvideCredentials as _;
    provider.provide_credentials().await.map_err(|e| {
        Stop::from(format!(
            "none found ({e}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run where an instance or container role is available"
        ))
    })?;
    Ok(config)
}

/// An S3 client from `config`; path-style addressing when an endpoint URL is set (S3-compatible
/// servers such as MinIO or moto on a loopback address have no per-bucket host names).
pub(crate) fn s3_client(config: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let path_style = config.endpoint_url().is_some()
        || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(path_style)
            .build(),
    )
}

/// An SQS client from `config`.
pub(crate) fn sqs_client(config: &aws_config::SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(config)
}
