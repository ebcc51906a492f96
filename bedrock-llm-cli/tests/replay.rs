//! `bedrock-llm replay`, run as a user runs it, on records made from every family's sample.

use std::io::Write;
use std::process::{Command, Stdio};

use bedrock_llm_models::samples;
use bedrock_llm_tests::logs::{
    converse_record, guardrail_blocked_converse, invoke_record, stream_record,
};

fn records() -> String {
    let mut lines: Vec<String> = Vec::new();
    let all = samples::all().unwrap_or_default();
    assert!(!all.is_empty(), "the samples build");
    for sample in all {
        lines.push(invoke_record(&sample).to_string());
        if let Some(stream) = stream_record(&sample) {
            lines.push(stream.to_string());
        }
    }
    lines.push(converse_record("Converse").to_string());
    lines.push(converse_record("ConverseStream").to_string());
    lines.push(guardrail_blocked_converse().to_string());
    lines.join("\n") + "\n"
}

fn replay(args: &[&str], input: &str) -> std::io::Result<std::process::Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bedrock-llm"))
        .arg("replay")
        .args(args)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(input.as_bytes()))
        .transpose()?;
    child.wait_with_output()
}

/// Every stdout line as JSON; an error if any line is not.
fn lines(output: &std::process::Output) -> serde_json::Result<Vec<serde_json::Value>> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(serde_json::from_str)
        .collect()
}

#[test]
fn new_relic_events_for_every_record() {
    let input = records();
    let output = replay(&[], &input).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events = lines(&output).unwrap();
    assert!(events.iter().all(|e| e["eventType"].is_string()));
    let summaries = events
        .iter()
        .filter(|e| {
            e["eventType"] == "LlmChatCompletionSummary" || e["eventType"] == "LlmEmbedding"
        })
        .count();
    assert_eq!(summaries, input.lines().count());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{} records read", input.lines().count())),
        "{stderr}"
    );
    assert!(stderr.contains("0 lines skipped"), "{stderr}");
}

#[test]
fn no_content_leaves_every_prompt_and_completion_out() {
    let output = replay(&["--no-content"], &records()).unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    for secret in [
        "Wellington",
        "paperclip",
        "lawyer",
        "refunds",
        "pick a lock",
        "first document",
        "Bonjour",
    ] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    assert!(!text.contains("\"content\"") && !text.contains("\"input\""));
}

#[test]
fn bad_lines_are_reported_and_strict_makes_them_fatal() {
    let input = format!("{}this is not a record\n", records());
    let output = replay(&[], &input).unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = input.lines().count();
    assert!(
        stderr.contains(&format!("skipped -:{line}: not a JSON object")),
        "{stderr}"
    );
    assert!(stderr.contains("1 lines skipped"), "{stderr}");
    let strict = replay(&["--strict"], &input).unwrap();
    assert!(!strict.status.success());
    assert!(
        String::from_utf8_lossy(&strict.stderr)
            .contains(&format!("-:{line}: not a JSON object (--strict)"))
    );
}

#[test]
fn otel_invocation_log_and_metrics_formats() {
    let input = records();
    let otel = lines(&replay(&["--format", "otel"], &input).unwrap()).unwrap();
    assert_eq!(otel.len(), input.lines().count());
    assert!(
        otel.iter()
            .all(|o| o["attributes"]["gen_ai.provider.name"] == "aws.bedrock")
    );
    assert!(
        otel.iter()
            .all(|o| o["attributes"]["cloud.account.id"] == "111122223333")
    );
    let logs = lines(&replay(&["--format", "invocation-log"], &input).unwrap()).unwrap();
    assert!(
        logs.iter()
            .all(|l| l["schemaType"] == "ModelInvocationLog" && l["schemaVersion"] == "1.0")
    );
    let with_metrics = lines(&replay(&["--metrics", "emf"], &input).unwrap()).unwrap();
    let emf: Vec<_> = with_metrics
        .iter()
        .filter(|l| l.get("_aws").is_some())
        .collect();
    assert!(!emf.is_empty());
    // The `ModelId` documents carry every count; image-dimension documents only images.
    let invocations: u64 = emf
        .iter()
        .filter_map(|d| d.get("Invocations"))
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(invocations as usize, input.lines().count());
    let elastic =
        lines(&replay(&["--metrics", "elastic", "--period", "300"], &input).unwrap()).unwrap();
    assert!(
        elastic
            .iter()
            .any(|l| l["data_stream"]["dataset"] == "aws_bedrock.runtime")
    );
}

/// Records of an application inference profile: a Claude body is read by its shape; an
/// OpenAI-style body two families fit is left unread and said in the summary; the user's
/// `BEDROCK_LLM_MODEL_ALIASES` settles it; a malformed alias list stops the run with the entry.
#[test]
fn opaque_model_arns_are_read_by_body_shape_or_alias() {
    const PROFILE: &str =
        "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6";
    let record = |id: &str, input: serde_json::Value, output: serde_json::Value| {
        serde_json::json!({
            "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "timestamp": "2025-06-01T10:00:00Z", "operation": "InvokeModel",
            "modelId": PROFILE, "requestId": id,
            "input": {"inputBodyJson": input}, "output": {"outputBodyJson": output},
        })
        .to_string()
    };
    let input = [
        record(
            "claude",
            serde_json::json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
                "messages": [{"role": "user", "content": "Name a color"}]}),
            serde_json::json!({"id": "msg_1", "role": "assistant", "content": [{"type": "text", "text": "Teal"}],
                "stop_reason": "end_turn", "usage": {"input_tokens": 4, "output_tokens": 1}}),
        ),
        record(
            "openai-style",
            serde_json::json!({"messages": [{"role": "user", "content": "Name a fruit"}], "max_tokens": 20}),
            serde_json::json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "Fig"}, "finish_reason": "stop"}]}),
        ),
    ]
    .join("\n");
    let contents = |output: &std::process::Output| -> Vec<String> {
        lines(output)
            .unwrap()
            .iter()
            .filter_map(|event| event["content"].as_str().map(str::to_owned))
            .collect()
    };
    let run = |aliases: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_bedrock-llm"));
        command.args(["replay", "-"]);
        match aliases {
            Some(text) => command.env("BEDROCK_LLM_MODEL_ALIASES", text),
            None => command.env_remove("BEDROCK_LLM_MODEL_ALIASES"),
        };
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };

    let by_shape = run(None);
    let stderr = String::from_utf8_lossy(&by_shape.stderr);
    assert!(by_shape.status.success(), "{stderr}");
    assert_eq!(
        contents(&by_shape),
        ["Name a color", "Teal"],
        "only the Claude body is read"
    );
    assert!(
        stderr.contains("1 records of opaque model IDs left unread")
            && stderr.contains("BEDROCK_LLM_MODEL_ALIASES"),
        "{stderr}"
    );

    let aliased = run(Some(&format!("{PROFILE}=ai21.jamba-1-5-mini-v1:0")));
    assert!(aliased.status.success());
    let read = contents(&aliased);
    assert!(read.contains(&"Fig".to_owned()), "{read:?}");

    let malformed = run(Some("not-a-pair"));
    assert!(!malformed.status.success());
    let stderr = String::from_utf8_lossy(&malformed.stderr);
    assert!(
        stderr.contains("BEDROCK_LLM_MODEL_ALIASES: model alias `not-a-pair` is not FROM=TO"),
        "{stderr}"
    );
}

/// The library's replay gives exactly what the CLI prints: `LogReader` → `replay` →
/// `call_context` (derived ids, `requestMetadata` as `llm.` attributes) → the events.
#[test]
fn the_library_replay_gives_what_the_cli_gives() {
    use bedrock_llm_events::render::newrelic;
    use bedrock_llm_events::{Config, build_events};
    use bedrock_llm_logs::{LogReader, ReadItem, call_context};
    let mut input = records();
    // requestMetadata on one record: the rule lives in the library too.
    let mut tagged = invoke_record(&samples::all().unwrap()[0]);
    tagged["requestMetadata"] = serde_json::json!({"team": "search", "llm.tier": "gold", "n": 3});
    input.push_str(&format!("{tagged}\n"));
    let output = replay(&[], &input).unwrap();
    assert!(output.status.success());
    let printed: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect();

    let reader = LogReader::from_reader(
        "-",
        std::io::Cursor::new(input.into_bytes()),
        bedrock_llm_logs::ReadOptions::default(),
    );
    let config = Config::default().enabled().with_content(true);
    let mut built = Vec::new();
    for item in reader {
        let ReadItem::Record(read) = item else {
            continue;
        };
        let invocation = bedrock_llm_logs::replay(&read.record, bedrock_llm_models::registry());
        let context = call_context(&read.record, read.location.line);
        let events = build_events(&invocation, &config, &context);
        built.extend(events.events.iter().map(newrelic::event_json));
        if let Some(error) = &events.error {
            built.push(newrelic::error_json(error, invocation.timing.started_at_ms));
        }
    }
    assert_eq!(printed.len(), built.len());
    assert_eq!(printed, built);
    let tagged_line = printed
        .iter()
        .find(|l| l.contains("\"llm.team\":\"search\""))
        .unwrap();
    assert!(tagged_line.contains("\"llm.tier\":\"gold\"") && tagged_line.contains("\"llm.n\":3"));
}

/// `requestMetadata` is the caller's tags, kept with `--no-content`; `--no-metadata` leaves it
/// out.
#[test]
fn request_metadata_stays_with_no_content_and_goes_with_no_metadata() {
    let mut tagged = invoke_record(&samples::all().unwrap()[0]);
    tagged["requestMetadata"] = serde_json::json!({"team": "search"});
    let input = format!("{tagged}\n");
    let has_tag = |args: &[&str]| {
        let output = replay(args, &input).unwrap();
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stdout).contains("\"llm.team\":\"search\"")
    };
    assert!(has_tag(&[]));
    assert!(has_tag(&["--no-content"]));
    assert!(!has_tag(&["--no-metadata"]));
    assert!(!has_tag(&["--no-content", "--no-metadata"]));
}

/// Reasoning, wherever a family puts it (Claude thinking blocks, Nova's `reasoningContent`,
/// DeepSeek's `reasoning_content`, DeepSeek-R1's text up to `</think>`, gpt-oss's inline
/// `<reasoning>…</reasoning>`), is a reasoning part of
/// the OTel output message and never inside its text.
#[test]
fn reasoning_is_a_part_of_its_own_in_otel() {
    let reasoning_cases = [
        ("claude_messages", "blocks_and_thinking"),
        ("nova", "tool_use"),
        ("openai_chat", "deepseek_v3_reasoning"),
        ("openai_chat", "gpt_oss_inline_reasoning"),
        ("deepseek_r1", "reasoning_inline"),
    ];
    let all = samples::all().unwrap();
    for (family, case) in reasoning_cases {
        let sample = all
            .iter()
            .find(|s| s.family_slug == family && s.case == case)
            .unwrap();
        let mut input = invoke_record(sample).to_string() + "\n";
        if let Some(stream) = stream_record(sample) {
            input += &(stream.to_string() + "\n");
        }
        let spans = lines(&replay(&["--format", "otel"], &input).unwrap()).unwrap();
        assert!(!spans.is_empty(), "{family}/{case}");
        for span in spans {
            let output = &span["attributes"]["gen_ai.output.messages"];
            let output: serde_json::Value = match output.as_str() {
                Some(text) => serde_json::from_str(text).unwrap(),
                None => output.clone(),
            };
            let parts = output[0]["parts"].as_array().unwrap();
            let reasoning: Vec<&str> = parts
                .iter()
                .filter(|p| p["type"] == "reasoning")
                .map(|p| p["content"].as_str().unwrap())
                .collect();
            assert!(!reasoning.is_empty(), "{family}/{case}: {output}");
            for part in parts.iter().filter(|p| p["type"] == "text") {
                let text = part["content"].as_str().unwrap();
                assert!(!text.contains("</think>"), "{family}/{case}: {text}");
                assert!(!text.contains("</reasoning>"), "{family}/{case}: {text}");
                for piece in &reasoning {
                    assert!(
                        !text.contains(piece),
                        "{family}/{case}: reasoning in {text}"
                    );
                }
            }
        }
    }
}
