//! Elastic documents: one `aws_bedrock.invocation` document per invocation, field for field what
//! the ingest pipeline of Elastic's Amazon Bedrock integration (package 1.8.0) makes of the
//! invocation-log record, with its defects corrected (`docs/elastic.md` lists every difference).
//! Runtime documents are [`RuntimeMetrics::elastic`](crate::RuntimeMetrics::elastic).
//!
//! The `gen_ai.*` and ECS fields come from the neutral record, so a live call and its replayed
//! log give the same document; `aws_bedrock.invocation.*` is the record itself with its keys in
//! snake_case, the bodies as logged. The fields are gathered once as a tree of borrowed parts
//! (`tree`), then written as JSON text ([`write_invocation_document`], what the destinations
//! send) or built as a value ([`invocation_document`]).

mod body;
mod guardrail;
mod tree;

use bedrock_llm_core::Invocation;
use serde_json::Value;

use crate::config::Config;
use tree::{Keys, Node, Object};

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
    let parsed = Parsed::read(invocation, bodies, config);
    let mut document = document(invocation, caller, &parsed, config, namespace).into_value();
    body::drop_empty(&mut document);
    document
}

/// [`invocation_document`] written straight onto `out` as the JSON text serde_json writes for
/// it, without building the value.
pub fn write_invocation_document(
    out: &mut Vec<u8>,
    invocation: &Invocation,
    caller: &Caller<'_>,
    bodies: &Bodies<'_>,
    config: &Config,
    namespace: &str,
) {
    let parsed = Parsed::read(invocation, bodies, config);
    document(invocation, caller, &parsed, config, namespace).write(out);
}

/// [`write_invocation_document`]'s text as a `String`, what a line or a bulk request carries.
pub fn invocation_document_json(
    invocation: &Invocation,
    caller: &Caller<'_>,
    bodies: &Bodies<'_>,
    config: &Config,
    namespace: &str,
) -> String {
    // Each body appears twice (as escaped text and as JSON) beside some 1.5 KB of fields.
    let body_bytes = [bodies.request, bodies.response]
        .into_iter()
        .flatten()
        .filter(|_| config.record_content)
        .map(<[u8]>::len)
        .sum::<usize>();
    let mut out = Vec::with_capacity(1536 + body_bytes * 5 / 2);
    write_invocation_document(&mut out, invocation, caller, bodies, config, namespace);
    // Only `str`s and serde_json's ASCII numbers and punctuation are written.
    String::from_utf8(out)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// The bodies parsed, when content is recorded, with generated images scrubbed.
struct Parsed {
    request: Option<Value>,
    response: Option<Value>,
    /// The longer body's length in bytes, to size the texts written from them.
    longest: usize,
}

impl Parsed {
    fn read(invocation: &Invocation, bodies: &Bodies<'_>, config: &Config) -> Self {
        let parse = |body: Option<&[u8]>| {
            body.filter(|_| config.record_content)
                .and_then(|b| serde_json::from_slice::<Value>(b).ok())
        };
        let mut parsed = Self {
            request: parse(bodies.request),
            response: parse(bodies.response),
            longest: bodies
                .request
                .map_or(0, <[u8]>::len)
                .max(bodies.response.map_or(0, <[u8]>::len)),
        };
        if invocation
            .kind
            .is_some_and(bedrock_llm_core::ExchangeKind::is_media_generation)
        {
            // Generated (and input) images never enter a document: size and hash only.
            for body in [&mut parsed.request, &mut parsed.response]
                .into_iter()
                .flatten()
            {
                crate::render::payloads::scrub(body);
            }
        }
        parsed
    }
}

/// The document's fields, to be written or turned into a value.
fn document<'a>(
    invocation: &'a Invocation,
    caller: &Caller<'a>,
    parsed: &'a Parsed,
    config: &Config,
    namespace: &'a str,
) -> Object<'a> {
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
    let (request, response) = (parsed.request.as_ref(), parsed.response.as_ref());

    let mut gen_ai = Object::new();
    gen_ai.set("system", Node::Str("aws"));
    gen_ai.set(
        "request",
        Node::Object(gen_ai_request(invocation, request, response)),
    );
    let mut answer = Object::new();
    answer.set("timestamp", Node::Text(timestamp.clone()));
    let mut usage = Object::new();
    usage.set_some("prompt_tokens", input_tokens.map(Node::Int));
    usage.set_some("completion_tokens", output_tokens.map(Node::Int));
    let mut performance = performance(invocation);
    if let Some(arn) = caller.identity_arn {
        gen_ai.set("user", id(arn));
    }
    let mut record = Object::new();
    record.set("schema_type", Node::Str("ModelInvocationLog"));
    record.set("schema_version", Node::Str("1.0"));
    record.set("model_id", Node::Str(&invocation.model_id));
    record.set_some(
        "request_id",
        invocation.request_id.as_deref().map(Node::Str),
    );
    let mut failed = guardrail::fill(&mut gen_ai, invocation);
    if let Some(error) = &invocation.error {
        answer.set("error_code", Node::Str(&error.code));
        record.set("error_code", Node::Str(&error.code));
        failed = true;
    }
    fill_answer(&mut answer, invocation);

    let mut input = Object::new();
    input.set_some("input_token_count", input_tokens.map(Node::Int));
    if let Some(request) = request {
        input.set_some(
            "messages_content_kinds",
            body::content_kinds(request).map(Node::Value),
        );
        input.set("input_content_type", Node::Str("application/json"));
        let size = attach_body(
            &mut gen_ai,
            &mut input,
            Side::Input,
            request,
            parsed.longest,
        );
        performance.set("request_size", Node::Int(size));
    }
    let mut output = Object::new();
    output.set_some("output_token_count", output_tokens.map(Node::Int));
    if let Some(response) = response {
        output.set("output_content_type", Node::Str("application/json"));
        let size = attach_body(
            &mut gen_ai,
            &mut output,
            Side::Output,
            response,
            parsed.longest,
        );
        performance.set("response_size", Node::Int(size));
    }
    if config.record_content {
        output.set_some(
            "completion_text",
            completion_text(invocation).map(Node::Text),
        );
    }
    output.set_some("output_video", output_video(invocation).map(Node::Object));
    record.set("input", Node::Object(input));
    record.set("output", Node::Object(output));
    record.set_some("cost", cost(invocation, config).map(Node::Object));
    gen_ai.set("response", Node::Object(answer));
    gen_ai.set("usage", Node::Object(usage));
    gen_ai.set("performance", Node::Object(performance));

    let mut event = Object::new();
    event.set("action", Node::Str(invocation.operation.as_str()));
    event.set("dataset", Node::Str(INVOCATION_DATASET));
    event.set("kind", Node::Str("event"));
    event.set(
        "outcome",
        Node::Str(if failed { "failure" } else { "success" }),
    );
    let mut cloud = Object::new();
    cloud.set("provider", Node::Str("aws"));
    let mut service = Object::new();
    service.set("name", Node::Str("bedrock"));
    cloud.set("service", Node::Object(service));
    if let Some(account) = caller.account_id {
        cloud.set("account", id(account));
    }
    cloud.set_some(
        "region",
        caller
            .region
            .or(invocation.region.as_deref())
            .map(Node::Str),
    );
    let mut data_stream = Object::new();
    data_stream.set("type", Node::Str("logs"));
    data_stream.set("dataset", Node::Str(INVOCATION_DATASET));
    data_stream.set("namespace", Node::Str(namespace));
    let mut ecs = Object::new();
    ecs.set("version", Node::Str(ECS_VERSION));
    let mut aws_bedrock = Object::new();
    aws_bedrock.set("invocation", Node::Object(record));

    let mut document = Object::new();
    document.set("@timestamp", Node::Text(timestamp));
    document.set("data_stream", Node::Object(data_stream));
    document.set("ecs", Node::Object(ecs));
    document.set("cloud", Node::Object(cloud));
    if let Some(arn) = caller.identity_arn {
        document.set("user", id(arn));
    }
    document.set("event", Node::Object(event));
    document.set("gen_ai", Node::Object(gen_ai));
    document.set("aws_bedrock", Node::Object(aws_bedrock));
    document
}

/// `{"id": id}`.
fn id(id: &str) -> Node<'_> {
    let mut object = Object::new();
    object.set("id", Node::Str(id));
    Node::Object(object)
}

/// Which body: the request's or the response's.
#[derive(Clone, Copy)]
enum Side {
    Input,
    Output,
}

/// `gen_ai.prompt` / `gen_ai.completion` and the body under the record's side; a body over
/// [`MAX_KEYWORD`] characters is replaced by its SHA-1, as Elastic does. Returns its size.
fn attach_body<'a>(
    gen_ai: &mut Object<'a>,
    record_part: &mut Object<'a>,
    side: Side,
    body: &'a Value,
    capacity: usize,
) -> u64 {
    let text = body::sorted_json_sized(body, capacity);
    let length = utf16_len(&text);
    if length > MAX_KEYWORD {
        let hash = sha1_smol::Sha1::from(text.as_bytes()).digest().to_string();
        let key = match side {
            Side::Input => "input_body_json_massive_hash",
            Side::Output => "output_body_json_massive_hash",
        };
        record_part.set(key, Node::Text(hash));
    } else {
        let (field, key, keys) = match side {
            Side::Input => ("prompt", "input_body_json", Keys::Renamed),
            Side::Output => ("completion", "output_body_json", Keys::RenamedWrapped),
        };
        gen_ai.set(field, Node::Text(text));
        record_part.set(key, Node::Body(body, keys));
    }
    length as u64
}

/// How many UTF-16 code units `text` is (what Elastic measures): a unit per character, two for
/// a character of four bytes.
fn utf16_len(text: &str) -> usize {
    if text.is_ascii() {
        return text.len();
    }
    text.bytes()
        .map(|b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

/// `gen_ai.request.*`: model, type and version, parameters.
fn gen_ai_request<'a>(
    invocation: &'a Invocation,
    request: Option<&'a Value>,
    response: Option<&'a Value>,
) -> Object<'a> {
    let mut model = Object::new();
    model.set("id", Node::Str(&invocation.model_id));
    // Elastic takes the text before the first `.`: `us` for a profile ID, a piece of an ARN.
    // The provider is what that means.
    let provider = invocation
        .parsed_model_id
        .as_ref()
        .and_then(|id| id.provider());
    if let Some(provider) = provider {
        model.set("type", Node::Str(provider));
        let version = request.and_then(|r| r.get(format!("{provider}_version")));
        model.set_some("version", version.map(|v| Node::Body(v, Keys::AsIs)));
    }
    // The role as the body spells it, where it says one (Elastic copies it verbatim), else the
    // first answering message's.
    let view_role = invocation
        .response
        .as_ref()
        .and_then(|view| view.messages.first())
        .map(|message| message.role.as_str());
    let role = response.and_then(body::response_role).or(view_role);
    model.set_some("role", role.map(Node::Str));
    let mut fields = Object::new();
    fields.set_some("id", invocation.request_id.as_deref().map(Node::Str));
    if let Some(view) = &invocation.request {
        let params = &view.params;
        fields.set_some("max_tokens", params.max_tokens.map(Node::Int));
        fields.set_some("temperature", params.temperature.map(Node::Float));
        fields.set_some("top_k", params.top_k.map(|k| Node::Float(k as f64)));
        fields.set_some("top_p", params.top_p.map(Node::Float));
    }
    fields.set("model", Node::Object(model));
    fields
}

/// `gen_ai.response.*` drawn from the answer.
fn fill_answer<'a>(answer: &mut Object<'a>, invocation: &'a Invocation) {
    let Some(view) = &invocation.response else {
        return;
    };
    answer.set_some("id", view.response_id.as_deref().map(Node::Str));
    let reason = view
        .finish_reason
        .as_ref()
        .or_else(|| view.messages.iter().find_map(|m| m.finish_reason.as_ref()));
    answer.set_some("finish_reasons", reason.map(|r| Node::Str(&r.raw)));
}

/// `gen_ai.performance.*`: the bodies' sizes (0 until a body says otherwise) and latencies, a
/// stream's metrics chunk, else the headers or a Converse body's `metrics.latencyMs`.
fn performance(invocation: &Invocation) -> Object<'static> {
    let mut performance = Object::new();
    performance.set("request_size", Node::Int(0));
    performance.set("response_size", Node::Int(0));
    let stream = invocation.stream_metrics.as_ref();
    let header = &invocation.header_metrics;
    let latency = stream
        .and_then(|m| m.invocation_latency_ms)
        .or(header.invocation_latency_ms);
    performance.set_some("response_time", latency.map(Node::Int));
    let first_byte = stream
        .and_then(|m| m.first_byte_latency_ms)
        .or(header.first_byte_latency_ms);
    performance.set_some("start_response_time", first_byte.map(Node::Int));
    performance
}

/// A video job's output, as the log's `outputVideo` in the record's snake_case: its shape and
/// where it went (a location, not content).
fn output_video(invocation: &Invocation) -> Option<Object<'_>> {
    let video = invocation.response.as_ref()?.videos.as_ref()?;
    let mut fields = Object::new();
    fields.set("count", Node::Int(video.count));
    fields.set_some("s3_path", video.location.as_deref().map(Node::Str));
    fields.set_some("duration_seconds", video.duration_seconds.map(Node::Float));
    fields.set_some("frames_per_second", video.fps.map(Node::Float));
    fields.set_some("width", video.width.map(Node::Int));
    fields.set_some("height", video.height.map(Node::Int));
    Some(fields)
}

/// The record's `cost` object, when the call was priced or its pricing failed.
fn cost(invocation: &Invocation, config: &Config) -> Option<Object<'static>> {
    use crate::cost::facts::{ELASTIC, cost_facts};
    use crate::kind_facts::Fact;
    let outcome = config.cost_of(invocation)?;
    let mut fields = Object::new();
    for (key, fact) in cost_facts(&outcome, &ELASTIC) {
        let node = match fact {
            Fact::Int(value) => Node::Int(value),
            Fact::Float(value) => Node::Float(value),
            Fact::Str(value) => Node::Text(value),
            Fact::Shared(value) => Node::Text(value.as_ref().to_owned()),
        };
        fields.set(key, node);
    }
    Some(fields)
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
    let mut text = bedrock_llm_core::timestamp_text(ms);
    // The seconds' text ends in `Z`; the milliseconds go before it.
    text.pop();
    text.push('.');
    let millis = ms % 1000;
    for digit in [millis / 100, millis / 10 % 10, millis % 10] {
        text.push(char::from(b'0' + digit as u8));
    }
    text.push('Z');
    text
}

#[cfg(test)]
mod tests;
