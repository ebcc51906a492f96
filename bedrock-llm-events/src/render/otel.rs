//! OpenTelemetry GenAI semantic-convention attributes (`docs/llm-events.md` §12) for one
//! invocation: the operation and span names, the attributes without content
//! (`otel_attributes.rs`), the opt-in content (`otel_content.rs`), the cost, and one object of
//! them all ([`span_json`]). Every value keeps the type the conventions give it, as the
//! OpenTelemetry signals of [`crate::GenAiTelemetry`] send it; the live `tracing` span is
//! [`crate::GenAiSpan`].

use bedrock_llm_core::Invocation;

use crate::config::Config;

use super::json_text::{sort_members, write_str};

pub use super::otel_attributes::{call_attributes, operation_name};
pub use super::otel_content::content;
pub use super::otel_value::{OtelValue, json_to_any_value};

/// The span name: `{gen_ai.operation.name} {gen_ai.request.model}`.
pub fn span_name(invocation: &Invocation) -> String {
    format!("{} {}", operation_name(invocation), invocation.model_id)
}

/// One invocation as a JSON object: its span name and GenAI attributes (each value of its
/// conventional type: integers, doubles, booleans, string arrays, structured content), plus `resource`
/// attributes the record has and New Relic's events do not (`user.id`, `cloud.account.id`,
/// `cloud.region` from an invocation log, `docs/invocation-logs.md` §6), each when present.
pub fn span_json(
    invocation: &Invocation,
    config: &Config,
    resource: &[(&'static str, Option<&str>)],
) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (key, value) in attributes(invocation, config) {
        object.insert(key.to_owned(), value.to_json());
    }
    for (key, value) in resource {
        if let Some(value) = value {
            object.insert((*key).to_owned(), serde_json::Value::from(*value));
        }
    }
    serde_json::json!({"name": span_name(invocation), "attributes": object})
}

/// [`span_json`] written straight onto `out` as the JSON text serde_json writes for it — keys
/// in the same sorted order, a later key replacing an earlier one — without building the map
/// (that map and its strings were most of what `--format otel` cost). `trace` adds the
/// `trace_id` and `span_id` the call's events carry.
pub fn write_span_json(
    out: &mut Vec<u8>,
    invocation: &Invocation,
    config: &Config,
    resource: &[(&'static str, Option<&str>)],
    trace: Option<(&str, &str)>,
) {
    enum Entry<'a> {
        Attribute(OtelValue),
        Resource(&'a str),
    }
    let mut entries: Vec<(&str, Entry<'_>)> = attributes(invocation, config)
        .into_iter()
        .map(|(key, value)| (key, Entry::Attribute(value)))
        .collect();
    entries.extend(
        resource
            .iter()
            .filter_map(|(key, value)| Some((*key, Entry::Resource((*value)?)))),
    );
    sort_members(&mut entries);
    // Sized once: growing from empty was a tenth of a span's cost.
    let hint: usize = entries
        .iter()
        .map(|(key, entry)| {
            key.len()
                + 4
                + match entry {
                    Entry::Attribute(value) => value.written_len_hint(),
                    Entry::Resource(text) => text.len() + 2,
                }
        })
        .sum();
    out.reserve(hint + 160);
    out.extend_from_slice(b"{\"attributes\":{");
    for (at, (key, entry)) in entries.iter().enumerate() {
        if at != 0 {
            out.push(b',');
        }
        write_str(out, key);
        out.push(b':');
        match entry {
            Entry::Attribute(value) => value.write_json(out),
            Entry::Resource(text) => write_str(out, text),
        }
    }
    out.extend_from_slice(b"},\"name\":");
    write_str(out, &span_name(invocation));
    if let Some((trace_id, span_id)) = trace {
        out.extend_from_slice(b",\"span_id\":");
        write_str(out, span_id);
        out.extend_from_slice(b",\"trace_id\":");
        write_str(out, trace_id);
    }
    out.push(b'}');
}

/// The GenAI attributes of `invocation`, and its cost when pricing is on. Content attributes
/// only when both `record_content` and `otel_content` are on.
pub fn attributes(invocation: &Invocation, config: &Config) -> Vec<(&'static str, OtelValue)> {
    let mut out = call_attributes(invocation);
    out.extend(cost_attributes(config.cost_of(invocation).as_ref()));
    if config.record_content && config.otel_content {
        out.extend(content(invocation));
    }
    out
}

/// A cost's attributes (`aws.bedrock.cost.*`); none for `None` or an unpriced call.
pub fn cost_attributes(
    outcome: Option<&crate::cost::CostOutcome>,
) -> Vec<(&'static str, OtelValue)> {
    let mut out = Vec::new();
    super::otel_kinds::cost_attributes(outcome, &mut |key, value| out.push((key, value)));
    out
}
