//! The Elastic renderer on hand-made records: every field a streamed call gives, guardrail
//! findings as policy and compliance fields, failures, huge bodies and content off.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bedrock_llm_core::{
    FinishReason, Invocation, InvocationError, Message, Operation, ResponseView, Role,
    ServiceMetrics, Usage, read_guardrail_trace,
};
use serde_json::{Value, json};

use super::{
    Bodies, Caller, MAX_KEYWORD, invocation_document, invocation_document_json, iso_millis,
};
use crate::Config;

const ARN: &str = "arn:aws:iam::111111111111:user/jane";

fn caller() -> Caller<'static> {
    Caller {
        account_id: Some("111111111111"),
        region: Some("us-east-1"),
        identity_arn: Some(ARN),
    }
}

fn streamed_claude() -> Invocation {
    let mut invocation = Invocation::new(
        "us.anthropic.claude-3-haiku-20240307-v1:0",
        Operation::InvokeModelWithResponseStream,
    );
    invocation.request_id = Some("req-1".into());
    invocation.timing.started_at_ms = 1_713_480_897_000;
    let mut message = Message::new(Role::Assistant, "Hello \"there\"");
    message.finish_reason = Some(FinishReason::from_raw("end_turn"));
    let mut response = ResponseView::default();
    response.messages.push(message);
    response.response_id = Some("msg_1".into());
    response.usage = Usage {
        input_tokens: Some(12),
        output_tokens: Some(3),
        ..Usage::default()
    };
    invocation.response = Some(response);
    invocation.stream_metrics = Some(ServiceMetrics {
        input_tokens: Some(12),
        output_tokens: Some(3),
        invocation_latency_ms: Some(900),
        first_byte_latency_ms: Some(250),
    });
    invocation
}

/// The document as a value, checked to be what the text writer writes.
fn document(invocation: &Invocation, request: &Value, response: &Value) -> Value {
    let request = request.to_string();
    let response = response.to_string();
    let bodies = Bodies {
        request: Some(request.as_bytes()),
        response: Some(response.as_bytes()),
    };
    let config = Config::default();
    let value = invocation_document(invocation, &caller(), &bodies, &config, "default");
    assert_eq!(
        invocation_document_json(invocation, &caller(), &bodies, &config, "default"),
        value.to_string()
    );
    value
}

#[test]
fn a_streamed_call_gives_elastic_fields_and_what_elastic_leaves_out() {
    let request = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 200,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi \"you\""},
            {"document": {"format": "pdf", "name": "a"}}]}]});
    let response = json!([
        {"type": "message_start", "message": {"id": "msg_1", "role": "assistant"}},
        {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "Hello"}},
        {"type": "message_stop", "amazon-bedrock-invocationMetrics":
            {"inputTokenCount": 12, "outputTokenCount": 3, "invocationLatency": 900, "firstByteLatency": 250}},
        "[DONE]"
    ]);
    let doc = document(&streamed_claude(), &request, &response);
    assert_eq!(doc["@timestamp"], "2024-04-18T22:54:57.000Z");
    assert_eq!(doc["event"]["action"], "InvokeModelWithResponseStream");
    assert_eq!(doc["event"]["outcome"], "success");
    assert_eq!(doc["cloud"]["account"]["id"], "111111111111");
    assert_eq!(doc["cloud"]["service"]["name"], "bedrock");
    assert_eq!(doc["user"]["id"], ARN);
    let gen_ai = &doc["gen_ai"];
    assert_eq!(gen_ai["user"]["id"], ARN);
    // Elastic would say `us`: the text before the first dot of a profile ID.
    assert_eq!(gen_ai["request"]["model"]["type"], "anthropic");
    assert_eq!(gen_ai["request"]["model"]["version"], "bedrock-2023-05-31");
    assert_eq!(gen_ai["request"]["model"]["role"], "assistant");
    assert_eq!(gen_ai["request"]["id"], "req-1");
    assert_eq!(gen_ai["response"]["id"], "msg_1");
    // Elastic leaves the finish reason of streams out.
    assert_eq!(gen_ai["response"]["finish_reasons"], "end_turn");
    assert_eq!(gen_ai["usage"]["prompt_tokens"], 12);
    assert_eq!(gen_ai["usage"]["completion_tokens"], 3);
    assert_eq!(gen_ai["performance"]["response_time"], 900);
    assert_eq!(gen_ai["performance"]["start_response_time"], 250);
    // Valid JSON, keys sorted, unlike Elastic's unescaped writer.
    let prompt: Value = serde_json::from_str(gen_ai["prompt"].as_str().unwrap()).unwrap();
    assert_eq!(prompt, request);
    assert!(
        gen_ai["prompt"]
            .as_str()
            .unwrap()
            .starts_with("{\"anthropic_version\"")
    );
    let record = &doc["aws_bedrock"]["invocation"];
    assert_eq!(
        record["input"]["messages_content_kinds"],
        json!(["text", "document/pdf"])
    );
    assert_eq!(record["output"]["completion_text"], "Hello \"there\"");
    let chunks = record["output"]["output_body_json"].as_array().unwrap();
    assert_eq!(
        chunks[2]["amazon_bedrock_invocation_metrics"]["invocation_latency"],
        900
    );
    assert_eq!(chunks[3], json!({"value": "[DONE]"}));
    assert_eq!(record["schema_type"], "ModelInvocationLog");
    assert_eq!(record["request_id"], "req-1");
    assert_eq!(record["input"]["input_token_count"], 12);
}

#[test]
fn an_intervening_guardrail_is_a_failure_with_its_findings() {
    let mut invocation = streamed_claude();
    let trace = json!({"guardrail": {"input": {"gr-1": {
        "contentPolicy": {"filters": [{"type": "VIOLENCE", "confidence": "HIGH", "action": "BLOCKED"}]},
        "wordPolicy": {"customWords": [{"match": "darn", "action": "BLOCKED"}]},
        "topicPolicy": {"topics": [{"name": "Finance", "type": "DENY", "action": "BLOCKED"}]}
    }}}});
    read_guardrail_trace(
        &trace,
        &mut invocation.guardrail_findings,
        &mut invocation.guardrails_assessed,
    );
    invocation.guardrail_intervened = true;
    let doc = document(&invocation, &json!({}), &json!([]));
    let gen_ai = &doc["gen_ai"];
    assert_eq!(doc["event"]["outcome"], "failure");
    assert_eq!(gen_ai["guardrail_id"], json!(["gr-1"]));
    assert_eq!(
        gen_ai["policy"]["name"],
        json!(["content_policy", "topic_policy", "word_policy"])
    );
    assert_eq!(gen_ai["policy"]["action"], json!(["BLOCKED"]));
    assert_eq!(gen_ai["policy"]["confidence"], json!(["HIGH"]));
    assert_eq!(
        gen_ai["policy"]["match_detail"],
        json!([{"match": "darn", "action": "BLOCKED"}])
    );
    assert_eq!(
        gen_ai["compliance"]["violation_code"],
        json!(["DENY", "VIOLENCE"])
    );
    assert_eq!(gen_ai["compliance"]["violation_detected"], true);

    // The same findings in observe mode (nothing intervened): a success, no violation flag.
    invocation.guardrail_intervened = false;
    let doc = document(&invocation, &json!({}), &json!([]));
    assert_eq!(doc["event"]["outcome"], "success");
    assert!(
        doc["gen_ai"]["compliance"]
            .get("violation_detected")
            .is_none()
    );
}

#[test]
fn failures_huge_bodies_and_content_off() {
    let mut invocation = streamed_claude();
    invocation.error = Some(InvocationError::new("ThrottlingException"));
    let huge = json!({"prompt": "x".repeat(MAX_KEYWORD + 10)});
    let doc = document(&invocation, &huge, &json!([]));
    assert_eq!(doc["event"]["outcome"], "failure");
    assert_eq!(
        doc["gen_ai"]["response"]["error_code"],
        "ThrottlingException"
    );
    assert_eq!(
        doc["aws_bedrock"]["invocation"]["error_code"],
        "ThrottlingException"
    );
    let input = &doc["aws_bedrock"]["invocation"]["input"];
    assert!(doc["gen_ai"].get("prompt").is_none());
    assert!(input.get("input_body_json").is_none());
    assert_eq!(
        input["input_body_json_massive_hash"]
            .as_str()
            .unwrap()
            .len(),
        40
    );
    assert!(
        doc["gen_ai"]["performance"]["request_size"]
            .as_u64()
            .unwrap()
            > MAX_KEYWORD as u64
    );

    let config = Config {
        record_content: false,
        ..Config::default()
    };
    let body = b"{\"prompt\":\"secret\"}";
    let doc = invocation_document(
        &invocation,
        &caller(),
        &Bodies {
            request: Some(body),
            response: Some(body),
        },
        &config,
        "prod",
    );
    assert!(!doc.to_string().contains("secret"));
    assert!(!doc.to_string().contains("Hello"));
    assert_eq!(doc["data_stream"]["namespace"], "prod");
}

#[test]
fn timestamps_keep_milliseconds() {
    assert_eq!(iso_millis(0), "1970-01-01T00:00:00.000Z");
    assert_eq!(iso_millis(1_713_480_897_042), "2024-04-18T22:54:57.042Z");
}

proptest::proptest! {
    /// The UTF-16 length Elastic measures bodies by, counted from the UTF-8 bytes.
    #[test]
    fn utf16_lengths_are_counted_from_bytes(text in "\\PC{0,40}", ascii in "[ -~]{0,40}") {
        for text in [&text, &ascii] {
            proptest::prop_assert_eq!(super::utf16_len(text), text.encode_utf16().count());
        }
    }
}

#[test]
fn every_key_in_the_rename_table_is_found_past_the_quick_filter() {
    for (from, to) in super::body::RENAMES {
        assert_eq!(super::body::renamed(from), Some(*to), "{from}");
    }
    assert_eq!(super::body::renamed("stop_reason"), None);
}
