//! The adapter kit, used as an author outside the model crate would use it: every prebuilt
//! family passes the suite from its shipped sample file, and from the same written out with
//! its generated stream;
//! the Acme adapter passes it from a hand-written sample file with expectations; and an adapter
//! with one field mapped wrong fails with a report naming the property, the field and the input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bedrock_llm_core::bedrock_model;
use bedrock_llm_models::samples::{self, Sample};
use bedrock_llm_testkit::{Conformance, property};
use serde_json::{Value, json};

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("bedrock-llm-testkit-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A family's samples as a kit sample file, streams included.
fn sample_file(all: &[Sample], dir: &Path, family_slug: &str) -> PathBuf {
    let chosen: Vec<&Sample> = all
        .iter()
        .filter(|s| s.family_slug == family_slug)
        .collect();
    assert!(!chosen.is_empty(), "{family_slug}");
    let cases: Vec<Value> = chosen
        .iter()
        .map(|s| {
            let headers: BTreeMap<&str, &String> = s.headers.iter().map(|(k, v)| (*k, v)).collect();
            let mut case = json!({
                "name": s.case,
                "request": serde_json::from_slice::<Value>(&s.request).unwrap(),
                "response": serde_json::from_slice::<Value>(&s.response).unwrap(),
                "headers": headers,
            });
            if let Some(chunks) = samples::stream_chunks(s, &mut |t| samples::pieces(t, 7)) {
                case["chunks"] = Value::Array(chunks);
            }
            case
        })
        .collect();
    let path = dir.join(format!("{family_slug}.json"));
    let file = json!({"model_id": chosen[0].model_id, "cases": cases});
    std::fs::write(&path, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
    path
}

#[test]
fn every_prebuilt_family_passes_the_kit() {
    use bedrock_llm_models::{
        ai21::*, amazon::*, anthropic::*, cohere::*, deepseek::*, image::*, meta::*, mistral::*,
        openai::*, rerank::*, twelvelabs::*, video::*,
    };
    let dir = scratch("prebuilt");
    let all = samples::all().unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bedrock-llm-models/samples");
    macro_rules! check {
        ($($model:ty => $slug:literal),* $(,)?) => {$(
            // The shipped data file, and the same with each case's stream added.
            Conformance::<$model>::new()
                .samples(shipped.join(concat!($slug, ".json")))
                .samples(sample_file(&all, &dir, $slug))
                .mutations(40)
                .run();
        )*};
    }
    check!(
        ClaudeMessages => "claude_messages",
        ClaudeText => "claude_text",
        CohereCommand => "cohere_command",
        CohereCommandR => "cohere_command_r",
        CohereEmbed => "cohere_embed",
        Jamba => "jamba",
        Jurassic2 => "jurassic2",
        Llama => "llama",
        MistralChat => "mistral_chat",
        MistralText => "mistral_text",
        Nova => "nova",
        OpenAiChat => "openai_chat",
        DeepSeekR1 => "deepseek_r1",
        TitanEmbed => "titan_embed",
        TitanText => "titan_text",
        TitanImage => "titan_image",
        StabilityImage => "stability_image",
        Sdxl => "sdxl",
        CohereRerank => "cohere_rerank",
        Pegasus => "pegasus",
        AmazonRerank => "amazon_rerank",
        NovaReel => "nova_reel",
        LumaRay => "luma_ray",
        Marengo => "marengo",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn acme_samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/testkit/acme_echo.json")
}

#[test]
fn the_acme_adapter_passes_the_kit_with_its_expectations() {
    let reports = Conformance::<bedrock_llm_tests::acme::AcmeEcho>::new()
        .samples(acme_samples())
        .check();
    assert_eq!(reports.len(), 1);
    assert!(reports[0].failures.is_empty(), "{}", reports[0]);
    assert_eq!(reports[0].checks, 14, "seven checks per case");
}

/// Acme Echo's response with the completion mapped to the wrong field: `model` instead of
/// `text`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct MiswiredResponse {
    /// The id.
    #[llm(response_id)]
    pub id: bedrock_llm_core::NumberOrString,
    /// The model — wrongly taken as the completion.
    #[llm(completion)]
    pub model: Option<String>,
    /// The outputs, not mapped.
    pub outputs: Vec<Value>,
}

/// The miswired family.
#[bedrock_model(model, ids = ["acme.echo-*"], family = "Miswired Echo", request = bedrock_llm_tests::acme::EchoRequest, response = MiswiredResponse)]
#[derive(Debug, Clone, Copy)]
pub struct MiswiredEcho;

#[test]
fn a_wrong_field_mapping_fails_naming_the_property_the_field_and_the_input() {
    let reports = Conformance::<MiswiredEcho>::new()
        .samples(acme_samples())
        .check();
    let report = &reports[0];
    let text = report.to_string();
    let failure = report
        .failures
        .iter()
        .find(|f| f.property == property::EXPECTED_VIEW)
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(failure.case, "conversation_with_tools");
    assert_eq!(
        failure.field.as_deref(),
        Some("response.messages[0].content"),
        "{text}"
    );
    assert!(
        failure.detail.contains("\"Hi there, in one line.\""),
        "{text}"
    );
    assert!(failure.detail.contains("acme.echo-v1"), "{text}");
    assert!(failure.input.contains("\"outputs\""), "{text}");
    assert!(
        text.contains(
            "expected_view [case `conversation_with_tools`] at response.messages[0].content"
        ),
        "{text}"
    );
    // `run` panics with the same report.
    let panicked = std::panic::catch_unwind(|| {
        Conformance::<MiswiredEcho>::new()
            .samples(acme_samples())
            .run();
    });
    let message = panicked.unwrap_err();
    let message = message.downcast_ref::<String>().unwrap();
    assert!(message.contains("expected_view"), "{message}");
}

#[test]
fn a_missing_or_malformed_sample_file_is_a_failure_that_says_so() {
    let report = &Conformance::<bedrock_llm_tests::acme::AcmeEcho>::new()
        .samples("/nonexistent/samples.json")
        .check()[0];
    assert_eq!(report.failures[0].property, property::SAMPLES);
    let dir = scratch("malformed");
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"model_id": "acme.echo-v1", "cases": [{"name": "x"}]}"#,
    )
    .unwrap();
    let report = &Conformance::<bedrock_llm_tests::acme::AcmeEcho>::new()
        .samples(&bad)
        .check()[0];
    assert!(
        report.failures[0]
            .detail
            .contains("missing field `request`"),
        "{report}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The outside example's adapter, compiled here too, so `cargo test --workspace` holds it to
/// the kit as its own crate's test does.
#[path = "../../examples/zeta-adapter/src/lib.rs"]
mod zeta;

#[test]
fn the_outside_example_passes_the_kit() {
    Conformance::<zeta::Zeta>::new()
        .samples(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../examples/zeta-adapter/samples/zeta.json"),
        )
        .run();
}

#[test]
fn the_kit_snapshots_records_and_events_with_ids_redacted() {
    bedrock_llm_testkit::assert_snapshots!(bedrock_llm_tests::acme::AcmeEcho, acme_samples());
    let values = bedrock_llm_testkit::snapshot::snapshots::<bedrock_llm_tests::acme::AcmeEcho>(
        acme_samples(),
    )
    .unwrap();
    assert_eq!(values.len(), 2);
    let events = values[0].1["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .all(|e| e["id"] == "[id]" && e["trace_id"] == "[trace_id]")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_serves_a_users_family_from_its_sample_file() {
    use bedrock_llm_events::names::event_type;
    use bedrock_llm_events::{Config, Recorder};

    let samples =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/zeta-adapter/samples/zeta.json");
    let emulator = bedrock_llm_emulator::Emulator::builder()
        .serve_sample_file(&samples)
        .unwrap()
        .start()
        .await
        .unwrap();
    let mut registry = bedrock_llm_models::new_registry();
    registry.register::<zeta::Zeta>();
    let recorder = std::sync::Arc::new(Recorder::new(Config::default().enabled()));
    let sdk = aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config());
    let client = bedrock_llm_core::client::Client::new(sdk, registry, recorder.clone());
    let file = bedrock_llm_testkit::SampleFile::load(&samples).unwrap();

    let output = client
        .invoke_raw(&file.model_id, file.cases[1].request_bytes())
        .await
        .unwrap();
    let answered: Value = serde_json::from_slice(output.body().as_ref()).unwrap();
    assert_eq!(
        answered, file.cases[1].response,
        "the case whose request was sent"
    );

    let mut stream = client
        .invoke_stream_raw(&file.model_id, file.cases[0].request_bytes())
        .await
        .unwrap();
    while stream.recv().await.unwrap().is_some() {}
    drop(stream);

    let events = recorder.harvest().events;
    let completions: Vec<String> = events
        .iter()
        .filter(|e| e.event_type() == event_type::MESSAGE)
        .map(bedrock_llm_events::render::newrelic::event_json)
        .filter(|json| json.contains("\"is_response\":true"))
        .collect();
    assert_eq!(completions.len(), 2, "{completions:?}");
    assert!(completions.iter().any(|c| c.contains("3, 4, 5, 6")));
    assert!(
        completions.iter().any(|c| c.contains("Hello, team!")),
        "the stream reassembled"
    );
}

/// A hand-written request type that panics on a body whose `messages` is not an array — the
/// kind of bug the mutation property exists to find.
#[derive(Debug, Clone, PartialEq)]
pub struct FragileRequest(Value);

impl bedrock_llm_core::ModelRequest for FragileRequest {
    const HAS_MESSAGES: bool = true;

    fn from_body(body: &[u8]) -> Result<Self, bedrock_llm_core::BodyError> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| bedrock_llm_core::BodyError {
                family: None,
                type_name: "FragileRequest",
                side: bedrock_llm_core::BodySide::Request,
                path: "$".to_owned(),
                kind: bedrock_llm_core::BodyErrorKind::Syntax,
                message: e.to_string(),
            })?;
        assert!(value["messages"].is_array(), "messages must be an array");
        Ok(Self(value))
    }

    fn to_body(&self) -> Result<Vec<u8>, bedrock_llm_core::BodyError> {
        Ok(self.0.to_string().into_bytes())
    }

    fn view(&self) -> bedrock_llm_core::RequestView {
        bedrock_llm_core::RequestView::default()
    }
}

/// Acme Echo with the fragile request type.
#[derive(Debug)]
pub struct FragileEcho;

impl bedrock_llm_core::BedrockModel for FragileEcho {
    type Request = FragileRequest;
    type Response = bedrock_llm_tests::acme::EchoResponse;
    const FAMILY: &'static str = "Fragile Echo";
    const ID_PATTERNS: &'static [&'static str] = &["acme.echo-*"];
    const KIND: bedrock_llm_core::ExchangeKind = bedrock_llm_core::ExchangeKind::Chat;
}

#[test]
fn a_panicking_adapter_is_caught_by_the_mutation_property() {
    let report = &Conformance::<FragileEcho>::new()
        .samples(acme_samples())
        .check()[0];
    let panics: Vec<_> = report
        .failures
        .iter()
        .filter(|f| f.property == property::MUTATIONS)
        .collect();
    assert!(!panics.is_empty(), "{report}");
    assert!(
        panics
            .iter()
            .all(|f| f.detail.contains("messages must be an array")),
        "{report}"
    );
    assert!(
        panics
            .iter()
            .all(|f| f.field.as_deref().is_some_and(
                |w| w.starts_with("request $.messages") || w.starts_with("request $ ")
            )),
        "{report}"
    );
}
