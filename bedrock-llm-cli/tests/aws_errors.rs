//! AWS failures as a user reads them: `replay` against moto's S3 and SQS (a bucket or queue that
//! does not exist) and against a closed port says what happened and what to check, in a
//! sentence — never the SDK's nested `Debug`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use bedrock_llm_tests::moto::Moto;

mod common;

/// Runs `command` and returns whether it succeeded, and its stderr.
fn run(mut command: Command) -> (bool, String) {
    let output = command.output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// No `Debug` dump: no struct braces, no variant names of the SDK's error types.
fn assert_a_sentence(stderr: &str) {
    for dump in [
        "DispatchFailure",
        "ServiceError",
        "ConnectorError",
        " { ",
        "source:",
    ] {
        assert!(!stderr.contains(dump), "`{dump}` in {stderr}");
    }
}

#[test]
fn a_missing_bucket_and_a_missing_queue_are_named_with_what_to_check() {
    let moto = Moto::start();
    let mut command = common::bin();
    command
        .envs(moto.env())
        .args(["replay", "s3://no-such-bucket/AWSLogs/"]);
    let (ok, stderr) = run(command);
    assert!(!ok);
    assert!(
        stderr.contains("cannot list s3://no-such-bucket/AWSLogs/: NoSuchBucket")
            && stderr.contains("check the bucket's name"),
        "{stderr}"
    );
    assert_a_sentence(&stderr);

    let queue = format!("{}/123456789012/no-such-queue", moto.url());
    let mut command = common::bin();
    command
        .envs(moto.env())
        .args(["replay", "--sqs", &queue, "--idle-exit", "2"]);
    let (ok, stderr) = run(command);
    assert!(!ok);
    assert!(
        stderr.contains(&format!("cannot receive from {queue}"))
            && stderr.contains("check the queue URL"),
        "{stderr}"
    );
    assert_a_sentence(&stderr);
}

#[test]
fn an_endpoint_that_refuses_connections_is_said_to() {
    // A port that was free a moment ago and has no listener now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = common::bin();
    command
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_MAX_ATTEMPTS", "1")
        .args(["replay", "s3://logs/AWSLogs/"]);
    let (ok, stderr) = run(command);
    assert!(!ok);
    assert!(
        stderr.contains("could not connect") && stderr.contains("check the endpoint"),
        "{stderr}"
    );
    assert_a_sentence(&stderr);
}

/// The AWS SDK's requests go through `HTTPS_PROXY` as a CONNECT tunnel to the endpoint's host
/// (`s3.test` resolves nowhere: only the proxy reaches it); a loopback endpoint stays direct.
#[test]
fn aws_requests_go_through_the_https_proxy_and_loopback_stays_direct() {
    use bedrock_llm_tests::connect_proxy::ConnectProxy;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let proxy = runtime.block_on(ConnectProxy::start()).unwrap();
    let mut command = common::bin();
    command
        .env("HTTPS_PROXY", proxy.url())
        .env("AWS_ENDPOINT_URL", "https://s3.test:4443")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_MAX_ATTEMPTS", "1")
        .args(["replay", "s3://logs/AWSLogs/"]);
    // Nothing listens on 4443 behind the proxy: the tunnel is asked for, then fails.
    let (ok, _) = run(command);
    assert!(!ok);
    let targets: Vec<String> = proxy.tunnels().into_iter().map(|t| t.target).collect();
    assert!(targets.iter().any(|t| t == "s3.test:4443"), "{targets:?}");

    let moto = Moto::start();
    let before = proxy.tunnels().len();
    let mut command = common::bin();
    command
        .envs(moto.env())
        .env("HTTPS_PROXY", proxy.url())
        .env("ALL_PROXY", proxy.url())
        .args(["replay", "s3://no-such-bucket/AWSLogs/"]);
    let (_, stderr) = run(command);
    assert!(
        stderr.contains("NoSuchBucket"),
        "moto answered directly: {stderr}"
    );
    assert_eq!(proxy.tunnels().len(), before);
    drop(runtime);
}
