//! Streamed responses reassembled by the family adapters: the recorded Claude stream, and every
//! streaming family's sample cut into chunks at random points — the same messages, finish
//! reason and token counts as the non-streamed body.

use std::time::Duration;

use bedrock_llm_core::{Adapter, DEFAULT_CONTENT_CAP, NormalizedFinishReason, StreamAccumulator};
use bedrock_llm_models::samples::{self, stream_chunks};
use bedrock_llm_tests::fixtures;
use proptest::prelude::*;

fn accumulate(
    adapter: &'static dyn Adapter,
    chunks: &[serde_json::Value],
) -> bedrock_llm_core::StreamOutcome {
    let mut accumulator = StreamAccumulator::new(Some(adapter), DEFAULT_CONTENT_CAP);
    for (i, chunk) in chunks.iter().enumerate() {
        accumulator.push(
            &serde_json::to_vec(chunk).unwrap(),
            Duration::from_millis(10 * (i as u64 + 1)),
        );
    }
    accumulator.finish()
}

#[test]
fn the_recorded_claude_stream_reassembles() {
    let case = fixtures::cases()
        .into_iter()
        .find(|c| c.name == "recorded/claude_messages_stream")
        .unwrap();
    let chunks: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(case.dir.join("stream_chunks.json")).unwrap())
            .unwrap();
    let adapter = bedrock_llm_models::registry()
        .resolve(&case.model_id, Some(&case.request))
        .unwrap();
    let outcome = accumulate(adapter, &chunks);
    let response = outcome.response.unwrap();
    assert_eq!(response.messages.len(), 1);
    assert_eq!(
        response.messages[0].content,
        "Why did the distributed tracing span cross the road? To get to the other service!"
    );
    assert_eq!(
        response.finish_reason.as_ref().map(|f| f.raw.as_str()),
        Some("end_turn")
    );
    assert_eq!(
        response.finish_reason.unwrap().normalized,
        NormalizedFinishReason::Stop
    );
    assert_eq!(
        response.response_id.as_deref(),
        Some("msg_bdrk_014eJfxWXNnxFKhmuiT8FYf7")
    );
    assert_eq!(
        (response.usage.input_tokens, response.usage.output_tokens),
        (Some(16), Some(21))
    );
    let metrics = outcome.metrics.unwrap();
    assert_eq!(
        (metrics.input_tokens, metrics.output_tokens),
        (Some(16), Some(21))
    );
    assert_eq!(
        (metrics.invocation_latency_ms, metrics.first_byte_latency_ms),
        (Some(738), Some(378))
    );
    // The first text delta is the third chunk.
    assert_eq!(outcome.time_to_first_token, Some(Duration::from_millis(30)));
    assert_eq!(
        (outcome.chunks, outcome.errors_seen, outcome.truncated),
        (23, 0, false)
    );
}

/// Cuts `text` at the given fractions (char boundaries).
fn cut(text: &str, fractions: &[f64]) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut points: Vec<usize> = fractions
        .iter()
        .map(|f| (f * chars.len() as f64) as usize)
        .collect();
    points.sort_unstable();
    points.dedup();
    let mut pieces = Vec::new();
    let mut start = 0;
    for point in points.into_iter().chain([chars.len()]) {
        if point > start {
            pieces.push(chars[start..point].iter().collect());
            start = point;
        }
    }
    if pieces.is_empty() {
        pieces.push(String::new());
    }
    pieces
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_streaming_family_reassembles_its_sample(fractions in proptest::collection::vec(0.0f64..1.0, 0..12)) {
        let registry = bedrock_llm_models::registry();
        let mut streamed = 0;
        for sample in samples::all().unwrap() {
            let Some(chunks) = stream_chunks(&sample, &mut |text| cut(text, &fractions)) else { continue };
            streamed += 1;
            let adapter = registry.resolve(sample.model_id, Some(&sample.request)).unwrap();
            let whole = adapter.response_view(&sample.response).unwrap();
            let outcome = accumulate(adapter, &chunks);
            prop_assert_eq!(outcome.errors_seen, 0, "{}: {:?}", sample.case, outcome.errors);
            let response = outcome.response.unwrap();
            // Role, text and parts: a streamed tool call (its arguments arriving in pieces cut
            // anywhere) comes out as the whole body's part, id, name and arguments alike.
            let contents = |v: &bedrock_llm_core::ResponseView| v.messages.iter().map(|m| (m.role.clone(), m.content.clone(), m.parts.clone())).collect::<Vec<_>>();
            prop_assert_eq!(contents(&response), contents(&whole), "{}/{}", sample.family_slug, sample.case);
            prop_assert_eq!(response.finish_reason.as_ref().map(|f| &f.raw), whole.finish_reason.as_ref().map(|f| &f.raw), "{}", sample.case);
            // Counts: the body's, or (families whose body has none) Bedrock's invocation metrics.
            let metrics = outcome.metrics.unwrap();
            let input = response.usage.input_tokens.or(metrics.input_tokens);
            let output = response.usage.output_tokens.or(metrics.output_tokens);
            let header = |name: &str| sample.headers.iter().find(|(k, _)| *k == name).and_then(|(_, v)| v.parse::<u64>().ok());
            prop_assert_eq!(input, whole.usage.input_tokens.or(header("X-Amzn-Bedrock-Input-Token-Count")), "{}", sample.case);
            prop_assert_eq!(output, whole.usage.output_tokens.or(header("X-Amzn-Bedrock-Output-Token-Count")), "{}", sample.case);
        }
        prop_assert!(streamed >= 15, "only {} samples stream", streamed);
    }
}

#[test]
fn content_beyond_the_cap_is_dropped_and_flagged() {
    let sample = samples::all()
        .unwrap()
        .into_iter()
        .find(|s| s.family_slug == "llama")
        .unwrap();
    let chunks = stream_chunks(&sample, &mut |text| {
        text.chars().map(String::from).collect()
    })
    .unwrap();
    let adapter = bedrock_llm_models::registry()
        .resolve(sample.model_id, None)
        .unwrap();
    let mut accumulator = StreamAccumulator::new(Some(adapter), 10);
    for chunk in &chunks {
        accumulator.push(&serde_json::to_vec(chunk).unwrap(), Duration::ZERO);
    }
    let outcome = accumulator.finish();
    assert!(outcome.truncated);
    assert_eq!(outcome.response.unwrap().messages[0].content.len(), 10);
}

#[test]
fn unreadable_chunks_are_counted_and_bare_strings_skipped() {
    let adapter = bedrock_llm_models::registry()
        .resolve("anthropic.claude-3-haiku-20240307-v1:0", None)
        .unwrap();
    let mut accumulator = StreamAccumulator::new(Some(adapter), DEFAULT_CONTENT_CAP);
    accumulator.push(br#"{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "hi"}}"#, Duration::ZERO);
    accumulator.push(b"not json", Duration::ZERO);
    accumulator.push(br#""[DONE]""#, Duration::ZERO);
    accumulator.push(br#"{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": 5}}"#, Duration::ZERO);
    let outcome = accumulator.finish();
    assert_eq!(outcome.response.unwrap().messages[0].content, "hi");
    assert_eq!(outcome.errors_seen, 2, "{:?}", outcome.errors);
    assert_eq!(outcome.errors[0].family, Some("Claude Messages"));
    assert!(
        outcome.errors[1].message.contains("expected a string"),
        "{:?}",
        outcome.errors
    );
}
