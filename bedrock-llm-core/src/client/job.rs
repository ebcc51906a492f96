//! Jobs (`StartAsyncInvoke`: video generation, video embeddings): a model's request body as
//! the SDK's `modelInput` document, and
//! [`Client::start_async_invoke`](super::Client::start_async_invoke).

use aws_sdk_bedrockruntime::operation::start_async_invoke::builders::StartAsyncInvokeFluentBuilder;
use aws_smithy_types::{Document, Number};

use super::Client;

impl Client {
    /// The SDK's `StartAsyncInvoke` builder on the recording client: send it as usual and the
    /// job is recorded (its `modelInput` read by the model's family, its ARN as the response
    /// id). The output and errors are the SDK's own. Build `modelInput` from a family's request
    /// bytes with [`model_input`].
    pub fn start_async_invoke(&self) -> StartAsyncInvokeFluentBuilder {
        self.recorded.start_async_invoke()
    }
}

/// A family's JSON request body as the SDK's `modelInput` document.
///
/// # Errors
/// The body is not JSON.
pub fn model_input(body: &[u8]) -> Result<Document, serde_json::Error> {
    serde_json::from_slice::<serde_json::Value>(body).map(|value| document(&value))
}

fn document(value: &serde_json::Value) -> Document {
    use serde_json::Value;
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Number::PosInt(u),
            (None, Some(i), _) => Number::NegInt(i),
            (None, None, f) => Number::Float(f.unwrap_or_default()),
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(items) => Document::Array(items.iter().map(document).collect()),
        Value::Object(map) => Document::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), document(value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_become_documents_that_serialize_back_to_the_same_json() {
        let body = br#"{"taskType":"TEXT_VIDEO","textToVideoParams":{"text":"a kite"},"videoGenerationConfig":{"durationSeconds":6,"fps":24,"seed":-1,"ratio":0.5,"loop":false,"none":null,"list":[1,"two"]}}"#;
        let document = model_input(body).unwrap();
        let back = super::super::converse::document_json(&document);
        let expected: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&back).unwrap(),
            expected
        );
        assert!(model_input(b"{not json").is_err());
    }
}
