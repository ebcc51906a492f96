//! Streamed calls end to end: the real SDK client reading AWS event-stream frames from the
//! emulator over 127.0.0.1.
//!
//! - every streaming family: the caller gets the emulator's chunks byte for byte, and the call's
//!   events equal the non-streamed call's (same messages, finish reason, token counts);
//! - every stream fault ends in one error event and the SDK's own error for the caller;
//! - a stream dropped early is recorded once, partial and marked; nothing is recorded twice.

use std::time::Duration;

use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::types::ResponseStream;
use bedrock_llm_core::client::{BlockingClient, RecordedStream, StreamEventError};
use bedrock_llm_emulator::{Emulator, Fault};
use bedrock_llm_events::names::{attr, metric};
use bedrock_llm_events::{Config, Harvest, Recorder};
use bedrock_llm_models::samples::{self, Sample, stream_chunks};
use bedrock_llm_tests::harness::{self, comparable, events_of_type};

/// The emulator's cut: about 16 characters per piece.
fn emulator_pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars
        .chunks(16)
        .map(|piece| piece.iter().collect())
        .collect()
}

async fn drain(stream: &mut RecordedStream) -> (Vec<Vec<u8>>, Option<StreamEventError>) {
    let mut chunks = Vec::new();
    loop {
        match stream.recv().await {
            Ok(Some(ResponseStream::Chunk(part))) => {
                chunks.push(part.bytes().unwrap().as_ref().to_vec())
            }
            Ok(Some(_)) => {}
            Ok(None) => return (chunks, None),
            Err(error) => return (chunks, Some(error)),
        }
    }
}

fn streaming_samples() -> Vec<(Sample, Vec<Vec<u8>>)> {
    samples::all()
        .unwrap()
        .into_iter()
        .filter_map(|s| {
            let chunks = stream_chunks(&s, &mut emulator_pieces)?;
            Some((
                s,
                chunks.iter().map(|c| c.to_string().into_bytes()).collect(),
            ))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_streaming_family_matches_its_whole_response() {
    let emulator = Emulator::builder().start().await.unwrap();
    let cases = streaming_samples();
    assert!(cases.len() >= 15);
    for (sample, expected_chunks) in cases {
        let streamed = harness::recorder();
        let client = harness::client(&emulator, &streamed);
        let mut stream = client
            .invoke_stream_raw(sample.model_id, sample.request.clone())
            .await
            .unwrap();
        let (chunks, error) = drain(&mut stream).await;
        assert!(error.is_none(), "{}: {error:?}", sample.case);
        assert_eq!(
            chunks, expected_chunks,
            "{}: chunks reach the caller unchanged",
            sample.case
        );
        drop(stream);

        let whole = harness::recorder();
        harness::client(&emulator, &whole)
            .invoke_raw(sample.model_id, sample.request.clone())
            .await
            .unwrap();

        let streamed = streamed.harvest();
        let whole = whole.harvest();
        assert_eq!(
            comparable(&streamed, &[attr::TIME_TO_FIRST_TOKEN]),
            comparable(&whole, &[attr::TIME_TO_FIRST_TOKEN]),
            "{}/{}",
            sample.family_slug,
            sample.case
        );
        let summary = &streamed.events[0];
        assert!(
            summary.get(attr::TIME_TO_FIRST_TOKEN).is_some(),
            "{}",
            sample.case
        );
        assert_eq!(summary.get(attr::ERROR), None);
        assert_eq!(summary.get(attr::INCOMPLETE), None);
        assert_eq!(
            streamed
                .metrics
                .get("Llm/completion/Bedrock/InvokeModelWithResponseStream")
                .map(|m| m.count),
            Some(1)
        );
    }
}

#[test]
fn the_blocking_client_streams_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime.block_on(Emulator::builder().start()).unwrap();
    let recorder = harness::recorder();
    let client = BlockingClient::new(harness::client(&emulator, &recorder)).unwrap();
    let (sample, expected) = streaming_samples()
        .into_iter()
        .find(|(s, _)| s.family_slug == "claude_messages")
        .unwrap();
    let chunks: Vec<Vec<u8>> = client
        .invoke_stream_raw(sample.model_id, sample.request.clone())
        .unwrap()
        .map(|event| match event.unwrap() {
            ResponseStream::Chunk(part) => part.bytes().unwrap().as_ref().to_vec(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(chunks, expected);
    let harvest = recorder.harvest();
    assert_eq!(
        harvest
            .events
            .iter()
            .filter(|e| e.get(attr::REQUEST_MODEL).is_some())
            .count(),
        1
    );
}

async fn fault_case(fault: Fault) -> (Option<StreamEventError>, usize, Harvest) {
    let model = "anthropic.claude-3-7-sonnet-20250219-v1:0";
    let emulator = Emulator::builder()
        .fault(model, fault)
        .start()
        .await
        .unwrap();
    let recorder = harness::recorder();
    let client = harness::client(&emulator, &recorder);
    let sample = samples::all()
        .unwrap()
        .into_iter()
        .find(|s| s.case == "blocks_and_thinking")
        .unwrap();
    let mut stream = client
        .invoke_stream_raw(model, sample.request.clone())
        .await
        .unwrap();
    let (chunks, error) = drain(&mut stream).await;
    // Reading past the end records nothing more.
    assert!(matches!(stream.recv().await, Ok(None) | Err(_)));
    drop(stream);
    (error, chunks.len(), recorder.harvest())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exception_frame_mid_stream_is_one_error_event_with_the_partial_content() {
    let (error, chunks, harvest) = fault_case(Fault::StreamException { after: 4 }).await;
    let error = error.expect("the caller sees the stream error");
    assert!(matches!(error, SdkError::ServiceError(_)), "{error:?}");
    assert_eq!(chunks, 4);
    assert_eq!(harvest.error_reports.len(), 1);
    let report = &harvest.error_reports[0];
    assert_eq!(report.http_status, Some(200));
    assert_eq!(report.code, "modelStreamErrorException");
    assert_eq!(report.message.as_deref(), Some("The model stream failed."));
    let summaries = events_of_type(&harvest.events, "LlmChatCompletionSummary");
    assert_eq!(summaries.len(), 1);
    assert_eq!(
        summaries[0].get(attr::ERROR).and_then(|v| v.as_bool()),
        Some(true)
    );
    // The four chunks held the start, the image/doc message's reply start and some text.
    let responses: Vec<_> = harvest
        .events
        .iter()
        .filter(|e| e.get(attr::IS_RESPONSE).is_some())
        .collect();
    assert_eq!(responses.len(), 1, "the partial response is recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_frames_and_dropped_connections_are_one_error_event_each() {
    for fault in [
        Fault::StreamTruncated { after: 3 },
        Fault::StreamDropped { after: 3 },
    ] {
        let (error, chunks, harvest) = fault_case(fault.clone()).await;
        let error = error.unwrap_or_else(|| panic!("{fault:?}: the caller sees an error"));
        assert!(
            !matches!(error, SdkError::ServiceError(_)),
            "{fault:?}: {error:?}"
        );
        assert_eq!(chunks, 3, "{fault:?}");
        assert_eq!(harvest.error_reports.len(), 1, "{fault:?}");
        assert_eq!(harvest.error_reports[0].http_status, None);
        let summaries = events_of_type(&harvest.events, "LlmChatCompletionSummary").len();
        assert_eq!(summaries, 1, "{fault:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_stream_measures_time_to_first_token() {
    let (error, _, harvest) = fault_case(Fault::SlowStream(Duration::from_millis(40))).await;
    assert!(error.is_none());
    let summary = &harvest.events[0];
    let ttft = summary
        .get(attr::TIME_TO_FIRST_TOKEN)
        .and_then(|v| v.as_f64())
        .unwrap();
    let duration = summary
        .get(attr::DURATION)
        .and_then(|v| v.as_f64())
        .unwrap();
    // The first text arrives in the 4th chunk (after the start events); each waits 40 ms.
    assert!(ttft >= 120.0, "{ttft}");
    assert!(duration > ttft, "{duration} > {ttft}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_dropped_early_is_recorded_once_as_incomplete() {
    let emulator = Emulator::builder().start().await.unwrap();
    let recorder = harness::recorder();
    let client = harness::client(&emulator, &recorder);
    let sample = samples::all()
        .unwrap()
        .into_iter()
        .find(|s| s.family_slug == "llama")
        .unwrap();
    let mut stream = client
        .invoke_stream_raw(sample.model_id, sample.request.clone())
        .await
        .unwrap();
    for _ in 0..2 {
        assert!(matches!(stream.recv().await, Ok(Some(_))));
    }
    drop(stream);
    let harvest = recorder.harvest();
    let summaries = events_of_type(&harvest.events, "LlmChatCompletionSummary");
    assert_eq!(summaries.len(), 1);
    assert_eq!(
        summaries[0].get(attr::INCOMPLETE).and_then(|v| v.as_bool()),
        Some(true)
    );
    assert_eq!(summaries[0].get(attr::ERROR), None);
    let response = harvest
        .events
        .iter()
        .find(|e| e.get(attr::IS_RESPONSE).is_some())
        .unwrap();
    let whole = String::from_utf8(sample.response.clone()).unwrap();
    let partial = response.get_str(attr::CONTENT).unwrap();
    assert_eq!(partial.chars().count(), 32, "two 16-character pieces");
    assert!(whole.contains(partial));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_off_passes_streams_through_and_records_no_events() {
    let emulator = Emulator::builder().start().await.unwrap();
    let recorder = std::sync::Arc::new(Recorder::new(
        Config::default().enabled().with_streaming(false),
    ));
    let client = harness::client(&emulator, &recorder);
    let (sample, expected) = streaming_samples().into_iter().next().unwrap();
    let mut stream = client
        .invoke_stream_raw(sample.model_id, sample.request.clone())
        .await
        .unwrap();
    let (chunks, error) = drain(&mut stream).await;
    assert!(error.is_none());
    assert_eq!(chunks, expected);
    drop(stream);
    let harvest = recorder.harvest();
    assert!(harvest.events.is_empty());
    assert_eq!(
        harvest
            .metrics
            .get(metric::STREAMING_DISABLED)
            .map(|m| m.count),
        Some(2)
    );
    assert_eq!(
        harvest
            .metrics
            .get("Llm/completion/Bedrock/InvokeModelWithResponseStream")
            .map(|m| m.count),
        Some(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_cannot_start_is_the_sdks_error_and_one_event() {
    let emulator = Emulator::builder()
        .fault("meta.llama3-70b-instruct-v1:0", Fault::Throttling)
        .start()
        .await
        .unwrap();
    let recorder = harness::recorder();
    let client = harness::client(&emulator, &recorder);
    let error = client
        .invoke_stream_raw(
            "meta.llama3-70b-instruct-v1:0",
            br#"{"prompt": "x"}"#.to_vec(),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("ThrottlingException"));
    let harvest = recorder.harvest();
    assert_eq!(harvest.error_reports.len(), 1);
    assert_eq!(harvest.error_reports[0].http_status, Some(429));
}

/// Keeps every finished record, to check the record itself.
#[derive(Debug, Default)]
struct Records(std::sync::Mutex<Vec<bedrock_llm_core::Invocation>>);

impl bedrock_llm_core::InvocationObserver for Records {
    fn start(&self, _: &bedrock_llm_core::CallStart<'_>) -> bedrock_llm_core::CallState {
        bedrock_llm_core::CallState::empty()
    }

    fn finish(&self, _: bedrock_llm_core::CallState, invocation: bedrock_llm_core::Invocation) {
        self.0.lock().unwrap().push(invocation);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guardrail_ids_and_the_content_cap_reach_the_record() {
    let emulator = Emulator::builder().start().await.unwrap();
    let records = std::sync::Arc::new(Records::default());
    let client = bedrock_llm_core::client::Client::new(
        harness::plain_sdk(&emulator),
        bedrock_llm_models::new_registry(),
        records.clone(),
    )
    .with_stream_content_cap(10);
    let (sample, expected) = streaming_samples()
        .into_iter()
        .find(|(s, _)| s.family_slug == "llama")
        .unwrap();
    let builder = client
        .sdk()
        .invoke_model_with_response_stream()
        .model_id(sample.model_id)
        .guardrail_identifier("gr-1234")
        .guardrail_version("1")
        .body(aws_sdk_bedrockruntime::primitives::Blob::new(
            sample.request.clone(),
        ));
    let mut stream = client.send_stream(builder).await.unwrap();
    let (chunks, _) = drain(&mut stream).await;
    assert_eq!(
        chunks, expected,
        "the cap never touches the caller's chunks"
    );
    drop(stream);
    let records = records.0.lock().unwrap();
    let [record] = records.as_slice() else {
        panic!("one record, got {}", records.len())
    };
    assert_eq!(record.guardrail_id.as_deref(), Some("gr-1234"));
    assert!(record.content_truncated);
    assert_eq!(
        record.response.as_ref().unwrap().messages[0].content.len(),
        10
    );
    assert_eq!(
        record.stream_end,
        Some(bedrock_llm_core::StreamEnd::Completed)
    );
    let attributes = bedrock_llm_events::render::otel::attributes(record, &Config::default());
    assert!(
        attributes
            .iter()
            .any(|(k, v)| *k == "aws.bedrock.guardrail.id" && v.to_text() == "gr-1234")
    );
}

#[test]
fn every_split_of_a_stream_is_recorded_exactly_once_with_the_whole_content() {
    use proptest::prelude::*;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime.block_on(Emulator::builder().start()).unwrap();
    let cases: Vec<Sample> = streaming_samples().into_iter().map(|(s, _)| s).collect();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(1usize..40, 0..cases.len(), 0usize..3),
            |(piece, which, stop_after)| {
                emulator.set_stream_piece_chars(piece);
                let sample = &cases[which];
                let recorder = harness::recorder();
                let client = harness::client(&emulator, &recorder);
                let whole = bedrock_llm_models::registry()
                    .resolve(sample.model_id, Some(&sample.request))
                    .unwrap()
                    .response_view(&sample.response)
                    .unwrap();
                // Whether the reader saw the stream's end (a short stream can end within
                // `stop_after` reads: Cohere Command's is one chunk for a short answer).
                let ended = runtime.block_on(async {
                    let mut stream = client
                        .invoke_stream_raw(sample.model_id, sample.request.clone())
                        .await
                        .unwrap();
                    if stop_after == 0 {
                        // Read to the end, then past it.
                        while let Ok(Some(_)) = stream.recv().await {}
                        assert!(matches!(stream.recv().await, Ok(None) | Err(_)));
                        true
                    } else {
                        let mut ended = false;
                        for _ in 0..stop_after {
                            ended |= !matches!(stream.recv().await, Ok(Some(_)));
                        }
                        ended
                    }
                });
                let harvest = recorder.harvest();
                let summaries = events_of_type(&harvest.events, "LlmChatCompletionSummary");
                prop_assert_eq!(summaries.len(), 1, "{} split by {}", sample.case, piece);
                if ended {
                    prop_assert_eq!(summaries[0].get(attr::INCOMPLETE), None);
                    let responses: Vec<&str> = harvest
                        .events
                        .iter()
                        .filter(|e| e.get(attr::IS_RESPONSE).is_some())
                        .filter_map(|e| e.get_str(attr::CONTENT))
                        .collect();
                    let expected: Vec<&str> =
                        whole.messages.iter().map(|m| m.content.as_str()).collect();
                    prop_assert_eq!(responses, expected, "{} split by {}", sample.case, piece);
                } else {
                    prop_assert_eq!(
                        summaries[0].get(attr::INCOMPLETE).and_then(|v| v.as_bool()),
                        Some(true)
                    );
                }
                Ok(())
            },
        )
        .unwrap();
}
