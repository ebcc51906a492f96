use bedrock_llm_core::bedrock_model;

#[bedrock_model(request)]
pub struct Request {
    #[llm(prompt)]
    pub prompt: String,
    #[llm(finish_reason)]
    pub stop_reason: Option<String>,
}

#[bedrock_model(response)]
pub struct Response {
    #[llm(completion)]
    pub completion: String,
    #[llm(temperature)]
    pub temperature: Option<f64>,
}

fn main() {}
