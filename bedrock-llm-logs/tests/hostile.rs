//! The reader on inputs a real deployment meets and an attacker sends: every good record comes
//! out, every bad line is reported with its file and line, and memory stays bounded.
// Helpers as well as tests panic: that is how a test fails (the `tests` crate allows it crate-wide).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Cursor, Write};
use std::time::Duration;

use bedrock_llm_events::RuntimeMetrics;
use bedrock_llm_logs::ReadOptions;
use bedrock_llm_logs::{LogReader, ReadItem, Source, replay};

fn record(request_id: &str) -> String {
    format!(
        r#"{{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2024-04-18T22:54:57Z","operation":"InvokeModel","modelId":"meta.llama3-70b-instruct-v1:0","requestId":"{request_id}","input":{{"inputBodyJson":{{"prompt":"hi"}},"inputTokenCount":3}},"output":{{"outputBodyJson":{{"generation":"yo","stop_reason":"stop","prompt_token_count":3,"generation_token_count":1}},"outputTokenCount":1}}}}"#
    )
}

/// Request ids of the records, and the skips as text.
fn read(reader: LogReader) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut ids, mut skips, mut unreadable) = (Vec::new(), Vec::new(), Vec::new());
    for item in reader {
        match item {
            ReadItem::Record(read) => ids.push(read.record.request_id.clone().unwrap_or_default()),
            ReadItem::Skipped(skip) => skips.push(skip.to_string()),
            ReadItem::Unreadable { path, reason } => unreadable.push(format!("{path}: {reason}")),
        }
    }
    (ids, skips, unreadable)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn from_bytes(bytes: Vec<u8>, options: ReadOptions) -> LogReader {
    LogReader::from_reader("input", Cursor::new(bytes), options)
}

#[test]
fn a_line_that_is_not_utf8_is_skipped_and_the_rest_is_read() {
    let text = format!("{}\n\u{0}\n{}\n", record("a"), record("b")).replace('\u{0}', "");
    let mut bytes = text.into_bytes();
    // Line 2 becomes `\xff` and line 3 gets a stray continuation byte inside a string.
    let at = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
    bytes.insert(at, 0xff);
    let mut third = format!("{}\n", record("c")).into_bytes();
    let bad_at = third.len() - 10;
    third.insert(bad_at, 0x80);
    bytes.extend(third);
    bytes.extend(format!("{}\n", record("d")).into_bytes());
    for input in [bytes.clone(), gzip(&bytes)] {
        let (ids, skips, unreadable) = read(from_bytes(input, ReadOptions::default()));
        assert_eq!(ids, ["a", "b", "d"]);
        assert_eq!(
            skips,
            [
                "input:2: not UTF-8 (invalid byte at offset 0)".to_owned(),
                format!("input:4: not UTF-8 (invalid byte at offset {bad_at})")
            ]
        );
        assert!(unreadable.is_empty());
    }
}

#[test]
fn an_oversized_line_is_skipped_without_being_held() {
    let long = format!(
        r#"{{"modelId":"m","operation":"InvokeModel","pad":"{}"}}"#,
        "x".repeat(5000)
    );
    let text = format!("{}\n{long}\n{}\n{long}", record("a"), record("b"));
    let options = ReadOptions::default().max_record_bytes(1024);
    let (ids, skips, _) = read(from_bytes(text.clone().into_bytes(), options.clone()));
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(skips.len(), 2, "{skips:?}");
    assert!(
        skips[0].starts_with("input:2: record of 5050 bytes is over the limit of 1024 bytes"),
        "{skips:?}"
    );
    // The last line has no newline: still reported, with its own line number.
    assert!(
        skips[1].starts_with("input:4: record of 5050 bytes"),
        "{skips:?}"
    );
    // A record exactly at the cap is read.
    let exact = record("c");
    let options = ReadOptions::default().max_record_bytes(exact.len());
    let (ids, skips, _) = read(from_bytes(format!("{exact}\n").into_bytes(), options));
    assert_eq!((ids.len(), skips.len()), (1, 0));
}

/// `member` repeated: a gzip stream of many members, which `MultiGzDecoder` reads as one, so a
/// small file decompresses to `count` times `member`'s text.
fn bomb(text: &[u8], count: usize) -> Vec<u8> {
    let member = gzip(text);
    member.repeat(count)
}

#[test]
fn a_gzip_bomb_of_one_endless_line_is_skipped_in_bounded_memory() {
    // 64 MiB of zeros without a newline, then a good record.
    let mut bytes = bomb(&vec![b'0'; 1 << 20], 64);
    bytes.extend(gzip(format!("\n{}\n", record("after")).as_bytes()));
    let mut reader = from_bytes(bytes, ReadOptions::default().max_record_bytes(1 << 20));
    let mut ids = Vec::new();
    let mut skips = Vec::new();
    for item in &mut reader {
        match item {
            ReadItem::Record(read) => ids.push(read.record.request_id.clone().unwrap()),
            ReadItem::Skipped(skip) => skips.push(skip.to_string()),
            ReadItem::Unreadable { reason, .. } => panic!("{reason}"),
        }
    }
    assert_eq!(ids, ["after"]);
    assert_eq!(
        skips,
        [
            "input:1: record of 67108864 bytes is over the limit of 1048576 bytes (--max-record-bytes)"
        ]
    );
    assert!(reader.bytes_read() > 64 << 20);
}

#[test]
fn a_lone_brace_first_line_is_not_buffered_past_the_cap() {
    // `{` then 40,000 junk lines: not a document, and far over the 64 KiB cap.
    let mut text = String::from("{\n  \"a\": [\n");
    for _ in 0..40_000 {
        text.push_str("junk line\n");
    }
    text.push_str(&record("last"));
    text.push('\n');
    let options = ReadOptions::default().max_record_bytes(64 * 1024);
    let (ids, skips, _) = read(from_bytes(text.into_bytes(), options));
    assert_eq!(ids, ["last"]);
    // Runs of lines skipped for one reason come out as one range.
    assert!(
        skips
            .iter()
            .any(|s| s.starts_with("input:2-40002: not a JSON object (40001 lines)")),
        "{skips:?}"
    );
    // A pretty-printed document within the cap is still read whole.
    let pretty = serde_json::to_string_pretty(
        &serde_json::json!({"events": [{"message": record("pretty")}]}),
    )
    .unwrap();
    let (ids, skips, _) = read(from_bytes(pretty.into_bytes(), ReadOptions::default()));
    assert_eq!((ids, skips.len()), (vec!["pretty".to_owned()], 0));
}

#[test]
fn a_wrongly_typed_metadata_field_costs_the_field_not_the_record() {
    let mut value: serde_json::Value = serde_json::from_str(&record("r")).unwrap();
    value["identity"] = serde_json::json!("arn:aws:iam::1:user/x");
    value["region"] = serde_json::json!(7);
    value["input"]["inputTokenCount"] = serde_json::json!("many");
    value["output"]["outputTokenCount"] = serde_json::json!(1e30);
    value["timestamp"] = serde_json::json!("292277026596-12-04T15:30:07Z");
    value["requestMetadata"] = serde_json::json!(["not", "a", "map"]);
    let mut reader = from_bytes(value.to_string().into_bytes(), ReadOptions::default());
    let Some(ReadItem::Record(kept)) = reader.next() else {
        panic!("the record is kept");
    };
    let dropped: Vec<&str> = kept.dropped.iter().map(|d| d.path).collect();
    assert_eq!(
        dropped,
        [
            "$.identity",
            "$.input.inputTokenCount",
            "$.output.outputTokenCount",
            "$.region",
            "$.requestMetadata",
            "$.timestamp",
        ]
    );
    assert!(kept.record.identity.is_none() && kept.record.timestamp.is_none());
    assert_eq!(kept.record.request_id.as_deref(), Some("r"));
    // Its bodies still replay.
    let invocation = replay(&kept.record, bedrock_llm_models::registry());
    assert_eq!(invocation.response.unwrap().messages[0].content, "yo");

    // Without a usable modelId or operation there is no record to keep.
    for (key, value) in [
        ("modelId", serde_json::json!(5)),
        ("operation", serde_json::json!(null)),
    ] {
        let mut broken: serde_json::Value = serde_json::from_str(&record("x")).unwrap();
        broken[key] = value;
        let (ids, skips, _) = read(from_bytes(
            broken.to_string().into_bytes(),
            ReadOptions::default(),
        ));
        assert!(ids.is_empty());
        assert_eq!(skips, [format!("input:1: record has no usable {key}")]);
    }
}

#[test]
fn a_huge_wrongly_typed_value_is_quoted_short_or_not_at_all() {
    let mut value: serde_json::Value = serde_json::from_str(&record("r")).unwrap();
    let secret = format!("SECRET{}", "s".repeat(10 << 20));
    value["input"]["inputTokenCount"] = serde_json::json!(secret);
    let line = value.to_string().into_bytes();
    for (quote, longest) in [(true, 200), (false, 120)] {
        let options = ReadOptions::default().quote_values(quote);
        let Some(ReadItem::Record(read)) = from_bytes(line.clone(), options).next() else {
            panic!("the record is kept");
        };
        let reason = &read.dropped[0].reason;
        assert!(reason.len() < longest, "{} bytes", reason.len());
        assert_eq!(reason.contains("SECRET"), quote, "{reason}");
    }
}

#[test]
fn hostile_numbers_saturate_instead_of_overflowing() {
    let mut value: serde_json::Value = serde_json::from_str(&record("r")).unwrap();
    value["output"]["outputBodyJson"]["prompt_token_count"] = serde_json::json!(u64::MAX);
    value["output"]["outputBodyJson"]["generation_token_count"] = serde_json::json!(u64::MAX);
    let line = value.to_string();
    let mut metrics = RuntimeMetrics::new(Duration::from_secs(60)).unwrap();
    for _ in 0..3 {
        let Some(ReadItem::Record(read)) =
            from_bytes(line.clone().into_bytes(), ReadOptions::default()).next()
        else {
            panic!("a record");
        };
        let invocation = replay(&read.record, bedrock_llm_models::registry());
        assert_eq!(
            invocation.usage().map(|(u, _)| u.total()),
            Some(Some(u64::MAX))
        );
        metrics.add(&invocation);
    }
    let (_, _, figures) = metrics.figures().next().unwrap();
    assert_eq!((figures.input_tokens, figures.invocations), (u64::MAX, 3));
}

#[test]
fn runtime_metrics_refuse_periods_and_namespaces_cloudwatch_would_not_take() {
    for seconds in [0, 7, 45, 90, 86_460, u64::MAX] {
        assert!(
            RuntimeMetrics::new(Duration::from_secs(seconds)).is_err(),
            "{seconds}"
        );
    }
    assert!(RuntimeMetrics::new(Duration::from_millis(60_500)).is_err());
    for seconds in [1, 5, 10, 20, 30, 60, 300, 3600, 86_400] {
        assert!(
            RuntimeMetrics::new(Duration::from_secs(seconds)).is_ok(),
            "{seconds}"
        );
    }
    let metrics = RuntimeMetrics::new(Duration::from_secs(60)).unwrap();
    assert_eq!(metrics.namespace(), "BedrockLlm/Runtime");
    assert!(metrics.clone().with_namespace("AWS/Bedrock").is_err());
    assert!(metrics.clone().with_namespace("").is_err());
    assert!(metrics.clone().with_namespace("bad\nname").is_err());
    assert_eq!(
        metrics.with_namespace("Acme/LLM").unwrap().namespace(),
        "Acme/LLM"
    );
}

#[cfg(unix)]
#[test]
fn directories_are_walked_once_per_file_through_loops_and_bad_links() {
    use std::os::unix::fs::symlink;
    let dir = std::env::temp_dir().join(format!("bedrock-llm-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a/b")).unwrap();
    std::fs::write(dir.join("a/b/one.ndjson"), record("one") + "\n").unwrap();
    std::fs::write(dir.join("two.ndjson"), record("two") + "\n").unwrap();
    symlink("..", dir.join("a/b/up")).unwrap(); // a loop back to an ancestor
    symlink("self-b", dir.join("self-a")).unwrap(); // two links to each other
    symlink("self-a", dir.join("self-b")).unwrap();
    symlink("two.ndjson", dir.join("alias.ndjson")).unwrap(); // the same file twice
    symlink("missing", dir.join("dangling")).unwrap();
    let (ids, skips, unreadable) = read(LogReader::new([
        Source::Path(dir.clone()),
        Source::Path(dir.join("two.ndjson")),
        Source::Path(dir.join("absent.ndjson")),
    ]));
    std::fs::remove_dir_all(&dir).unwrap();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, ["one", "two"], "{ids:?}");
    assert_eq!(skips.len(), 1, "{skips:?}");
    assert!(
        skips[0].contains("a/b/up: a symlink loop back to"),
        "{skips:?}"
    );
    assert_eq!(unreadable.len(), 4, "{unreadable:?}");
    for name in ["dangling", "self-a", "self-b", "absent.ndjson"] {
        assert!(
            unreadable.iter().any(|u| u.contains(name)),
            "{name}: {unreadable:?}"
        );
    }
}

#[test]
fn every_optional_field_of_every_wrong_type_keeps_the_record() {
    let paths: &[&[&str]] = &[
        &["schemaType"],
        &["schemaVersion"],
        &["timestamp"],
        &["accountId"],
        &["identity"],
        &["identity", "arn"],
        &["region"],
        &["requestId"],
        &["input"],
        &["input", "inputContentType"],
        &["input", "inputBodyS3Path"],
        &["input", "inputTokenCount"],
        &["input", "cacheReadInputTokenCount"],
        &["input", "cacheWriteInputTokenCount"],
        &["output"],
        &["output", "outputContentType"],
        &["output", "outputBodyS3Path"],
        &["output", "outputTokenCount"],
        &["errorCode"],
        &["inferenceRegion"],
        &["requestMetadata"],
        &["status"],
    ];
    let wrong = [
        serde_json::json!("text"),
        serde_json::json!(-1),
        serde_json::json!(1.5),
        serde_json::json!(true),
        serde_json::json!([1, "a"]),
        serde_json::json!({"a": 1}),
        serde_json::json!(1e300),
    ];
    let mut variants = 0;
    for path in paths {
        for value in &wrong {
            let mut record: serde_json::Value = serde_json::from_str(&record("v")).unwrap();
            let mut slot = &mut record;
            for key in &path[..path.len() - 1] {
                if !slot[*key].is_object() {
                    slot[*key] = serde_json::json!({});
                }
                slot = &mut slot[*key];
            }
            slot[path[path.len() - 1]] = value.clone();
            let (ids, skips, _) = read(from_bytes(
                record.to_string().into_bytes(),
                ReadOptions::default(),
            ));
            assert_eq!(ids.len(), 1, "{path:?} = {value}: {skips:?}");
            variants += 1;
        }
    }
    assert_eq!(variants, paths.len() * wrong.len());
}
