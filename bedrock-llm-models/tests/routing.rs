//! Model-ID routing: every ID form resolves to its family; IDs two families share are settled
//! by the request body's shape; unknown models fall back to a record without views.

use bedrock_llm_core::{Invocation, Operation, Registry};
use bedrock_llm_models::anthropic::ClaudeMessages;
use bedrock_llm_models::mistral::MistralChat;
use bedrock_llm_models::registry;

/// Wraps a bare ID in every form Bedrock accepts.
fn forms(base: &str) -> Vec<String> {
    vec![
        base.to_owned(),
        format!("us.{base}"),
        format!("eu.{base}"),
        format!("apac.{base}"),
        format!("global.{base}"),
        format!("us-gov.{base}"),
        format!("arn:aws:bedrock:us-west-2::foundation-model/{base}"),
        format!("arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.{base}"),
        format!(
            "arn:aws-us-gov:bedrock:us-gov-west-1:111122223333:inference-profile/us-gov.{base}"
        ),
    ]
}

#[test]
fn every_form_of_every_family_resolves() {
    let table = [
        ("anthropic.claude-3-sonnet-20240229-v1:0", "Claude Messages"),
        (
            "anthropic.claude-3-5-sonnet-20241022-v2:0",
            "Claude Messages",
        ),
        (
            "anthropic.claude-3-7-sonnet-20250219-v1:0",
            "Claude Messages",
        ),
        ("anthropic.claude-sonnet-4-20250514-v1:0", "Claude Messages"),
        ("anthropic.claude-opus-4-1-20250805-v1:0", "Claude Messages"),
        (
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            "Claude Messages",
        ),
        ("anthropic.claude-v2", "Claude Text Completions"),
        ("anthropic.claude-v2:1", "Claude Text Completions"),
        ("anthropic.claude-instant-v1", "Claude Text Completions"),
        ("amazon.titan-text-express-v1", "Titan Text"),
        ("amazon.titan-text-lite-v1", "Titan Text"),
        ("amazon.titan-text-premier-v1:0", "Titan Text"),
        ("amazon.titan-embed-text-v1", "Titan Embeddings"),
        ("amazon.titan-embed-text-v2:0", "Titan Embeddings"),
        ("amazon.titan-embed-image-v1", "Titan Embeddings"),
        ("amazon.nova-micro-v1:0", "Nova"),
        ("amazon.nova-premier-v1:0", "Nova"),
        ("meta.llama2-13b-chat-v1", "Llama"),
        ("meta.llama3-70b-instruct-v1:0", "Llama"),
        ("meta.llama3-2-90b-instruct-v1:0", "Llama"),
        ("meta.llama4-maverick-17b-instruct-v1:0", "Llama"),
        ("cohere.command-text-v14", "Cohere Command"),
        ("cohere.command-light-text-v14", "Cohere Command"),
        ("cohere.command-r-v1:0", "Cohere Command R"),
        ("cohere.command-r-plus-v1:0", "Cohere Command R"),
        ("cohere.embed-english-v3", "Cohere Embed"),
        ("cohere.embed-multilingual-v3", "Cohere Embed"),
        ("cohere.embed-v4:0", "Cohere Embed"),
        ("ai21.j2-mid-v1", "Jurassic-2"),
        ("ai21.j2-ultra-v1", "Jurassic-2"),
        ("ai21.jamba-instruct-v1:0", "Jamba"),
        ("ai21.jamba-1-5-mini-v1:0", "Jamba"),
        ("mistral.mistral-7b-instruct-v0:2", "Mistral Text"),
        ("mistral.mixtral-8x7b-instruct-v0:1", "Mistral Text"),
    ];
    for (base, family) in table {
        for id in forms(base) {
            let adapter = registry().resolve(&id, None);
            assert_eq!(adapter.map(|a| a.family()), Some(family), "{id}");
        }
    }
}

#[test]
fn shared_ids_route_by_request_shape() {
    let text = br#"{"prompt": "\n\nHuman: hi\n\nAssistant:", "max_tokens_to_sample": 10}"#;
    let messages = br#"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}"#;
    for id in [
        "anthropic.claude-v2:1",
        "us.anthropic.claude-v2",
        "anthropic.claude-instant-v1",
    ] {
        assert_eq!(
            registry().resolve(id, Some(text)).map(|a| a.family()),
            Some("Claude Text Completions")
        );
        assert_eq!(
            registry().resolve(id, Some(messages)).map(|a| a.family()),
            Some("Claude Messages")
        );
    }
    let chat = br#"{"messages": [{"role": "user", "content": "hi"}]}"#;
    let prompt = br#"{"prompt": "<s>[INST] hi [/INST]"}"#;
    for id in [
        "mistral.mistral-large-2407-v1:0",
        "mistral.mistral-large-2402-v1:0",
        "us.mistral.pixtral-large-2502-v1:0",
    ] {
        assert_eq!(
            registry().resolve(id, Some(chat)).map(|a| a.family()),
            Some("Mistral Chat")
        );
        assert_eq!(
            registry().resolve(id, Some(prompt)).map(|a| a.family()),
            Some("Mistral Text")
        );
    }
}

#[test]
fn unknown_models_fall_back_to_a_record_without_views() {
    let registry = registry();
    for id in [
        "acme.unknown-v1",
        "writer.palmyra-x4-v1:0",
        "arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc123",
        "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3",
        "not a model id",
    ] {
        assert!(registry.resolve(id, Some(b"{}")).is_none(), "{id}");
        let mut record = Invocation::new(id, Operation::InvokeModel);
        record.request_id = Some("req-1".to_owned());
        record.header_metrics.input_tokens = Some(10);
        record.header_metrics.output_tokens = Some(3);
        registry.read_bodies(
            &mut record,
            Some(b"{\"prompt\": \"hi\"}"),
            Some(b"{\"text\": \"yo\"}"),
        );
        assert_eq!(record.family, None);
        assert_eq!(
            (record.request.as_ref(), record.response.as_ref()),
            (None, None)
        );
        assert!(record.extraction_errors.is_empty());
        // Model, request id and header counts stand.
        assert_eq!(record.model_id, id);
        assert_eq!(record.request_id.as_deref(), Some("req-1"));
        assert_eq!(record.usage().map(|(u, _)| u.total()), Some(Some(13)));
    }
}

#[test]
fn opaque_arns_resolve_through_a_pin() {
    let arn = "arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc123";
    let mut registry: Registry = bedrock_llm_models::new_registry();
    registry.pin::<ClaudeMessages>(arn);
    assert_eq!(
        registry.resolve(arn, None).map(|a| a.family()),
        Some("Claude Messages")
    );
    let mut record = Invocation::new(arn, Operation::InvokeModel);
    let request = br#"{"max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}"#;
    let response = br#"{"id": "msg_1", "content": [{"type": "text", "text": "hey"}], "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}}"#;
    registry.read_bodies(&mut record, Some(request), Some(response));
    assert_eq!(record.family, Some("Claude Messages"));
    assert_eq!(record.response.unwrap().messages[0].content, "hey");
}

#[test]
fn later_registrations_take_precedence() {
    let mut registry = bedrock_llm_models::new_registry();
    // A user's adapter for `mistral.*` replaces both prebuilt Mistral families.
    registry.register::<MistralChat>();
    let prompt = br#"{"prompt": "<s>[INST] hi [/INST]"}"#;
    assert_eq!(
        registry
            .resolve("mistral.mistral-7b-instruct-v0:2", Some(prompt))
            .map(|a| a.family()),
        Some("Mistral Chat")
    );
    assert_eq!(registry.adapters().count(), 25);
}

/// Resolution is remembered per thread; a registry changed after a lookup, and a clone of it,
/// each answer by their own adapter list, however their lookups interleave.
#[test]
fn remembered_resolutions_follow_each_registry_list() {
    let prompt = br#"{"prompt": "<s>[INST] hi [/INST]"}"#;
    let id = "mistral.mistral-7b-instruct-v0:2";
    let family = |registry: &Registry| registry.resolve(id, Some(prompt)).map(|a| a.family());
    let mut changed = bedrock_llm_models::new_registry();
    let prebuilt = changed.clone();
    assert_eq!(family(&changed), Some("Mistral Text"));
    changed.register::<MistralChat>();
    for _ in 0..2 {
        assert_eq!(family(&changed), Some("Mistral Chat"));
        assert_eq!(family(&prebuilt), Some("Mistral Text"));
        assert_eq!(family(&changed.clone()), Some("Mistral Chat"));
    }
    assert_eq!(family(&Registry::new()), None);
}

#[test]
fn malformed_bodies_name_family_path_and_expectation() {
    let mut record = Invocation::new("amazon.titan-text-express-v1", Operation::InvokeModel);
    let response =
        br#"{"inputTextTokenCount": 3, "results": [{"tokenCount": "many", "outputText": "hi"}]}"#;
    registry().read_bodies(&mut record, Some(br#"{"inputText": "hi"}"#), Some(response));
    assert!(record.request.is_some() && record.response.is_none());
    let error = &record.extraction_errors[0];
    assert_eq!(error.family, Some("Titan Text"));
    assert_eq!(error.path, "$.results[0].tokenCount");
    let message = error.to_string();
    assert!(
        message.starts_with("Titan Text response body (TitanTextResponse): "),
        "{message}"
    );
    assert!(message.contains("token count"), "{message}");
}
