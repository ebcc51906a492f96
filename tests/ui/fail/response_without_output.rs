use bedrock_llm_core::bedrock_model;

#[bedrock_model(response)]
pub struct Response {
    #[llm(finish_reason)]
    pub stop_reason: Option<String>,
    pub generation: String,
}

fn main() {}
