//! Image generation replayed as a user replays it: the right image count per call and in
//! `OutputImageCount` (per model and per image dimensions), and no image payload in any line
//! of any output format. The counts are read straight from the bodies here, independently of
//! the adapters.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use serde_json::{Value, json};

mod common;
use common::{base64_payload, json_lines, replay_stdin as replay};

struct Call {
    record: Value,
    request_id: String,
    model_id: &'static str,
    images: u64,
    payloads: Vec<String>,
}

fn record(request_id: &str, model_id: &str, request: Value, response: Value) -> Value {
    json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": "2026-12-07T10:00:00Z", "accountId": "111122223333",
        "region": "us-east-1", "requestId": request_id, "operation": "InvokeModel",
        "modelId": model_id,
        "input": {"inputContentType": "application/json", "inputBodyJson": request},
        "output": {"outputContentType": "application/json", "outputBodyJson": response},
    })
}

/// Titan, Nova Canvas, Stability and SDXL calls with 0-5 images each, small and large payloads
/// (a large one is past Elastic's keyword limit), some with input images.
fn calls() -> Vec<Call> {
    let mut calls = Vec::new();
    for i in 0..24u64 {
        let n = i % 6;
        let len = if i % 4 == 0 { 40_000 } else { 1_024 };
        let payloads: Vec<String> = (0..n).map(|k| base64_payload(i * 10 + k, len)).collect();
        let request_id = format!("00000000-0000-4000-8000-{i:012}");
        let (model_id, request, response) = match i % 4 {
            0 | 1 => {
                let model_id = if i % 4 == 0 {
                    "amazon.titan-image-generator-v2:0"
                } else {
                    "amazon.nova-canvas-v1:0"
                };
                let response = if n == 0 {
                    json!({"images": [], "error": "This request has been blocked by our content filters."})
                } else {
                    json!({"images": payloads})
                };
                (
                    model_id,
                    json!({
                        "taskType": "TEXT_IMAGE",
                        "textToImageParams": {"text": format!("picture {i}"), "negativeText": "text"},
                        "imageGenerationConfig": {"numberOfImages": n.max(1), "quality": "premium", "width": 1024, "height": 1024},
                    }),
                    response,
                )
            }
            2 => (
                "stability.sd3-5-large-v1:0",
                json!({
                    "prompt": format!("picture {i}"), "aspect_ratio": "16:9",
                    "mode": "image-to-image", "image": base64_payload(999 + i, 2_048), "strength": 0.5,
                }),
                json!({
                    "seeds": (0..n).collect::<Vec<_>>(),
                    "finish_reasons": vec![Value::Null; n as usize],
                    "images": payloads,
                }),
            ),
            _ => (
                "stability.stable-diffusion-xl-v1",
                json!({
                    "text_prompts": [{"text": format!("picture {i}")}], "steps": 30, "samples": n,
                }),
                json!({
                    "result": "success",
                    "artifacts": payloads.iter().enumerate().map(|(k, p)| json!({"seed": k, "base64": p, "finishReason": "SUCCESS"})).collect::<Vec<_>>(),
                }),
            ),
        };
        // The oracle: images are the non-empty payloads of the response body.
        let mut all_payloads = payloads.clone();
        if let Some(input) = request.get("image").and_then(Value::as_str) {
            all_payloads.push(input.to_owned());
        }
        calls.push(Call {
            record: record(&request_id, model_id, request, response),
            request_id,
            model_id,
            images: n,
            payloads: all_payloads,
        });
    }
    calls
}

#[test]
fn image_counts_are_right_everywhere_and_no_payload_leaves() {
    let calls = calls();
    let input: String = calls.iter().map(|c| c.record.to_string() + "\n").collect();
    let formats: [&[&str]; 6] = [
        &[],
        &["--format", "otel"],
        &["--format", "elastic"],
        &["--format", "invocation-log"],
        &["--metrics", "emf"],
        &["--metrics", "elastic", "--period", "300"],
    ];
    let mut outputs = BTreeMap::new();
    for args in formats {
        let text = replay(args, &input);
        for call in &calls {
            for payload in &call.payloads {
                assert!(
                    !text.contains(&payload[..64]),
                    "{args:?}: a payload of {} in the output",
                    call.request_id
                );
            }
        }
        outputs.insert(args.join(" "), text);
    }

    // New Relic: one summary per call, with the body's image count.
    let events = json_lines(&outputs[""]);
    for call in &calls {
        let summary = events
            .iter()
            .find(|e| {
                e["eventType"] == "LlmChatCompletionSummary"
                    && e["request_id"] == call.request_id.as_str()
            })
            .unwrap();
        assert_eq!(
            summary["response.number_of_images"], call.images,
            "{}",
            call.request_id
        );
    }

    // OpenTelemetry: the operation, the output type and the count.
    let spans = json_lines(&outputs["--format otel"]);
    assert_eq!(spans.len(), calls.len());
    for (span, call) in spans.iter().zip(&calls) {
        let attributes = &span["attributes"];
        assert_eq!(attributes["gen_ai.operation.name"], "generate_content");
        assert_eq!(attributes["gen_ai.output.type"], "image");
        assert_eq!(
            attributes["aws.bedrock.response.image.count"], call.images,
            "{}",
            call.request_id
        );
    }

    // EMF: `OutputImageCount` per model sums the calls' images; the dimension series too.
    let mut per_model: BTreeMap<&str, u64> = BTreeMap::new();
    for call in &calls {
        *per_model.entry(call.model_id).or_default() += call.images;
    }
    let emf: Vec<Value> = json_lines(&outputs["--metrics emf"])
        .into_iter()
        .filter(|d| d.get("_aws").is_some())
        .collect();
    let mut by_model: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_size: BTreeMap<(String, String), u64> = BTreeMap::new();
    for document in &emf {
        let model = document["ModelId"].as_str().unwrap().to_owned();
        let count = document["OutputImageCount"].as_u64().unwrap();
        let dimensions = &document["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0];
        if dimensions == &json!(["ModelId"]) {
            *by_model.entry(model).or_default() += count;
        } else {
            let size = document["ImageSize"].as_str().unwrap_or("-").to_owned();
            *by_size.entry((model, size)).or_default() += count;
        }
    }
    let want: BTreeMap<String, u64> = per_model
        .iter()
        .map(|(m, n)| ((*m).to_owned(), *n))
        .collect();
    assert_eq!(by_model, want);
    let titan = &(
        "amazon.titan-image-generator-v2:0".to_owned(),
        "1024x1024".to_owned(),
    );
    assert_eq!(
        by_size[titan],
        per_model["amazon.titan-image-generator-v2:0"]
    );
    let sd3 = &("stability.sd3-5-large-v1:0".to_owned(), "16:9".to_owned());
    assert_eq!(by_size[sd3], per_model["stability.sd3-5-large-v1:0"]);

    // Elastic runtime documents: the same per-model sums.
    let documents = json_lines(&outputs["--metrics elastic --period 300"]);
    let mut elastic: BTreeMap<String, u64> = BTreeMap::new();
    for document in documents
        .iter()
        .filter(|d| d["data_stream"]["dataset"] == "aws_bedrock.runtime")
    {
        if document["aws"].get("dimensions").is_none() {
            let runtime = &document["aws_bedrock"]["runtime"];
            *elastic
                .entry(runtime["model_id"].as_str().unwrap().to_owned())
                .or_default() += runtime["output_image_count"].as_u64().unwrap();
        }
    }
    assert_eq!(elastic, want);
}
