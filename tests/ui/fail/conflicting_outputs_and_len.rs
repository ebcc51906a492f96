use bedrock_llm_core::bedrock_model;

#[bedrock_model(response)]
pub struct Response {
    #[llm(completion)]
    pub text: String,
    #[llm(embedding)]
    pub embedding: Vec<f32>,
    #[llm(response_id, len)]
    pub id: String,
}

fn main() {}
