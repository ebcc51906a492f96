//! The assembler's call-path parts, on a made-up model: routing settled later, the answer's
//! head read from raw header bytes, [`FirstAdapters`] and [`SpareBuilders`] bounded, and a
//! reused builder reading exactly as a new one does. (Every real family goes through the
//! same reuse in the workspace's client tests, which compare live records with offline ones.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use super::{FirstAdapters, InvocationBuilder, SpareBuilders};
use crate::{
    ExchangeKind, InvocationError, ModelId, Operation, Registry, StreamEnd, TokenCount,
    bedrock_model,
};

/// A Llama-shaped text model; stream chunks have the response's keys.
#[bedrock_model(
    model,
    family = "Echo",
    ids = ["acme.echo*"],
    request = EchoRequest,
    response = EchoResponse,
    chunk = EchoResponse,
)]
#[derive(Debug, Clone, Copy)]
struct Echo;

#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
struct EchoRequest {
    #[llm(prompt)]
    prompt: String,
    #[llm(max_tokens)]
    max_gen_len: Option<u64>,
}

#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
struct EchoResponse {
    #[llm(completion)]
    generation: String,
    #[llm(input_tokens)]
    prompt_token_count: Option<TokenCount>,
    #[llm(output_tokens)]
    generation_token_count: Option<TokenCount>,
    #[llm(finish_reason)]
    stop_reason: Option<String>,
}

const ECHO: &str = "us.acme.echo-v1:0";
const REQUEST: &[u8] = br#"{"prompt": "Say hi", "max_gen_len": 64}"#;
const RESPONSE: &[u8] =
    br#"{"generation": "hi there", "prompt_token_count": 3, "generation_token_count": 2, "stop_reason": "stop"}"#;
const CHUNKS: [&[u8]; 3] = [
    br#"{"generation": "hi", "prompt_token_count": 3, "generation_token_count": 1, "stop_reason": null}"#,
    br#"{"generation": " there", "prompt_token_count": null, "generation_token_count": 2, "stop_reason": null}"#,
    br#"{"generation": "", "prompt_token_count": null, "generation_token_count": 2, "stop_reason": "stop"}"#,
];

/// A builder routed later, as a call path makes one, but in a box of its own (never reused).
fn routed_later(
    registry: Arc<Registry>,
    model_id: &str,
    operation: Operation,
    first: &FirstAdapters,
) -> InvocationBuilder {
    let mut builder = InvocationBuilder::blank(None);
    builder.begin_routed_later(registry, model_id, operation, first);
    builder
}

fn registry() -> Arc<Registry> {
    let mut registry = Registry::new();
    registry.register::<Echo>();
    Arc::new(registry)
}

#[test]
fn routed_later_knows_the_kind_at_once_and_parses_the_id_when_read() {
    let builder = routed_later(
        registry(),
        ECHO,
        Operation::InvokeModel,
        &FirstAdapters::new(),
    );
    assert_eq!(builder.kind(), Some(ExchangeKind::TextCompletion));
    let record = builder.finish();
    assert!(record.parsed_model_id.is_some());
    assert_eq!(record.parsed_model_id, ModelId::parse(ECHO).ok());
    assert_eq!(record.family, Some("Echo"));
}

#[test]
fn first_adapters_answer_as_the_registry_does_and_stay_bounded() {
    let registry = registry();
    let first = FirstAdapters::new();
    let mut ids: Vec<String> = vec![
        ECHO.to_owned(),
        "acme.echo".to_owned(),
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
    let mut builder = routed_later(
        registry(),
        ECHO,
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

    let mut fallback = InvocationBuilder::with_adapter(ECHO, Operation::InvokeModel, None);
    fallback.response_head(500, [("x-amz-request-id", b"req-2".as_slice())]);
    assert_eq!(fallback.finish().request_id.as_deref(), Some("req-2"));
}

/// Feeds a call to `builder` as the interceptor does (no clock, so two records compare).
fn capture(builder: &mut InvocationBuilder, streamed: bool, failed: bool) {
    builder
        .copy_request_body(REQUEST)
        .response_head(200, [("x-amzn-requestid", b"req-1".as_slice())]);
    if streamed {
        for chunk in CHUNKS {
            builder.stream_chunk(chunk.to_vec());
        }
        builder.end_stream(StreamEnd::Completed);
    } else {
        builder.copy_response_body(RESPONSE);
    }
    if failed {
        builder.fail(InvocationError::new("ThrottlingException").with_message("slow down"));
    }
}

#[test]
fn a_reused_builder_reads_every_call_as_a_new_one_does() {
    let registry = registry();
    let first = FirstAdapters::new();
    let spare = SpareBuilders::new();
    // Whole, streamed, failed, then whole again: each reuses the box the one before gave
    // back, so state left over from any of them would show in the next record.
    let ways = [
        (Operation::InvokeModel, false, false),
        (Operation::InvokeModelWithResponseStream, true, false),
        (Operation::InvokeModel, false, true),
        (Operation::InvokeModelWithResponseStream, true, true),
        (Operation::InvokeModel, false, false),
    ];
    for (operation, streamed, failed) in ways {
        let mut new = routed_later(Arc::clone(&registry), ECHO, operation, &first);
        let mut reused = spare.routed_later(Arc::clone(&registry), ECHO, operation, &first);
        for builder in [&mut new, &mut *reused] {
            capture(builder, streamed, failed);
        }
        let (new, reused) = (new.finish(), reused.finish_boxed());
        assert_eq!(new, reused, "{operation:?} failed={failed}");
        let response = new.response.as_ref().expect("a response view");
        assert_eq!(response.messages[0].content, "hi there", "{operation:?}");
        assert_eq!(response.usage.output_tokens, Some(2), "{operation:?}");
        assert_eq!(new.error.is_some(), failed);
        // The box came back, and the next call takes it again.
        assert_eq!(spare.len(), 1);
    }
}

#[test]
fn spare_builders_keep_a_bounded_number_and_bounded_buffers() {
    let registry = registry();
    let first = FirstAdapters::new();
    let spare = SpareBuilders::new();
    let large = vec![b' '; SpareBuilders::BUFFER_LIMIT + 1];
    // More calls at once than are kept; one with a body too large to keep a buffer for.
    let builders: Vec<_> = (0..SpareBuilders::LIMIT + 10)
        .map(|n| {
            let mut builder =
                spare.routed_later(Arc::clone(&registry), ECHO, Operation::InvokeModel, &first);
            builder.copy_request_body(if n == 0 { &large } else { REQUEST });
            builder
        })
        .collect();
    assert!(spare.is_empty());
    for builder in builders {
        drop(builder.finish_boxed());
    }
    assert_eq!(spare.len(), SpareBuilders::LIMIT);
    assert!(spare.buffer_bytes() <= SpareBuilders::LIMIT * SpareBuilders::BUFFER_LIMIT);
    assert!(
        spare.buffer_bytes() < (SpareBuilders::LIMIT - 1) * large.len(),
        "the large buffer was kept: {} bytes",
        spare.buffer_bytes()
    );
    // A builder made without a home is not kept.
    let alone = Box::new(routed_later(registry, ECHO, Operation::InvokeModel, &first));
    drop(alone.finish_boxed());
    assert_eq!(spare.len(), SpareBuilders::LIMIT);
}
