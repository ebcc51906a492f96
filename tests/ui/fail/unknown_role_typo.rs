use bedrock_llm_core::bedrock_model;

#[bedrock_model(request)]
pub struct Request {
    #[llm(promt)]
    pub prompt: String,
    #[llm(temprature)]
    pub temperature: Option<f64>,
}

fn main() {}
