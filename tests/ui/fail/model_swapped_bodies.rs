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

#[bedrock_model(model, ids = ["acme.echo-*"], request = Response, response = Request)]
pub struct Swapped;

fn main() {}
