//! `bedrock-llm metrics pull` and `metrics reconcile` against a real CloudWatch (moto's server
//! on 127.0.0.1) seeded with `PutMetricData` as Bedrock's own `AWS/Bedrock` and
//! `AWS/Bedrock/Guardrails` series (moto accepts `AWS/` namespaces; AWS does not).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use bedrock_llm_tests::moto::Moto;
use serde_json::{Value, json};

mod common;

const LLAMA: &str = "meta.llama3-70b-instruct-v1:0";
const CLAUDE: &str = "anthropic.claude-3-haiku-20240307-v1:0";

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// `YYYY-MM-DDTHH:MM:SS` of `ms`.
fn iso(ms: i64) -> String {
    let text = bedrock_llm_core::timestamp_text(ms as u64);
    text.trim_end_matches('Z').to_owned()
}

fn datum(metric: &str, model: Option<&str>, at: i64, value: f64) -> MetricDatum {
    let mut datum = MetricDatum::builder()
        .metric_name(metric)
        .timestamp(DateTime::from_millis(at))
        .value(value);
    if let Some(model) = model {
        datum = datum.dimensions(Dimension::builder().name("ModelId").value(model).build());
    }
    datum.build()
}

/// The first of two 5-minute periods two hours ago, and the seeded series.
async fn seed(moto: &Moto) -> i64 {
    let base = (now_ms() / 3_600_000 - 2) * 3_600_000;
    let second = base + 300_000;
    let runtime = vec![
        datum("Invocations", Some(LLAMA), base + 10_000, 2.0),
        datum("Invocations", Some(LLAMA), base + 70_000, 1.0),
        datum("Invocations", Some(LLAMA), second + 5_000, 4.0),
        datum("InputTokenCount", Some(LLAMA), base + 10_000, 14.0),
        datum("InvocationLatency", Some(LLAMA), base + 10_000, 100.0),
        datum("InvocationLatency", Some(LLAMA), base + 70_000, 300.0),
        datum("Invocations", Some(CLAUDE), base + 20_000, 5.0),
    ];
    let cloudwatch = moto.cloudwatch();
    cloudwatch
        .put_metric_data()
        .namespace("AWS/Bedrock")
        .set_metric_data(Some(runtime))
        .send()
        .await
        .unwrap();
    cloudwatch
        .put_metric_data()
        .namespace("AWS/Bedrock/Guardrails")
        .metric_data(
            MetricDatum::builder()
                .metric_name("InvocationsIntervened")
                .timestamp(DateTime::from_millis(base + 30_000))
                .value(1.0)
                .dimensions(
                    Dimension::builder()
                        .name("GuardrailArn")
                        .value("arn:aws:bedrock:us-east-1:1:guardrail/g1")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    base
}

fn bin(moto: &Moto) -> Command {
    let mut command = common::bin();
    command.envs(moto.env());
    command
}

async fn run(mut command: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_prints_each_series_per_period_as_bedrock_counted_it() {
    let moto = tokio::task::spawn_blocking(Moto::start).await.unwrap();
    let base = seed(&moto).await;
    let mut command = bin(&moto);
    command.args([
        "metrics",
        "pull",
        "--since",
        &iso(base),
        "--until",
        &iso(base + 600_000),
        "--period",
        "300",
    ]);
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let points: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let find = |metric: &str, model: Option<&str>, at: i64| -> Option<&Value> {
        points.iter().find(|p| {
            p["metric"] == metric
                && p["dimensions"].get("ModelId").and_then(Value::as_str) == model
                && p["timestamp"] == json!(format!("{}.000Z", iso(at)))
                && p["namespace"] == "AWS/Bedrock"
        })
    };
    let first = find("Invocations", Some(LLAMA), base).expect("llama, first period");
    assert_eq!(first["value"], 3.0, "the Sum of the period: {points:?}");
    assert_eq!(first["stat"], "Sum");
    assert_eq!(first["period"], 300);
    assert_eq!(
        find("Invocations", Some(LLAMA), base + 300_000).unwrap()["value"],
        4.0
    );
    let latency = find("InvocationLatency", Some(LLAMA), base).unwrap();
    assert_eq!(
        (latency["stat"].clone(), latency["value"].clone()),
        (json!("Average"), json!(200.0))
    );
    assert_eq!(
        find("Invocations", Some(CLAUDE), base).unwrap()["value"],
        5.0
    );
    assert!(
        points
            .iter()
            .any(|p| p["namespace"] == "AWS/Bedrock/Guardrails"
                && p["metric"] == "InvocationsIntervened"
                && p["dimensions"]["GuardrailArn"].is_string())
    );

    // As Elastic documents: one per model and period, every metric a field.
    let mut command = bin(&moto);
    command.args([
        "metrics",
        "pull",
        "--since",
        &iso(base),
        "--until",
        &iso(base + 600_000),
        "--format",
        "elastic",
    ]);
    let output = run(command).await;
    let documents: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let llama = documents
        .iter()
        .find(|d| {
            d["aws_bedrock"]["runtime"]["model_id"] == LLAMA
                && d["@timestamp"] == json!(format!("{}.000Z", iso(base)))
        })
        .expect("a llama document");
    assert_eq!(llama["aws_bedrock"]["runtime"]["invocations"], 3.0);
    assert_eq!(llama["aws_bedrock"]["runtime"]["invocation_latency"], 200.0);
    assert_eq!(llama["aws_bedrock"]["runtime"]["input_token_count"], 14.0);
    assert!(
        documents
            .iter()
            .any(|d| d["data_stream"]["dataset"] == "aws_bedrock.guardrails")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_names_the_period_where_logs_hold_fewer_invocations() {
    let moto = tokio::task::spawn_blocking(Moto::start).await.unwrap();
    let base = seed(&moto).await;
    // The logs hold 3 llama calls in the first period (as counted) and 3 of 4 in the second:
    // one call went unlogged. Claude's 5 are not in the logs at all.
    let record = |id: usize, at: i64| {
        json!({
            "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "timestamp": format!("{}Z", iso(at)), "accountId": "123456789012",
            "region": "us-east-1", "requestId": format!("r-{id}"), "operation": "InvokeModel",
            "modelId": LLAMA,
            "input": {"inputBodyJson": {"prompt": "hi"}, "inputTokenCount": if id < 3 { 14 / 3 + u64::from(id == 0) * 2 } else { 5 }},
            "output": {"outputBodyJson": {"generation": "yo", "stop_reason": "stop"}, "outputTokenCount": 0}
        })
        .to_string()
    };
    let text: String = [
        record(0, base + 10_000),
        record(1, base + 11_000),
        record(2, base + 70_000),
        record(3, base + 305_000),
        record(4, base + 306_000),
        record(5, base + 307_000),
    ]
    .iter()
    .map(|r| format!("{r}\n"))
    .collect();
    let dir = std::env::temp_dir().join(format!("bedrock-llm-reconcile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("logs.ndjson");
    std::fs::write(&file, text).unwrap();

    let mut command = bin(&moto);
    command.args(["metrics", "reconcile"]).arg(&file).args([
        "--since",
        &iso(base),
        "--until",
        &iso(base + 600_000),
        "--period",
        "300",
        "--format",
        "json",
    ]);
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let gap = rows
        .iter()
        .find(|r| r["model_id"] == LLAMA && r["metric"] == "Invocations")
        .unwrap_or_else(|| panic!("no llama invocation gap: {rows:?}"));
    assert_eq!(
        gap["timestamp"],
        json!(format!("{}.000Z", iso(base + 300_000)))
    );
    assert_eq!(
        (
            gap["cloudwatch"].clone(),
            gap["logs"].clone(),
            gap["difference"].clone()
        ),
        (json!(4.0), json!(3.0), json!(1.0))
    );
    // The first period's invocations agree: no row for them.
    assert!(!rows.iter().any(|r| r["model_id"] == LLAMA
        && r["metric"] == "Invocations"
        && r["timestamp"] == json!(format!("{}.000Z", iso(base)))));
    let claude = rows
        .iter()
        .find(|r| r["model_id"] == CLAUDE)
        .expect("claude, unlogged");
    assert_eq!(claude["difference"], 5.0);

    // The table says the same.
    let mut command = bin(&moto);
    command.args(["metrics", "reconcile"]).arg(&file).args([
        "--since",
        &iso(base),
        "--until",
        &iso(base + 600_000),
    ]);
    let table = String::from_utf8_lossy(&run(command).await.stdout).into_owned();
    assert!(table.starts_with("MODEL"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.contains(LLAMA) && l.contains("Invocations") && l.contains("+1")),
        "{table}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulled_points_reach_new_relic_otlp_and_elasticsearch_dated_at_their_periods() {
    use bedrock_llm_tests::{elastic_receiver, newrelic_receiver, otlp_receiver};
    let moto = tokio::task::spawn_blocking(Moto::start).await.unwrap();
    let base = seed(&moto).await;
    let new_relic = newrelic_receiver::Receiver::start(Vec::new())
        .await
        .unwrap();
    let collector = otlp_receiver::Receiver::start(Vec::new()).await.unwrap();
    let cluster = elastic_receiver::Receiver::start(Vec::new()).await.unwrap();
    let pull = || {
        let mut command = bin(&moto);
        command
            .env("NEW_RELIC_LICENSE_KEY", newrelic_receiver::KEY)
            .env("NEW_RELIC_ACCOUNT_ID", newrelic_receiver::ACCOUNT)
            .env("ELASTIC_API_KEY", elastic_receiver::KEY)
            .args([
                "metrics",
                "pull",
                "--since",
                &iso(base),
                "--until",
                &iso(base + 600_000),
            ])
            .args(["--to", "newrelic", "--to", "otlp", "--to", "elasticsearch"])
            .args(["--endpoint", &format!("newrelic={}", new_relic.url())])
            .args(["--endpoint", &format!("otlp={}", collector.url())])
            .args(["--endpoint", &format!("elasticsearch={}", cluster.url())]);
        command
    };
    let output = run(pull()).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");

    // New Relic: gauges at the period's start.
    let gauges: Vec<Value> = new_relic
        .metric_blocks()
        .iter()
        .flat_map(|b| b["metrics"].as_array().cloned().unwrap_or_default())
        .collect();
    let invocations = gauges
        .iter()
        .find(|m| {
            m["name"] == "aws.bedrock.invocations"
                && m["attributes"]["model_id"] == LLAMA
                && m["timestamp"] == base
        })
        .unwrap_or_else(|| panic!("{gauges:?}"));
    assert_eq!(invocations["value"], 3.0);
    assert_eq!(invocations["type"], "gauge");

    // OTLP: a gauge point dated at the period's start, decoded with the official protobuf types.
    let metrics = collector.metrics();
    let (_, latency) = metrics
        .iter()
        .find(|(_, m)| m.name == "aws.bedrock.invocation_latency")
        .expect("an OTLP latency gauge");
    let Some(opentelemetry_proto::tonic::metrics::v1::metric::Data::Gauge(gauge)) = &latency.data
    else {
        panic!("not a gauge: {latency:?}");
    };
    let first = gauge
        .data_points
        .iter()
        .find(|p| p.time_unix_nano == (base as u64) * 1_000_000)
        .expect("a point at the period's start");
    assert_eq!(
        first.value,
        Some(opentelemetry_proto::tonic::metrics::v1::number_data_point::Value::AsDouble(200.0))
    );

    // Elasticsearch: runtime documents; pulling again creates nothing new.
    let runtime_docs = |cluster: &elastic_receiver::Receiver| {
        cluster
            .documents()
            .into_iter()
            .filter(|((index, _), _)| index == "metrics-aws_bedrock.runtime-default")
            .count()
    };
    let before = runtime_docs(&cluster);
    assert!(before >= 3, "{before}");
    let again = run(pull()).await;
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(runtime_docs(&cluster), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_pulls_each_period_once_across_restarts() {
    let moto = tokio::task::spawn_blocking(Moto::start).await.unwrap();
    let base = seed(&moto).await;
    let dir = std::env::temp_dir().join(format!("bedrock-llm-pull-follow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.json");
    let follow = || {
        let mut command = bin(&moto);
        command
            .args(["metrics", "pull", "--follow", "--since", &iso(base)])
            .args(["--lag", "0", "--poll", "1", "--idle-exit", "2", "--state"])
            .arg(&state);
        command
    };
    let first = run(follow()).await;
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let points: Vec<Value> = String::from_utf8_lossy(&first.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        points
            .iter()
            .any(|p| p["metric"] == "Invocations" && p["value"] == 4.0),
        "the second period: {points:?}"
    );
    // Restarted with the same state: every complete period was pulled; nothing again.
    let second = run(follow()).await;
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&second.stdout),
        "",
        "no period twice"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
