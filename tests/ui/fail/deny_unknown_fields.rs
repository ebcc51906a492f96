use bedrock_llm_core::bedrock_model;

#[bedrock_model(request)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Request {
    #[llm(prompt)]
    pub input_text: String,
}

fn main() {}
