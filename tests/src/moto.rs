//! A real S3, SQS, CloudWatch Logs and CloudWatch on 127.0.0.1 for tests: moto's server (`moto[server]` from PyPI), installed
//! with pip when missing, started on a free loopback port, stopped when dropped. The AWS SDK's
//! own S3 and SQS clients set up buckets, objects and queues in it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Serializes installs when several tests start moto at once.
static INSTALL: Mutex<()> = Mutex::new(());

/// The credentials and Region every test uses against moto.
pub const ACCESS_KEY: &str = "testing";
/// The secret key.
pub const SECRET_KEY: &str = "testing";
/// The Region.
pub const REGION: &str = "us-east-1";

/// A running moto server; killed when dropped.
#[derive(Debug)]
pub struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python() -> &'static str {
    if Command::new("python3").arg("--version").output().is_ok() {
        "python3"
    } else {
        "python"
    }
}

/// Installs `moto[server]` unless it is importable already.
fn ensure_installed() {
    let _guard = INSTALL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let importable = Command::new(python())
        .args(["-c", "import moto.server"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if importable {
        return;
    }
    let installed = Command::new(python())
        .args(["-m", "pip", "install", "--quiet", "moto[server]"])
        .status()
        .expect("pip runs");
    assert!(installed.success(), "pip install moto[server] failed");
}

impl Moto {
    /// Starts moto on a free loopback port and waits (at most 60 s) until it answers.
    pub fn start() -> Self {
        ensure_installed();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(python())
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto starts");
        let moto = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(Instant::now() < deadline, "moto did not start on {addr}");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:{port}`, for `AWS_ENDPOINT_URL`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn credentials() -> aws_sdk_s3::config::Credentials {
        aws_sdk_s3::config::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "moto")
    }

    /// An S3 client aimed at this server (path-style addressing).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::Config::builder()
                .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
                .region(aws_sdk_s3::config::Region::new(REGION))
                .credentials_provider(Self::credentials())
                .endpoint_url(self.url())
                .force_path_style(true)
                .http_client(bedrock_llm_core::client::http_client())
                .build(),
        )
    }

    /// An SQS client aimed at this server.
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::from_conf(
            aws_sdk_sqs::Config::builder()
                .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
                .region(aws_sdk_sqs::config::Region::new(REGION))
                .credentials_provider(Self::credentials())
                .endpoint_url(self.url())
                .http_client(bedrock_llm_core::client::http_client())
                .build(),
        )
    }

    /// A CloudWatch Logs client aimed at this server.
    pub fn logs(&self) -> aws_sdk_cloudwatchlogs::Client {
        aws_sdk_cloudwatchlogs::Client::from_conf(
            aws_sdk_cloudwatchlogs::Config::builder()
                .behavior_version(aws_sdk_cloudwatchlogs::config::BehaviorVersion::latest())
                .region(aws_sdk_cloudwatchlogs::config::Region::new(REGION))
                .credentials_provider(Self::credentials())
                .endpoint_url(self.url())
                .http_client(bedrock_llm_core::client::http_client())
                .build(),
        )
    }

    /// A CloudWatch (metrics) client aimed at this server.
    pub fn cloudwatch(&self) -> aws_sdk_cloudwatch::Client {
        aws_sdk_cloudwatch::Client::from_conf(
            aws_sdk_cloudwatch::Config::builder()
                .behavior_version(aws_sdk_cloudwatch::config::BehaviorVersion::latest())
                .region(aws_sdk_cloudwatch::config::Region::new(REGION))
                .credentials_provider(Self::credentials())
                .endpoint_url(self.url())
                .http_client(bedrock_llm_core::client::http_client())
                .build(),
        )
    }

    /// The environment a `bedrock-llm` process needs to use this server through the default
    /// credential chain.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.url()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
            ("AWS_REGION", REGION.to_owned()),
        ]
    }
}
