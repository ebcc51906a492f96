//! `bedrock-llm replay s3://…` and `replay --sqs …` against a real S3 and SQS (moto's server on
//! 127.0.0.1) through the real AWS SDK clients: S3-layout `.json.gz` objects, offloaded
//! bodies, `requestMetadata`, notifications (plain, SNS-wrapped, EventBridge, duplicated, a
//! test event), a poison object left for the dead-letter queue, two workers sharing a queue,
//! resume with `--state`. Every wait is bounded.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use aws_sdk_s3::primitives::ByteStream;
use bedrock_llm_tests::moto::Moto;
use serde_json::{Value, json};

mod common;

const BUCKET: &str = "logs";
const ACCOUNT: &str = "123456789012";

fn prefix(hour: &str) -> String {
    format!("AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/us-east-1/2024/04/18/{hour}")
}

fn record(request: &str, hour: &str) -> Value {
    json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": format!("2024-04-18T{hour}:54:57Z"), "accountId": ACCOUNT,
        "region": "us-east-1", "requestId": request, "operation": "InvokeModel",
        "modelId": "meta.llama3-70b-instruct-v1:0",
        "input": {"inputBodyJson": {"prompt": format!("question {request}")}, "inputTokenCount": 7},
        "output": {"outputBodyJson": {"generation": format!("answer {request}"), "stop_reason": "stop"}, "outputTokenCount": 4}
    })
}

fn gzip(records: &[Value]) -> Vec<u8> {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

/// The objects of the tests: (key, body). Hour 21 has two plain records; hour 22 one record
/// whose output is offloaded and one with `requestMetadata`; plus the offloaded body itself.
fn objects() -> Vec<(String, Vec<u8>)> {
    let offloaded_key = format!("{}/data/r-off_output.json", prefix("22"));
    let mut offloaded = record("r-off", "22");
    offloaded["output"] = json!({
        "outputBodyS3Path": format!("s3://{BUCKET}/{offloaded_key}"),
        "outputTokenCount": 4
    });
    let mut tagged = record("r-meta", "22");
    tagged["requestMetadata"] = json!({"llm.conversation_id": "c-9", "team": "search"});
    vec![
        (
            format!("{}/20240418T2155Z_a.json.gz", prefix("21")),
            gzip(&[record("r-1", "21"), record("r-2", "21")]),
        ),
        (
            format!("{}/20240418T2255Z_b.json.gz", prefix("22")),
            gzip(&[offloaded, tagged]),
        ),
        (
            offloaded_key,
            json!({"generation": "offloaded answer", "stop_reason": "stop"})
                .to_string()
                .into_bytes(),
        ),
    ]
}

async fn upload(moto: &Moto, objects: &[(String, Vec<u8>)]) {
    let s3 = moto.s3();
    let _ = s3.create_bucket().bucket(BUCKET).send().await;
    for (key, body) in objects {
        s3.put_object()
            .bucket(BUCKET)
            .key(key)
            .body(ByteStream::from(body.clone()))
            .send()
            .await
            .unwrap();
    }
}

fn bin(moto: &Moto) -> Command {
    let mut command = common::bin();
    command.envs(moto.env());
    command
}

/// Runs `command` off the runtime's threads and waits for it.
async fn run(mut command: Command) -> (bool, String, String) {
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn events(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn local_copy(dir: &Path, objects: &[(String, Vec<u8>)]) {
    for (key, body) in objects.iter().filter(|(k, _)| k.ends_with(".json.gz")) {
        let path = dir.join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_replay_matches_local_copies_repeats_identically_and_fetches_offloaded_bodies() {
    let moto = Moto::start();
    let objects = objects();
    upload(&moto, &objects).await;
    let dir = std::env::temp_dir().join(format!("bedrock-llm-s3-{}", std::process::id()));
    local_copy(&dir, &objects);

    let s3_run = |jobs: &str| {
        let mut command = bin(&moto);
        command.args(["replay", &format!("s3://{BUCKET}/AWSLogs/"), "-j", jobs]);
        run(command)
    };
    let (ok, first, stderr) = s3_run("2").await;
    assert!(ok, "{stderr}");
    let (ok, second, _) = s3_run("2").await;
    assert!(ok);
    assert_eq!(
        first, second,
        "two runs print identical events, ids included"
    );
    let (ok, sequential, _) = s3_run("1").await;
    assert!(ok);
    assert_eq!(first, sequential, "the output does not depend on -j");

    let local = {
        let mut command = bin(&moto);
        command.arg("replay").arg(dir.join("AWSLogs"));
        run(command).await
    };
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(local.0, "{}", local.2);
    assert_eq!(
        first, local.1,
        "S3 objects replay exactly like local copies"
    );

    let events = events(&first);
    // 4 records × (summary + 2 messages).
    assert_eq!(events.len(), 12, "{first}");
    let ids: std::collections::BTreeSet<_> = events.iter().map(|e| e["id"].to_string()).collect();
    assert_eq!(ids.len(), 12, "ids are distinct");
    // The offloaded output body gives the completion message.
    assert!(
        events.iter().any(|e| e["request_id"] == "r-off"
            && e["is_response"] == true
            && e["content"] == "offloaded answer"),
        "{first}"
    );
    // requestMetadata becomes llm. attributes on every event of its record.
    let tagged: Vec<_> = events
        .iter()
        .filter(|e| e["request_id"] == "r-meta")
        .collect();
    assert_eq!(tagged.len(), 3);
    assert!(
        tagged
            .iter()
            .all(|e| e["llm.conversation_id"] == "c-9" && e["llm.team"] == "search")
    );
    assert!(
        events
            .iter()
            .filter(|e| e["request_id"] != "r-meta")
            .all(|e| e.get("llm.conversation_id").is_none())
    );
    assert!(stderr.contains("replay: 4 records read"), "{stderr}");

    // --since / --until pick hours from the key layout.
    let mut command = bin(&moto);
    command.args([
        "replay",
        &format!("s3://{BUCKET}/AWSLogs/"),
        "--since",
        "2024-04-18T22",
    ]);
    let (ok, late, _) = run(command).await;
    assert!(ok);
    assert_eq!(events_of(&late, "r-1"), 0);
    assert_eq!(events_of(&late, "r-off"), 3);
}

fn events_of(stdout: &str, request: &str) -> usize {
    events(stdout)
        .iter()
        .filter(|e| e["request_id"] == request)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offloaded_bodies_can_be_left_alone_and_a_missing_one_is_reported_not_fatal() {
    let moto = Moto::start();
    let mut objects = objects();
    objects.retain(|(key, _)| !key.contains("/data/"));
    upload(&moto, &objects).await;
    let mut command = bin(&moto);
    command.args(["replay", &format!("s3://{BUCKET}/AWSLogs/")]);
    let (ok, stdout, stderr) = run(command).await;
    assert!(ok, "{stderr}");
    assert!(stderr.contains("offloaded body not fetched"), "{stderr}");
    assert!(
        stderr.contains("1 offloaded bodies not fetched"),
        "{stderr}"
    );
    // The record still gives its summary and request message.
    assert_eq!(events_of(&stdout, "r-off"), 2, "{stdout}");

    let mut command = bin(&moto);
    command.args([
        "replay",
        &format!("s3://{BUCKET}/AWSLogs/"),
        "--no-fetch-bodies",
    ]);
    let (ok, stdout, stderr) = run(command).await;
    assert!(ok);
    assert!(!stderr.contains("not fetched"), "{stderr}");
    assert_eq!(events_of(&stdout, "r-off"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_files_let_a_rerun_skip_finished_objects_and_metrics_go_to_their_own_file() {
    let moto = Moto::start();
    upload(&moto, &objects()).await;
    let dir = std::env::temp_dir().join(format!("bedrock-llm-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.json");
    let metrics = dir.join("metrics.ndjson");
    let replay = || {
        let mut command = bin(&moto);
        command
            .args(["replay", &format!("s3://{BUCKET}/AWSLogs/")])
            .arg("--state")
            .arg(&state)
            .arg("--metrics-out")
            .arg(&metrics);
        run(command)
    };
    let (ok, first, stderr) = replay().await;
    assert!(ok, "{stderr}");
    assert_eq!(events(&first).len(), 12);
    let emf: Vec<Value> = std::fs::read_to_string(&metrics)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!emf.is_empty());
    assert!(
        emf.iter()
            .all(|d| d["_aws"]["CloudWatchMetrics"].is_array())
    );
    assert!(
        first.lines().all(|l| !l.contains("CloudWatchMetrics")),
        "metrics not on stdout"
    );
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["done"].as_object().unwrap().len(), 2, "{saved}");

    let (ok, second, stderr) = replay().await;
    assert!(ok);
    assert!(second.is_empty(), "{second}");
    assert!(stderr.contains("2 sources already done"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An S3 notification for `key`.
fn s3_notification(key: &str) -> String {
    json!({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2024-04-18T22:56:00.000Z", "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": BUCKET}, "object": {"key": key.replace(' ', "+"), "size": 1}}
    }]})
    .to_string()
}

async fn queue(moto: &Moto, name: &str, dead_letters: Option<&str>) -> String {
    let sqs = moto.sqs();
    let mut create = sqs.create_queue().queue_name(name);
    if let Some(dlq) = dead_letters {
        let arn = format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{dlq}");
        create = create.attributes(
            aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy,
            json!({"deadLetterTargetArn": arn, "maxReceiveCount": "2"}).to_string(),
        );
    }
    create.send().await.unwrap().queue_url().unwrap().to_owned()
}

async fn send(moto: &Moto, queue: &str, body: String) {
    moto.sqs()
        .send_message()
        .queue_url(queue)
        .message_body(body)
        .send()
        .await
        .unwrap();
}

async fn visible_messages(moto: &Moto, queue: &str) -> usize {
    let attributes = moto
        .sqs()
        .get_queue_attributes()
        .queue_url(queue)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let count = |name: aws_sdk_sqs::types::QueueAttributeName| {
        attributes
            .attributes()
            .and_then(|a| a.get(&name))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0)
    };
    count(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
        + count(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_notifications_are_processed_once_and_deleted_and_a_poison_object_goes_to_the_dlq() {
    let moto = Moto::start();
    let objects = objects();
    upload(&moto, &objects).await;
    // A poison object: gzip magic, then garbage.
    let poison_key = format!("{}/20240418T2258Z_poison.json.gz", prefix("22"));
    upload(
        &moto,
        &[(poison_key.clone(), vec![0x1f, 0x8b, 0x08, 0x00, 1, 2, 3])],
    )
    .await;
    let dlq = queue(&moto, "bedrock-logs-dlq", None).await;
    let url = queue(&moto, "bedrock-logs", Some("bedrock-logs-dlq")).await;
    let (first_key, second_key) = (&objects[0].0, &objects[1].0);
    // Plain, a duplicate, SNS-wrapped, EventBridge, S3's test event, and the poison object.
    send(&moto, &url, s3_notification(first_key)).await;
    send(&moto, &url, s3_notification(first_key)).await;
    send(
        &moto,
        &url,
        json!({"Type": "Notification", "MessageId": "sns-1", "Message": s3_notification(second_key)})
            .to_string(),
    )
    .await;
    send(
        &moto,
        &url,
        json!({"version": "0", "source": "aws.s3", "detail-type": "Object Created",
               "detail": {"bucket": {"name": BUCKET}, "object": {"key": second_key, "size": 1}}})
        .to_string(),
    )
    .await;
    send(
        &moto,
        &url,
        json!({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": BUCKET}).to_string(),
    )
    .await;
    send(&moto, &url, s3_notification(&poison_key)).await;

    let mut command = bin(&moto);
    command.args([
        "replay",
        "--sqs",
        &url,
        "--idle-exit",
        "3",
        "--visibility-timeout",
        "2",
        "--max-receives",
        "2",
    ]);
    let (ok, stdout, stderr) = run(command).await;
    assert!(ok, "{stderr}");
    // Every notified object once: 4 records × 3 events, however often it was notified.
    let printed = events(&stdout);
    assert_eq!(printed.len(), 12, "{stdout}\n{stderr}");
    let ids: std::collections::BTreeSet<_> = printed.iter().map(|e| e["id"].to_string()).collect();
    assert_eq!(ids.len(), 12);
    assert!(
        stderr.contains("cannot read"),
        "the poison object is reported: {stderr}"
    );
    assert_eq!(
        visible_messages(&moto, &url).await,
        0,
        "every message deleted or moved: {stderr}"
    );
    assert_eq!(
        visible_messages(&moto, &dlq).await,
        1,
        "the poison message is in the DLQ: {stderr}"
    );

    // The events equal a plain replay of the same objects.
    let mut command = bin(&moto);
    command.args(["replay", &format!("s3://{BUCKET}/AWSLogs/")]);
    let (_, listed, _) = run(command).await;
    let by_id = |values: Vec<Value>| -> BTreeMap<String, Value> {
        values
            .into_iter()
            .map(|e| (e["id"].as_str().unwrap().to_owned(), e))
            .collect()
    };
    let listed = by_id(events(&listed));
    assert_eq!(by_id(printed), listed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_sharing_a_queue_replay_every_object_and_a_redelivery_repeats_its_events() {
    let moto = Moto::start();
    // Ten objects of twenty records each.
    let objects: Vec<(String, Vec<u8>)> = (0..10)
        .map(|i| {
            let records: Vec<Value> = (0..20)
                .map(|r| record(&format!("r-{i}-{r}"), "21"))
                .collect();
            (
                format!("{}/object-{i:02}.json.gz", prefix("21")),
                gzip(&records),
            )
        })
        .collect();
    upload(&moto, &objects).await;
    let url = queue(&moto, "shared", None).await;
    for (key, _) in &objects {
        send(&moto, &url, s3_notification(key)).await;
    }
    let worker = || {
        let mut command = bin(&moto);
        command.args(["replay", "--sqs", &url, "--idle-exit", "3"]);
        run(command)
    };
    let (a, b) = tokio::join!(worker(), worker());
    assert!(a.0 && b.0, "{}\n{}", a.2, b.2);
    let mut all = events(&a.1);
    all.extend(events(&b.1));
    // A standard queue delivers at least once (and moto's receive is not atomic across two
    // concurrent long polls), so a message may reach both workers. What must hold: every
    // object's events, and a redelivered object's events are the same events, ids included.
    let mut by_id = BTreeMap::new();
    for event in &all {
        let id = event["id"].as_str().unwrap().to_owned();
        if let Some(first) = by_id.insert(id.clone(), event.clone()) {
            assert_eq!(&first, event, "a redelivery changed event {id}");
        }
    }
    assert_eq!(by_id.len(), 10 * 20 * 3, "every object's events");
    // Repeats are whole objects (20 records × 3 events), never part of one.
    for i in 0..10 {
        let of_object = all
            .iter()
            .filter(|e| {
                e["request_id"]
                    .as_str()
                    .is_some_and(|r| r.starts_with(&format!("r-{i}-")))
            })
            .count();
        assert!(
            of_object >= 60 && of_object % 60 == 0,
            "object {i}: {of_object} events\n{}\n{}",
            a.2,
            b.2
        );
    }
    assert_eq!(visible_messages(&moto, &url).await, 0);
}

/// An object of 20,000 records under `name`, notified once on a new queue; the queue's URL.
async fn one_large_notified_object(moto: &Moto, name: &str, queue_name: &str) -> String {
    let records: Vec<Value> = (0..20_000)
        .map(|r| record(&format!("{name}-{r}"), "21"))
        .collect();
    let key = format!("{}/{name}.json.gz", prefix("21"));
    upload(moto, &[(key.clone(), gzip(&records))]).await;
    let url = queue(moto, queue_name, None).await;
    send(moto, &url, s3_notification(&key)).await;
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_object_leaves_its_message_and_the_rerun_gives_the_same_ids() {
    use std::io::BufRead as _;
    let moto = Moto::start();
    let url = one_large_notified_object(&moto, "big", "crashy").await;

    // The first worker is killed once it has written some events.
    let mut command = bin(&moto);
    command
        .args(["replay", "--sqs", &url, "--visibility-timeout", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let partial = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines: Vec<String> = std::io::BufReader::new(stdout)
            .lines()
            .take(300)
            .map(Result::unwrap)
            .collect();
        child.kill().unwrap();
        child.wait().unwrap();
        lines
    })
    .await
    .unwrap();
    assert_eq!(
        partial.len(),
        300,
        "the killed worker wrote some events first"
    );
    assert_eq!(
        visible_messages(&moto, &url).await,
        1,
        "its message was not deleted"
    );

    // Once the message is visible again, a new worker replays the whole object.
    let mut command = bin(&moto);
    command.args([
        "replay",
        "--sqs",
        &url,
        "--idle-exit",
        "5",
        "--visibility-timeout",
        "2",
    ]);
    let (ok, stdout, stderr) = run(command).await;
    assert!(ok, "{stderr}");
    let rerun: Vec<&str> = stdout.lines().collect();
    assert_eq!(rerun.len(), 60_000, "{stderr}");
    assert_eq!(&rerun[..300], &partial[..], "the same events, ids included");
    assert_eq!(visible_messages(&moto, &url).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_sources_go_over_otlp_too() {
    let moto = Moto::start();
    upload(&moto, &objects()).await;
    let receiver = bedrock_llm_tests::otlp_receiver::Receiver::start(Vec::new())
        .await
        .unwrap();
    let mut command = bin(&moto);
    command
        .args(["replay", &format!("s3://{BUCKET}/AWSLogs/"), "--to", "otlp"])
        .args(["--endpoint", &receiver.url()]);
    let (ok, stdout, stderr) = run(command).await;
    assert!(ok, "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(receiver.spans().len(), 4, "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_stays_hidden_while_its_large_object_is_read() {
    use std::io::BufRead as _;
    let moto = Moto::start();
    let url = one_large_notified_object(&moto, "slow", "slow").await;
    // A one-second visibility timeout, far shorter than reading the object: a second worker
    // started once the first is under way would receive the message too, unless the first
    // keeps extending it.
    let mut first = bin(&moto);
    first
        .args([
            "replay",
            "--sqs",
            &url,
            "--idle-exit",
            "3",
            "--visibility-timeout",
            "1",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = first.spawn().unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let head: Vec<String> = lines.by_ref().take(200).map(Result::unwrap).collect();
    assert_eq!(head.len(), 200);
    // The first worker now blocks on its full stdout pipe, mid-object, until the second has
    // polled the queue for three seconds.
    let mut second = bin(&moto);
    second.args([
        "replay",
        "--sqs",
        &url,
        "--idle-exit",
        "3",
        "--visibility-timeout",
        "1",
    ]);
    let (ok, second_out, stderr) = run(second).await;
    assert!(ok, "{stderr}");
    let (first_ok, rest) = tokio::task::spawn_blocking(move || {
        let rest = lines.map(Result::unwrap).count();
        let status = child.wait().unwrap();
        (status.success(), rest)
    })
    .await
    .unwrap();
    assert!(first_ok);
    assert_eq!(
        head.len() + rest,
        60_000,
        "the first worker replayed the whole object"
    );
    assert_eq!(
        second_out.lines().count(),
        0,
        "the second never saw the message"
    );
    assert_eq!(visible_messages(&moto, &url).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overridden_endpoint_without_credentials_is_read_with_placeholders() {
    let moto = Moto::start();
    upload(&moto, &objects()).await;
    // Only the endpoint: no credentials, no Region anywhere in the chain.
    let mut command = common::bin();
    command
        .env_remove("AWS_REGION")
        .env("AWS_ENDPOINT_URL", moto.url());
    command.args(["replay", &format!("s3://{BUCKET}/AWSLogs/")]);
    let (ok, stdout, stderr) = run(command).await;
    assert!(ok, "{stderr}");
    assert!(stderr.contains("placeholder credentials"), "{stderr}");
    assert_eq!(events(&stdout).len(), 12);

    // Against AWS itself, missing credentials stop the run before it reads, with a message.
    let mut command = common::bin();
    command.args(["replay", &format!("s3://{BUCKET}/AWSLogs/")]);
    let (ok, stdout, stderr) = run(command).await;
    assert!(!ok);
    assert!(stdout.is_empty());
    assert!(stderr.contains("needs AWS credentials"), "{stderr}");
}
