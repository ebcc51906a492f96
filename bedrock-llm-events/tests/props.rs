//! Properties of the events for arbitrary records:
//! - with `record_content = false`, no prompt, completion or embedding input appears anywhere in
//!   any rendering (New Relic JSON, OpenTelemetry attributes, span content opted in or not);
//! - content is never truncated; every other string is within the limit and valid UTF-8;
//! - sequence numbers run 0..n, request messages first.

use bedrock_llm_core::{
    EmbeddingStats, ExchangeKind, FinishReason, Invocation, Message, Operation, RequestParams,
    RequestView, ResponseView, Role, Usage,
};
use bedrock_llm_events::names::attr;
use bedrock_llm_events::render::{newrelic, otel};
use bedrock_llm_events::{
    AttrValue, CallContext, Config, Limits, LlmAttributes, LlmEvent, build_events,
};
use proptest::prelude::*;

/// Content carries a marker no other attribute can contain, so "appears anywhere" is a
/// substring search.
const MARKER: &str = "\u{2063}CONTENT\u{2063}";

fn content() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| format!("{MARKER}{s}"))
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::System),
        Just(Role::User),
        Just(Role::Assistant),
        Just(Role::Tool)
    ]
}

fn message() -> impl Strategy<Value = Message> {
    (role(), content(), proptest::option::of("[a-z_]{1,12}")).prop_map(|(role, content, reason)| {
        Message {
            finish_reason: reason.map(FinishReason::from_raw),
            ..Message::new(role, content)
        }
    })
}

fn invocation() -> impl Strategy<Value = Invocation> {
    (
        proptest::collection::vec(message(), 0..5),
        proptest::collection::vec(message(), 0..4),
        proptest::collection::vec(content(), 0..3),
        any::<bool>(),
        proptest::option::of(".{0,600}"),
        proptest::option::of((0u64..5000, 0u64..5000)),
        prop_oneof![
            Just(Operation::InvokeModel),
            Just(Operation::Converse),
            Just(Operation::ConverseStream)
        ],
    )
        .prop_map(
            |(requests, responses, inputs, embedding, request_id, usage, operation)| {
                let mut record =
                    Invocation::new("anthropic.claude-3-haiku-20240307-v1:0", operation);
                record.request_id = request_id;
                record.kind = Some(if embedding {
                    ExchangeKind::Embedding
                } else {
                    ExchangeKind::Chat
                });
                record.request = Some(RequestView {
                    messages: requests,
                    embedding_inputs: inputs,
                    params: RequestParams {
                        max_tokens: Some(10),
                        ..Default::default()
                    },
                    ..RequestView::default()
                });
                record.response = Some(ResponseView {
                    messages: responses,
                    usage: usage.map_or_else(Usage::default, |(i, o)| Usage {
                        input_tokens: Some(i),
                        output_tokens: Some(o),
                        ..Usage::default()
                    }),
                    embedding: embedding.then_some(EmbeddingStats {
                        count: 1,
                        dimensions: Some(8),
                    }),
                    ..ResponseView::default()
                });
                record
            },
        )
}

fn custom() -> impl Strategy<Value = LlmAttributes> {
    proptest::collection::btree_map("llm\\.[a-z]{1,8}", ".{0,400}", 0..4).prop_map(|map| {
        map.into_iter()
            .map(|(k, v)| (k, AttrValue::from(v)))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_content_anywhere_when_recording_is_off(record in invocation(), custom in custom()) {
        let config = Config::default().enabled().with_content(false).with_otel_content(true);
        let context = CallContext { llm_attributes: custom, ..CallContext::detached() };
        let built = build_events(&record, &config, &context);
        let json = newrelic::ndjson(&built.events);
        prop_assert!(!json.contains(MARKER), "{}", json);
        for (key, value) in otel::attributes(&record, &config) {
            prop_assert!(!value.to_text().contains(MARKER), "{}", key);
        }
        // And with content on, it is there: the check above can fail.
        let with_content = build_events(&record, &Config::default().enabled(), &context);
        let has_content = record.request.as_ref().is_some_and(|r| {
            if record.kind == Some(ExchangeKind::Embedding) { !r.embedding_inputs.is_empty() } else { !r.messages.is_empty() }
        });
        if has_content {
            prop_assert!(newrelic::ndjson(&with_content.events).contains(MARKER));
        }
    }

    #[test]
    fn content_is_whole_and_other_strings_are_within_the_limit(
        record in invocation(),
        custom in custom(),
        limit in 1usize..6000,
    ) {
        let config = Config::default().enabled().with_max_attribute_value(limit);
        let context = CallContext { llm_attributes: custom, ..CallContext::detached() };
        let built = build_events(&record, &config, &context);
        let effective = limit.min(4095);
        let request = record.request.as_ref().unwrap();
        let response = record.response.as_ref().unwrap();
        let contents: Vec<&str> = request.messages.iter().chain(&response.messages).map(|m| m.content.as_str()).collect();
        let mut seen_contents = Vec::new();
        for event in &built.events {
            for (key, value) in event.attributes() {
                let AttrValue::Str(text) = value else { continue };
                if key == attr::CONTENT {
                    seen_contents.push(text.as_ref());
                } else if key == attr::INPUT {
                    prop_assert_eq!(text.as_ref(), request.embedding_inputs.join("\n"));
                } else {
                    prop_assert!(text.len() <= effective, "{} is {} bytes > {}", key, text.len(), effective);
                }
            }
            // Every rendering parses back as JSON (valid UTF-8, nothing cut mid-character).
            let json: serde_json::Value = serde_json::from_str(&newrelic::event_json(event)).unwrap();
            prop_assert!(json.is_object());
        }
        if record.kind != Some(ExchangeKind::Embedding) {
            prop_assert_eq!(seen_contents, contents);
        }
    }

    #[test]
    fn sequences_run_from_zero_with_requests_first(record in invocation()) {
        prop_assume!(record.kind == Some(ExchangeKind::Chat));
        let built = build_events(&record, &Config::default().enabled(), &CallContext::detached());
        let requests = record.request.as_ref().unwrap().messages.len();
        let messages = &built.events[1..];
        for (n, event) in messages.iter().enumerate() {
            prop_assert_eq!(event.get_i64(attr::SEQUENCE), Some(n as i64));
            let is_response = event.get(attr::IS_RESPONSE).is_some();
            prop_assert_eq!(is_response, n >= requests);
        }
        let count = built.events[0].get_i64(attr::NUMBER_OF_MESSAGES);
        prop_assert_eq!(count, (!messages.is_empty()).then_some(messages.len() as i64));
    }

    /// Whatever the text (quotes, backslashes, control characters, any Unicode, escape-free
    /// runs longer or shorter than the fast path's step), the New Relic JSON reads back to the
    /// same values.
    #[test]
    fn new_relic_json_reads_back_to_the_attribute_values(
        content in prop_oneof![any::<String>(), "[a-z \"\\\\\n\t\u{1}é]{0,100}"],
        plain in "[ -~&&[^\"\\\\]]{0,80}",
        number in any::<u64>(),
    ) {
        let event = LlmEvent::builder("LlmChatCompletionMessage", 1, Limits::new(4095))
            .content(attr::CONTENT, content.clone())
            .str(attr::ID, plain.clone())
            .int(attr::SEQUENCE, number)
            .build();
        let json: serde_json::Value = serde_json::from_str(&newrelic::event_json(&event))
            .map_err(|error| TestCaseError::fail(error.to_string()))?;
        prop_assert_eq!(json[attr::CONTENT].as_str(), Some(content.as_str()));
        prop_assert_eq!(json[attr::ID].as_str(), Some(plain.as_str()));
        prop_assert_eq!(json[attr::SEQUENCE].as_i64(), i64::try_from(number).ok());
    }
}
