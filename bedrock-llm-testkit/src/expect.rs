//! A case's `expect` against the views: one difference per field, named by its place in the
//! view (`response.messages[0].content`).

use bedrock_llm_core::{RequestView, ResponseView};

use crate::sample::Expect;

fn messages(
    side: &str,
    expected: &[(String, String)],
    actual: &[bedrock_llm_core::Message],
    out: &mut Vec<(String, String)>,
) {
    if expected.len() != actual.len() {
        out.push((
            format!("{side}.messages"),
            format!(
                "expected {} messages, got {}: {:?}",
                expected.len(),
                actual.len(),
                actual
                    .iter()
                    .map(|m| (m.role.as_str(), m.content.as_str()))
                    .collect::<Vec<_>>()
            ),
        ));
        return;
    }
    for (i, ((role, content), message)) in expected.iter().zip(actual).enumerate() {
        if message.role.as_str() != role {
            out.push((
                format!("{side}.messages[{i}].role"),
                format!("expected {role:?}, got {:?}", message.role.as_str()),
            ));
        }
        if &message.content != content {
            out.push((
                format!("{side}.messages[{i}].content"),
                format!("expected {content:?}, got {:?}", message.content),
            ));
        }
    }
}

fn compare<T: PartialEq + std::fmt::Debug>(
    field: &str,
    expected: Option<T>,
    actual: Option<T>,
    out: &mut Vec<(String, String)>,
) {
    if let Some(expected) = expected
        && Some(&expected) != actual.as_ref()
    {
        out.push((
            field.to_owned(),
            format!("expected {expected:?}, got {actual:?}"),
        ));
    }
}

/// Every field where the views differ from `expect`: (field, what differs).
pub(crate) fn differences(
    expect: &Expect,
    request: &RequestView,
    response: &ResponseView,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(expected) = &expect.request_messages {
        messages("request", expected, &request.messages, &mut out);
    }
    if let Some(expected) = &expect.response_messages {
        messages("response", expected, &response.messages, &mut out);
    }
    let reason = response
        .call_finish_reason()
        .map(|r| r.normalized.as_str().to_owned());
    compare(
        "response.finish_reason",
        expect.finish_reason.clone(),
        reason,
        &mut out,
    );
    compare(
        "response.usage.input_tokens",
        expect.input_tokens,
        response.usage.input_tokens,
        &mut out,
    );
    compare(
        "response.usage.output_tokens",
        expect.output_tokens,
        response.usage.output_tokens,
        &mut out,
    );
    compare(
        "request.embedding_inputs",
        expect.embedding_inputs.clone(),
        Some(request.embedding_inputs.clone()),
        &mut out,
    );
    compare(
        "response.embedding.count",
        expect.embedding_count,
        response.embedding.map(|e| e.count),
        &mut out,
    );
    compare(
        "request.params.max_tokens",
        expect.max_tokens,
        request.params.max_tokens,
        &mut out,
    );
    compare(
        "request.params.temperature",
        expect.temperature,
        request.params.temperature,
        &mut out,
    );
    out
}
