//! Every item shape the macro accepts: named, tuple and enum bodies, a renamed core crate path,
//! explicit kinds, and an unannotated field the event model ignores.

use bedrock_llm_core as core_renamed;
use bedrock_llm_core::{BedrockModel, ExchangeKind, ModelRequest, ModelResponse, TokenCount, bedrock_model};

#[bedrock_model(request, crate = core_renamed)]
pub struct Prompt(#[llm(prompt)] pub String);

#[bedrock_model(response)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    #[llm(completion)]
    pub output_text: String,
    #[llm(output_tokens)]
    pub token_count: Option<TokenCount>,
    pub ignored_by_events: Option<bool>,
}

#[bedrock_model(part)]
#[serde(untagged)]
pub enum Content {
    Text(#[llm(text)] String),
    Blocks(#[llm(text)] Vec<Block>),
}

#[bedrock_model(part)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Text {
        #[llm(text)]
        text: String,
    },
    #[llm(block = "image")]
    Image {},
    #[llm(block = "unknown_chunk")]
    #[serde(other)]
    Unknown,
}

#[bedrock_model(model, ids = ["acme.prompt-v1", "acme.prompt-v2*"], request = Prompt, response = Completion, kind = "chat")]
pub struct AcmePrompt;

fn main() {
    let request = Prompt::from_body(br#""hello""#).unwrap();
    assert_eq!(request.view().messages[0].content, "hello");
    let response = Completion::from_body(br#"{"outputText": "hi", "tokenCount": 2.0}"#).unwrap();
    assert_eq!(response.view().usage.output_tokens, Some(2));
    assert_eq!(AcmePrompt::KIND, ExchangeKind::Chat);
    assert!(!<Completion as ModelResponse>::HAS_EMBEDDING);
    let _ = Content::Blocks(vec![Block::Text { text: String::new() }, Block::Image {}, Block::Unknown]);
}
