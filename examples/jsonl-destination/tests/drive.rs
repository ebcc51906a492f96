//! The outside destination, driven by a live `Harvester` and by the library's replay — the
//! glue a user writes is the few lines marked in each test.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bedrock_llm_core::{Invocation, Operation};
use bedrock_llm_events::{CallContext, Config, Recorder, RuntimeMetrics};
use bedrock_llm_export::destination::{Destination, replay_into};
use bedrock_llm_export::destination::Fanout;
use bedrock_llm_export::{HarvestOptions, Harvester};
use bedrock_llm_logs::{LogReader, Source};
use jsonl_destination::JsonlFiles;
use serde_json::{Value, json};

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jsonl-destination-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Every line of every file under `dir`, in file order.
fn lines(dir: &Path) -> (usize, Vec<Value>) {
    let mut files = 0;
    let mut out = Vec::new();
    while let Ok(text) = std::fs::read_to_string(JsonlFiles::path(dir, files as u32)) {
        files += 1;
        out.extend(
            text.lines()
                .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line")),
        );
    }
    (files, out)
}

fn llama(request_id: &str) -> Value {
    json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": "2025-06-01T10:00:00Z", "accountId": "123456789012", "region": "us-east-1",
        "requestId": request_id, "operation": "InvokeModel", "modelId": "meta.llama3-8b-instruct-v1:0",
        "input": {"inputBodyJson": {"prompt": "Say hi", "max_gen_len": 20}, "inputTokenCount": 3},
        "output": {"outputBodyJson": {"generation": "Hi!", "stop_reason": "stop",
            "prompt_token_count": 3, "generation_token_count": 2}, "outputTokenCount": 2},
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_harvester_ships_recorded_calls_to_the_files() {
    let dir = scratch("live");
    let recorder = Arc::new(Recorder::new(Config::default().enabled()));
    // Glue: the destination, and a harvester that drives it.
    let files = JsonlFiles::new(&dir, 1 << 20, Config::default().enabled()).unwrap();
    let harvester = Harvester::spawn(
        recorder.clone(),
        Box::new(files) as Box<dyn Destination>,
        HarvestOptions::default().interval(Duration::from_secs(3600)),
    );
    for n in 0..3 {
        let mut call = Invocation::new("meta.llama3-8b-instruct-v1:0", Operation::InvokeModel);
        call.request_id = Some(format!("live-{n}"));
        bedrock_llm_models::registry().read_bodies(
            &mut call,
            Some(br#"{"prompt": "Say hi", "max_gen_len": 20}"#),
            Some(br#"{"generation": "Hi!", "stop_reason": "stop"}"#),
        );
        recorder.record(&call, &CallContext::detached());
    }
    let report = harvester.shutdown(Duration::from_secs(10)).await;
    let (_, events) = lines(&dir);
    // A summary and two messages per call.
    assert_eq!(events.len(), 9);
    assert_eq!(report.events_sent, 9);
    let summaries = events
        .iter()
        .filter(|e| e["eventType"] == "LlmChatCompletionSummary")
        .count();
    assert_eq!(summaries, 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_library_replay_writes_the_records_events_rotating_files() {
    let dir = scratch("replay");
    let log = dir.join("logs.ndjson");
    std::fs::create_dir_all(&dir).unwrap();
    let records: Vec<String> = (0..20)
        .map(|n| llama(&format!("r-{n}")).to_string())
        .collect();
    std::fs::write(&log, records.join("\n")).unwrap();
    let run = |out: &Path| {
        // Glue: read the logs, replay them into the destination.
        let files = JsonlFiles::new(out, 2_000, Config::default().enabled()).unwrap();
        let mut destinations = Fanout::new(vec![Box::new(files)]);
        let mut metrics = RuntimeMetrics::new(Duration::from_secs(60)).unwrap();
        let reader = LogReader::new([Source::Path(log.clone())]);
        let counts = replay_into(
            reader,
            bedrock_llm_models::registry(),
            &mut destinations,
            &mut metrics,
        )
        .unwrap();
        let ended = destinations.shutdown(std::time::Instant::now() + Duration::from_secs(5));
        assert!(ended.iter().all(|e| e.delivered()), "{ended:?}");
        counts.records
    };
    assert_eq!(run(&dir.join("first")), 20);
    let (files, first) = lines(&dir.join("first"));
    assert_eq!(first.len(), 60, "three events a record");
    assert!(files > 1, "2,000-byte files rotate: {files}");
    // Replayed ids are derived from the records: a second run writes the same lines.
    run(&dir.join("second"));
    assert_eq!(lines(&dir.join("second")).1, first);
    assert!(first.iter().all(|e| e["trace_id"].is_string()));
    std::fs::remove_dir_all(&dir).unwrap();
}
