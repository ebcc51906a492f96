//! The clients end to end: the real `aws-sdk-bedrockruntime` client, SigV4 signing, HTTP on
//! 127.0.0.1 against the emulator, retries off.
//!
//! - every prebuilt family through the async client (raw and typed), the blocking client and the
//!   interceptor on a user's own client; each call's live events equal the events built offline
//!   from the same bytes and headers;
//! - every fault: the caller sees exactly the SDK's own error (compared with an uninstrumented
//!   client), and one error event with status and code is recorded;
//! - caller results are identical with instrumentation on and off, for arbitrary responses.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_bedrockruntime::operation::RequestId;
use aws_sdk_bedrockruntime::primitives::Blob;
use bedrock_llm_core::client::{BlockingClient, BlockingError, Client};
use bedrock_llm_core::{BedrockModel, Invocation, Operation, Registry};
use bedrock_llm_emulator::{EmulatedResponse, Emulator, Fault};
use bedrock_llm_events::names::{attr, metric};
use bedrock_llm_events::{CallContext, Config, Harvest, LlmEvent, Recorder, build_events};
use bedrock_llm_models::samples::{self, Sample};
use bedrock_llm_tests::harness::{self, events_of_type, outcome, stable};
use proptest::prelude::*;

/// The events of each call, by request id.
fn by_request_id(harvest: &Harvest) -> BTreeMap<String, Vec<LlmEvent>> {
    let mut calls: BTreeMap<String, Vec<LlmEvent>> = BTreeMap::new();
    for event in &harvest.events {
        if let Some(id) = event.get_str(attr::REQUEST_ID) {
            calls.entry(id.to_owned()).or_default().push(event.clone());
        }
    }
    calls
}

/// The events the offline path builds for `sample`: registry, header counts, event builder.
fn offline_events(sample: &Sample) -> Vec<(String, BTreeMap<String, String>)> {
    let mut record = Invocation::new(sample.model_id, Operation::InvokeModel);
    let header = |name: &str| {
        sample
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.parse().ok())
    };
    record.header_metrics.input_tokens = header("X-Amzn-Bedrock-Input-Token-Count");
    record.header_metrics.output_tokens = header("X-Amzn-Bedrock-Output-Token-Count");
    bedrock_llm_models::registry().read_bodies(
        &mut record,
        Some(&sample.request),
        Some(&sample.response),
    );
    let built = build_events(
        &record,
        &Config::default().enabled(),
        &CallContext::detached(),
    );
    built.events.iter().map(stable).collect()
}

fn assert_live_equals_offline(harvest: &Harvest, calls: &[(Sample, String)]) {
    let live = by_request_id(harvest);
    assert_eq!(live.len(), calls.len(), "one recorded call per call made");
    for (sample, request_id) in calls {
        let events = &live[request_id];
        let live: Vec<_> = events.iter().map(stable).collect();
        assert_eq!(
            live,
            offline_events(sample),
            "{}/{}",
            sample.family_slug,
            sample.case
        );
        // Live-only facts: a duration, and the emulator's request id.
        assert!(events[0].get(attr::DURATION).is_some());
        assert_eq!(
            events[0].get_str(attr::REQUEST_ID),
            Some(request_id.as_str())
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_family_through_the_async_client() {
    let emulator = Emulator::builder().start().await.unwrap();
    let recorder = harness::recorder();
    let client = harness::client(&emulator, &recorder);
    let mut calls = Vec::new();
    for sample in samples::all().unwrap() {
        let output = client
            .invoke_raw(sample.model_id, sample.request.clone())
            .await
            .unwrap();
        // The caller gets the emulator's bytes, unchanged.
        assert_eq!(
            output.body().as_ref(),
            sample.response.as_slice(),
            "{}",
            sample.case
        );
        calls.push((sample.clone(), output.request_id().unwrap().to_owned()));
    }
    let harvest = recorder.harvest();
    assert_live_equals_offline(&harvest, &calls);
    let version = format!(
        "{}{}",
        metric::BEDROCK_VERSION_PREFIX,
        aws_sdk_bedrockruntime::meta::PKG_VERSION
    );
    assert_eq!(
        harvest.metrics.get(&version).map(|m| m.count),
        Some(calls.len() as u64)
    );
    assert!(
        harvest
            .metrics
            .get("Llm/embedding/Bedrock/InvokeModel")
            .is_some()
    );
    // Every request was SigV4-signed for bedrock.
    for request in emulator.requests() {
        let authorization = request.header("authorization").unwrap();
        assert!(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEMULATOR/"));
        assert!(authorization.contains("/us-east-1/bedrock/aws4_request"));
    }
}

/// A typed call for every sample of `M`: the typed response equals the sample's, decoded.
async fn typed_calls<M>(client: &Client) -> usize
where
    M: BedrockModel,
    M::Response: PartialEq + std::fmt::Debug,
{
    let mut calls = 0;
    for sample in samples::all()
        .unwrap()
        .into_iter()
        .filter(|s| s.family == M::FAMILY)
    {
        let request = M::decode_request(&sample.request).unwrap();
        let response = client.invoke::<M>(sample.model_id, &request).await.unwrap();
        assert_eq!(response, M::decode_response(&sample.response).unwrap());
        calls += 1;
    }
    calls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_family_typed() {
    use bedrock_llm_models::{
        ai21::*, amazon::*, anthropic::*, cohere::*, deepseek::*, image::*, meta::*, mistral::*,
        openai::*, rerank::*, twelvelabs::*, video::*,
    };
    let emulator = Emulator::builder().start().await.unwrap();
    let recorder = harness::recorder();
    // An empty registry: typed calls pin their own adapter.
    let sdk = harness::plain_sdk(&emulator);
    let client = Client::new(sdk, Registry::new(), recorder.clone());
    let mut count = 0;
    count += typed_calls::<ClaudeText>(&client).await;
    count += typed_calls::<ClaudeMessages>(&client).await;
    count += typed_calls::<TitanText>(&client).await;
    count += typed_calls::<TitanEmbed>(&client).await;
    count += typed_calls::<Nova>(&client).await;
    count += typed_calls::<Llama>(&client).await;
    count += typed_calls::<CohereCommand>(&client).await;
    count += typed_calls::<CohereCommandR>(&client).await;
    count += typed_calls::<CohereEmbed>(&client).await;
    count += typed_calls::<Jurassic2>(&client).await;
    count += typed_calls::<Jamba>(&client).await;
    count += typed_calls::<MistralText>(&client).await;
    count += typed_calls::<MistralChat>(&client).await;
    count += typed_calls::<OpenAiChat>(&client).await;
    count += typed_calls::<DeepSeekR1>(&client).await;
    count += typed_calls::<TitanImage>(&client).await;
    count += typed_calls::<StabilityImage>(&client).await;
    count += typed_calls::<Sdxl>(&client).await;
    count += typed_calls::<CohereRerank>(&client).await;
    count += typed_calls::<Pegasus>(&client).await;
    count += typed_calls::<AmazonRerank>(&client).await;
    count += typed_calls::<NovaReel>(&client).await;
    count += typed_calls::<LumaRay>(&client).await;
    count += typed_calls::<Marengo>(&client).await;
    assert_eq!(count, samples::all().unwrap().len());
    let harvest = recorder.harvest();
    let summaries = harvest
        .events
        .iter()
        .filter(|e| e.get(attr::REQUEST_MODEL).is_some())
        .count();
    assert_eq!(
        summaries, count,
        "one summary or embedding event per typed call"
    );
    assert!(
        harvest
            .metrics
            .get("Supportability/Rust/ML/Bedrock/ExtractionError")
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_family_through_the_interceptor_on_a_users_client() {
    let emulator = Emulator::builder().start().await.unwrap();
    let recorder = harness::recorder();
    let sdk = harness::intercepted_sdk(&emulator, &recorder);
    let mut calls = Vec::new();
    for sample in samples::all().unwrap() {
        let output = sdk
            .invoke_model()
            .model_id(sample.model_id)
            .body(Blob::new(sample.request.clone()))
            .send()
            .await
            .unwrap();
        assert_eq!(output.body().as_ref(), sample.response.as_slice());
        calls.push((sample.clone(), output.request_id().unwrap().to_owned()));
    }
    assert_live_equals_offline(&recorder.harvest(), &calls);
}

#[test]
fn every_family_through_the_blocking_client() {
    // The emulator serves from its own runtime's worker threads while this thread blocks.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime.block_on(Emulator::builder().start()).unwrap();
    let recorder = harness::recorder();
    let client = BlockingClient::new(harness::client(&emulator, &recorder)).unwrap();
    let mut calls = Vec::new();
    for sample in samples::all().unwrap() {
        let output = client
            .invoke_raw(sample.model_id, sample.request.clone())
            .unwrap();
        assert_eq!(output.body().as_ref(), sample.response.as_slice());
        calls.push((sample.clone(), output.request_id().unwrap().to_owned()));
    }
    let titan = samples::all()
        .unwrap()
        .into_iter()
        .find(|s| s.family_slug == "titan_text")
        .unwrap();
    let request = bedrock_llm_models::amazon::TitanText::decode_request(&titan.request).unwrap();
    let typed = client
        .invoke::<bedrock_llm_models::amazon::TitanText>(titan.model_id, &request)
        .unwrap();
    assert_eq!(typed.results.len(), 1);
    let harvest = recorder.harvest();
    let mut raw_only = harvest.clone();
    raw_only.events.truncate(harvest.events.len() - 3);
    assert_live_equals_offline(&raw_only, &calls);
    drop(emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blocking_client_refuses_to_run_inside_a_runtime() {
    let emulator = Emulator::builder().start().await.unwrap();
    let recorder = harness::recorder();
    assert!(matches!(
        BlockingClient::new(harness::client(&emulator, &recorder)),
        Err(BlockingError::InsideAsyncRuntime)
    ));
    // Built outside, called inside: an error, not a panic; dropped inside: no panic either.
    let client = {
        let client = harness::client(&emulator, &recorder);
        std::thread::spawn(move || BlockingClient::new(client).unwrap())
            .join()
            .unwrap()
    };
    let result = client.invoke_raw(
        "meta.llama3-70b-instruct-v1:0",
        b"{\"prompt\": \"x\"}".to_vec(),
    );
    assert!(matches!(result, Err(BlockingError::InsideAsyncRuntime)));
    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("use the async client")
    );
    drop(client);
    assert!(emulator.requests().is_empty());
}

/// Each fault, by the model ID it is scripted on, and what the caller must see.
const FAULTS: &[(&str, &str)] = &[
    (
        "fault.throttling-v1",
        "err service_error Some(429) Some(\"ThrottlingException\")",
    ),
    (
        "fault.validation-v1",
        "err service_error Some(400) Some(\"ValidationException\")",
    ),
    (
        "fault.access-denied-v1",
        "err service_error Some(403) Some(\"AccessDeniedException\")",
    ),
    (
        "fault.internal-v1",
        "err service_error Some(500) Some(\"InternalServerException\")",
    ),
    (
        "fault.unavailable-v1",
        "err service_error Some(503) Some(\"ServiceUnavailableException\")",
    ),
    ("fault.dropped-v1", "err dispatch_failure None None"),
    ("fault.slow-v1", "err timeout None None"),
];

async fn fault_emulator() -> Emulator {
    Emulator::builder()
        .fault("fault.throttling-v1", Fault::Throttling)
        .fault("fault.validation-v1", Fault::Validation)
        .fault("fault.access-denied-v1", Fault::AccessDenied)
        .fault("fault.internal-v1", Fault::InternalServer)
        .fault("fault.unavailable-v1", Fault::ServiceUnavailable)
        .fault("fault.dropped-v1", Fault::DropConnection)
        .fault("fault.slow-v1", Fault::Slow(Duration::from_millis(600)))
        .fault("meta.llama3-8b-instruct-v1:0", Fault::MalformedBody)
        .start()
        .await
        .unwrap()
}

/// A client config with a 200 ms attempt timeout, so the slow fault times out.
fn short_timeout(emulator: &Emulator) -> aws_sdk_bedrockruntime::Config {
    let mut target = emulator.sdk_target();
    target.attempt_timeout = Some(Duration::from_millis(200));
    bedrock_llm_core::client::sdk_config(&target)
}

fn assert_error_recorded(harvest: &Harvest, expected: &str) {
    assert_eq!(harvest.error_reports.len(), 1, "{expected}");
    let report = &harvest.error_reports[0];
    let summary = &harvest.events[0];
    assert_eq!(
        summary.get(attr::ERROR).and_then(|v| v.as_bool()),
        Some(true),
        "{expected}"
    );
    assert_eq!(report.completion_id.as_deref(), summary.get_str(attr::ID));
    if let Some(status) = expected
        .split(' ')
        .nth(2)
        .and_then(|s| s.strip_prefix("Some("))
        .and_then(|s| s.strip_suffix(')'))
    {
        assert_eq!(
            report.http_status.map(|s| s.to_string()).as_deref(),
            Some(status)
        );
        assert!(
            expected.contains(&report.code),
            "{expected} vs {}",
            report.code
        );
        // A service error has a request id from the error response's headers.
        assert!(summary.get_str(attr::REQUEST_ID).is_some());
    } else {
        assert_eq!(report.http_status, None);
        let kind = expected.split(' ').nth(1).unwrap();
        assert_eq!(report.code, kind);
    }
    assert!(report.message.as_deref().is_some_and(|m| !m.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_through_every_path() {
    let emulator = fault_emulator().await;
    let body = br#"{"prompt": "hello"}"#.to_vec();
    let plain = aws_sdk_bedrockruntime::Client::from_conf(short_timeout(&emulator));
    for (model_id, expected) in FAULTS {
        let reference = outcome(
            &plain
                .invoke_model()
                .model_id(*model_id)
                .body(Blob::new(body.clone()))
                .send()
                .await,
        );
        assert!(reference.starts_with(expected), "{reference}");

        // Async client.
        let recorder = harness::recorder();
        let client = Client::new(
            aws_sdk_bedrockruntime::Client::from_conf(short_timeout(&emulator)),
            bedrock_llm_models::new_registry(),
            recorder.clone(),
        );
        assert_eq!(
            outcome(&client.invoke_raw(model_id, body.clone()).await),
            reference,
            "async {model_id}"
        );
        assert_error_recorded(&recorder.harvest(), expected);

        // Interceptor on a user's client.
        let recorder = harness::recorder();
        let interceptor = bedrock_llm_core::client::RecordingInterceptor::new(
            Arc::new(bedrock_llm_models::new_registry()),
            recorder.clone(),
        );
        let sdk = aws_sdk_bedrockruntime::Client::from_conf(
            short_timeout(&emulator)
                .to_builder()
                .interceptor(interceptor)
                .build(),
        );
        let result = sdk
            .invoke_model()
            .model_id(*model_id)
            .body(Blob::new(body.clone()))
            .send()
            .await;
        assert_eq!(outcome(&result), reference, "interceptor {model_id}");
        assert_error_recorded(&recorder.harvest(), expected);

        // Blocking client, from a thread outside the runtime.
        let recorder = harness::recorder();
        let config = short_timeout(&emulator);
        let (model, body, rec) = (model_id.to_string(), body.clone(), recorder.clone());
        let blocking = std::thread::spawn(move || {
            let client = BlockingClient::new(Client::new(
                aws_sdk_bedrockruntime::Client::from_conf(config),
                bedrock_llm_models::new_registry(),
                rec,
            ))
            .unwrap();
            match client.invoke_raw(&model, body) {
                Ok(output) => outcome(&Ok(output)),
                Err(BlockingError::Call(error)) => outcome(&Err(error)),
                Err(other) => format!("blocking error: {other}"),
            }
        })
        .join()
        .unwrap();
        assert_eq!(blocking, reference, "blocking {model_id}");
        assert_error_recorded(&recorder.harvest(), expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_body_reaches_the_caller_and_is_counted_not_raised() {
    let emulator = fault_emulator().await;
    let recorder = harness::recorder();
    let client = harness::client(&emulator, &recorder);
    let body = br#"{"prompt": "hello", "max_gen_len": 5}"#.to_vec();
    let output = client
        .invoke_raw("meta.llama3-8b-instruct-v1:0", body)
        .await
        .unwrap();
    assert_eq!(
        output.body().as_ref(),
        b"{\"completion\": \"cut off mid-str"
    );
    let harvest = recorder.harvest();
    assert_eq!(
        harvest
            .metrics
            .get(metric::EXTRACTION_ERROR)
            .map(|m| m.count),
        Some(1)
    );
    let summary = &harvest.events[0];
    assert_eq!(summary.get(attr::ERROR), None, "the call itself succeeded");
    assert_eq!(
        summary.get_i64(attr::TOTAL_TOKENS),
        Some(8),
        "header counts still recorded"
    );
    // The typed call reports the body problem to its caller, with family and path.
    let request =
        bedrock_llm_models::meta::Llama::decode_request(br#"{"prompt": "hello"}"#).unwrap();
    let error = client
        .invoke::<bedrock_llm_models::meta::Llama>("meta.llama3-8b-instruct-v1:0", &request)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("Llama response body"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_response_within_the_timeout_is_timed() {
    let emulator = Emulator::builder()
        .fault(
            "meta.llama3-70b-instruct-v1:0",
            Fault::Slow(Duration::from_millis(300)),
        )
        .start()
        .await
        .unwrap();
    let recorder = harness::recorder();
    let client = harness::client(&emulator, &recorder);
    client
        .invoke_raw(
            "meta.llama3-70b-instruct-v1:0",
            br#"{"prompt": "x"}"#.to_vec(),
        )
        .await
        .unwrap();
    let harvest = recorder.harvest();
    let duration = harvest.events[0]
        .get(attr::DURATION)
        .and_then(|v| v.as_f64())
        .unwrap();
    assert!(duration >= 300.0, "{duration}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_requests_are_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emulator = Emulator::builder().start().await.unwrap();
    let mut stream = tokio::net::TcpStream::connect(emulator.addr())
        .await
        .unwrap();
    let request = "POST /model/meta.llama3-70b-instruct-v1%3A0/invoke HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 403"), "{response}");
    assert!(response.contains("InvalidSignatureException"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_own_model_is_served_and_recorded() {
    use bedrock_llm_tests::acme::{AcmeEcho, EchoOutput, EchoRequest, EchoResponse};
    let emulator = Emulator::builder()
        .respond::<AcmeEcho>(|request: &EchoRequest| EchoResponse {
            id: bedrock_llm_core::NumberOrString::String("echo-1".into()),
            model: Some("echo-2026".into()),
            outputs: vec![EchoOutput {
                text: format!("{} messages", request.messages.len()),
                stop_reason: Some("end_turn".into()),
            }],
            usage: None,
        })
        .start()
        .await
        .unwrap();
    let recorder = harness::recorder();
    let mut registry = bedrock_llm_models::new_registry();
    registry.register::<AcmeEcho>();
    let client = Client::new(harness::plain_sdk(&emulator), registry, recorder.clone());
    let request = EchoRequest {
        system: None,
        messages: Vec::new(),
        generation_config: None,
        tools: Vec::new(),
    };
    let typed = client
        .invoke::<AcmeEcho>("us.acme.echo-v1", &request)
        .await
        .unwrap();
    assert_eq!(typed.outputs[0].text, "0 messages");
    let raw = client
        .invoke_raw(
            "acme.echo-v2",
            br#"{"messages": [{"role": "user", "content": "hi"}]}"#.to_vec(),
        )
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(raw.body().as_ref()).contains("1 messages"));
    let harvest = recorder.harvest();
    let responses: Vec<&str> = harvest
        .events
        .iter()
        .filter_map(|e| e.get_str(attr::RESPONSE_ID))
        .collect();
    assert_eq!(responses, vec!["echo-1", "echo-1"]);
}

/// A response body and status for the next call, shared with the emulator's handler.
type Scripted = Arc<Mutex<(u16, Vec<u8>)>>;

fn scripted_emulator(
    script: Scripted,
) -> impl std::future::Future<Output = std::io::Result<Emulator>> {
    Emulator::builder()
        .respond_raw("anthropic.claude-3-haiku-20240307-v1:0", move |_| {
            let (status, body) = script.lock().unwrap().clone();
            let mut response = EmulatedResponse::json(body, Some(1), Some(2));
            response.status = status;
            if status >= 400 {
                response
                    .headers
                    .push(("x-amzn-ErrorType".into(), "ThrottlingException".into()));
            }
            response
        })
        .start()
}

fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        any::<String>().prop_map(|s| serde_json::json!({"id": s, "content": [{"type": "text", "text": s}], "stop_reason": "end_turn"}).to_string().into_bytes()),
        any::<String>().prop_map(|s| serde_json::json!({"content": s, "usage": {"input_tokens": -1}}).to_string().into_bytes()),
        Just(b"{\"content\": [".to_vec()),
    ]
}

#[test]
fn caller_results_are_identical_with_instrumentation_on_and_off() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let script: Scripted = Arc::new(Mutex::new((200, Vec::new())));
    let emulator = runtime.block_on(scripted_emulator(script.clone())).unwrap();
    let recorder = Arc::new(Recorder::new(Config::default().enabled()));
    let instrumented = harness::client(&emulator, &recorder);
    let plain = harness::plain_sdk(&emulator);
    let request = br#"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}"#;
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(
                body_strategy(),
                prop_oneof![Just(200u16), Just(429u16), Just(500u16)],
            ),
            |(body, status)| {
                *script.lock().unwrap() = (status, body);
                let model = "anthropic.claude-3-haiku-20240307-v1:0";
                let with = runtime.block_on(instrumented.invoke_raw(model, request.to_vec()));
                let without = runtime.block_on(
                    plain
                        .invoke_model()
                        .model_id(model)
                        .body(Blob::new(request.to_vec()))
                        .send(),
                );
                prop_assert_eq!(outcome(&with), outcome(&without));
                Ok(())
            },
        )
        .unwrap();
    // Every instrumented call was recorded exactly once.
    let harvest = recorder.harvest();
    let summaries = events_of_type(&harvest.events, "LlmChatCompletionSummary").len();
    assert_eq!(
        summaries as u64,
        harvest
            .metrics
            .get("Llm/completion/Bedrock/InvokeModel")
            .unwrap()
            .count
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_the_sdk_cannot_build_is_recorded_as_a_construction_failure() {
    let emulator = Emulator::builder().start().await.unwrap();
    let recorder = harness::recorder();
    let client = harness::client(&emulator, &recorder);
    // No model ID: the SDK fails before sending anything.
    let builder = client.sdk().invoke_model().body(Blob::new(b"{}".to_vec()));
    let with = client.send(builder).await;
    let without = harness::plain_sdk(&emulator)
        .invoke_model()
        .body(Blob::new(b"{}".to_vec()))
        .send()
        .await;
    assert!(
        outcome(&with).starts_with("err construction_failure"),
        "{}",
        outcome(&with)
    );
    assert_eq!(outcome(&with), outcome(&without));
    let harvest = recorder.harvest();
    assert_eq!(harvest.error_reports.len(), 1);
    assert_eq!(harvest.error_reports[0].code, "construction_failure");
    assert_eq!(harvest.error_reports[0].http_status, None);
    assert!(emulator.requests().is_empty());
}
