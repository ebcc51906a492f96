//! Reading the fixture tree: `tests/fixtures/bedrock/<source>/…/<case>/` with `model_id.txt`,
//! `request.json`, `http.json`, and `response.json`, or `stream_chunks.json` (with the raw
//! frames in `stream.bin` where recorded), or `error.json`; real recordings also carry
//! `expected.json`, written from the recording by `import/expected.py`.

use std::fs;
use std::path::{Path, PathBuf};

use bedrock_llm_core::{Invocation, Operation, Registry};

/// One fixture case on disk.
#[derive(Debug, Clone)]
pub struct FixtureCase {
    /// `recorded/claude_text`, `synthesized/nova/tool_use`.
    pub name: String,
    /// The case directory.
    pub dir: PathBuf,
    /// The model ID the request went to.
    pub model_id: String,
    /// Request body bytes.
    pub request: Vec<u8>,
    /// Response body bytes; `None` for streamed cases.
    pub response: Option<Vec<u8>>,
    /// `http.json`, parsed.
    pub http: serde_json::Value,
    /// `stream_chunks.json`: the decoded chunks (or Converse events) of a streamed response.
    pub chunks: Option<Vec<serde_json::Value>>,
    /// `stream.bin`: the raw event-stream bytes as recorded.
    pub wire: Option<Vec<u8>>,
    /// `error.json`: the body of an error response.
    pub error: Option<serde_json::Value>,
    /// `expected.json`: what the recording says, read by the vendor's rules.
    pub expected: Option<serde_json::Value>,
}

impl FixtureCase {
    /// The case's source (`recorded`, `newrelic`, `synthesized`, …).
    pub fn source(&self) -> &str {
        self.name.split('/').next().unwrap_or_default()
    }

    /// The directory below the source: a family (`titan_text`), `converse` or `errors`.
    pub fn group(&self) -> &str {
        self.name.split('/').nth(1).unwrap_or_default()
    }

    /// The HTTP status recorded.
    pub fn status(&self) -> Option<u16> {
        self.http.get("status")?.as_u64()?.try_into().ok()
    }

    /// A response header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.http
            .get("response_headers")?
            .as_object()?
            .iter()
            .find_map(|(key, value)| {
                key.eq_ignore_ascii_case(name)
                    .then(|| value.as_str())
                    .flatten()
            })
    }

    /// The neutral record of this exchange: bodies through `registry`, request id and token
    /// counts from the recorded headers; a job (`…/async-invoke`) is a `StartAsyncInvoke`.
    pub fn invocation(&self, registry: &Registry) -> Invocation {
        let job = self.http["uri"]
            .as_str()
            .is_some_and(|uri| uri.ends_with("/async-invoke"));
        let operation = if job {
            Operation::StartAsyncInvoke
        } else {
            Operation::InvokeModel
        };
        let mut record = Invocation::new(self.model_id.clone(), operation);
        record.request_id = self.header("x-amzn-RequestId").map(str::to_owned);
        let count = |name| self.header(name).and_then(|v| v.parse::<u64>().ok());
        record.header_metrics.input_tokens = count("X-Amzn-Bedrock-Input-Token-Count");
        record.header_metrics.output_tokens = count("X-Amzn-Bedrock-Output-Token-Count");
        record.header_metrics.invocation_latency_ms = count("X-Amzn-Bedrock-Invocation-Latency");
        registry.read_bodies(&mut record, Some(&self.request), self.response.as_deref());
        record
    }
}

/// The fixture root, `tests/fixtures/bedrock`.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bedrock")
}

/// Every case under the root, sorted by name.
pub fn cases() -> Vec<FixtureCase> {
    let root = root();
    let mut dirs = Vec::new();
    collect_case_dirs(&root, &mut dirs);
    let mut cases: Vec<FixtureCase> = dirs
        .into_iter()
        .filter_map(|dir| load(&root, dir))
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn collect_case_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.join("model_id.txt").is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.path().is_dir() {
            collect_case_dirs(&entry.path(), out);
        }
    }
}

fn load(root: &Path, dir: PathBuf) -> Option<FixtureCase> {
    let name = dir
        .strip_prefix(root)
        .ok()?
        .to_string_lossy()
        .replace('\\', "/");
    let model_id = fs::read_to_string(dir.join("model_id.txt"))
        .ok()?
        .trim()
        .to_owned();
    let request = fs::read(dir.join("request.json")).ok()?;
    let response = fs::read(dir.join("response.json")).ok();
    let json = |file: &str| {
        fs::read(dir.join(file))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
    };
    let http = json("http.json").unwrap_or(serde_json::Value::Null);
    let chunks = json("stream_chunks.json").and_then(|v| v.as_array().cloned());
    let error = json("error.json");
    let expected = json("expected.json");
    let wire = fs::read(dir.join("stream.bin")).ok();
    Some(FixtureCase {
        name,
        dir,
        model_id,
        request,
        response,
        http,
        chunks,
        wire,
        error,
        expected,
    })
}
