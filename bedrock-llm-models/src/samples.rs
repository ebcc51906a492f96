//! Realistic, deterministic request/response exchanges for every prebuilt family: the source of
//! the synthesized fixtures (`cargo xtask fixtures`), and of the bodies an emulator serves.
//!
//! The samples are data: one file per family in `bedrock-llm-models/samples/`, in the sample-file
//! format of `bedrock-llm-testkit` (which holds every family to its suite from these files, and
//! which the emulator serves from), embedded at build time. Each is read through its family's
//! typed adapter and serialized back by it, so a sample that does not fit its adapter is an
//! error, and the bytes are exactly what the typed adapter produces. The stream of each answer
//! is generated here ([`stream_chunks`]).

use bedrock_llm_core::{BedrockModel, BodyError, ModelRequest, ModelResponse};
use bedrock_llm_testkit::{Case, SampleFile};
use serde_json::{Value, json};

use crate::{
    AmazonRerank, ClaudeMessages, ClaudeText, CohereCommand, CohereCommandR, CohereEmbed,
    CohereRerank, DeepSeekR1, Jamba, Jurassic2, Llama, LumaRay, Marengo, MistralChat, MistralText,
    Nova, NovaReel, OpenAiChat, Pegasus, Sdxl, StabilityImage, TitanEmbed, TitanImage, TitanText,
};

/// One exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The adapter family that reads it.
    pub family: &'static str,
    /// Directory name of the family (`claude_messages`).
    pub family_slug: &'static str,
    /// Directory name of the case (`tool_use`).
    pub case: &'static str,
    /// The model ID the request is sent to.
    pub model_id: &'static str,
    /// Request body bytes.
    pub request: Vec<u8>,
    /// Response body bytes.
    pub response: Vec<u8>,
    /// The response headers Bedrock sends with this body, in a fixed order.
    pub headers: Vec<(&'static str, String)>,
}

impl Sample {
    /// Whether the model runs as a job (`StartAsyncInvoke`: a video), whose answer is the
    /// job's ARN rather than a result.
    pub fn is_job(&self) -> bool {
        serde_json::from_slice::<Value>(&self.response)
            .is_ok_and(|response| response.get("invocationArn").is_some())
    }

    /// A response header's value as a number, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<u64> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.parse().ok())
    }
}

/// `text` cut into pieces of `size` characters, as a model streams it (one empty piece for
/// empty text).
pub fn pieces(text: &str, size: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars
        .chunks(size.max(1))
        .map(|piece| piece.iter().collect())
        .collect()
}

struct Spec {
    family_slug: &'static str,
    case: &'static str,
    model_id: &'static str,
    request: Value,
    response: Value,
    /// `X-Amzn-Bedrock-Input-Token-Count` (absent for image models, which count no tokens).
    input_tokens: Option<u64>,
    /// `X-Amzn-Bedrock-Output-Token-Count` (absent for embeddings).
    output_tokens: Option<u64>,
    /// `X-Amzn-Bedrock-Invocation-Latency`.
    latency_ms: u64,
}

fn build<M: BedrockModel>(spec: Spec) -> Result<Sample, BodyError> {
    let request = M::decode_request(&to_bytes(&spec.request))?.to_body()?;
    let response = M::decode_response(&to_bytes(&spec.response))?.to_body()?;
    let mut headers = vec![("Content-Type", "application/json".to_owned())];
    if let Some(input) = spec.input_tokens {
        headers.push(("X-Amzn-Bedrock-Input-Token-Count", input.to_string()));
    }
    headers.push((
        "X-Amzn-Bedrock-Invocation-Latency",
        spec.latency_ms.to_string(),
    ));
    if let Some(output) = spec.output_tokens {
        headers.push(("X-Amzn-Bedrock-Output-Token-Count", output.to_string()));
    }
    headers.push(("x-amzn-RequestId", request_id(spec.family_slug, spec.case)));
    Ok(Sample {
        family: M::FAMILY,
        family_slug: spec.family_slug,
        case: spec.case,
        model_id: spec.model_id,
        request,
        response,
        headers,
    })
}

fn to_bytes(value: &Value) -> Vec<u8> {
    // Serializing a `Value` cannot fail: its map keys are strings.
    serde_json::to_vec(value).unwrap_or_default()
}

/// A UUID-shaped request id derived from the case name (FNV-1a), stable across runs.
pub fn request_id(family_slug: &str, case: &str) -> String {
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for byte in family_slug.bytes().chain([b'/']).chain(case.bytes()) {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    let hex = format!("{hash:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// The sample files, one per family (`bedrock-llm-models/samples/{family}.json`, the format of
/// `bedrock-llm-testkit`'s sample files): the data, here embedded at build time.
const FILES: [(&str, &str); 24] = [
    ("claude_text", include_str!("../samples/claude_text.json")),
    (
        "claude_messages",
        include_str!("../samples/claude_messages.json"),
    ),
    ("titan_text", include_str!("../samples/titan_text.json")),
    ("titan_embed", include_str!("../samples/titan_embed.json")),
    ("nova", include_str!("../samples/nova.json")),
    ("llama", include_str!("../samples/llama.json")),
    (
        "cohere_command",
        include_str!("../samples/cohere_command.json"),
    ),
    (
        "cohere_command_r",
        include_str!("../samples/cohere_command_r.json"),
    ),
    ("cohere_embed", include_str!("../samples/cohere_embed.json")),
    ("jurassic2", include_str!("../samples/jurassic2.json")),
    ("jamba", include_str!("../samples/jamba.json")),
    ("mistral_text", include_str!("../samples/mistral_text.json")),
    ("mistral_chat", include_str!("../samples/mistral_chat.json")),
    ("openai_chat", include_str!("../samples/openai_chat.json")),
    ("deepseek_r1", include_str!("../samples/deepseek_r1.json")),
    ("titan_image", include_str!("../samples/titan_image.json")),
    (
        "stability_image",
        include_str!("../samples/stability_image.json"),
    ),
    ("sdxl", include_str!("../samples/sdxl.json")),
    (
        "cohere_rerank",
        include_str!("../samples/cohere_rerank.json"),
    ),
    ("pegasus", include_str!("../samples/pegasus.json")),
    (
        "amazon_rerank",
        include_str!("../samples/amazon_rerank.json"),
    ),
    ("nova_reel", include_str!("../samples/nova_reel.json")),
    ("luma_ray", include_str!("../samples/luma_ray.json")),
    ("marengo", include_str!("../samples/marengo.json")),
];

/// A text read from a sample file, kept for the life of the program (samples are made once).
fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

/// One case of a sample file as a [`Spec`]; `None` when it lacks the latency header.
fn spec(family_slug: &'static str, file: &SampleFile, case: &Case) -> Option<Spec> {
    let header = |name: &str| -> Option<u64> { case.headers.get(name)?.parse().ok() };
    Some(Spec {
        family_slug,
        case: leak(&case.name),
        model_id: leak(case.model_id(file)),
        request: case.request.clone(),
        response: case.response.clone(),
        input_tokens: header("x-amzn-bedrock-input-token-count"),
        output_tokens: header("x-amzn-bedrock-output-token-count"),
        latency_ms: header("x-amzn-bedrock-invocation-latency")?,
    })
}

/// Every sample, in a fixed order: each family's file, read through the family's typed adapter
/// and serialized back by it. Made once; later calls clone.
pub fn all() -> Result<Vec<Sample>, BodyError> {
    static ALL: std::sync::OnceLock<Result<Vec<Sample>, BodyError>> = std::sync::OnceLock::new();
    ALL.get_or_init(read_all).clone()
}

fn read_all() -> Result<Vec<Sample>, BodyError> {
    let mut samples = Vec::new();
    for (family_slug, text) in FILES {
        // The files are this crate's own, checked by its tests: a malformed one reads as empty.
        let Ok(file) = SampleFile::from_json(text, format!("samples/{family_slug}.json")) else {
            continue;
        };
        for case in &file.cases {
            let Some(spec) = spec(family_slug, &file, case) else {
                continue;
            };
            samples.push(match family_slug {
                "claude_text" => build::<ClaudeText>(spec)?,
                "claude_messages" => build::<ClaudeMessages>(spec)?,
                "titan_text" => build::<TitanText>(spec)?,
                "titan_embed" => build::<TitanEmbed>(spec)?,
                "nova" => build::<Nova>(spec)?,
                "llama" => build::<Llama>(spec)?,
                "cohere_command" => build::<CohereCommand>(spec)?,
                "cohere_command_r" => build::<CohereCommandR>(spec)?,
                "cohere_embed" => build::<CohereEmbed>(spec)?,
                "jurassic2" => build::<Jurassic2>(spec)?,
                "jamba" => build::<Jamba>(spec)?,
                "mistral_text" => build::<MistralText>(spec)?,
                "openai_chat" => build::<OpenAiChat>(spec)?,
                "deepseek_r1" => build::<DeepSeekR1>(spec)?,
                "titan_image" => build::<TitanImage>(spec)?,
                "stability_image" => build::<StabilityImage>(spec)?,
                "sdxl" => build::<Sdxl>(spec)?,
                "cohere_rerank" => build::<CohereRerank>(spec)?,
                "pegasus" => build::<Pegasus>(spec)?,
                "amazon_rerank" => build::<AmazonRerank>(spec)?,
                "nova_reel" => build::<NovaReel>(spec)?,
                "luma_ray" => build::<LumaRay>(spec)?,
                "marengo" => build::<Marengo>(spec)?,
                _ => build::<MistralChat>(spec)?,
            });
        }
    }
    Ok(samples)
}

/// Bedrock's `amazon-bedrock-invocationMetrics`, added to a stream's last chunk.
fn invocation_metrics(sample: &Sample) -> Value {
    let header = |name: &str| sample.header(name).unwrap_or(0);
    json!({
        "inputTokenCount": header("X-Amzn-Bedrock-Input-Token-Count"),
        "outputTokenCount": header("X-Amzn-Bedrock-Output-Token-Count"),
        "invocationLatency": header("X-Amzn-Bedrock-Invocation-Latency"),
        "firstByteLatency": header("X-Amzn-Bedrock-Invocation-Latency") / 3,
    })
}

fn with_metrics(mut chunk: Value, sample: &Sample) -> Value {
    if let Some(object) = chunk.as_object_mut() {
        object.insert(
            "amazon-bedrock-invocationMetrics".to_owned(),
            invocation_metrics(sample),
        );
    }
    chunk
}

fn text_of(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// The sample's response as the chunks `InvokeModelWithResponseStream` sends for its family
/// (each the decoded `bytes` of one `chunk` event), its texts cut into pieces by `pieces`;
/// `None` for families that do not stream (embeddings, Jurassic-2). The last chunk carries
/// `amazon-bedrock-invocationMetrics` with the sample's header counts.
pub fn stream_chunks(
    sample: &Sample,
    pieces: &mut dyn FnMut(&str) -> Vec<String>,
) -> Option<Vec<Value>> {
    let response: Value = serde_json::from_slice(&sample.response).ok()?;
    let mut chunks = Vec::new();
    match sample.family_slug {
        "claude_messages" => {
            let usage = &response["usage"];
            // As recorded: the prompt's counts, the cache's included where the answer has
            // them, come with `message_start`.
            let mut start_usage =
                json!({"input_tokens": usage["input_tokens"], "output_tokens": 1});
            for key in ["cache_creation_input_tokens", "cache_read_input_tokens"] {
                if !usage[key].is_null() {
                    start_usage[key] = usage[key].clone();
                }
            }
            chunks.push(json!({"type": "message_start", "message": {
                "id": response["id"], "type": "message", "role": "assistant", "model": response["model"],
                "content": [], "stop_reason": null, "stop_sequence": null,
                "usage": start_usage}}));
            for (index, block) in response["content"].as_array()?.iter().enumerate() {
                match text_of(&block["type"]) {
                    "text" => {
                        chunks.push(json!({"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}));
                        for piece in pieces(text_of(&block["text"])) {
                            chunks.push(json!({"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}}));
                        }
                    }
                    "tool_use" => {
                        chunks.push(json!({"type": "content_block_start", "index": index, "content_block": {
                            "type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}}));
                        for piece in pieces(&block["input"].to_string()) {
                            chunks.push(json!({"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": piece}}));
                        }
                    }
                    "thinking" => {
                        chunks.push(json!({"type": "content_block_start", "index": index, "content_block": {"type": "thinking", "thinking": ""}}));
                        for piece in pieces(text_of(&block["thinking"])) {
                            chunks.push(json!({"type": "content_block_delta", "index": index, "delta": {"type": "thinking_delta", "thinking": piece}}));
                        }
                    }
                    _ => {}
                }
                chunks.push(json!({"type": "content_block_stop", "index": index}));
            }
            chunks.push(json!({"type": "message_delta",
                "delta": {"stop_reason": response["stop_reason"], "stop_sequence": response["stop_sequence"]},
                "usage": {"output_tokens": usage["output_tokens"]}}));
            chunks.push(with_metrics(json!({"type": "message_stop"}), sample));
        }
        "claude_text" => {
            for piece in pieces(text_of(&response["completion"])) {
                chunks.push(json!({"completion": piece, "stop_reason": null, "stop": null}));
            }
            chunks.push(with_metrics(json!({"completion": "", "stop_reason": response["stop_reason"], "stop": response["stop"]}), sample));
        }
        "titan_text" => {
            let result = &response["results"][0];
            for (i, piece) in pieces(text_of(&result["outputText"]))
                .into_iter()
                .enumerate()
            {
                let mut chunk = json!({"outputText": piece, "index": 0});
                if i == 0 {
                    chunk["inputTextTokenCount"] = response["inputTextTokenCount"].clone();
                }
                chunks.push(chunk);
            }
            chunks.push(with_metrics(json!({"outputText": "", "index": 0,
                "totalOutputTextTokenCount": result["tokenCount"], "completionReason": result["completionReason"]}), sample));
        }
        "llama" => {
            let total = response["generation_token_count"].as_u64().unwrap_or(0);
            let texts = pieces(text_of(&response["generation"]));
            let count = texts.len() as u64;
            for (i, piece) in texts.into_iter().enumerate() {
                // As recorded: the prompt count on the first chunk, `null` on the others.
                let prompt = if i == 0 {
                    response["prompt_token_count"].clone()
                } else {
                    Value::Null
                };
                chunks.push(json!({"generation": piece, "prompt_token_count": prompt,
                    "generation_token_count": (total * (i as u64 + 1)) / count.max(1), "stop_reason": null}));
            }
            chunks.push(with_metrics(
                json!({"generation": "", "prompt_token_count": null,
                "generation_token_count": total, "stop_reason": response["stop_reason"]}),
                sample,
            ));
        }
        "cohere_command" => {
            // As recorded: `generations` chunks (one element per generation, in order), the
            // finish reasons and ids on the last.
            let generations = response["generations"].as_array()?;
            let texts: Vec<Vec<String>> = generations
                .iter()
                .map(|g| pieces(text_of(&g["text"])))
                .collect();
            let steps = texts.iter().map(Vec::len).max().unwrap_or(0).max(1);
            for step in 0..steps {
                let last = step + 1 == steps;
                let parts: Vec<Value> = generations
                    .iter()
                    .zip(&texts)
                    .map(|(generation, pieces)| {
                        json!({
                            "finish_reason": if last { generation["finish_reason"].clone() } else { Value::Null },
                            "id": generation["id"],
                            "text": pieces.get(step).cloned().unwrap_or_default(),
                        })
                    })
                    .collect();
                chunks.push(json!({"generations": parts, "id": response["id"], "prompt": response["prompt"]}));
            }
            if let Some(last) = chunks.pop() {
                chunks.push(with_metrics(last, sample));
            }
        }
        "cohere_command_r" => {
            chunks.push(json!({"is_finished": false, "event_type": "stream-start", "generation_id": response["generation_id"]}));
            for piece in pieces(text_of(&response["text"])) {
                chunks.push(
                    json!({"is_finished": false, "event_type": "text-generation", "text": piece}),
                );
            }
            chunks.push(with_metrics(
                json!({"is_finished": true, "event_type": "stream-end",
                "finish_reason": response["finish_reason"], "response": response}),
                sample,
            ));
        }
        "mistral_text" => {
            let output = &response["outputs"][0];
            for piece in pieces(text_of(&output["text"])) {
                chunks.push(json!({"outputs": [{"text": piece, "stop_reason": null}]}));
            }
            chunks.push(with_metrics(
                json!({"outputs": [{"text": "", "stop_reason": output["stop_reason"]}]}),
                sample,
            ));
        }
        "mistral_chat" => {
            let choice = &response["choices"][0];
            let message = &choice["message"];
            for piece in pieces(text_of(&message["content"])) {
                chunks.push(json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": piece}, "stop_reason": null}]}));
            }
            if message["tool_calls"].is_array() {
                chunks.push(json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "", "tool_calls": message["tool_calls"]}, "stop_reason": null}]}));
            }
            chunks.push(with_metrics(json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": ""}, "stop_reason": choice["stop_reason"]}]}), sample));
        }
        "deepseek_r1" => {
            let choice = &response["choices"][0];
            for piece in pieces(text_of(&choice["text"])) {
                chunks.push(json!({"choices": [{"text": piece, "stop_reason": null}]}));
            }
            chunks.push(with_metrics(
                json!({"choices": [{"text": "", "stop_reason": choice["stop_reason"]}]}),
                sample,
            ));
        }
        "openai_chat" => {
            // As recorded: a role chunk, content deltas, the finish reason, then a chunk with no
            // choices that carries the usage and Bedrock's invocation metrics.
            let choice = &response["choices"][0];
            let message = &choice["message"];
            let chunk = |choices: Value| {
                json!({"id": response["id"], "object": "chat.completion.chunk", "created": response["created"],
                    "model": response["model"], "choices": choices})
            };
            chunks.push(chunk(json!([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}])));
            if let Some(reasoning) = message["reasoning_content"].as_str() {
                for piece in pieces(reasoning) {
                    chunks.push(chunk(json!([{"index": 0, "delta": {"reasoning_content": piece}, "finish_reason": null}])));
                }
            }
            for piece in pieces(text_of(&message["content"])) {
                chunks.push(chunk(
                    json!([{"index": 0, "delta": {"content": piece}, "finish_reason": null}]),
                ));
            }
            if message["tool_calls"].is_array() {
                chunks.push(chunk(json!([{"index": 0, "delta": {"tool_calls": message["tool_calls"]}, "finish_reason": null}])));
            }
            chunks.push(chunk(
                json!([{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]),
            ));
            let mut last = chunk(json!([]));
            last["usage"] = response["usage"].clone();
            chunks.push(with_metrics(last, sample));
        }
        "jamba" => {
            let choice = &response["choices"][0];
            chunks.push(json!({"id": response["id"], "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": null}]}));
            for piece in pieces(text_of(&choice["message"]["content"])) {
                chunks.push(json!({"id": response["id"], "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]}));
            }
            chunks.push(with_metrics(json!({"id": response["id"], "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}],
                "usage": response["usage"]}), sample));
        }
        "nova" => {
            // As recorded: every text delta is a block of its own (index, delta, stop), then
            // the tool calls' blocks; `metadata` closes with usage, metrics and trace.
            let message = &response["output"]["message"];
            chunks.push(json!({"messageStart": {"role": message["role"]}}));
            let mut index = 0;
            for block in message["content"].as_array()? {
                if let Some(text) = block["text"].as_str() {
                    for piece in pieces(text) {
                        chunks.push(json!({"contentBlockDelta": {"delta": {"text": piece}, "contentBlockIndex": index}}));
                        chunks.push(json!({"contentBlockStop": {"contentBlockIndex": index}}));
                        index += 1;
                    }
                    continue;
                }
                if block["toolUse"].is_object() {
                    let tool = &block["toolUse"];
                    chunks.push(json!({"contentBlockStart": {"start": {"toolUse": {"toolUseId": tool["toolUseId"], "name": tool["name"]}}, "contentBlockIndex": index}}));
                    chunks.push(json!({"contentBlockDelta": {"delta": {"toolUse": {"input": tool["input"].to_string()}}, "contentBlockIndex": index}}));
                } else if let Some(reasoning) =
                    block["reasoningContent"]["reasoningText"]["text"].as_str()
                {
                    for piece in pieces(reasoning) {
                        chunks.push(json!({"contentBlockDelta": {"delta": {"reasoningContent": {"text": piece}}, "contentBlockIndex": index}}));
                    }
                }
                chunks.push(json!({"contentBlockStop": {"contentBlockIndex": index}}));
                index += 1;
            }
            chunks.push(json!({"messageStop": {"stopReason": response["stopReason"]}}));
            chunks.push(with_metrics(
                json!({"metadata": {"usage": response["usage"], "metrics": {}, "trace": {}}}),
                sample,
            ));
        }
        _ => return None,
    }
    Some(chunks)
}
