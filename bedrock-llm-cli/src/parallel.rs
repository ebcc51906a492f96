//! Files and objects read `jobs` at a time: each unit is read on a worker thread, its calls
//! prepared there for every destination and sent on in chunks, and the main thread delivers
//! units in source order — the next unit's chunks as they come, the others' waiting — so the
//! output is the same for any number of jobs, each unit's lines stay together, and the
//! destinations are only ever touched by one thread. At most `2 × jobs` units are in flight,
//! each with at most its share of a run-wide budget of chunks waiting (its worker waits beyond),
//! so memory is bounded by configuration, not by the size of a unit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, mpsc};

use bedrock_llm_export::destination::Fanout;
use bedrock_llm_export::destination::Prepared;

use crate::output::Stop;
use crate::progress::Progress;
use crate::state::State;
use crate::work::{Out, Report, Settings, Tally, Unit, process, stop};

/// A piece of a unit's output, sent by its worker as it is made: notes, then what was
/// prepared for each destination (by index), in order.
struct Chunk {
    notes: Vec<String>,
    items: Vec<Vec<Prepared>>,
    /// Runtime metrics of periods that closed meanwhile.
    metrics: Option<bedrock_llm_events::RuntimeMetrics>,
    bytes: usize,
}

impl Chunk {
    fn new() -> Self {
        Self {
            notes: Vec::new(),
            items: Vec::new(),
            metrics: None,
            bytes: 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.notes.is_empty() && self.items.is_empty() && self.metrics.is_none()
    }

    /// Adds what destination `index` prepared; text for one destination is gathered into one
    /// write.
    fn push(&mut self, index: usize, prepared: Prepared) {
        self.bytes += match &prepared {
            Prepared::Text(text) => text.len(),
            Prepared::Events(events) => events.iter().map(|e| e.json.len()).sum(),
            _ => 1024,
        };
        if self.items.len() <= index {
            self.items.resize_with(index + 1, Vec::new);
        }
        let queue = &mut self.items[index];
        match (prepared, queue.last_mut()) {
            (Prepared::Text(more), Some(Prepared::Text(text))) => text.push_str(&more),
            (prepared, _) => queue.push(prepared),
        }
    }
}

/// What a worker sends about a unit.
enum Piece {
    Chunk(Chunk),
    Done(Result<Report, Stop>),
}

/// A chunk is sent once it holds this much.
const CHUNK_BYTES: usize = 1 << 20;

/// What all units' waiting chunks may hold together: a bound of the run, whatever the units'
/// sizes (a 1 GiB file streams through).
const WAITING_BYTES: usize = 64 << 20;

/// Chunks a unit may have waiting before its worker waits: its share of [`WAITING_BYTES`]
/// among the `2 × jobs` units in flight, between 4 and 16. A unit behind the one being written
/// fills its share while it waits its turn, so a share smaller than a typical file's output
/// stalls its worker: with 4 chunks, `-j 2` over files of 7 MB of events ran about 10% slower.
/// What waits stays within `max(WAITING_BYTES, 8 × jobs × CHUNK_BYTES)`, beside the chunk each
/// worker is filling.
fn chunks_waiting(jobs: usize) -> usize {
    (WAITING_BYTES / CHUNK_BYTES / (2 * jobs.max(1))).clamp(4, 16)
}

/// Where finished units go, and what the run has counted so far.
pub(crate) struct Output<'a> {
    pub(crate) destinations: &'a mut Fanout,
    pub(crate) state: Option<&'a mut State>,
    pub(crate) progress: &'a Progress,
    pub(crate) tally: Tally,
    pub(crate) runtime: crate::runtime_out::RuntimeOut,
}

impl Output<'_> {
    /// Adds a written unit's counts, and records it as finished once its output is written or
    /// delivered (only when it was read to its end).
    pub(crate) fn complete(&mut self, unit: &Unit, report: Report) -> Result<(), Stop> {
        let whole = report.tally.unreadable.is_empty();
        self.runtime.add(&report.metrics, self.destinations);
        self.tally.add(report.tally);
        if report.stopped_at.is_some() {
            self.tally.stopped += 1;
        }
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

    /// Reads `unit` straight into the destinations (and its closed metric periods on).
    pub(crate) fn process(&mut self, unit: &Unit, settings: &Settings<'_>) -> Result<Report, Stop> {
        let (destinations, runtime, progress) =
            (&mut *self.destinations, &mut self.runtime, self.progress);
        process(
            unit,
            settings,
            &mut |out| match out {
                Out::Prepared(index, prepared) => {
                    destinations.deliver(index, prepared).map_err(stop)
                }
                Out::Metrics(closed) => {
                    runtime.add(&closed, destinations);
                    Ok(())
                }
            },
            &mut |line| progress.note(&line),
        )
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
    type Dispatched = (usize, Unit, mpsc::SyncSender<Piece>);
    let (to_workers, from_main) = mpsc::sync_channel::<Dispatched>(jobs);
    let from_main = Mutex::new(from_main);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let (from_main, abort) = (&from_main, &abort);
            scope.spawn(move || {
                loop {
                    let next = from_main
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .recv();
                    let Ok((_, unit, to_main)) = next else { return };
                    if abort.load(Ordering::Relaxed) {
                        return;
                    }
                    // The chunk being filled; a full one goes to the main thread, which takes
                    // the unit next in order as it comes and holds the others' few chunks.
                    let chunk = std::cell::RefCell::new(Chunk::new());
                    let send = |chunk: Chunk| {
                        to_main
                            .send(Piece::Chunk(chunk))
                            .map_err(|_| Stop::from("the replay stopped"))
                    };
                    let report = process(
                        &unit,
                        settings,
                        &mut |out| {
                            match out {
                                Out::Prepared(index, prepared) => {
                                    chunk.borrow_mut().push(index, prepared);
                                }
                                Out::Metrics(closed) => {
                                    let mut chunk = chunk.borrow_mut();
                                    match &mut chunk.metrics {
                                        Some(metrics) => metrics.merge(&closed),
                                        None => chunk.metrics = Some(closed),
                                    }
                                }
                            }
                            if chunk.borrow().bytes >= CHUNK_BYTES {
                                send(chunk.replace(Chunk::new()))?;
                            }
                            Ok(())
                        },
                        &mut |line| chunk.borrow_mut().notes.push(line),
                    );
                    let last = chunk.into_inner();
                    if (!last.is_empty() && send(last).is_err())
                        || to_main.send(Piece::Done(report)).is_err()
                    {
                        return;
                    }
                }
            });
        }
        let result = (|| {
            let mut queued = units.into_iter().enumerate();
            // The dispatched units, in order, each with the end of its worker's channel.
            let mut in_flight: std::collections::VecDeque<(Unit, mpsc::Receiver<Piece>)> =
                std::collections::VecDeque::new();
            loop {
                while in_flight.len() < 2 * jobs && !settings.interrupt.asked() {
                    let Some((index, unit)) = queued.next() else {
                        break;
                    };
                    let (to_main, pieces) = mpsc::sync_channel::<Piece>(chunks_waiting(jobs));
                    if to_workers.send((index, unit.clone(), to_main)).is_err() {
                        return Err(Stop::from("the replay workers stopped"));
                    }
                    in_flight.push_back((unit, pieces));
                }
                // The next unit in order: its pieces are written as they come.
                let Some((unit, pieces)) = in_flight.pop_front() else {
                    return Ok(());
                };
                loop {
                    match pieces.recv() {
                        Ok(Piece::Chunk(chunk)) => {
                            for line in &chunk.notes {
                                output.progress.note(line);
                            }
                            for (index, queue) in chunk.items.into_iter().enumerate() {
                                for prepared in queue {
                                    output.destinations.deliver(index, prepared).map_err(stop)?;
                                }
                            }
                            if let Some(closed) = chunk.metrics {
                                output.runtime.add(&closed, output.destinations);
                            }
                        }
                        Ok(Piece::Done(report)) => {
                            output.complete(&unit, report?)?;
                            break;
                        }
                        Err(_) => return Err(Stop::from("the replay workers stopped")),
                    }
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
