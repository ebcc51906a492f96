//! The recorder's worker: one thread that reads captured calls and builds their events, so the
//! caller's request pipeline only captures and hands over.
//!
//! The queue between them is bounded ([`crate::Config::recording_queue`]) and batched, as
//! OpenTelemetry's batch processors are: handing over takes a lock and pushes, and wakes the
//! worker only when the queue is half full or the worker has gone to sleep after a quiet
//! spell. Waking a thread on another core costs a call tens of microseconds on a virtual
//! machine — more than building its events — so the worker otherwise drains the queue every
//! [`DRAIN_INTERVAL`]. Handing over never waits: a full queue drops the call and counts it.
//! [`Worker::flush`] wakes the worker and waits for it. A panic while recording one call is
//! caught and counted, and the worker goes on with the next. Dropping the recorder closes the
//! queue; the worker records what is left in it and ends.

use std::collections::VecDeque;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::ThreadId;
use std::time::Duration;

use bedrock_llm_core::{Invocation, InvocationBuilder};

use crate::context::CapturedContext;

/// How often a busy worker drains its queue when nobody wakes it.
pub(crate) const DRAIN_INTERVAL: Duration = Duration::from_millis(20);

/// Quiet drains after which the worker sleeps until woken (no timer while the program is idle).
const QUIET_DRAINS_BEFORE_SLEEP: u32 = 50;

/// The longest [`Worker::flush`] waits: a wedged token callback must not hang a harvest.
const FLUSH_LIMIT: Duration = Duration::from_secs(10);

/// One unit of the worker's work.
pub(crate) enum Job {
    /// A call's captured pieces, read here.
    Capture {
        capture: Box<InvocationBuilder>,
        context: CapturedContext,
        sdk_version: Option<&'static str>,
        /// The caller's OpenTelemetry context, when telemetry is on.
        parent: Option<opentelemetry::Context>,
    },
    /// A call already read (its span needed the record at the call's end).
    Record {
        invocation: Box<Invocation>,
        context: CapturedContext,
        sdk_version: Option<&'static str>,
        parent: Option<opentelemetry::Context>,
    },
    /// Answers once every job before it is done.
    Flush(SyncSender<()>),
}

/// The queue the callers and the worker share.
struct Queue {
    jobs: Mutex<VecDeque<Job>>,
    ready: Condvar,
    capacity: usize,
    /// The worker waits without a timer: a push must wake it.
    asleep: AtomicBool,
    closed: AtomicBool,
}

impl Queue {
    fn jobs(&self) -> MutexGuard<'_, VecDeque<Job>> {
        // Every update is one push or one drain: a poisoned lock is still consistent.
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The handle on the worker thread.
pub(crate) struct Worker {
    queue: Arc<Queue>,
    thread: ThreadId,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("thread", &self.thread)
            .field("capacity", &self.queue.capacity)
            .finish()
    }
}

/// What runs the worker's jobs (the recorder's shared state). A trait here, implemented by the
/// recorder, so this module needs nothing of the recorder's: the recorder uses the worker, not
/// the other way round.
pub(crate) trait RunJobs: Send + Sync + 'static {
    /// Records one job.
    fn run(&self, job: Job);
    /// Counts a failure of the recording itself (a job that panicked).
    fn count_instrumentation_error(&self, what: &str);
}

impl Worker {
    /// Starts the worker with a queue of `capacity` calls; `None` when `capacity` is 0 or no
    /// thread could be started (the recorder then records on the caller's thread).
    pub(crate) fn start<R: RunJobs>(shared: &Arc<R>, capacity: usize) -> Option<Self> {
        if capacity == 0 {
            return None;
        }
        let queue = Arc::new(Queue {
            jobs: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
            capacity,
            asleep: AtomicBool::new(false),
            closed: AtomicBool::new(false),
        });
        let shared = Arc::clone(shared);
        let worker_queue = Arc::clone(&queue);
        let handle = std::thread::Builder::new()
            .name("bedrock-llm-recorder".to_owned())
            .spawn(move || work(&worker_queue, shared.as_ref()))
            .ok()?;
        Some(Self {
            queue,
            thread: handle.thread().id(),
        })
    }

    /// Queues `job`, or drops it at a full queue (counted in `dropped`). Never waits for room.
    pub(crate) fn hand_over(&self, job: Job, dropped: &AtomicU64) {
        let queue = &self.queue;
        let mut jobs = queue.jobs();
        if jobs.len() >= queue.capacity {
            drop(jobs);
            dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        jobs.push_back(job);
        let half_full = jobs.len() * 2 >= queue.capacity;
        drop(jobs);
        if half_full || queue.asleep.load(Ordering::SeqCst) {
            queue.ready.notify_one();
        }
    }

    /// Waits (at most [`FLUSH_LIMIT`]) until the jobs queued before now are done.
    pub(crate) fn flush(&self) {
        // From the worker itself (a token callback harvesting) it would wait on itself.
        if std::thread::current().id() == self.thread {
            return;
        }
        let (done, finished) = mpsc::sync_channel(1);
        // A flush is never dropped, whatever the queue holds.
        self.queue.jobs().push_back(Job::Flush(done));
        self.queue.ready.notify_one();
        let _ = finished.recv_timeout(FLUSH_LIMIT);
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.queue.closed.store(true, Ordering::SeqCst);
        self.queue.ready.notify_one();
    }
}

/// The worker's loop: drain, record, wait.
fn work(queue: &Queue, shared: &impl RunJobs) {
    let mut quiet = 0u32;
    loop {
        let mut jobs = queue.jobs();
        if jobs.is_empty() {
            if queue.closed.load(Ordering::SeqCst) {
                return;
            }
            if quiet >= QUIET_DRAINS_BEFORE_SLEEP {
                // Set under the lock: a push after this sees it and wakes us.
                queue.asleep.store(true, Ordering::SeqCst);
                jobs = queue
                    .ready
                    .wait(jobs)
                    .unwrap_or_else(PoisonError::into_inner);
                queue.asleep.store(false, Ordering::SeqCst);
                quiet = 0;
            } else {
                jobs = queue
                    .ready
                    .wait_timeout(jobs, DRAIN_INTERVAL)
                    .map_or_else(|e| e.into_inner().0, |(jobs, _)| jobs);
                if jobs.is_empty() {
                    quiet += 1;
                }
            }
        }
        let batch: Vec<Job> = jobs.drain(..).collect();
        drop(jobs);
        if !batch.is_empty() {
            quiet = 0;
        }
        for job in batch {
            if catch_unwind(AssertUnwindSafe(|| shared.run(job))).is_err() {
                shared.count_instrumentation_error("recording_panicked");
            }
        }
    }
}
