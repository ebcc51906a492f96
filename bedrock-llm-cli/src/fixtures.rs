//! `bedrock-llm fixtures`: a crate's sample files (the kit's format, `samples/*.json`) written
//! out as fixture files — per case `request.json`, `response.json`, and when the sample has
//! them `headers.json` and `chunks.json` — by `bedrock_llm_testkit::fixtures`, so tests and
//! the emulator load the same exchanges.
//! `--check` fails when the files on disk differ from what the samples give (for CI);
//! `--record` first re-records every case from live Bedrock (the default credential chain;
//! `AWS_ENDPOINT_URL` honoured): the response body and Bedrock's `x-amzn-bedrock-*` headers,
//! and the stream's chunks when the case has some, with account ids, ARNs and UUIDs redacted.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::ResponseStream;
use bedrock_llm_testkit::fixtures;
use serde_json::{Value, json};

use crate::output::{Stop, note};

/// Options of `fixtures`.
#[derive(Debug, clap::Args)]
pub(crate) struct FixturesArgs {
    /// Where the sample files are (every `*.json` in it).
    #[arg(long, default_value = "samples")]
    samples: PathBuf,
    /// Where the fixture files go, one folder per sample file and case.
    #[arg(long, default_value = "tests/fixtures/bedrock-llm")]
    out: PathBuf,
    /// Write nothing; fail when the fixture files differ from what the samples give.
    #[arg(long, conflicts_with = "record")]
    check: bool,
    /// Re-record every case from live Bedrock before writing (billed).
    #[arg(long)]
    record: bool,
}

pub(crate) fn run(args: &FixturesArgs) -> Result<(), Stop> {
    let files = fixtures::sample_files(&args.samples).map_err(|e| e.to_string())?;
    if files.is_empty() {
        return Err(format!("no *.json sample files in {}", args.samples.display()).into());
    }
    if args.record {
        record(&files)?;
    }
    if args.check {
        let drift = fixtures::check(&files, &args.out).map_err(|e| e.to_string())?;
        if drift.is_empty() {
            note(&format!("fixtures: {} up to date", args.out.display()));
            return Ok(());
        }
        for line in &drift {
            note(line);
        }
        return Err(format!(
            "{} fixture files are stale; run `bedrock-llm fixtures` and review the diff",
            drift.len()
        )
        .into());
    }
    let written = fixtures::write(&files, &args.out).map_err(|e| e.to_string())?;
    note(&format!(
        "fixtures: {written} files written to {}",
        args.out.display()
    ));
    Ok(())
}

/// Replaces what identifies an account or a request in recorded text: ARNs, 12-digit account
/// ids and UUIDs. Hand-written scanning: three fixed shapes do not need a regex engine.
fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if rest.starts_with("arn:aws") {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"' || c == ',')
                .unwrap_or(rest.len());
            out.push_str("arn:aws:redacted");
            rest = &rest[end..];
            continue;
        }
        let run = rest
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_hexdigit() || *c == '-')
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
        let candidate = &rest[..run];
        let is_uuid = candidate.len() == 36
            && candidate
                .char_indices()
                .all(|(i, c)| matches!(i, 8 | 13 | 18 | 23) == (c == '-'));
        if is_uuid {
            out.push_str("00000000-0000-0000-0000-000000000000");
            rest = &rest[run..];
            continue;
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 12 {
            out.push_str("123456789012");
            rest = &rest[12..];
            continue;
        }
        let step = if digits > 0 {
            digits
        } else {
            rest.chars().next().map_or(1, char::len_utf8)
        };
        out.push_str(&rest[..step]);
        rest = &rest[step..];
    }
    out
}

fn redact(value: &mut Value) {
    match value {
        Value::String(s) => *s = redact_text(s),
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::Object(map) => map.values_mut().for_each(redact),
        _ => {}
    }
}

/// Re-records every case of `files` from live Bedrock, in place.
fn record(files: &[PathBuf]) -> Result<(), Stop> {
    let runtime = crate::aws::runtime()?;
    let config = runtime
        .block_on(crate::aws::sdk_config())
        .map_err(|stop| match stop {
            Stop::Failed(why) => Stop::Failed(format!("--record {why}")),
            closed => closed,
        })?;
    let client = aws_sdk_bedrockruntime::Client::new(&config);
    for path in files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        // Edit the file as JSON, so fields the kit does not know about survive.
        let mut file: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
        let file_model_id = file["model_id"].as_str().unwrap_or_default().to_owned();
        let Some(cases) = file["cases"].as_array_mut() else {
            return Err(format!("{}: no cases", path.display()).into());
        };
        for case in cases {
            let name = case["name"].as_str().unwrap_or_default().to_owned();
            let model_id = case["model_id"]
                .as_str()
                .unwrap_or(&file_model_id)
                .to_owned();
            let body = case["request"].to_string().into_bytes();
            let capture = HeaderCapture::default();
            let captured = std::sync::Arc::clone(&capture.headers);
            let (response, headers) = runtime.block_on(async {
                let output = client
                    .invoke_model()
                    .model_id(&model_id)
                    .content_type("application/json")
                    .accept("application/json")
                    .body(Blob::new(body.clone()))
                    .customize()
                    .interceptor(capture)
                    .send()
                    .await
                    .map_err(|e| {
                        format!(
                            "{} case {name}: {}",
                            path.display(),
                            aws_sdk_bedrockruntime::error::DisplayErrorContext(e)
                        )
                    })?;
                let headers = captured
                    .lock()
                    .map(|mut h| std::mem::take(&mut *h))
                    .unwrap_or_default();
                let response: Value =
                    serde_json::from_slice(output.body().as_ref()).map_err(|e| {
                        format!(
                            "{} case {name}: the response is not JSON: {e}",
                            path.display()
                        )
                    })?;
                Ok::<_, String>((response, headers))
            })?;
            case["response"] = response;
            case["headers"] = json!(headers);
            if case.get("chunks").is_some_and(|c| !c.is_null()) {
                let chunks = runtime.block_on(async {
                    let mut output = client
                        .invoke_model_with_response_stream()
                        .model_id(&model_id)
                        .content_type("application/json")
                        .accept("application/json")
                        .body(Blob::new(body))
                        .send()
                        .await
                        .map_err(|e| {
                            format!(
                                "{} case {name} (stream): {}",
                                path.display(),
                                aws_sdk_bedrockruntime::error::DisplayErrorContext(e)
                            )
                        })?;
                    let mut chunks = Vec::new();
                    while let Some(event) = output
                        .body
                        .recv()
                        .await
                        .map_err(|e| format!("{} case {name} (stream): {e}", path.display()))?
                    {
                        if let ResponseStream::Chunk(part) = event
                            && let Some(bytes) = part.bytes()
                        {
                            chunks.push(
                                serde_json::from_slice::<Value>(bytes.as_ref()).unwrap_or_else(
                                    |_| {
                                        Value::String(
                                            String::from_utf8_lossy(bytes.as_ref()).into_owned(),
                                        )
                                    },
                                ),
                            );
                        }
                    }
                    Ok::<_, String>(chunks)
                })?;
                case["chunks"] = Value::Array(chunks);
            }
            redact(case);
            note(&format!(
                "fixtures: recorded {} case {name}",
                path.display()
            ));
        }
        std::fs::write(path, fixtures::pretty(&file))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Keeps Bedrock's `x-amzn-bedrock-*` response headers (token counts, latency), which the
/// SDK's output does not expose.
#[derive(Debug, Default)]
struct HeaderCapture {
    headers: std::sync::Arc<std::sync::Mutex<BTreeMap<String, String>>>,
}

impl aws_sdk_bedrockruntime::config::Intercept for HeaderCapture {
    fn name(&self) -> &'static str {
        "bedrock-llm fixtures header capture"
    }

    fn read_before_deserialization(
        &self,
        context: &aws_sdk_bedrockruntime::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _components: &aws_sdk_bedrockruntime::config::RuntimeComponents,
        _cfg: &mut aws_sdk_bedrockruntime::config::ConfigBag,
    ) -> Result<(), aws_sdk_bedrockruntime::error::BoxError> {
        let headers: BTreeMap<String, String> = context
            .response()
            .headers()
            .iter()
            .filter(|(name, _)| name.to_ascii_lowercase().starts_with("x-amzn-bedrock-"))
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
            .collect();
        if let Ok(mut slot) = self.headers.lock() {
            *slot = headers;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::redact_text;

    #[test]
    fn accounts_arns_and_uuids_are_redacted() {
        assert_eq!(
            redact_text("arn:aws:bedrock:us-east-1:111122223333:inference-profile/x, ok"),
            "arn:aws:redacted, ok"
        );
        assert_eq!(
            redact_text("acct 111122223333 end"),
            "acct 123456789012 end"
        );
        assert_eq!(redact_text("1234567890123"), "1234567890123");
        assert_eq!(
            redact_text("id 3f2b6c1e-8a4d-4c2e-9b7a-1d2e3f4a5b6c."),
            "id 00000000-0000-0000-0000-000000000000."
        );
        assert_eq!(redact_text("héllo 42"), "héllo 42");
    }
}
