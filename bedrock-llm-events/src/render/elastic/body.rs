//! The bodies as Elastic's pipeline keeps them: re-serialised with sorted keys (as real JSON,
//! where Elastic's own writer leaves strings unescaped), renamed to snake_case by the
//! pipeline's table, stream elements that are not objects wrapped, the request's content kinds,
//! and empty values dropped.

use serde_json::{Value, json};

/// Bedrock's keys Elastic's pipeline renames wherever they appear under the record (the table
/// of its `painless_to_rename_fields_under_aws_bedrock_groups` script); others stay as written.
pub(super) const RENAMES: &[(&str, &str)] = &[
    ("modelId", "model_id"),
    ("inputBodyJson", "input_body_json"),
    ("inputContentType", "input_content_type"),
    ("inputTokenCount", "input_token_count"),
    ("outputBodyJson", "output_body_json"),
    ("outputContentType", "output_content_type"),
    ("outputTokenCount", "output_token_count"),
    ("requestId", "request_id"),
    ("schemaType", "schema_type"),
    ("schemaVersion", "schema_version"),
    ("errorCode", "error_code"),
    ("imageGenerationConfig", "image_generation_config"),
    ("cfgScale", "cfg_scale"),
    ("numberOfImages", "number_of_images"),
    ("imageVariationParams", "image_variation_params"),
    ("inputBodyS3Path", "input_body_s3_path"),
    ("outputBodyS3Path", "output_body_s3_path"),
    ("taskType", "task_type"),
    ("finishReason", "finish_reason"),
    (
        "amazon-bedrock-invocationMetrics",
        "amazon_bedrock_invocation_metrics",
    ),
    ("firstByteLatency", "first_byte_latency"),
    ("invocationLatency", "invocation_latency"),
    (
        "amazon-bedrock-guardrailAction",
        "amazon_bedrock_guardrail_action",
    ),
    ("amazon-bedrock-trace", "amazon_bedrock_trace"),
    ("contentPolicy", "content_policy"),
    ("wordPolicy", "word_policy"),
    ("topicPolicy", "topic_policy"),
    ("customWords", "custom_words"),
    ("sensitiveInformationPolicy", "sensitive_information_policy"),
    ("contextualGroundingPolicy", "contextual_grounding_policy"),
    ("invocationMetrics", "invocation_metrics"),
    ("guardrailCoverage", "guardrail_coverage"),
    ("textCharacters", "text_characters"),
    ("guardrailProcessingLatency", "guardrail_processing_latency"),
    ("contentPolicyUnits", "content_policy_units"),
    (
        "contextualGroundingPolicyUnits",
        "contextual_grounding_policy_units",
    ),
    (
        "sensitiveInformationPolicyFreeUnits",
        "sensitive_information_policy_free_units",
    ),
    (
        "sensitiveInformationPolicyUnits",
        "sensitive_information_policy_units",
    ),
    ("topicPolicyUnits", "topic_policy_units"),
    ("wordPolicyUnits", "word_policy_units"),
    ("piiEntities", "pii_entities"),
    ("normalizeIndex", "normalize_index"),
    ("latencyMs", "latency_ms"),
    ("stopReason", "stop_reason"),
];

/// What Elastic's table renames `key` to, if anything.
pub(super) fn renamed(key: &str) -> Option<&'static str> {
    // Every key the table renames has a capital or a hyphen; most keys have neither, and skip
    // the search.
    if !key.bytes().any(|b| b.is_ascii_uppercase() || b == b'-') {
        return None;
    }
    RENAMES
        .iter()
        .find(|(from, _)| *from == key)
        .map(|(_, to)| *to)
}

/// [`rename_keys`] on a value of one's own: members move rather than copy.
pub(super) fn rename_keys_owned(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, member)| {
                    let key = renamed(&key).map_or(key, str::to_owned);
                    (key, rename_keys_owned(member))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(rename_keys_owned).collect()),
        other => other,
    }
}

/// `value` with every key in Elastic's table renamed, at any depth.
pub fn rename_keys(value: &Value) -> Value {
    rename_keys_owned(value.clone())
}

/// `value` as JSON with every object's keys sorted (what Elastic's pipeline writes to
/// `gen_ai.prompt`/`gen_ai.completion`), strings properly escaped. Sorted here rather than
/// trusting `serde_json::Map`'s order, which a dependency's `preserve_order` would change.
pub fn sorted_json(value: &Value) -> String {
    sorted_json_sized(value, 256)
}

/// [`sorted_json`] into a buffer of `capacity` bytes to start with (a body's own length is a
/// good guess).
pub(super) fn sorted_json_sized(value: &Value, capacity: usize) -> String {
    let mut out = Vec::with_capacity(capacity);
    write_sorted(&mut out, value);
    // serde_json writes only UTF-8, and the punctuation added here is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// Writes `value` onto `out`: keys and scalars through serde_json's writer (escaped, no
/// allocation), each object's members in key order.
fn write_sorted(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            // Already in order unless serde_json's `preserve_order` is on somewhere.
            if !members.is_sorted_by(|a, b| a.0 <= b.0) {
                members.sort_unstable_by(|a, b| a.0.cmp(b.0));
            }
            out.push(b'{');
            for (at, (key, member)) in members.into_iter().enumerate() {
                if at != 0 {
                    out.push(b',');
                }
                crate::render::json_text::write_str(out, key);
                out.push(b':');
                write_sorted(out, member);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (at, item) in items.iter().enumerate() {
                if at != 0 {
                    out.push(b',');
                }
                write_sorted(out, item);
            }
            out.push(b']');
        }
        Value::String(text) => crate::render::json_text::write_str(out, text),
        scalar => write_scalar(out, scalar),
    }
}

fn write_scalar<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing into a Vec cannot fail, and a string or number always serializes.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// A streamed response's elements that are not objects (a closing `"[DONE]"`) put under a
/// `value` key, as Elastic does, so the list stays a list of objects.
pub(super) fn wrap_scalars(body: Value) -> Value {
    match body {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| match item {
                    Value::Object(_) => item,
                    scalar => json!({ "value": scalar }),
                })
                .collect(),
        ),
        other => other,
    }
}

/// The distinct kinds of content in the request's `messages`: `text`, `document/<format>`, in
/// the order first seen (Elastic's set has Java's hash order, which nothing relies on).
pub(super) fn content_kinds(request: &Value) -> Option<Value> {
    let messages = request.get("messages")?.as_array()?;
    let mut kinds: Vec<String> = Vec::new();
    for message in messages {
        let Some(items) = message.get("content").and_then(Value::as_array) else {
            continue;
        };
        for item in items.iter().filter_map(Value::as_object) {
            let kind = if item.contains_key("text") {
                "text".to_owned()
            } else if let Some(document) = item.get("document") {
                match document.get("format") {
                    Some(Value::String(format)) => format!("document/{format}"),
                    Some(other) => format!("document/{other}"),
                    None => "document".to_owned(),
                }
            } else {
                continue;
            };
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    (!kinds.is_empty()).then(|| json!(kinds))
}

/// The answering role as the body spells it: a stream's first `message` with an id (Claude's
/// `message_start`), or a Converse body's `output.message.role`.
pub(super) fn response_role(response: &Value) -> Option<&str> {
    match response {
        Value::Array(chunks) => chunks.iter().find_map(|chunk| {
            let message = chunk.get("message")?;
            message.get("id").filter(|id| !id.is_null())?;
            message.get("role")?.as_str()
        }),
        Value::Object(_) => response
            .get("output")?
            .get("message")?
            .get("role")?
            .as_str(),
        _ => None,
    }
}

/// Removes nulls, empty strings, empty objects and empty arrays at any depth — inside the
/// bodies too — as Elastic's pipeline leaves no empty values (`"stop_reason": null` and
/// `"content": []` of a stream's first chunk are not in its documents either).
pub(super) fn drop_empty(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for member in map.values_mut() {
                drop_empty(member);
            }
            map.retain(|_, member| !is_empty(member));
        }
        Value::Array(items) => items.iter_mut().for_each(drop_empty),
        _ => {}
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}
