//! `replay --sqs … --to newrelic` through an outage (moto's SQS and S3, a New Relic receiver
//! answering 503 six times): a message is deleted only once its events are delivered, a failed
//! delivery is waited out rather than re-read, and every event arrives exactly once.
// Helpers as well as tests panic: that is how a test fails (the `tests` crate allows it crate-wide).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::Command;

use aws_sdk_s3::primitives::ByteStream;
use bedrock_llm_tests::moto::Moto;
use bedrock_llm_tests::newrelic_receiver::{ACCOUNT as NR_ACCOUNT, Fault, KEY, Receiver};
use serde_json::json;

mod common;

const BUCKET: &str = "outage-logs";

fn object(n: usize) -> (String, Vec<u8>) {
    let key = format!(
        "AWSLogs/123456789012/BedrockModelInvocationLogs/us-east-1/2024/04/18/21/object-{n}.json.gz"
    );
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for i in 0..50 {
        let record = json!({
            "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "timestamp": "2024-04-18T21:54:57Z", "accountId": "123456789012",
            "region": "us-east-1", "requestId": format!("o{n}-r{i}"), "operation": "InvokeModel",
            "modelId": "meta.llama3-70b-instruct-v1:0",
            "input": {"inputBodyJson": {"prompt": format!("q {n} {i}")}, "inputTokenCount": 7},
            "output": {"outputBodyJson": {"generation": "a", "stop_reason": "stop"}, "outputTokenCount": 4}
        });
        writeln!(encoder, "{record}").unwrap();
    }
    (key, encoder.finish().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_delivers_every_event_once_and_empties_the_queue() {
    let moto = Moto::start();
    let s3 = moto.s3();
    let _ = s3.create_bucket().bucket(BUCKET).send().await;
    let sqs = moto.sqs();
    let url = sqs
        .create_queue()
        .queue_name("outage")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    for n in 0..6 {
        let (key, body) = object(n);
        s3.put_object()
            .bucket(BUCKET)
            .key(&key)
            .body(ByteStream::from(body))
            .send()
            .await
            .unwrap();
        let notification = json!({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
            "s3": {"bucket": {"name": BUCKET}, "object": {"key": key, "size": 1}}}]});
        sqs.send_message()
            .queue_url(&url)
            .message_body(notification.to_string())
            .send()
            .await
            .unwrap();
    }
    let receiver = Receiver::start(vec![Fault::Status(503, None); 6])
        .await
        .unwrap();
    let mut command: Command = common::bin();
    command
        .envs(moto.env())
        .env("NEW_RELIC_LICENSE_KEY", KEY)
        .env("NEW_RELIC_ACCOUNT_ID", NR_ACCOUNT)
        .args([
            "replay",
            "--sqs",
            &url,
            "--idle-exit",
            "6",
            "--to",
            "newrelic",
        ])
        .args(["--endpoint", &receiver.url()]);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let events = receiver.events();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for event in &events {
        let key = format!(
            "{}|{}|{}",
            event["eventType"], event["request_id"], event["sequence"]
        );
        *seen.entry(key).or_insert(0) += 1;
    }
    assert_eq!(events.len(), 6 * 50 * 3, "{stderr}");
    assert!(seen.values().all(|&n| n == 1), "every event exactly once");
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let count = |name: aws_sdk_sqs::types::QueueAttributeName| -> u64 {
        attributes
            .attributes()
            .and_then(|a| a.get(&name))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    assert_eq!(
        count(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            + count(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
        0,
        "the queue is empty: {stderr}"
    );
}
