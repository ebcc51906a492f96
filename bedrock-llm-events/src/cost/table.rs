//! The price table: per base model ID (or `prefix*` pattern) and per Region (or `*`), the
//! rates of each way Bedrock serves a call. Its file format is documented in `docs/cost.md`
//! and read by [`PriceTable::from_json`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use super::money::Rate;

/// One image price: the first tier whose limits the request fits prices each image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageTier {
    /// The longest side this tier covers, in pixels (`None`: any).
    pub max_side: Option<u64>,
    /// The quality it covers (`standard`, `premium`; `None`: any).
    pub quality: Option<String>,
    /// The most diffusion steps it covers (`None`: any).
    pub max_steps: Option<u64>,
    /// Per image.
    pub price: Rate,
}

impl ImageTier {
    /// Whether a request of this size, quality and steps falls in the tier. What the request
    /// left unsaid is the model's default, the smallest tier's.
    pub fn fits(&self, side: Option<u64>, quality: Option<&str>, steps: Option<u64>) -> bool {
        let side_fits = match (self.max_side, side) {
            (Some(max), Some(side)) => side <= max,
            _ => true,
        };
        let quality_fits = match (&self.quality, quality) {
            (Some(tier), Some(asked)) => tier.eq_ignore_ascii_case(asked),
            (Some(tier), None) => tier.eq_ignore_ascii_case("standard"),
            (None, _) => true,
        };
        let steps_fit = match (self.max_steps, steps) {
            (Some(max), Some(steps)) => steps <= max,
            _ => true,
        };
        side_fits && quality_fits && steps_fit
    }
}

/// The rates of one way of serving a model. Absent rates of a variant (global, flex, …) are
/// the standard rates'.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rates {
    /// Per million input tokens (cache reads and writes not included, as Bedrock counts).
    pub input: Option<Rate>,
    /// Per million output tokens.
    pub output: Option<Rate>,
    /// Per million tokens read from the prompt cache.
    pub cache_read: Option<Rate>,
    /// Per million tokens written to the prompt cache (5-minute entries).
    pub cache_write: Option<Rate>,
    /// Per million tokens written to the prompt cache as 1-hour entries.
    pub cache_write_1h: Option<Rate>,
    /// Per image generated, by tier.
    pub per_image: Vec<ImageTier>,
    /// Per request (rerank: per query).
    pub per_request: Option<Rate>,
}

impl Rates {
    /// These rates, with what they leave out taken from `base`.
    pub fn over(&self, base: &Rates) -> Rates {
        Rates {
            input: self.input.or(base.input),
            output: self.output.or(base.output),
            cache_read: self.cache_read.or(base.cache_read),
            cache_write: self.cache_write.or(base.cache_write),
            cache_write_1h: self.cache_write_1h.or(base.cache_write_1h),
            per_image: if self.per_image.is_empty() {
                base.per_image.clone()
            } else {
                self.per_image.clone()
            },
            per_request: self.per_request.or(base.per_request),
        }
    }

    /// Whether any rate is set.
    pub fn is_empty(&self) -> bool {
        *self == Rates::default()
    }
}

/// Long-context pricing: a request whose input (cache reads and writes included) exceeds
/// `above_input_tokens` has every token billed at `rates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongContext {
    /// The threshold, in input tokens.
    pub above_input_tokens: u64,
    /// The rates past it.
    pub rates: Rates,
}

/// A model's prices in one Region (or every Region: `*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionPrices {
    /// In-Region and geographic cross-Region profiles.
    pub standard: Rates,
    /// `global.` cross-Region profiles, where AWS prices them apart.
    pub global: Option<Rates>,
    /// The `flex` service tier.
    pub flex: Option<Rates>,
    /// The `priority` service tier.
    pub priority: Option<Rates>,
    /// Latency-optimized inference, when the response says it was served.
    pub latency_optimized: Option<Rates>,
    /// Long-context rates.
    pub long_context: Option<LongContext>,
}

/// Where a table's prices come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct About {
    /// The day the prices were taken (`YYYY-MM-DD`).
    pub date: Option<String>,
    /// Where they were taken from.
    pub source: Option<String>,
}

impl About {
    /// `2026-12-07 (source)`, for a cost to name the prices it used.
    pub fn label(&self) -> String {
        match (&self.date, &self.source) {
            (Some(date), Some(source)) => format!("{date} ({source})"),
            (Some(date), None) => date.clone(),
            (None, Some(source)) => source.clone(),
            (None, None) => "undated".to_owned(),
        }
    }
}

/// One model's entry: its prices per Region, and the label of the table they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPrices {
    /// Per Region; `*` for every Region not listed.
    pub regions: BTreeMap<String, RegionPrices>,
    /// The table's [`About::label`].
    pub table: Arc<str>,
}

/// Prices per base model ID and Region, with aliases for IDs that name no model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceTable {
    /// Where the prices come from (of a merged table: the last file's).
    pub about: About,
    models: HashMap<Arc<str>, ModelPrices>,
    /// Keys ending in `*`, longest first.
    patterns: Vec<String>,
    aliases: HashMap<String, String>,
}

/// The table shipped with this crate.
const EMBEDDED: &str = include_str!("../../prices/bedrock-prices.json");

impl PriceTable {
    /// The table shipped with this crate (`bedrock-llm-events/prices/bedrock-prices.json`).
    pub fn embedded() -> Arc<PriceTable> {
        Self::embedded_shared().clone()
    }

    /// The embedded table, borrowed: pricing a call takes no reference count, which on a
    /// shared count every worker thread would write to.
    pub(crate) fn embedded_shared() -> &'static Arc<PriceTable> {
        static TABLE: OnceLock<Arc<PriceTable>> = OnceLock::new();
        TABLE.get_or_init(|| {
            // A test holds the shipped file valid; were it not, nothing is priced.
            Arc::new(Self::from_json(EMBEDDED, "embedded price table").unwrap_or_default())
        })
    }

    /// Adds (or replaces) a model's prices.
    pub fn insert(&mut self, model: impl Into<String>, prices: ModelPrices) -> &mut Self {
        let model = model.into();
        if model.ends_with('*') && !self.patterns.contains(&model) {
            self.patterns.push(model.clone());
            self.patterns
                .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        }
        self.models.insert(Arc::from(model), prices);
        self
    }

    /// Maps an ID that names no model (an application inference profile's ARN) to the base
    /// model it runs.
    pub fn alias(&mut self, from: impl Into<String>, to: impl Into<String>) -> &mut Self {
        self.aliases.insert(from.into(), to.into());
        self
    }

    /// The base model an alias stands for.
    pub fn aliased(&self, model_id: &str) -> Option<&str> {
        self.aliases.get(model_id).map(String::as_str)
    }

    /// This table with `over`'s entries added: a model's Region `over` lists replaces this
    /// table's for that Region; its other Regions stay.
    #[must_use]
    pub fn merged(&self, over: &PriceTable) -> PriceTable {
        let mut merged = self.clone();
        for (model, prices) in &over.models {
            let mut entry = match merged.models.get(&**model) {
                Some(existing) => existing.clone(),
                None => ModelPrices {
                    regions: BTreeMap::new(),
                    table: prices.table.clone(),
                },
            };
            entry.table = prices.table.clone();
            for (region, rates) in &prices.regions {
                entry.regions.insert(region.clone(), rates.clone());
            }
            merged.insert(model.to_string(), entry);
        }
        merged.aliases.extend(over.aliases.clone());
        if over.about != About::default() {
            merged.about = over.about.clone();
        }
        merged
    }

    /// The entry for `base_model` (`provider.model-version[:n]`): the exact key, else the key
    /// without the `:…` suffix, else the longest `prefix*` pattern that matches.
    pub fn model(&self, base_model: &str) -> Option<(&str, &ModelPrices)> {
        self.find(base_model).map(|(key, prices)| (&**key, prices))
    }

    /// [`PriceTable::model`], with the key shared rather than borrowed (a cost keeps it).
    pub(crate) fn find(&self, base_model: &str) -> Option<(&Arc<str>, &ModelPrices)> {
        if let Some(found) = self.models.get_key_value(base_model) {
            return Some(found);
        }
        if let Some((head, _)) = base_model.split_once(':')
            && let Some(found) = self.models.get_key_value(head)
        {
            return Some(found);
        }
        self.patterns.iter().find_map(|pattern| {
            let prefix = pattern.strip_suffix('*')?;
            base_model
                .starts_with(prefix)
                .then(|| self.models.get_key_value(pattern.as_str()))
                .flatten()
        })
    }

    /// The entry keyed by exactly `model_id` (a table may price a profile ID or an ARN as
    /// written).
    pub fn exact(&self, model_id: &str) -> Option<(&str, &ModelPrices)> {
        self.models
            .get_key_value(model_id)
            .map(|(key, prices)| (&**key, prices))
    }

    /// [`PriceTable::exact`], with the key shared.
    pub(crate) fn find_exact(&self, model_id: &str) -> Option<(&Arc<str>, &ModelPrices)> {
        self.models.get_key_value(model_id)
    }

    /// Every model key, sorted.
    pub fn model_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.models.keys().map(|key| &**key).collect();
        keys.sort_unstable();
        keys
    }

    /// How many models it prices.
    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// Whether it prices none.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// The aliases, sorted.
    pub fn alias_pairs(&self) -> Vec<(&str, &str)> {
        let mut pairs: Vec<(&str, &str)> = self
            .aliases
            .iter()
            .map(|(from, to)| (from.as_str(), to.as_str()))
            .collect();
        pairs.sort_unstable();
        pairs
    }
}

impl ModelPrices {
    /// The prices for `region`, else the `*` entry.
    pub fn region(&self, region: Option<&str>) -> Option<&RegionPrices> {
        region
            .and_then(|region| self.regions.get(region))
            .or_else(|| self.regions.get("*"))
    }
}
