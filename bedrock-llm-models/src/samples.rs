//! Realistic, deterministic request/response exchanges for every prebuilt family: the source of
//! the synthesized fixtures (`cargo xtask fixtures`), and of the bodies an emulator serves.
//!
//! Each sample is written as JSON here, read through its family's typed adapter, and
//! serialized back by it, so a sample that does not fit its adapter is an error, and the bytes
//! are exactly what the typed adapter produces.

use bedrock_llm_core::{BedrockModel, BodyError, ModelRequest, ModelResponse};
use serde_json::{Value, json};

use crate::{
    ClaudeMessages, ClaudeText, CohereCommand, CohereCommandR, CohereEmbed, Jamba, Jurassic2,
    Llama, MistralChat, MistralText, Nova, TitanEmbed, TitanText,
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
    /// `X-Amzn-Bedrock-Input-Token-Count`.
    input_tokens: u64,
    /// `X-Amzn-Bedrock-Output-Token-Count` (absent for embeddings).
    output_tokens: Option<u64>,
    /// `X-Amzn-Bedrock-Invocation-Latency`.
    latency_ms: u64,
}

fn build<M: BedrockModel>(spec: Spec) -> Result<Sample, BodyError> {
    let request = M::decode_request(&to_bytes(&spec.request))?.to_body()?;
    let response = M::decode_response(&to_bytes(&spec.response))?.to_body()?;
    let mut headers = vec![
        ("Content-Type", "application/json".to_owned()),
        (
            "X-Amzn-Bedrock-Input-Token-Count",
            spec.input_tokens.to_string(),
        ),
        (
            "X-Amzn-Bedrock-Invocation-Latency",
            spec.latency_ms.to_string(),
        ),
    ];
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

/// A deterministic vector with values in [-1, 1) and four decimal places.
fn vector(seed: u64, dimensions: usize) -> Vec<Value> {
    (0..dimensions as u64)
        .map(|i| {
            let raw = (i
                .wrapping_mul(7919)
                .wrapping_add(seed.wrapping_mul(104_729)))
                % 20_000;
            json!((raw as f64 - 10_000.0) / 10_000.0)
        })
        .collect()
}

/// Every sample, in a fixed order.
pub fn all() -> Result<Vec<Sample>, BodyError> {
    Ok(vec![
        build::<ClaudeText>(Spec {
            family_slug: "claude_text",
            case: "basic",
            model_id: "anthropic.claude-v2:1",
            request: json!({
                "prompt": "\n\nHuman: Name three uses of a paperclip.\n\nAssistant:",
                "max_tokens_to_sample": 300,
                "temperature": 0.7,
                "top_k": 250,
                "top_p": 0.999,
                "stop_sequences": ["\n\nHuman:"],
                "anthropic_version": "bedrock-2023-05-31"
            }),
            response: json!({
                "type": "completion",
                "completion": " Here are three uses of a paperclip:\n\n1. Holding papers together\n2. Resetting a device through a pinhole\n3. A makeshift zipper pull",
                "stop_reason": "stop_sequence",
                "stop": "\n\nHuman:"
            }),
            input_tokens: 21,
            output_tokens: Some(38),
            latency_ms: 1480,
        })?,
        build::<ClaudeText>(Spec {
            family_slug: "claude_text",
            case: "instant_max_tokens",
            model_id: "anthropic.claude-instant-v1",
            request: json!({
                "prompt": "\n\nHuman: Write a long poem about the sea.\n\nAssistant:",
                "max_tokens_to_sample": 20
            }),
            response: json!({
                "completion": " The sea, the sea, the restless sea,\nIt calls to",
                "stop_reason": "max_tokens",
                "stop": null
            }),
            input_tokens: 19,
            output_tokens: Some(20),
            latency_ms: 402,
        })?,
        build::<ClaudeMessages>(Spec {
            family_slug: "claude_messages",
            case: "system_and_history",
            model_id: "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
            request: json!({
                "anthropic_version": "bedrock-2023-05-31",
                "max_tokens": 512,
                "system": "You are a terse geography tutor.",
                "messages": [
                    {"role": "user", "content": "What is the capital of Australia?"},
                    {"role": "assistant", "content": "Canberra."},
                    {"role": "user", "content": [{"type": "text", "text": "And of New Zealand?"}]}
                ],
                "temperature": 0.2,
                "top_k": 50,
                "stop_sequences": ["###"]
            }),
            response: json!({
                "id": "msg_bdrk_01Xq3kLZb7mWc9vT2pN4sRfA",
                "type": "message",
                "role": "assistant",
                "model": "claude-3-5-sonnet-20240620",
                "content": [{"type": "text", "text": "Wellington."}],
                "stop_reason": "end_turn",
                "stop_sequence": null,
                "usage": {"input_tokens": 41, "output_tokens": 6}
            }),
            input_tokens: 41,
            output_tokens: Some(6),
            latency_ms: 612,
        })?,
        build::<ClaudeMessages>(Spec {
            family_slug: "claude_messages",
            case: "tool_use_with_cache",
            model_id: "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
            request: json!({
                "anthropic_version": "bedrock-2023-05-31",
                "max_tokens": 1024,
                "system": [
                    {"type": "text", "text": "You help with the weather.", "cache_control": {"type": "ephemeral"}}
                ],
                "tools": [{
                    "name": "get_weather",
                    "description": "Current weather for a city",
                    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
                }],
                "tool_choice": {"type": "auto"},
                "messages": [{"role": "user", "content": "Is it raining in Seattle?"}]
            }),
            response: json!({
                "id": "msg_bdrk_01Ab7TqQzUo2nV3mYc8dKx1E",
                "type": "message",
                "role": "assistant",
                "model": "claude-sonnet-4-20250514",
                "content": [
                    {"type": "text", "text": "Let me check the current weather in Seattle."},
                    {"type": "tool_use", "id": "toolu_bdrk_01FvW9c", "name": "get_weather", "input": {"city": "Seattle"}}
                ],
                "stop_reason": "tool_use",
                "stop_sequence": null,
                "usage": {
                    "input_tokens": 18,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 402,
                    "output_tokens": 57
                }
            }),
            // Bedrock's input count excludes cached tokens, which have headers of their own
            // (real recordings: `X-Amzn-Bedrock-Input-Token-Count: 4` beside a cache read of 18131).
            input_tokens: 18,
            output_tokens: Some(57),
            latency_ms: 1893,
        })?,
        build::<ClaudeMessages>(Spec {
            family_slug: "claude_messages",
            case: "blocks_and_thinking",
            model_id: "anthropic.claude-3-7-sonnet-20250219-v1:0",
            request: json!({
                "anthropic_version": "bedrock-2023-05-31",
                "max_tokens": 2048,
                "thinking": {"type": "enabled", "budget_tokens": 1024},
                "messages": [
                    {"role": "user", "content": [
                        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="}},
                        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Q3 revenue: 4.2M"}, "title": "q3-report.txt"},
                        {"type": "text", "text": "Does the chart match the report?"}
                    ]},
                    {"role": "assistant", "content": [
                        {"type": "tool_use", "id": "toolu_01", "name": "read_chart", "input": {}}
                    ]},
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "toolu_01", "content": [{"type": "text", "text": "bars: 4.1M"}]}
                    ]}
                ]
            }),
            response: json!({
                "id": "msg_bdrk_01Th1nkB10ck5",
                "type": "message",
                "role": "assistant",
                "model": "claude-3-7-sonnet-20250219",
                "content": [
                    {"type": "thinking", "thinking": "The chart says 4.1M, the report 4.2M.", "signature": "EqQBCgIYAhIM"},
                    {"type": "text", "text": "Nearly: the chart shows 4.1M against 4.2M in the report."}
                ],
                "stop_reason": "end_turn",
                "stop_sequence": null,
                "usage": {"input_tokens": 1630, "output_tokens": 88}
            }),
            input_tokens: 1630,
            output_tokens: Some(88),
            latency_ms: 4120,
        })?,
        build::<TitanText>(Spec {
            family_slug: "titan_text",
            case: "premier",
            model_id: "amazon.titan-text-premier-v1:0",
            request: json!({
                "inputText": "User: Summarize: The quick brown fox jumps over the lazy dog.\nBot:",
                "textGenerationConfig": {"maxTokenCount": 256, "temperature": 0.3, "topP": 0.9, "stopSequences": ["User:"]}
            }),
            response: json!({
                "inputTextTokenCount": 19,
                "results": [{"tokenCount": 11, "outputText": " A fox jumps over a dog.", "completionReason": "FINISH"}]
            }),
            input_tokens: 19,
            output_tokens: Some(11),
            latency_ms: 820,
        })?,
        build::<TitanText>(Spec {
            family_slug: "titan_text",
            case: "lite_length",
            model_id: "amazon.titan-text-lite-v1",
            request: json!({"inputText": "Count to one hundred.", "textGenerationConfig": {"maxTokenCount": 8}}),
            response: json!({
                "inputTextTokenCount": 5.0,
                "results": [{"tokenCount": 8.0, "outputText": "1, 2, 3, 4, 5", "completionReason": "LENGTH"}]
            }),
            input_tokens: 5,
            output_tokens: Some(8),
            latency_ms: 211,
        })?,
        build::<TitanEmbed>(Spec {
            family_slug: "titan_embed",
            case: "v1",
            model_id: "amazon.titan-embed-text-v1",
            request: json!({"inputText": "Bedrock embeddings for search."}),
            response: json!({"embedding": vector(1, 1536), "inputTextTokenCount": 6}),
            input_tokens: 6,
            output_tokens: None,
            latency_ms: 95,
        })?,
        build::<TitanEmbed>(Spec {
            family_slug: "titan_embed",
            case: "v2_by_type",
            model_id: "amazon.titan-embed-text-v2:0",
            request: json!({"inputText": "Vectors by type.", "dimensions": 256, "normalize": true, "embeddingTypes": ["float", "binary"]}),
            response: json!({
                "embedding": vector(2, 256),
                "inputTextTokenCount": 5,
                "embeddingsByType": {
                    "float": vector(2, 256),
                    "binary": (0..256).map(|i| json!(i % 2)).collect::<Vec<_>>()
                }
            }),
            input_tokens: 5,
            output_tokens: None,
            latency_ms: 71,
        })?,
        build::<Nova>(Spec {
            family_slug: "nova",
            case: "system_and_tools",
            model_id: "amazon.nova-lite-v1:0",
            request: json!({
                "schemaVersion": "messages-v1",
                "system": [{"text": "Answer in French."}],
                "messages": [{"role": "user", "content": [{"text": "Good morning!"}]}],
                "inferenceConfig": {"maxTokens": 300, "temperature": 0.5, "topP": 0.9, "topK": 20, "stopSequences": ["\n\n"]},
                "toolConfig": {"tools": [{"toolSpec": {"name": "translate", "description": "Translate text", "inputSchema": {"json": {"type": "object"}}}}]}
            }),
            response: json!({
                "output": {"message": {"role": "assistant", "content": [{"text": "Bonjour !"}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 12, "outputTokens": 4, "totalTokens": 16, "cacheReadInputTokenCount": 0, "cacheWriteInputTokenCount": 0}
            }),
            input_tokens: 12,
            output_tokens: Some(4),
            latency_ms: 380,
        })?,
        build::<Nova>(Spec {
            family_slug: "nova",
            case: "tool_use",
            model_id: "us.amazon.nova-pro-v1:0",
            request: json!({
                "messages": [
                    {"role": "user", "content": [{"text": "What is 12 × 34?"}, {"image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}}]},
                    {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "calculator", "input": {"expr": "12*34"}}}]},
                    {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"json": {"result": 408}}], "status": "success"}}]}
                ],
                "inferenceConfig": {"max_new_tokens": 100}
            }),
            response: json!({
                "output": {"message": {"role": "assistant", "content": [
                    {"reasoningContent": {"reasoningText": {"text": "Multiply."}}},
                    {"text": "12 × 34 = 408."}
                ]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 1290, "outputTokens": 12, "totalTokens": 1302}
            }),
            input_tokens: 1290,
            output_tokens: Some(12),
            latency_ms: 690,
        })?,
        build::<Llama>(Spec {
            family_slug: "llama",
            case: "llama3_1_chat_template",
            model_id: "meta.llama3-1-70b-instruct-v1:0",
            request: json!({
                "prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhy is the sky blue?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
                "max_gen_len": 256,
                "temperature": 0.5,
                "top_p": 0.9
            }),
            response: json!({
                "generation": "Sunlight scatters off air molecules, and blue light scatters the most (Rayleigh scattering).",
                "prompt_token_count": 19,
                "generation_token_count": 21,
                "stop_reason": "stop"
            }),
            input_tokens: 19,
            output_tokens: Some(21),
            latency_ms: 1045,
        })?,
        build::<Llama>(Spec {
            family_slug: "llama",
            case: "llama4_length",
            model_id: "us.meta.llama4-scout-17b-instruct-v1:0",
            request: json!({"prompt": "List every prime number.", "max_gen_len": 16}),
            response: json!({
                "generation": " 2, 3, 5, 7, 11, 13, 17, 19, 23",
                "prompt_token_count": 6,
                "generation_token_count": 16,
                "stop_reason": "length"
            }),
            input_tokens: 6,
            output_tokens: Some(16),
            latency_ms: 530,
        })?,
        build::<CohereCommand>(Spec {
            family_slug: "cohere_command",
            case: "two_generations",
            model_id: "cohere.command-text-v14",
            request: json!({
                "prompt": "Suggest a name for a bakery.",
                "max_tokens": 20,
                "temperature": 0.9,
                "p": 0.75,
                "k": 0,
                "num_generations": 2,
                "return_likelihoods": "NONE"
            }),
            response: json!({
                "id": "5d3e8f6a-2c41-4b7e-9a0f-1e2d3c4b5a69",
                "prompt": "Suggest a name for a bakery.",
                "generations": [
                    {"id": "b1f0c8e2-7d3a-4e59-8c61-0a9b8c7d6e5f", "text": " Rise & Shine Bakery", "finish_reason": "COMPLETE"},
                    {"id": "c2a1d9f3-8e4b-4f6a-9d72-1b0c9d8e7f60", "text": " The Daily Crumb", "finish_reason": "COMPLETE"}
                ]
            }),
            input_tokens: 7,
            output_tokens: Some(11),
            latency_ms: 760,
        })?,
        build::<CohereCommandR>(Spec {
            family_slug: "cohere_command_r",
            case: "history_and_tools",
            model_id: "cohere.command-r-plus-v1:0",
            request: json!({
                "preamble": "You are a helpful travel agent.",
                "chat_history": [
                    {"role": "USER", "message": "I want to visit Japan."},
                    {"role": "CHATBOT", "message": "Great choice! When are you going?"}
                ],
                "message": "In April. Where should I go?",
                "tools": [{"name": "search_flights", "description": "Find flights", "parameter_definitions": {"to": {"type": "str", "required": true}}}],
                "max_tokens": 400,
                "temperature": 0.3,
                "p": 0.75,
                "k": 0
            }),
            response: json!({
                "response_id": "8f2d1c3b-4a5e-4f67-8901-a2b3c4d5e6f7",
                "text": "April is cherry-blossom season: Kyoto and Tokyo are at their best.",
                "generation_id": "a1b2c3d4-e5f6-4789-8abc-def012345678",
                "chat_history": [
                    {"role": "USER", "message": "I want to visit Japan."},
                    {"role": "CHATBOT", "message": "Great choice! When are you going?"},
                    {"role": "USER", "message": "In April. Where should I go?"},
                    {"role": "CHATBOT", "message": "April is cherry-blossom season: Kyoto and Tokyo are at their best."}
                ],
                "finish_reason": "COMPLETE"
            }),
            input_tokens: 112,
            output_tokens: Some(17),
            latency_ms: 1320,
        })?,
        build::<CohereEmbed>(Spec {
            family_slug: "cohere_embed",
            case: "floats",
            model_id: "cohere.embed-english-v3",
            request: json!({"texts": ["first document", "second document"], "input_type": "search_document", "truncate": "NONE"}),
            response: json!({
                "id": "0e6f2b1a-9c8d-4e7f-a6b5-c4d3e2f1a0b9",
                "embeddings": [vector(3, 1024), vector(4, 1024)],
                "response_type": "embeddings_floats",
                "texts": ["first document", "second document"]
            }),
            input_tokens: 4,
            output_tokens: None,
            latency_ms: 88,
        })?,
        build::<CohereEmbed>(Spec {
            family_slug: "cohere_embed",
            case: "by_type",
            model_id: "cohere.embed-multilingual-v3",
            request: json!({"texts": ["bonjour"], "input_type": "search_query", "embedding_types": ["float", "int8"]}),
            response: json!({
                "id": "1f7a3c2b-0d9e-4f8a-b7c6-d5e4f3a2b1c0",
                "embeddings": {
                    "float": [vector(5, 1024)],
                    "int8": [(0..1024).map(|i| json!((i % 256) as i64 - 128)).collect::<Vec<_>>()]
                },
                "response_type": "embeddings_by_type",
                "texts": ["bonjour"]
            }),
            input_tokens: 2,
            output_tokens: None,
            latency_ms: 64,
        })?,
        build::<Jurassic2>(Spec {
            family_slug: "jurassic2",
            case: "ultra_with_penalties",
            model_id: "ai21.j2-ultra-v1",
            request: json!({
                "prompt": "Complete: Roses are red,",
                "maxTokens": 12,
                "temperature": 0.7,
                "topP": 1,
                "stopSequences": ["\n\n"],
                "countPenalty": {"scale": 0},
                "presencePenalty": {"scale": 0.3, "applyToWhitespaces": true},
                "frequencyPenalty": {"scale": 1.5}
            }),
            response: json!({
                "id": 1234,
                "prompt": {"text": "Complete: Roses are red,", "tokens": [
                    {"generatedToken": {"token": "▁Complete", "logprob": -9.2}, "textRange": {"start": 0, "end": 8}},
                    {"generatedToken": {"token": ":", "logprob": -3.1}, "textRange": {"start": 8, "end": 9}},
                    {"generatedToken": {"token": "▁Roses", "logprob": -8.4}, "textRange": {"start": 9, "end": 15}},
                    {"generatedToken": {"token": "▁are▁red", "logprob": -1.2}, "textRange": {"start": 15, "end": 23}},
                    {"generatedToken": {"token": ",", "logprob": -0.4}, "textRange": {"start": 23, "end": 24}}
                ]},
                "completions": [{
                    "data": {"text": " violets are blue.", "tokens": [
                        {"generatedToken": {"token": "▁violets", "logprob": -0.3}, "textRange": {"start": 0, "end": 8}},
                        {"generatedToken": {"token": "▁are▁blue", "logprob": -0.1}, "textRange": {"start": 8, "end": 17}},
                        {"generatedToken": {"token": ".", "logprob": -0.2}, "textRange": {"start": 17, "end": 18}}
                    ]},
                    "finishReason": {"reason": "endoftext"}
                }]
            }),
            input_tokens: 5,
            output_tokens: Some(3),
            latency_ms: 540,
        })?,
        build::<Jamba>(Spec {
            family_slug: "jamba",
            case: "system_and_user",
            model_id: "ai21.jamba-1-5-large-v1:0",
            request: json!({
                "messages": [
                    {"role": "system", "content": "Reply with one word."},
                    {"role": "user", "content": "Opposite of hot?"}
                ],
                "max_tokens": 10,
                "temperature": 0.4,
                "top_p": 0.9,
                "stop": ["\n"],
                "n": 1
            }),
            response: json!({
                "id": "chatcmpl-6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "Cold."}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 21, "completion_tokens": 3, "total_tokens": 24}
            }),
            input_tokens: 21,
            output_tokens: Some(3),
            latency_ms: 301,
        })?,
        build::<MistralText>(Spec {
            family_slug: "mistral_text",
            case: "mixtral",
            model_id: "mistral.mixtral-8x7b-instruct-v0:1",
            request: json!({"prompt": "<s>[INST] Give me a haiku about rust. [/INST]", "max_tokens": 60, "temperature": 0.6, "top_p": 0.9, "top_k": 50, "stop": ["</s>"]}),
            response: json!({"outputs": [{"text": " Iron slowly fades\nOrange bloom on weathered steel\nTime's patient color", "stop_reason": "stop"}]}),
            input_tokens: 19,
            output_tokens: Some(22),
            latency_ms: 910,
        })?,
        build::<MistralChat>(Spec {
            family_slug: "mistral_chat",
            case: "large_2_tool_calls",
            model_id: "mistral.mistral-large-2407-v1:0",
            request: json!({
                "messages": [
                    {"role": "system", "content": "Use tools when useful."},
                    {"role": "user", "content": "What's the time in Paris?"}
                ],
                "tools": [{"type": "function", "function": {"name": "get_time", "description": "Time in a city", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
                "tool_choice": "auto",
                "max_tokens": 200,
                "temperature": 0.1
            }),
            response: json!({
                "choices": [{
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": "",
                        "tool_calls": [{"id": "call_7Kx2", "function": {"name": "get_time", "arguments": "{\"city\": \"Paris\"}"}}]
                    },
                    "stop_reason": "tool_calls"
                }]
            }),
            input_tokens: 88,
            output_tokens: Some(24),
            latency_ms: 1210,
        })?,
    ])
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
            chunks.push(json!({"type": "message_start", "message": {
                "id": response["id"], "type": "message", "role": "assistant", "model": response["model"],
                "content": [], "stop_reason": null, "stop_sequence": null,
                "usage": {"input_tokens": usage["input_tokens"], "output_tokens": 1}}}));
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
