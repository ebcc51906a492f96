//! Property tests for every prebuilt family, driven by the family's samples:
//! - typed request → bytes → typed round-trips, with every string in the body replaced by
//!   arbitrary unicode;
//! - arbitrary JSON values, type-confused samples and arbitrary bytes never panic any adapter;
//! - arbitrary unicode placed in the completion field comes out byte-exact in the output message;
//! - token counts written as integers or floats come out exact, and totals add up;
//! - tool calls with arbitrary ids, names and JSON arguments come out as structured parts,
//!   exactly, in every family that has them.

use std::fmt::Debug;

use bedrock_llm_core::{BedrockModel, ModelRequest, ModelResponse};
use bedrock_llm_models::ai21::{Jamba, Jurassic2};
use bedrock_llm_models::amazon::{Nova, TitanEmbed, TitanText};
use bedrock_llm_models::anthropic::{ClaudeMessages, ClaudeText};
use bedrock_llm_models::cohere::{CohereCommand, CohereCommandR, CohereEmbed};
use bedrock_llm_models::deepseek::DeepSeekR1;
use bedrock_llm_models::image::{Sdxl, StabilityImage, TitanImage};
use bedrock_llm_models::meta::Llama;
use bedrock_llm_models::mistral::{MistralChat, MistralText};
use bedrock_llm_models::openai::OpenAiChat;
use bedrock_llm_models::rerank::{AmazonRerank, CohereRerank};
use bedrock_llm_models::samples::{self, Sample};
use bedrock_llm_models::twelvelabs::{Marengo, Pegasus};
use bedrock_llm_models::video::{LumaRay, NovaReel};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

fn samples_of(family: &str) -> Vec<Sample> {
    let all = samples::all().unwrap();
    let picked: Vec<Sample> = all.into_iter().filter(|s| s.family == family).collect();
    assert!(!picked.is_empty(), "no samples for {family}");
    picked
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

/// JSON pointers of every string leaf, except enum tags (`type`), which select the shape.
fn string_leaves(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::String(_) => out.push(pointer),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                string_leaves(item, format!("{pointer}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                if key != "type" {
                    string_leaves(
                        item,
                        format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")),
                        out,
                    );
                }
            }
        }
        _ => {}
    }
}

/// `value` with each string leaf replaced, in order, by one of `replacements`.
fn with_strings(value: &Value, replacements: &[String]) -> Value {
    let mut leaves = Vec::new();
    string_leaves(value, String::new(), &mut leaves);
    let mut out = value.clone();
    for (pointer, text) in leaves.iter().zip(replacements) {
        if let Some(slot) = out.pointer_mut(pointer) {
            *slot = Value::String(text.clone());
        }
    }
    out
}

fn string_count(value: &Value) -> usize {
    let mut leaves = Vec::new();
    string_leaves(value, String::new(), &mut leaves);
    leaves.len()
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Typed round-trips of both bodies of every sample of `M`, strings replaced by arbitrary text.
fn round_trips<M>()
where
    M: BedrockModel,
    M::Request: PartialEq + Debug,
    M::Response: PartialEq + Debug,
{
    for sample in samples_of(M::FAMILY) {
        let request = json(&sample.request);
        let response = json(&sample.response);
        let strategy = (
            proptest::collection::vec(any::<String>(), string_count(&request)),
            proptest::collection::vec(any::<String>(), string_count(&response)),
        );
        runner(48)
            .run(&strategy, |(request_strings, response_strings)| {
                let body = serde_json::to_vec(&with_strings(&request, &request_strings)).unwrap();
                let typed =
                    M::decode_request(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let again = M::decode_request(&typed.to_body().unwrap()).unwrap();
                prop_assert_eq!(&again, &typed);
                prop_assert_eq!(again.view(), typed.view());

                let body = serde_json::to_vec(&with_strings(&response, &response_strings)).unwrap();
                let typed =
                    M::decode_response(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let again = M::decode_response(&typed.to_body().unwrap()).unwrap();
                prop_assert_eq!(&again, &typed);
                prop_assert_eq!(again.view(), typed.view());
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{} / {}: {e}", sample.family_slug, sample.case));
    }
}

#[test]
fn claude_text_round_trips() {
    round_trips::<ClaudeText>();
}
#[test]
fn claude_messages_round_trips() {
    round_trips::<ClaudeMessages>();
}
#[test]
fn titan_text_round_trips() {
    round_trips::<TitanText>();
}
#[test]
fn titan_embed_round_trips() {
    round_trips::<TitanEmbed>();
}
#[test]
fn nova_round_trips() {
    round_trips::<Nova>();
}
#[test]
fn llama_round_trips() {
    round_trips::<Llama>();
}
#[test]
fn cohere_command_round_trips() {
    round_trips::<CohereCommand>();
}
#[test]
fn cohere_command_r_round_trips() {
    round_trips::<CohereCommandR>();
}
#[test]
fn cohere_embed_round_trips() {
    round_trips::<CohereEmbed>();
}
#[test]
fn jurassic2_round_trips() {
    round_trips::<Jurassic2>();
}
#[test]
fn jamba_round_trips() {
    round_trips::<Jamba>();
}
#[test]
fn mistral_text_round_trips() {
    round_trips::<MistralText>();
}
#[test]
fn mistral_chat_round_trips() {
    round_trips::<MistralChat>();
}
#[test]
fn openai_chat_round_trips() {
    round_trips::<OpenAiChat>();
}
#[test]
fn deepseek_r1_round_trips() {
    round_trips::<DeepSeekR1>();
}
#[test]
fn titan_image_round_trips() {
    round_trips::<TitanImage>();
}
#[test]
fn stability_image_round_trips() {
    round_trips::<StabilityImage>();
}
#[test]
fn sdxl_round_trips() {
    round_trips::<Sdxl>();
}
#[test]
fn cohere_rerank_round_trips() {
    round_trips::<CohereRerank>();
}
#[test]
fn pegasus_round_trips() {
    round_trips::<Pegasus>();
}
#[test]
fn amazon_rerank_round_trips() {
    round_trips::<AmazonRerank>();
}
#[test]
fn nova_reel_round_trips() {
    round_trips::<NovaReel>();
}
#[test]
fn luma_ray_round_trips() {
    round_trips::<LumaRay>();
}
#[test]
fn marengo_round_trips() {
    round_trips::<Marengo>();
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        proptest::sample::select(&["text", "tool_use", "image", "messages", "USER", "CHATBOT"][..])
            .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                proptest::sample::select(
                    &[
                        "type",
                        "text",
                        "content",
                        "role",
                        "messages",
                        "results",
                        "outputText",
                        "completion",
                        "generation",
                        "choices",
                        "usage",
                        "input_tokens",
                        "embedding",
                        "embeddings",
                        "id",
                        "output",
                        "message",
                        "stop_reason",
                        "completions",
                        "data",
                        "tokens",
                        "generations",
                    ][..]
                )
                .prop_map(str::to_owned),
                inner,
                0..6,
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(Config { cases: 256, failure_persistence: None, ..Config::default() })]

    #[test]
    fn arbitrary_json_never_panics_any_adapter(value in arbitrary_json()) {
        let body = serde_json::to_vec(&value).unwrap();
        for adapter in bedrock_llm_models::registry().adapters() {
            let _ = adapter.request_view(&body);
            let _ = adapter.response_view(&body);
            let _ = adapter.accepts_request(&body);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_any_adapter(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        // Bytes that are not JSON are an error for every adapter, never a panic or a view.
        let is_json = serde_json::from_slice::<Value>(&body).is_ok();
        for adapter in bedrock_llm_models::registry().adapters() {
            let request = adapter.request_view(&body);
            let response = adapter.response_view(&body);
            if !is_json {
                prop_assert!(request.is_err() && response.is_err(), "{}", adapter.family());
            }
        }
    }

    #[test]
    fn type_confused_samples_never_panic(index in any::<prop::sample::Index>(), leaf in arbitrary_json(), which in 0usize..64) {
        let samples = samples::all().unwrap();
        let sample = index.get(&samples);
        for (bytes, is_request) in [(&sample.request, true), (&sample.response, false)] {
            let mut value = json(bytes);
            let mut pointers = Vec::new();
            all_pointers(&value, String::new(), &mut pointers);
            let pointer = &pointers[which % pointers.len()];
            if let Some(slot) = value.pointer_mut(pointer) {
                *slot = leaf.clone();
            }
            let body = serde_json::to_vec(&value).unwrap();
            for adapter in bedrock_llm_models::registry().adapters() {
                if is_request {
                    let _ = adapter.request_view(&body);
                } else if let Err(error) = adapter.response_view(&body) {
                    // A failure still names where and what.
                    prop_assert!(error.path.starts_with('$'));
                    prop_assert!(!error.message.is_empty());
                }
            }
        }
    }
}

fn all_pointers(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate().take(4) {
                all_pointers(item, format!("{pointer}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                all_pointers(
                    item,
                    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        _ => {}
    }
    out.push(pointer);
}

/// Where each family's sample keeps its first completion text, and how the output message
/// renders it (Mistral's sample also calls a tool).
const COMPLETION_FIELDS: &[(&str, &str, &str, &str)] = &[
    ("claude_text", "basic", "/completion", ""),
    (
        "claude_messages",
        "system_and_history",
        "/content/0/text",
        "",
    ),
    ("titan_text", "premier", "/results/0/outputText", ""),
    (
        "nova",
        "system_and_tools",
        "/output/message/content/0/text",
        "",
    ),
    ("llama", "llama3_1_chat_template", "/generation", ""),
    (
        "cohere_command",
        "two_generations",
        "/generations/0/text",
        "",
    ),
    ("cohere_command_r", "history_and_tools", "/text", ""),
    (
        "jurassic2",
        "ultra_with_penalties",
        "/completions/0/data/text",
        "",
    ),
    ("jamba", "system_and_user", "/choices/0/message/content", ""),
    ("mistral_text", "mixtral", "/outputs/0/text", ""),
    (
        "mistral_chat",
        "large_2_tool_calls",
        "/choices/0/message/content",
        "<tool_use>get_time</tool_use>",
    ),
    (
        "openai_chat",
        "gpt_oss_chat",
        "/choices/0/message/content",
        "",
    ),
    ("deepseek_r1", "cut_at_length", "/choices/0/text", ""),
];

fn sample(family_slug: &str, case: &str) -> Sample {
    samples::all()
        .unwrap()
        .into_iter()
        .find(|s| s.family_slug == family_slug && s.case == case)
        .unwrap()
}

proptest! {
    #![proptest_config(Config { cases: 128, failure_persistence: None, ..Config::default() })]

    #[test]
    fn unicode_completions_survive_byte_exact(text in any::<String>()) {
        let registry = bedrock_llm_models::registry();
        for &(family_slug, case, pointer, tool_suffix) in COMPLETION_FIELDS {
            let sample = sample(family_slug, case);
            let mut response = json(&sample.response);
            *response.pointer_mut(pointer).unwrap() = Value::String(text.clone());
            let adapter = registry.resolve(sample.model_id, Some(&sample.request)).unwrap();
            let view = adapter.response_view(&serde_json::to_vec(&response).unwrap()).unwrap();
            let expected = match (text.is_empty(), tool_suffix.is_empty()) {
                (_, true) => text.clone(),
                (true, false) => tool_suffix.to_owned(),
                (false, false) => format!("{text}\n\n{tool_suffix}"),
            };
            prop_assert_eq!(&view.messages[0].content, &expected, "{}", family_slug);
        }
    }

    #[test]
    fn unicode_prompts_and_embedding_inputs_survive_byte_exact(text in any::<String>()) {
        let registry = bedrock_llm_models::registry();
        for (family_slug, case, pointer) in [
            ("claude_text", "basic", "/prompt"),
            ("llama", "llama4_length", "/prompt"),
            ("titan_text", "premier", "/inputText"),
            ("claude_messages", "system_and_history", "/messages/0/content"),
            ("titan_embed", "v1", "/inputText"),
            ("cohere_embed", "floats", "/texts/1"),
            ("titan_image", "text_to_image", "/textToImageParams/text"),
            ("stability_image", "text_to_image", "/prompt"),
            ("sdxl", "error", "/text_prompts/0/text"),
            ("cohere_rerank", "top_three", "/query"),
            ("pegasus", "s3_video", "/inputPrompt"),
            ("amazon_rerank", "top_two", "/query"),
            ("nova_reel", "text_to_video", "/textToVideoParams/text"),
            ("nova_reel", "multi_shot_manual", "/multiShotManualParams/shots/1/text"),
            ("luma_ray", "text_to_video", "/prompt"),
            ("marengo", "text_query", "/inputText"),
        ] {
            let sample = sample(family_slug, case);
            let mut request = json(&sample.request);
            *request.pointer_mut(pointer).unwrap() = Value::String(text.clone());
            let body = serde_json::to_vec(&request).unwrap();
            let adapter = registry.resolve(sample.model_id, Some(&body)).unwrap();
            let view = adapter.request_view(&body).unwrap();
            let found = view.messages.iter().map(|m| &m.content).chain(&view.embedding_inputs).any(|c| *c == text);
            prop_assert!(found, "{}: {:?} not in {:?}", family_slug, text, view);
        }
    }

    #[test]
    fn token_counts_are_exact_and_totals_consistent(
        input in 0u64..2_000_000,
        output in 0u64..2_000_000,
        as_float in any::<bool>(),
    ) {
        let number = |n: u64| if as_float { serde_json::json!(n as f64) } else { serde_json::json!(n) };
        let registry = bedrock_llm_models::registry();
        for (family_slug, case, input_pointer, output_pointer) in [
            ("claude_messages", "system_and_history", "/usage/input_tokens", "/usage/output_tokens"),
            ("titan_text", "premier", "/inputTextTokenCount", "/results/0/tokenCount"),
            ("nova", "tool_use", "/usage/inputTokens", "/usage/outputTokens"),
            ("llama", "llama4_length", "/prompt_token_count", "/generation_token_count"),
            ("jamba", "system_and_user", "/usage/prompt_tokens", "/usage/completion_tokens"),
        ] {
            let sample = sample(family_slug, case);
            let mut response = json(&sample.response);
            *response.pointer_mut(input_pointer).unwrap() = number(input);
            *response.pointer_mut(output_pointer).unwrap() = number(output);
            let adapter = registry.resolve(sample.model_id, Some(&sample.request)).unwrap();
            let usage = adapter.response_view(&serde_json::to_vec(&response).unwrap()).unwrap().usage;
            prop_assert_eq!(usage.input_tokens, Some(input), "{}", family_slug);
            prop_assert_eq!(usage.output_tokens, Some(output), "{}", family_slug);
            if usage.total_tokens.is_none() {
                prop_assert_eq!(usage.total(), Some(input + output), "{}", family_slug);
            }
        }
    }

    #[test]
    fn choice_token_counts_add_up(counts in proptest::collection::vec(0u64..100_000, 1..5)) {
        // Titan reports a count per result; J2 a token array per completion.
        let titan = sample("titan_text", "premier");
        let mut response = json(&titan.response);
        let template = response["results"][0].clone();
        response["results"] = Value::Array(counts.iter().map(|&n| {
            let mut result = template.clone();
            result["tokenCount"] = serde_json::json!(n);
            result
        }).collect());
        let view = TitanText::decode_response(&serde_json::to_vec(&response).unwrap()).unwrap().view();
        prop_assert_eq!(view.messages.len(), counts.len());
        prop_assert_eq!(view.usage.output_tokens, Some(counts.iter().sum()));

        let j2 = sample("jurassic2", "ultra_with_penalties");
        let mut response = json(&j2.response);
        let completion = response["completions"][0].clone();
        response["completions"] = Value::Array(counts.iter().map(|&n| {
            let mut c = completion.clone();
            c["data"]["tokens"] = Value::Array(vec![serde_json::json!({"t": 1}); (n % 50) as usize]);
            c
        }).collect());
        let view = Jurassic2::decode_response(&serde_json::to_vec(&response).unwrap()).unwrap().view();
        prop_assert_eq!(view.usage.output_tokens, Some(counts.iter().map(|n| n % 50).sum()));
        prop_assert_eq!(view.usage.input_tokens, Some(5));
    }
}

/// A generated tool call: id, name and arguments.
#[derive(Debug, Clone)]
struct GeneratedCall {
    id: String,
    name: String,
    arguments: Value,
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        Just(Value::Null),
    ]
}

fn arguments() -> impl Strategy<Value = Value> {
    let value = json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    proptest::collection::btree_map("[a-z_]{1,8}", value, 0..4)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn generated_call() -> impl Strategy<Value = GeneratedCall> {
    ("[A-Za-z0-9_-]{1,24}", "[a-z_][a-z0-9_]{0,20}", arguments()).prop_map(
        |(id, name, arguments)| GeneratedCall {
            id,
            name,
            arguments,
        },
    )
}

/// Writes `call` into every tool call of `body`, in each family's shape; returns how many, and
/// whether the family carries arguments JSON-encoded in a string (Mistral).
fn plant_calls(body: &mut Value, call: &GeneratedCall) -> (usize, bool) {
    let mut planted = 0;
    let mut encoded = false;
    fn walk(value: &mut Value, call: &GeneratedCall, planted: &mut usize, encoded: &mut bool) {
        match value {
            Value::Object(map) => {
                if map.get("type").and_then(Value::as_str) == Some("tool_use") {
                    map.insert("id".into(), Value::String(call.id.clone()));
                    map.insert("name".into(), Value::String(call.name.clone()));
                    map.insert("input".into(), call.arguments.clone());
                    *planted += 1;
                } else if let Some(Value::Object(tool_use)) = map.get_mut("toolUse") {
                    tool_use.insert("toolUseId".into(), Value::String(call.id.clone()));
                    tool_use.insert("name".into(), Value::String(call.name.clone()));
                    tool_use.insert("input".into(), call.arguments.clone());
                    *planted += 1;
                } else if let Some(Value::Array(calls)) = map.get_mut("tool_calls") {
                    for item in calls.iter_mut() {
                        if let Some(Value::Object(function)) = item.get_mut("function") {
                            function.insert("name".into(), Value::String(call.name.clone()));
                            function.insert(
                                "arguments".into(),
                                Value::String(call.arguments.to_string()),
                            );
                            item["id"] = Value::String(call.id.clone());
                            *planted += 1;
                            *encoded = true;
                        }
                    }
                }
                for (_, child) in map.iter_mut() {
                    walk(child, call, planted, encoded);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, call, planted, encoded);
                }
            }
            _ => {}
        }
    }
    walk(body, call, &mut planted, &mut encoded);
    (planted, encoded)
}

proptest! {
    #![proptest_config(Config { cases: 64, failure_persistence: None, ..Config::default() })]

    #[test]
    fn tool_calls_come_out_as_exact_structured_parts(call in generated_call()) {
        let registry = bedrock_llm_models::registry();
        let mut families_with_calls = std::collections::BTreeSet::new();
        for sample in samples::all().unwrap() {
            let adapter = registry.resolve(sample.model_id, Some(&sample.request)).unwrap();
            for (side, bytes) in [("request", &sample.request), ("response", &sample.response)] {
                let mut body = json(bytes);
                let (planted, encoded) = plant_calls(&mut body, &call);
                if planted == 0 {
                    continue;
                }
                let bytes = serde_json::to_vec(&body).unwrap();
                let messages = if side == "request" {
                    adapter.request_view(&bytes).unwrap().messages
                } else {
                    adapter.response_view(&bytes).unwrap().messages
                };
                let parts: Vec<_> = messages
                    .iter()
                    .flat_map(|m| m.parts.iter())
                    .filter_map(|p| match p {
                        bedrock_llm_core::Part::ToolCall { id, name, arguments } => {
                            Some((id.clone(), name.clone(), arguments.clone()))
                        }
                        _ => None,
                    })
                    .collect();
                prop_assert_eq!(parts.len(), planted, "{} {} {}", sample.family, sample.case, side);
                let expected_arguments = if encoded {
                    Value::String(call.arguments.to_string())
                } else {
                    call.arguments.clone()
                };
                for (id, name, arguments) in parts {
                    prop_assert_eq!(id.as_deref(), Some(call.id.as_str()));
                    prop_assert_eq!(&name, &call.name);
                    prop_assert_eq!(arguments.as_ref(), Some(&expected_arguments));
                }
                families_with_calls.insert(sample.family);
            }
        }
        // Claude Messages, Nova (Converse blocks) and Mistral chat carry tool calls in their samples.
        prop_assert!(families_with_calls.len() >= 3, "{:?}", families_with_calls);
    }
}

proptest! {
    #![proptest_config(Config { cases: 64, failure_persistence: None, ..Config::default() })]

    /// Every image family counts exactly the images a body holds and sizes them from the base64
    /// alone: `n` payloads of any length and padding, empty slots not counted.
    #[test]
    fn image_counts_and_sizes_are_exact(
        lengths in proptest::collection::vec((0usize..400, 0usize..3), 0..8),
    ) {
        let payloads: Vec<String> = lengths
            .iter()
            .map(|&(quads, pad)| {
                let mut text = "QUJD".repeat(quads);
                if quads > 0 {
                    text.replace_range(text.len() - pad.min(2).., &"=".repeat(pad.min(2)));
                }
                text
            })
            .collect();
        let count = payloads.iter().filter(|p| !p.is_empty()).count() as u64;
        let bytes: u64 = payloads
            .iter()
            .map(|p| (p.len() / 4 * 3 - p.bytes().rev().take_while(|&b| b == b'=').count()) as u64)
            .sum();
        let registry = bedrock_llm_models::registry();
        let artifacts: Vec<Value> = payloads
            .iter()
            .map(|p| serde_json::json!({"base64": p, "finishReason": "SUCCESS"}))
            .collect();
        for (family_slug, case, response) in [
            ("titan_image", "text_to_image", serde_json::json!({"images": payloads})),
            ("stability_image", "text_to_image", serde_json::json!({"images": payloads, "seeds": []})),
            ("sdxl", "two_samples", serde_json::json!({"result": "success", "artifacts": artifacts})),
        ] {
            let sample = sample(family_slug, case);
            let adapter = registry.resolve(sample.model_id, Some(&sample.request)).unwrap();
            let view = adapter.response_view(&serde_json::to_vec(&response).unwrap()).unwrap();
            let images = view.images.clone().unwrap_or_default();
            prop_assert_eq!(images.count, count, "{}", family_slug);
            prop_assert_eq!(images.bytes, bytes, "{}", family_slug);
            prop_assert!(view.messages.is_empty());
        }
    }
}
