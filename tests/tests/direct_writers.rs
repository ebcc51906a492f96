//! The renderings written straight as JSON text are byte for byte what serde_json writes for
//! the value forms they replace, on every shipped sample, with content on and off, and (for
//! Elastic documents, whose bodies are pruned and renamed as they are written) on any bodies.

use bedrock_llm_core::{Invocation, InvocationError, Operation, ServiceMetrics};
use bedrock_llm_events::Config;
use bedrock_llm_events::render::{elastic, otel};
use proptest::prelude::*;
use serde_json::{Value, json};

fn invocations() -> Vec<(String, Invocation)> {
    let registry = bedrock_llm_models::registry();
    let samples = bedrock_llm_models::samples::all().expect("the shipped samples read");
    assert!(
        samples.len() >= 25,
        "every family's samples: {}",
        samples.len()
    );
    samples
        .iter()
        .map(|sample| {
            let mut record = Invocation::new(sample.model_id, Operation::InvokeModel);
            record.region = Some("eu-west-1".to_owned());
            registry.read_bodies(&mut record, Some(&sample.request), Some(&sample.response));
            (format!("{}/{}", sample.family_slug, sample.case), record)
        })
        .collect()
}

#[test]
fn otel_spans_are_written_as_serde_json_writes_their_value() {
    let resource = [
        (
            "user.id",
            Some("arn:aws:iam::111122223333:user/dev \"quoted\""),
        ),
        ("cloud.account.id", None),
        ("cloud.region", Some("eu-west-1")),
        // A resource key an attribute also has: the later one wins in the map, so here too.
        ("gen_ai.request.model", Some("replaced\n")),
    ];
    let mut compared = 0;
    for content in [false, true] {
        let config = Config::default()
            .enabled()
            .with_content(content)
            .with_otel_content(content);
        for (case, invocation) in invocations() {
            let mut value = otel::span_json(&invocation, &config, &resource);
            value["trace_id"] = serde_json::json!("4bf92f3577b34da6a3ce929d0e0e4736");
            value["span_id"] = serde_json::json!("00f067aa0ba902b7");
            let expected = serde_json::to_string(&value).expect("a value serializes");
            let mut written = Vec::new();
            otel::write_span_json(
                &mut written,
                &invocation,
                &config,
                &resource,
                Some(("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")),
            );
            assert_eq!(
                String::from_utf8(written).ok(),
                Some(expected),
                "{case}, content {content}"
            );
            let mut bare = Vec::new();
            otel::write_span_json(&mut bare, &invocation, &config, &[], None);
            let bare_expected = serde_json::to_string(&otel::span_json(&invocation, &config, &[]));
            assert_eq!(
                String::from_utf8(bare).ok(),
                bare_expected.ok(),
                "{case}, content {content}"
            );
            compared += 1;
        }
    }
    assert!(compared >= 50);
}

/// The Elastic document written as text against the value's serialization; `case` names the
/// bodies in a failure.
fn same_elastic_bytes(
    case: &str,
    invocation: &Invocation,
    request: &[u8],
    response: &[u8],
    config: &Config,
) {
    let caller = elastic::Caller {
        account_id: Some("111122223333"),
        region: None,
        identity_arn: Some("arn:aws:iam::111122223333:user/dev \"quoted\""),
    };
    let bodies = elastic::Bodies {
        request: Some(request),
        response: Some(response),
    };
    let value = elastic::invocation_document(invocation, &caller, &bodies, config, "prod");
    let expected = serde_json::to_string(&value).expect("a value serializes");
    let mut written = Vec::new();
    elastic::write_invocation_document(&mut written, invocation, &caller, &bodies, config, "prod");
    assert_eq!(String::from_utf8(written).ok(), Some(expected), "{case}");
}

#[test]
fn elastic_documents_are_written_as_serde_json_writes_their_value() {
    let registry = bedrock_llm_models::registry();
    let samples = bedrock_llm_models::samples::all().expect("the shipped samples read");
    let mut compared = 0;
    for content in [false, true] {
        let config = Config::default().enabled().with_content(content);
        for sample in &samples {
            let mut invocation = Invocation::new(sample.model_id, Operation::InvokeModel);
            invocation.region = Some("eu-west-1".to_owned());
            invocation.request_id = Some("req-1".to_owned());
            registry.read_bodies(
                &mut invocation,
                Some(&sample.request),
                Some(&sample.response),
            );
            let case = format!("{}/{}, content {content}", sample.family_slug, sample.case);
            same_elastic_bytes(
                &case,
                &invocation,
                &sample.request,
                &sample.response,
                &config,
            );
            // A failed, streamed call: error code, failure outcome, the stream's metrics.
            invocation.error = Some(InvocationError::new("ThrottlingException"));
            invocation.stream_metrics = Some(ServiceMetrics {
                input_tokens: Some(7),
                output_tokens: None,
                invocation_latency_ms: Some(900),
                first_byte_latency_ms: Some(120),
            });
            let case = format!("{case}, failed and streamed");
            same_elastic_bytes(
                &case,
                &invocation,
                &sample.request,
                &sample.response,
                &config,
            );
            compared += 2;
        }
    }
    assert!(compared >= 100);
}

/// Keys that Elastic renames, their renamed forms (so both land on one key), and others.
const KEYS: &[&str] = &[
    "modelId",
    "model_id",
    "stopReason",
    "stop_reason",
    "amazon-bedrock-invocationMetrics",
    "amazon_bedrock_invocation_metrics",
    "value",
    "text",
    "",
    "k\"q",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        prop::sample::select(vec!["", "x", "[DONE]", "q\"uote\n", "é😀"]).prop_map(Value::from),
    ]
}

/// JSON bodies heavy in what the document prunes and renames: nulls, empty strings, arrays
/// and objects, objects of nothing but those, keys that collide once renamed.
fn body() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..5).prop_map(|members| {
                Value::Object(
                    members
                        .into_iter()
                        .map(|(key, value)| (key.to_owned(), value))
                        .collect(),
                )
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any JSON bodies, a stream's list of chunks among them: the written document is the
    /// value's serialization, byte for byte.
    #[test]
    fn elastic_documents_of_any_bodies_are_written_as_their_value(
        request in body(),
        response in body(),
        streamed in any::<bool>(),
    ) {
        let response = if streamed {
            json!([response, "[DONE]", null, {"message": {"id": "m", "role": "assistant"}}])
        } else {
            response
        };
        let (request, response) = (request.to_string(), response.to_string());
        let mut invocation = Invocation::new(
            "anthropic.claude-3-haiku-20240307-v1:0",
            Operation::InvokeModelWithResponseStream,
        );
        bedrock_llm_models::registry().read_bodies(
            &mut invocation,
            Some(request.as_bytes()),
            Some(response.as_bytes()),
        );
        let config = Config::default().enabled().with_content(true);
        same_elastic_bytes("generated", &invocation, request.as_bytes(), response.as_bytes(), &config);
    }
}
