//! The `bedrock-llm demo` binary, run as a user runs it.

use std::collections::BTreeSet;

mod common;

fn demo(args: &[&str]) -> std::io::Result<std::process::Output> {
    let mut command = common::bin();
    command.env_remove("AWS_REGION").arg("demo").args(args);
    command.output()
}

#[test]
fn json_is_ndjson_with_an_event_type_on_every_line_and_covers_every_family() {
    let output = demo(&["--json"]).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut models = BTreeSet::new();
    let mut paths = BTreeSet::new();
    let mut types = BTreeSet::new();
    for line in stdout.lines() {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let event_type = value["eventType"]
            .as_str()
            .unwrap_or_else(|| panic!("no eventType: {line}"));
        types.insert(event_type.to_owned());
        if let Some(model) = value["request.model"].as_str() {
            models.insert(model.to_owned());
        }
        if let Some(path) = value["llm.demo.path"].as_str() {
            paths.insert(path.to_owned());
        }
    }
    for family_model in [
        "anthropic.claude-v2:1",
        "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
        "amazon.titan-text-premier-v1:0",
        "amazon.titan-embed-text-v1",
        "amazon.nova-lite-v1:0",
        "meta.llama3-1-70b-instruct-v1:0",
        "cohere.command-text-v14",
        "cohere.command-r-plus-v1:0",
        "cohere.embed-english-v3",
        "ai21.j2-ultra-v1",
        "ai21.jamba-1-5-large-v1:0",
        "mistral.mixtral-8x7b-instruct-v0:1",
        "mistral.mistral-large-2407-v1:0",
        "amazon.rerank-v1:0",
        "amazon.nova-reel-v1:1",
        "luma.ray-v2:0",
    ] {
        assert!(models.contains(family_model), "{family_model} missing");
    }
    assert_eq!(
        paths,
        BTreeSet::from(
            [
                "async",
                "blocking",
                "converse",
                "converse-stream",
                "interceptor",
                "interceptor-stream",
                "job",
                "stream"
            ]
            .map(str::to_owned)
        )
    );
    for kind in [
        "LlmChatCompletionSummary",
        "LlmChatCompletionMessage",
        "LlmEmbedding",
        "LlmError",
        "BedrockLlmMetric",
    ] {
        assert!(types.contains(kind), "{kind} missing");
    }
    // Every fault the demo scripts shows up as an error report.
    let errors: BTreeSet<String> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["eventType"] == "LlmError")
        .filter_map(|v| v["error.code"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(errors.len(), 8, "{errors:?}");
    assert!(errors.contains("modelStreamErrorException"));
}

#[test]
fn the_table_lists_every_call_and_the_metrics() {
    let output = demo(&[]).unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("ERROR 429 ThrottlingException"));
    assert!(stdout.contains("ERROR - timeout"));
    assert!(stdout.contains("Llm/completion/Bedrock/InvokeModel"));
    assert!(stdout.contains("Supportability/Rust/ML/Bedrock/"));
}

#[test]
fn image_and_rerank_calls_show_their_counts_not_an_unread_body() {
    let output = common::bin()
        .env_remove("AWS_REGION")
        .env("COLUMNS", "200")
        .arg("demo")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    for (model, shown) in [
        ("amazon.titan-image-generator-v2:0", "2 images, 1024 bytes"),
        ("stability.stable-diffusion-xl-v1", "2 images, 1024 bytes"),
        (
            "amazon.nova-canvas-v1:0",
            "0 images, 0 bytes: This request has been blocked",
        ),
        (
            "cohere.rerank-v3-5:0",
            "3 of 5 documents ranked, best 0.9981",
        ),
    ] {
        let rows: Vec<&str> = stdout.lines().filter(|l| l.contains(model)).collect();
        assert!(!rows.is_empty(), "{model}");
        assert!(
            rows.iter().any(|row| row.contains(shown)),
            "{model}: {rows:?}"
        );
        assert!(
            !rows.iter().any(|row| row.contains("unreadable")),
            "{model}: {rows:?}"
        );
    }
}

#[test]
fn no_content_keeps_prompts_and_completions_out() {
    let output = demo(&["--json", "--no-content"]).unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    for text in [
        "Wellington",
        "paperclip",
        "Bonjour",
        "first document",
        "\"content\"",
        "\"input\"",
    ] {
        assert!(!stdout.contains(text), "{text} leaked");
    }
}

#[test]
fn live_without_credentials_fails_clearly() {
    let output = demo(&["--live"]).unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--live needs AWS credentials"), "{stderr}");
}

#[test]
fn streams_through_a_plain_sdk_client_are_recorded_like_the_crates_streams() {
    let output = demo(&["--json"]).unwrap();
    assert!(output.status.success());
    let summaries: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["eventType"] == "LlmChatCompletionSummary")
        .collect();
    let by_path = |path: &str| -> std::collections::BTreeMap<String, serde_json::Value> {
        summaries
            .iter()
            .filter(|e| e["llm.demo.path"] == path && e.get("error").is_none())
            .map(|e| (e["request.model"].as_str().unwrap().to_owned(), e.clone()))
            .collect()
    };
    let (plain, crate_streams) = (by_path("interceptor-stream"), by_path("stream"));
    assert!(plain.len() >= 14, "{} streamed families", plain.len());
    for (model, summary) in &plain {
        let reference = &crate_streams[model];
        for key in [
            "response.usage.prompt_tokens",
            "response.usage.completion_tokens",
            "response.choices.finish_reason",
            "response.number_of_messages",
        ] {
            assert!(!summary[key].is_null(), "{model}: {key}");
            assert_eq!(summary[key], reference[key], "{model}: {key}");
        }
        assert!(
            summary["response.number_of_messages"].as_u64() >= Some(2),
            "{model}"
        );
        assert!(summary["time_to_first_token"].as_f64().is_some(), "{model}");
    }
}

/// The table fits the terminal: under `COLUMNS=80` (and 40) no line is wider, counted in
/// display columns; converse and converse-stream calls have labels of their own.
#[test]
fn the_table_fits_the_terminal_width() {
    for columns in [80usize, 40, 200] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_bedrock-llm"))
            .arg("demo")
            .env("COLUMNS", columns.to_string())
            .output()
            .unwrap();
        assert!(output.status.success());
        let table = String::from_utf8(output.stdout).unwrap();
        let widest = table
            .lines()
            .map(|line| {
                line.chars()
                    .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
                    .sum::<usize>()
            })
            .max()
            .unwrap();
        assert!(widest <= columns, "{widest} > {columns}");
        assert!(table.lines().count() > 40, "the whole table is there");
        if columns == 200 {
            assert!(table.contains("converse-stream"), "{table}");
            assert!(table.lines().any(|l| l.starts_with("converse ")), "{table}");
        }
    }
}
