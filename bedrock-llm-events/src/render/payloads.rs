//! Keeping generated images out of every rendering: a body's base64 payloads are replaced by
//! their decoded size and a hash before a body is written anywhere.
//!
//! Family-neutral by rule rather than by field: a JSON string of at least [`MIN_PAYLOAD`]
//! characters, all from the base64 alphabet, is a payload. No prose or JSON text is that long
//! without a space or punctuation outside the alphabet.

use serde_json::Value;

/// The shortest string taken for a payload.
pub const MIN_PAYLOAD: usize = 256;

/// Replaces every payload in `value` with `<base64 N bytes sha1:…>`; returns how many.
pub fn scrub(value: &mut Value) -> usize {
    match value {
        Value::String(text) if is_payload(text) => {
            let bytes = bedrock_llm_core::ImageStats::decoded_len(text);
            let hash = sha1_smol::Sha1::from(text.as_bytes()).digest();
            *text = format!("<base64 {bytes} bytes sha1:{hash}>");
            1
        }
        Value::Array(items) => items.iter_mut().map(scrub).sum(),
        Value::Object(fields) => fields.values_mut().map(scrub).sum(),
        _ => 0,
    }
}

/// `body` with its payloads scrubbed, when it is JSON and holds any; else `None` (use it as is).
pub fn scrub_body(body: &[u8]) -> Option<Vec<u8>> {
    let mut value: Value = serde_json::from_slice(body).ok()?;
    (scrub(&mut value) > 0)
        .then(|| serde_json::to_vec(&value).ok())
        .flatten()
}

fn is_payload(text: &str) -> bool {
    text.len() >= MIN_PAYLOAD
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\n' | b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn payloads_become_their_size_and_hash_and_text_stays() {
        let image = "iVBORw0KGgo".repeat(40);
        let mut body = json!({
            "images": [image.clone(), image],
            "prompt": "a lighthouse at dusk, oil on canvas",
            "seeds": [42],
            "nested": {"artifacts": [{"base64": "QUJD".repeat(100), "finishReason": "SUCCESS"}]},
            "words": "word ".repeat(100),
        });
        assert_eq!(scrub(&mut body), 3);
        let text = body.to_string();
        assert!(!text.contains("iVBORw0KGgo"), "{text}");
        assert!(!text.contains("QUJDQUJD"), "{text}");
        assert_eq!(body["images"][0], body["images"][1]);
        assert!(
            body["images"][0]
                .as_str()
                .unwrap()
                .starts_with("<base64 330 bytes sha1:")
        );
        assert_eq!(body["prompt"], "a lighthouse at dusk, oil on canvas");
        assert_eq!(body["nested"]["artifacts"][0]["finishReason"], "SUCCESS");
        assert_eq!(body["words"], "word ".repeat(100));
    }

    #[test]
    fn a_body_without_payloads_is_left_alone() {
        assert_eq!(scrub_body(br#"{"prompt": "short"}"#), None);
        assert_eq!(scrub_body(b"not json"), None);
    }
}
