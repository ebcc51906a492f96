//! The New Relic exporter and harvester against a receiver on 127.0.0.1 that enforces the
//! Event and Metric APIs' contract and scripts their faults: every event arrives exactly once
//! when the receiver eventually accepts, drops are exact and counted when the buffer is smaller
//! than the backlog, a rejected batch is dropped once, a 413 splits, `shutdown` delivers what is
//! pending, and a live client's events travel end to end.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bedrock_llm_core::{Invocation, Operation};
use bedrock_llm_events::{CallContext, Config, Recorder};
use bedrock_llm_export::destination::DROPPED_EVENTS_METRIC;
use bedrock_llm_export::{HarvestOptions, Harvester, NewRelicConfig, NewRelicExporter};
use bedrock_llm_tests::newrelic_receiver::{ACCOUNT, Fault, KEY, Receiver};

/// Text gzip cannot shrink much.
fn noise(rng: &mut fastrand::Rng, chars: usize) -> String {
    (0..chars).map(|_| rng.alphanumeric()).collect()
}

/// `calls` Llama calls with `chars` of random prompt and completion each: 3 events a call.
fn recorder_with_calls(calls: usize, chars: usize) -> Arc<Recorder> {
    let recorder = Arc::new(Recorder::new(Config::default().enabled()));
    let mut rng = fastrand::Rng::with_seed(42);
    for n in 0..calls {
        let mut record = Invocation::new("meta.llama3-70b-instruct-v1:0", Operation::InvokeModel);
        record.request_id = Some(format!("req-{n}"));
        let request = serde_json::json!({"prompt": noise(&mut rng, chars), "max_gen_len": 64});
        let response = serde_json::json!({"generation": noise(&mut rng, chars), "prompt_token_count": 7,
            "generation_token_count": 4, "stop_reason": "stop"});
        bedrock_llm_models::registry().read_bodies(
            &mut record,
            Some(request.to_string().as_bytes()),
            Some(response.to_string().as_bytes()),
        );
        recorder.record(&record, &CallContext::detached());
    }
    recorder
}

fn exporter(receiver: &Receiver, key: &str) -> NewRelicExporter {
    let mut config = NewRelicConfig::new(key, ACCOUNT)
        .endpoint(&receiver.url())
        .app_name("export-test");
    config.timeout = Duration::from_millis(800);
    config.initial_backoff = Duration::from_millis(20);
    config.max_backoff = Duration::from_millis(200);
    NewRelicExporter::new(config).unwrap()
}

/// Summary ids and message (request id, sequence) pairs: what makes each event itself.
fn identities(events: &[serde_json::Value]) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for event in events {
        let key = format!(
            "{}|{}|{}|{}",
            event["eventType"], event["id"], event["request_id"], event["sequence"]
        );
        *seen.entry(key).or_insert(0) += 1;
    }
    seen
}

fn slow_harvests() -> HarvestOptions {
    HarvestOptions::default().interval(Duration::from_secs(3600))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_once_through_throttling_outages_and_cut_connections() {
    let receiver = Receiver::start(vec![
        Fault::Status(429, Some(1)),
        Fault::Status(503, None),
        Fault::Close,
        Fault::Slow(Duration::from_millis(1500)),
    ])
    .await
    .unwrap();
    // 300 calls of 3,500 random characters each way: ~2 MB that gzip cannot shrink much.
    let recorder = recorder_with_calls(300, 3500);
    let harvester = Harvester::spawn(recorder.clone(), exporter(&receiver, KEY), slow_harvests());
    let report = harvester.shutdown(Duration::from_secs(30)).await;

    let events = receiver.events();
    assert_eq!(events.len(), 900);
    let identities = identities(&events);
    assert_eq!(identities.len(), 900, "each event once");
    assert!(identities.values().all(|&n| n == 1));
    assert!(
        events
            .iter()
            .all(|e| e["appName"] == "export-test" && e["host"].is_string())
    );
    let exchanges = receiver.exchanges();
    assert!(
        exchanges
            .iter()
            .all(|x| x.gzip && x.key_ok && x.wire_bytes <= 1_000_000)
    );
    let accepted = exchanges.iter().filter(|x| x.status == 200).count();
    assert!(accepted >= 2, "the backlog took several POSTs: {accepted}");
    assert_eq!(report.events_sent, 900);
    assert_eq!(report.events_dropped, 0);
    assert!(report.retries >= 4, "{report:?}");
    // The metrics came too: the calls' timing and the supportability counts.
    let metrics: Vec<String> = receiver
        .metric_blocks()
        .iter()
        .flat_map(|b| b["metrics"].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m["name"].as_str().map(str::to_owned))
        .collect();
    assert!(
        metrics
            .iter()
            .any(|m| m == "Llm/completion/Bedrock/InvokeModel"),
        "{metrics:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_413_splits_the_batch_until_each_part_fits() {
    // This receiver takes at most 40 kB per POST.
    let receiver = Receiver::start_with_limit(Vec::new(), 40_000)
        .await
        .unwrap();
    let recorder = recorder_with_calls(40, 2000);
    let harvester = Harvester::spawn(recorder, exporter(&receiver, KEY), slow_harvests());
    let report = harvester.shutdown(Duration::from_secs(30)).await;
    let events = receiver.events();
    assert_eq!(identities(&events).len(), 120);
    assert_eq!(events.len(), 120);
    assert!(receiver.exchanges().iter().any(|x| x.status == 413));
    assert_eq!((report.events_sent, report.events_dropped), (120, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_batch_is_dropped_once_and_counted() {
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let recorder = recorder_with_calls(10, 100);
    let harvester = Harvester::spawn(recorder, exporter(&receiver, "wrong-key"), slow_harvests());
    harvester.flush().await;
    harvester.flush().await;
    let report = harvester.shutdown(Duration::from_secs(5)).await;
    let event_posts: Vec<_> = receiver
        .exchanges()
        .into_iter()
        .filter(|x| x.path.ends_with("/events"))
        .collect();
    assert_eq!(event_posts.len(), 1, "403 is not retried");
    assert_eq!(event_posts[0].status, 403);
    assert!(receiver.events().is_empty());
    assert_eq!((report.events_sent, report.events_dropped), (0, 30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_beyond_the_buffer_drops_the_oldest_exactly_and_says_so() {
    // Down for the first delivery (one attempt per delivery here), then up.
    let receiver = Receiver::start(vec![Fault::Status(503, None), Fault::Status(503, None)])
        .await
        .unwrap();
    let recorder = recorder_with_calls(25, 50); // 75 events
    let mut config = NewRelicConfig::new(KEY, ACCOUNT).endpoint(&receiver.url());
    config.max_attempts = 1;
    let exporter = NewRelicExporter::new(config).unwrap();
    let options = slow_harvests().max_pending_events(30);
    let harvester = Harvester::spawn(recorder.clone(), exporter, options);
    harvester.flush().await; // 75 harvested, 45 dropped at once, 30 kept; the POST fails
    assert_eq!(harvester.report().events_dropped, 45);
    assert!(receiver.events().is_empty());
    harvester.flush().await; // the receiver is up: the 30 kept arrive, and the drop count
    let report = harvester.shutdown(Duration::from_secs(5)).await;
    let events = receiver.events();
    assert_eq!(events.len(), 30);
    // The newest were kept: the last 10 calls' events.
    let mut kept: Vec<String> = events
        .iter()
        .filter_map(|e| e["request_id"].as_str().map(str::to_owned))
        .collect();
    kept.sort();
    kept.dedup();
    let mut newest: Vec<String> = (15..25).map(|n| format!("req-{n}")).collect();
    newest.sort();
    assert_eq!(kept, newest);
    assert_eq!((report.events_sent, report.events_dropped), (30, 45));
    let dropped: u64 = receiver
        .metric_blocks()
        .iter()
        .flat_map(|b| b["metrics"].as_array().cloned().unwrap_or_default())
        .filter(|m| m["name"] == DROPPED_EVENTS_METRIC)
        .filter_map(|m| m["value"].as_u64())
        .sum();
    assert_eq!(
        dropped, 45,
        "the drops are reported as a supportability metric"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_delivers_what_is_pending_and_long_values_are_cut_with_a_flag() {
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let recorder = recorder_with_calls(3, 6000);
    let harvester = Harvester::spawn(recorder, exporter(&receiver, KEY), slow_harvests());
    let report = harvester.shutdown(Duration::from_secs(10)).await;
    let events = receiver.events();
    assert_eq!(events.len(), 9);
    let messages: Vec<_> = events
        .iter()
        .filter(|e| e["eventType"] == "LlmChatCompletionMessage")
        .collect();
    assert_eq!(messages.len(), 6);
    for message in messages {
        assert_eq!(message["content"].as_str().unwrap().chars().count(), 4096);
        assert_eq!(message["truncated"], true);
    }
    assert_eq!(report.values_truncated, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_client_ships_its_calls_and_errors_to_new_relic() {
    use aws_sdk_bedrockruntime::primitives::Blob;
    let receiver = Receiver::start(vec![Fault::Status(500, None)])
        .await
        .unwrap();
    let emulator = bedrock_llm_emulator::Emulator::builder()
        .fault(
            "fault.throttling-v1",
            bedrock_llm_emulator::Fault::Throttling,
        )
        .start()
        .await
        .unwrap();
    let recorder = Arc::new(Recorder::new(Config::default().enabled()));
    let harvester = Harvester::spawn(
        recorder.clone(),
        exporter(&receiver, KEY),
        HarvestOptions::default().interval(Duration::from_millis(200)),
    );
    let sdk = bedrock_llm_tests::harness::intercepted_sdk(&emulator, &recorder);
    let samples = bedrock_llm_models::samples::all().unwrap();
    for sample in &samples {
        sdk.invoke_model()
            .model_id(sample.model_id)
            .body(Blob::new(sample.request.clone()))
            .send()
            .await
            .unwrap();
    }
    let throttled = sdk
        .invoke_model()
        .model_id("fault.throttling-v1")
        .body(Blob::new(br#"{"prompt": "hi"}"#.to_vec()))
        .send()
        .await;
    assert!(throttled.is_err());
    let report = harvester.shutdown(Duration::from_secs(10)).await;
    let events = receiver.events();
    let summaries = events
        .iter()
        .filter(|e| {
            e["eventType"] == "LlmChatCompletionSummary" || e["eventType"] == "LlmEmbedding"
        })
        .count();
    assert_eq!(summaries, samples.len() + 1);
    let errors: Vec<_> = events
        .iter()
        .filter(|e| e["eventType"] == "LlmError")
        .collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["error.class"], "ThrottlingException");
    assert_eq!(errors[0]["http.statusCode"], 429);
    assert_eq!(report.events_dropped, 0);
    assert_eq!(report.events_sent as usize, events.len());
    // The live calls' runtime metrics, under CloudWatch's names, went to the Metric API.
    let runtime = |name: &str| -> u64 {
        receiver
            .metric_blocks()
            .iter()
            .flat_map(|b| b["metrics"].as_array().cloned().unwrap_or_default())
            .filter(|m| m["name"] == format!("bedrock_llm.runtime.{name}"))
            .filter_map(|m| m["value"].as_u64())
            .sum()
    };
    assert_eq!(runtime("Invocations") as usize, samples.len());
    assert_eq!(runtime("InvocationThrottles"), 1);
    assert!(runtime("InputTokenCount") > 0);
}

/// A `Retry-After` far beyond the exporter's ceiling (`Retry-After: 100000` is a day) is waited
/// out only `max_backoff`: every event arrives, and the harvester ends on time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_retry_after_is_waited_out_only_to_the_ceiling() {
    let receiver = Receiver::start(vec![Fault::Status(429, Some(100_000))])
        .await
        .unwrap();
    let recorder = recorder_with_calls(3, 50);
    let mut config = NewRelicConfig::new(KEY, ACCOUNT).endpoint(&receiver.url());
    config.initial_backoff = Duration::from_millis(20);
    config.max_backoff = Duration::from_millis(300);
    let exporter = NewRelicExporter::new(config).unwrap();
    let started = std::time::Instant::now();
    let harvester = Harvester::spawn(recorder, exporter, slow_harvests());
    let report = harvester.shutdown(Duration::from_secs(20)).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(receiver.events().len(), 9);
    assert_eq!((report.events_sent, report.events_dropped), (9, 0));
}

/// A dead endpoint trips the breaker: after `breaker_threshold` failed deliveries no more
/// POSTs are made until the cool-down ends, and `shutdown` returns by its deadline with the
/// undelivered events counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_endpoint_trips_the_breaker_and_shutdown_keeps_its_deadline() {
    let receiver = Receiver::start(vec![Fault::Status(503, None); 100])
        .await
        .unwrap();
    let recorder = recorder_with_calls(5, 50); // 15 events
    let mut config = NewRelicConfig::new(KEY, ACCOUNT).endpoint(&receiver.url());
    config.max_attempts = 2;
    config.initial_backoff = Duration::from_millis(10);
    config.max_backoff = Duration::from_millis(20);
    config.breaker_threshold = 2;
    config.breaker_cooldown = Duration::from_secs(60);
    let exporter = NewRelicExporter::new(config).unwrap();
    let harvester = Harvester::spawn(recorder, exporter, slow_harvests());
    harvester.flush().await;
    harvester.flush().await; // the second failed delivery opens the breaker
    let posts = receiver.exchanges().len();
    harvester.flush().await;
    harvester.flush().await;
    assert_eq!(
        receiver.exchanges().len(),
        posts,
        "no POST while the breaker is open"
    );
    let started = std::time::Instant::now();
    let report = harvester.shutdown(Duration::from_secs(2)).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(report.events_sent, 0);
    assert_eq!(
        report.events_dropped, 15,
        "what never went is counted: {report:?}"
    );
    assert!(receiver.events().is_empty());
}

/// The license key never shows in `Debug` output, and the header carrying it is marked
/// sensitive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_license_key_is_never_printed() {
    let secret = "eu01xxSECRETxxKEYxx0000000000000000NRAL";
    // Only loopback: the harvest at shutdown goes to a local receiver.
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let config = NewRelicConfig::new(secret, ACCOUNT).endpoint(&receiver.url());
    let exporter = NewRelicExporter::new(config.clone()).unwrap();
    let recorder = Arc::new(Recorder::new(Config::default().enabled()));
    let harvester = Harvester::spawn(recorder, exporter.clone(), slow_harvests());
    for printed in [
        format!("{config:?}"),
        format!("{exporter:?}"),
        format!("{harvester:?}"),
        format!("{config:#?}"),
    ] {
        assert!(!printed.contains("SECRET"), "{printed}");
    }
    assert!(format!("{config:?}").contains("<redacted>"));
    harvester.shutdown(Duration::from_secs(1)).await;
}

/// A shutdown whose deadline passes while a batch is in flight returns on time and counts that
/// batch as pending — not as sent, and not as nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_in_flight_at_the_deadline_is_counted_pending() {
    let receiver = Receiver::start(vec![Fault::Slow(Duration::from_secs(3))])
        .await
        .unwrap();
    let recorder = recorder_with_calls(3, 50); // 9 events
    let mut config = NewRelicConfig::new(KEY, ACCOUNT).endpoint(&receiver.url());
    config.timeout = Duration::from_secs(10);
    // One attempt: the delivery left running after the deadline ends soon after the test.
    config.max_attempts = 1;
    let exporter = NewRelicExporter::new(config).unwrap();
    let harvester = Harvester::spawn(recorder, exporter, slow_harvests());
    let started = std::time::Instant::now();
    let report = harvester.shutdown(Duration::from_secs(1)).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(report.events_sent, 0);
    assert_eq!(report.events_pending, 9, "{report:?}");
    assert!(!report.delivered());
}

/// Refused events are dropped, and the report says how many of the dropped were refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_events_are_counted_apart() {
    let receiver = Receiver::start(vec![Fault::Status(400, None)])
        .await
        .unwrap();
    let recorder = recorder_with_calls(2, 50); // 6 events
    let harvester = Harvester::spawn(recorder, exporter(&receiver, KEY), slow_harvests());
    let report = harvester.shutdown(Duration::from_secs(10)).await;
    assert_eq!(
        (report.events_dropped, report.events_rejected),
        (6, 6),
        "{report:?}"
    );
    assert_eq!(report.events_pending, 0);
}

#[test]
fn new_relic_host_names_the_region_as_the_agents_read_it() {
    use bedrock_llm_export::Region;
    for (host, region) in [
        ("collector.newrelic.com", Some(Region::Us)),
        ("https://collector.newrelic.com:443/", Some(Region::Us)),
        ("collector.eu01.nr-data.net", Some(Region::Eu)),
        ("COLLECTOR.EU01.NR-DATA.NET", Some(Region::Eu)),
        ("gov-collector.newrelic.com", Some(Region::FedRamp)),
        ("proxy.internal", None),
        ("newrelic.com.attacker.example", None),
        ("", None),
    ] {
        assert_eq!(Region::of_collector_host(host), region, "{host}");
    }
}
