//! `replay cloudwatch:GROUP --follow`: polls log groups for new events and replays them as they
//! come, to every destination.
//!
//! Each poll scans from a low-water mark to now. The mark trails the newest scan by `--lag`
//! (CloudWatch ingests late: an event can appear after later ones), and the ids of the events
//! at or after the mark that were already replayed are kept, so a rescan repeats nothing. With
//! `--state`, the mark and those ids are written only once a batch is written or delivered: a
//! follower killed and restarted with the same state loses nothing and repeats nothing. A
//! signal lets the current batch finish and be checkpointed, then the run ends with status 0.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bedrock_llm_logs::cloudwatch::{LogEvent, LogGroup};

use crate::output::Stop;
use crate::parallel::Output;
use crate::work::{GroupEvents, Settings, Unit};

/// How a follower polls.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Follow {
    pub(crate) poll: Duration,
    pub(crate) lag: Duration,
    pub(crate) idle_exit: Option<Duration>,
    /// Where to start without a state (`--since`); the group's beginning otherwise.
    pub(crate) since_ms: Option<i64>,
    /// Where to stop (`--until`); never otherwise.
    pub(crate) until_ms: Option<i64>,
}

/// Where a follower is in one group: the low-water mark and the events at or after it that
/// were replayed (id → time).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) low_ms: i64,
    pub(crate) seen: BTreeMap<String, i64>,
}

impl Position {
    /// As `--state` keeps it: `LOW|id@time,id@time…`.
    pub(crate) fn encode(&self) -> String {
        let seen: Vec<String> = self
            .seen
            .iter()
            .map(|(id, at)| format!("{id}@{at}"))
            .collect();
        format!("{}|{}", self.low_ms, seen.join(","))
    }

    /// The position `encode` wrote; `None` for anything else.
    pub(crate) fn decode(text: &str) -> Option<Self> {
        let (low, seen) = text.split_once('|')?;
        let mut position = Self {
            low_ms: low.parse().ok()?,
            seen: BTreeMap::new(),
        };
        for entry in seen.split(',').filter(|e| !e.is_empty()) {
            let (id, at) = entry.rsplit_once('@')?;
            position.seen.insert(id.to_owned(), at.parse().ok()?);
        }
        Some(position)
    }

    /// The events of a scan not replayed yet.
    fn fresh(&self, events: Vec<LogEvent>) -> Vec<LogEvent> {
        events
            .into_iter()
            .filter(|e| e.timestamp_ms >= self.low_ms && !self.seen.contains_key(&e.event_id))
            .collect()
    }

    /// The position once `events` are replayed, with the mark moved up to `watermark`.
    fn after(&self, events: &[LogEvent], watermark: i64) -> Self {
        let low_ms = self.low_ms.max(watermark);
        let mut seen: BTreeMap<String, i64> = self
            .seen
            .iter()
            .filter(|(_, at)| **at >= low_ms)
            .map(|(id, at)| (id.clone(), *at))
            .collect();
        for event in events.iter().filter(|e| e.timestamp_ms >= low_ms) {
            seen.insert(event.event_id.clone(), event.timestamp_ms);
        }
        Self { low_ms, seen }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Follows `groups` until a signal, `--idle-exit` or `--until`. Reads each batch with
/// `settings` (whose interrupt must never stop a batch part-way) and writes or delivers it
/// through `output`; `interrupt` ends the loop between batches.
pub(crate) fn run(
    groups: Vec<LogGroup>,
    follow: &Follow,
    settings: &Settings<'_>,
    output: &mut Output<'_>,
    interrupt: &crate::signals::Interrupt,
) -> Result<(), Stop> {
    let logs = &settings.aws.get()?.logs;
    let mut positions: Vec<(LogGroup, Position)> = groups
        .into_iter()
        .map(|group| {
            let saved = output
                .state
                .as_deref()
                .and_then(|state| state.version_of(&group.uri()))
                .and_then(Position::decode);
            let position = saved.unwrap_or(Position {
                low_ms: follow.since_ms.unwrap_or(0),
                seen: BTreeMap::new(),
            });
            (group, position)
        })
        .collect();
    let lag_ms = i64::try_from(follow.lag.as_millis()).unwrap_or(i64::MAX);
    let mut last_news = Instant::now();
    loop {
        let now = now_ms();
        let end = follow.until_ms.map_or(now, |until| until.min(now));
        for (group, position) in &mut positions {
            if interrupt.asked() {
                return Ok(());
            }
            let start = (position.low_ms > 0).then_some(position.low_ms);
            let events = match logs.events(group, start, Some(end)) {
                Ok(events) => position.fresh(events),
                Err(error) => {
                    // A follower rides out a failing poll; the next one tries again.
                    output.progress.note(&format!("{error} (polling again)"));
                    continue;
                }
            };
            if events.is_empty() {
                continue;
            }
            last_news = Instant::now();
            let next = position.after(&events, now.saturating_sub(lag_ms));
            let unit = Unit::Events(Arc::new(GroupEvents {
                group: group.clone(),
                events,
                checkpoint: output.state.is_some().then(|| next.encode()),
            }));
            let report = output.process(&unit, settings)?;
            output.complete(&unit, report)?;
            *position = next;
        }
        let past_until = follow
            .until_ms
            .is_some_and(|until| now.saturating_sub(lag_ms) > until);
        let idle = follow
            .idle_exit
            .is_some_and(|idle| last_news.elapsed() >= idle);
        if past_until || idle || interrupt.asked() {
            return Ok(());
        }
        // Sleep the poll interval, waking for a signal or the idle deadline.
        let wake = Instant::now() + follow.poll;
        while Instant::now() < wake {
            if interrupt.asked()
                || follow
                    .idle_exit
                    .is_some_and(|idle| last_news.elapsed() >= idle)
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn event(id: &str, at: i64) -> LogEvent {
        LogEvent {
            event_id: id.into(),
            timestamp_ms: at,
            stream: "s".into(),
            message: "{}".into(),
        }
    }

    #[test]
    fn a_rescan_repeats_nothing_and_a_late_event_is_still_taken() {
        let start = Position::default();
        let first = vec![event("a", 100), event("b", 200)];
        let fresh = start.fresh(first.clone());
        assert_eq!(fresh.len(), 2);
        // The mark trails: both ids are kept, a rescan of the same window is empty.
        let next = start.after(&fresh, 150);
        assert_eq!(next.low_ms, 150);
        assert!(next.fresh(vec![event("b", 200)]).is_empty());
        // An event ingested late, but after the mark, comes through once.
        let late = next.fresh(vec![event("b", 200), event("c", 160)]);
        assert_eq!(late, vec![event("c", 160)]);
        let decoded = Position::decode(&next.encode()).unwrap();
        assert_eq!(decoded, next);
        assert_eq!(Position::decode("garbage"), None);
        assert_eq!(Position::decode("5|x@y"), None);
    }
}
