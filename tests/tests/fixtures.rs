//! Every fixture case — real recorded bodies and the synthesized ones — read through the
//! prebuilt registry: the right family, no extraction error, counts that agree with Bedrock's
//! headers, and an insta snapshot of the neutral record.

use bedrock_llm_core::{ExchangeKind, TokenSource};
use bedrock_llm_tests::fixtures::{self, FixtureCase};

/// The family each case must route to.
fn expected_family(case: &FixtureCase) -> Option<&'static str> {
    let name = case.name.as_str();
    let family_dir = name.split('/').nth(1).unwrap_or_default();
    Some(match family_dir {
        "claude_text" => "Claude Text Completions",
        "claude_messages" | "claude_messages_stream" => "Claude Messages",
        "titan_text" => "Titan Text",
        "titan_embed" => "Titan Embeddings",
        "nova" => "Nova",
        "llama" | "llama2" | "llama3" => "Llama",
        "cohere_command" => "Cohere Command",
        "cohere_command_r" => "Cohere Command R",
        "cohere_embed" => "Cohere Embed",
        "ai21_j2" | "jurassic2" => "Jurassic-2",
        "jamba" => "Jamba",
        "mistral_text" => "Mistral Text",
        "mistral_chat" => "Mistral Chat",
        "openai_chat" => "OpenAI Chat",
        "deepseek_r1" => "DeepSeek-R1",
        "titan_image" => "Titan Image",
        "stability_image" => "Stability Image",
        "sdxl" => "SDXL",
        "cohere_rerank" => "Cohere Rerank",
        "pegasus" => "Pegasus",
        "amazon_rerank" => "Amazon Rerank",
        "nova_reel" => "Nova Reel",
        "luma_ray" => "Luma Ray",
        "marengo" => "Marengo",
        _ => return None,
    })
}

#[test]
fn every_case_reads_cleanly_and_matches_its_snapshot() {
    let cases = fixtures::cases();
    assert!(
        cases.len() >= 28,
        "expected the recorded and synthesized cases, found {}",
        cases.len()
    );
    let registry = bedrock_llm_models::registry();
    let mut families_seen = std::collections::BTreeSet::new();
    for case in &cases {
        // Converse bodies go through the Converse adapter and errors have no body to read:
        // `real_recordings.rs` checks both.
        if matches!(case.group(), "converse" | "errors") {
            continue;
        }
        if case.response.is_none() {
            // Streamed cases (`stream_chunks.json`) are read by the streaming adapters.
            assert!(
                case.dir.join("stream_chunks.json").is_file(),
                "{}: no response body",
                case.name
            );
            continue;
        }
        let record = case.invocation(registry);
        let family = expected_family(case);
        assert!(
            family.is_some(),
            "{}: add its directory to `expected_family`",
            case.name
        );
        assert_eq!(record.family, family, "{}", case.name);
        assert!(
            record.extraction_errors.is_empty(),
            "{}: {:?}",
            case.name,
            record.extraction_errors
        );
        families_seen.insert(family);

        let request = record.request.as_ref().expect("request view");
        let response = record.response.as_ref().expect("response view");
        match record.kind {
            Some(ExchangeKind::Embedding) => {
                // Text is an input; media (Marengo's `mediaSource`) is embedded, never read.
                let media = String::from_utf8_lossy(&case.request).contains("\"mediaSource\"");
                assert!(
                    media || !request.embedding_inputs.is_empty(),
                    "{}",
                    case.name
                );
                // A job (Marengo's video embeddings) answers with its ARN; the vectors go to S3.
                let job = response
                    .response_id
                    .as_deref()
                    .is_some_and(|id| id.contains(":async-invoke/"));
                assert!(
                    job || response.embedding.is_some_and(|e| e.count >= 1),
                    "{}",
                    case.name
                );
                assert!(response.messages.is_empty(), "{}", case.name);
            }
            Some(ExchangeKind::Rerank) => {
                assert!(!request.messages.is_empty(), "{}: no query", case.name);
                assert!(request.params.rerank.documents.is_some(), "{}", case.name);
                let stats = response.rerank.expect("rerank stats");
                assert!(stats.results >= 1, "{}", case.name);
                assert!(response.messages.is_empty(), "{}", case.name);
            }
            Some(ExchangeKind::VideoGeneration) => {
                assert!(!request.messages.is_empty(), "{}: no prompt", case.name);
                assert!(
                    !request.params.video.is_empty(),
                    "{}: no settings",
                    case.name
                );
                assert!(response.messages.is_empty(), "{}", case.name);
                // The job's ARN is what a live call gets back; the video comes later.
                assert!(
                    response
                        .response_id
                        .as_deref()
                        .is_some_and(|id| id.contains(":async-invoke/")),
                    "{}: no job ARN",
                    case.name
                );
            }
            Some(ExchangeKind::ImageGeneration) => {
                assert!(!request.messages.is_empty(), "{}: no prompt", case.name);
                assert!(response.messages.is_empty(), "{}", case.name);
                let images = response.images.as_ref().expect("image stats");
                // Every image the body holds is counted, and each is at least a byte.
                assert!(images.bytes >= images.count, "{}", case.name);
                // The record keeps no payload: nothing base64-like and long in it.
                let text = serde_json::to_string(&record).unwrap();
                assert!(
                    !text.split('"').any(|s| s.len() >= 256
                        && s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))),
                    "{}: an image payload in the record",
                    case.name
                );
            }
            _ => {
                assert!(
                    !request.messages.is_empty(),
                    "{}: no input message",
                    case.name
                );
                assert!(
                    !response.messages.is_empty(),
                    "{}: no output message",
                    case.name
                );
                assert!(
                    response.finish_reason.is_some(),
                    "{}: no finish reason",
                    case.name
                );
            }
        }
        // Where the body reports both counts, they are Bedrock's: they match the headers, when
        // the recording kept them. Both leave out cached prompt tokens, which Bedrock counts
        // apart (`…-Cache-Read-Input-Token-Count`, `…-Cache-Write-…`; the body's `cache_*`).
        if let Some((usage, TokenSource::Body)) = record.usage()
            && record.header_metrics.input_tokens.is_some()
        {
            assert_eq!(
                usage.input_tokens, record.header_metrics.input_tokens,
                "{}",
                case.name
            );
            assert_eq!(
                usage.output_tokens, record.header_metrics.output_tokens,
                "{}",
                case.name
            );
        }
        let snapshot_name = case.name.replace('/', "__");
        insta::assert_json_snapshot!(snapshot_name, record);
    }
    assert_eq!(
        families_seen.len(),
        24,
        "every prebuilt family has a fixture: {families_seen:?}"
    );
}

#[test]
fn synthesized_fixtures_are_the_samples() {
    // The committed synthesized tree is exactly what the samples produce
    // (`cargo xtask fixtures --check` in CI says the same, with a fix-it message).
    let samples = bedrock_llm_models::samples::all().unwrap();
    for sample in &samples {
        let dir = fixtures::root()
            .join("synthesized")
            .join(sample.family_slug)
            .join(sample.case);
        let mut request = sample.request.clone();
        request.push(b'\n');
        assert_eq!(
            std::fs::read(dir.join("request.json")).unwrap(),
            request,
            "{}",
            dir.display()
        );
    }
}
