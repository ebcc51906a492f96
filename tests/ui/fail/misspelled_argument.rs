use bedrock_llm_core::bedrock_model;

#[bedrock_model(reqest)]
pub struct Request {
    #[llm(prompt)]
    pub prompt: String,
}

#[bedrock_model(part, famly = "Acme")]
pub struct Part {
    #[llm(text)]
    pub text: String,
}

fn main() {}
