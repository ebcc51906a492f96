//! What the assembler takes from a call path: routing settled without parsing on the call
//! path, the answer's head read from raw header bytes, and builders reused from
//! `SpareBuilders` reading exactly as new ones do.

use std::sync::Arc;

use bedrock_llm_core::assemble::{FirstAdapters, SpareBuilders};
use bedrock_llm_core::{
    ExchangeKind, InvocationBuilder, InvocationError, ModelId, Operation, StreamEnd,
};
use bedrock_llm_models::samples::{self, Sample};
use serde_json::Value;

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

/// Feeds `sample` to `builder` as the interceptor does (no clock, so two records compare):
/// copied bodies, the head, and for a stream its chunks instead of the whole body.
fn capture(builder: &mut InvocationBuilder, sample: &Sample, chunks: Option<&[Value]>) {
    builder.copy_request_body(&sample.request).response_head(
        200,
        sample
            .headers
            .iter()
            .map(|(name, value)| (*name, value.as_bytes())),
    );
    match chunks {
        Some(chunks) => {
            for chunk in chunks {
                builder.stream_chunk(serde_json::to_vec(chunk).unwrap());
            }
            builder.end_stream(StreamEnd::Completed);
        }
        None => {
            builder.copy_response_body(&sample.response);
        }
    }
}

#[test]
fn a_reused_builder_reads_every_sample_as_a_new_one_does() {
    let registry = Arc::new(bedrock_llm_models::new_registry());
    let first = FirstAdapters::new();
    let spare = SpareBuilders::new();
    let mut calls = 0;
    for sample in samples::all().unwrap() {
        let chunks = samples::stream_chunks(&sample, &mut |text| samples::pieces(text, 7));
        // Whole, streamed, then failed: each reuses the box the one before gave back, so
        // state left over from any of them would show in the next record.
        let mut ways = vec![(Operation::InvokeModel, None, false)];
        if let Some(chunks) = &chunks {
            ways.push((
                Operation::InvokeModelWithResponseStream,
                Some(&chunks[..]),
                false,
            ));
        }
        ways.push((Operation::InvokeModel, None, true));
        for (operation, chunks, failed) in ways {
            let mut new = InvocationBuilder::routed_later(
                Arc::clone(&registry),
                sample.model_id,
                operation,
                &first,
            );
            let mut reused =
                spare.routed_later(Arc::clone(&registry), sample.model_id, operation, &first);
            for builder in [&mut new, &mut *reused] {
                capture(builder, &sample, chunks);
                if failed {
                    builder.fail(
                        InvocationError::new("ThrottlingException").with_message("slow down"),
                    );
                }
            }
            let (new, reused) = (new.finish(), reused.finish_boxed());
            assert_eq!(
                new, reused,
                "{} {} {operation:?}",
                sample.family_slug, sample.case
            );
            assert!(new.response.is_some() || failed || new.kind.is_none());
            // The box came back, and the next call takes it again.
            assert_eq!(spare.len(), 1);
            calls += 1;
        }
    }
    assert!(calls > 30, "{calls} calls");
}

#[test]
fn spare_builders_keep_a_bounded_number_and_bounded_buffers() {
    let registry = Arc::new(bedrock_llm_models::new_registry());
    let first = FirstAdapters::new();
    let spare = SpareBuilders::new();
    let small = b"{\"prompt\": \"hi\"}".as_slice();
    let large = vec![b' '; SpareBuilders::BUFFER_LIMIT + 1];
    // More calls at once than are kept; one with a body too large to keep a buffer for.
    let builders: Vec<_> = (0..SpareBuilders::LIMIT + 10)
        .map(|n| {
            let mut builder = spare.routed_later(
                Arc::clone(&registry),
                CLAUDE,
                Operation::InvokeModel,
                &first,
            );
            builder.copy_request_body(if n == 0 { &large } else { small });
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
    let alone = Box::new(InvocationBuilder::routed_later(
        registry,
        CLAUDE,
        Operation::InvokeModel,
        &first,
    ));
    drop(alone.finish_boxed());
    assert_eq!(spare.len(), SpareBuilders::LIMIT);
}
