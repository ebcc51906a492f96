//! What a call cost: a price table ([`PriceTable`], shipped dated and overridable), the billing
//! rules that turn an [`Invocation`] into a [`Cost`] ([`price`]; each rule and its source in
//! `docs/cost.md`), money in exact integers ([`Usd`], [`Rate`]), and the import of AWS's own
//! Price List offer files ([`offer`]).
//!
//! Every figure is an estimate from list prices: credits, private pricing and reserved capacity
//! are invisible to a caller, and each cost names the table it came from.

pub mod facts;
mod file;
mod money;
pub mod offer;
mod table;

use std::sync::Arc;

use bedrock_llm_core::{ExchangeKind, Invocation, ModelId, ModelIdForm};

pub use file::{BUILTIN, PriceTableError};
pub use money::{Rate, Usd};
pub use table::{About, ImageTier, LongContext, ModelPrices, PriceTable, Rates, RegionPrices};

/// The environment variable naming the price tables to use, `:`-separated and merged in order;
/// `builtin` is the shipped one (`builtin:/etc/prices.json` extends it, a file alone replaces
/// it).
pub const PRICES_ENV: &str = "BEDROCK_LLM_PRICES";

/// What one call cost, part by part, and which prices said so.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Cost {
    /// Everything below, summed.
    pub total: Usd,
    /// Input tokens (cache reads and writes not included).
    pub input: Usd,
    /// Output tokens.
    pub output: Usd,
    /// Tokens read from the prompt cache.
    pub cache_read: Usd,
    /// Tokens written to the prompt cache.
    pub cache_write: Usd,
    /// Images generated.
    pub images: Usd,
    /// Per-request charges (rerank queries).
    pub requests: Usd,
    /// What caching saved: cache reads at the input price less their price, less the premium
    /// cache writes paid over the input price (can be negative: a write never read again).
    pub cache_savings_nanos: i128,
    /// The base model priced (`anthropic.claude-3-haiku-20240307-v1:0`).
    pub base_model: Arc<str>,
    /// The price-table key that matched it (the ID, or a `prefix*` pattern).
    pub price_key: Arc<str>,
    /// The Region priced (the call's source Region), when known.
    pub region: Option<String>,
    /// The rates applied beyond the standard ones, in order (`global`, `flex`, `priority`,
    /// `latency_optimized`, `long_context`).
    pub basis: Vec<&'static str>,
    /// The price table's date and source.
    pub table: Arc<str>,
}

/// Why a call has no cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Unpriced {
    /// The model ID names no model (an application profile, a custom model) and no alias maps
    /// it to one.
    OpaqueModelId,
    /// The table has no entry for the model, or none for the call's Region.
    NoPrice,
    /// The entry lacks a rate the call needs (output tokens, images of this size).
    MissingRate,
}

impl Unpriced {
    /// A short reason, for a report.
    pub fn reason(self) -> &'static str {
        match self {
            Self::OpaqueModelId => "the model ID names no model (map it in _aliases)",
            Self::NoPrice => "no price for this model and Region",
            Self::MissingRate => "the price entry lacks a rate this call needs",
        }
    }
}

/// What pricing a call gave.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CostOutcome {
    /// Priced.
    Priced(Cost),
    /// Not priced — never a guessed 0.
    Unpriced(Unpriced),
    /// A provisioned-throughput model: billed per hour, no per-call cost exists.
    Provisioned,
    /// The `reserved` service tier: a monthly capacity price, no per-call cost exists.
    Reserved,
}

impl CostOutcome {
    /// The cost, when priced.
    pub fn cost(&self) -> Option<&Cost> {
        match self {
            Self::Priced(cost) => Some(cost),
            _ => None,
        }
    }
}

/// Prices `invocation` with `table` by the billing rules of `docs/cost.md`.
pub fn price(invocation: &Invocation, table: &PriceTable) -> CostOutcome {
    let parsed;
    let model_id = match &invocation.parsed_model_id {
        Some(id) => id,
        None => match ModelId::parse(&invocation.model_id) {
            Ok(id) => {
                parsed = id;
                &parsed
            }
            Err(_) => return CostOutcome::Unpriced(Unpriced::OpaqueModelId),
        },
    };
    if model_id.form() == ModelIdForm::ProvisionedModelArn {
        return CostOutcome::Provisioned;
    }
    if invocation.serving.service_tier.as_deref() == Some("reserved") {
        return CostOutcome::Reserved;
    }
    // Rule 2: the model ID in any form resolves to its base model (aliases for opaque ones).
    let aliased;
    let (base_model, global) = match model_id.normalized_str() {
        Some(base) => (base, model_id.geography() == Some("global")),
        None => match table.aliased(model_id.as_str()).map(ModelId::parse) {
            Some(Ok(target)) => {
                aliased = target;
                match aliased.normalized_str() {
                    Some(base) => (base, aliased.geography() == Some("global")),
                    None => return CostOutcome::Unpriced(Unpriced::OpaqueModelId),
                }
            }
            _ => return CostOutcome::Unpriced(Unpriced::OpaqueModelId),
        },
    };
    // An entry for the ID exactly as called (a profile, an ARN) wins over its base model's;
    // a bare ID is its own base, looked up once.
    let as_called = (model_id.as_str() != base_model)
        .then(|| table.find_exact(model_id.as_str()))
        .flatten();
    let Some((price_key, prices)) = as_called.or_else(|| table.find(base_model)) else {
        return CostOutcome::Unpriced(Unpriced::NoPrice);
    };
    // Rule 1: the source Region (where the request was sent), not where it ran.
    let region = invocation.region.as_deref();
    let Some(region_prices) = prices.region(region) else {
        return CostOutcome::Unpriced(Unpriced::NoPrice);
    };
    let tokens = Tokens::of(invocation);
    let (rates, basis) = applicable_rates(region_prices, invocation, global, &tokens);
    match bill(&rates, invocation, &tokens) {
        Some(parts) => CostOutcome::Priced(Cost {
            total: parts.total(),
            input: parts.input,
            output: parts.output,
            cache_read: parts.cache_read,
            cache_write: parts.cache_write,
            images: parts.images,
            requests: parts.requests,
            cache_savings_nanos: cache_savings(&rates, &tokens),
            // The key is the base model's own ID when it matched exactly: shared, not copied.
            base_model: if **price_key == *base_model {
                price_key.clone()
            } else {
                Arc::from(base_model)
            },
            price_key: price_key.clone(),
            region: region.map(str::to_owned),
            basis,
            table: prices.table.clone(),
        }),
        None => CostOutcome::Unpriced(Unpriced::MissingRate),
    }
}

/// The token counts a call is billed for.
#[derive(Debug, Default)]
struct Tokens {
    input: u64,
    output: u64,
    cache_read: u64,
    /// Every cache write, 1-hour ones included.
    cache_write: u64,
    /// The 1-hour share of `cache_write`.
    cache_write_1h: u64,
}

impl Tokens {
    fn of(invocation: &Invocation) -> Self {
        let Some((usage, _)) = invocation.usage() else {
            return Self::default();
        };
        Self {
            input: usage.input_tokens.unwrap_or(0),
            // Rule 10: an embedding bills its input only.
            output: match invocation.kind {
                Some(ExchangeKind::Embedding) => 0,
                _ => usage.output_tokens.unwrap_or(0),
            },
            cache_read: usage.cache_read_input_tokens.unwrap_or(0),
            cache_write: usage.cache_write_input_tokens.unwrap_or(0),
            cache_write_1h: usage
                .cache_write_1h_input_tokens
                .unwrap_or(0)
                .min(usage.cache_write_input_tokens.unwrap_or(0)),
        }
    }

    /// The input the long-context threshold is measured on: cache reads and writes count.
    fn whole_input(&self) -> u64 {
        self.input
            .saturating_add(self.cache_read)
            .saturating_add(self.cache_write)
    }
}

/// The rates a call is billed at: the standard ones, overlaid by each variant that applies.
fn applicable_rates(
    prices: &RegionPrices,
    invocation: &Invocation,
    global: bool,
    tokens: &Tokens,
) -> (Rates, Vec<&'static str>) {
    let mut rates = prices.standard.clone();
    let mut basis = Vec::new();
    let mut overlay = |variant: Option<&Rates>, name: &'static str, rates: &mut Rates| {
        if let Some(variant) = variant {
            *rates = variant.over(rates);
            basis.push(name);
        }
    };
    // Rule 3: global cross-Region profiles, where AWS prices them apart.
    if global {
        overlay(prices.global.as_ref(), "global", &mut rates);
    }
    // Rule 6: the tier served, as the response says.
    match invocation.serving.service_tier.as_deref() {
        Some("flex") => overlay(prices.flex.as_ref(), "flex", &mut rates),
        Some("priority") => overlay(prices.priority.as_ref(), "priority", &mut rates),
        _ => {}
    }
    // Rule 7: latency-optimized prices only when the response says that is what was served.
    if invocation.serving.latency.as_deref() == Some("optimized") {
        overlay(
            prices.latency_optimized.as_ref(),
            "latency_optimized",
            &mut rates,
        );
    }
    // Rule 11: past the threshold every token is billed at the long-context rates.
    if let Some(long) = &prices.long_context
        && tokens.whole_input() > long.above_input_tokens
    {
        overlay(Some(&long.rates), "long_context", &mut rates);
    }
    (rates, basis)
}

/// A call's cost by part.
#[derive(Debug, Default)]
struct Parts {
    input: Usd,
    output: Usd,
    cache_read: Usd,
    cache_write: Usd,
    images: Usd,
    requests: Usd,
}

impl Parts {
    fn total(&self) -> Usd {
        [
            self.input,
            self.output,
            self.cache_read,
            self.cache_write,
            self.images,
            self.requests,
        ]
        .into_iter()
        .sum()
    }
}

/// `units` at `rate`; `None` when units are billed but no rate is known.
fn charge(rate: Option<Rate>, units: u64) -> Option<Usd> {
    match (rate, units) {
        (_, 0) => Some(Usd::ZERO),
        (Some(rate), units) => Some(rate.times(units)),
        (None, _) => None,
    }
}

fn bill(rates: &Rates, invocation: &Invocation, tokens: &Tokens) -> Option<Parts> {
    // Rule 4: cache tokens are priced apart; a table without cache rates bills them as input.
    let mut parts = Parts {
        input: charge(rates.input, tokens.input)?,
        output: charge(rates.output, tokens.output)?,
        cache_read: charge(rates.cache_read.or(rates.input), tokens.cache_read)?,
        cache_write: charge(
            rates.cache_write.or(rates.input),
            tokens.cache_write - tokens.cache_write_1h,
        )?
        .plus(charge(
            rates.cache_write_1h.or(rates.cache_write).or(rates.input),
            tokens.cache_write_1h,
        )?),
        ..Parts::default()
    };
    // Rule 9: images per image, at the tier the request asked for.
    let images = invocation
        .response
        .as_ref()
        .and_then(|r| r.images.as_ref())
        .map_or(0, |stats| stats.count);
    if images > 0 {
        let asked = invocation.request.as_ref().map(|r| &r.params.image);
        let side = asked.and_then(|p| match (p.width, p.height) {
            (Some(w), Some(h)) => Some(w.max(h)),
            (w, h) => w.or(h),
        });
        let quality = asked.and_then(|p| p.quality.as_deref());
        let steps = asked.and_then(|p| p.steps);
        let tier = rates
            .per_image
            .iter()
            .find(|tier| tier.fits(side, quality, steps))?;
        parts.images = tier.price.times(images);
    }
    // A per-request price (rerank) is charged for a call that was answered.
    if !invocation.is_error()
        && let Some(rate) = rates.per_request
    {
        parts.requests = rate.times(1);
    }
    Some(parts)
}

/// read·(p_in − p_read) − write·(p_write − p_in), in nano-dollars.
fn cache_savings(rates: &Rates, tokens: &Tokens) -> i128 {
    let Some(input) = rates.input else {
        return 0;
    };
    let at = |rate: Option<Rate>, units: u64| -> i128 {
        i128::from(rate.unwrap_or(input).times(units).nanos())
    };
    let read_saved = at(Some(input), tokens.cache_read) - at(rates.cache_read, tokens.cache_read);
    let five_minute = tokens.cache_write - tokens.cache_write_1h;
    let write_premium = at(rates.cache_write, five_minute)
        + at(
            rates.cache_write_1h.or(rates.cache_write),
            tokens.cache_write_1h,
        )
        - at(Some(input), tokens.cache_write);
    read_saved - write_premium
}

#[cfg(test)]
mod tests;
