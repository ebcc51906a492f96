//! The renderings written straight as JSON text are byte for byte what serde_json writes for
//! the value forms they replace, on every shipped sample, with content on and off.

use bedrock_llm_core::{Invocation, Operation};
use bedrock_llm_events::Config;
use bedrock_llm_events::render::otel;

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
