//! Real recorded Converse answers with reasoning (DeepSeek-R1, Qwen3, gpt-oss, Kimi, Palmyra, GLM,
//! Claude; `tests/fixtures/bedrock/pydantic-ai`), replayed from invocation-log records as a user
//! replays them: in `--format otel` each recorded reasoning block is a `reasoning` part of the
//! output message, in order, and no text part holds any of it; the answer's text, finish reason
//! and token counts are the recording's. The expectations are `expected.json`, written from the
//! recordings by the vendors' rules, not by our adapters.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

mod common;
use common::run_with_stdin;

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/bedrock/pydantic-ai/converse");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|dir| dir.join("response.json").is_file())
        .collect();
    cases.sort();
    cases
}

fn read(dir: &Path, file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap()
}

#[test]
fn recorded_reasoning_is_a_part_of_its_own_and_never_answer_text() {
    let cases = cases();
    assert!(
        cases.len() >= 10,
        "{} recorded Converse answers",
        cases.len()
    );
    let mut input = String::new();
    for (index, dir) in cases.iter().enumerate() {
        let record = json!({
            "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "timestamp": "2026-12-07T10:00:00Z", "region": "us-east-1",
            "requestId": format!("00000000-0000-4000-a000-{index:012}"),
            "operation": "Converse",
            "modelId": std::fs::read_to_string(dir.join("model_id.txt")).unwrap().trim(),
            "input": {"inputContentType": "application/json", "inputBodyJson": read(dir, "request.json")},
            "output": {"outputContentType": "application/json", "outputBodyJson": read(dir, "response.json")},
        });
        input += &(record.to_string() + "\n");
    }
    let output = run_with_stdin(&["replay", "--format", "otel", "-"], input.as_bytes());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let spans: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(spans.len(), cases.len());
    let mut with_reasoning = 0;
    for (span, dir) in spans.iter().zip(&cases) {
        let name = dir.file_name().unwrap().to_string_lossy();
        let expected = read(dir, "expected.json");
        let attributes = &span["attributes"];
        let message = &attributes["gen_ai.output.messages"][0];
        let parts = message["parts"].as_array().unwrap();
        let of_type = |kind: &str| -> Vec<&str> {
            parts
                .iter()
                .filter(|p| p["type"] == kind)
                .map(|p| p["content"].as_str().unwrap())
                .collect()
        };
        let want: Vec<&str> = expected["reasoning_blocks"]
            .as_array()
            .map(|blocks| blocks.iter().map(|b| b.as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(of_type("reasoning"), want, "{name}");
        with_reasoning += usize::from(!want.is_empty());
        let text = of_type("text").join("\n\n");
        for thought in want.iter().filter(|t| t.trim().len() > 8) {
            assert!(
                !text.contains(thought.trim()),
                "{name}: reasoning in {text:?}"
            );
        }
        for block in expected["text_blocks"].as_array().unwrap() {
            let block = block.as_str().unwrap();
            assert!(text.contains(block), "{name}: {block:?} not in {text:?}");
        }
        assert_eq!(
            attributes["gen_ai.response.finish_reasons"][0]
                .as_str()
                .map(str::to_owned),
            expected["finish_reason"].as_str().map(|r| match r {
                "end_turn" => "stop".to_owned(),
                "tool_use" => "tool_call".to_owned(),
                other => other.to_owned(),
            }),
            "{name}"
        );
        assert_eq!(
            attributes["gen_ai.usage.output_tokens"].as_u64(),
            expected["output_tokens"].as_u64(),
            "{name}"
        );
    }
    assert!(
        with_reasoning >= 6,
        "{with_reasoning} answers with reasoning"
    );
}
