//! The outside-crate adapter (`bedrock_llm_tests::acme`) round-trips real-shaped bodies into the
//! neutral record, asserted field by field.

use bedrock_llm_core::{
    BedrockModel, BodyErrorKind, BodySide, EmbeddingStats, ExchangeKind, FinishReason, Invocation,
    Message, ModelId, ModelRequest, ModelResponse, NormalizedFinishReason, Operation, Part,
    RequestParams, Role, Usage, adapter,
};
use bedrock_llm_tests::acme::{
    AcmeEcho, AcmeEmbed, EchoContent, EchoRequest, EchoResponse, EmbedRequest,
};

const REQUEST: &str = r#"{
  "system": "You answer in one line.",
  "messages": [
    {"role": "user", "content": "Say hi"},
    {"role": "assistant", "content": [
      {"type": "text", "text": "Calling the greeter."},
      {"type": "tool_use", "name": "greeter", "input": {"who": "you"}}
    ]},
    {"role": "user", "content": [
      {"type": "tool_result", "content": "hi!"},
      {"type": "image", "data": "iVBORw0KGgo="},
      {"type": "hologram", "frames": 3}
    ]}
  ],
  "generationConfig": {"maxOutputTokens": 128, "temperature": 0, "topP": 0.9, "stopSequences": ["END"], "seed": 7},
  "tools": [{"name": "greeter", "input_schema": {"type": "object"}}],
  "acme_trace": true
}"#;

const RESPONSE: &str = r#"{
  "id": 12345,
  "model": "echo-v1-2026",
  "outputs": [
    {"text": "hi! 👋", "stopReason": "end_turn"},
    {"text": "hello", "stopReason": "max_tokens"}
  ],
  "usage": {"prompt_tokens": 42.0, "completion_tokens": 7},
  "latency_ms": 12
}"#;

#[test]
fn model_metadata() {
    assert_eq!(AcmeEcho::FAMILY, "Acme Echo");
    assert_eq!(AcmeEcho::ID_PATTERNS, &["acme.echo-*"]);
    assert_eq!(AcmeEcho::KIND, ExchangeKind::Chat);
    assert_eq!(AcmeEmbed::FAMILY, "AcmeEmbed");
    assert_eq!(AcmeEmbed::KIND, ExchangeKind::Embedding);
    for id in [
        "acme.echo-v1",
        "acme.echo-v1:0",
        "us.acme.echo-v1",
        "arn:aws:bedrock:us-east-1::foundation-model/acme.echo-v1",
        "arn:aws:bedrock:us-east-1:111122223333:inference-profile/eu.acme.echo-v2:0",
    ] {
        assert!(AcmeEcho::serves(&ModelId::parse(id).unwrap()), "{id}");
        assert!(!AcmeEmbed::serves(&ModelId::parse(id).unwrap()), "{id}");
    }
    assert!(!AcmeEcho::serves(
        &ModelId::parse("anthropic.claude-v2").unwrap()
    ));
    assert!(!AcmeEcho::serves(
        &ModelId::parse("arn:aws:bedrock:us-east-1:1:provisioned-model/x").unwrap()
    ));
}

#[test]
fn exchange_becomes_the_neutral_record_field_by_field() {
    let mut record = Invocation::new("us.acme.echo-v1", Operation::InvokeModel);
    record.read_bodies(
        adapter::<AcmeEcho>(),
        Some(REQUEST.as_bytes()),
        Some(RESPONSE.as_bytes()),
    );

    assert_eq!(record.model_id, "us.acme.echo-v1");
    let parsed = record.parsed_model_id.as_ref().unwrap();
    assert_eq!(
        (parsed.geography(), parsed.provider(), parsed.model()),
        (Some("us"), Some("acme"), Some("echo"))
    );
    assert_eq!(record.operation, Operation::InvokeModel);
    assert_eq!(record.family, Some("Acme Echo"));
    assert_eq!(record.kind, Some(ExchangeKind::Chat));
    assert!(
        record.extraction_errors.is_empty(),
        "{:?}",
        record.extraction_errors
    );
    assert_eq!(record.error, None);

    let request = record.request.as_ref().unwrap();
    assert_eq!(
        request.messages,
        vec![
            Message::new(Role::System, "You answer in one line."),
            Message::new(Role::User, "Say hi"),
            Message {
                parts: vec![
                    Part::Text {
                        content: "Calling the greeter.".into()
                    },
                    Part::ToolCall {
                        id: None,
                        name: "greeter".into(),
                        arguments: Some(serde_json::json!({"who": "you"})),
                    },
                ],
                ..Message::new(
                    Role::Assistant,
                    "Calling the greeter.\n\n<tool_use>greeter</tool_use>"
                )
            },
            Message {
                parts: vec![
                    Part::ToolCallResponse {
                        id: None,
                        response: "hi!".into()
                    },
                    Part::Text {
                        content: "<image>".into()
                    },
                    Part::Text {
                        content: "<unknown_chunk>".into()
                    },
                ],
                ..Message::new(
                    Role::User,
                    "<tool_result>hi!</tool_result>\n\n<image>\n\n<unknown_chunk>"
                )
            },
        ]
    );
    assert_eq!(
        request.params,
        RequestParams {
            max_tokens: Some(128),
            temperature: Some(0.0),
            top_p: Some(0.9),
            stop_sequences: vec!["END".to_owned()],
            ..RequestParams::default()
        }
    );
    assert_eq!(request.tool_names, vec!["greeter".to_owned()]);
    assert!(request.embedding_inputs.is_empty());
    assert_eq!(
        request.system_prompt().as_deref(),
        Some("You answer in one line.")
    );

    let response = record.response.as_ref().unwrap();
    assert_eq!(response.response_id.as_deref(), Some("12345"));
    assert_eq!(response.response_model.as_deref(), Some("echo-v1-2026"));
    assert_eq!(response.messages.len(), 2);
    assert_eq!(response.messages[0].role, Role::Assistant);
    assert_eq!(response.messages[0].content, "hi! 👋");
    assert_eq!(
        response.messages[0].finish_reason,
        Some(FinishReason::from_raw("end_turn"))
    );
    assert_eq!(response.messages[1].content, "hello");
    assert_eq!(
        response.messages[1]
            .finish_reason
            .as_ref()
            .map(|f| &f.normalized),
        Some(&NormalizedFinishReason::Length)
    );
    // No response-level reason: the first choice's is reported.
    assert_eq!(
        response.finish_reason.as_ref().map(|f| f.raw.as_str()),
        Some("end_turn")
    );
    assert_eq!(
        response.usage,
        Usage {
            input_tokens: Some(42),
            output_tokens: Some(7),
            ..Usage::default()
        }
    );
    assert_eq!(response.embedding, None);
    assert_eq!(record.usage().map(|(u, _)| u.total()), Some(Some(49)));
}

#[test]
fn typed_bodies_round_trip_through_bytes() {
    let request = EchoRequest::from_body(REQUEST.as_bytes()).unwrap();
    assert!(matches!(request.messages[0].content, EchoContent::Text(ref t) if t == "Say hi"));
    let bytes = request.to_body().unwrap();
    assert_eq!(EchoRequest::from_body(&bytes).unwrap(), request);
    // `None` options are skipped, not written as null.
    let minimal = EchoRequest::from_body(br#"{"messages": []}"#).unwrap();
    assert_eq!(minimal.to_body().unwrap(), br#"{"messages":[]}"#);

    let response = EchoResponse::from_body(RESPONSE.as_bytes()).unwrap();
    let bytes = response.to_body().unwrap();
    assert_eq!(EchoResponse::from_body(&bytes).unwrap(), response);
    // The numeric id stays a number.
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .starts_with(r#"{"id":12345,"#)
    );
}

#[test]
fn embedding_exchange() {
    let mut record = Invocation::new("acme.embed-v1", Operation::InvokeModel);
    let request = br#"{"texts": ["first", "second"]}"#;
    let response =
        br#"{"embeddings": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], "inputTextTokenCount": 4}"#;
    record.read_bodies(adapter::<AcmeEmbed>(), Some(request), Some(response));
    let view = record.request.as_ref().unwrap();
    assert_eq!(
        view.embedding_inputs,
        vec!["first".to_owned(), "second".to_owned()]
    );
    assert!(view.messages.is_empty());
    let out = record.response.as_ref().unwrap();
    assert_eq!(
        out.embedding,
        Some(EmbeddingStats {
            count: 2,
            dimensions: Some(3)
        })
    );
    assert_eq!(out.usage.input_tokens, Some(4));
    assert!(out.messages.is_empty());
    assert_eq!(EmbedRequest::from_body(request).unwrap().texts.len(), 2);
}

#[test]
fn malformed_bodies_name_family_path_and_expectation() {
    let mut record = Invocation::new("acme.echo-v1", Operation::InvokeModel);
    let bad_response = br#"{"id": 1, "outputs": [{"text": "ok"}, {"text": 5}]}"#;
    record.read_bodies(
        adapter::<AcmeEcho>(),
        Some(b"{\"messages\": [}"),
        Some(bad_response),
    );
    assert!(record.request.is_none() && record.response.is_none());
    let [request_error, response_error] = record.extraction_errors.as_slice() else {
        panic!("expected two errors, got {:?}", record.extraction_errors);
    };
    assert_eq!(request_error.family, Some("Acme Echo"));
    assert_eq!(request_error.side, BodySide::Request);
    assert_eq!(request_error.kind, BodyErrorKind::Syntax);

    assert_eq!(response_error.side, BodySide::Response);
    assert_eq!(response_error.kind, BodyErrorKind::Data);
    assert_eq!(response_error.path, "$.outputs[1].text");
    let message = response_error.to_string();
    assert!(
        message.contains("Acme Echo response body (EchoResponse)"),
        "{message}"
    );
    assert!(message.contains("expected a string"), "{message}");
    assert!(message.contains("$.outputs[1].text"), "{message}");

    let missing = EchoResponse::from_body(br#"{"outputs": []}"#).unwrap_err();
    assert!(missing.message.contains("missing field `id`"), "{missing}");
    let truncated = EchoResponse::from_body(br#"{"id": 1, "outputs": [{"#).unwrap_err();
    assert_eq!(truncated.kind, BodyErrorKind::Truncated);
    let trailing = EchoResponse::from_body(br#"{"id": 1, "outputs": []} x"#).unwrap_err();
    assert_eq!(trailing.kind, BodyErrorKind::Syntax);
    let invalid_utf8 = EchoResponse::from_body(b"{\"id\": \"\xff\", \"outputs\": []}").unwrap_err();
    assert_eq!(invalid_utf8.kind, BodyErrorKind::Syntax);
    let deep = "[".repeat(100_000);
    let too_deep = EchoResponse::from_body(format!("{{\"id\": {deep}").as_bytes()).unwrap_err();
    assert!(too_deep.message.contains("recursion limit"), "{too_deep}");
}
