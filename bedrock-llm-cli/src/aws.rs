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

/// Whether requests go to an endpoint other than AWS's own (`AWS_ENDPOINT_URL`, or the per-
/// service variables): an S3-compatible server or a local test double.
fn endpoint_overridden(config: &aws_config::SdkConfig) -> bool {
    config.endpoint_url().is_some()
        || [
            "AWS_ENDPOINT_URL_S3",
            "AWS_ENDPOINT_URL_SQS",
            "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
            "AWS_ENDPOINT_URL_CLOUDWATCH",
        ]
        .iter()
        .any(|name| std::env::var_os(name).is_some())
}

/// The shared AWS configuration from the default chain. Fails early, with a message, when no
/// credentials or Region can be found, rather than on the first request — except against an
/// overridden endpoint (an S3-compatible server, a local test double), where a missing Region
/// means `us-east-1` and missing credentials mean placeholder ones, said once on stderr.
pub(crate) async fn sdk_config() -> Result<aws_config::SdkConfig, Stop> {
    use aws_sdk_s3::config::ProvideCredentials as _;
    let loader = || {
        aws_config::defaults(BehaviorVersion::latest())
            .http_client(bedrock_llm_core::client::http_client())
    };
    let mut config = loader().load().await;
    let overridden = endpoint_overridden(&config);
    let credentials = match config.credentials_provider() {
        Some(provider) => provider
            .provide_credentials()
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        None => Err("no credentials provider could be set up".to_owned()),
    };
    match (credentials, overridden) {
        (Ok(()), _) => {}
        (Err(reason), false) => {
            return Err(format!(
                "needs AWS credentials, and none were found ({reason}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run where an instance or container role is available"
            )
            .into());
        }
        (Err(_), true) => {
            // Local doubles (moto, LocalStack) take any credentials but refuse some unsigned
            // requests, so sign with placeholders rather than not at all.
            crate::output::note(
                "aws: no credentials found; signing with placeholder credentials for the overridden endpoint",
            );
            let placeholder = aws_sdk_s3::config::Credentials::new(
                "placeholder",
                "placeholder",
                None,
                None,
                "bedrock-llm placeholder",
            );
            let mut signed = loader().credentials_provider(placeholder);
            if config.region().is_none() {
                signed = signed.region(aws_config::Region::new("us-east-1"));
            }
            config = signed.load().await;
        }
    }
    if config.region().is_none() {
        if !overridden {
            return Err(
                "needs an AWS Region: set AWS_REGION, or a region in the AWS profile".into(),
            );
        }
        config = config
            .into_builder()
            .region(aws_config::Region::new("us-east-1"))
            .build();
    }
    Ok(config)
}

/// An S3 client from `config`; path-style addressing when an endpoint URL is set (S3-compatible
/// servers such as MinIO or moto on a loopback address have no per-bucket host names).
pub(crate) fn s3_client(config: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let path_style =
        config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(path_style)
            .build(),
    )
}

/// A CloudWatch Logs client from `config`, with 8 attempts per call (the SDK's standard
/// backoff and jitter) since a busy account throttles `FilterLogEvents`.
pub(crate) fn logs_client(config: &aws_config::SdkConfig) -> aws_sdk_cloudwatchlogs::Client {
    aws_sdk_cloudwatchlogs::Client::from_conf(
        aws_sdk_cloudwatchlogs::config::Builder::from(config)
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(8))
            .build(),
    )
}

/// A CloudWatch (metrics) client from `config`, with 8 attempts per call.
pub(crate) fn cloudwatch_client(config: &aws_config::SdkConfig) -> aws_sdk_cloudwatch::Client {
    aws_sdk_cloudwatch::Client::from_conf(
        aws_sdk_cloudwatch::config::Builder::from(config)
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(8))
            .build(),
    )
}

/// An SQS client from `config`.
pub(crate) fn sqs_client(config: &aws_config::SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(config)
}

/// AWS, connected on first use: a run over local files that never meets an offloaded body
/// never looks for credentials.
pub(crate) struct Aws {
    connected: std::sync::OnceLock<Result<Connected, String>>,
}

/// A runtime and the clients on it.
pub(crate) struct Connected {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) config: aws_config::SdkConfig,
    pub(crate) s3: bedrock_llm_logs::s3::S3Objects,
    pub(crate) logs: bedrock_llm_logs::cloudwatch::CloudWatchLogs,
}

impl Aws {
    pub(crate) fn new() -> Self {
        Self {
            connected: std::sync::OnceLock::new(),
        }
    }

    /// The connection, made now if it was not yet; the reason when it cannot be.
    pub(crate) fn get(&self) -> Result<&Connected, String> {
        self.connected
            .get_or_init(|| {
                let failed = |stop: Stop| match stop {
                    Stop::Failed(why) => format!("reading AWS {why}"),
                    Stop::Closed => "stopped".to_owned(),
                };
                let runtime = runtime().map_err(failed)?;
                let config = runtime.block_on(sdk_config()).map_err(failed)?;
                let s3 = bedrock_llm_logs::s3::S3Objects::new(
                    s3_client(&config),
                    runtime.handle().clone(),
                );
                let logs = bedrock_llm_logs::cloudwatch::CloudWatchLogs::new(
                    logs_client(&config),
                    runtime.handle().clone(),
                )
                .with_page_limit(page_limit());
                Ok(Connected {
                    runtime,
                    config,
                    s3,
                    logs,
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl Drop for Aws {
    fn drop(&mut self) {
        // Dropping a runtime waits for its tasks; heartbeats and downloads are abandoned.
        if let Some(Ok(connected)) = self.connected.take() {
            connected.runtime.shutdown_background();
        }
    }
}

impl bedrock_llm_logs::BodyFetcher for Aws {
    fn fetch(&self, uri: &str, max_bytes: u64) -> Result<Vec<u8>, bedrock_llm_logs::FetchError> {
        let connected = self
            .get()
            .map_err(|reason| bedrock_llm_logs::FetchError::Failed {
                uri: uri.to_owned(),
                reason,
            })?;
        connected.s3.fetch(uri, max_bytes)
    }
}

/// `BEDROCK_LLM_CLOUDWATCH_PAGE_LIMIT`: events per `FilterLogEvents` page (the service's
/// default, 10,000, unless set; tests page with small ones).
fn page_limit() -> Option<i32> {
    std::env::var("BEDROCK_LLM_CLOUDWATCH_PAGE_LIMIT")
        .ok()?
        .parse()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
}
