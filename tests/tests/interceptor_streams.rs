//! Streamed calls through a plain SDK client with only `RecordingInterceptor` added — the
//! zero-code path — recorded as completely as through the crate's own `Client`: the same
//! content, tokens, finish reason, stream end and errors, time to first token measured, early
//! drops and exception frames recorded once; and the caller's events byte for byte the SDK's.

use std::sync::Arc;

use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message, ResponseStream};
use bedrock_llm_core::client::Client;
use bedrock_llm_core::{Invocation, StreamEnd};
use bedrock_llm_emulator::{Emulator, Fault};
use bedrock_llm_models::samples;
use bedrock_llm_tests::harness::{self, Captured};

/// A plain SDK client with the interceptor, and the crate's client; both recording.
fn both(
    emulator: &Emulator,
) -> (
    aws_sdk_bedrockruntime::Client,
    Arc<Captured>,
    Client,
    Arc<Captured>,
) {
    let plain_records = Arc::new(Captured::default());
    let plain = harness::intercepted_sdk(emulator, &plain_records);
    let client_records = Arc::new(Captured::default());
    let client = Client::new(
        aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config()),
        bedrock_llm_models::new_registry(),
        client_records.clone(),
    );
    (plain, plain_records, client, client_records)
}

/// What both paths must agree on (timings differ run to run).
fn comparable(record: &Invocation) -> String {
    let mut value = serde_json::to_value(record).unwrap();
    value["timing"] = serde_json::Value::Null;
    value["request_id"] = serde_json::Value::Null;
    value.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_streaming_family_through_a_plain_client_matches_the_crates_client() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (plain, plain_records, client, client_records) = both(&emulator);
    let uninstrumented = aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config());
    let mut families = 0;
    for sample in samples::all().unwrap() {
        if samples::stream_chunks(&sample, &mut |t| samples::pieces(t, 16)).is_none() {
            continue;
        }
        let send = |sdk: &aws_sdk_bedrockruntime::Client| {
            sdk.invoke_model_with_response_stream()
                .model_id(sample.model_id)
                .body(Blob::new(sample.request.clone()))
                .send()
        };
        let mut reference = Vec::new();
        let mut output = send(&uninstrumented).await.unwrap();
        while let Some(ResponseStream::Chunk(part)) = output.body.recv().await.unwrap() {
            reference.push(part.bytes().unwrap().as_ref().to_vec());
        }
        let mut seen = Vec::new();
        let mut output = send(&plain).await.unwrap();
        while let Some(ResponseStream::Chunk(part)) = output.body.recv().await.unwrap() {
            seen.push(part.bytes().unwrap().as_ref().to_vec());
        }
        drop(output);
        assert_eq!(
            seen, reference,
            "{}: the caller's events are the SDK's",
            sample.case
        );

        let mut stream = client
            .invoke_stream_raw(sample.model_id, sample.request.clone())
            .await
            .unwrap();
        while stream.recv().await.unwrap().is_some() {}
        drop(stream);

        let plain_record = plain_records.take().pop().expect("recorded once");
        let client_record = client_records.take().pop().expect("recorded once");
        assert!(plain_records.take().is_empty() && client_records.take().is_empty());
        assert_eq!(
            plain_record.stream_end,
            Some(StreamEnd::Completed),
            "{}",
            sample.case
        );
        assert!(
            plain_record
                .response
                .as_ref()
                .is_some_and(|r| !r.messages.is_empty()),
            "{}",
            sample.case
        );
        assert!(
            plain_record.timing.time_to_first_token.is_some(),
            "{}",
            sample.case
        );
        assert!(plain_record.timing.duration.is_some(), "{}", sample.case);
        assert_eq!(
            comparable(&plain_record),
            comparable(&client_record),
            "{}",
            sample.case
        );
        families += 1;
    }
    assert!(families >= 10, "{families}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exception_frame_and_an_early_drop_are_recorded_once_through_a_plain_client() {
    let sample = samples::all()
        .unwrap()
        .into_iter()
        .find(|s| s.family_slug == "claude_messages")
        .unwrap();
    let emulator = Emulator::builder()
        .fault(
            "anthropic.claude-3-5-haiku-20241022-v1:0",
            Fault::StreamException { after: 3 },
        )
        .start()
        .await
        .unwrap();
    let (plain, records, _, _) = both(&emulator);
    let mut output = plain
        .invoke_model_with_response_stream()
        .model_id("anthropic.claude-3-5-haiku-20241022-v1:0")
        .body(Blob::new(sample.request.clone()))
        .send()
        .await
        .unwrap();
    let mut chunks = 0;
    let error = loop {
        match output.body.recv().await {
            Ok(Some(_)) => chunks += 1,
            Ok(None) => panic!("the stream should fail"),
            Err(error) => break error,
        }
    };
    assert_eq!(chunks, 3);
    assert!(
        error
            .as_service_error()
            .is_some_and(|e| e.is_model_stream_error_exception()),
        "the caller gets the SDK's own error: {error:?}"
    );
    drop(output);
    let record = records.take();
    assert_eq!(record.len(), 1, "once");
    let failed = record[0].error.as_ref().unwrap();
    assert_eq!(
        (failed.code.as_str(), failed.http_status),
        ("modelStreamErrorException", Some(200))
    );
    assert_eq!(record[0].stream_end, Some(StreamEnd::Failed));

    // Dropped after the first chunk.
    let mut output = plain
        .invoke_model_with_response_stream()
        .model_id(sample.model_id)
        .body(Blob::new(sample.request.clone()))
        .send()
        .await
        .unwrap();
    assert!(output.body.recv().await.unwrap().is_some());
    drop(output);
    let record = records.take();
    assert_eq!(record.len(), 1, "once");
    assert_eq!(record[0].stream_end, Some(StreamEnd::Dropped));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converse_stream_through_a_plain_client_matches_the_crates_client() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (plain, plain_records, client, client_records) = both(&emulator);
    let message = || {
        Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text("Say bonjour.".to_owned()))
            .build()
            .unwrap()
    };
    let model = "amazon.nova-lite-v1:0";
    let mut output = plain
        .converse_stream()
        .model_id(model)
        .messages(message())
        .send()
        .await
        .unwrap();
    while output.stream.recv().await.unwrap().is_some() {}
    drop(output);
    let mut stream = client
        .converse_stream(
            client
                .sdk()
                .converse_stream()
                .model_id(model)
                .messages(message()),
        )
        .await
        .unwrap();
    while stream.recv().await.unwrap().is_some() {}
    drop(stream);
    let plain_record = plain_records.take().pop().unwrap();
    let client_record = client_records.take().pop().unwrap();
    assert!(
        plain_record
            .response
            .as_ref()
            .is_some_and(|r| !r.messages[0].content.is_empty())
    );
    assert!(plain_record.usage().is_some());
    assert_eq!(comparable(&plain_record), comparable(&client_record));
}
