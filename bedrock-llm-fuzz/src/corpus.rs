//! The seed corpus: every fixture under `tests/fixtures/` (model ID, request, response or
//! stream chunks), every built-in sample as bodies, stream chunks and invocation-log records,
//! and hand-made hostile inputs (invalid UTF-8, long lines, deep nesting, extreme numbers).

use std::io::Write;
use std::path::Path;

use bedrock_llm_models::samples;
use serde_json::{Value, json};

use crate::case::{Case, Target};

/// Model IDs the mutator swaps in: every family, every ID form, and some that are not IDs.
pub(crate) fn model_ids() -> Vec<String> {
    let mut ids: Vec<String> = samples::all()
        .unwrap_or_default()
        .iter()
        .map(|s| s.model_id.to_owned())
        .collect();
    ids.extend(
        [
            "converse",
            "",
            "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/mistral.mistral-large-2402-v1:0",
            "global.anthropic.claude-sonnet-4-20250514-v1:0",
            "anthropic.claude-v2",
            "mistral.mistral-7b-instruct-v0:2",
            "acme.unknown-v1",
            "arn:aws:bedrock:::",
            "us.",
            "é.ü-v1:0",
        ]
        .map(str::to_owned),
    );
    ids.push("x".repeat(2000));
    ids
}

/// One invocation-log record line.
fn record(operation: &str, model_id: &str, request: &Value, output: &Value) -> String {
    json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": "2024-04-18T22:54:57Z", "accountId": "111122223333",
        "identity": {"arn": "arn:aws:iam::111122223333:user/dev"}, "region": "us-east-1",
        "requestId": "0e5c1f43-7a6b-4c1d-9e2f-3a4b5c6d7e8f", "operation": operation,
        "modelId": model_id,
        "input": {"inputContentType": "application/json", "inputBodyJson": request, "inputTokenCount": 10},
        "output": {"outputContentType": "application/json", "outputBodyJson": output, "outputTokenCount": 5},
        "requestMetadata": {"llm.conversation_id": "c-1"}
    })
    .to_string()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Every seed case.
pub(crate) fn seeds(fixtures: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut log_lines = Vec::new();
    for sample in samples::all().unwrap_or_default() {
        let model = sample.model_id.to_owned();
        cases.push(Case::new(
            Target::Bodies,
            &model,
            vec![sample.request.clone(), sample.response.clone()],
        ));
        let request: Value = serde_json::from_slice(&sample.request).unwrap_or_default();
        let response: Value = serde_json::from_slice(&sample.response).unwrap_or_default();
        log_lines.push(record("InvokeModel", &model, &request, &response));
        if let Some(chunks) = samples::stream_chunks(&sample, &mut |t| samples::pieces(t, 5)) {
            let mut parts = vec![sample.request.clone()];
            parts.extend(chunks.iter().map(|c| c.to_string().into_bytes()));
            cases.push(Case::new(Target::Stream, &model, parts));
            log_lines.push(record(
                "InvokeModelWithResponseStream",
                &model,
                &request,
                &Value::Array(chunks),
            ));
        }
    }
    let converse_request = json!({
        "messages": [
            {"role": "user", "content": [{"text": "Summarize."}, {"image": {"format": "png", "source": {"bytes": "AAAA"}}}]},
            {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "fetch", "input": {"q": 1}}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"json": {"a": [1, 2]}}]}}]}
        ],
        "system": [{"text": "Be brief."}],
        "inferenceConfig": {"maxTokens": 512, "temperature": 0.2, "topP": 0.9, "stopSequences": ["END"]}
    });
    let converse_response = json!({
        "output": {"message": {"role": "assistant", "content": [{"text": "Done."}, {"reasoningContent": {"reasoningText": {"text": "hm"}}}]}},
        "stopReason": "guardrail_intervened", "metrics": {"latencyMs": 1834},
        "usage": {"inputTokens": 1200, "outputTokens": 11, "totalTokens": 1211},
        "trace": {"guardrail": {"inputAssessment": {"gr-1": {}}}}
    });
    cases.push(Case::new(
        Target::Bodies,
        "converse",
        vec![
            converse_request.to_string().into_bytes(),
            converse_response.to_string().into_bytes(),
        ],
    ));
    for operation in ["Converse", "ConverseStream"] {
        log_lines.push(record(
            operation,
            "anthropic.claude-3-haiku-20240307-v1:0",
            &converse_request,
            &converse_response,
        ));
    }
    for fixture in fixture_cases(fixtures) {
        cases.push(fixture);
    }
    // Logs: NDJSON, gzipped NDJSON, CloudWatch events, export lines and a pretty document.
    let ndjson = log_lines.join("\n") + "\n";
    let cloudwatch: Vec<String> = log_lines
        .iter()
        .take(4)
        .map(|line| json!({"timestamp": 1_713_480_897_000u64, "message": line}).to_string())
        .collect();
    let export: Vec<String> = log_lines
        .iter()
        .take(4)
        .map(|line| format!("2024-04-18T22:54:57.000Z {line}"))
        .collect();
    let document = serde_json::to_string_pretty(&json!({
        "events": log_lines.iter().take(3).map(|m| json!({"message": m})).collect::<Vec<_>>(),
        "searchedLogStreams": []
    }))
    .unwrap_or_default();
    for text in [
        ndjson.clone(),
        cloudwatch.join("\n"),
        export.join("\n"),
        document,
        format!("{{\n{}", log_lines.first().cloned().unwrap_or_default()),
    ] {
        cases.push(Case::new(Target::Log, "", vec![text.clone().into_bytes()]));
        cases.push(Case::new(Target::LogGz, "", vec![text.into_bytes()]));
    }
    cases.push(Case::new(Target::Log, "", vec![gzip(ndjson.as_bytes())]));
    for line in log_lines.iter().take(8) {
        cases.push(Case::new(Target::Log, "", vec![line.clone().into_bytes()]));
    }
    // Hostile shapes the mutator would take long to find.
    let mut hostile: Vec<Vec<u8>> = vec![
        b"\xff\xfe\n{\"modelId\": \"\xc3\"}\n".to_vec(),
        "[".repeat(5000).into_bytes(),
        "{\"a\":".repeat(3000).into_bytes(),
        format!("{{\"modelId\":\"m\",\"operation\":\"InvokeModel\",\"timestamp\":\"{}\"}}", "9".repeat(40)).into_bytes(),
        b"{\"modelId\":\"m\",\"operation\":\"InvokeModel\",\"timestamp\":\"9223372036854775807-12-31T23:59:59+99:99\"}".to_vec(),
        b"{\"modelId\":\"m\",\"operation\":\"InvokeModel\",\"input\":{\"inputTokenCount\":18446744073709551615},\"output\":{\"outputTokenCount\":18446744073709551615}}".to_vec(),
        b"{\"modelId\":\"m\",\"operation\":\"InvokeModel\",\"input\":{\"inputTokenCount\":1e400}}".to_vec(),
        format!("{{\"message\": \"{}\"}}", "\\\"".repeat(2000)).into_bytes(),
    ];
    hostile.push(vec![b'a'; 200_000]);
    for bytes in hostile {
        cases.push(Case::new(Target::Log, "", vec![bytes.clone()]));
        cases.push(Case::new(
            Target::Bodies,
            "anthropic.claude-3-haiku-20240307-v1:0",
            vec![bytes.clone(), bytes],
        ));
    }
    cases
}

/// `tests/fixtures/bedrock/{recorded,synthesized}/…/` cases with a `model_id.txt`.
fn fixture_cases(root: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                pending.push(entry.path());
            }
        }
        let Ok(model) = std::fs::read_to_string(dir.join("model_id.txt")) else {
            continue;
        };
        let model = model.trim();
        let request = std::fs::read(dir.join("request.json")).unwrap_or_default();
        if let Ok(response) = std::fs::read(dir.join("response.json")) {
            cases.push(Case::new(Target::Bodies, model, vec![request, response]));
        } else if let Ok(chunks) = std::fs::read(dir.join("stream_chunks.json")) {
            let chunks: Vec<Value> = serde_json::from_slice(&chunks).unwrap_or_default();
            let mut parts = vec![request];
            parts.extend(chunks.iter().map(|c| c.to_string().into_bytes()));
            cases.push(Case::new(Target::Stream, model, parts));
        }
    }
    cases
}
