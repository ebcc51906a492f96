//! Elastic documents: one `aws_bedrock.invocation` document per invocation, field for field what
//! the ingest pipeline of Elastic's Amazon Bedrock integration (package 1.8.0) makes of the
//! invocation-log record, with its defects corrected (`docs/elastic.md` lists every difference).
//! Runtime documents are [`RuntimeMetrics::elastic`](crate::RuntimeMetrics::elastic).
//!
//! The `gen_ai.*` and ECS fields come from the neutral record, so a live call and its replayed
//! log give the same document; `aws_bedrock.invocation.*` is the record itself with its keys in
//! snake_case, the bodies as logged.

mod body;
mod guardrail;

use bedrock_llm_core::Invocation;
use serde_json::{Map, Value, json};

use crate::config::Config;

pub use body::{rename_keys, sorted_json};

/// The data stream invocation documents go to, before its namespace.
pub const INVOCATION_DATASET: &str = "aws_bedrock.invocation";
/// The data stream runtime documents go to, before its namespace.
pub const RUNTIME_DATASET: &str = "aws_bedrock.runtime";
/// The namespace unless told otherwise.
pub const DEFAULT_NAMESPACE: &str = "default";
/// The ECS version Elastic's pipeline stamps.
pub const ECS_VERSION: &str = "8.11.0";
/// The longest text Elastic keeps in a keyword field; longer bodies are replaced by a hash.
pub const MAX_KEYWORD: usize = 32_766;

/// Who made the call, as the invocation log says (replay) or the SDK's configuration knows
/// (live).
#[derive(Debug, Clone, Copy, Default)]
pub struct Caller<'a> {
    /// The account.
    pub account_id: Option<&'a str>,
    /// The Region (else the record's).
    pub region: Option<&'a str>,
    /// The caller's ARN.
    pub identity_arn: Option<&'a str>,
}

/// The bodies as logged: JSON request and response (a streamed response is its list of chunks).
#[derive(Debug, Clone, Copy, Default)]
pub struct Bodies<'a> {
    /// The request body.
    pub request: Option<&'a [u8]>,
    /// The response body, or the stream's chunks as a JSON array.
    pub response: Option<&'a [u8]>,
}

/// The `logs-aws_bedrock.invocation-<namespace>` document for `invocation`. Bodies (and the
/// prompt, completion and completion text drawn from them) are left out when `config` records
/// no content.
pub fn invocation_document(
    invocation: &Invocation,
    caller: &Caller<'_>,
    bodies: &Bodies<'_>,
    config: &Config,
    namespace: &str,
) -> Value {
    let content = config.record_content;
    let request = bodies
        .request
        .filter(|_| content)
        .and_then(|b| serde_json::from_slice::<Value>(b).ok());
    let mut response = bodies
        .response
        .filter(|_| content)
        .and_then(|b| serde_json::from_slice::<Value>(b).ok());
    let mut request = request;
    if invocation
        .kind
        .is_some_and(bedrock_llm_core::ExchangeKind::is_media_generation)
    {
        // Generated (and input) images never enter a document: size and hash only.
        for body in [&mut request, &mut response].into_iter().flatten() {
            crate::render::payloads::scrub(body);
        }
    }
    let timestamp = iso_millis(invocation.timing.started_at_ms);
    // The record's counts, as Elastic reads them (a replayed record's, or a stream's metrics),
    // else the body's or the headers'.
    let usage = invocation.usage().map(|(usage, _)| usage);
    let logged = invocation.stream_metrics.as_ref();
    let input_tokens = logged
        .and_then(|m| m.input_tokens)
        .or(usage.and_then(|u| u.input_tokens));
    let output_tokens = logged
        .and_then(|m| m.output_tokens)
        .or(usage.and_then(|u| u.output_tokens));

    let mut doc = Map::new();
    doc.insert("@timestamp".into(), json!(timestamp));
    doc.insert(
        "data_stream".into(),
        json!({"type": "logs", "dataset": INVOCATION_DATASET, "namespace": namespace}),
    );
    doc.insert("ecs".into(), json!({"version": ECS_VERSION}));
    let mut event = json!({
        "action": invocation.operation.as_str(),
        "dataset": INVOCATION_DATASET,
        "kind": "event",
        "outcome": "success",
    });
    let mut cloud = json!({"provider": "aws", "service": {"name": "bedrock"}});
    if let Some(account) = caller.account_id {
        cloud["account"] = json!({"id": account});
    }
    if let Some(region) = caller.region.or(invocation.region.as_deref()) {
        cloud["region"] = json!(region);
    }
    doc.insert("cloud".into(), cloud);
    if let Some(arn) = caller.identity_arn {
        doc.insert("user".into(), json!({"id": arn}));
    }

    let mut gen_ai = json!({
        "system": "aws",
        "request": {"model": {"id": invocation.model_id}},
        "response": {"timestamp": timestamp},
        "usage": {},
        "performance": {"request_size": 0, "response_size": 0},
    });
    if let Some(arn) = caller.identity_arn {
        gen_ai["user"] = json!({"id": arn});
    }
    fill_request(&mut gen_ai, invocation, request.as_ref());
    fill_response(&mut gen_ai, invocation, response.as_ref());
    if let Some(tokens) = input_tokens {
        gen_ai["usage"]["prompt_tokens"] = json!(tokens);
    }
    if let Some(tokens) = output_tokens {
        gen_ai["usage"]["completion_tokens"] = json!(tokens);
    }
    if let Some(error) = &invocation.error {
        gen_ai["response"]["error_code"] = json!(error.code);
        event["outcome"] = json!("failure");
    }
    if guardrail::fill(&mut gen_ai, invocation) {
        event["outcome"] = json!("failure");
    }

    // The record, snake_case, with the bodies as logged.
    let mut record = json!({
        "schema_type": "ModelInvocationLog",
        "schema_version": "1.0",
        "model_id": invocation.model_id,
        "input": {},
        "output": {},
    });
    if let Some(id) = &invocation.request_id {
        record["request_id"] = json!(id);
    }
    if let Some(error) = &invocation.error {
        record["error_code"] = json!(error.code);
    }
    if let Some(tokens) = input_tokens {
        record["input"]["input_token_count"] = json!(tokens);
    }
    if let Some(tokens) = output_tokens {
        record["output"]["output_token_count"] = json!(tokens);
    }
    if let Some(kinds) = request.as_ref().and_then(body::content_kinds) {
        record["input"]["messages_content_kinds"] = kinds;
    }
    if let Some(request) = request {
        record["input"]["input_content_type"] = json!("application/json");
        let text = sorted_json(&request);
        attach_body(
            &mut gen_ai,
            &mut record["input"],
            "prompt",
            "request_size",
            "input",
            text,
        );
        if record["input"]
            .get("input_body_json_massive_hash")
            .is_none()
        {
            record["input"]["input_body_json"] = body::rename_keys_owned(request);
        }
    }
    if let Some(response) = response {
        record["output"]["output_content_type"] = json!("application/json");
        let text = sorted_json(&response);
        attach_body(
            &mut gen_ai,
            &mut record["output"],
            "completion",
            "response_size",
            "output",
            text,
        );
        if record["output"]
            .get("output_body_json_massive_hash")
            .is_none()
        {
            record["output"]["output_body_json"] =
                body::wrap_scalars(body::rename_keys_owned(response));
        }
    }
    if content && let Some(text) = completion_text(invocation) {
        record["output"]["completion_text"] = json!(text);
    }
    // A video job's output, as the log's `outputVideo` in the record's snake_case: its shape
    // and where it went (a location, not content).
    if let Some(video) = invocation.response.as_ref().and_then(|r| r.videos.as_ref()) {
        record["output"]["output_video"] = json!({
            "count": video.count,
            "s3_path": video.location,
            "duration_seconds": video.duration_seconds,
            "frames_per_second": video.fps,
            "width": video.width,
            "height": video.height,
        });
    }
    if let Some(outcome) = config.cost_of(invocation) {
        use crate::cost::facts::{ELASTIC, cost_facts};
        use crate::kind_facts::Fact;
        let cost: Map<String, Value> = cost_facts(&outcome, &ELASTIC)
            .into_iter()
            .map(|(key, fact)| {
                let value = match fact {
                    Fact::Int(value) => json!(value),
                    Fact::Float(value) => json!(value),
                    Fact::Str(value) => json!(value),
                    Fact::Shared(value) => json!(&*value),
                };
                (key.to_owned(), value)
            })
            .collect();
        if !cost.is_empty() {
            record["cost"] = Value::Object(cost);
        }
    }
    doc.insert("event".into(), event);
    doc.insert("gen_ai".into(), gen_ai);
    doc.insert("aws_bedrock".into(), json!({"invocation": record}));
    let mut doc = Value::Object(doc);
    body::drop_empty(&mut doc);
    doc
}

/// `gen_ai.prompt` / `gen_ai.completion` and their size; a body over [`MAX_KEYWORD`]
/// characters is replaced by its SHA-1, as Elastic does (the size stays).
fn attach_body(
    gen_ai: &mut Value,
    record_part: &mut Value,
    field: &str,
    size_field: &str,
    side: &str,
    text: String,
) {
    let length = text.encode_utf16().count();
    gen_ai["performance"][size_field] = json!(length);
    if length > MAX_KEYWORD {
        let hash = sha1_smol::Sha1::from(text.as_bytes()).digest().to_string();
        record_part[format!("{side}_body_json_massive_hash")] = json!(hash);
    } else {
        gen_ai[field] = json!(text);
    }
}

/// `gen_ai.request.*`: model type and version, parameters.
fn fill_request(gen_ai: &mut Value, invocation: &Invocation, request: Option<&Value>) {
    // Elastic takes the text before the first `.`: `us` for a profile ID, a piece of an ARN.
    // The provider is what that means.
    let provider = invocation
        .parsed_model_id
        .as_ref()
        .and_then(|id| id.provider())
        .map(str::to_owned);
    if let Some(provider) = &provider {
        gen_ai["request"]["model"]["type"] = json!(provider);
        if let Some(version) = request.and_then(|r| r.get(format!("{provider}_version"))) {
            gen_ai["request"]["model"]["version"] = version.clone();
        }
    }
    if let Some(id) = &invocation.request_id {
        gen_ai["request"]["id"] = json!(id);
    }
    let Some(view) = &invocation.request else {
        return;
    };
    let params = &view.params;
    if let Some(max) = params.max_tokens {
        gen_ai["request"]["max_tokens"] = json!(max);
    }
    if let Some(t) = params.temperature {
        gen_ai["request"]["temperature"] = json!(t);
    }
    if let Some(k) = params.top_k {
        gen_ai["request"]["top_k"] = json!(k as f64);
    }
    if let Some(p) = params.top_p {
        gen_ai["request"]["top_p"] = json!(p);
    }
}

/// `gen_ai.response.*` and `gen_ai.performance.*` latencies.
fn fill_response(gen_ai: &mut Value, invocation: &Invocation, response: Option<&Value>) {
    if let Some(view) = &invocation.response {
        if let Some(id) = &view.response_id {
            gen_ai["response"]["id"] = json!(id);
        }
        let reason = view
            .finish_reason
            .as_ref()
            .or_else(|| view.messages.iter().find_map(|m| m.finish_reason.as_ref()));
        if let Some(reason) = reason {
            gen_ai["response"]["finish_reasons"] = json!(reason.raw);
        }
        if let Some(message) = view.messages.first() {
            gen_ai["request"]["model"]["role"] = json!(message.role.as_str());
        }
    }
    // The role as the body spells it, where it says one (Elastic copies it verbatim).
    if let Some(role) = response.and_then(body::response_role) {
        gen_ai["request"]["model"]["role"] = json!(role);
    }
    // A stream's metrics chunk, else the headers or a Converse body's `metrics.latencyMs`.
    let stream = invocation.stream_metrics.as_ref();
    let header = &invocation.header_metrics;
    let latency = stream
        .and_then(|m| m.invocation_latency_ms)
        .or(header.invocation_latency_ms);
    if let Some(latency) = latency {
        gen_ai["performance"]["response_time"] = json!(latency);
    }
    let first_byte = stream
        .and_then(|m| m.first_byte_latency_ms)
        .or(header.first_byte_latency_ms);
    if let Some(first) = first_byte {
        gen_ai["performance"]["start_response_time"] = json!(first);
    }
}

/// The answer's text: every text part of the response's messages, in order (tool calls and
/// placeholders left out).
fn completion_text(invocation: &Invocation) -> Option<String> {
    let view = invocation.response.as_ref()?;
    let mut text = String::new();
    for message in &view.messages {
        if message.parts.is_empty() {
            text.push_str(&message.content);
        } else {
            for part in &message.parts {
                if let bedrock_llm_core::Part::Text { content } = part {
                    text.push_str(content);
                }
            }
        }
    }
    (!text.is_empty()).then(|| truncate_utf16(text, MAX_KEYWORD))
}

fn truncate_utf16(text: String, units: usize) -> String {
    if text.encode_utf16().count() <= units {
        return text;
    }
    let mut taken = 0;
    text.chars()
        .take_while(|c| {
            taken += c.len_utf16();
            taken <= units
        })
        .collect()
}

/// Milliseconds since the epoch as `2024-04-18T22:54:57.000Z`, the form Elastic stores.
pub fn iso_millis(ms: u64) -> String {
    let seconds = bedrock_llm_core::timestamp_text(ms);
    let stem = seconds.strip_suffix('Z').unwrap_or(&seconds);
    format!("{stem}.{:03}Z", ms % 1000)
}

#[cfg(test)]
mod tests;
