use bedrock_llm_core::bedrock_model;

/// A serde type that was not annotated with `#[bedrock_model(part)]`.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Config {
    pub temperature: f64,
}

#[bedrock_model(request)]
pub struct Request {
    #[llm(prompt)]
    pub prompt: String,
    #[llm(nested)]
    pub config: Config,
}

fn main() {}
