//! Files and objects read `jobs` at a time: each unit is read on a worker thread, its calls
//! prepared there for every destination, and the main thread delivers finished units whole, in
//! source order — so the output is the same for any number of jobs, each unit's lines stay
//! together, and the destinations are only ever touched by one thread. At most `2 × jobs`
//! units are in flight, which bounds memory to that many units' output.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, mpsc};

use bedrock_llm_events::RuntimeMetrics;

use bedrock_llm_export::Fanout;
use bedrock_llm_export::destination::Prepared;

use crate::output::Progress;
use crate::output::Stop;
use crate::state::State;
use crate::work::{Report, Settings, Tally, Unit, process, process_into, stop};

/// A unit read on a worker: what it prepared for each destination (by index) and its notes,
/// in order, and how it ended.
struct Finished {
    unit: Unit,
    items: Vec<Vec<Prepared>>,
    notes: Vec<String>,
    report: Result<Report, Stop>,
}

/// Where finished units go, and what the run has counted so far.
pub(crate) struct Output<'a> {
    pub(crate) destinations: &'a mut Fanout,
    pub(crate) state: Option<&'a mut State>,
    pub(crate) progress: &'a Progress,
    pub(crate) tally: Tally,
    pub(crate) metrics: RuntimeMetrics,
}

impl Output<'_> {
    /// Adds a written unit's counts, and records it as finished once its output is written or
    /// delivered (only when it was read to its end).
    pub(crate) fn complete(&mut self, unit: &Unit, report: Report) -> Result<(), Stop> {
        let whole = report.tally.unreadable.is_empty();
        self.metrics.merge(&report.metrics);
        self.tally.add(report.tally);
        if report.stopped_at.is_some() {
            self.tally.stopped += 1;
        }
        self.progress.records(self.tally.records);
        if let (Some(state), true) = (self.state.as_deref_mut(), whole)
            && let Some((source, version)) = unit.identity()
            && self.destinations.checkpoint().map_err(stop)?
        {
            match report.stopped_at {
                None => state.mark_done(&source, &version)?,
                // Stopped part-way: a re-run goes on after what was delivered.
                Some(records) if records > 0 => state.mark_partial(&source, &version, records)?,
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Reads `unit` straight into the destinations.
    pub(crate) fn process(&mut self, unit: &Unit, settings: &Settings<'_>) -> Result<Report, Stop> {
        process_into(unit, settings, self.destinations, self.progress)
    }
}

/// Reads `units` with `jobs` threads into `output`.
pub(crate) fn run(
    units: Vec<Unit>,
    jobs: usize,
    settings: &Settings<'_>,
    output: &mut Output<'_>,
) -> Result<(), Stop> {
    if jobs <= 1 || units.len() <= 1 {
        // One at a time: items go straight to the destination as they are made.
        for unit in units {
            if settings.interrupt.asked() {
                break;
            }
            let report = output.process(&unit, settings)?;
            output.complete(&unit, report)?;
        }
        return Ok(());
    }
    let abort = AtomicBool::new(false);
    let (to_workers, from_main) = mpsc::sync_channel::<(usize, Unit)>(jobs);
    let from_main = Mutex::new(from_main);
    std::thread::scope(|scope| {
        let (to_main, finished) = mpsc::channel::<(usize, Finished)>();
        for _ in 0..jobs {
            let to_main = to_main.clone();
            let (from_main, abort) = (&from_main, &abort);
            scope.spawn(move || {
                loop {
                    let next = from_main
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .recv();
                    let Ok((index, unit)) = next else { return };
                    if abort.load(Ordering::Relaxed) {
                        return;
                    }
                    let mut items = Vec::new();
                    let mut notes = Vec::new();
                    let report = process(
                        &unit,
                        settings,
                        &mut |index, prepared| {
                            if items.len() <= index {
                                items.resize_with(index + 1, Vec::new);
                            }
                            let queue = &mut items[index];
                            // A unit's text for one destination is gathered into one write.
                            match (prepared, queue.last_mut()) {
                                (Prepared::Text(more), Some(Prepared::Text(text))) => {
                                    text.push_str(&more);
                                }
                                (prepared, _) => queue.push(prepared),
                            }
                            Ok(())
                        },
                        &mut |line| notes.push(line),
                    );
                    let done = Finished {
                        unit,
                        items,
                        notes,
                        report,
                    };
                    if to_main.send((index, done)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(to_main);
        let result = (|| {
            let mut queued = units.into_iter().enumerate();
            let mut in_flight = 0usize;
            let mut waiting: BTreeMap<usize, Finished> = BTreeMap::new();
            let mut next_to_write = 0usize;
            loop {
                while in_flight < 2 * jobs && !settings.interrupt.asked() {
                    let Some(unit) = queued.next() else { break };
                    if to_workers.send(unit).is_err() {
                        return Err(Stop::from("the replay workers stopped"));
                    }
                    in_flight += 1;
                }
                if in_flight == 0 {
                    return Ok(());
                }
                let (index, done) = finished
                    .recv()
                    .map_err(|_| Stop::from("the replay workers stopped"))?;
                in_flight -= 1;
                waiting.insert(index, done);
                while let Some(done) = waiting.remove(&next_to_write) {
                    next_to_write += 1;
                    for line in &done.notes {
                        output.progress.note(line);
                    }
                    let report = done.report?;
                    for (index, queue) in done.items.into_iter().enumerate() {
                        for prepared in queue {
                            output.destinations.deliver(index, prepared).map_err(stop)?;
                        }
                    }
                    output.complete(&done.unit, report)?;
                }
            }
        })();
        if result.is_err() {
            abort.store(true, Ordering::Relaxed);
        }
        drop(to_workers);
        result
    })
}
