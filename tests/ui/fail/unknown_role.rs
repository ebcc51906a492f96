use bedrock_llm_core::bedrock_model;

#[bedrock_model(request)]
pub struct Request {
    #[llm(prompt, banana)]
    pub prompt: String,
}

fn main() {}
