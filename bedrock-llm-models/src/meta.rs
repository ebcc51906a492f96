//! Meta Llama: Llama 2, 3, 3.1–3.3 and 4 share one body shape.

use bedrock_llm_core::{TokenCount, bedrock_model};

/// Meta Llama.
/// Stream chunks have the response's keys: `prompt_token_count` on the first, a running
/// `generation_token_count`, `stop_reason` on the last.
#[bedrock_model(
    model,
    family = "Llama",
    ids = ["meta.llama*"],
    request = LlamaRequest,
    response = LlamaResponse,
    chunk = LlamaResponse,
)]
#[derive(Debug, Clone, Copy)]
pub struct Llama;

/// `{"prompt": …, "temperature": 0.5, "top_p": 0.9, "max_gen_len": 512}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct LlamaRequest {
    /// The prompt, with the caller's chat template applied.
    #[llm(prompt)]
    pub prompt: String,
    /// Temperature (default 0.5).
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling (default 0.9).
    #[llm(top_p)]
    pub top_p: Option<f64>,
    /// Token limit (default 512).
    #[llm(max_tokens)]
    pub max_gen_len: Option<u64>,
    /// Llama 3.2 vision: base64 images.
    pub images: Option<Vec<String>>,
}

/// `{"generation": …, "prompt_token_count": …, "generation_token_count": …, "stop_reason": …}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct LlamaResponse {
    /// The generated text.
    #[llm(completion)]
    pub generation: String,
    /// Prompt tokens.
    #[llm(input_tokens)]
    pub prompt_token_count: Option<TokenCount>,
    /// Completion tokens.
    #[llm(output_tokens)]
    pub generation_token_count: Option<TokenCount>,
    /// `stop` or `length`.
    #[llm(finish_reason)]
    pub stop_reason: Option<String>,
}
