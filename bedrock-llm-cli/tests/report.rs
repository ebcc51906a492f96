//! `bedrock-llm report` as a user runs it: records of every pricing rule and a price file the
//! code has not seen, the JSON's figures checked to the nano-dollar against sums this test
//! makes itself (integer arithmetic on its own prices), a model missing from the file listed as
//! unpriced; the terminal table; the HTML page opened in headless Chromium (no console errors,
//! no network requests, every chart drawn, the total shown) with a screenshot kept under
//! target/.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

mod common;
use common::run_with_stdin;

/// The price file: dollars per million tokens (or per image), as the test's integers below.
fn price_file() -> Value {
    json!({
        "_about": {"date": "2026-11-15", "source": "test contract prices"},
        "anthropic.claude-3-haiku-20240307-v1:0": {
            "*": {"input_per_mtok": 0.5, "output_per_mtok": 2.5, "cache_read_per_mtok": 0.05,
                  "cache_write_per_mtok": 0.625},
            "eu-west-1": {"input_per_mtok": "0.6", "output_per_mtok": "3.0"}
        },
        "anthropic.claude-sonnet-4-5-20250929-v1:0": {
            "*": {"input_per_mtok": 4, "output_per_mtok": 20,
                  "global": {"input_per_mtok": 3.6, "output_per_mtok": 18}}
        },
        "amazon.nova-canvas-v1:0": {"*": {"per_image": [
            {"max_side": 1024, "quality": "standard", "usd": 0.05},
            {"max_side": 1024, "quality": "premium", "usd": 0.07}
        ]}}
    })
}

/// Nano-dollars for `tokens` at `micro_per_mtok` micro-dollars per million tokens.
fn at(tokens: u64, micro_per_mtok: u64) -> u64 {
    tokens * micro_per_mtok / 1_000
}

struct Call {
    record: Value,
    /// `None`: unpriced.
    nanos: Option<u64>,
    model: &'static str,
    principal: &'static str,
    day: &'static str,
    team: Option<&'static str>,
}

const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const SONNET_GLOBAL: &str = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";
const CANVAS: &str = "amazon.nova-canvas-v1:0";
const LLAMA: &str = "meta.llama3-8b-instruct-v1:0";

fn base(i: usize, operation: &str, model: &str, day: &str, principal: &str, region: &str) -> Value {
    json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": format!("{day}T10:{:02}:00Z", i % 60), "accountId": "111122223333",
        "identity": {"arn": principal}, "region": region,
        "requestId": format!("00000000-0000-4000-8000-{i:012}"),
        "operation": operation, "modelId": model,
    })
}

fn claude(input: u64, output: u64, read: u64, write: u64) -> (Value, Value) {
    (
        json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
               "messages": [{"role": "user", "content": "hello"}]}),
        json!({"id": "msg", "type": "message", "role": "assistant",
               "content": [{"type": "text", "text": "hi"}], "stop_reason": "end_turn",
               "usage": {"input_tokens": input, "output_tokens": output,
                         "cache_read_input_tokens": read, "cache_creation_input_tokens": write}}),
    )
}

fn calls() -> Vec<Call> {
    let app = "arn:aws:sts::111122223333:assumed-role/app/i-0abc";
    let etl = "arn:aws:iam::111122223333:user/etl";
    let mut calls = Vec::new();
    // Claude with cache reads and writes, on two days, two principals, two teams.
    for i in 0..6 {
        let (principal, team, day) = match i % 3 {
            0 => (app, "search", "2026-12-01"),
            1 => (etl, "ads", "2026-12-01"),
            _ => (app, "search", "2026-12-02"),
        };
        let (request, response) = claude(1200, 300, 5000, 800);
        let mut record = base(i, "InvokeModel", HAIKU, day, principal, "us-east-1");
        record["input"] = json!({"inputContentType": "application/json", "inputBodyJson": request,
                                 "inputTokenCount": 1200});
        record["output"] = json!({"outputContentType": "application/json", "outputBodyJson": response,
                                  "outputTokenCount": 300});
        record["requestMetadata"] = json!({"team": team});
        calls.push(Call {
            record,
            nanos: Some(
                at(1200, 500_000) + at(300, 2_500_000) + at(5000, 50_000) + at(800, 625_000),
            ),
            model: HAIKU,
            principal,
            day,
            team: Some(team),
        });
    }
    // The source Region's price: eu-west-1 has its own.
    let (request, response) = claude(1000, 100, 0, 0);
    let mut record = base(10, "InvokeModel", HAIKU, "2026-12-02", etl, "eu-west-1");
    record["input"] = json!({"inputContentType": "application/json", "inputBodyJson": request});
    record["output"] = json!({"outputContentType": "application/json", "outputBodyJson": response});
    calls.push(Call {
        record,
        nanos: Some(at(1000, 600_000) + at(100, 3_000_000)),
        model: HAIKU,
        principal: etl,
        day: "2026-12-02",
        team: None,
    });
    // A global profile on Converse: the global price.
    let mut record = base(
        11,
        "Converse",
        SONNET_GLOBAL,
        "2026-12-02",
        app,
        "us-west-2",
    );
    record["input"] = json!({"inputContentType": "application/json", "inputBodyJson":
        {"messages": [{"role": "user", "content": [{"text": "hi"}]}]}, "inputTokenCount": 10000});
    record["output"] = json!({"outputContentType": "application/json", "outputBodyJson":
        {"output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}},
         "stopReason": "end_turn", "usage": {"inputTokens": 10000, "outputTokens": 2000,
         "totalTokens": 12000}, "metrics": {"latencyMs": 850}}, "outputTokenCount": 2000});
    record["requestMetadata"] = json!({"team": "search", "env": "prod"});
    calls.push(Call {
        record,
        nanos: Some(at(10000, 3_600_000) + at(2000, 18_000_000)),
        model: SONNET_GLOBAL,
        principal: app,
        day: "2026-12-02",
        team: Some("search"),
    });
    // Two premium images.
    let mut record = base(12, "InvokeModel", CANVAS, "2026-12-03", etl, "us-east-1");
    record["input"] = json!({"inputContentType": "application/json", "inputBodyJson":
        {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
         "imageGenerationConfig": {"numberOfImages": 2, "width": 1024, "height": 1024,
                                   "quality": "premium"}}});
    record["output"] = json!({"outputContentType": "application/json", "outputBodyJson":
        {"images": ["QUJDRA==", "RUZHSA=="]}});
    calls.push(Call {
        record,
        nanos: Some(140_000_000),
        model: CANVAS,
        principal: etl,
        day: "2026-12-03",
        team: None,
    });
    // A model the price file does not list (the shipped table does): unpriced, never $0.
    let mut record = base(13, "InvokeModel", LLAMA, "2026-12-03", app, "us-east-1");
    record["input"] = json!({"inputContentType": "application/json",
        "inputBodyJson": {"prompt": "hi", "max_gen_len": 50}, "inputTokenCount": 500});
    record["output"] = json!({"outputContentType": "application/json", "outputBodyJson":
        {"generation": "hello", "prompt_token_count": 500, "generation_token_count": 100,
         "stop_reason": "stop"}, "outputTokenCount": 100});
    calls.push(Call {
        record,
        nanos: None,
        model: LLAMA,
        principal: app,
        day: "2026-12-03",
        team: None,
    });
    // Throttled: an error, no tokens, no cost.
    let mut record = base(14, "InvokeModel", HAIKU, "2026-12-03", app, "us-east-1");
    record["errorCode"] = json!("ThrottlingException");
    record["input"] =
        json!({"inputContentType": "application/json", "inputBodyJson": claude(1, 1, 0, 0).0});
    calls.push(Call {
        record,
        nanos: Some(0),
        model: HAIKU,
        principal: app,
        day: "2026-12-03",
        team: None,
    });
    calls
}

fn write(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn records_text(calls: &[Call]) -> String {
    calls.iter().map(|c| format!("{}\n", c.record)).collect()
}

/// The JSON's dollars as nano-dollars.
fn nanos(value: &Value) -> u64 {
    (value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
        * 1e9)
        .round() as u64
}

#[test]
fn json_figures_equal_the_rules_for_an_unseen_price_file_to_the_nano_dollar() {
    let calls = calls();
    let prices = scratch("prices.json");
    write(&prices, &price_file());
    let out = run_with_stdin(
        &[
            "report",
            "-",
            "--prices",
            prices.to_str().unwrap(),
            "--format",
            "json",
        ],
        records_text(&calls).as_bytes(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();

    let total: u64 = calls.iter().filter_map(|c| c.nanos).sum();
    assert_eq!(nanos(&report["total_usd"]), total);
    assert_eq!(report["calls"], calls.len());
    assert_eq!(
        (report["errors"].as_u64(), report["throttles"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(report["estimate"], true);
    assert_eq!(report["price_table"], "2026-11-15 (test contract prices)");

    let mut by_model: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut by_principal: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_day: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_team: BTreeMap<&str, u64> = BTreeMap::new();
    for call in &calls {
        let nanos = call.nanos.unwrap_or(0);
        let entry = by_model.entry(call.model).or_default();
        entry.0 += nanos;
        entry.1 += 1;
        *by_principal.entry(call.principal).or_default() += nanos;
        *by_day.entry(call.day).or_default() += nanos;
        if let Some(team) = call.team {
            *by_team.entry(team).or_default() += nanos;
        }
    }
    for (model, (usd, count)) in &by_model {
        let figures = &report["by_model"][model];
        assert_eq!(figures["calls"], *count, "{model}");
        if *model == LLAMA {
            assert_eq!(figures["usd"], Value::Null, "an unpriced model has no cost");
            assert_eq!(report["unpriced"][LLAMA]["calls"], 1);
            assert_eq!(figures["input_tokens"], 500);
        } else {
            assert_eq!(nanos(&figures["usd"]), *usd, "{model}");
        }
    }
    assert_eq!(report["by_model"][HAIKU]["cache_read_tokens"], 30_000);
    assert_eq!(report["by_model"][HAIKU]["cache_write_tokens"], 4_800);
    assert_eq!(report["by_model"][HAIKU]["input_tokens"], 6 * 1200 + 1000);
    for (principal, usd) in &by_principal {
        assert_eq!(
            nanos(&report["by_principal"][principal]["usd"]),
            *usd,
            "{principal}"
        );
    }
    for (day, usd) in &by_day {
        assert_eq!(nanos(&report["by_day"][day]["usd"]), *usd, "{day}");
    }
    for (team, usd) in &by_team {
        assert_eq!(
            nanos(&report["by_metadata"][format!("team={team}")]["usd"]),
            *usd,
            "{team}"
        );
    }
    assert_eq!(report["by_metadata"]["env=prod"]["calls"], 1);
    // What caching saved: 6 × (5,000 × ($0.50 − $0.05) − 800 × ($0.625 − $0.50)) per million.
    assert_eq!(
        nanos(&report["cache_savings_usd"]),
        6 * (at(5000, 450_000) - at(800, 125_000))
    );
    // Converse's own latency is the call's.
    assert_eq!(report["latency_ms"]["p50"], 850);
    assert!(stderr.contains("estimates"), "{stderr}");
}

#[test]
fn the_terminal_table_fits_its_width_and_names_the_unpriced() {
    let calls = calls();
    let prices = scratch("prices-table.json");
    write(&prices, &price_file());
    let mut command = common::bin();
    let records = scratch("records-table.ndjson");
    std::fs::write(&records, records_text(&calls)).unwrap();
    let out = command
        .args([
            "report",
            records.to_str().unwrap(),
            "--prices",
            prices.to_str().unwrap(),
        ])
        .env("COLUMNS", "90")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let total: u64 = calls.iter().filter_map(|c| c.nanos).sum();
    let cents = (total + 5_000_000) / 10_000_000;
    assert!(
        text.contains(&format!("Total ${}.{:02}", cents / 100, cents % 100)),
        "{text}"
    );
    assert!(
        text.contains("ESTIMATE") && text.contains("2026-11-15"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{LLAMA} — 1 call: no price")),
        "{text}"
    );
    for line in text.lines() {
        assert!(
            unicode_width(line) <= 90,
            "{} columns: {line}",
            unicode_width(line)
        );
    }
}

fn unicode_width(line: &str) -> usize {
    line.chars().count()
}

/// Chromium from Debian's package, installed when missing (CI runs as root).
fn chromium() -> PathBuf {
    let find = || {
        ["chromium", "chromium-browser"]
            .into_iter()
            .find_map(|name| {
                let out = Command::new("sh")
                    .args(["-c", &format!("command -v {name}")])
                    .output()
                    .ok()?;
                out.status
                    .success()
                    .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
            })
    };
    if let Some(path) = find() {
        return path;
    }
    let installed = Command::new("sh")
        .args([
            "-c",
            "(apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1",
        ])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    find().unwrap_or_else(|| {
        panic!("headless Chromium is needed (apt-get install chromium); install ran: {installed}")
    })
}

fn headless(browser: &Path, extra: &[&str], page: &Path) -> std::process::Output {
    let profile = scratch("chromium-profile");
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            // Anything that tried to leave the machine would fail, not be fetched.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

#[test]
fn the_html_page_opens_in_chromium_with_its_charts_drawn_and_nothing_fetched() {
    let mut calls = calls();
    // Tags are anything a caller wrote: the page must show them as text.
    calls[0].record["requestMetadata"] = json!({"team": "<img src=x onerror=alert(1)>"});
    let prices = scratch("prices-html.json");
    write(&prices, &price_file());
    let page = scratch("report.html");
    let out = run_with_stdin(
        &[
            "report",
            "-",
            "--prices",
            prices.to_str().unwrap(),
            "--format",
            "json",
            "--html",
            page.to_str().unwrap(),
        ],
        records_text(&calls).as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no link to load"
    );
    assert!(html.contains("&lt;img src=x"), "tags escaped");

    let browser = chromium();
    let dom = headless(&browser, &["--dump-dom"], &page);
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let body = dom_text
        .split("<body")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_else(|| panic!("no body: {dom_text}"));
    for (attribute, expected) in [
        ("data-checked", "yes"),
        ("data-charts", "4"),
        ("data-drawn", "4"),
        ("data-requests", "0"),
        ("data-errors", "0"),
        ("data-refused", "0"),
    ] {
        assert!(
            body.contains(&format!("{attribute}=\"{expected}\"")),
            "{attribute}: {body}"
        );
    }
    // The total shown is the JSON's, in dollars and cents.
    let total = nanos(&report["total_usd"]);
    let cents = (total + 5_000_000) / 10_000_000;
    let shown = format!("id=\"total\">${}.{:02}<", cents / 100, cents % 100);
    assert!(dom_text.contains(&shown), "{shown} not in the page");

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-page.png");
    let _ = std::fs::remove_file(&shot);
    let taken = headless(
        &browser,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1600",
            "--hide-scrollbars",
        ],
        &page,
    );
    assert!(
        taken.status.success(),
        "{}",
        String::from_utf8_lossy(&taken.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_from_s3_equals_the_report_of_the_same_records_on_disk() {
    use std::io::Write as _;
    let moto = bedrock_llm_tests::moto::Moto::start();
    let calls = calls();
    let text = records_text(&calls);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text.as_bytes()).unwrap();
    let gz = encoder.finish().unwrap();
    let s3 = moto.s3();
    s3.create_bucket().bucket("spend").send().await.unwrap();
    let key = "AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/2026/12/01/10/a.json.gz";
    s3.put_object()
        .bucket("spend")
        .key(key)
        .body(aws_sdk_s3::primitives::ByteStream::from(gz))
        .send()
        .await
        .unwrap();
    let prices = scratch("prices-s3.json");
    write(&prices, &price_file());
    let local = scratch("records-s3.ndjson");
    std::fs::write(&local, &text).unwrap();
    let run = |source: String, env: Vec<(String, String)>| {
        let prices = prices.clone();
        tokio::task::spawn_blocking(move || {
            common::bin()
                .envs(env)
                .args([
                    "report",
                    &source,
                    "--prices",
                    prices.to_str().unwrap(),
                    "--format",
                    "json",
                ])
                .output()
                .unwrap()
        })
    };
    let env: Vec<(String, String)> = moto
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let from_s3 = run("s3://spend/AWSLogs/".to_owned(), env).await.unwrap();
    let from_disk = run(local.display().to_string(), Vec::new()).await.unwrap();
    assert!(
        from_s3.status.success(),
        "{}",
        String::from_utf8_lossy(&from_s3.stderr)
    );
    let s3_report: Value = serde_json::from_slice(&from_s3.stdout).unwrap();
    let disk_report: Value = serde_json::from_slice(&from_disk.stdout).unwrap();
    assert_eq!(s3_report, disk_report);
    assert_eq!(s3_report["calls"], calls.len());
}
