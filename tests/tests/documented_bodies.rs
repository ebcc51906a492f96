//! Bodies written from the Bedrock documentation, in shapes the samples do not use, through the
//! prebuilt registry: each asserts the messages, roles, parameters, finish reason and counts.

use bedrock_llm_core::{
    Invocation, NormalizedFinishReason, Operation, RequestView, ResponseView, Role,
};
use serde_json::json;

fn read(
    model_id: &str,
    request: serde_json::Value,
    response: serde_json::Value,
) -> (RequestView, ResponseView) {
    let mut record = Invocation::new(model_id, Operation::InvokeModel);
    let request = serde_json::to_vec(&request).unwrap();
    let response = serde_json::to_vec(&response).unwrap();
    bedrock_llm_models::registry().read_bodies(&mut record, Some(&request), Some(&response));
    assert!(
        record.extraction_errors.is_empty(),
        "{model_id}: {:?}",
        record.extraction_errors
    );
    (record.request.unwrap(), record.response.unwrap())
}

fn roles_and_contents(messages: &[bedrock_llm_core::Message]) -> Vec<(Role, &str)> {
    messages
        .iter()
        .map(|m| (m.role.clone(), m.content.as_str()))
        .collect()
}

#[test]
fn claude_messages_system_blocks_refusal_and_string_tool_result() {
    let (request, response) = read(
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        json!({
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 100,
            "system": [{"type": "text", "text": "Rule one."}, {"type": "text", "text": "Rule two."}],
            "messages": [
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "42", "is_error": false}]},
                {"role": "user", "content": [{"type": "search_result", "source": "x"}]}
            ],
            "top_p": 0.5
        }),
        json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
            "content": [], "stop_reason": "refusal", "stop_sequence": null,
            "usage": {"input_tokens": 9, "output_tokens": 0, "cache_read_input_tokens": 3}
        }),
    );
    assert_eq!(
        roles_and_contents(&request.messages),
        vec![
            (Role::System, "Rule one.\n\nRule two."),
            (Role::User, "<tool_result>42</tool_result>"),
            (Role::User, "<unknown_chunk>"),
        ]
    );
    assert_eq!(request.params.top_p, Some(0.5));
    let reason = response.finish_reason.unwrap();
    assert_eq!(
        (reason.raw.as_str(), reason.normalized),
        ("refusal", NormalizedFinishReason::ContentFilter)
    );
    assert_eq!(response.usage.output_tokens, Some(0));
    assert_eq!(response.usage.cache_read_input_tokens, Some(3));
}

#[test]
fn claude_text_ignores_undocumented_keys() {
    let (request, response) = read(
        "anthropic.claude-v2",
        json!({"prompt": "\n\nHuman: x\n\nAssistant:", "max_tokens_to_sample": 5, "unknown_knob": [1, 2]}),
        json!({"completion": " y", "stop_reason": "max_tokens", "type": "completion", "amazon-bedrock-guardrailAction": "NONE"}),
    );
    assert_eq!(request.messages[0].role, Role::User);
    assert_eq!(response.messages[0].content, " y");
    assert_eq!(
        response.finish_reason.unwrap().normalized,
        NormalizedFinishReason::Length
    );
}

#[test]
fn titan_content_filtered_and_express() {
    let (request, response) = read(
        "amazon.titan-text-express-v1",
        json!({"inputText": "bad words"}),
        json!({"inputTextTokenCount": 2, "results": [{"tokenCount": 0, "outputText": "", "completionReason": "CONTENT_FILTERED"}]}),
    );
    assert_eq!(request.params, Default::default());
    assert_eq!(response.messages[0].content, "");
    assert_eq!(
        response.finish_reason.unwrap().normalized,
        NormalizedFinishReason::ContentFilter
    );
    assert_eq!(
        (response.usage.input_tokens, response.usage.output_tokens),
        (Some(2), Some(0))
    );
}

#[test]
fn titan_embed_image_model_and_binary_only() {
    let (request, response) = read(
        "amazon.titan-embed-image-v1",
        json!({"inputText": "a red car", "inputImage": "iVBORw0KGgo=", "embeddingConfig": {"outputEmbeddingLength": 256}}),
        json!({"embedding": vec![0.5; 256], "inputTextTokenCount": 4, "message": null}),
    );
    assert_eq!(request.embedding_inputs, vec!["a red car".to_owned()]);
    assert_eq!(
        response.embedding.map(|e| (e.count, e.dimensions)),
        Some((1, Some(256)))
    );
    let (_, response) = read(
        "amazon.titan-embed-text-v2:0",
        json!({"inputText": "x", "embeddingTypes": ["binary"]}),
        json!({"inputTextTokenCount": 1, "embeddingsByType": {"binary": vec![1; 1024]}}),
    );
    assert_eq!(response.embedding.map(|e| e.dimensions), Some(Some(1024)));
}

#[test]
fn nova_max_tokens_alias_tool_use_answer_and_guard_content() {
    let (request, response) = read(
        "eu.amazon.nova-micro-v1:0",
        json!({
            "messages": [{"role": "user", "content": [
                {"guardContent": {"text": {"text": "is this safe?", "qualifiers": ["guard_content"]}}},
                {"document": {"format": "pdf", "name": "terms", "source": {"s3Location": {"uri": "s3://b/k"}}}},
                {"video": {"format": "mp4", "source": {"bytes": ""}}}
            ]}],
            "inferenceConfig": {"maxTokens": 77}
        }),
        json!({
            "output": {"message": {"role": "assistant", "content": [{"toolUse": {"toolUseId": "1", "name": "lookup", "input": {}}}]}},
            "stopReason": "tool_use",
            "usage": {"inputTokens": 5, "outputTokens": 9, "totalTokens": 14}
        }),
    );
    assert_eq!(request.params.max_tokens, Some(77));
    assert_eq!(
        request.messages[0].content,
        "<guard_content>is this safe?</guard_content>\n\n<document>terms</document>\n\n<unknown_chunk>"
    );
    assert_eq!(response.messages[0].content, "<tool_use>lookup</tool_use>");
    assert_eq!(
        response.finish_reason.unwrap().normalized,
        NormalizedFinishReason::ToolCall
    );
    assert_eq!(response.usage.total_tokens, Some(14));
}

#[test]
fn llama2_chat() {
    let (request, response) = read(
        "meta.llama2-70b-chat-v1",
        json!({"prompt": "[INST] hi [/INST]", "temperature": 0, "top_p": 1, "max_gen_len": 64}),
        json!({"generation": " Hello!", "prompt_token_count": 7.0, "generation_token_count": 3.0, "stop_reason": "stop"}),
    );
    // A real 0 is kept, not dropped.
    assert_eq!(request.params.temperature, Some(0.0));
    assert_eq!(
        (response.usage.input_tokens, response.usage.output_tokens),
        (Some(7), Some(3))
    );
}

#[test]
fn cohere_command_r_tool_call_only_answer() {
    let (request, response) = read(
        "cohere.command-r-v1:0",
        json!({"message": "Weather in Oslo?", "tools": [{"name": "weather", "description": "d", "parameter_definitions": {}}]}),
        json!({
            "response_id": "r1", "text": "", "generation_id": "g1", "finish_reason": "COMPLETE",
            "tool_calls": [{"name": "weather", "parameters": {"city": "Oslo"}}]
        }),
    );
    assert_eq!(
        roles_and_contents(&request.messages),
        vec![(Role::User, "Weather in Oslo?")]
    );
    assert_eq!(request.tool_names, vec!["weather".to_owned()]);
    assert_eq!(response.messages[0].content, "<tool_use>weather</tool_use>");
    assert_eq!(response.response_id.as_deref(), Some("r1"));
}

#[test]
fn cohere_chat_history_roles_normalize() {
    let (request, _) = read(
        "cohere.command-r-plus-v1:0",
        json!({"chat_history": [{"role": "SYSTEM", "message": "s"}, {"role": "CHATBOT", "message": "c"}, {"role": "TOOL", "tool_results": []}], "message": "m"}),
        json!({"text": "ok", "finish_reason": "MAX_TOKENS"}),
    );
    assert_eq!(
        roles_and_contents(&request.messages),
        vec![
            (Role::System, "s"),
            (Role::Assistant, "c"),
            (Role::Tool, ""),
            (Role::User, "m")
        ]
    );
}

#[test]
fn cohere_embed_v4_by_type() {
    let (request, response) = read(
        "us.cohere.embed-v4:0",
        json!({"texts": ["a", "b", "c"], "input_type": "search_document", "embedding_types": ["int8", "float"], "output_dimension": 256}),
        json!({
            "id": "e1", "response_type": "embeddings_by_type", "texts": ["a", "b", "c"],
            "embeddings": {"int8": [vec![1; 256], vec![2; 256], vec![3; 256]], "float": [vec![0.1; 256], vec![0.2; 256], vec![0.3; 256]]}
        }),
    );
    assert_eq!(request.embedding_inputs.len(), 3);
    assert_eq!(
        response.embedding.map(|e| (e.count, e.dimensions)),
        Some((3, Some(256)))
    );
}

#[test]
fn j2_length_finish_and_several_completions() {
    let (request, response) = read(
        "ai21.j2-mid-v1",
        json!({"prompt": "p", "numResults": 2, "maxTokens": 4}),
        json!({
            "id": "abc",
            "prompt": {"text": "p", "tokens": [{}, {}]},
            "completions": [
                {"data": {"text": "one", "tokens": [{}, {}, {}, {}]}, "finishReason": {"reason": "length", "length": 4}},
                {"data": {"text": "two", "tokens": [{}]}, "finishReason": {"reason": "stop", "sequence": "."}}
            ]
        }),
    );
    assert_eq!(request.params.choice_count, Some(2));
    assert_eq!(
        roles_and_contents(&response.messages),
        vec![(Role::Assistant, "one"), (Role::Assistant, "two")]
    );
    assert_eq!(response.finish_reason.unwrap().raw, "length");
    assert_eq!(
        (response.usage.input_tokens, response.usage.output_tokens),
        (Some(2), Some(5))
    );
    assert_eq!(response.response_id.as_deref(), Some("abc"));
}

#[test]
fn jamba_parts_content_and_null_content() {
    let (request, response) = read(
        "ai21.jamba-instruct-v1:0",
        json!({"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {"url": "x"}}]}]}),
        json!({"id": "j", "choices": [{"index": 0, "message": {"role": "assistant", "content": null, "tool_calls": []}, "finish_reason": "tool_calls"}], "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}),
    );
    assert_eq!(request.messages[0].content, "hi\n\n<image>");
    assert_eq!(response.messages[0].content, "");
    assert_eq!(
        response.finish_reason.unwrap().normalized,
        NormalizedFinishReason::ToolCall
    );
}

#[test]
fn mistral_chat_openai_style_finish_reason_key() {
    let (_, response) = read(
        "mistral.mistral-large-2407-v1:0",
        json!({"messages": [{"role": "user", "content": "hi"}]}),
        json!({"id": "m1", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "length"}], "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}),
    );
    assert_eq!(response.messages[0].content, "hello");
    assert_eq!(
        response.finish_reason.unwrap().normalized,
        NormalizedFinishReason::Length
    );
    assert_eq!(response.usage.total_tokens, Some(6));
}

#[test]
fn cohere_embed_reads_both_embedding_forms_and_names_the_path_of_a_bad_one() {
    let request = json!({"texts": ["a", "b"], "input_type": "search_document"});
    let floats = json!({"id": "e1", "embeddings": [[0.5, -1.0, 2.0], [1.0, 0.0, 0.25]],
        "response_type": "embeddings_floats"});
    let (_, response) = read("cohere.embed-english-v3", request.clone(), floats);
    let stats = response.embedding.unwrap();
    assert_eq!((stats.count, stats.dimensions), (2, Some(3)));

    let by_type = json!({"id": "e2", "embeddings": {"float": [[0.5, 1.5]], "int8": [[1, 2]]},
        "response_type": "embeddings_by_type"});
    let (_, response) = read("cohere.embed-english-v3", request.clone(), by_type);
    assert_eq!(response.embedding.unwrap().dimensions, Some(2));

    let mut record = Invocation::new("cohere.embed-english-v3", Operation::InvokeModel);
    let request = serde_json::to_vec(&request).unwrap();
    let bad = br#"{"id": "e3", "embeddings": [[0.5, "x"]]}"#;
    bedrock_llm_models::registry().read_bodies(&mut record, Some(&request), Some(bad));
    let [error] = record.extraction_errors.as_slice() else {
        panic!("expected one error, got {:?}", record.extraction_errors);
    };
    // Vectors are checked whole (their values are not parsed): the path names the vector and
    // the message the element.
    assert_eq!(error.path, "$.embeddings[0]", "{error}");
    assert!(
        error.to_string().contains("element 1 is not a number"),
        "{error}"
    );
    assert!(error.to_string().contains("Cohere Embed"), "{error}");
    let wrong_form = br#"{"id": "e4", "embeddings": "none"}"#;
    let mut record = Invocation::new("cohere.embed-english-v3", Operation::InvokeModel);
    bedrock_llm_models::registry().read_bodies(&mut record, Some(&request), Some(wrong_form));
    let message = record.extraction_errors[0].to_string();
    assert!(message.contains("a list of float vectors"), "{message}");
    assert!(message.contains("$.embeddings"), "{message}");
}

#[test]
fn claude_and_chat_content_of_the_wrong_type_name_the_path_and_the_expectation() {
    let cases: [(&str, &[u8], &str, &str); 3] = [
        (
            "anthropic.claude-3-haiku-20240307-v1:0",
            br#"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": 5}]}"#,
            "$.messages[1].content",
            "expected a string or a list of content blocks",
        ),
        (
            "anthropic.claude-3-haiku-20240307-v1:0",
            br#"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "system": {"text": "x"}, "messages": []}"#,
            "$.system",
            "expected a string or a list of content blocks",
        ),
        (
            "mistral.mistral-large-2407-v1:0",
            br#"{"messages": [{"role": "user", "content": [{"type": "text", "text": 1}]}]}"#,
            // A tagged part is read whole, so the path stops at the part.
            "$.messages[0].content[0]",
            "expected a string",
        ),
    ];
    for (model_id, body, path, expected) in cases {
        let mut record = Invocation::new(model_id, Operation::InvokeModel);
        bedrock_llm_models::registry().read_bodies(&mut record, Some(body), None);
        let [error] = record.extraction_errors.as_slice() else {
            panic!(
                "{model_id}: expected one error, got {:?}",
                record.extraction_errors
            );
        };
        assert_eq!(error.path, path, "{error}");
        assert!(error.to_string().contains(expected), "{error}");
    }
}
