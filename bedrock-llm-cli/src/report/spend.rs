//! Spend and usage folded from replayed records: totals, and the same figures by model (as
//! called and as billed), by IAM principal, by `requestMetadata` key=value and by day; latency
//! and time-to-first-token percentiles; what caching saved. Money stays in integer nano-dollars
//! until it is written.

use std::collections::{BTreeMap, BTreeSet};

use bedrock_llm_core::Invocation;
use bedrock_llm_events::cost::{CostOutcome, PriceTable, Usd, price};
use bedrock_llm_logs::ModelInvocationLog;
use bedrock_llm_logs::cost_keys;
use serde_json::{Map, Value, json};

/// One group's figures.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figures {
    pub(crate) usd: Usd,
    /// Calls priced (a group none of whose calls was priced has no cost, not $0).
    pub(crate) priced: u64,
    pub(crate) calls: u64,
    pub(crate) errors: u64,
    pub(crate) throttles: u64,
    pub(crate) unpriced: u64,
    pub(crate) input_tokens: u64,
    pub(crate) output_tokens: u64,
    pub(crate) cache_read_tokens: u64,
    pub(crate) cache_write_tokens: u64,
    pub(crate) images: u64,
    pub(crate) cache_savings_nanos: i128,
}

/// What one call adds to every group it belongs to.
struct Sample<'a> {
    outcome: &'a CostOutcome,
    failed: bool,
    throttled: bool,
    tokens: [u64; 4],
    images: u64,
}

impl Figures {
    fn add(&mut self, sample: &Sample<'_>) {
        self.calls += 1;
        self.errors += u64::from(sample.failed);
        self.throttles += u64::from(sample.throttled);
        let [input, output, read, write] = sample.tokens;
        self.input_tokens += input;
        self.output_tokens += output;
        self.cache_read_tokens += read;
        self.cache_write_tokens += write;
        self.images += sample.images;
        match sample.outcome {
            CostOutcome::Priced(cost) => {
                self.usd = self.usd.plus(cost.total);
                self.priced += 1;
                self.cache_savings_nanos += cost.cache_savings_nanos;
            }
            CostOutcome::Unpriced(_) => self.unpriced += 1,
            _ => {}
        }
    }

    /// The figures as JSON; `usd` is `null` when no call of the group was priced.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "usd": (self.priced > 0).then(|| dollars(self.usd)),
            "calls": self.calls,
            "errors": self.errors,
            "throttles": self.throttles,
            "unpriced_calls": self.unpriced,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "images": self.images,
            "cache_savings_usd": savings(self.cache_savings_nanos),
        })
    }
}

/// Dollars as a JSON number, from exact nano-dollars.
pub(crate) fn dollars(amount: Usd) -> Value {
    decimal_number(&amount.decimal())
}

fn savings(nanos: i128) -> Value {
    let sign = if nanos < 0 { "-" } else { "" };
    let magnitude = Usd::from_nanos(u64::try_from(nanos.unsigned_abs()).unwrap_or(u64::MAX));
    decimal_number(&format!("{sign}{}", magnitude.decimal()))
}

/// Exact decimal text as a JSON number (serde_json reads it to the nearest double).
fn decimal_number(text: &str) -> Value {
    serde_json::from_str::<Value>(text).unwrap_or(Value::Null)
}

/// Latencies kept whole for exact percentiles: one `u32` per call (4 MB per million calls).
#[derive(Debug, Default)]
pub(crate) struct Latencies {
    pub(crate) values: Vec<u32>,
}

impl Latencies {
    fn push(&mut self, ms: u64) {
        self.values.push(u32::try_from(ms).unwrap_or(u32::MAX));
    }

    /// The nearest-rank percentile of `sorted`, ms.
    fn percentile(sorted: &[u32], p: f64) -> Option<u32> {
        if sorted.is_empty() {
            return None;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
    }

    pub(crate) fn sorted(&self) -> Vec<u32> {
        let mut sorted = self.values.clone();
        sorted.sort_unstable();
        sorted
    }

    fn to_json(&self) -> Value {
        let sorted = self.sorted();
        json!({
            "count": sorted.len(),
            "p50": Self::percentile(&sorted, 50.0),
            "p95": Self::percentile(&sorted, 95.0),
            "p99": Self::percentile(&sorted, 99.0),
        })
    }
}

/// Everything a report shows.
#[derive(Debug, Default)]
pub(crate) struct Spend {
    pub(crate) total: Figures,
    pub(crate) by_model: BTreeMap<String, Figures>,
    pub(crate) by_base_model: BTreeMap<String, Figures>,
    pub(crate) by_principal: BTreeMap<String, Figures>,
    pub(crate) by_metadata: BTreeMap<String, Figures>,
    pub(crate) by_day: BTreeMap<String, Figures>,
    /// Unpriced calls by model ID, with the reason.
    pub(crate) unpriced: BTreeMap<String, (u64, &'static str)>,
    /// Calls billed by capacity (provisioned throughput, the reserved tier).
    pub(crate) capacity_billed: u64,
    pub(crate) latency: Latencies,
    pub(crate) time_to_first_token: Latencies,
    /// The price tables' labels the costs came from.
    pub(crate) tables: BTreeSet<String>,
}

/// Where a record without an identity is counted.
pub(crate) const NO_PRINCIPAL: &str = "(no identity)";

impl Spend {
    /// Adds one replayed record.
    pub(crate) fn add(
        &mut self,
        record: &ModelInvocationLog,
        invocation: &Invocation,
        table: &PriceTable,
    ) {
        let outcome = price(invocation, table);
        let usage = invocation
            .usage()
            .map(|(usage, _)| usage)
            .unwrap_or_default();
        let code = record
            .error_code
            .as_deref()
            .or(invocation.error.as_ref().map(|e| e.code.as_str()));
        let sample = Sample {
            outcome: &outcome,
            failed: code.is_some() || invocation.is_error(),
            throttled: code.is_some_and(|c| c.contains("Throttl")),
            tokens: [
                usage.input_tokens.unwrap_or(0),
                usage.output_tokens.unwrap_or(0),
                usage.cache_read_input_tokens.unwrap_or(0),
                usage.cache_write_input_tokens.unwrap_or(0),
            ],
            images: invocation
                .response
                .as_ref()
                .and_then(|r| r.images.as_ref())
                .map_or(0, |i| i.count),
        };
        self.total.add(&sample);
        let model = record
            .model_id
            .clone()
            .unwrap_or_else(|| invocation.model_id.clone());
        self.by_model.entry(model.clone()).or_default().add(&sample);
        match &outcome {
            CostOutcome::Priced(cost) => {
                self.tables.insert(cost.table.to_string());
                self.by_base_model
                    .entry(cost.base_model.to_string())
                    .or_default()
                    .add(&sample);
            }
            CostOutcome::Unpriced(why) => {
                let entry = self.unpriced.entry(model).or_insert((0, why.reason()));
                entry.0 += 1;
            }
            _ => self.capacity_billed += 1,
        }
        let principal = record
            .identity
            .as_ref()
            .and_then(|i| i.arn.clone())
            .unwrap_or_else(|| NO_PRINCIPAL.to_owned());
        self.by_principal.entry(principal).or_default().add(&sample);
        for (key, value) in record.request_metadata.iter().flatten() {
            // Keys this project writes (a written record's cost) are not the caller's tags.
            if key.starts_with(cost_keys::PREFIX) {
                continue;
            }
            let value = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            self.by_metadata
                .entry(format!("{key}={value}"))
                .or_default()
                .add(&sample);
        }
        let day = bedrock_llm_core::timestamp_text(invocation.timing.started_at_ms);
        let day = day.get(..10).unwrap_or(&day).to_owned();
        self.by_day.entry(day).or_default().add(&sample);
        if let Some(duration) = invocation.timing.duration {
            self.latency.push(duration.as_millis() as u64);
        }
        if let Some(first) = invocation.timing.time_to_first_token {
            self.time_to_first_token.push(first.as_millis() as u64);
        }
    }

    /// The report for machines (`--format json`).
    pub(crate) fn to_json(&self, table: &PriceTable) -> Value {
        let group = |groups: &BTreeMap<String, Figures>| -> Value {
            Value::Object(
                groups
                    .iter()
                    .map(|(key, figures)| (key.clone(), figures.to_json()))
                    .collect::<Map<String, Value>>(),
            )
        };
        let unpriced: Map<String, Value> = self
            .unpriced
            .iter()
            .map(|(model, (calls, reason))| {
                (model.clone(), json!({"calls": calls, "reason": reason}))
            })
            .collect();
        json!({
            "estimate": true,
            "note": "Estimated from list prices: credits, private pricing and reserved capacity are not visible here.",
            "price_table": table.about.label(),
            "price_tables_used": self.tables,
            "total_usd": dollars(self.total.usd),
            "calls": self.total.calls,
            "errors": self.total.errors,
            "throttles": self.total.throttles,
            "input_tokens": self.total.input_tokens,
            "output_tokens": self.total.output_tokens,
            "cache_read_tokens": self.total.cache_read_tokens,
            "cache_write_tokens": self.total.cache_write_tokens,
            "images": self.total.images,
            "cache_savings_usd": savings(self.total.cache_savings_nanos),
            "capacity_billed_calls": self.capacity_billed,
            "latency_ms": self.latency.to_json(),
            "time_to_first_token_ms": self.time_to_first_token.to_json(),
            "by_model": group(&self.by_model),
            "by_base_model": group(&self.by_base_model),
            "by_principal": group(&self.by_principal),
            "by_metadata": group(&self.by_metadata),
            "by_day": group(&self.by_day),
            "unpriced": unpriced,
        })
    }
}
