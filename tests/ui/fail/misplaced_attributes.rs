use bedrock_llm_core::bedrock_model;

#[bedrock_model(part)]
#[serde(tag = "type")]
pub enum Block {
    #[llm(text)]
    Text { text: String },
    #[llm(block = "Tool Use")]
    ToolUse {
        #[llm(block = "name")]
        name: String,
    },
}

#[bedrock_model(request)]
pub struct Generic<T> {
    #[llm(prompt)]
    pub prompt: T,
}

fn main() {}
