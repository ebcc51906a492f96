//! What the assembler takes from a call path: routing settled without parsing on the call
//! path, the answer's head read from raw header bytes.

use std::sync::Arc;

use bedrock_llm_core::assemble::FirstAdapters;
use bedrock_llm_core::{ExchangeKind, InvocationBuilder, ModelId, Operation};

const CLAUDE: &str = "us.anthropic.claude-3-5-haiku-20241022-v1:0";

#[test]
fn routed_later_knows_the_kind_at_once_and_parses_the_id_when_read() {
    let registry = Arc::new(bedrock_llm_models::new_registry());
    let first = FirstAdapters::new();
    let builder = InvocationBuilder::routed_later(
        Arc::clone(&registry),
        CLAUDE,
        Operation::InvokeModel,
        &first,
    );
    assert_eq!(builder.kind(), Some(ExchangeKind::Chat));
    let record = builder.finish();
    assert_eq!(record.parsed_model_id, ModelId::parse(CLAUDE).ok());
    assert!(record.parsed_model_id.is_some());
    assert_eq!(
        record.family,
        registry.resolve(CLAUDE, None).map(|a| a.family())
    );
}

#[test]
fn first_adapters_answer_as_the_registry_does_and_stay_bounded() {
    let registry = bedrock_llm_models::new_registry();
    let first = FirstAdapters::new();
    let mut ids: Vec<String> = vec![
        CLAUDE.to_owned(),
        "amazon.titan-embed-text-v2:0".to_owned(),
        "meta.llama3-8b-instruct-v1:0".to_owned(),
        "no.such-model".to_owned(),
    ];
    ids.extend((0..FirstAdapters::LIMIT + 20).map(|n| format!("made.up-model-{n}")));
    // Twice: the second pass answers from what the first remembered.
    for _ in 0..2 {
        for id in &ids {
            assert_eq!(
                first.get(&registry, id).map(|a| a.family()),
                registry.resolve(id, None).map(|a| a.family()),
                "{id}"
            );
        }
    }
    assert_eq!(first.len(), FirstAdapters::LIMIT);
}

#[test]
fn the_head_is_read_from_header_bytes_in_any_case() {
    let registry = Arc::new(bedrock_llm_models::new_registry());
    let mut builder = InvocationBuilder::routed_later(
        registry,
        CLAUDE,
        Operation::InvokeModel,
        &FirstAdapters::new(),
    );
    builder.response_head(
        200,
        [
            ("Content-Type", b"application/json".as_slice()),
            ("X-Amzn-RequestId", b"req-1".as_slice()),
            ("x-amz-request-id", b"req-2".as_slice()),
            ("X-Amzn-Bedrock-Input-Token-Count", b" 12 ".as_slice()),
            ("x-amzn-bedrock-output-token-count", b"\xff\xfe".as_slice()),
            ("x-amzn-bedrock-invocation-latency", b"345".as_slice()),
        ],
    );
    assert_eq!(builder.status(), Some(200));
    let record = builder.finish();
    assert_eq!(record.request_id.as_deref(), Some("req-1"));
    assert_eq!(record.header_metrics.input_tokens, Some(12));
    // Not UTF-8: no count rather than a wrong one.
    assert_eq!(record.header_metrics.output_tokens, None);
    assert_eq!(record.header_metrics.invocation_latency_ms, Some(345));

    let mut fallback = InvocationBuilder::with_adapter(CLAUDE, Operation::InvokeModel, None);
    fallback.response_head(500, [("x-amz-request-id", b"req-2".as_slice())]);
    assert_eq!(fallback.finish().request_id.as_deref(), Some("req-2"));
}
