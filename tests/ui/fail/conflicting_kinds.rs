use bedrock_llm_core::bedrock_model;

#[bedrock_model(request, response)]
pub struct Body {
    #[llm(prompt)]
    pub prompt: String,
}

fn main() {}
