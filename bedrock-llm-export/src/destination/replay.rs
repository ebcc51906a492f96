//! The library's replay driver: invocation-log records, read by the logs crate's reader, into
//! destinations — the same rules (`bedrock_llm_logs::call_context`) and the same preparers the
//! CLI's `replay` uses, one record at a time.

use std::sync::Arc;

use bedrock_llm_core::{Invocation, Registry};
use bedrock_llm_events::{CallContext, RuntimeMetrics};
use bedrock_llm_logs::{ModelInvocationLog, ReadItem, call_context, replay};
use serde_json::value::RawValue;

use super::{Call, DeliveryError, Fanout, Origin, Prepare, Prepared};

/// What a replay read and delivered.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplayCounts {
    /// Records replayed.
    pub records: u64,
    /// Lines skipped (not records), as the reader reported them.
    pub skipped_lines: u64,
    /// Sources that could not be read.
    pub unreadable: Vec<String>,
}

/// Replays every record of `items` (a [`LogReader`](bedrock_llm_logs::LogReader), say) through
/// `registry` into `destinations`, adds each call to `metrics`, and checkpoints at the end.
/// Bodies offloaded to S3 are not fetched here (see `bedrock_llm_logs::replay_fetching`).
pub fn replay_into(
    items: impl IntoIterator<Item = ReadItem>,
    registry: &Registry,
    destinations: &mut Fanout,
    metrics: &mut RuntimeMetrics,
) -> Result<ReplayCounts, DeliveryError> {
    let preparers = destinations.preparers();
    let mut replayed = ReplayCounts::default();
    for item in items {
        let read = match item {
            ReadItem::Record(read) => read,
            ReadItem::Skipped(skip) => {
                replayed.skipped_lines += skip.lines;
                continue;
            }
            ReadItem::Unreadable { path, .. } => {
                replayed.unreadable.push(path);
                continue;
            }
        };
        let record = &read.record;
        let invocation = replay(record, registry);
        metrics.add(&invocation);
        let context = call_context(record, read.location.line);
        for (index, prepared) in prepare_record(&preparers, record, &invocation, &context) {
            destinations.deliver(index, prepared)?;
        }
        replayed.records += 1;
    }
    destinations.runtime_metrics(metrics)?;
    destinations.checkpoint()?;
    Ok(replayed)
}

/// A replayed record's call, prepared for every destination (`(index, prepared)` pairs): the
/// record's caller and logged bodies beside the invocation and its context.
pub fn prepare_record(
    preparers: &[Arc<dyn Prepare>],
    record: &ModelInvocationLog,
    invocation: &Invocation,
    context: &CallContext,
) -> Vec<(usize, Prepared)> {
    let origin = Origin::of_record(record);
    let (request_body, response_body) = logged_bodies(record);
    let call = Call {
        invocation,
        context,
        origin: &origin,
        request_body,
        response_body,
    };
    Fanout::prepare(preparers, &call)
}

/// A record's request and response bodies as logged (absent when offloaded).
pub fn logged_bodies(record: &ModelInvocationLog) -> (Option<&[u8]>, Option<&[u8]>) {
    fn bytes(raw: Option<&RawValue>) -> Option<&[u8]> {
        raw.map(|r| r.get().as_bytes())
    }
    (
        bytes(
            record
                .input
                .as_ref()
                .and_then(|i| i.input_body_json.as_deref()),
        ),
        bytes(
            record
                .output
                .as_ref()
                .and_then(|o| o.output_body_json.as_deref()),
        ),
    )
}

impl Origin {
    /// The caller a record names: its account, Region and identity.
    pub fn of_record(record: &ModelInvocationLog) -> Self {
        Self::new(
            record.account_id.clone(),
            record.region.clone(),
            record.identity.as_ref().and_then(|i| i.arn.clone()),
        )
    }
}
