//! Invocation-log records made from the samples, for every operation: what Bedrock would log
//! for the same exchanges (`docs/invocation-logs.md` §3–§5).

use bedrock_llm_models::samples::{self, Sample, stream_chunks};
use serde_json::{Value, json};

fn base(operation: &str, model_id: &str, request_id: &str) -> Value {
    json!({
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": "2024-04-18T22:54:57Z",
        "accountId": "111122223333",
        "identity": {"arn": "arn:aws:iam::111122223333:user/dev"},
        "region": "us-east-1",
        "requestId": request_id,
        "operation": operation,
        "modelId": model_id,
    })
}

/// The InvokeModel record of a sample.
pub fn invoke_record(sample: &Sample) -> Value {
    let mut record = base(
        "InvokeModel",
        sample.model_id,
        &samples::request_id(sample.family_slug, sample.case),
    );
    record["input"] = json!({
        "inputContentType": "application/json",
        "inputBodyJson": serde_json::from_slice::<Value>(&sample.request).unwrap(),
        "inputTokenCount": sample.header("X-Amzn-Bedrock-Input-Token-Count"),
    });
    record["output"] = json!({
        "outputContentType": "application/json",
        "outputBodyJson": serde_json::from_slice::<Value>(&sample.response).unwrap(),
        "outputTokenCount": sample.header("X-Amzn-Bedrock-Output-Token-Count").unwrap_or(0),
    });
    record
}

/// The InvokeModelWithResponseStream record of a sample (its chunks, then a bare `"[DONE]"`),
/// or `None` for families that do not stream.
pub fn stream_record(sample: &Sample) -> Option<Value> {
    let mut chunks = stream_chunks(sample, &mut |text| samples::pieces(text, 7))?;
    chunks.push(json!("[DONE]"));
    let mut record = invoke_record(sample);
    record["operation"] = json!("InvokeModelWithResponseStream");
    record["output"]["outputBodyJson"] = Value::Array(chunks);
    Some(record)
}

/// A Converse record: a system prompt, a tool exchange, inference settings.
pub fn converse_record(operation: &str) -> Value {
    let mut record = base(
        operation,
        "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "0e5c1f43-7a6b-4c1d-9e2f-3a4b5c6d7e8f",
    );
    record["input"] = json!({
        "inputContentType": "application/json",
        "inputBodyJson": {
            "messages": [
                {"role": "user", "content": [{"text": "Summarize the attached terms."}, {"document": {"format": "pdf", "name": "terms", "source": {"s3Uri": "s3://bucket/data/req_input_media_01.pdf"}}}]},
                {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "fetch_terms", "input": {}}}]},
                {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "Terms v2"}]}}]}
            ],
            "system": [{"text": "You are a lawyer."}],
            "inferenceConfig": {"maxTokens": 512, "temperature": 0.2, "topP": 0.9, "stopSequences": ["END"]},
            "additionalModelRequestFields": {"top_k": 40}
        },
        "inputTokenCount": 1200,
    });
    record["output"] = json!({
        "outputContentType": "application/json",
        "outputBodyJson": {
            "output": {"message": {"role": "assistant", "content": [{"text": "The terms allow refunds within 30 days."}]}},
            "stopReason": "end_turn",
            "metrics": {"latencyMs": 1834},
            "usage": {"inputTokens": 1200, "outputTokens": 11, "totalTokens": 1211}
        },
        "outputTokenCount": 11,
    });
    record
}

/// A Converse call a guardrail blocked.
pub fn guardrail_blocked_converse() -> Value {
    let mut record = base(
        "Converse",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "b10c4ed0-0000-4000-8000-000000000001",
    );
    record["input"] = json!({
        "inputContentType": "application/json",
        "inputBodyJson": {"messages": [{"role": "user", "content": [{"guardContent": {"text": {"text": "How do I pick a lock?"}}}]}]},
        "inputTokenCount": 0,
    });
    record["output"] = json!({
        "outputContentType": "application/json",
        "outputBodyJson": {
            "output": {"message": {"role": "assistant", "content": [{"text": "Sorry, I can't help with that."}]}},
            "stopReason": "guardrail_intervened",
            "metrics": {"latencyMs": 212},
            "usage": {"inputTokens": 0, "outputTokens": 0, "totalTokens": 0},
            "trace": {"guardrail": {"inputAssessment": {"gr-5k2n9x": {"topicPolicy": {"topics": [{"name": "crime", "type": "DENY", "action": "BLOCKED"}]}}}}}
        },
        "outputTokenCount": 0,
    });
    record
}

/// A streamed Claude 3 call with a guardrail trace on its last chunk.
pub fn streamed_claude_with_guardrail() -> Value {
    let sample = samples::all()
        .unwrap()
        .into_iter()
        .find(|s| s.case == "system_and_history")
        .unwrap();
    let mut record = stream_record(&sample).unwrap();
    let chunks = record["output"]["outputBodyJson"].as_array_mut().unwrap();
    // The final object chunk (before "[DONE]") carries the trace; some chunks the action.
    let last = chunks.len() - 2;
    chunks[last]["amazon-bedrock-trace"] = json!({"guardrail": {"input": {"gr-7x8y9z": {"contentPolicy": {"filters": [{"type": "INSULTS", "confidence": "LOW", "action": "NONE"}]}}}}});
    chunks[2]["amazon-bedrock-guardrailAction"] = json!("INTERVENED");
    record
}
