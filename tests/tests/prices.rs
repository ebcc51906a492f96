//! The shipped price table covers the models the registry routes: every sample's model ID
//! (bare, profile or ARN, as the samples send them) is priced, except the families named here
//! whose Bedrock price has no per-token or per-image form this table holds.

use bedrock_llm_core::{Invocation, Operation};
use bedrock_llm_events::cost::{CostOutcome, PriceTable, price};

/// Families the shipped table does not price, and why.
const UNPRICED: &[(&str, &str)] = &[
    (
        "twelvelabs.pegasus-",
        "billed per second of video, a unit the record does not carry",
    ),
    (
        "twelvelabs.marengo-",
        "billed per minute of video or audio and per text or image request, units the table does not hold",
    ),
    (
        "amazon.nova-reel-",
        "billed per second of video generated, a unit the table does not hold",
    ),
    (
        "luma.ray-",
        "billed per second of video generated, a unit the table does not hold",
    ),
];

#[test]
fn every_sample_model_is_priced_or_named_as_unpriced() {
    let table = PriceTable::embedded();
    let mut unpriced = Vec::new();
    let samples = bedrock_llm_models::samples::all().expect("samples");
    assert!(samples.len() >= 35, "{}", samples.len());
    for sample in &samples {
        let mut call = Invocation::new(sample.model_id, Operation::InvokeModel);
        call.region = Some("us-east-1".to_owned());
        let base = sample.model_id.trim_start_matches("us.");
        let known = UNPRICED.iter().any(|(prefix, _)| base.starts_with(prefix));
        match price(&call, &table) {
            CostOutcome::Priced(_) => {
                assert!(!known, "{} is priced now: update UNPRICED", sample.model_id)
            }
            other if !known => unpriced.push(format!("{}: {other:?}", sample.model_id)),
            _ => {}
        }
    }
    assert!(unpriced.is_empty(), "unpriced: {unpriced:#?}");
}

#[test]
fn claudes_one_hour_cache_writes_are_read_and_priced_apart() {
    use bedrock_llm_core::{BedrockModel as _, ModelResponse as _};
    let body = br#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4",
        "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn",
        "usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":0,
                 "cache_creation_input_tokens":1000,
                 "cache_creation":{"ephemeral_5m_input_tokens":600,"ephemeral_1h_input_tokens":400}}}"#;
    let model = "us.anthropic.claude-sonnet-4-20250514-v1:0";
    let request = br#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"#;
    let mut whole = Invocation::new(model, Operation::InvokeModel);
    whole.region = Some("us-east-1".to_owned());
    bedrock_llm_models::registry().read_bodies(&mut whole, Some(request), Some(body));
    let usage = whole.usage().expect("usage").0;
    assert_eq!(
        (
            usage.cache_write_input_tokens,
            usage.cache_write_1h_input_tokens
        ),
        (Some(1000), Some(400))
    );
    let cost = price(&whole, &PriceTable::embedded());
    // 600 × $3.75/M + 400 × $6/M.
    assert_eq!(cost.cost().expect("priced").cache_write.nanos(), 4_650_000);
    // The typed body keeps the breakdown when written back.
    let typed =
        bedrock_llm_models::anthropic::ClaudeMessages::decode_response(body).expect("decodes");
    let written: serde_json::Value =
        serde_json::from_slice(&typed.to_body().expect("encodes")).expect("json");
    assert_eq!(
        written["usage"]["cache_creation"]["ephemeral_1h_input_tokens"],
        400
    );
}

#[test]
fn claudes_one_hour_cache_writes_are_read_from_a_stream_too() {
    use bedrock_llm_core::{StreamAccumulator, adapter};
    let mut stream = StreamAccumulator::new(
        Some(adapter::<bedrock_llm_models::anthropic::ClaudeMessages>()),
        1 << 20,
    );
    for chunk in [
        r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"usage":{"input_tokens":10,"output_tokens":1,"cache_creation_input_tokens":1000,"cache_creation":{"ephemeral_5m_input_tokens":600,"ephemeral_1h_input_tokens":400}}}}"#,
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ok"}}"#,
        r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}"#,
        r#"{"type":"message_stop"}"#,
    ] {
        stream.push(chunk.as_bytes(), std::time::Duration::ZERO);
    }
    let usage = stream.finish().response.expect("a response").usage;
    assert_eq!(
        (
            usage.cache_write_input_tokens,
            usage.cache_write_1h_input_tokens
        ),
        (Some(1000), Some(400))
    );
}
