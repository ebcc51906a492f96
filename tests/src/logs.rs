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

/// The models of [`four_calls`].
pub const FOUR_CALLS_CLAUDE: &str = "anthropic.claude-3-haiku-20240307-v1:0";
/// The Llama model of [`four_calls`].
pub const FOUR_CALLS_LLAMA: &str = "meta.llama3-70b-instruct-v1:0";
/// The embedding model of [`four_calls`].
pub const FOUR_CALLS_TITAN_EMBED: &str = "amazon.titan-embed-text-v1";

/// Four records of three families and three operations, as NDJSON: InvokeModel (Llama, Titan
/// embeddings), Converse with a tool call and its latency, a Claude stream with its metrics.
pub fn four_calls() -> String {
    let base = |operation: &str, model: &str, request: &str| {
        json!({
            "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "timestamp": "2024-04-18T22:54:57Z", "accountId": "123456789012",
            "region": "us-west-2", "requestId": request, "operation": operation,
            "modelId": model,
        })
    };
    let mut llama = base("InvokeModel", FOUR_CALLS_LLAMA, "r-llama");
    llama["input"] = json!({"inputBodyJson": {"prompt": "Say hi", "max_gen_len": 50, "temperature": 0.5}, "inputTokenCount": 7});
    llama["output"] = json!({"outputBodyJson": {"generation": "Hi there", "stop_reason": "stop", "prompt_token_count": 7, "generation_token_count": 4}, "outputTokenCount": 4});
    let mut embed = base("InvokeModel", FOUR_CALLS_TITAN_EMBED, "r-embed");
    embed["input"] = json!({"inputBodyJson": {"inputText": "embed me"}, "inputTokenCount": 3});
    embed["output"] =
        json!({"outputBodyJson": {"embedding": [0.1, 0.2, 0.3], "inputTextTokenCount": 3}});
    let mut converse = base("Converse", FOUR_CALLS_CLAUDE, "r-converse");
    converse["input"] = json!({"inputBodyJson": {
        "messages": [
            {"role": "user", "content": [{"text": "Weather in Paris?"}]},
            {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "weather", "input": {"city": "Paris"}}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "18C"}]}}]}
        ],
        "system": [{"text": "Be brief"}],
        "inferenceConfig": {"maxTokens": 100},
        "toolConfig": {"tools": [{"toolSpec": {"name": "weather", "description": "Current weather", "inputSchema": {"json": {"type": "object"}}}}]}
    }, "inputTokenCount": 12});
    converse["output"] = json!({"outputBodyJson": {
        "output": {"message": {"role": "assistant", "content": [{"text": "Checking."}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 12, "outputTokens": 3, "totalTokens": 15},
        "metrics": {"latencyMs": 420}
    }, "outputTokenCount": 3});
    let mut stream = base(
        "InvokeModelWithResponseStream",
        FOUR_CALLS_CLAUDE,
        "r-stream",
    );
    stream["input"] = json!({"inputBodyJson": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64, "messages": [{"role": "user", "content": "Count"}]}, "inputTokenCount": 9});
    stream["output"] = json!({"outputBodyJson": [
        {"type": "message_start", "message": {"id": "msg_1", "model": "claude-3-haiku", "role": "assistant", "usage": {"input_tokens": 9, "output_tokens": 1}}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "1 2 3"}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 5}},
        {"type": "message_stop", "amazon-bedrock-invocationMetrics": {"inputTokenCount": 9, "outputTokenCount": 5, "invocationLatency": 800, "firstByteLatency": 150}}
    ], "outputTokenCount": 5});
    [llama, embed, converse, stream]
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// [`four_calls`] in a fresh file under the temporary directory (its own folder, named by
/// `tag`), for a command to read.
pub fn four_calls_file(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bedrock-llm-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("records.ndjson");
    std::fs::write(&file, four_calls()).unwrap();
    file
}

/// `count` Llama records of `chars` random characters each way, from `seed`: megabytes gzip
/// cannot shrink much, for delivery tests that need several batches.
pub fn noisy_llama_records(count: usize, chars: usize, seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut noise = |n: usize| (0..n).map(|_| rng.alphanumeric()).collect::<String>();
    (0..count)
        .map(|i| {
            json!({
                "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                "timestamp": "2024-04-18T22:54:57Z", "operation": "InvokeModel",
                "modelId": "meta.llama3-70b-instruct-v1:0", "requestId": format!("r-{i}"),
                "input": {"inputBodyJson": {"prompt": noise(chars)}, "inputTokenCount": 7},
                "output": {"outputBodyJson": {"generation": noise(chars), "stop_reason": "stop"}, "outputTokenCount": 4}
            })
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
