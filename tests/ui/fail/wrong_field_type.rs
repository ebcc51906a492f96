use bedrock_llm_core::bedrock_model;

#[bedrock_model(request)]
pub struct Request {
    #[llm(prompt)]
    pub prompt: u64,
    #[llm(temperature)]
    pub temperature: Option<String>,
}

fn main() {}
