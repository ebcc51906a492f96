use bedrock_llm_core::bedrock_model;

#[bedrock_model(request)]
pub struct Request {
    #[llm(prompt)]
    pub prompt: String,
}

#[bedrock_model(response)]
pub struct Response {
    #[llm(completion)]
    pub completion: String,
}

#[bedrock_model(model, request = Request)]
pub struct MissingParts;

#[bedrock_model(model, ids = ["us.acme.echo-*", "acme.*-v1", "arn:aws:bedrock:us-east-1::foundation-model/acme.echo"], request = Request, response = Response)]
pub struct BadPatterns;

#[bedrock_model(model, ids = ["acme.echo-*"], request = Request, response = Response)]
pub struct NotUnit {
    pub field: u8,
}

fn main() {}
