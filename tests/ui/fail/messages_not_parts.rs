use bedrock_llm_core::bedrock_model;

#[bedrock_model(request)]
pub struct Request {
    #[llm(messages)]
    pub messages: Vec<String>,
}

fn main() {}
