//! Sample files: a family's exchanges as data — request and response bodies, the headers
//! Bedrock sends with them, optionally the stream chunks of the same answer, and optionally
//! what the neutral view must say — so the kit (and the emulator) can load any family's
//! samples, prebuilt or derived anywhere.
//!
//! ```json
//! {
//!   "model_id": "acme.zeta-v1",
//!   "cases": [{
//!     "name": "greeting",
//!     "request": {"system": "Be brief.", "messages": [{"role": "user", "content": "Hi"}]},
//!     "response": {"id": "z-1", "output": {"text": "Hello!"}, "finish_reason": "stop"},
//!     "headers": {"x-amzn-bedrock-input-token-count": "9"},
//!     "chunks": [{"delta": "Hel"}, {"delta": "lo!", "finish_reason": "stop"}],
//!     "expect": {
//!       "request_messages": [["system", "Be brief."], ["user", "Hi"]],
//!       "response_messages": [["assistant", "Hello!"]],
//!       "finish_reason": "stop"
//!     }
//!   }]
//! }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// Why a sample file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SampleError {
    /// The file could not be read.
    #[error("cannot read the sample file {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// The file is not a sample file.
    #[error(
        "{path} is not a sample file: {reason} (expected {{\"model_id\": …, \"cases\": [{{\"name\", \"request\", \"response\", …}}]}})"
    )]
    Format {
        /// The file.
        path: PathBuf,
        /// What serde said, with line and column.
        reason: String,
    },
}

/// A family's samples.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleFile {
    /// The model ID the samples are sent to.
    pub model_id: String,
    /// The exchanges.
    pub cases: Vec<Case>,
    /// Where the file was read from (set by [`SampleFile::load`]).
    #[serde(skip)]
    pub path: PathBuf,
}

/// One exchange.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Its name, for reports.
    pub name: String,
    /// The model ID this case is sent to, when not the file's.
    #[serde(default)]
    pub model_id: Option<String>,
    /// The request body.
    pub request: Value,
    /// The response body.
    pub response: Value,
    /// Response headers Bedrock sends with it (token counts, latency).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The same answer streamed: each chunk as the decoded `bytes` of one `chunk` event.
    #[serde(default)]
    pub chunks: Option<Vec<Value>>,
    /// What the neutral views must say.
    #[serde(default)]
    pub expect: Option<Expect>,
}

/// Expected facts of a case's views; each is checked when given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The request's messages as `[role, content]`, system messages first.
    pub request_messages: Option<Vec<(String, String)>>,
    /// The response's messages as `[role, content]`.
    pub response_messages: Option<Vec<(String, String)>>,
    /// The response's finish reason, normalized (`stop`, `length`, `tool_call`, …).
    pub finish_reason: Option<String>,
    /// Input tokens the response body reports.
    pub input_tokens: Option<u64>,
    /// Output tokens the response body reports.
    pub output_tokens: Option<u64>,
    /// Texts to embed.
    pub embedding_inputs: Option<Vec<String>>,
    /// Vectors returned.
    pub embedding_count: Option<usize>,
    /// `max_tokens` of the request.
    pub max_tokens: Option<u64>,
    /// `temperature` of the request.
    pub temperature: Option<f64>,
}

impl SampleFile {
    /// Reads a sample file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, SampleError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| SampleError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Self::from_json(&text, path)
    }

    /// Reads a sample file's text; `path` names it (in errors, and as [`SampleFile::path`]).
    pub fn from_json(text: &str, path: impl Into<PathBuf>) -> Result<Self, SampleError> {
        let path = path.into();
        let mut file: Self = serde_json::from_str(text).map_err(|e| SampleError::Format {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        file.path = path;
        Ok(file)
    }
}

impl Case {
    /// The model ID this case is sent to: its own, else the file's.
    pub fn model_id<'a>(&'a self, file: &'a SampleFile) -> &'a str {
        self.model_id.as_deref().unwrap_or(&file.model_id)
    }

    /// The request body's bytes.
    pub fn request_bytes(&self) -> Vec<u8> {
        self.request.to_string().into_bytes()
    }

    /// The response body's bytes.
    pub fn response_bytes(&self) -> Vec<u8> {
        self.response.to_string().into_bytes()
    }
}
