//! Configuration (`docs/llm-events.md` §10), set in code or read from the environment.
//!
//! | field | variable (first found wins) | default |
//! |---|---|---|
//! | `enabled` | `BEDROCK_LLM_ENABLED`, `NEW_RELIC_AI_MONITORING_ENABLED` | `false` |
//! | `record_content` | `BEDROCK_LLM_RECORD_CONTENT`, `NEW_RELIC_AI_MONITORING_RECORD_CONTENT_ENABLED` | `true` |
//! | `streaming` | `BEDROCK_LLM_STREAMING`, `NEW_RELIC_AI_MONITORING_STREAMING_ENABLED` | `true` |
//! | `max_samples_stored` | `BEDROCK_LLM_MAX_SAMPLES_STORED`, `NEW_RELIC_CUSTOM_INSIGHTS_EVENTS_MAX_SAMPLES_STORED` | `100000` |
//! | `max_attribute_value` | `BEDROCK_LLM_MAX_ATTRIBUTE_VALUE`, `NEW_RELIC_CUSTOM_INSIGHTS_EVENTS_MAX_ATTRIBUTE_VALUE` | `255` (at most 4095) |
//! | `token_precedence` | `BEDROCK_LLM_TOKEN_PRECEDENCE` (`response_first`, `callback_first`) | `response_first` |
//! | `otel_content` | `BEDROCK_LLM_OTEL_CONTENT`, `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` | `false` |
//! | `kill_switch` | `BEDROCK_LLM_KILL_SWITCH`, `NEW_RELIC_HIGH_SECURITY` | `false` |
//! | `recording_queue` | `BEDROCK_LLM_RECORDING_QUEUE` | `1024` (`0`: record on the caller's thread) |
//! | `cost` | `BEDROCK_LLM_COST` | `true` (a cost where a price is known) |
//! | `prices` | `BEDROCK_LLM_PRICES` (price-table files, `:`-separated; `builtin` is the shipped one) | the shipped table |
//!
//! `max_samples_stored` defaults to 100,000, the maximum the Bedrock module's README advises:
//! LLM events share the custom-event reservoir, and the usual 30,000 samples them away under
//! load. The token callback can only be set in code.

use std::fmt;
use std::sync::Arc;

use bedrock_llm_core::Invocation;

use crate::attribute::{Limits, MAX_ATTRIBUTE_VALUE_CEILING};
use crate::cost::{CostOutcome, PRICES_ENV, PriceTable};

/// Counts tokens for `(model_id, content)` when a body and Bedrock's headers do not.
pub type TokenCallback = Arc<dyn Fn(&str, &str) -> Option<u64> + Send + Sync>;

/// Which token source wins (`docs/llm-events.md` §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenPrecedence {
    /// Body usage, then headers, then stream metrics; the callback only fills gaps (Java).
    #[default]
    ResponseFirst,
    /// The callback first, on the joined request and response content (Python, Node).
    CallbackFirst,
}

/// Calls the recording worker's queue holds by default.
pub const DEFAULT_RECORDING_QUEUE: usize = 1024;

/// Configuration of event recording. Build it from [`Config::default`] (or
/// [`Config::from_env`]) with the `with_…` setters, or set fields on a value you hold; new
/// settings come with defaults, so code written either way keeps compiling.
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Master switch. Off: nothing is recorded and only `…/ML/Disabled` is reported.
    pub enabled: bool,
    /// Keep prompt, completion and embedding input text in events.
    pub record_content: bool,
    /// Record events for streamed calls.
    pub streaming: bool,
    /// Event buffer capacity between harvests.
    pub max_samples_stored: usize,
    /// Bytes kept of non-content string values (clamped to 4095).
    pub max_attribute_value: usize,
    /// Which token source wins.
    pub token_precedence: TokenPrecedence,
    /// Counts tokens when no other source does.
    pub token_callback: Option<TokenCallback>,
    /// Also put content in OpenTelemetry signals — the opt-in `gen_ai.input.messages`,
    /// `gen_ai.output.messages`, `gen_ai.system_instructions` and `gen_ai.tool.definitions`,
    /// on the inference-details event (or on the span when no logger is set); needs
    /// `record_content` too.
    pub otel_content: bool,
    /// Forces everything off, whatever `enabled` says (high-security mode).
    pub kill_switch: bool,
    /// Calls captured and waiting for the recorder's worker thread, which reads their bodies
    /// and builds their events off the caller's path. When the queue is full a call is not
    /// recorded (counted in `Supportability/Rust/ML/Bedrock/Recording/Dropped`); the caller
    /// never waits. `0` records on the caller's thread instead.
    pub recording_queue: usize,
    /// Price each call (`docs/cost.md`) and put its cost on every rendering.
    pub cost: bool,
    /// The price table; `None`: the one this crate ships ([`PriceTable::embedded`]).
    pub prices: Option<Arc<PriceTable>>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            enabled: false,
            record_content: true,
            streaming: true,
            max_samples_stored: 100_000,
            max_attribute_value: 255,
            token_precedence: TokenPrecedence::ResponseFirst,
            token_callback: None,
            otel_content: false,
            kill_switch: false,
            recording_queue: DEFAULT_RECORDING_QUEUE,
            cost: true,
            prices: None,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("enabled", &self.enabled)
            .field("record_content", &self.record_content)
            .field("streaming", &self.streaming)
            .field("max_samples_stored", &self.max_samples_stored)
            .field("max_attribute_value", &self.max_attribute_value)
            .field("token_precedence", &self.token_precedence)
            .field(
                "token_callback",
                &self.token_callback.as_ref().map(|_| "set"),
            )
            .field("otel_content", &self.otel_content)
            .field("kill_switch", &self.kill_switch)
            .field("recording_queue", &self.recording_queue)
            .field("cost", &self.cost)
            .field("prices", &self.prices.as_ref().map(|p| p.about.label()))
            .finish()
    }
}

/// An environment variable with a value that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable.
    pub variable: &'static str,
    /// Its value.
    pub value: String,
    /// What was expected.
    pub expected: &'static str,
    /// What went wrong, when more can be said (a price-table file's error).
    pub detail: Option<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "environment variable {}={:?}: expected {}",
            self.variable, self.value, self.expected
        )?;
        match &self.detail {
            Some(detail) => write!(f, " ({detail})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Recording on: `enabled` and not killed.
    pub fn active(&self) -> bool {
        self.enabled && !self.kill_switch
    }

    /// The attribute limits this configuration sets.
    pub fn limits(&self) -> Limits {
        Limits::new(self.max_attribute_value)
    }

    /// Enables recording (builder style).
    pub fn enabled(mut self) -> Self {
        self.enabled = true;
        self
    }

    /// Sets the token callback (builder style).
    pub fn with_token_callback(
        mut self,
        callback: impl Fn(&str, &str) -> Option<u64> + Send + Sync + 'static,
    ) -> Self {
        self.token_callback = Some(Arc::new(callback));
        self
    }

    /// The defaults overridden by the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Keeps (or drops) prompt, completion and embedding input text in events.
    pub fn with_content(mut self, on: bool) -> Self {
        self.record_content = on;
        self
    }

    /// Records (or skips) events of streamed calls.
    pub fn with_streaming(mut self, on: bool) -> Self {
        self.streaming = on;
        self
    }

    /// Keeps at most `events` between harvests.
    pub fn with_max_samples_stored(mut self, events: usize) -> Self {
        self.max_samples_stored = events;
        self
    }

    /// Keeps at most `bytes` of non-content string values (clamped to 4095).
    pub fn with_max_attribute_value(mut self, bytes: usize) -> Self {
        self.max_attribute_value = bytes.min(MAX_ATTRIBUTE_VALUE_CEILING);
        self
    }

    /// Chooses which token source wins.
    pub fn with_token_precedence(mut self, precedence: TokenPrecedence) -> Self {
        self.token_precedence = precedence;
        self
    }

    /// Also puts content on OpenTelemetry spans (needs content recording too).
    pub fn with_otel_content(mut self, on: bool) -> Self {
        self.otel_content = on;
        self
    }

    /// Queues at most `calls` for the recording worker; `0` records on the caller's thread.
    pub fn with_recording_queue(mut self, calls: usize) -> Self {
        self.recording_queue = calls;
        self
    }

    /// Forces everything off, whatever `enabled` says.
    pub fn with_kill_switch(mut self, on: bool) -> Self {
        self.kill_switch = on;
        self
    }

    /// With pricing on or off.
    pub fn with_cost(mut self, on: bool) -> Self {
        self.cost = on;
        self
    }

    /// With this price table instead of the shipped one (merge a partial one over
    /// [`PriceTable::embedded`] to extend it).
    pub fn with_prices(mut self, table: Arc<PriceTable>) -> Self {
        self.prices = Some(table);
        self
    }

    /// The price table in use.
    pub fn price_table(&self) -> Arc<PriceTable> {
        self.prices.clone().unwrap_or_else(PriceTable::embedded)
    }

    /// What `invocation` cost, by this configuration's prices; `None` when pricing is off.
    pub fn cost_of(&self, invocation: &Invocation) -> Option<CostOutcome> {
        if !self.cost {
            return None;
        }
        Some(match &self.prices {
            Some(table) => crate::cost::price(invocation, table),
            None => crate::cost::price(invocation, PriceTable::embedded_shared()),
        })
    }

    /// The defaults overridden by `lookup(variable)`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        let find = |names: &[&'static str]| {
            names
                .iter()
                .find_map(|name| lookup(name).map(|value| (*name, value)))
        };
        if let Some((name, value)) =
            find(&["BEDROCK_LLM_ENABLED", "NEW_RELIC_AI_MONITORING_ENABLED"])
        {
            config.enabled = parse_bool(name, &value)?;
        }
        if let Some((name, value)) = find(&[
            "BEDROCK_LLM_RECORD_CONTENT",
            "NEW_RELIC_AI_MONITORING_RECORD_CONTENT_ENABLED",
        ]) {
            config.record_content = parse_bool(name, &value)?;
        }
        if let Some((name, value)) = find(&[
            "BEDROCK_LLM_STREAMING",
            "NEW_RELIC_AI_MONITORING_STREAMING_ENABLED",
        ]) {
            config.streaming = parse_bool(name, &value)?;
        }
        if let Some((name, value)) = find(&[
            "BEDROCK_LLM_MAX_SAMPLES_STORED",
            "NEW_RELIC_CUSTOM_INSIGHTS_EVENTS_MAX_SAMPLES_STORED",
        ]) {
            config.max_samples_stored = parse_count(name, &value, "a whole number of events")?;
        }
        if let Some((name, value)) = find(&[
            "BEDROCK_LLM_MAX_ATTRIBUTE_VALUE",
            "NEW_RELIC_CUSTOM_INSIGHTS_EVENTS_MAX_ATTRIBUTE_VALUE",
        ]) {
            let bytes = parse_count(name, &value, "a byte count up to 4095")?;
            config.max_attribute_value = bytes.min(MAX_ATTRIBUTE_VALUE_CEILING);
        }
        if let Some((name, value)) = find(&["BEDROCK_LLM_TOKEN_PRECEDENCE"]) {
            config.token_precedence = match value.trim().to_ascii_lowercase().as_str() {
                "response_first" => TokenPrecedence::ResponseFirst,
                "callback_first" => TokenPrecedence::CallbackFirst,
                _ => {
                    return Err(ConfigError {
                        variable: name,
                        value,
                        expected: "`response_first` or `callback_first`",
                        detail: None,
                    });
                }
            };
        }
        if let Some((name, value)) = find(&[
            "BEDROCK_LLM_OTEL_CONTENT",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
        ]) {
            config.otel_content = parse_bool(name, &value)?;
        }
        if let Some((name, value)) = find(&["BEDROCK_LLM_RECORDING_QUEUE"]) {
            config.recording_queue = parse_count(name, &value, "a whole number of calls")?;
        }
        if let Some((name, value)) = find(&["BEDROCK_LLM_COST"]) {
            config.cost = parse_bool(name, &value)?;
        }
        if let Some((name, value)) = find(&[PRICES_ENV]) {
            let sources: Vec<&str> = value.split(':').filter(|s| !s.trim().is_empty()).collect();
            let table = PriceTable::from_sources(&sources).map_err(|error| ConfigError {
                variable: name,
                value: value.clone(),
                expected: "price-table files separated by `:`, `builtin` for the shipped one",
                detail: Some(error.to_string()),
            })?;
            config.prices = Some(Arc::new(table));
        }
        if let Some((name, value)) = find(&["BEDROCK_LLM_KILL_SWITCH", "NEW_RELIC_HIGH_SECURITY"]) {
            config.kill_switch = parse_bool(name, &value)?;
        }
        Ok(config)
    }
}

fn parse_bool(variable: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(ConfigError {
            variable,
            value: value.to_owned(),
            expected: "true or false",
            detail: None,
        }),
    }
}

fn parse_count(
    variable: &'static str,
    value: &str,
    expected: &'static str,
) -> Result<usize, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError {
        variable,
        value: value.to_owned(),
        expected,
        detail: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn defaults_follow_the_spec() {
        let config = Config::from_lookup(env(&[])).unwrap();
        assert!(!config.enabled && config.record_content && config.streaming);
        assert_eq!(config.max_samples_stored, 100_000);
        assert_eq!(config.max_attribute_value, 255);
        assert_eq!(config.token_precedence, TokenPrecedence::ResponseFirst);
        assert!(!config.active());
    }

    #[test]
    fn project_names_win_over_new_relic_names() {
        let config = Config::from_lookup(env(&[
            ("NEW_RELIC_AI_MONITORING_ENABLED", "false"),
            ("BEDROCK_LLM_ENABLED", "true"),
            ("NEW_RELIC_AI_MONITORING_RECORD_CONTENT_ENABLED", "off"),
            (
                "NEW_RELIC_CUSTOM_INSIGHTS_EVENTS_MAX_ATTRIBUTE_VALUE",
                "10000",
            ),
            ("BEDROCK_LLM_TOKEN_PRECEDENCE", "Callback_First"),
        ]))
        .unwrap();
        assert!(config.enabled && !config.record_content);
        assert_eq!(config.max_attribute_value, 4095);
        assert_eq!(config.token_precedence, TokenPrecedence::CallbackFirst);
        let killed = Config::from_lookup(env(&[
            ("BEDROCK_LLM_ENABLED", "1"),
            ("NEW_RELIC_HIGH_SECURITY", "true"),
        ]))
        .unwrap();
        assert!(!killed.active());
    }

    #[test]
    fn bad_values_name_the_variable() {
        let error =
            Config::from_lookup(env(&[("BEDROCK_LLM_MAX_SAMPLES_STORED", "lots")])).unwrap_err();
        assert_eq!(error.variable, "BEDROCK_LLM_MAX_SAMPLES_STORED");
        assert_eq!(
            error.to_string(),
            "environment variable BEDROCK_LLM_MAX_SAMPLES_STORED=\"lots\": expected a whole number of events"
        );
        assert!(Config::from_lookup(env(&[("BEDROCK_LLM_STREAMING", "maybe")])).is_err());
    }
}
