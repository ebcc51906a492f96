//! A destination for bedrock-llm written outside it: each call's New Relic events as JSON
//! lines in files that rotate by size (`calls.0.jsonl`, `calls.1.jsonl`, …). One implementation
//! of `bedrock_llm_export::destination::Destination`; the live `Harvester` and the library's replay drive it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bedrock_llm_events::render::newrelic;
use bedrock_llm_events::{Config, Harvest, emit_events, now_ms};
use bedrock_llm_export::DeliveryReport;
use bedrock_llm_export::destination::{
    Call, DeliveryError, Destination, Prepare, Prepared, Reporter,
};

/// JSON lines under `dir`, a new file once one reaches `max_bytes`.
pub struct JsonlFiles {
    dir: PathBuf,
    max_bytes: u64,
    file: Option<BufWriter<File>>,
    index: u32,
    bytes: u64,
    lines: Arc<AtomicU64>,
    preparer: Arc<Lines>,
}

/// A call's events as lines, rendered off the delivering thread.
struct Lines(Config);

impl Prepare for Lines {
    fn prepare(&self, call: &Call<'_>) -> Prepared {
        let mut text = String::new();
        emit_events(call.invocation, &self.0, call.context, &mut |event| {
            text.push_str(&newrelic::event_json(&event));
            text.push('\n');
        });
        Prepared::Text(text)
    }
}

fn failed(what: &str, error: std::io::Error) -> DeliveryError {
    DeliveryError::Failed(format!("{what}: {error}"))
}

impl JsonlFiles {
    /// Files under `dir` (created if missing) of at most about `max_bytes` each.
    pub fn new(dir: impl AsRef<Path>, max_bytes: u64, config: Config) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir.as_ref())?;
        Ok(Self {
            dir: dir.as_ref().to_path_buf(),
            max_bytes: max_bytes.max(1),
            file: None,
            index: 0,
            bytes: 0,
            lines: Arc::new(AtomicU64::new(0)),
            preparer: Arc::new(Lines(config)),
        })
    }

    /// The file `index` is written to.
    pub fn path(dir: &Path, index: u32) -> PathBuf {
        dir.join(format!("calls.{index}.jsonl"))
    }

    fn write(&mut self, text: &str) -> Result<(), DeliveryError> {
        if self.file.is_some() && self.bytes >= self.max_bytes {
            self.rotate()?;
        }
        if self.file.is_none() {
            let path = Self::path(&self.dir, self.index);
            let file = File::create(&path).map_err(|e| failed(&path.display().to_string(), e))?;
            self.file = Some(BufWriter::new(file));
        }
        if let Some(file) = &mut self.file {
            file.write_all(text.as_bytes())
                .map_err(|e| failed("write", e))?;
        }
        self.bytes += text.len() as u64;
        let lines = text.bytes().filter(|b| *b == b'\n').count() as u64;
        self.lines.fetch_add(lines, Ordering::Relaxed);
        Ok(())
    }

    fn rotate(&mut self) -> Result<(), DeliveryError> {
        if let Some(mut file) = self.file.take() {
            file.flush().map_err(|e| failed("flush", e))?;
        }
        self.index += 1;
        self.bytes = 0;
        Ok(())
    }
}

impl Destination for JsonlFiles {
    fn name(&self) -> &'static str {
        "jsonl"
    }

    fn preparer(&self) -> Arc<dyn Prepare> {
        self.preparer.clone()
    }

    fn deliver(&mut self, prepared: Prepared) -> Result<(), DeliveryError> {
        match prepared {
            Prepared::Text(text) => self.write(&text),
            _ => Err(DeliveryError::Failed("jsonl takes text".to_owned())),
        }
    }

    fn harvest(&mut self, harvest: &Harvest) -> Result<Vec<(&'static str, u64)>, DeliveryError> {
        for event in &harvest.events {
            self.write(&format!("{}\n", newrelic::event_json(event)))?;
        }
        for report in &harvest.error_reports {
            self.write(&format!("{}\n", newrelic::error_json(report, now_ms())))?;
        }
        Ok(Vec::new())
    }

    fn checkpoint(&mut self) -> Result<bool, DeliveryError> {
        if let Some(file) = &mut self.file {
            file.flush().map_err(|e| failed("flush", e))?;
            file.get_ref().sync_data().map_err(|e| failed("sync", e))?;
        }
        Ok(true)
    }

    fn shutdown(&mut self, _deadline: Instant) -> Result<DeliveryReport, DeliveryError> {
        self.checkpoint()?;
        Ok((self.reporter())())
    }

    fn reporter(&self) -> Reporter {
        let lines = self.lines.clone();
        Arc::new(move || {
            let mut report = DeliveryReport::default();
            report.events_sent = lines.load(Ordering::Relaxed);
            report
        })
    }
}
