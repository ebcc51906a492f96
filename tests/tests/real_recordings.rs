//! Every real recorded exchange under `tests/fixtures/bedrock/` (recordings from the test suites
//! of New Relic's Python agent, OpenTelemetry's botocore instrumentation and OpenLLMetry) held
//! to what the recording itself says — `expected.json`, written from the recorded bodies by the
//! vendors' documented rules, never by our adapters:
//!
//! - whole responses through the registry (InvokeModel) or replay (Converse);
//! - streams replayed as `InvokeModelWithResponseStream` log records, and the same recorded
//!   frames served by the emulator to the real SDK client, with the same record from both;
//! - ConverseStream frames through the client;
//! - recorded error responses through the client: the code and status Bedrock sent.

use std::sync::Arc;

use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
use bedrock_llm_core::client::Client;
use bedrock_llm_core::{Invocation, Operation};
use bedrock_llm_emulator::{EmulatedResponse, Emulator};
use bedrock_llm_logs::{ModelInvocationLog, replay};
use bedrock_llm_tests::fixtures::{self, FixtureCase};
use bedrock_llm_tests::harness::Captured;
use serde_json::{Value, json};

const REAL: &[&str] = &["recorded", "newrelic", "otel-contrib", "openllmetry"];

fn real_cases() -> Vec<FixtureCase> {
    let cases: Vec<FixtureCase> = fixtures::cases()
        .into_iter()
        .filter(|c| REAL.contains(&c.source()))
        .collect();
    for case in &cases {
        assert!(
            case.expected.is_some(),
            "{}: run import/expected.py",
            case.name
        );
    }
    cases
}

fn expected(case: &FixtureCase) -> &Value {
    case.expected.as_ref().unwrap()
}

/// `invocation` says what the recording says: assistant text, finish reason, token counts.
fn check(case: &FixtureCase, invocation: &Invocation, how: &str) {
    let expected = expected(case);
    let what = format!("{} ({how})", case.name);
    assert!(
        invocation.extraction_errors.is_empty(),
        "{what}: {:?}",
        invocation.extraction_errors
    );
    let response = invocation
        .response
        .as_ref()
        .unwrap_or_else(|| panic!("{what}: no response"));
    match expected["kind"].as_str() {
        Some("embedding") => {
            let stats = response
                .embedding
                .unwrap_or_else(|| panic!("{what}: no embedding"));
            assert_eq!(
                stats.dimensions.map(|d| d as u64),
                expected["dimensions"].as_u64(),
                "{what}"
            );
        }
        Some("chat") => {
            let blocks: Vec<&str> = expected["text_blocks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_str().unwrap())
                .collect();
            let content = response.messages.first().map_or("", |m| m.content.as_str());
            if expected["other_blocks"] == json!(false) {
                assert_eq!(content, blocks.join("\n\n"), "{what}: assistant text");
            } else {
                // Tool calls are rendered between the text blocks; each text block is there,
                // in order.
                let mut rest = content;
                for block in blocks.iter().filter(|b| !b.is_empty()) {
                    let at = rest
                        .find(block)
                        .unwrap_or_else(|| panic!("{what}: {block:?} not in {content:?}"));
                    rest = &rest[at + block.len()..];
                }
            }
            assert_eq!(
                response.finish_reason.as_ref().map(|f| f.raw.as_str()),
                expected["finish_reason"].as_str(),
                "{what}: finish reason"
            );
        }
        other => panic!("{what}: kind {other:?}"),
    }
    let usage = invocation.usage().map(|(usage, _)| usage);
    for (key, got) in [
        ("input_tokens", usage.and_then(|u| u.input_tokens)),
        ("output_tokens", usage.and_then(|u| u.output_tokens)),
    ] {
        if let Some(want) = expected[key].as_u64() {
            assert_eq!(got, Some(want), "{what}: {key}");
        }
    }
}

/// The log record Bedrock writes for this exchange.
fn log_record(case: &FixtureCase, operation: &str, output: Value) -> ModelInvocationLog {
    let request: Value = serde_json::from_slice(&case.request).unwrap();
    let record = json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": "2024-04-18T22:54:57Z", "operation": operation, "modelId": case.model_id,
        "requestId": case.header("x-amzn-RequestId"),
        "input": {"inputBodyJson": request},
        "output": {"outputBodyJson": output},
    });
    serde_json::from_value(record).unwrap()
}

#[test]
fn whole_responses_say_what_the_recording_says() {
    let mut checked = 0;
    for case in real_cases() {
        let Some(response) = &case.response else {
            continue;
        };
        let invocation = if case.group() == "converse" {
            let body: Value = serde_json::from_slice(response).unwrap();
            replay(
                &log_record(&case, "Converse", body),
                bedrock_llm_models::registry(),
            )
        } else {
            case.invocation(bedrock_llm_models::registry())
        };
        check(&case, &invocation, "whole");
        checked += 1;
    }
    assert!(checked >= 55, "{checked} whole responses");
}

#[test]
fn streams_replayed_from_logs_say_what_the_recording_says() {
    let mut families = std::collections::BTreeSet::new();
    for case in real_cases() {
        let Some(chunks) = &case.chunks else { continue };
        if case.group() == "converse" {
            continue; // Bedrock logs a ConverseStream as one aggregated body, not events.
        }
        let record = log_record(
            &case,
            "InvokeModelWithResponseStream",
            Value::Array(chunks.clone()),
        );
        let invocation = replay(&record, bedrock_llm_models::registry());
        check(&case, &invocation, "replayed stream");
        families.insert(case.group().to_owned());
    }
    for family in [
        "claude_messages",
        "claude_text",
        "titan_text",
        "llama2",
        "cohere_command",
        "mistral_text",
        "nova",
    ] {
        assert!(
            families.contains(family),
            "no real {family} stream: {families:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_frames_through_the_client_give_the_replayed_record() {
    let cases: Vec<FixtureCase> = real_cases()
        .into_iter()
        .filter(|c| c.wire.is_some() && c.group() != "converse")
        .collect();
    assert!(cases.len() >= 20, "{} recorded streams", cases.len());
    for case in cases {
        let emulator = Emulator::builder()
            .respond_stream_recorded(&case.model_id, case.wire.as_deref().unwrap())
            .start()
            .await
            .unwrap();
        let captured = Arc::new(Captured::default());
        let client = Client::new(
            aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config()),
            bedrock_llm_models::new_registry(),
            captured.clone(),
        );
        let mut stream = client
            .invoke_stream_raw(&case.model_id, case.request.clone())
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", case.name));
        let mut events = 0;
        while let Some(event) = stream
            .recv()
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", case.name))
        {
            assert!(event.is_chunk(), "{}", case.name);
            events += 1;
        }
        drop(stream);
        assert_eq!(
            events,
            case.chunks.as_ref().unwrap().len(),
            "{}: the caller gets every chunk",
            case.name
        );
        let live = captured
            .take()
            .pop()
            .unwrap_or_else(|| panic!("{}: not recorded", case.name));
        check(&case, &live, "live stream");
        let replayed = replay(
            &log_record(
                &case,
                "InvokeModelWithResponseStream",
                Value::Array(case.chunks.clone().unwrap()),
            ),
            bedrock_llm_models::registry(),
        );
        let response = |i: &Invocation| {
            i.response
                .clone()
                .map(|r| (r.messages, r.finish_reason, r.response_id))
        };
        assert_eq!(
            response(&live),
            response(&replayed),
            "{}: live and replayed",
            case.name
        );
        assert_eq!(
            live.usage().map(|(u, _)| (u.input_tokens, u.output_tokens)),
            replayed
                .usage()
                .map(|(u, _)| (u.input_tokens, u.output_tokens)),
            "{}: tokens",
            case.name
        );
        assert_eq!(
            live.guardrail_intervened, replayed.guardrail_intervened,
            "{}",
            case.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_converse_streams_through_the_client() {
    let cases: Vec<FixtureCase> = real_cases()
        .into_iter()
        .filter(|c| c.wire.is_some() && c.group() == "converse")
        .collect();
    assert!(cases.len() >= 10, "{} converse streams", cases.len());
    for case in cases {
        let emulator = Emulator::builder()
            .respond_stream_recorded(&case.model_id, case.wire.as_deref().unwrap())
            .start()
            .await
            .unwrap();
        let captured = Arc::new(Captured::default());
        let sdk = aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config());
        let client = Client::new(
            sdk.clone(),
            bedrock_llm_models::new_registry(),
            captured.clone(),
        );
        let message = Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text("recorded".to_owned()))
            .build()
            .unwrap();
        let mut stream = client
            .converse_stream(
                sdk.converse_stream()
                    .model_id(&case.model_id)
                    .messages(message),
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", case.name));
        while stream
            .recv()
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", case.name))
            .is_some()
        {}
        drop(stream);
        let live = captured
            .take()
            .pop()
            .unwrap_or_else(|| panic!("{}: not recorded", case.name));
        assert_eq!(live.operation, Operation::ConverseStream);
        check(&case, &live, "live converse stream");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_errors_reach_the_caller_and_the_record_as_sent() {
    let cases: Vec<FixtureCase> = real_cases()
        .into_iter()
        .filter(|c| c.error.is_some())
        .collect();
    assert!(cases.len() >= 5, "{} error recordings", cases.len());
    for case in cases {
        let expected = expected(&case).clone();
        let status = case.status().unwrap();
        let headers: Vec<(String, String)> = case.http["response_headers"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("x-amzn-RequestId"))
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect();
        let body = serde_json::to_vec(case.error.as_ref().unwrap()).unwrap();
        let emulator = Emulator::builder()
            .respond_raw(&case.model_id, move |_| EmulatedResponse {
                status,
                headers: headers.clone(),
                body: body.clone(),
            })
            .start()
            .await
            .unwrap();
        let captured = Arc::new(Captured::default());
        let sdk = aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config());
        let client = Client::new(sdk, bedrock_llm_models::new_registry(), captured.clone());
        let result = client
            .invoke_raw(&case.model_id, case.request.clone())
            .await;
        let error = result.expect_err(&case.name);
        use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
        assert_eq!(
            error.code(),
            expected["code"].as_str(),
            "{}: the caller's error",
            case.name
        );
        let record = captured.take().pop().unwrap();
        let recorded = record
            .error
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no error recorded", case.name));
        assert_eq!(
            Some(recorded.code.as_str()),
            expected["code"].as_str(),
            "{}",
            case.name
        );
        assert_eq!(
            recorded.http_status.map(u64::from),
            expected["status"].as_u64(),
            "{}",
            case.name
        );
        assert_eq!(
            recorded.message.as_deref(),
            expected["message"].as_str(),
            "{}",
            case.name
        );
    }
}

/// Blob is used by the error test through the client; keep the import honest.
#[allow(dead_code)]
fn _blob(bytes: Vec<u8>) -> Blob {
    Blob::new(bytes)
}
