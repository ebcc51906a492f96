//! DeepSeek-R1 on InvokeModel: a `prompt` in, `choices[{text, stop_reason}]` out. Bedrock's page
//! says R1 returns no separate reasoning block here: its reasoning, when the prompt asks for it
//! (`<think>`), is part of the text, ended by `</think>` — the record splits it off into a
//! reasoning part (`inline_reasoning`). (DeepSeek V3 speaks the OpenAI chat format:
//! [`crate::openai`].)

use bedrock_llm_core::bedrock_model;

/// DeepSeek-R1 (`deepseek.r1-v1:0`, `us.deepseek.r1-v1:0`).
/// Stream chunks have the response's shape, one piece of text each.
#[bedrock_model(
    model,
    family = "DeepSeek-R1",
    ids = ["deepseek.r1*"],
    request = DeepSeekR1Request,
    response = DeepSeekR1Response,
    chunk = DeepSeekR1Response,
    inline_reasoning = true,
)]
#[derive(Debug, Clone, Copy)]
pub struct DeepSeekR1;

/// `{"prompt": …, "temperature"?, "top_p"?, "max_tokens"? (≤ 32,768), "stop"? (≤ 10)}`.
#[bedrock_model(request)]
#[derive(Debug, Clone, PartialEq)]
pub struct DeepSeekR1Request {
    /// The prompt, with the model's chat template applied.
    #[llm(prompt)]
    pub prompt: String,
    /// Temperature.
    #[llm(temperature)]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[llm(top_p)]
    pub top_p: Option<f64>,
    /// Token limit.
    #[llm(max_tokens)]
    pub max_tokens: Option<u64>,
    /// Stop sequences.
    #[llm(stop_sequences)]
    pub stop: Option<Vec<String>>,
}

/// `{"choices": [{"text": …, "stop_reason": "stop" | "length"}]}`.
#[bedrock_model(response)]
#[derive(Debug, Clone, PartialEq)]
pub struct DeepSeekR1Response {
    /// One output message per choice.
    #[llm(choices)]
    pub choices: Vec<DeepSeekR1Choice>,
}

/// One choice.
#[bedrock_model(part)]
#[derive(Debug, Clone, PartialEq)]
pub struct DeepSeekR1Choice {
    /// The generated text.
    #[llm(completion)]
    pub text: String,
    /// `stop` or `length`.
    #[llm(finish_reason)]
    pub stop_reason: Option<String>,
}
