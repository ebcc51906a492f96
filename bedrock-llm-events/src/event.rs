//! `LlmEvent`: an event type plus a flat, ordered list of attributes, and the builder that
//! enforces the attribute limits as values go in.

use std::borrow::Cow;

use crate::attribute::{AttrValue, Limits, MAX_CUSTOM_ATTRIBUTES, MAX_KEY_BYTES, int_value};
use crate::context::LlmAttributes;
use crate::names::attr;

/// One event: its type and attributes, in insertion order.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmEvent {
    event_type: &'static str,
    time_ms: u64,
    attributes: Vec<(Cow<'static, str>, AttrValue)>,
}

impl LlmEvent {
    /// A builder for an event of `event_type` that happened at `time_ms` (milliseconds since
    /// the Unix epoch), under `limits`.
    pub fn builder(event_type: &'static str, time_ms: u64, limits: Limits) -> LlmEventBuilder {
        LlmEventBuilder {
            event: Self {
                event_type,
                time_ms,
                attributes: Vec::with_capacity(20),
            },
            limits,
            dropped: 0,
        }
    }

    /// When the event happened, in milliseconds since the Unix epoch. Renderings use it as the
    /// event's `timestamp` where the spec gives the event no `timestamp` attribute.
    pub fn time_ms(&self) -> u64 {
        self.time_ms
    }

    /// The event type (`LlmChatCompletionSummary`, …).
    pub fn event_type(&self) -> &'static str {
        self.event_type
    }

    /// Every attribute, in insertion order.
    pub fn attributes(&self) -> &[(Cow<'static, str>, AttrValue)] {
        &self.attributes
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&AttrValue> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The string value of `key`.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(AttrValue::as_str)
    }

    /// The integer value of `key`.
    pub fn get_i64(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(AttrValue::as_i64)
    }
}

/// Builds an [`LlmEvent`], applying the limits of `llm-events.md` §7 to every value.
#[derive(Debug)]
pub struct LlmEventBuilder {
    event: LlmEvent,
    limits: Limits,
    dropped: u32,
}

impl LlmEventBuilder {
    fn push(&mut self, key: Cow<'static, str>, value: AttrValue) {
        if key.len() > MAX_KEY_BYTES {
            self.dropped += 1;
            return;
        }
        self.event.attributes.push((key, value));
    }

    /// A string value, truncated to the limit.
    pub fn str(mut self, key: &'static str, value: impl Into<Cow<'static, str>>) -> Self {
        let value = self.limits.truncate(value.into());
        self.push(Cow::Borrowed(key), AttrValue::Str(value));
        self
    }

    /// A string value when present.
    pub fn opt_str(self, key: &'static str, value: Option<impl Into<Cow<'static, str>>>) -> Self {
        match value {
            Some(value) => self.str(key, value),
            None => self,
        }
    }

    /// Content (`content`, `input`): never truncated.
    pub fn content(mut self, key: &'static str, value: impl Into<Cow<'static, str>>) -> Self {
        self.push(Cow::Borrowed(key), AttrValue::Str(value.into()));
        self
    }

    /// An integer; one that does not fit in `i64` drops the attribute.
    pub fn int(mut self, key: &'static str, value: u64) -> Self {
        match int_value(value) {
            Some(value) => self.push(Cow::Borrowed(key), value),
            None => self.dropped += 1,
        }
        self
    }

    /// An integer when present.
    pub fn opt_int(self, key: &'static str, value: Option<u64>) -> Self {
        match value {
            Some(value) => self.int(key, value),
            None => self,
        }
    }

    /// A float; non-finite values are dropped.
    pub fn float(mut self, key: &'static str, value: f64) -> Self {
        if value.is_finite() {
            self.push(Cow::Borrowed(key), AttrValue::Float(value));
        } else {
            self.dropped += 1;
        }
        self
    }

    /// A float when present.
    pub fn opt_float(self, key: &'static str, value: Option<f64>) -> Self {
        match value {
            Some(value) => self.float(key, value),
            None => self,
        }
    }

    /// A boolean.
    pub fn bool(mut self, key: &'static str, value: bool) -> Self {
        self.push(Cow::Borrowed(key), AttrValue::Bool(value));
        self
    }

    /// `error: true` when `failed`; nothing otherwise (`error` is only ever sent as `true`).
    pub fn error_flag(self, failed: bool) -> Self {
        if failed {
            self.bool(attr::ERROR, true)
        } else {
            self
        }
    }

    /// Copies the `llm.` custom attributes: keys sorted, at most 128, string values truncated.
    pub fn custom(mut self, custom: &LlmAttributes) -> Self {
        for (index, (key, value)) in custom.iter().enumerate() {
            if index >= MAX_CUSTOM_ATTRIBUTES {
                self.dropped += 1;
                continue;
            }
            let value = match value {
                AttrValue::Str(s) => AttrValue::Str(self.limits.truncate(s.clone())),
                other => other.clone(),
            };
            self.push(Cow::Owned(key.clone()), value);
        }
        self
    }

    /// Any attribute by name (feedback metadata); keys over 255 bytes are dropped.
    pub fn dynamic(mut self, key: String, value: AttrValue) -> Self {
        let value = match value {
            AttrValue::Str(s) => AttrValue::Str(self.limits.truncate(s)),
            other => other,
        };
        self.push(Cow::Owned(key), value);
        self
    }

    /// How many attributes were dropped so far.
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// The event.
    pub fn build(self) -> LlmEvent {
        self.event
    }

    /// The event, and how many attributes were dropped building it.
    pub fn build_counting(self) -> (LlmEvent, u32) {
        (self.event, self.dropped)
    }
}
