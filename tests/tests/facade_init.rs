//! `init_from_env` as a user meets it: a fresh process whose environment names New Relic, a
//! real SDK client with the interceptor added, calls over SigV4 to the emulator on 127.0.0.1,
//! and the process ending — what was recorded reaches a receiver that enforces the Event API.
//!
//! The settings are process environment, which a test may not change in place (`set_var` is
//! unsafe and the workspace forbids it), so this binary runs itself as the user's process: with
//! `FACADE_CHILD` set it is the application, otherwise it starts the receiver and emulator and
//! checks what each child did. `harness = false` for that reason.

use std::collections::BTreeSet;
use std::process::{Command, ExitCode, Output};
use std::time::Duration;

use aws_sdk_bedrockruntime::config::Credentials;
use aws_sdk_bedrockruntime::primitives::Blob;
use bedrock_llm::core::client::{SdkTarget, sdk_config};
use bedrock_llm_tests::newrelic_receiver::{ACCOUNT, KEY, Receiver};
use bedrock_llm_tests::{elastic_receiver, otlp_receiver};

const CHILD: &str = "FACADE_CHILD";
const EMULATOR: &str = "FACADE_EMULATOR_URL";

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("no runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match std::env::var(CHILD).ok().as_deref() {
        Some(mode) => runtime.block_on(child(mode)),
        None => {
            runtime.block_on(parent());
            println!("init: every scenario held");
            ExitCode::SUCCESS
        }
    }
}

/// The application: two lines of setup, every sample called, then the ending `mode` names.
async fn child(mode: &str) -> ExitCode {
    let bedrock = match bedrock_llm::init_from_env() {
        Ok(bedrock) => bedrock,
        Err(e) => {
            println!("init failed: {e}");
            return ExitCode::from(3);
        }
    };
    println!("destinations={}", bedrock.destinations().join(","));
    // The emulator's signing identity; SigV4 is checked on every request.
    let target = SdkTarget {
        region: "us-east-1".to_owned(),
        credentials: Credentials::new("AKIDEMULATOR", "emulator-secret", None, None, "test"),
        endpoint_url: std::env::var(EMULATOR).ok(),
        max_attempts: None,
        attempt_timeout: Some(Duration::from_secs(5)),
    };
    let config = sdk_config(&target)
        .to_builder()
        .interceptor(bedrock.interceptor())
        .build();
    let client = aws_sdk_bedrockruntime::Client::from_conf(config);
    for sample in bedrock_llm_models::samples::all().unwrap_or_default() {
        let sent = client
            .invoke_model()
            .model_id(sample.model_id)
            .body(Blob::new(sample.request.clone()))
            .send()
            .await;
        if let Err(e) = sent {
            println!("call to {} failed: {e}", sample.model_id);
            return ExitCode::from(4);
        }
    }
    match mode {
        // Dropped on a runtime thread: the delivery it does must not block or panic there.
        "drop" => drop(bedrock),
        _ => {
            let report = bedrock.shutdown(Duration::from_secs(10));
            println!(
                "sent={} dropped={}",
                report.events_sent, report.events_dropped
            );
        }
    }
    ExitCode::SUCCESS
}

fn run_child(mode: &str, env: &[(&str, &str)], emulator_url: &str) -> Output {
    let exe = std::env::current_exe().unwrap();
    let mut command = Command::new(exe);
    for name in [
        "NEW_RELIC_LICENSE_KEY",
        "NEW_RELIC_ACCOUNT_ID",
        "BEDROCK_LLM_ENABLED",
        "NEW_RELIC_AI_MONITORING_ENABLED",
        bedrock_llm::NEW_RELIC_ENDPOINT_VAR,
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_SDK_DISABLED",
        "NEW_RELIC_HOST",
        "ELASTICSEARCH_URL",
        "ELASTIC_CLOUD_ID",
        "ELASTIC_API_KEY",
    ] {
        command.env_remove(name);
    }
    command
        .env(CHILD, mode)
        .env(EMULATOR, emulator_url)
        .envs(env.iter().copied());
    command.output().expect("the child starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn parent() {
    let emulator = bedrock_llm_emulator::Emulator::builder()
        .start()
        .await
        .unwrap();
    let samples = bedrock_llm_models::samples::all().unwrap();
    assert!(samples.len() > 5, "the samples are missing");
    let url = emulator.endpoint_url();

    // Ended by dropping the handle: everything recorded arrives, once.
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let receiver_url = receiver.url();
    let new_relic = [
        ("NEW_RELIC_LICENSE_KEY", KEY),
        ("NEW_RELIC_ACCOUNT_ID", ACCOUNT),
        ("BEDROCK_LLM_ENABLED", "true"),
        (bedrock_llm::NEW_RELIC_ENDPOINT_VAR, receiver_url.as_str()),
    ];
    let dropped = tokio::task::block_in_place(|| run_child("drop", &new_relic, &url));
    let stdout = text(&dropped.stdout);
    assert!(
        dropped.status.success(),
        "{stdout}\n{}",
        text(&dropped.stderr)
    );
    assert!(stdout.contains("destinations=newrelic"), "{stdout}");
    let events = receiver.events();
    let summaries = |events: &[serde_json::Value]| {
        events
            .iter()
            .filter(|e| {
                e["eventType"] == "LlmChatCompletionSummary" || e["eventType"] == "LlmEmbedding"
            })
            .count()
    };
    assert_eq!(summaries(&events), samples.len(), "one summary per call");
    assert!(events.iter().all(|e| e["appName"] == "bedrock-llm"));

    // Ended by `shutdown`: the report counts what the receiver holds.
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let receiver_url = receiver.url();
    let mut env = new_relic;
    env[3].1 = receiver_url.as_str();
    let shut = tokio::task::block_in_place(|| run_child("shutdown", &env, &url));
    let stdout = text(&shut.stdout);
    assert!(shut.status.success(), "{stdout}\n{}", text(&shut.stderr));
    let events = receiver.events();
    assert_eq!(summaries(&events), samples.len());
    assert!(
        stdout.contains(&format!("sent={} dropped=0", events.len())),
        "{stdout}"
    );

    // New Relic and OpenTelemetry both named: each gets every call.
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let collector = otlp_receiver::Receiver::start(Vec::new()).await.unwrap();
    let (receiver_url, collector_url) = (receiver.url(), collector.url());
    let mut both = new_relic.to_vec();
    both[3].1 = receiver_url.as_str();
    both.push(("OTEL_EXPORTER_OTLP_ENDPOINT", collector_url.as_str()));
    let fanned = tokio::task::block_in_place(|| run_child("shutdown", &both, &url));
    let stdout = text(&fanned.stdout);
    assert!(
        fanned.status.success(),
        "{stdout}\n{}",
        text(&fanned.stderr)
    );
    assert!(stdout.contains("destinations=newrelic,otlp"), "{stdout}");
    assert_eq!(summaries(&receiver.events()), samples.len());
    let models: BTreeSet<String> = collector.span_values("gen_ai.request.model");
    let called: BTreeSet<String> = samples.iter().map(|s| s.model_id.to_owned()).collect();
    assert_eq!(models, called, "a span for every model called");

    // Elasticsearch named: every live call is an invocation document, and the minute's runtime
    // figures a runtime document.
    let cluster = elastic_receiver::Receiver::start(Vec::new()).await.unwrap();
    let cluster_url = cluster.url();
    let elastic = [
        ("ELASTICSEARCH_URL", cluster_url.as_str()),
        ("ELASTIC_API_KEY", elastic_receiver::KEY),
        ("BEDROCK_LLM_ENABLED", "true"),
    ];
    let shipped = tokio::task::block_in_place(|| run_child("shutdown", &elastic, &url));
    let stdout = text(&shipped.stdout);
    assert!(
        shipped.status.success(),
        "{stdout}\n{}",
        text(&shipped.stderr)
    );
    assert!(stdout.contains("destinations=elasticsearch"), "{stdout}");
    let documents = cluster.documents();
    let invocations: Vec<&serde_json::Value> = documents
        .iter()
        .filter(|((index, _), _)| index == "logs-aws_bedrock.invocation-default")
        .map(|(_, document)| document)
        .collect();
    assert_eq!(invocations.len(), samples.len(), "a document per call");
    let models: BTreeSet<String> = invocations
        .iter()
        .map(|d| {
            d["gen_ai"]["request"]["model"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let called: BTreeSet<String> = samples.iter().map(|s| s.model_id.to_owned()).collect();
    assert_eq!(models, called);
    assert!(
        invocations
            .iter()
            .all(|d| d["event"]["action"] == "InvokeModel"
                && d["cloud"]["region"] == "us-east-1"
                && d["gen_ai"]["request"]["id"].is_string())
    );
    assert!(
        documents
            .keys()
            .any(|(index, _)| index == "metrics-aws_bedrock.runtime-default"),
        "runtime documents too"
    );

    // New Relic configured, recording off: said on stderr, nothing sent, calls unharmed.
    let receiver = Receiver::start(Vec::new()).await.unwrap();
    let receiver_url = receiver.url();
    let off = [
        ("NEW_RELIC_LICENSE_KEY", KEY),
        ("NEW_RELIC_ACCOUNT_ID", ACCOUNT),
        (bedrock_llm::NEW_RELIC_ENDPOINT_VAR, receiver_url.as_str()),
    ];
    let quiet = tokio::task::block_in_place(|| run_child("shutdown", &off, &url));
    let stderr = text(&quiet.stderr);
    assert!(quiet.status.success(), "{stderr}");
    assert!(
        stderr.contains("newrelic configured, but recording is off")
            && stderr.contains("BEDROCK_LLM_ENABLED=true"),
        "{stderr}"
    );
    assert_eq!(summaries(&receiver.events()), 0);

    // A license key without an account id: init says which setting is missing.
    let half = [
        ("NEW_RELIC_LICENSE_KEY", KEY),
        ("BEDROCK_LLM_ENABLED", "true"),
    ];
    let failed = tokio::task::block_in_place(|| run_child("shutdown", &half, &url));
    let stdout = text(&failed.stdout);
    assert_eq!(failed.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("newrelic: NEW_RELIC_ACCOUNT_ID is not set"),
        "{stdout}"
    );

    // NEW_RELIC_HOST as the agents read it: a proxy's name is refused with what to do instead.
    let proxied = [
        ("NEW_RELIC_LICENSE_KEY", KEY),
        ("NEW_RELIC_ACCOUNT_ID", ACCOUNT),
        ("NEW_RELIC_HOST", "proxy.internal"),
    ];
    let refused = tokio::task::block_in_place(|| run_child("shutdown", &proxied, &url));
    let stdout = text(&refused.stdout);
    assert_eq!(refused.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("NEW_RELIC_HOST is `proxy.internal`, not a New Relic collector"),
        "{stdout}"
    );

    // Nothing configured: recording runs with no destination, and calls still succeed.
    let bare = tokio::task::block_in_place(|| run_child("shutdown", &[], &url));
    let stdout = text(&bare.stdout);
    assert!(bare.status.success(), "{stdout}\n{}", text(&bare.stderr));
    assert!(stdout.contains("destinations=\n"), "{stdout}");
}
