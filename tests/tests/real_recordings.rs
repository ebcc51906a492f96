//! Every real recorded exchange under `tests/fixtures/bedrock/` (recordings from the test suites
//! of New Relic's Python agent, OpenTelemetry's botocore instrumentation, OpenLLMetry,
//! pydantic-ai and OpenInference) held to what the recording itself says — `expected.json`, written from the recorded bodies by the
//! vendors' documented rules, never by our adapters:
//!
//! - whole responses through the registry (InvokeModel) or replay (Converse);
//! - streams replayed as `InvokeModelWithResponseStream` log records, and the same recorded
//!   frames served by the emulator to the real SDK client, with the same record from both;
//! - ConverseStream frames through the client;
//! - recorded error responses through the client: the code and status Bedrock sent.

use std::sync::Arc;

use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
use bedrock_llm_core::client::Client;
use bedrock_llm_core::{Invocation, Operation};
use bedrock_llm_emulator::{EmulatedResponse, Emulator};
use bedrock_llm_logs::{ModelInvocationLog, replay};
use bedrock_llm_tests::fixtures::{self, FixtureCase};
use bedrock_llm_tests::harness::Captured;
use serde_json::{Value, json};

const REAL: &[&str] = &[
    "recorded",
    "newrelic",
    "otel-contrib",
    "openllmetry",
    "pydantic-ai",
    "openinference",
];

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
            // Reasoning is a part of its own, in order, and never answer text.
            let reasoning: Vec<&str> = response
                .messages
                .iter()
                .flat_map(|m| &m.parts)
                .filter_map(|part| match part {
                    bedrock_llm_core::Part::Reasoning { content } => Some(content.as_str()),
                    _ => None,
                })
                .collect();
            let want: Vec<&str> = expected["reasoning_blocks"]
                .as_array()
                .map(|blocks| blocks.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            assert_eq!(reasoning, want, "{what}: reasoning");
            for thought in want.iter().filter(|t| t.trim().len() > 8) {
                assert!(
                    !content.contains(thought.trim()),
                    "{what}: reasoning in the answer"
                );
            }
        }
        other => panic!("{what}: kind {other:?}"),
    }
    // Tool calls, whole or streamed, come out as parts with the recording's ids, names and
    // arguments (streamed: the argument pieces joined and parsed).
    let calls: Vec<(Option<String>, String, Option<Value>)> = response
        .messages
        .iter()
        .flat_map(|m| &m.parts)
        .filter_map(|part| match part {
            bedrock_llm_core::Part::ToolCall {
                id,
                name,
                arguments,
            } => Some((id.clone(), name.clone(), arguments.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(calls, recorded_tool_calls(case), "{what}: tool calls");
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

/// The tool calls the recording holds, read straight from its bodies (the oracle for
/// [`check`]): Claude `tool_use` blocks, Nova and Converse `toolUse` blocks — and in streams
/// the block starts with their `input_json_delta` / `delta.toolUse.input` pieces joined.
fn recorded_tool_calls(case: &FixtureCase) -> Vec<(Option<String>, String, Option<Value>)> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let mut calls = Vec::new();
    if let Some(chunks) = &case.chunks {
        // (id, name, pieces) per started call, in order.
        let mut started: Vec<(Option<String>, String, String)> = Vec::new();
        for chunk in chunks {
            if chunk["type"] == "content_block_start"
                && chunk["content_block"]["type"] == "tool_use"
            {
                let block = &chunk["content_block"];
                started.push((
                    text(&block["id"]),
                    text(&block["name"]).unwrap(),
                    String::new(),
                ));
            }
            if let Some(piece) = chunk["delta"]["partial_json"].as_str() {
                started.last_mut().unwrap().2.push_str(piece);
            }
            let tool = &chunk["contentBlockStart"]["start"]["toolUse"];
            if tool.is_object() {
                started.push((
                    text(&tool["toolUseId"]),
                    text(&tool["name"]).unwrap(),
                    String::new(),
                ));
            }
            if let Some(piece) = chunk["contentBlockDelta"]["delta"]["toolUse"]["input"].as_str() {
                started.last_mut().unwrap().2.push_str(piece);
            }
        }
        for (id, name, pieces) in started {
            let arguments = if pieces.is_empty() {
                Some(json!({}))
            } else {
                Some(serde_json::from_str(&pieces).unwrap())
            };
            calls.push((id, name, arguments));
        }
        return calls;
    }
    let Some(body) = &case.response else {
        return calls;
    };
    let body: Value = serde_json::from_slice(body).unwrap();
    let blocks = body["content"]
        .as_array()
        .or(body["output"]["message"]["content"].as_array())
        .cloned()
        .unwrap_or_default();
    for block in blocks {
        if block["type"] == "tool_use" {
            calls.push((
                text(&block["id"]),
                text(&block["name"]).unwrap(),
                Some(block["input"].clone()),
            ));
        }
        let tool = &block["toolUse"];
        if tool.is_object() {
            calls.push((
                text(&tool["toolUseId"]),
                text(&tool["name"]).unwrap(),
                Some(tool["input"].clone()),
            ));
        }
    }
    calls
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

/// An emulator answering streamed calls to the case's model with its recorded frames.
async fn serving_recorded_stream(case: &FixtureCase) -> Emulator {
    Emulator::builder()
        .respond_stream_recorded(&case.model_id, case.wire.as_deref().unwrap())
        .start()
        .await
        .unwrap()
}

/// A plain SDK client aimed at `emulator`, the instrumented client over it, and what it records.
fn clients(emulator: &Emulator) -> (aws_sdk_bedrockruntime::Client, Client, Arc<Captured>) {
    let captured = Arc::new(Captured::default());
    let sdk = aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config());
    let client = Client::new(
        sdk.clone(),
        bedrock_llm_models::new_registry(),
        captured.clone(),
    );
    (sdk, client, captured)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_frames_through_the_client_give_the_replayed_record() {
    let cases: Vec<FixtureCase> = real_cases()
        .into_iter()
        .filter(|c| c.wire.is_some() && c.group() != "converse")
        .collect();
    assert!(cases.len() >= 20, "{} recorded streams", cases.len());
    for case in cases {
        let emulator = serving_recorded_stream(&case).await;
        let (_, client, captured) = clients(&emulator);
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
        let emulator = serving_recorded_stream(&case).await;
        let (sdk, client, captured) = clients(&emulator);
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
        let (_, client, captured) = clients(&emulator);
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

/// A chunk's shape: its keys and, one level down, the keys of objects (and of the first element
/// of arrays) — leaving out Bedrock's own `amazon-bedrock-*` keys and the `p` padding.
fn shape(chunk: &Value) -> std::collections::BTreeSet<String> {
    let mut keys = std::collections::BTreeSet::new();
    let Some(map) = chunk.as_object() else {
        return keys;
    };
    for (key, value) in map {
        if key.starts_with("amazon-bedrock-") || key == "p" {
            continue;
        }
        let tag = map.get("type").and_then(Value::as_str).unwrap_or_default();
        keys.insert(format!("{tag}:{key}"));
        let inner = match value {
            Value::Array(items) => items.first(),
            other => Some(other),
        };
        if let Some(Value::Object(inner)) = inner {
            for sub in inner.keys().filter(|k| *k != "p") {
                keys.insert(format!("{tag}:{key}.{sub}"));
            }
        }
    }
    keys
}

/// Where the finish reason and Bedrock's metrics sit, counted from the end of the stream.
fn landmarks(chunks: &[Value]) -> (Option<usize>, Option<usize>) {
    let from_end = |found: Option<usize>| found.map(|at| chunks.len() - 1 - at);
    let reason = chunks.iter().rposition(|c| {
        let text = c.to_string();
        [
            "stop_reason\":\"",
            "completionReason\":\"",
            "finish_reason\":\"",
            "stopReason\":\"",
        ]
        .iter()
        .any(|k| text.contains(k))
    });
    let metrics = chunks
        .iter()
        .rposition(|c| c.get("amazon-bedrock-invocationMetrics").is_some());
    (from_end(reason), from_end(metrics))
}

#[test]
fn the_stream_generator_streams_what_bedrock_streams() {
    let real = real_cases();
    let mut checked = Vec::new();
    for sample in bedrock_llm_models::samples::all().unwrap() {
        let Some(synthesized) = bedrock_llm_models::samples::stream_chunks(&sample, &mut |t| {
            bedrock_llm_models::samples::pieces(t, 7)
        }) else {
            continue;
        };
        let groups: &[&str] = match sample.family_slug {
            "llama" => &["llama2", "llama3"],
            other => &[other],
        };
        let recorded: Vec<&FixtureCase> = real
            .iter()
            .filter(|c| groups.contains(&c.group()) && c.chunks.is_some())
            // Streams cut short or stopped by a guardrail end differently by design.
            .filter(|c| expected(c)["stream"] == "complete" && !c.name.contains("guardrail"))
            .collect();
        if recorded.is_empty() {
            continue; // No real stream of this family recorded yet (Command R, Mistral chat, Jamba).
        }
        let real_shapes: std::collections::BTreeSet<_> = recorded
            .iter()
            .flat_map(|c| c.chunks.as_ref().unwrap().iter().map(shape))
            .collect();
        // Extended-thinking blocks have no real recording yet: their chunks follow Anthropic's
        // documentation alone.
        for chunk in synthesized
            .iter()
            .filter(|c| !c.to_string().contains("\"thinking"))
        {
            assert!(
                real_shapes.contains(&shape(chunk)),
                "{}/{}: the generator sends {chunk} (shape {:?}); real {} streams send only {real_shapes:#?}",
                sample.family_slug,
                sample.case,
                shape(chunk),
                sample.family_slug
            );
        }
        let real_landmarks: std::collections::BTreeSet<_> = recorded
            .iter()
            .map(|c| landmarks(c.chunks.as_ref().unwrap()))
            .collect();
        assert!(
            real_landmarks.contains(&landmarks(&synthesized)),
            "{}/{}: finish reason and metrics at {:?} from the end; real streams: {real_landmarks:?}",
            sample.family_slug,
            sample.case,
            landmarks(&synthesized)
        );
        checked.push(sample.family_slug);
    }
    checked.dedup();
    assert_eq!(
        checked,
        [
            "claude_text",
            "claude_messages",
            "titan_text",
            "nova",
            "llama",
            "cohere_command",
            "mistral_text"
        ],
        "families whose generated streams were checked against real ones"
    );
}

#[test]
fn a_claude_stream_without_content_block_start_or_message_stop_still_gives_its_text() {
    // Two real streams, cut the ways Bedrock streams are seen cut: the deltas arrive without
    // a `content_block_start` before them, and (recorded) the stream ends at
    // `content_block_stop`, before `message_delta` and `message_stop`.
    let real = real_cases();
    let complete = real
        .iter()
        .find(|c| c.name == "newrelic/claude_messages/stream_fahrenheit")
        .unwrap();
    let cut = real
        .iter()
        .find(|c| c.name == "newrelic/claude_messages/stream_conversation_instant")
        .unwrap();
    let without_start: Vec<Value> = complete
        .chunks
        .clone()
        .unwrap()
        .into_iter()
        .filter(|c| c["type"] != "content_block_start")
        .collect();
    let replayed = replay(
        &log_record(
            complete,
            "InvokeModelWithResponseStream",
            Value::Array(without_start),
        ),
        bedrock_llm_models::registry(),
    );
    check(complete, &replayed, "no content_block_start");

    let replayed = replay(
        &log_record(
            cut,
            "InvokeModelWithResponseStream",
            Value::Array(cut.chunks.clone().unwrap()),
        ),
        bedrock_llm_models::registry(),
    );
    check(cut, &replayed, "cut before message_stop");
    assert_eq!(expected(cut)["stream"], "cut off");
    assert!(replayed.response.unwrap().finish_reason.is_none());
}

#[test]
fn a_chunk_of_a_shape_no_adapter_knows_is_counted_not_dropped() {
    let registry = bedrock_llm_models::registry();
    for (model, chunk) in [
        (
            "cohere.command-text-v14",
            json!({"candidates": [{"output": "hi"}]}),
        ),
        (
            "mistral.mistral-7b-instruct-v0:2",
            json!({"choices": [{"delta": "hi"}]}),
        ),
        (
            "meta.llama3-8b-instruct-v1:0",
            json!({"token": {"text": "hi"}}),
        ),
    ] {
        let mut accumulator = bedrock_llm_core::StreamAccumulator::new(
            registry.resolve(model, None),
            bedrock_llm_core::DEFAULT_CONTENT_CAP,
        );
        accumulator.push(chunk.to_string().as_bytes(), std::time::Duration::ZERO);
        // Bedrock's metrics chunk and a known-but-empty chunk are not errors.
        accumulator.push(
            br#"{"amazon-bedrock-invocationMetrics": {"inputTokenCount": 1, "outputTokenCount": 1}}"#,
            std::time::Duration::ZERO,
        );
        let outcome = accumulator.finish();
        assert_eq!(outcome.errors_seen, 1, "{model}");
        // A chunk type whose fields are all optional reads any object as empty: that is where
        // an unknown shape used to vanish (Cohere's `generations` chunks did).
        let message = &outcome.errors[0].message;
        assert!(
            message.contains("a chunk of a shape this family does not know")
                || message.contains("missing field"),
            "{model}: {message}"
        );
        if model.starts_with("cohere.") {
            assert!(message.contains("keys (candidates)"), "{model}: {message}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_guardrail_rule_for_whole_bodies_streams_and_converse_live_and_replayed() {
    let real = real_cases();
    let case = |name: &str| real.iter().find(|c| c.name == name).unwrap();
    // A whole Titan body Bedrock marked `amazon-bedrock-guardrailAction: INTERVENED`.
    let titan = case("openllmetry/titan_text/guardrail_invoke");
    assert!(
        titan
            .invocation(bedrock_llm_models::registry())
            .guardrail_intervened
    );
    let body: Value = serde_json::from_slice(titan.response.as_ref().unwrap()).unwrap();
    let replayed = replay(
        &log_record(titan, "InvokeModel", body),
        bedrock_llm_models::registry(),
    );
    assert!(replayed.guardrail_intervened, "replayed");
    let response = titan.response.clone().unwrap();
    let emulator = Emulator::builder()
        .respond_raw(&titan.model_id, move |_| {
            EmulatedResponse::json(response.clone(), None, None)
        })
        .start()
        .await
        .unwrap();
    let (_, client, captured) = clients(&emulator);
    client
        .invoke_raw(&titan.model_id, titan.request.clone())
        .await
        .unwrap();
    assert!(captured.take().pop().unwrap().guardrail_intervened, "live");
    // A Converse answer whose stop reason says so.
    let converse = case("openllmetry/converse/guardrail_converse");
    let body: Value = serde_json::from_slice(converse.response.as_ref().unwrap()).unwrap();
    assert!(
        replay(
            &log_record(converse, "Converse", body),
            bedrock_llm_models::registry()
        )
        .guardrail_intervened
    );
    // A stream whose chunks carry the marker, replayed and live.
    let stream = case("openllmetry/titan_text/titan_invoke_stream_guardrail");
    let replayed = replay(
        &log_record(
            stream,
            "InvokeModelWithResponseStream",
            Value::Array(stream.chunks.clone().unwrap()),
        ),
        bedrock_llm_models::registry(),
    );
    assert!(replayed.guardrail_intervened, "replayed stream");
    let emulator = serving_recorded_stream(stream).await;
    let (_, client, captured) = clients(&emulator);
    let mut live = client
        .invoke_stream_raw(&stream.model_id, stream.request.clone())
        .await
        .unwrap();
    while live.recv().await.unwrap().is_some() {}
    drop(live);
    assert!(
        captured.take().pop().unwrap().guardrail_intervened,
        "live stream"
    );
    // And a call without a guardrail is not marked.
    let plain = case("newrelic/titan_text/invoke_fahrenheit");
    assert!(
        !plain
            .invocation(bedrock_llm_models::registry())
            .guardrail_intervened
    );
}

#[test]
fn one_error_classification_for_live_replayed_and_mid_stream_failures() {
    use bedrock_llm_core::InvocationError;
    use bedrock_llm_events::RuntimeMetrics;
    // (code as a service error, its documented status, the frame's spelling mid-stream)
    for (code, status) in [
        ("ValidationException", 400),
        ("AccessDeniedException", 403),
        ("ResourceNotFoundException", 404),
        ("ModelTimeoutException", 408),
        ("ModelErrorException", 424),
        ("ModelStreamErrorException", 424),
        ("ThrottlingException", 429),
        ("ModelNotReadyException", 429),
        ("InternalServerException", 500),
        ("ServiceUnavailableException", 503),
    ] {
        let frame = format!("{}{}", code[..1].to_ascii_lowercase(), &code[1..]);
        let ways = [
            InvocationError::new(code).with_status(status),
            InvocationError::new(code),
            InvocationError::new(frame).with_status(200),
        ];
        let mut classified = Vec::new();
        for error in ways {
            assert_eq!(error.status(), Some(status), "{code}: {error:?}");
            let mut invocation =
                Invocation::new("meta.llama3-8b-instruct-v1:0", Operation::InvokeModel);
            invocation.error = Some(error);
            let mut metrics = RuntimeMetrics::per_minute();
            metrics.add(&invocation);
            let (_, _, figures) = metrics.figures().next().unwrap();
            classified.push((
                figures.client_errors,
                figures.server_errors,
                figures.throttles,
            ));
        }
        assert!(
            classified.windows(2).all(|w| w[0] == w[1]),
            "{code}: {classified:?}"
        );
    }
}

/// A Llama stream whose twelve middle chunks are of a shape the family does not know, ending
/// with Bedrock's metrics: `invocationLatency` set far beyond any loopback call.
fn stream_with_unreadable_chunks() -> Vec<Value> {
    let mut chunks = vec![json!({"generation": "Hello", "prompt_token_count": 3,
        "generation_token_count": 1, "stop_reason": null})];
    chunks.extend((0..12).map(|i| json!({"token": {"text": format!("x{i}")}})));
    chunks.push(json!({"generation": " there", "generation_token_count": 2,
        "stop_reason": "stop", "amazon-bedrock-invocationMetrics": {"inputTokenCount": 3,
        "outputTokenCount": 2, "invocationLatency": 600_000, "firstByteLatency": 210}}));
    chunks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_duration_rule_and_every_unreadable_chunk_counted_live_and_replayed() {
    use bedrock_llm_core::client::RecordingInterceptor;
    use bedrock_llm_events::{CallContext, Config, Recorder, names::metric};
    use std::time::Duration;
    let model = "meta.llama3-8b-instruct-v1:0";
    let request = br#"{"prompt": "Hi", "max_gen_len": 32}"#.to_vec();
    let chunks = stream_with_unreadable_chunks();
    let record: ModelInvocationLog = serde_json::from_value(json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": "2024-04-18T22:54:57Z", "operation": "InvokeModelWithResponseStream",
        "modelId": model, "requestId": "r-1",
        "input": {"inputBodyJson": {"prompt": "Hi", "max_gen_len": 32}},
        "output": {"outputBodyJson": chunks.clone()},
    }))
    .unwrap();
    let replayed = replay(&record, bedrock_llm_models::registry());
    let emulator = Emulator::builder()
        .respond_stream_chunks(model, chunks.iter().map(|c| c.to_string().into_bytes()))
        .start()
        .await
        .unwrap();
    // The crate's own stream wrapper…
    let (sdk, client, captured) = clients(&emulator);
    let mut stream = client
        .invoke_stream_raw(model, request.clone())
        .await
        .unwrap();
    while stream.recv().await.unwrap().is_some() {}
    drop(stream);
    let wrapped = captured.take().pop().unwrap();
    // …and a plain SDK client with the interceptor.
    let interceptor = RecordingInterceptor::new(
        Arc::new(bedrock_llm_models::new_registry()),
        captured.clone(),
    );
    let plain = aws_sdk_bedrockruntime::Client::from_conf(
        sdk.config().to_builder().interceptor(interceptor).build(),
    );
    let output = plain
        .invoke_model_with_response_stream()
        .model_id(model)
        .body(aws_sdk_bedrockruntime::primitives::Blob::new(request))
        .send()
        .await
        .unwrap();
    let mut events = output.body;
    while events.recv().await.unwrap().is_some() {}
    drop(events);
    let tapped = captured.take().pop().unwrap();
    for (how, invocation) in [
        ("replayed", &replayed),
        ("wrapped", &wrapped),
        ("tapped", &tapped),
    ] {
        // Every unreadable chunk counted, the first few kept, the content intact.
        assert_eq!(invocation.extraction_error_count(), 12, "{how}");
        assert_eq!(invocation.extraction_errors.len(), 8, "{how}");
        let response = invocation.response.as_ref().unwrap();
        assert_eq!(response.messages[0].content, "Hello there", "{how}");
        let recorder = Recorder::new(Config::default().enabled());
        recorder.record(invocation, &CallContext::detached());
        let harvest = recorder.harvest();
        let counted = harvest.metrics.get(metric::EXTRACTION_ERROR).unwrap();
        assert_eq!(counted.count, 12, "{how}");
    }
    // Replayed: Bedrock's latencies. Live: the caller's clock, not Bedrock's figures.
    assert_eq!(replayed.timing.duration, Some(Duration::from_secs(600)));
    assert_eq!(
        replayed.timing.time_to_first_token,
        Some(Duration::from_millis(210))
    );
    for (how, live) in [("wrapped", &wrapped), ("tapped", &tapped)] {
        let duration = live.timing.duration.unwrap();
        let first = live.timing.time_to_first_token.unwrap();
        assert!(duration < Duration::from_secs(600), "{how}: {duration:?}");
        assert!(first <= duration, "{how}: {first:?} > {duration:?}");
        assert_ne!(first, Duration::from_millis(210), "{how}");
    }
}
