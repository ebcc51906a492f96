//! What the record knows about how Bedrock served a call — the Region a cross-region call ran
//! in, the latency mode, the service tier, a guardrail's intervention — and the prompt cache's
//! counts reach every rendering that has a place for them: New Relic summary and embedding
//! events, OpenTelemetry span attributes, and the invocation-log writer; live (response
//! headers through the real SDK client) and replayed (log fields, Converse bodies).

use bedrock_llm_core::Invocation;
use bedrock_llm_emulator::{EmulatedResponse, Emulator};
use bedrock_llm_events::names::{attr, event_type, gen_ai};
use bedrock_llm_events::render::otel::{self, OtelValue};
use bedrock_llm_events::{CallContext, Config, LlmEvent, build_events};
use bedrock_llm_logs::{Caller, to_record};
use bedrock_llm_logs::{ModelInvocationLog, replay};
use bedrock_llm_tests::harness;
use serde_json::{Value, json};

fn record(value: Value) -> Invocation {
    let record: ModelInvocationLog = serde_json::from_value(value).unwrap();
    replay(&record, bedrock_llm_models::registry())
}

fn summary(invocation: &Invocation) -> LlmEvent {
    let built = build_events(
        invocation,
        &Config::default().enabled(),
        &CallContext::detached(),
    );
    built
        .events
        .into_iter()
        .find(|e| e.event_type() == event_type::SUMMARY || e.event_type() == event_type::EMBEDDING)
        .unwrap()
}

fn otel_str(invocation: &Invocation, key: &str) -> Option<String> {
    otel::call_attributes(invocation)
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| match v {
            OtelValue::Str(s) => s,
            other => format!("{other:?}"),
        })
}

fn base(operation: &str, model: &str) -> Value {
    json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": "2025-06-01T10:00:00Z", "accountId": "123456789012",
        "region": "us-east-1", "requestId": "r-1", "operation": operation, "modelId": model,
    })
}

#[test]
fn replayed_inference_region_and_latency_mode_reach_every_rendering() {
    let mut value = base("InvokeModel", "us.meta.llama3-2-90b-instruct-v1:0");
    value["inferenceRegion"] = json!("us-west-2");
    value["performanceConfig"] = json!({"latency": "optimized"});
    value["input"] =
        json!({"inputBodyJson": {"prompt": "Hi", "max_gen_len": 20}, "inputTokenCount": 2});
    value["output"] = json!({"outputBodyJson": {"generation": "Hello", "stop_reason": "stop",
        "prompt_token_count": 2, "generation_token_count": 1}, "outputTokenCount": 1});
    let invocation = record(value);
    assert_eq!(
        invocation.serving.inference_region.as_deref(),
        Some("us-west-2")
    );
    assert_eq!(invocation.serving.latency.as_deref(), Some("optimized"));

    let summary = summary(&invocation);
    assert_eq!(summary.get_str(attr::INFERENCE_REGION), Some("us-west-2"));
    assert_eq!(
        summary.get_str(attr::PERFORMANCE_LATENCY),
        Some("optimized")
    );
    assert_eq!(
        summary.get_str(attr::SERVICE_TIER),
        None,
        "not said, not shown"
    );
    assert!(summary.get(attr::GUARDRAIL_INTERVENED).is_none());

    assert_eq!(
        otel_str(&invocation, gen_ai::INFERENCE_REGION).as_deref(),
        Some("us-west-2")
    );
    assert_eq!(
        otel_str(&invocation, gen_ai::PERFORMANCE_LATENCY).as_deref(),
        Some("optimized")
    );

    let written =
        serde_json::to_value(to_record(&invocation, None, None, &Caller::default())).unwrap();
    assert_eq!(written["inferenceRegion"], "us-west-2");
    assert_eq!(
        written["performanceConfig"],
        json!({"latency": "optimized"})
    );
}

#[test]
fn converse_service_tier_guardrail_and_cache_counts_reach_the_summary_and_the_span() {
    let mut value = base("Converse", "anthropic.claude-3-5-haiku-20241022-v1:0");
    value["input"] =
        json!({"inputBodyJson": {"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}});
    value["output"] = json!({"outputBodyJson": {
        "output": {"message": {"role": "assistant", "content": [{"text": "Sorry, I can't."}]}},
        "stopReason": "guardrail_intervened",
        "usage": {"inputTokens": 5, "outputTokens": 4, "totalTokens": 9,
            "cacheReadInputTokens": 1200, "cacheWriteInputTokens": 30},
        "metrics": {"latencyMs": 310},
        "serviceTier": {"type": "priority"},
        "performanceConfig": {"latency": "standard"}
    }});
    let invocation = record(value);
    assert!(invocation.guardrail_intervened);
    assert_eq!(invocation.serving.service_tier.as_deref(), Some("priority"));

    let summary = summary(&invocation);
    assert_eq!(summary.get_str(attr::SERVICE_TIER), Some("priority"));
    assert_eq!(summary.get_str(attr::PERFORMANCE_LATENCY), Some("standard"));
    assert!(matches!(
        summary.get(attr::GUARDRAIL_INTERVENED),
        Some(bedrock_llm_events::AttrValue::Bool(true))
    ));
    assert_eq!(summary.get_i64(attr::CACHE_READ_TOKENS), Some(1200));
    assert_eq!(summary.get_i64(attr::CACHE_WRITE_TOKENS), Some(30));

    let attributes = otel::call_attributes(&invocation);
    assert!(
        attributes
            .iter()
            .any(|(k, v)| *k == gen_ai::GUARDRAIL_INTERVENED && matches!(v, OtelValue::Bool(true)))
    );
    assert_eq!(
        otel_str(&invocation, gen_ai::SERVICE_TIER).as_deref(),
        Some("priority")
    );
}

/// Live InvokeModel: the latency mode and tier come from Bedrock's response headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_response_headers_give_latency_mode_and_service_tier() {
    let model = "meta.llama3-8b-instruct-v1:0";
    let emulator = Emulator::builder()
        .respond_raw(model, |_| {
            let mut answer = EmulatedResponse::json(
                br#"{"generation": "Hello", "stop_reason": "stop", "prompt_token_count": 2, "generation_token_count": 1}"#.to_vec(),
                Some(2),
                Some(1),
            );
            answer.headers.push(("X-Amzn-Bedrock-PerformanceConfig-Latency".to_owned(), "optimized".to_owned()));
            answer.headers.push(("X-Amzn-Bedrock-Service-Tier".to_owned(), "flex".to_owned()));
            answer
        })
        .start()
        .await
        .unwrap();
    let recorder = harness::recorder();
    let client = harness::client(&emulator, &recorder);
    client
        .invoke_raw(model, br#"{"prompt": "Hi", "max_gen_len": 20}"#.to_vec())
        .await
        .unwrap();
    let harvest = recorder.harvest();
    let summary = harvest
        .events
        .iter()
        .find(|e| e.event_type() == event_type::SUMMARY)
        .unwrap();
    assert_eq!(
        summary.get_str(attr::PERFORMANCE_LATENCY),
        Some("optimized")
    );
    assert_eq!(summary.get_str(attr::SERVICE_TIER), Some("flex"));
}
