//! The events property: a case's events build and render as New Relic and OpenTelemetry, and with
//! content off none of the case's text appears in either.

use bedrock_llm_core::{Invocation, Operation, RequestView, ResponseView};
use bedrock_llm_events::render::{newrelic, otel};
use bedrock_llm_events::{CallContext, Config, build_events};
use serde_json::Value;

use super::{Run, property, shorten};
use crate::sample::{Case, SampleFile};

impl Run {
    /// Events build and render in both formats; with content off none of the case's text
    /// appears in either.
    pub(super) fn events(
        &mut self,
        file: &SampleFile,
        case: &Case,
        request: &[u8],
        response: &[u8],
        request_view: &RequestView,
        response_view: &ResponseView,
    ) {
        let model_id = case.model_id(file);
        let mut invocation = Invocation::new(model_id, Operation::InvokeModel);
        invocation.read_bodies(self.adapter, Some(request), Some(response));
        let render = |config: &Config| -> Vec<String> {
            let built = build_events(&invocation, config, &CallContext::detached());
            let mut out: Vec<String> = built.events.iter().map(newrelic::event_json).collect();
            out.push(otel::span_json(&invocation, config, &[]).to_string());
            out
        };
        let with_content = render(&Config::default().enabled());
        let input = format!("{} → {}", case.request, case.response);
        let events = with_content.len() - 1;
        if events == 0 {
            self.fail(
                property::EVENTS,
                &case.name,
                None,
                "no events were built".to_owned(),
                &input,
            );
        }
        for rendered in &with_content {
            let parsed: Result<Value, _> = serde_json::from_str(rendered);
            let ok = parsed.as_ref().is_ok_and(|v| {
                v.get("eventType").is_some()
                    || (v.get("name").is_some() && v.get("attributes").is_some())
            });
            if !ok {
                self.fail(
                    property::EVENTS,
                    &case.name,
                    None,
                    format!("a rendering is not an event object: {}", shorten(rendered)),
                    &input,
                );
            }
        }
        let without_content = render(&Config::default().enabled().with_content(false));
        let texts = content_texts(request_view, response_view, model_id);
        for text in texts {
            let escaped = serde_json::to_string(&text).unwrap_or_default();
            let needle = escaped.trim_matches('"');
            if let Some(leak) = without_content.iter().find(|r| r.contains(needle)) {
                self.fail(
                    property::NO_CONTENT,
                    &case.name,
                    Some(format!("{text:?}")),
                    format!(
                        "content appears with content recording off: {}",
                        shorten(leak)
                    ),
                    &input,
                );
            }
        }
    }
}

/// The case's prompt and completion texts worth looking for: message contents and embedding
/// inputs of four characters or more that are not also a value the events carry with content
/// off (the model ID, a finish reason, an id, a stop sequence, a tool name).
fn content_texts(request: &RequestView, response: &ResponseView, model_id: &str) -> Vec<String> {
    let mut metadata: Vec<&str> = vec![model_id];
    metadata.extend(request.params.stop_sequences.iter().map(String::as_str));
    metadata.extend(request.tool_names.iter().map(String::as_str));
    metadata.extend(response.response_id.as_deref());
    metadata.extend(response.response_model.as_deref());
    for reason in response
        .messages
        .iter()
        .filter_map(|m| m.finish_reason.as_ref())
        .chain(response.finish_reason.as_ref())
    {
        metadata.push(&reason.raw);
        metadata.push(reason.normalized.as_str());
    }
    request
        .messages
        .iter()
        .chain(&response.messages)
        .map(|m| m.content.clone())
        .chain(request.embedding_inputs.iter().cloned())
        .filter(|t| t.chars().count() >= 4 && !metadata.contains(&t.as_str()))
        .collect()
}
