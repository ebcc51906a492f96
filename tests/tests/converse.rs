//! Converse and ConverseStream through the clients and the interceptor, against the emulator:
//! model-agnostic events, the same event set streamed or not, failures recorded once.

use std::collections::HashMap;

use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, ImageBlock, ImageFormat, ImageSource, InferenceConfiguration,
    Message, SystemContentBlock, Tool, ToolConfiguration, ToolInputSchema, ToolResultBlock,
    ToolResultContentBlock, ToolSpecification, ToolUseBlock,
};
use aws_smithy_types::Document;
use bedrock_llm_core::client::{BlockingClient, Client};
use bedrock_llm_emulator::{Emulator, Fault};
use bedrock_llm_events::names::attr;
use bedrock_llm_events::{Harvest, LlmEvent};
use bedrock_llm_tests::harness::{self, comparable, events_of_type};

fn conversation(
    client: &aws_sdk_bedrockruntime::Client,
    model: &str,
) -> aws_sdk_bedrockruntime::operation::converse::builders::ConverseFluentBuilder {
    let (system, messages, inference, tools) = parts();
    client
        .converse()
        .model_id(model)
        .set_system(Some(system))
        .set_messages(Some(messages))
        .inference_config(inference)
        .tool_config(tools)
}

fn streamed_conversation(
    client: &aws_sdk_bedrockruntime::Client,
    model: &str,
) -> aws_sdk_bedrockruntime::operation::converse_stream::builders::ConverseStreamFluentBuilder {
    let (system, messages, inference, tools) = parts();
    client
        .converse_stream()
        .model_id(model)
        .set_system(Some(system))
        .set_messages(Some(messages))
        .inference_config(inference)
        .tool_config(tools)
}

fn parts() -> (
    Vec<SystemContentBlock>,
    Vec<Message>,
    InferenceConfiguration,
    ToolConfiguration,
) {
    let image = ImageBlock::builder()
        .format(ImageFormat::Png)
        .source(ImageSource::Bytes(Blob::new(vec![137, 80])))
        .build()
        .unwrap();
    let messages = vec![
        Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text("What is on this picture?".into()))
            .content(ContentBlock::Image(image))
            .build()
            .unwrap(),
        Message::builder()
            .role(ConversationRole::Assistant)
            .content(ContentBlock::ToolUse(
                ToolUseBlock::builder()
                    .tool_use_id("t1")
                    .name("describe")
                    .input(Document::Object(HashMap::new()))
                    .build()
                    .unwrap(),
            ))
            .build()
            .unwrap(),
        Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::ToolResult(
                ToolResultBlock::builder()
                    .tool_use_id("t1")
                    .content(ToolResultContentBlock::Json(Document::Object(
                        HashMap::from([("label".to_owned(), Document::String("cat".into()))]),
                    )))
                    .build()
                    .unwrap(),
            ))
            .build()
            .unwrap(),
    ];
    let inference = InferenceConfiguration::builder()
        .max_tokens(300)
        .temperature(0.5)
        .top_p(0.9)
        .stop_sequences("END")
        .build();
    let spec = ToolSpecification::builder()
        .name("describe")
        .input_schema(ToolInputSchema::Json(Document::Object(HashMap::new())))
        .build()
        .unwrap();
    let tools = ToolConfiguration::builder()
        .tools(Tool::ToolSpec(spec))
        .build()
        .unwrap();
    (
        vec![SystemContentBlock::Text("Describe images briefly.".into())],
        messages,
        inference,
        tools,
    )
}

fn summary_of(harvest: &Harvest) -> &LlmEvent {
    harvest
        .events
        .iter()
        .find(|e| e.event_type() == "LlmChatCompletionSummary")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converse_and_converse_stream_record_the_same_events() {
    let emulator = Emulator::builder().start().await.unwrap();
    let model = "us.anthropic.claude-3-5-sonnet-20240620-v1:0";

    let whole = harness::recorder();
    let client = harness::client(&emulator, &whole);
    let output = client
        .converse(conversation(client.sdk(), model))
        .await
        .unwrap();
    let text = output.output().unwrap().as_message().unwrap().content()[0]
        .as_text()
        .unwrap()
        .clone();
    assert_eq!(text, "Wellington.");

    let streamed = harness::recorder();
    let client = harness::client(&emulator, &streamed);
    let mut stream = client
        .converse_stream(streamed_conversation(client.sdk(), model))
        .await
        .unwrap();
    let mut events = 0;
    while let Some(_event) = stream.recv().await.unwrap() {
        events += 1;
    }
    assert!(events >= 5);
    drop(stream);

    let whole = whole.harvest();
    let streamed = streamed.harvest();
    // A Converse response id is the call's request id, and only a stream has a first token.
    let differing = [attr::TIME_TO_FIRST_TOKEN, attr::RESPONSE_ID];
    assert_eq!(
        comparable(&whole, &differing),
        comparable(&streamed, &differing)
    );

    let summary = summary_of(&whole);
    assert_eq!(summary.get_i64(attr::REQUEST_MAX_TOKENS), Some(300));
    assert_eq!(
        summary
            .get(attr::REQUEST_TEMPERATURE)
            .and_then(|v| v.as_f64()),
        Some(0.5)
    );
    assert_eq!(summary.get_str(attr::FINISH_REASON), Some("end_turn"));
    assert_eq!(summary.get_i64(attr::TOTAL_TOKENS), Some(47));
    // Converse's response id is the request id (Node's rule).
    assert_eq!(
        summary.get_str(attr::RESPONSE_ID),
        summary.get_str(attr::REQUEST_ID)
    );
    let contents: Vec<(&str, &str)> = whole.events[1..]
        .iter()
        .map(|e| {
            (
                e.get_str(attr::ROLE).unwrap(),
                e.get_str(attr::CONTENT).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        contents,
        vec![
            ("system", "Describe images briefly."),
            ("user", "What is on this picture?\n\n<image>"),
            ("assistant", "<tool_use>describe</tool_use>"),
            (
                "user",
                "<tool_result><json>{\"label\":\"cat\"}</json></tool_result>"
            ),
            ("assistant", "Wellington."),
        ]
    );
    assert!(
        summary_of(&streamed)
            .get(attr::TIME_TO_FIRST_TOKEN)
            .is_some()
    );
    assert_eq!(
        whole
            .metrics
            .get("Llm/completion/Bedrock/Converse")
            .map(|m| m.count),
        Some(1)
    );
    assert_eq!(
        streamed
            .metrics
            .get("Llm/completion/Bedrock/ConverseStream")
            .map(|m| m.count),
        Some(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_model_gets_events_through_converse() {
    let emulator = Emulator::builder().start().await.unwrap();
    let recorder = harness::recorder();
    let client = harness::client(&emulator, &recorder);
    client
        .converse(conversation(client.sdk(), "writer.palmyra-x4-v1:0"))
        .await
        .unwrap();
    let harvest = recorder.harvest();
    let summary = summary_of(&harvest);
    assert_eq!(
        summary.get_str(attr::REQUEST_MODEL),
        Some("writer.palmyra-x4-v1:0")
    );
    assert_eq!(summary.get_i64(attr::NUMBER_OF_MESSAGES), Some(5));
    let last = harvest.events.last().unwrap();
    assert_eq!(
        last.get_str(attr::CONTENT),
        Some("Hello from the Bedrock emulator.")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converse_through_the_interceptor_on_a_users_client() {
    let emulator = Emulator::builder().start().await.unwrap();
    let recorder = harness::recorder();
    let sdk = harness::intercepted_sdk(&emulator, &recorder);
    conversation(&sdk, "amazon.nova-lite-v1:0")
        .send()
        .await
        .unwrap();
    // A stream on a plain client: recorded with its streamed content (the interceptor taps
    // the event stream).
    let mut stream = streamed_conversation(&sdk, "amazon.nova-lite-v1:0")
        .send()
        .await
        .unwrap();
    while stream.stream.recv().await.unwrap().is_some() {}
    let harvest = recorder.harvest();
    let summaries = events_of_type(&harvest.events, "LlmChatCompletionSummary");
    assert_eq!(summaries.len(), 2);
    let responses = harvest
        .events
        .iter()
        .filter(|e| e.get(attr::IS_RESPONSE).is_some())
        .count();
    assert_eq!(responses, 2, "both calls' answers");
}

#[test]
fn converse_through_the_blocking_client() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime.block_on(Emulator::builder().start()).unwrap();
    let recorder = harness::recorder();
    let client = BlockingClient::new(harness::client(&emulator, &recorder)).unwrap();
    let output = client
        .converse(conversation(
            client.client().sdk(),
            "meta.llama3-1-70b-instruct-v1:0",
        ))
        .unwrap();
    assert!(output.usage().is_some());
    assert_eq!(recorder.harvest().events.len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converse_failures_are_recorded_once() {
    let emulator = Emulator::builder()
        .fault("anthropic.claude-3-haiku-20240307-v1:0", Fault::Throttling)
        .fault("amazon.nova-pro-v1:0", Fault::StreamException { after: 2 })
        .start()
        .await
        .unwrap();
    let recorder = harness::recorder();
    let client: Client = harness::client(&emulator, &recorder);
    let error = client
        .converse(conversation(
            client.sdk(),
            "anthropic.claude-3-haiku-20240307-v1:0",
        ))
        .await
        .unwrap_err();
    assert!(
        error
            .as_service_error()
            .is_some_and(|e| e.is_throttling_exception())
    );
    let mut stream = client
        .converse_stream(streamed_conversation(client.sdk(), "amazon.nova-pro-v1:0"))
        .await
        .unwrap();
    let mut result = Ok(Some(()));
    while let Ok(Some(())) = result {
        result = stream.recv().await.map(|e| e.map(|_| ()));
    }
    assert!(result.is_err(), "the caller sees the stream's error");
    drop(stream);
    let harvest = recorder.harvest();
    let codes: Vec<(&str, Option<u16>)> = harvest
        .error_reports
        .iter()
        .map(|r| (r.code.as_str(), r.http_status))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("ThrottlingException", Some(429)),
            ("modelStreamErrorException", Some(200))
        ]
    );
    let summaries = events_of_type(&harvest.events, "LlmChatCompletionSummary").len();
    assert_eq!(summaries, 2);
}
