//! Reading the captured pieces into the record: the routing left for later, the bodies, the
//! stream's outcome, and the count, duration and guardrail rules; and emptying a boxed
//! builder to be reused.

use std::time::Duration;

use super::text::CallText;
use super::traces::{converse_extras, note_trace};
use super::{InvocationBuilder, is_converse};
use crate::model::ExchangeKind;
use crate::record::{Invocation, Operation, StreamEnd};
use crate::stream::DEFAULT_CONTENT_CAP;
use crate::view::ServiceMetrics;

impl InvocationBuilder {
    /// Reads every captured piece and returns the record. Never fails: a body that does not
    /// read leaves its view `None` and adds to [`Invocation::extraction_errors`].
    pub fn finish(mut self) -> Invocation {
        self.assemble();
        self.record
    }

    /// [`Self::finish`] for a boxed builder (a call path's capture). One that came from
    /// the instrumented client's spare builders then goes back there, emptied, with its buffers,
    /// to be reused.
    pub fn finish_boxed(mut self: Box<Self>) -> Invocation {
        self.assemble();
        let record = self.reset();
        if let Some(home) = self.home.clone() {
            home.give_back(self);
        }
        record
    }

    /// Empties the builder, as [`Self::blank`] made it but keeping its buffers and home, and
    /// returns the record it held.
    fn reset(&mut self) -> Invocation {
        let Self {
            record,
            adapter,
            route_later,
            parse_later,
            clock,
            measured,
            request,
            response_body,
            response_view,
            view_latency_ms,
            status,
            text,
            logged,
            logged_video,
            streamed,
            held,
            held_bytes,
            accumulator,
            content_cap,
            home: _,
        } = self;
        *adapter = None;
        *route_later = None;
        *parse_later = false;
        *clock = None;
        *measured = None;
        request.clear();
        response_body.clear();
        *response_view = None;
        *view_latency_ms = None;
        *status = None;
        text.clear();
        *logged = None;
        *logged_video = None;
        *streamed = false;
        held.clear();
        *held_bytes = 0;
        *accumulator = None;
        *content_cap = DEFAULT_CONTENT_CAP;
        std::mem::replace(record, Invocation::placeholder(Operation::InvokeModel))
    }

    /// Bytes the buffers (bodies and text) hold on to.
    pub(super) fn buffer_capacity(&self) -> usize {
        self.request.copy.capacity() + self.response_body.copy.capacity() + self.text.capacity()
    }

    /// Lets go of the buffers when together they hold more than `limit` bytes.
    pub(super) fn trim_buffers(&mut self, limit: usize) {
        if self.buffer_capacity() > limit {
            self.request.copy = Vec::new();
            self.response_body.copy = Vec::new();
            self.text = CallText::default();
        }
    }

    /// Reads the pieces into the record.
    fn assemble(&mut self) {
        self.stop_clock();
        self.text.apply(&mut self.record);
        if let Some(latency) = self.view_latency_ms {
            self.record.header_metrics.invocation_latency_ms = Some(latency);
        }
        self.route();
        let adapter = self.adapter;
        if let (Some(adapter), Some(body)) = (adapter, self.request.get()) {
            match adapter.request_view(body) {
                Ok(view) => self.record.request = Some(view),
                Err(error) => self.record.extraction_errors.push(error),
            }
        }
        let mut whole_body = false;
        if let Some(view) = self.response_view.take() {
            self.record.response = Some(view);
        } else if let Some(body) = self.response_body.get() {
            if let Some(adapter) = adapter {
                match adapter.response_view(body) {
                    Ok(view) => self.record.response = Some(view),
                    Err(error) => self.record.extraction_errors.push(error),
                }
            }
            if is_converse(self.record.operation) {
                converse_extras(&mut self.record, body);
            }
            note_trace(&mut self.record, body);
            whole_body = true;
        }
        let mut first_token = None;
        if self.streamed {
            // Folds any chunks still held.
            self.folding();
        }
        if let Some(accumulator) = self.accumulator.take() {
            let outcome = accumulator.finish();
            let record = &mut self.record;
            if adapter.is_some() || outcome.response.is_some() {
                record.response = outcome.response;
            }
            record.stream_metrics = outcome.metrics;
            record.content_truncated |= outcome.truncated;
            record.guardrail_intervened |= outcome.guardrail_intervened;
            record.extraction_errors_omitted += outcome
                .errors_seen
                .saturating_sub(outcome.errors.len() as u64);
            record.extraction_errors.extend(outcome.errors);
            first_token = outcome.time_to_first_token;
        }
        self.finish_counts();
        if let Some(video) = self.logged_video.take() {
            self.record
                .kind
                .get_or_insert(ExchangeKind::VideoGeneration);
            self.record
                .response
                .get_or_insert_with(Default::default)
                .videos = Some(video);
        }
        self.finish_timing(first_token);
        let record = &mut self.record;
        if record.operation.is_streaming()
            && (whole_body || self.streamed)
            && record.stream_end.is_none()
        {
            record.stream_end = Some(StreamEnd::Completed);
        }
        let whole_body = if whole_body {
            self.response_body.get()
        } else {
            None
        };
        record.note_guardrail(whole_body);
    }

    /// The log's counts fill what the stream (or, for whole bodies, nothing) reported.
    fn finish_counts(&mut self) {
        let Some(logged) = self.logged else { return };
        let record = &mut self.record;
        record.stream_metrics = Some(match record.stream_metrics {
            Some(metrics) => ServiceMetrics {
                input_tokens: metrics.input_tokens.or(logged.input_tokens),
                output_tokens: metrics.output_tokens.or(logged.output_tokens),
                ..metrics
            },
            None => logged,
        });
    }

    /// The one duration rule: measured when live, else Bedrock's latency.
    fn finish_timing(&mut self, measured_first_token: Option<Duration>) {
        let live = self.clock.is_some();
        let record = &mut self.record;
        let reported = |pick: fn(&ServiceMetrics) -> Option<u64>| {
            record
                .stream_metrics
                .as_ref()
                .and_then(pick)
                .or_else(|| pick(&record.header_metrics))
                .map(Duration::from_millis)
        };
        let duration = self
            .measured
            .or(record.timing.duration)
            .or_else(|| reported(|m| m.invocation_latency_ms));
        let first_token = if live {
            measured_first_token
        } else {
            record
                .timing
                .time_to_first_token
                .or_else(|| reported(|m| m.first_byte_latency_ms))
        };
        record.timing.duration = duration;
        record.timing.time_to_first_token = first_token;
    }
}
