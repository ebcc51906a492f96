use bedrock_llm_core::bedrock_model;

#[bedrock_model(request)]
pub struct Request {
    #[llm(prompt)]
    pub prompt: String,
    #[llm(max_tokens)]
    pub max_tokens: Option<u32>,
    #[llm(max_tokens)]
    pub max_new_tokens: Option<u32>,
    #[llm(temperature, temperature)]
    pub temperature: Option<f64>,
}

fn main() {}
