//! Video generation replayed as a user replays it: Nova Reel and Luma Ray jobs
//! (`StartAsyncInvoke`) give the prompt, the settings asked for, the job's ARN and — from the
//! log's `outputVideo` — the video produced, in every output format; no input image leaves
//! as a payload. The expectations are read straight from the records here, independently of
//! the adapters.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};

mod common;
use common::{base64_payload, json_lines, replay_stdin as replay};

struct Job {
    record: Value,
    request_id: String,
    prompt: String,
    arn: String,
    /// `(duration, WxH)` of the video the log reports, when it reports one.
    produced: Option<(f64, String)>,
    payload: Option<String>,
}

fn jobs() -> Vec<Job> {
    (0..8u64)
        .map(|i| {
            let request_id = format!("00000000-0000-4000-9000-{i:012}");
            let prompt = format!("shot {i}: a kite over dunes");
            let arn = format!("arn:aws:bedrock:us-east-1:111122223333:async-invoke/job{i:04}");
            let payload = (i % 2 == 0).then(|| base64_payload(i, 4_096));
            let (model_id, input) = if i % 4 == 3 {
                (
                    "luma.ray-v2:0",
                    json!({"prompt": prompt, "aspect_ratio": "16:9", "duration": "5s", "resolution": "720p", "loop": false}),
                )
            } else {
                let mut params = json!({"text": prompt});
                if let Some(payload) = &payload {
                    params["images"] = json!([{"format": "png", "source": {"bytes": payload}}]);
                }
                (
                    "amazon.nova-reel-v1:1",
                    json!({
                        "taskType": "TEXT_VIDEO",
                        "textToVideoParams": params,
                        "videoGenerationConfig": {"durationSeconds": 6, "fps": 24, "dimension": "1280x720", "seed": i},
                    }),
                )
            };
            // One job in four has no video reported yet (the log has only the job's answer).
            let produced = (i % 4 != 1).then(|| {
                if model_id.starts_with("luma") {
                    (5.0, "1280x720".to_owned())
                } else {
                    (6.0, "1280x720".to_owned())
                }
            });
            let mut output = json!({
                "outputContentType": "application/json",
                "outputBodyJson": {"invocationArn": arn},
            });
            if let Some((seconds, _)) = produced {
                output["outputVideo"] = json!({
                    "S3Path": format!("s3://videos/job{i:04}/output.mp4"),
                    "DurationSeconds": seconds, "FramesPerSecond": 24, "Width": 1280, "Height": 720,
                });
            }
            let record = json!({
                "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                "timestamp": "2026-12-07T10:00:00Z", "accountId": "111122223333",
                "region": "us-east-1", "requestId": request_id, "operation": "StartAsyncInvoke",
                "modelId": model_id,
                "input": {"inputContentType": "application/json", "inputBodyJson": input},
                "output": output,
            });
            Job { record, request_id, prompt, arn, produced, payload }
        })
        .collect()
}

fn find<'a>(values: &'a [Value], request_id: &str, pointer: &str) -> &'a Value {
    values
        .iter()
        .find(|v| v.pointer(pointer) == Some(&json!(request_id)))
        .unwrap_or_else(|| panic!("{request_id}: not at {pointer}"))
}

#[test]
fn video_jobs_replay_with_their_settings_and_output_and_no_payload() {
    let jobs = jobs();
    let input: String = jobs.iter().map(|j| j.record.to_string() + "\n").collect();
    let mut outputs = Vec::new();
    for args in [
        &[][..],
        &["--format", "otel"],
        &["--format", "elastic"],
        &["--format", "invocation-log"],
    ] {
        let text = replay(args, &input);
        for payload in jobs.iter().filter_map(|j| j.payload.as_ref()) {
            assert!(!text.contains(&payload[..64]), "{args:?}: an image payload");
        }
        outputs.push(text);
    }

    // New Relic: a summary per job, with the prompt, the settings, the ARN and the video.
    let events = json_lines(&outputs[0]);
    for job in &jobs {
        let summary = events
            .iter()
            .find(|e| {
                e["eventType"] == "LlmChatCompletionSummary"
                    && e["request_id"] == job.request_id.as_str()
            })
            .unwrap();
        assert_eq!(
            summary["response_id"],
            job.arn.as_str(),
            "{}",
            job.request_id
        );
        assert!(summary["aws.bedrock.request.video.duration_seconds"].is_u64());
        match &job.produced {
            Some((seconds, dimension)) => {
                assert_eq!(summary["aws.bedrock.response.video.count"], 1);
                assert_eq!(
                    summary["aws.bedrock.response.video.duration_seconds"],
                    *seconds
                );
                assert_eq!(
                    summary["aws.bedrock.response.video.dimension"],
                    dimension.as_str()
                );
            }
            None => assert!(summary.get("aws.bedrock.response.video.count").is_none()),
        }
        let prompt = events
            .iter()
            .find(|e| {
                e["eventType"] == "LlmChatCompletionMessage"
                    && e["request_id"] == job.request_id.as_str()
                    && e["is_response"] != true
            })
            .unwrap();
        assert_eq!(prompt["content"], job.prompt.as_str());
    }

    // OpenTelemetry: the operation and the output type.
    let spans = json_lines(&outputs[1]);
    assert_eq!(spans.len(), jobs.len());
    for job in &jobs {
        let span = find(&spans, &job.arn, "/attributes/gen_ai.response.id");
        let attributes = &span["attributes"];
        assert_eq!(attributes["gen_ai.operation.name"], "generate_content");
        assert_eq!(attributes["gen_ai.output.type"], "video");
        assert_eq!(
            attributes["aws.bedrock.response.video.count"].as_u64(),
            job.produced.as_ref().map(|_| 1)
        );
    }

    // Elastic: one document per job, its operation the log's, with the video output.
    let documents = json_lines(&outputs[2]);
    assert_eq!(documents.len(), jobs.len());
    for job in &jobs {
        let document = find(
            &documents,
            &job.request_id,
            "/aws_bedrock/invocation/request_id",
        );
        assert_eq!(document["event"]["action"], "StartAsyncInvoke");
        let video = &document["aws_bedrock"]["invocation"]["output"]["output_video"];
        match &job.produced {
            Some((seconds, _)) => {
                assert_eq!(video["count"], 1);
                assert_eq!(video["duration_seconds"], *seconds);
            }
            None => assert!(video.is_null()),
        }
    }

    // Written back as invocation logs: the operation and the video output survive.
    let written = json_lines(&outputs[3]);
    for job in &jobs {
        let record = find(&written, &job.request_id, "/requestId");
        assert_eq!(record["operation"], "StartAsyncInvoke");
        let video = &record["output"]["outputVideo"];
        match &job.produced {
            Some((seconds, _)) => {
                assert_eq!(video["DurationSeconds"], *seconds);
                assert_eq!(video["Width"], 1280);
            }
            None => assert!(video.is_null()),
        }
    }
}
