//! Elastic invocation documents of every real recorded exchange (every family, whole and
//! streamed, Converse), replayed from the log record Bedrock would write, against what Elastic's
//! `aws_bedrock.invocation` pipeline (package 1.8.0) derives from that record — its rules are
//! written out again here, independently of the renderer — and against the recording's own
//! truth where Elastic leaves a field out (stream finish reasons, Titan/Cohere/Jurassic text).

use bedrock_llm_core::Invocation;
use bedrock_llm_events::Config;
use bedrock_llm_events::render::elastic::{Bodies, Caller, invocation_document};
use bedrock_llm_export::destination::logged_bodies;
use bedrock_llm_logs::{ModelInvocationLog, replay};
use bedrock_llm_tests::fixtures::{self, FixtureCase};
use proptest::prelude::*;
use serde_json::{Value, json};

const REAL: &[&str] = &["recorded", "newrelic", "otel-contrib", "openllmetry"];
const ARN: &str = "arn:aws:iam::111111111111:user/jane";

/// The record Bedrock logs for `case`, or `None` for failed calls.
fn log_record(case: &FixtureCase) -> Option<Value> {
    let request: Value = serde_json::from_slice(&case.request).ok()?;
    let expected = case.expected.as_ref()?;
    let (operation, output) = match (&case.response, &case.chunks) {
        (Some(body), _) => {
            let op = if case.group() == "converse" {
                "Converse"
            } else {
                "InvokeModel"
            };
            (op, serde_json::from_slice::<Value>(body).ok()?)
        }
        // Bedrock logs a ConverseStream as one aggregated body, not its events.
        (None, Some(_)) if case.group() == "converse" => return None,
        (None, Some(chunks)) => (
            "InvokeModelWithResponseStream",
            Value::Array(chunks.clone()),
        ),
        (None, None) => return None,
    };
    Some(json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": "2024-04-18T22:54:57Z", "accountId": "111111111111", "region": "us-east-1",
        "identity": {"arn": ARN}, "operation": operation, "modelId": case.model_id,
        "requestId": case.header("x-amzn-RequestId").unwrap_or("r-1"),
        "input": {"inputContentType": "application/json", "inputBodyJson": request,
                  "inputTokenCount": expected["input_tokens"]},
        "output": {"outputContentType": "application/json", "outputBodyJson": output,
                   "outputTokenCount": expected["output_tokens"]},
    }))
}

fn document(record: &Value) -> (Invocation, Value) {
    let parsed: ModelInvocationLog = serde_json::from_value(record.clone()).unwrap();
    let invocation = replay(&parsed, bedrock_llm_models::registry());
    let (request, response) = logged_bodies(&parsed);
    let caller = Caller {
        account_id: parsed.account_id.as_deref(),
        region: parsed.region.as_deref(),
        identity_arn: Some(ARN),
    };
    let document = invocation_document(
        &invocation,
        &caller,
        &Bodies { request, response },
        &Config::default().with_content(true),
        "default",
    );
    (invocation, document)
}

/// What Elastic's pipeline sets from `record`, as `(dotted field, value)`: its rules, restated.
fn elastic_fields(record: &Value) -> Vec<(&'static str, Value)> {
    let input = &record["input"]["inputBodyJson"];
    let output = &record["output"]["outputBodyJson"];
    let mut fields = vec![
        ("@timestamp", json!("2024-04-18T22:54:57.000Z")),
        ("event.action", record["operation"].clone()),
        ("cloud.account.id", record["accountId"].clone()),
        ("cloud.region", record["region"].clone()),
        ("cloud.service.name", json!("bedrock")),
        ("user.id", json!(ARN)),
        ("gen_ai.user.id", json!(ARN)),
        ("gen_ai.system", json!("aws")),
        ("gen_ai.request.id", record["requestId"].clone()),
        ("gen_ai.request.model.id", record["modelId"].clone()),
        (
            "gen_ai.usage.prompt_tokens",
            record["input"]["inputTokenCount"].clone(),
        ),
        (
            "gen_ai.usage.completion_tokens",
            record["output"]["outputTokenCount"].clone(),
        ),
        (
            "aws_bedrock.invocation.schema_type",
            json!("ModelInvocationLog"),
        ),
        ("aws_bedrock.invocation.model_id", record["modelId"].clone()),
    ];
    // Guardrail outcomes are checked on their own below: Elastic cannot see a Converse body's
    // output assessments (a map of lists, where its script wants a list), a documented defect.
    let guarded = output.get("trace").is_some()
        || output
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c.get("amazon-bedrock-trace").is_some()));
    if !guarded {
        fields.push(("event.outcome", json!("success")));
    }
    if let Some(version) = input.get("anthropic_version") {
        fields.push(("gen_ai.request.model.version", version.clone()));
    }
    for (key, field) in [
        ("max_tokens", "gen_ai.request.max_tokens"),
        ("temperature", "gen_ai.request.temperature"),
        ("top_p", "gen_ai.request.top_p"),
        ("top_k", "gen_ai.request.top_k"),
    ] {
        if let Some(value) = input.get(key).filter(|v| v.is_number()) {
            fields.push((field, value.clone()));
        }
    }
    if let Some(temperature) = input.pointer("/inferenceConfig/temperature") {
        fields.push(("gen_ai.request.temperature", temperature.clone()));
    }
    match output {
        Value::Array(chunks) => {
            if let Some(message) = chunks
                .iter()
                .find_map(|c| c.get("message").filter(|m| m["id"].is_string()))
            {
                fields.push(("gen_ai.response.id", message["id"].clone()));
                fields.push(("gen_ai.request.model.role", message["role"].clone()));
            }
            if let Some(metrics) = chunks.iter().rev().find_map(|c| {
                c.get("amazon-bedrock-invocationMetrics")
                    .filter(|m| !m["invocationLatency"].is_null())
            }) {
                fields.push((
                    "gen_ai.performance.response_time",
                    metrics["invocationLatency"].clone(),
                ));
                fields.push((
                    "gen_ai.performance.start_response_time",
                    metrics["firstByteLatency"].clone(),
                ));
            }
            let mut text = String::new();
            for chunk in chunks {
                if let Some(t) = chunk.pointer("/delta/text").and_then(Value::as_str) {
                    text.push_str(t);
                } else if let Some(outputs) = chunk["outputs"].as_array() {
                    outputs
                        .iter()
                        .filter_map(|o| o["text"].as_str())
                        .for_each(|t| text.push_str(t));
                } else if let Some(t) = chunk["generation"].as_str() {
                    text.push_str(t);
                } else if let Some(t) = chunk["outputText"].as_str() {
                    text.push_str(t);
                }
            }
            if !text.is_empty() {
                fields.push(("aws_bedrock.invocation.output.completion_text", json!(text)));
            }
        }
        Value::Object(_) => {
            if output["id"].is_string() {
                fields.push(("gen_ai.response.id", output["id"].clone()));
            }
            if let Some(role) = output.pointer("/output/message/role") {
                fields.push(("gen_ai.request.model.role", role.clone()));
            }
            if let Some(reason) = output.get("stop_reason").filter(|r| r.is_string()) {
                fields.push(("gen_ai.response.finish_reasons", reason.clone()));
            }
            let content = output
                .pointer("/output/message/content")
                .or_else(|| output.get("content"))
                .and_then(Value::as_array);
            let text: String = content
                .map(|items| items.iter().filter_map(|i| i["text"].as_str()).collect())
                .unwrap_or_default();
            if !text.is_empty() {
                fields.push(("aws_bedrock.invocation.output.completion_text", json!(text)));
            }
        }
        _ => {}
    }
    fields
}

fn at<'a>(document: &'a Value, dotted: &str) -> &'a Value {
    if let Some(value) = document.get(dotted) {
        return value;
    }
    dotted.split('.').fold(document, |node, key| &node[key])
}

fn same(ours: &Value, theirs: &Value) -> bool {
    match (ours.as_f64(), theirs.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => ours == theirs,
    }
}

#[test]
fn every_recorded_exchange_gives_the_document_elastic_derives_and_more() {
    let mut families = std::collections::BTreeMap::<String, usize>::new();
    for case in fixtures::cases()
        .into_iter()
        .filter(|c| REAL.contains(&c.source()))
    {
        let Some(record) = log_record(&case) else {
            continue;
        };
        let (invocation, document) = document(&record);
        // A null in the record is a field Elastic leaves out.
        for (field, expected) in elastic_fields(&record)
            .into_iter()
            .filter(|(_, v)| !v.is_null())
        {
            let ours = at(&document, field);
            assert!(
                same(ours, &expected),
                "{}: {field} is {ours}, Elastic gives {expected}",
                case.name
            );
        }
        let truth = case.expected.as_ref().unwrap();
        // Elastic leaves these out for streams and for Titan, Cohere and Jurassic; we do not.
        if let Some(reason) = truth["finish_reason"].as_str() {
            assert_eq!(
                at(&document, "gen_ai.response.finish_reasons"),
                reason,
                "{}",
                case.name
            );
        }
        let text: String = truth["text_blocks"]
            .as_array()
            .map(|b| b.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if truth["kind"] == "chat" && !text.is_empty() {
            assert_eq!(
                at(&document, "aws_bedrock.invocation.output.completion_text"),
                &json!(text),
                "{}",
                case.name
            );
        }
        // The provider, where Elastic would take the text before the first dot.
        let provider = invocation
            .parsed_model_id
            .as_ref()
            .and_then(|id| id.provider());
        assert_eq!(
            at(&document, "gen_ai.request.model.type").as_str(),
            provider,
            "{}",
            case.name
        );
        // Real JSON, whatever the bodies hold.
        let prompt: Value =
            serde_json::from_str(at(&document, "gen_ai.prompt").as_str().unwrap()).unwrap();
        assert_eq!(prompt, record["input"]["inputBodyJson"], "{}", case.name);
        if case.name == "openllmetry/converse/guardrail_converse" {
            // The answer's PII was masked (`{ADDRESS}`): an intervention Elastic misses.
            assert_eq!(at(&document, "event.outcome"), "failure");
            assert_eq!(
                at(&document, "gen_ai.compliance.violation_code"),
                &json!(["ADDRESS"])
            );
            assert_eq!(
                at(&document, "gen_ai.guardrail_id"),
                &json!(["5zwrmdlsra2e"])
            );
            // Both assessments' figures (latency, text units), for the guardrail documents.
            let mut metrics = bedrock_llm_events::RuntimeMetrics::per_minute();
            metrics.add(&invocation);
            let documents = metrics.elastic_guardrails_in("default");
            let sources: Vec<&Value> = documents
                .iter()
                .map(|d| &d["aws_bedrock"]["guardrails"]["guardrail_content_source"])
                .collect();
            assert_eq!(sources, [&json!("Input"), &json!("Output")]);
            let input = &documents[0]["aws_bedrock"]["guardrails"];
            assert_eq!(input["invocation_latency"], 262.0);
            assert_eq!(
                input["text_unit_count"], 4,
                "content, PII, topic and word units"
            );
            assert_eq!(
                documents[1]["aws_bedrock"]["guardrails"]["invocations_intervened"],
                1
            );
        }
        *families
            .entry(format!("{} {}", case.group(), record["operation"]))
            .or_default() += 1;
    }
    assert!(families.len() >= 12, "{families:?}");
}

#[test]
fn documents_of_one_case_per_family_snapshot() {
    let mut snapshot = serde_json::Map::new();
    for case in fixtures::cases()
        .into_iter()
        .filter(|c| c.source() == "recorded")
    {
        let Some(record) = log_record(&case) else {
            continue;
        };
        let (_, mut document) = document(&record);
        // The bodies are the fixtures' own; the snapshot is about what is derived from them.
        for side in ["input", "output"] {
            if let Some(part) = document["aws_bedrock"]["invocation"][side].as_object_mut() {
                part.remove(&format!("{side}_body_json"));
            }
        }
        for field in ["prompt", "completion", "user", "system"] {
            if let Some(gen_ai) = document["gen_ai"].as_object_mut() {
                gen_ai.remove(field);
            }
        }
        // What every document shares is asserted above; the snapshot keeps what varies.
        let varying = json!({
            "event.action": document["event"]["action"],
            "event.outcome": document["event"]["outcome"],
            "gen_ai": document["gen_ai"],
            "aws_bedrock.invocation": document["aws_bedrock"]["invocation"],
        });
        snapshot.entry(case.group().to_owned()).or_insert(varying);
    }
    insta::assert_json_snapshot!("elastic_documents", snapshot);
}

#[test]
fn guardrail_interventions_from_a_converse_log_fail_with_their_findings() {
    let record = json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": "2024-04-18T22:54:57Z", "accountId": "111111111111", "region": "us-east-1",
        "identity": {"arn": ARN}, "operation": "Converse",
        "modelId": "us.anthropic.claude-3-5-sonnet-20240620-v1:0", "requestId": "r-g",
        "input": {"inputBodyJson": {"messages": [{"role": "user", "content": [{"text": "my email is a@b.c"}]}],
                  "inferenceConfig": {"maxTokens": 100, "temperature": 0.5}}, "inputTokenCount": 0},
        "output": {"outputBodyJson": {
            "output": {"message": {"role": "assistant", "content": [{"text": "Sorry."}]}},
            "stopReason": "guardrail_intervened", "metrics": {"latencyMs": 320},
            "trace": {"guardrail": {"inputAssessment": {"gr-7": {
                "sensitiveInformationPolicy": {"piiEntities": [{"type": "EMAIL", "match": "a@b.c", "action": "BLOCKED"}]},
                "contentPolicy": {"filters": [{"type": "INSULTS", "confidence": "LOW", "action": "NONE"}]}
            }},
            // As invocation logs write a Converse answer's assessments: a list of id → assessment.
            "outputAssessments": [{"gr-7": {"invocationMetrics": {"guardrailProcessingLatency": 378,
                "usage": {"contentPolicyUnits": 1, "wordPolicyUnits": 1}}}}]}}
        }, "outputTokenCount": 0}
    });
    let (invocation, document) = document(&record);
    assert!(invocation.guardrail_intervened);
    // The guardrail's own figures, as CloudWatch's AWS/Bedrock/Guardrails has them.
    let mut metrics =
        bedrock_llm_events::RuntimeMetrics::new(std::time::Duration::from_secs(300)).unwrap();
    metrics.add(&invocation);
    let guardrails = metrics.elastic_guardrails_in("default");
    assert_eq!(guardrails.len(), 2, "prompt and answer: {guardrails:?}");
    let answer = &guardrails[1]["aws_bedrock"]["guardrails"];
    assert_eq!(answer["guardrail_content_source"], "Output");
    assert_eq!(answer["invocation_latency"], 378.0);
    assert_eq!(answer["text_unit_count"], 2);
    // Only the prompt's findings blocked anything.
    assert_eq!(answer["invocations_intervened"], 0);
    let figures = &guardrails[0]["aws_bedrock"]["guardrails"];
    assert_eq!(figures["guardrail_id"], "gr-7");
    assert_eq!(figures["guardrail_content_source"], "Input");
    assert_eq!(figures["operation"], "Converse");
    assert_eq!(figures["invocations"], 1);
    assert_eq!(figures["invocations_intervened"], 1);
    assert_eq!(
        guardrails[0]["data_stream"]["dataset"],
        "aws_bedrock.guardrails"
    );
    assert_eq!(
        guardrails[0]["aws"]["cloudwatch"]["namespace"],
        "AWS/Bedrock/Guardrails"
    );
    assert_eq!(invocation.guardrail_findings.len(), 2);
    assert_eq!(document["event"]["outcome"], "failure");
    let gen_ai = &document["gen_ai"];
    assert_eq!(gen_ai["guardrail_id"], json!(["gr-7"]));
    assert_eq!(
        gen_ai["policy"]["name"],
        json!(["content_policy", "sensitive_information_policy"])
    );
    assert_eq!(gen_ai["policy"]["action"], json!(["BLOCKED", "NONE"]));
    assert_eq!(gen_ai["policy"]["confidence"], json!(["LOW"]));
    assert_eq!(
        gen_ai["policy"]["match_detail"],
        json!([{"type": "EMAIL", "match": "a@b.c", "action": "BLOCKED"}])
    );
    assert_eq!(
        gen_ai["compliance"]["violation_code"],
        json!(["EMAIL", "INSULTS"])
    );
    assert_eq!(gen_ai["compliance"]["violation_detected"], true);
    // What Elastic's pipeline leaves out of Converse: maxTokens, the latency, the stop reason.
    assert_eq!(gen_ai["request"]["max_tokens"], 100);
    assert_eq!(gen_ai["performance"]["response_time"], 320);
    assert_eq!(gen_ai["response"]["finish_reasons"], "guardrail_intervened");
    assert_eq!(gen_ai["request"]["model"]["type"], "anthropic");
    assert_eq!(gen_ai["request"]["model"]["role"], "assistant");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any bodies, well-formed or not: a document, with `gen_ai.prompt` that parses back to the
    /// request exactly when the request is JSON.
    #[test]
    fn any_bodies_give_a_document_with_honest_json(
        text in "\\PC{0,40}",
        number in any::<i32>(),
        broken in any::<bool>(),
    ) {
        let request = json!({"prompt": text, "max_tokens": number, "nested": [{"\"k\"": text}]});
        let raw = if broken { format!("{{\"prompt\": {text:?}") } else { request.to_string() };
        let mut invocation = Invocation::new("meta.llama3-8b-instruct-v1:0", bedrock_llm_core::Operation::InvokeModel);
        invocation.read_bodies(
            bedrock_llm_models::registry().resolve("meta.llama3-8b-instruct-v1:0", None).unwrap(),
            Some(raw.as_bytes()),
            Some(b"{\"generation\": 5}"),
        );
        let document = invocation_document(
            &invocation,
            &Caller::default(),
            &Bodies { request: Some(raw.as_bytes()), response: Some(b"{\"generation\": 5}") },
            &Config::default().with_content(true),
            "default",
        );
        match document["gen_ai"]["prompt"].as_str() {
            Some(prompt) => {
                prop_assert!(!broken);
                prop_assert_eq!(serde_json::from_str::<Value>(prompt).unwrap(), request);
            }
            None => prop_assert!(broken),
        }
        prop_assert_eq!(&document["event"]["action"], "InvokeModel");
    }
}
