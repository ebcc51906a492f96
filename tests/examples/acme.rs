//! Reads one embedded Acme Echo exchange (no AWS account needed) through the adapter derived in
//! `bedrock_llm_tests::acme` and prints the neutral invocation record it becomes.
//!
//! Run with `cargo run -p bedrock-llm-tests --example acme`.

use bedrock_llm_core::{Invocation, Operation, adapter};
use bedrock_llm_tests::acme::AcmeEcho;

const REQUEST: &str = r#"{
  "system": "You answer in one line.",
  "messages": [{"role": "user", "content": [{"type": "text", "text": "Say hi"}, {"type": "image", "data": "AA=="}]}],
  "generationConfig": {"maxOutputTokens": 64, "temperature": 0.2}
}"#;

const RESPONSE: &str = r#"{"id": 7, "outputs": [{"text": "hi!", "stopReason": "end_turn"}], "usage": {"prompt_tokens": 12.0, "completion_tokens": 2}}"#;

fn main() {
    let mut record = Invocation::new("us.acme.echo-v1:0", Operation::InvokeModel);
    record.read_bodies(
        adapter::<AcmeEcho>(),
        Some(REQUEST.as_bytes()),
        Some(RESPONSE.as_bytes()),
    );
    println!("{record:#?}");
    if let Some((usage, source)) = record.usage() {
        println!(
            "usage from {source:?}: {usage:?}, total {:?}",
            usage.total()
        );
    }
}
