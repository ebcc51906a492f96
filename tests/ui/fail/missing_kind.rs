use bedrock_llm_core::bedrock_model;

#[bedrock_model]
pub struct Request {
    #[llm(prompt)]
    pub prompt: String,
}

fn main() {
    // The struct is still emitted, so using it compiles.
    let _ = Request { prompt: String::new() };
}
