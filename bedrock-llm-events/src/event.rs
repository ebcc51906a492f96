//! `LlmEvent`: an event type plus a flat, ordered list of attributes, and the builder that
//! enforces the attribute limits as values go in.

use crate::attribute::{AttrValue, Limits, MAX_CUSTOM_ATTRIBUTES, MAX_KEY_BYTES, Text, int_value};
use crate::context::LlmAttributes;
use crate::names::attr;

/// One event: its type and attributes, in insertion order.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmEvent {
    event_type: &'static str,
    time_ms: u64,
    attributes: Vec<(Text, AttrValue)>,
    /// The bytes of the keys and string values, counted as they go in, so that a writer sizes
    /// its buffer without a pass over the attributes.
    text_bytes: usize,
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
                text_bytes: 0,
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

    /// About how many bytes the event takes written as JSON (exact for the text when nothing
    /// needs escaping, a number's widest for each number).
    pub(crate) fn written_len_hint(&self) -> usize {
        // Quotes, colon and comma per attribute, and room for a number's digits.
        const PER_ATTRIBUTE: usize = 26;
        self.text_bytes + self.attributes.len() * PER_ATTRIBUTE + self.event_type.len() + 48
    }

    /// The event type (`LlmChatCompletionSummary`, …).
    pub fn event_type(&self) -> &'static str {
        self.event_type
    }

    /// Every attribute, in insertion order.
    pub fn attributes(&self) -> &[(Text, AttrValue)] {
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

/// Builds an [`LlmEvent`], applying the limits of `docs/llm-events.md` §7 to every value.
#[derive(Debug)]
pub struct LlmEventBuilder {
    event: LlmEvent,
    limits: Limits,
    dropped: u32,
}

impl LlmEventBuilder {
    #[inline(always)]
    fn push(&mut self, key: Text, value: AttrValue) {
        if key.len() > MAX_KEY_BYTES {
            self.dropped += 1;
            return;
        }
        self.event.text_bytes += key.len() + value.as_str().map_or(0, str::len);
        self.event.attributes.push((key, value));
    }

    /// A string value, truncated to the limit.
    #[inline]
    pub fn str(&mut self, key: &'static str, value: impl Into<Text>) -> &mut Self {
        let value = self.limits.truncate(value.into());
        self.push(Text::Static(key), AttrValue::Str(value));
        self
    }

    /// A string value when present.
    #[inline]
    pub fn opt_str(&mut self, key: &'static str, value: Option<impl Into<Text>>) -> &mut Self {
        if let Some(value) = value {
            self.str(key, value);
        }
        self
    }

    /// Content (`content`, `input`): never truncated.
    #[inline]
    pub fn content(&mut self, key: &'static str, value: impl Into<Text>) -> &mut Self {
        self.push(Text::Static(key), AttrValue::Str(value.into()));
        self
    }

    /// An integer; one that does not fit in `i64` drops the attribute.
    #[inline]
    pub fn int(&mut self, key: &'static str, value: u64) -> &mut Self {
        match int_value(value) {
            Some(value) => self.push(Text::Static(key), value),
            None => self.dropped += 1,
        }
        self
    }

    /// An integer when present.
    pub fn opt_int(&mut self, key: &'static str, value: Option<u64>) -> &mut Self {
        if let Some(value) = value {
            self.int(key, value);
        }
        self
    }

    /// A float; non-finite values are dropped.
    #[inline]
    pub fn float(&mut self, key: &'static str, value: f64) -> &mut Self {
        if value.is_finite() {
            self.push(Text::Static(key), AttrValue::Float(value));
        } else {
            self.dropped += 1;
        }
        self
    }

    /// A float when present.
    pub fn opt_float(&mut self, key: &'static str, value: Option<f64>) -> &mut Self {
        if let Some(value) = value {
            self.float(key, value);
        }
        self
    }

    /// A boolean.
    #[inline]
    pub fn bool(&mut self, key: &'static str, value: bool) -> &mut Self {
        self.push(Text::Static(key), AttrValue::Bool(value));
        self
    }

    /// `error: true` when `failed`; nothing otherwise (`error` is only ever sent as `true`).
    pub fn error_flag(&mut self, failed: bool) -> &mut Self {
        if failed {
            self.bool(attr::ERROR, true);
        }
        self
    }

    /// Copies the `llm.` custom attributes: keys sorted, at most 128, string values truncated.
    pub fn custom(&mut self, custom: &LlmAttributes) -> &mut Self {
        let prepared = CustomAttributes::new(custom, self.limits);
        self.custom_prepared(&prepared)
    }

    /// Copies custom attributes prepared once for all the events of a call.
    pub(crate) fn custom_prepared(&mut self, custom: &CustomAttributes) -> &mut Self {
        self.dropped += custom.over_cap;
        for (key, value) in &custom.kept {
            self.push(key.clone(), value.clone());
        }
        self
    }

    /// Any attribute by name (feedback metadata); keys over 255 bytes are dropped.
    pub fn dynamic(&mut self, key: String, value: AttrValue) -> &mut Self {
        let value = match value {
            AttrValue::Str(s) => AttrValue::Str(self.limits.truncate(s)),
            other => other,
        };
        self.push(Text::from(key), value);
        self
    }

    /// How many attributes were dropped so far.
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// The event. The builder is left empty.
    pub fn build(&mut self) -> LlmEvent {
        self.build_counting().0
    }

    /// The event, and how many attributes were dropped building it. The builder is left empty.
    pub fn build_counting(&mut self) -> (LlmEvent, u32) {
        let empty = LlmEvent {
            event_type: self.event.event_type,
            time_ms: self.event.time_ms,
            attributes: Vec::new(),
            text_bytes: 0,
        };
        (
            std::mem::replace(&mut self.event, empty),
            std::mem::take(&mut self.dropped),
        )
    }
}

/// `llm.` custom attributes with the limits applied: what every event of one call copies.
#[derive(Debug, Clone, Default)]
pub(crate) struct CustomAttributes {
    kept: Vec<(Text, AttrValue)>,
    /// Attributes past the cap, dropped from each event.
    over_cap: u32,
}

impl CustomAttributes {
    pub(crate) fn new(custom: &LlmAttributes, limits: Limits) -> Self {
        let kept = custom
            .iter()
            .take(MAX_CUSTOM_ATTRIBUTES)
            .map(|(key, value)| {
                let value = match value {
                    AttrValue::Str(s) => AttrValue::Str(limits.truncate(s.clone())),
                    other => other.clone(),
                };
                (Text::from(key), value)
            })
            .collect();
        Self {
            kept,
            over_cap: u32::try_from(custom.len().saturating_sub(MAX_CUSTOM_ATTRIBUTES))
                .unwrap_or(u32::MAX),
        }
    }
}
