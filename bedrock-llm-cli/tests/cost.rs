//! Cost end to end: `prices import` on small offer files in the AWS Price List's official
//! structure (both Bedrock offers, their units and usage types), the imported table pricing a
//! report; and live calls through the emulator (`demo`) carrying their cost on the New Relic
//! summary events and on the OTLP spans, equal to the shipped prices times the call's tokens.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use bedrock_llm_tests::otlp_receiver::{Receiver, attribute, str_attribute};
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use serde_json::{Value, json};

mod common;

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cost");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// One product with its on-demand price dimensions, as the offer files nest them.
fn product(sku: &str, attributes: Value, unit: &str, usd: &str) -> (Value, Value) {
    let term = format!("{sku}.JRTCKXETXF");
    (
        json!({"sku": sku, "productFamily": "Amazon Bedrock", "attributes": attributes}),
        json!({ term.clone(): {"offerTermCode": "JRTCKXETXF", "sku": sku,
            "effectiveDate": "2026-11-01T00:00:00Z",
            "priceDimensions": {format!("{term}.6YS6EN2CT7"): {
                "rateCode": format!("{term}.6YS6EN2CT7"), "description": "price",
                "beginRange": "0", "endRange": "Inf", "unit": unit,
                "pricePerUnit": {"USD": usd}, "appliesTo": []}},
            "termAttributes": {}}}),
    )
}

fn offer(code: &str, products: Vec<(Value, Value)>) -> Value {
    let mut by_sku = serde_json::Map::new();
    let mut terms = serde_json::Map::new();
    for (product, term) in products {
        let sku = product["sku"].as_str().unwrap().to_owned();
        by_sku.insert(sku.clone(), product);
        terms.insert(sku, term);
    }
    json!({"formatVersion": "v1.0", "disclaimer": "test", "offerCode": code,
           "version": "20261101000000", "publicationDate": "2026-11-01T00:00:00Z",
           "products": by_sku, "terms": {"OnDemand": terms}})
}

fn nova(sku: &str, usage: &str, inference: &str, unit: &str, usd: &str) -> (Value, Value) {
    product(
        sku,
        json!({"servicecode": "AmazonBedrock", "regionCode": "us-east-1",
        "location": "US East (N. Virginia)", "model": "Nova Pro", "inferenceType": inference,
        "usagetype": usage}),
        unit,
        usd,
    )
}

fn claude(sku: &str, region: &str, usage: &str, usd: &str) -> (Value, Value) {
    product(
        sku,
        json!({"servicecode": "AmazonBedrockFoundationModels", "regionCode": region,
        "servicename": "Claude Sonnet 4.5 (Amazon Bedrock Edition)", "usagetype": usage}),
        "Units",
        usd,
    )
}

#[test]
fn prices_import_reads_both_offers_and_the_table_prices_a_report() {
    let bedrock = offer(
        "AmazonBedrock",
        vec![
            nova(
                "A1",
                "USE1-NovaPro-input-tokens",
                "Input tokens",
                "1K tokens",
                "0.0008000000",
            ),
            nova(
                "A2",
                "USE1-NovaPro-output-tokens",
                "Output tokens",
                "1K tokens",
                "0.0032000000",
            ),
            nova(
                "A3",
                "USE1-NovaPro-cache-read-input-token-count",
                "Cache read",
                "1K tokens",
                "0.0002000000",
            ),
            nova(
                "A4",
                "USE1-NovaPro-input-tokens-flex",
                "Input tokens flex",
                "1K tokens",
                "0.0004000000",
            ),
            nova(
                "A5",
                "USE1-NovaPro-input-tokens-batch",
                "Input tokens batch",
                "1K tokens",
                "0.0004000000",
            ),
            product(
                "A6",
                json!({"regionCode": "us-east-1", "model": "Nova Canvas",
            "inferenceType": "T2I 1024 Premium", "usagetype": "USE1-NovaCanvas-T2I-1024-Premium"}),
                "image",
                "0.0600000000",
            ),
            product(
                "A7",
                json!({"regionCode": "us-east-1", "model": "Some Future Model",
            "usagetype": "USE1-Future-input-tokens"}),
                "1K tokens",
                "0.0010000000",
            ),
        ],
    );
    let foundation = offer(
        "AmazonBedrockFoundationModels",
        vec![
            claude(
                "B1",
                "us-east-1",
                "USE1-MP:USE1_InputTokenCount-Units",
                "3.3000000000",
            ),
            claude(
                "B2",
                "us-east-1",
                "USE1-MP:USE1_OutputTokenCount-Units",
                "16.5000000000",
            ),
            claude(
                "B3",
                "us-east-1",
                "USE1-MP:USE1_InputTokenCount_Global-Units",
                "3.0000000000",
            ),
            claude(
                "B4",
                "us-east-1",
                "USE1-MP:USE1_CacheReadInputTokenCount-Units",
                "0.3300000000",
            ),
            claude(
                "B5",
                "us-east-1",
                "USE1-MP:USE1_CacheWrite1hInputTokenCount-Units",
                "6.6000000000",
            ),
            claude(
                "B6",
                "eu-west-1",
                "EU-MP:EU_InputTokenCount-Units",
                "3.6000000000",
            ),
            claude(
                "B7",
                "eu-west-1",
                "EU-MP:EU_OutputTokenCount-Units",
                "18.0000000000",
            ),
        ],
    );
    let (a, b) = (
        scratch("AmazonBedrock.json"),
        scratch("AmazonBedrockFoundationModels.json"),
    );
    std::fs::write(&a, bedrock.to_string()).unwrap();
    std::fs::write(&b, foundation.to_string()).unwrap();
    let table_path = scratch("imported.json");
    let out = common::bin()
        .args([
            "prices",
            "import",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "-o",
            table_path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("\"Some Future Model\" (1)"),
        "unmapped products are named: {stderr}"
    );
    assert!(
        stderr.contains("1 left out"),
        "the batch price is not a runtime price: {stderr}"
    );
    let table: Value = serde_json::from_slice(&std::fs::read(&table_path).unwrap()).unwrap();
    assert_eq!(table["_about"]["date"], "2026-11-01");
    let nova = &table["amazon.nova-pro-v1:0"]["us-east-1"];
    // Per 1K in the offer, per 1M in the table.
    assert_eq!(nova["input_per_mtok"], "0.8");
    assert_eq!(nova["output_per_mtok"], "3.2");
    assert_eq!(nova["cache_read_per_mtok"], "0.2");
    assert_eq!(nova["flex"]["input_per_mtok"], "0.4");
    assert_eq!(
        table["amazon.nova-canvas-v1:0"]["us-east-1"]["per_image"],
        json!([{"max_side": 1024, "quality": "premium", "usd": "0.06"}])
    );
    let sonnet = &table["anthropic.claude-sonnet-4-5-20250929-v1:0"];
    assert_eq!(sonnet["us-east-1"]["input_per_mtok"], "3.3");
    assert_eq!(sonnet["us-east-1"]["global"]["input_per_mtok"], "3");
    assert_eq!(sonnet["us-east-1"]["cache_write_1h_per_mtok"], "6.6");
    assert_eq!(sonnet["eu-west-1"]["output_per_mtok"], "18");

    // The imported table prices calls: a global Converse call in us-east-1, a flex Nova call.
    let record = |id: &str, model: &str, tier: Option<&str>| {
        let mut output = json!({"output": {"message": {"role": "assistant",
            "content": [{"text": "ok"}]}}, "stopReason": "end_turn",
            "usage": {"inputTokens": 1_000_000, "outputTokens": 0, "totalTokens": 1_000_000}});
        if let Some(tier) = tier {
            output["serviceTier"] = json!({"type": tier});
        }
        json!({"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "timestamp": "2026-12-01T00:00:00Z", "accountId": "111122223333", "region": "us-east-1",
            "requestId": id, "operation": "Converse", "modelId": model,
            "input": {"inputContentType": "application/json",
                      "inputBodyJson": {"messages": [{"role": "user", "content": [{"text": "x"}]}]}},
            "output": {"outputContentType": "application/json", "outputBodyJson": output}})
    };
    let records = format!(
        "{}\n{}\n",
        record(
            "r1",
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            None
        ),
        record("r2", "us.amazon.nova-pro-v1:0", Some("flex"))
    );
    let out = common::run_with_stdin(
        &[
            "report",
            "-",
            "--prices",
            table_path.to_str().unwrap(),
            "--format",
            "json",
        ],
        records.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let usd = |model: &str| report["by_model"][model]["usd"].as_f64().unwrap();
    assert_eq!(usd("global.anthropic.claude-sonnet-4-5-20250929-v1:0"), 3.0);
    assert_eq!(usd("us.amazon.nova-pro-v1:0"), 0.4);
}

/// The shipped table, as `prices show` prints it.
fn shipped() -> Value {
    let out = common::bin().args(["prices", "show"]).output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The shipped standard rates for `model` (any profile prefix), $/M, when it has token prices
/// and no variant that could apply.
fn rates(table: &Value, model: &str) -> Option<(f64, f64)> {
    let base = model
        .split_once('.')
        .filter(|(geo, _)| ["us", "eu", "apac", "global"].contains(geo))
        .map_or(model, |(_, rest)| rest);
    let entry = table
        .get(base)
        .or_else(|| table.get(base.split(':').next()?))?;
    let rates = &entry["*"];
    if rates.get("global").is_some() || rates.get("long_context").is_some() {
        return None;
    }
    let number = |key: &str| rates[key].as_str()?.parse::<f64>().ok();
    Some((
        number("input_per_mtok")?,
        number("output_per_mtok").unwrap_or(0.0),
    ))
}

#[test]
fn live_calls_carry_their_cost_on_new_relic_summaries() {
    let table = shipped();
    let out = common::bin().args(["demo", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut priced = 0;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let event: Value = serde_json::from_str(line).unwrap();
        if event["eventType"] != "LlmChatCompletionSummary" || event.get("error").is_some() {
            continue;
        }
        let model = event["request.model"].as_str().unwrap();
        let Some((input, output)) = rates(&table, model) else {
            continue;
        };
        let (Some(tokens_in), Some(tokens_out)) = (
            event["response.usage.prompt_tokens"].as_f64(),
            event["response.usage.completion_tokens"].as_f64(),
        ) else {
            continue;
        };
        if event.get("cost.cache_read_usd").is_some() {
            continue;
        }
        let expected = (tokens_in * input + tokens_out * output) / 1e6;
        let cost = event["cost.total_usd"]
            .as_f64()
            .unwrap_or_else(|| panic!("no cost: {event}"));
        assert!(
            (cost - expected).abs() < 1e-12,
            "{model}: {cost} != {expected}"
        );
        assert!(
            event["cost.price_table"]
                .as_str()
                .unwrap()
                .starts_with("2026-12-07")
        );
        priced += 1;
    }
    assert!(priced >= 10, "only {priced} summaries priced");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_calls_carry_their_cost_on_otlp_spans_and_the_cost_counter() {
    let table = shipped();
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let url = receiver.url();
    let out = tokio::task::spawn_blocking(move || {
        let mut command: Command = common::bin();
        command.env_remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        command
            .args(["demo", "--to", "otlp", "--endpoint", &url])
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spans = receiver.spans();
    let mut priced = 0;
    for (_, span) in spans.iter().filter(|(_, s)| s.kind == 3) {
        let model = str_attribute(&span.attributes, "gen_ai.request.model").unwrap();
        let int = |key: &str| match attribute(&span.attributes, key) {
            Some(Any::IntValue(i)) => Some(*i as f64),
            _ => None,
        };
        let cost = match attribute(&span.attributes, "aws.bedrock.cost.total_usd") {
            Some(Any::DoubleValue(d)) => Some(*d),
            _ => None,
        };
        let (Some((input, output)), Some(tokens_in), Some(tokens_out), None) = (
            rates(&table, model),
            int("gen_ai.usage.input_tokens"),
            int("gen_ai.usage.output_tokens"),
            str_attribute(&span.attributes, "error.type"),
        ) else {
            continue;
        };
        if attribute(&span.attributes, "aws.bedrock.cost.cache_read_usd").is_some() {
            continue;
        }
        let cost = cost.unwrap_or_else(|| panic!("{}: no cost", span.name));
        let expected = (tokens_in * input + tokens_out * output) / 1e6;
        assert!(
            (cost - expected).abs() < 1e-12,
            "{}: {cost} != {expected}",
            span.name
        );
        priced += 1;
    }
    assert!(priced >= 10, "only {priced} spans priced");
    assert!(
        receiver
            .metrics()
            .iter()
            .any(|(_, m)| m.name == "aws.bedrock.cost"),
        "the cost counter"
    );
}
