//! Calls whose model ID names no model — application inference profiles, provisioned
//! throughput, custom deployments — keep their conversation: the family is read from the
//! request body's shape (`bedrock_llm_models::shapes`), a body that fits several families is
//! left unread and counted (never guessed), and a user's alias settles what a shape cannot.

use bedrock_llm_core::{
    AliasError, Invocation, InvocationBuilder, Operation, Registry, Routing, parse_aliases,
};
use bedrock_llm_events::names::metric;
use bedrock_llm_events::{CallContext, Config, Recorder};
use bedrock_llm_models::samples::{self, Sample};
use proptest::prelude::*;
use serde_json::{Value, json};

const OPAQUE: [&str; 3] = [
    "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6",
    "arn:aws:bedrock:us-west-2:111122223333:provisioned-model/pm0abc123",
    "arn:aws:bedrock:eu-west-1:111122223333:custom-model-deployment/cmd7xyz",
];

/// The sample's call replayed as it would be logged under `model_id`.
fn replayed(sample: &Sample, model_id: &str) -> Invocation {
    let mut builder = InvocationBuilder::new(
        bedrock_llm_models::registry(),
        model_id,
        Operation::InvokeModel,
        Some(&sample.request),
    );
    builder
        .request_body(sample.request.clone())
        .response_body(sample.response.clone());
    builder.finish()
}

#[test]
fn an_opaque_arn_reads_the_same_conversation_as_the_model_id_or_nothing() {
    let mut recognized = std::collections::BTreeSet::new();
    for sample in samples::all().unwrap() {
        let named = replayed(&sample, sample.model_id);
        assert_eq!(named.routing, Some(Routing::ModelId), "{}", sample.case);
        for arn in OPAQUE {
            let opaque = replayed(&sample, arn);
            match opaque.routing {
                Some(Routing::BodyShape) => {
                    // Never a wrong family: the one the model ID gives, and the same record.
                    assert_eq!(opaque.family, named.family, "{} under {arn}", sample.case);
                    assert_eq!(opaque.request, named.request, "{}", sample.case);
                    assert_eq!(opaque.response, named.response, "{}", sample.case);
                    recognized.insert(sample.family_slug);
                }
                Some(Routing::AmbiguousBody | Routing::Unrecognized) => {
                    assert_eq!(opaque.family, None, "{}", sample.case);
                    assert!(opaque.request.is_none() && opaque.response.is_none());
                }
                other => panic!("{}: {other:?}", sample.case),
            }
        }
    }
    // Every family with a body key of its own is recognized from at least one sample.
    for family in [
        "claude_messages",
        "claude_text",
        "titan_text",
        "titan_embed",
        "nova",
        "llama",
        "cohere_command",
        "cohere_command_r",
        "cohere_embed",
        "jurassic2",
        "mistral_text",
        "titan_image",
        "stability_image",
        "sdxl",
        "cohere_rerank",
        "pegasus",
    ] {
        assert!(recognized.contains(family), "{family}: {recognized:?}");
    }
}

/// Keys every prompt or chat family shares decide nothing: adding them to any sample body
/// never routes it to another family.
fn with_shared_keys(body: &[u8], keys: &[&str]) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(body).unwrap();
    if let Some(object) = value.as_object_mut() {
        for key in keys {
            object.entry(key.to_string()).or_insert(json!(0.5));
        }
    }
    serde_json::to_vec(&value).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn shared_keys_never_turn_a_body_into_another_family(
        keys in proptest::sample::subsequence(vec!["temperature", "top_p", "max_tokens", "stream", "seed"], 0..=5),
        arn in proptest::sample::select(OPAQUE.to_vec()),
    ) {
        let registry = bedrock_llm_models::registry();
        for sample in samples::all().unwrap() {
            let body = with_shared_keys(&sample.request, &keys);
            let (adapter, routing) = registry.route(arn, None, Some(&body));
            if let Some(adapter) = adapter {
                prop_assert_eq!(routing, Routing::BodyShape);
                prop_assert_eq!(adapter.family(), sample.family, "{} with {:?}", sample.case, keys);
            }
        }
    }
}

#[test]
fn a_body_several_families_fit_is_left_unread_and_counted() {
    // OpenAI-style chat with nothing of Jamba's or Mistral's own: either could read it.
    let body = br#"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 20}"#;
    let mut builder = InvocationBuilder::new(
        bedrock_llm_models::registry(),
        OPAQUE[0],
        Operation::InvokeModel,
        Some(body),
    );
    builder.request_body(body.to_vec()).response_body(
        br#"{"choices": [{"message": {"role": "assistant", "content": "Hello"}}]}"#.to_vec(),
    );
    let invocation = builder.finish();
    assert_eq!(invocation.routing, Some(Routing::AmbiguousBody));
    assert!(invocation.family.is_none() && invocation.response.is_none());
    // `{inputText}` alone is either Titan family.
    let (_, routing) =
        bedrock_llm_models::registry().route(OPAQUE[1], None, Some(br#"{"inputText": "x"}"#));
    assert_eq!(routing, Routing::AmbiguousBody);

    let recorder = Recorder::new(Config::default().enabled());
    recorder.record(&invocation, &CallContext::detached());
    let harvest = recorder.harvest();
    assert_eq!(
        harvest
            .metrics
            .get(metric::ROUTING_AMBIGUOUS)
            .map(|m| m.count),
        Some(1)
    );
    // The call itself is still recorded: a summary without messages.
    assert_eq!(harvest.events.len(), 1);
}

#[test]
fn an_alias_settles_what_a_shape_cannot() {
    let aliases = parse_aliases(&format!(
        "{}=ai21.jamba-1-5-mini-v1:0; {}=mistral.mistral-large-2407-v1:0",
        OPAQUE[0], OPAQUE[1]
    ))
    .unwrap();
    let mut registry: Registry = bedrock_llm_models::new_registry();
    for (from, to) in aliases {
        registry.alias(from, to);
    }
    let body = br#"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 20}"#;
    let (jamba, routing) = registry.route(OPAQUE[0], None, Some(body));
    assert_eq!(
        (jamba.map(|a| a.family()), routing),
        (Some("Jamba"), Routing::Alias)
    );
    let (mistral, _) = registry.route(OPAQUE[1], None, Some(body));
    assert_eq!(mistral.map(|a| a.family()), Some("Mistral Chat"));
    let (none, routing) = registry.route(OPAQUE[2], None, Some(body));
    assert_eq!((none.is_none(), routing), (true, Routing::AmbiguousBody));
}

#[test]
fn malformed_aliases_are_refused_with_the_entry() {
    for (text, want) in [
        ("just-an-arn", "is not FROM=TO"),
        ("a=anthropic.claude-v2 c", "is not FROM=TO"),
        ("x=has space?", "is not a model ID"),
        (
            "x=arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc",
            "does not name a model",
        ),
    ] {
        let error: AliasError = parse_aliases(text).unwrap_err();
        assert!(error.to_string().contains(want), "{text}: {error}");
    }
    assert_eq!(parse_aliases("").unwrap(), Vec::new());
}
