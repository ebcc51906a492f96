//! One fuzz case — an entry point, a model ID and the byte strings it is fed — and what each
//! entry point does with it: everything downstream that untrusted bytes reach.

use std::io::{Cursor, Write};
use std::path::Path;
use std::time::Duration;

use bedrock_llm_core::{Invocation, Operation, StreamAccumulator, StreamEnd, adapter};
use bedrock_llm_events::RuntimeMetrics;
use bedrock_llm_events::render::{newrelic, otel};
use bedrock_llm_events::{CallContext, Config, build_events};
use bedrock_llm_logs::Caller;
use bedrock_llm_logs::ReadOptions;
use bedrock_llm_logs::{LogReader, ReadItem, replay, to_record};

/// An entry point that takes untrusted bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Request and response bodies through the registry (or the Converse adapter).
    Bodies,
    /// A request body, then response-stream chunks through the stream accumulator.
    Stream,
    /// Bytes read as an invocation-log file (plain, or gzip when the bytes are).
    Log,
    /// The same bytes gzipped first, so mutations reach the text inside the compression.
    LogGz,
}

impl Target {
    pub(crate) const ALL: [Self; 4] = [Self::Bodies, Self::Stream, Self::Log, Self::LogGz];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Bodies => "bodies",
            Self::Stream => "stream",
            Self::Log => "log",
            Self::LogGz => "log-gz",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// One input.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    pub(crate) target: Target,
    pub(crate) model: String,
    pub(crate) parts: Vec<Vec<u8>>,
}

impl Case {
    pub(crate) fn new(target: Target, model: &str, parts: Vec<Vec<u8>>) -> Self {
        Self {
            target,
            model: model.to_owned(),
            parts,
        }
    }

    /// Runs the case through its entry point and everything after it. Panics are the bugs.
    pub(crate) fn run(&self) {
        match self.target {
            Target::Bodies => self.bodies(),
            Target::Stream => self.stream(),
            Target::Log => self.log(self.parts.first().cloned().unwrap_or_default()),
            Target::LogGz => {
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                let _ = encoder.write_all(self.parts.first().map_or(&[][..], Vec::as_slice));
                self.log(encoder.finish().unwrap_or_default());
            }
        }
    }

    fn bodies(&self) {
        let request = self.parts.first().map(Vec::as_slice);
        let response = self.parts.get(1).map(Vec::as_slice);
        let mut invocation = if self.model == "converse" {
            let mut invocation = Invocation::new("anthropic.claude-v2", Operation::Converse);
            invocation.read_bodies(
                adapter::<bedrock_llm_models::converse::ConverseJson>(),
                request,
                response,
            );
            invocation
        } else {
            let mut invocation = Invocation::new(self.model.as_str(), Operation::InvokeModel);
            bedrock_llm_models::registry().read_bodies(&mut invocation, request, response);
            invocation
        };
        invocation.timing.started_at_ms = u64::MAX - 5;
        invocation.timing.duration = Some(Duration::from_millis(u64::MAX / 4));
        outputs(&invocation);
    }

    fn stream(&self) {
        let request = self.parts.first().map(Vec::as_slice);
        let registry = bedrock_llm_models::registry();
        let adapter = registry.resolve(&self.model, request);
        let mut invocation = Invocation::new(
            self.model.as_str(),
            Operation::InvokeModelWithResponseStream,
        );
        if let (Some(adapter), Some(body)) = (adapter, request)
            && let Ok(view) = adapter.request_view(body)
        {
            invocation.request = Some(view);
        }
        // A small cap, so truncation is exercised too.
        let mut accumulator = StreamAccumulator::new(adapter, 512);
        for (index, chunk) in self.parts.iter().skip(1).enumerate() {
            accumulator.push(chunk, Duration::from_millis(index as u64));
        }
        let outcome = accumulator.finish();
        invocation.response = outcome.response;
        invocation.stream_metrics = outcome.metrics;
        invocation.timing.time_to_first_token = outcome.time_to_first_token;
        invocation.content_truncated = outcome.truncated;
        invocation.stream_end = Some(StreamEnd::Completed);
        outputs(&invocation);
    }

    fn log(&self, bytes: Vec<u8>) {
        let options = ReadOptions::default().max_record_bytes(64 * 1024);
        let reader = LogReader::from_reader("fuzz", Cursor::new(bytes), options);
        let Ok(mut metrics) = RuntimeMetrics::new(Duration::from_secs(60)) else {
            return;
        };
        for item in reader {
            if let ReadItem::Record(read) = item {
                let invocation = replay(&read.record, bedrock_llm_models::registry());
                metrics.add(&invocation);
                outputs(&invocation);
                let body = |raw: Option<&serde_json::value::RawValue>| {
                    raw.map(|r| r.get().as_bytes().to_vec())
                };
                let request = body(
                    read.record
                        .input
                        .as_ref()
                        .and_then(|i| i.input_body_json.as_deref()),
                );
                let written = to_record(&invocation, request.as_deref(), None, &Caller::default());
                let _ = serde_json::to_string(&written);
            }
        }
        let _ = (metrics.emf(), metrics.elastic());
    }
}

/// Events in both renderings, with content on and off.
fn outputs(invocation: &Invocation) {
    for record_content in [true, false] {
        let config = Config::default()
            .enabled()
            .with_content(record_content)
            .with_otel_content(true);
        let built = build_events(invocation, &config, &CallContext::detached());
        for event in &built.events {
            std::hint::black_box(newrelic::event_json(event));
        }
        if let Some(error) = &built.error {
            std::hint::black_box(newrelic::error_json(error, invocation.timing.started_at_ms));
        }
        for (_, value) in otel::attributes(invocation, &config) {
            std::hint::black_box(value.to_text());
        }
        std::hint::black_box(otel::span_name(invocation));
    }
}

/// Saves `case` under `dir`: `case.txt` (target and model) and one `part-N.bin` per part.
pub(crate) fn save(case: &Case, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("case.txt"),
        format!("{}\n{}\n", case.target.name(), case.model),
    )?;
    for (index, part) in case.parts.iter().enumerate() {
        std::fs::write(dir.join(format!("part-{index}.bin")), part)?;
    }
    Ok(())
}

/// Loads a case [`save`] wrote.
pub(crate) fn load(dir: &Path) -> Result<Case, String> {
    let text = std::fs::read_to_string(dir.join("case.txt"))
        .map_err(|e| format!("{}: {e}", dir.join("case.txt").display()))?;
    let mut lines = text.lines();
    let target = lines
        .next()
        .and_then(Target::from_name)
        .ok_or_else(|| format!("{}: first line is not a target", dir.display()))?;
    let model = lines.next().unwrap_or_default();
    let mut parts = Vec::new();
    while let Ok(part) = std::fs::read(dir.join(format!("part-{}.bin", parts.len()))) {
        parts.push(part);
    }
    Ok(Case::new(target, model, parts))
}
