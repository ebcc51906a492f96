//! `replay --sqs QUEUE_URL`: S3 object-created notifications consumed from SQS. Each message's
//! objects are replayed; the message is deleted only once their output is written or
//! delivered. While an object is read, the message's visibility is extended, so no other
//! worker takes it; an object that cannot be read is made visible again after a short delay,
//! and a message received more than `max_receives` times is left alone for the queue's
//! dead-letter policy. Any number of workers on any number of machines can share the queue:
//! SQS hands each message to one of them at a time, and event ids derived from the records
//! make a redelivered message's events identical to the first delivery's.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use aws_sdk_sqs::types::{Message, MessageSystemAttributeName};
use bedrock_llm_logs::notification::{self, Notification};
use bedrock_llm_logs::s3::ObjectEntry;

use crate::output::Stop;
use crate::parallel::Output;
use crate::work::{Settings, Unit};

/// The longest long poll SQS allows.
const MAX_WAIT_SECONDS: u64 = 20;

/// How long a handled message waits for its events' delivery before the run gives up.
const DELIVERY_PATIENCE: Duration = Duration::from_secs(120);

/// A queue and how to consume it.
pub(crate) struct Consumer {
    pub(crate) queue_url: String,
    pub(crate) client: aws_sdk_sqs::Client,
    pub(crate) runtime: tokio::runtime::Handle,
    pub(crate) idle_exit: Option<Duration>,
    pub(crate) visibility_timeout: u32,
    pub(crate) max_receives: u32,
}

/// What became of one message.
enum Outcome {
    /// Every object was written or delivered: delete it.
    Done,
    /// Some object failed: let it come back.
    Retry,
    /// Received too often: leave it for the dead-letter queue.
    Poison,
}

fn sqs_error<E, R>(what: &str, error: aws_sdk_sqs::error::SdkError<E, R>) -> Stop
where
    E: aws_sdk_sqs::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    Stop::from(format!(
        "{what}: {}",
        bedrock_llm_logs::aws_error::explain(&error)
    ))
}

impl Consumer {
    /// Consumes until the queue has been idle for `idle_exit` (or forever without it).
    pub(crate) fn run(&self, settings: &Settings<'_>, output: &mut Output<'_>) -> Result<(), Stop> {
        // Several polls per idle period, so an idle exit comes on time.
        let wait = self.idle_exit.map_or(MAX_WAIT_SECONDS, |idle| {
            (idle.as_secs() / 3).clamp(1, MAX_WAIT_SECONDS)
        });
        let mut last_work = Instant::now();
        // Objects done in this run: a duplicate notification is deleted without re-reading.
        let mut seen = HashSet::new();
        loop {
            if settings.interrupt.asked() {
                return Ok(());
            }
            let received = self
                .runtime
                .block_on(
                    self.client
                        .receive_message()
                        .queue_url(&self.queue_url)
                        .max_number_of_messages(10)
                        .wait_time_seconds(i32::try_from(wait).unwrap_or(20))
                        .visibility_timeout(i32::try_from(self.visibility_timeout).unwrap_or(300))
                        .message_system_attribute_names(
                            MessageSystemAttributeName::ApproximateReceiveCount,
                        )
                        .send(),
                )
                .map_err(|e| sqs_error(&format!("cannot receive from {}", self.queue_url), e))?;
            let mut worked = false;
            // Every message of the batch stays hidden while any of them waits its turn.
            let mut heartbeats: Vec<Option<tokio::task::JoinHandle<()>>> = received
                .messages()
                .iter()
                .map(|m| m.receipt_handle().map(|receipt| self.keep_hidden(receipt)))
                .collect();
            for (at, message) in received.messages().iter().enumerate() {
                if settings.interrupt.asked() {
                    break;
                }
                let handled = self.handle(message, settings, output, &mut seen);
                if let Some(heartbeat) = heartbeats.get_mut(at).and_then(Option::take) {
                    heartbeat.abort();
                }
                let handled = match handled {
                    Ok(handled) => handled,
                    Err(stop) => {
                        heartbeats.iter().flatten().for_each(|h| h.abort());
                        return Err(stop);
                    }
                };
                match handled {
                    Outcome::Done => {
                        worked = true;
                        if let Some(receipt) = message.receipt_handle() {
                            self.runtime
                                .block_on(
                                    self.client
                                        .delete_message()
                                        .queue_url(&self.queue_url)
                                        .receipt_handle(receipt)
                                        .send(),
                                )
                                .map_err(|e| sqs_error("cannot delete a handled message", e))?;
                        }
                    }
                    Outcome::Retry => worked = true,
                    // A poison message coming back is not work: it must not keep the run alive.
                    Outcome::Poison => {}
                }
            }
            // Messages a stop left unhandled come back when their visibility ends.
            heartbeats.iter().flatten().for_each(|h| h.abort());
            if worked {
                last_work = Instant::now();
            } else if self
                .idle_exit
                .is_some_and(|idle| last_work.elapsed() >= idle)
            {
                return Ok(());
            }
        }
    }

    fn handle(
        &self,
        message: &Message,
        settings: &Settings<'_>,
        output: &mut Output<'_>,
        seen: &mut HashSet<(String, String)>,
    ) -> Result<Outcome, Stop> {
        let receives: u32 = message
            .attributes()
            .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
            .and_then(|count| count.parse().ok())
            .unwrap_or(1);
        let id = message.message_id().unwrap_or("?");
        if receives > self.max_receives {
            output.progress.note(&format!(
                "sqs: message {id} received {receives} times; left for the queue's dead-letter policy"
            ));
            return Ok(Outcome::Poison);
        }
        let objects = match notification::parse(message.body().unwrap_or_default()) {
            Notification::Test => return Ok(Outcome::Done),
            Notification::Objects(objects) => objects,
            Notification::Unknown(reason) => {
                output
                    .progress
                    .note(&format!("sqs: message {id}: {reason}; not deleted"));
                self.retry_later(message, receives);
                return Ok(Outcome::Retry);
            }
        };
        let mut outcome = Outcome::Done;
        for object in objects {
            let unit = Unit::Object(ObjectEntry {
                bucket: object.bucket,
                key: object.key,
                size: object.size.unwrap_or(0),
                etag: object.etag,
            });
            let identity = unit.identity();
            if let Some((source, version)) = &identity
                && (seen.contains(&(source.clone(), version.clone()))
                    || output
                        .state
                        .as_ref()
                        .is_some_and(|s| s.is_done(source, version)))
            {
                continue;
            }
            let mut report = output.process(&unit, settings)?;
            // An object that could not be read is the queue's to retry (and, past the limit,
            // its dead-letter policy's), not a failure of the run.
            let read = report.tally.unreadable.is_empty();
            if !read {
                report.tally.unreadable.clear();
                report.tally.retried += 1;
            }
            // An object a stop cut short stays the queue's: its message comes back.
            let whole = read && report.stopped_at.is_none();
            output.complete(&unit, report)?;
            if !whole {
                outcome = Outcome::Retry;
                continue;
            }
            // The message goes only once its data is delivered; reading the object again
            // while its events still wait would send them twice, so delivery is waited for
            // (the message stays hidden), and a backend that stays down stops the run.
            if !Self::delivered(output, settings)? {
                return Err(format!(
                    "sqs: message {id}: its events could not be delivered within {} s; it is left on the queue to come back",
                    DELIVERY_PATIENCE.as_secs()
                )
                .into());
            }
            if let Some(identity) = identity {
                seen.insert(identity);
            }
        }
        if matches!(outcome, Outcome::Retry) {
            self.retry_later(message, receives);
        }
        Ok(outcome)
    }

    /// Whether everything taken so far was delivered, trying again with growing pauses up to
    /// [`DELIVERY_PATIENCE`] (an outage or an open breaker passes meanwhile).
    fn delivered(output: &mut Output<'_>, settings: &Settings<'_>) -> Result<bool, Stop> {
        let deadline = Instant::now() + DELIVERY_PATIENCE;
        let mut pause = Duration::from_secs(1);
        loop {
            if output
                .destinations
                .checkpoint()
                .map_err(crate::work::stop)?
            {
                return Ok(true);
            }
            if Instant::now() + pause > deadline || settings.interrupt.asked() {
                return Ok(false);
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_secs(10));
        }
    }

    /// Extends the message's visibility every half timeout until aborted.
    fn keep_hidden(&self, receipt: &str) -> tokio::task::JoinHandle<()> {
        let (client, queue, receipt) = (
            self.client.clone(),
            self.queue_url.clone(),
            receipt.to_owned(),
        );
        let timeout = self.visibility_timeout;
        self.runtime.spawn(async move {
            let period = Duration::from_millis(u64::from(timeout) * 500);
            loop {
                tokio::time::sleep(period).await;
                let _ = client
                    .change_message_visibility()
                    .queue_url(&queue)
                    .receipt_handle(&receipt)
                    .visibility_timeout(i32::try_from(timeout).unwrap_or(300))
                    .send()
                    .await;
            }
        })
    }

    /// Makes a failed message visible again after a delay growing with its receives.
    fn retry_later(&self, message: &Message, receives: u32) {
        if let Some(receipt) = message.receipt_handle() {
            let delay = (receives.saturating_mul(2)).min(self.visibility_timeout);
            let _ = self.runtime.block_on(
                self.client
                    .change_message_visibility()
                    .queue_url(&self.queue_url)
                    .receipt_handle(receipt)
                    .visibility_timeout(i32::try_from(delay).unwrap_or(0))
                    .send(),
            );
        }
    }
}
