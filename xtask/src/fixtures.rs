//! `cargo xtask fixtures`: writes the synthesized fixtures from the prebuilt adapters' samples
//! (`bedrock_llm_models::samples`), checks them (`--check`), or records live bodies from
//! Bedrock (`--record`).
//!
//! Layout, one directory per family and case, as in the recorded fixtures:
//! `tests/fixtures/bedrock/synthesized/<family>/<case>/{model_id.txt, request.json,
//! response.json, http.json}`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bedrock_llm_models::samples::{self, Sample};

const SYNTHESIZED: &str = "tests/fixtures/bedrock/synthesized";
const LIVE: &str = "tests/fixtures/bedrock/live";

/// How long one live call may take before it is abandoned.
const RECORD_TIMEOUT: Duration = Duration::from_secs(90);

pub(crate) fn run(root: &Path, args: &[String]) -> Result<(), String> {
    match args {
        [] => write(root),
        [flag] if flag == "--check" => check(root),
        [flag] if flag == "--record" => record(root),
        _ => Err("usage: cargo xtask fixtures [--check | --record]".to_owned()),
    }
}

/// Every file the samples define, relative to the repository root, with its contents.
fn expected_files() -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let samples = samples::all().map_err(|e| format!("a sample does not fit its adapter: {e}"))?;
    let mut files = Vec::new();
    for sample in &samples {
        let dir = Path::new(SYNTHESIZED)
            .join(sample.family_slug)
            .join(sample.case);
        files.push((
            dir.join("model_id.txt"),
            format!("{}\n", sample.model_id).into_bytes(),
        ));
        files.push((dir.join("request.json"), with_newline(&sample.request)));
        files.push((dir.join("response.json"), with_newline(&sample.response)));
        files.push((dir.join("http.json"), http_json(sample)?));
    }
    Ok(files)
}

fn with_newline(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out.push(b'\n');
    out
}

fn http_json(sample: &Sample) -> Result<Vec<u8>, String> {
    let headers: serde_json::Map<String, serde_json::Value> = sample
        .headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone().into()))
        .collect();
    // A job (a video model) is started with `POST /async-invoke`, its model ID in the body; its
    // answer is the job's ARN.
    let uri = if sample.is_job() {
        "https://bedrock-runtime.us-east-1.amazonaws.com/async-invoke".to_owned()
    } else {
        format!(
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/{}/invoke",
            percent_encode(sample.model_id)
        )
    };
    let value = serde_json::json!({
        "uri": uri,
        "status": 200,
        "response_headers": headers,
    });
    let mut text = serde_json::to_vec_pretty(&value).map_err(|e| e.to_string())?;
    text.push(b'\n');
    Ok(text)
}

/// The model ID as it appears in the request path.
fn percent_encode(model_id: &str) -> String {
    model_id.replace(':', "%3A").replace('/', "%2F")
}

fn write(root: &Path) -> Result<(), String> {
    let files = expected_files()?;
    let synthesized = root.join(SYNTHESIZED);
    if synthesized.exists() {
        fs::remove_dir_all(&synthesized).map_err(|e| format!("{}: {e}", synthesized.display()))?;
    }
    for (path, contents) in &files {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&path, contents).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    eprintln!(
        "xtask fixtures: wrote {} files under {SYNTHESIZED}",
        files.len()
    );
    Ok(())
}

fn check(root: &Path) -> Result<(), String> {
    let files = expected_files()?;
    let mut stale = Vec::new();
    for (path, contents) in &files {
        match fs::read(root.join(path)) {
            Ok(actual) if actual == *contents => {}
            Ok(_) => stale.push(format!("changed: {}", path.display())),
            Err(_) => stale.push(format!("missing: {}", path.display())),
        }
    }
    let expected: BTreeSet<PathBuf> = files.iter().map(|(path, _)| root.join(path)).collect();
    for path in crate::files_under(&root.join(SYNTHESIZED)) {
        if !expected.contains(&path) {
            stale.push(format!(
                "extra: {}",
                path.strip_prefix(root).unwrap_or(&path).display()
            ));
        }
    }
    if stale.is_empty() {
        eprintln!("xtask fixtures: {} files up to date", files.len());
        Ok(())
    } else {
        Err(format!(
            "synthesized fixtures are stale:\n  {}\nrun `cargo xtask fixtures` and commit the result",
            stale.join("\n  ")
        ))
    }
}

/// Where AWS credentials could come from, for the "none configured" check.
fn credentials_configured() -> bool {
    let env = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if env("AWS_ACCESS_KEY_ID")
        || env("AWS_PROFILE")
        || env("AWS_WEB_IDENTITY_TOKEN_FILE")
        || env("AWS_BEARER_TOKEN_BEDROCK")
    {
        return true;
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let credentials = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".aws/credentials"));
    fs::read_to_string(credentials).is_ok_and(|text| text.contains("aws_access_key_id"))
}

/// Re-records every sample's request against live Bedrock with the AWS CLI, into
/// `tests/fixtures/bedrock/live/`. The CLI does not expose response headers, so `http.json`
/// holds only the status; request ids and header token counts come from the SDK-based
/// recorder once the clients land.
fn record(root: &Path) -> Result<(), String> {
    if !credentials_configured() {
        return Err("no AWS credentials configured: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or \
                    AWS_PROFILE, or write ~/.aws/credentials; `--record` calls live Bedrock and is billed"
            .to_owned());
    }
    let aws_available = Command::new("aws")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !aws_available {
        return Err("`--record` uses the AWS CLI (`aws bedrock-runtime invoke-model`), which is not on PATH".to_owned());
    }
    let samples = samples::all().map_err(|e| format!("a sample does not fit its adapter: {e}"))?;
    let mut failures = Vec::new();
    for sample in &samples {
        let dir = root.join(LIVE).join(sample.family_slug).join(sample.case);
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        fs::write(dir.join("model_id.txt"), format!("{}\n", sample.model_id))
            .map_err(|e| e.to_string())?;
        fs::write(dir.join("request.json"), with_newline(&sample.request))
            .map_err(|e| e.to_string())?;
        let response = dir.join("response.json");
        let mut child = Command::new("aws")
            .args([
                "bedrock-runtime",
                "invoke-model",
                "--model-id",
                sample.model_id,
            ])
            .args([
                "--content-type",
                "application/json",
                "--accept",
                "application/json",
            ])
            .args([
                "--cli-binary-format",
                "raw-in-base64-out",
                "--cli-connect-timeout",
                "10",
                "--cli-read-timeout",
                "60",
            ])
            .arg("--body")
            .arg(format!("fileb://{}", dir.join("request.json").display()))
            .arg(&response)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start `aws`: {e}"))?;
        let started = Instant::now();
        let status = loop {
            match child.try_wait().map_err(|e| e.to_string())? {
                Some(status) => break Some(status),
                None if started.elapsed() > RECORD_TIMEOUT => {
                    let _ = child.kill();
                    break None;
                }
                None => std::thread::sleep(Duration::from_millis(100)),
            }
        };
        let name = format!("{}/{}", sample.family_slug, sample.case);
        match status {
            Some(status) if status.success() => {
                let http = serde_json::json!({"status": 200, "response_headers": {}});
                fs::write(dir.join("http.json"), format!("{http:#}\n"))
                    .map_err(|e| e.to_string())?;
                eprintln!("xtask fixtures: recorded {name}");
            }
            Some(status) => failures.push(format!("{name}: aws exited with {status}")),
            None => failures.push(format!(
                "{name}: no answer within {}s",
                RECORD_TIMEOUT.as_secs()
            )),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("recording failed:\n  {}", failures.join("\n  ")))
    }
}
