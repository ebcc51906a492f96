//! The price-table file: read ([`PriceTable::from_json`], [`PriceTable::load`]) with an error
//! that names the JSON path and what was expected, and written ([`PriceTable::to_json`]).
//! Parsed by hand rather than through serde derives so that every refusal can say where it is
//! and so prices stay decimal text until they become integers.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::money::Rate;
use super::table::{About, ImageTier, LongContext, ModelPrices, PriceTable, Rates, RegionPrices};

/// The name of the shipped table among price sources (`--prices builtin --prices mine.json`).
pub const BUILTIN: &str = "builtin";

/// Why a price table was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PriceTableError {
    /// The file could not be read.
    #[error("cannot read price table {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The text is not JSON.
    #[error("price table {origin} is not JSON: {source}")]
    Json {
        /// Where the text came from.
        origin: String,
        /// The parser's error (line and column).
        source: serde_json::Error,
    },
    /// A value is not what the format allows.
    #[error("price table {origin}: at {path}: expected {expected}")]
    Invalid {
        /// Where the text came from.
        origin: String,
        /// The JSON path of the value (`$["anthropic.claude-v2"]["*"].input_per_mtok`).
        path: String,
        /// What the format allows there.
        expected: String,
    },
}

/// The size and quality an image price's key names.
#[derive(Debug, Clone, Default)]
struct ImageKey {
    max_side: Option<u64>,
    quality: Option<String>,
}

impl ImageKey {
    /// This key narrowed by `text`: `1024x1024`, `1024`, `standard`, `*`, or several of them
    /// joined by `/`, `,` or spaces. `None` for anything else.
    fn with(&self, text: &str) -> Option<ImageKey> {
        let mut key = self.clone();
        for word in text
            .split(['/', ',', ' ', ':', '_'])
            .filter(|w| !w.is_empty())
        {
            let word = word.to_ascii_lowercase();
            if matches!(word.as_str(), "*" | "any" | "default" | "all") {
                continue;
            }
            let sides: Vec<&str> = word.split('x').collect();
            if sides
                .iter()
                .all(|side| !side.is_empty() && side.bytes().all(|b| b.is_ascii_digit()))
            {
                key.max_side = sides.iter().filter_map(|side| side.parse().ok()).max();
                continue;
            }
            if word.bytes().all(|b| b.is_ascii_alphabetic()) {
                key.quality = Some(word);
                continue;
            }
            return None;
        }
        Some(key)
    }
}

/// The rate fields of a Region entry and of each variant, as the file spells them.
const PER_MTOK: [&str; 5] = [
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_per_mtok",
    "cache_write_1h_per_mtok",
];
/// A Region entry's variants.
const VARIANTS: [&str; 4] = ["global", "flex", "priority", "latency_optimized"];

struct Reader<'a> {
    origin: &'a str,
}

impl Reader<'_> {
    fn invalid(&self, path: &str, expected: impl Into<String>) -> PriceTableError {
        PriceTableError::Invalid {
            origin: self.origin.to_owned(),
            path: path.to_owned(),
            expected: expected.into(),
        }
    }

    fn object<'v>(
        &self,
        value: &'v Value,
        path: &str,
    ) -> Result<&'v Map<String, Value>, PriceTableError> {
        value
            .as_object()
            .ok_or_else(|| self.invalid(path, "an object"))
    }

    /// A price: a JSON number or a decimal string, never negative.
    fn price(
        &self,
        value: &Value,
        path: &str,
        parse: fn(&str) -> Option<Rate>,
    ) -> Result<Rate, PriceTableError> {
        let text = match value {
            Value::Number(number) => number.to_string(),
            Value::String(text) => text.clone(),
            _ => return Err(self.invalid(path, "a price in USD (a number or a decimal string)")),
        };
        parse(&text)
            .ok_or_else(|| self.invalid(path, format!("a non-negative price in USD, not {text}")))
    }

    fn count(&self, value: &Value, path: &str) -> Result<u64, PriceTableError> {
        value
            .as_u64()
            .ok_or_else(|| self.invalid(path, "a whole number"))
    }

    /// Rate fields from `entry`, ignoring `skip` keys (a Region's variants); any other key is
    /// refused, so a misspelt field is found rather than silently unpriced.
    fn rates(
        &self,
        entry: &Map<String, Value>,
        path: &str,
        skip: &[&str],
    ) -> Result<Rates, PriceTableError> {
        let mut rates = Rates::default();
        for (key, value) in entry {
            let at = format!("{path}.{key}");
            let slot = match key.as_str() {
                "input_per_mtok" => &mut rates.input,
                "output_per_mtok" => &mut rates.output,
                "cache_read_per_mtok" => &mut rates.cache_read,
                "cache_write_per_mtok" => &mut rates.cache_write,
                "cache_write_1h_per_mtok" => &mut rates.cache_write_1h,
                "per_request" => &mut rates.per_request,
                "per_image" => {
                    rates.per_image = self.images(value, &at)?;
                    continue;
                }
                other if skip.contains(&other) => continue,
                // `_comment` and the like: notes for people, not prices.
                other if other.starts_with('_') => continue,
                _ => {
                    return Err(self.invalid(
                        &at,
                        format!(
                            "one of {}, per_image, per_request{}",
                            PER_MTOK.join(", "),
                            if skip.is_empty() {
                                String::new()
                            } else {
                                format!(", {}", skip.join(", "))
                            }
                        ),
                    ));
                }
            };
            let parse = if key == "per_request" {
                Rate::per_unit
            } else {
                Rate::per_million
            };
            *slot = Some(self.price(value, &at, parse)?);
        }
        Ok(rates)
    }

    /// `per_image`: one price for every image, tiers, or an object keyed by size and quality
    /// (`{"1024x1024": {"standard": 0.04, "premium": 0.06}}`, `{"2048x2048/premium": 0.08}`).
    fn images(&self, value: &Value, path: &str) -> Result<Vec<ImageTier>, PriceTableError> {
        if let Some(object) = value.as_object() {
            let mut tiers = Vec::new();
            self.keyed_images(object, path, &ImageKey::default(), &mut tiers)?;
            // The smallest size first, a named quality before any quality.
            tiers.sort_by_key(|tier| (tier.max_side.unwrap_or(u64::MAX), tier.quality.is_none()));
            return Ok(tiers);
        }
        let Some(tiers) = value.as_array() else {
            let price = self.price(value, path, Rate::per_unit)?;
            return Ok(vec![ImageTier {
                max_side: None,
                quality: None,
                max_steps: None,
                price,
            }]);
        };
        let mut out = Vec::with_capacity(tiers.len());
        for (index, tier) in tiers.iter().enumerate() {
            let at = format!("{path}[{index}]");
            let tier = self.object(tier, &at)?;
            let mut parsed = ImageTier {
                max_side: None,
                quality: None,
                max_steps: None,
                price: Rate::default(),
            };
            let mut priced = false;
            for (key, value) in tier {
                let field = format!("{at}.{key}");
                match key.as_str() {
                    "max_side" => parsed.max_side = Some(self.count(value, &field)?),
                    "max_steps" => parsed.max_steps = Some(self.count(value, &field)?),
                    "quality" => {
                        parsed.quality = Some(
                            value
                                .as_str()
                                .ok_or_else(|| self.invalid(&field, "a quality name"))?
                                .to_owned(),
                        );
                    }
                    "usd" => {
                        parsed.price = self.price(value, &field, Rate::per_unit)?;
                        priced = true;
                    }
                    _ => {
                        return Err(
                            self.invalid(&field, "one of max_side, quality, max_steps, usd")
                        );
                    }
                }
            }
            if !priced {
                return Err(self.invalid(&at, "a tier with its price in `usd`"));
            }
            out.push(parsed);
        }
        Ok(out)
    }

    fn keyed_images(
        &self,
        object: &Map<String, Value>,
        path: &str,
        outer: &ImageKey,
        tiers: &mut Vec<ImageTier>,
    ) -> Result<(), PriceTableError> {
        for (key, value) in object {
            let at = format!("{path}[{key:?}]");
            let Some(inner) = outer.with(key) else {
                return Err(self.invalid(
                    &at,
                    "an image size (`1024x1024`), a quality (`standard`, `premium`), `*`, or both \
                     joined by `/`",
                ));
            };
            match value.as_object() {
                Some(nested) => self.keyed_images(nested, &at, &inner, tiers)?,
                None => tiers.push(ImageTier {
                    max_side: inner.max_side,
                    quality: inner.quality.clone(),
                    max_steps: None,
                    price: self.price(value, &at, Rate::per_unit)?,
                }),
            }
        }
        Ok(())
    }

    fn region(&self, value: &Value, path: &str) -> Result<RegionPrices, PriceTableError> {
        let entry = self.object(value, path)?;
        let mut skip: Vec<&str> = VARIANTS.to_vec();
        skip.push("long_context");
        let mut prices = RegionPrices {
            standard: self.rates(entry, path, &skip)?,
            ..RegionPrices::default()
        };
        for variant in VARIANTS {
            let Some(value) = entry.get(variant) else {
                continue;
            };
            let at = format!("{path}.{variant}");
            let rates = self.rates(self.object(value, &at)?, &at, &[])?;
            let slot = match variant {
                "global" => &mut prices.global,
                "flex" => &mut prices.flex,
                "priority" => &mut prices.priority,
                _ => &mut prices.latency_optimized,
            };
            *slot = Some(rates);
        }
        if let Some(value) = entry.get("long_context") {
            let at = format!("{path}.long_context");
            let long = self.object(value, &at)?;
            let threshold = long
                .get("above_input_tokens")
                .ok_or_else(|| self.invalid(&at, "`above_input_tokens`, the threshold"))?;
            prices.long_context = Some(LongContext {
                above_input_tokens: self.count(threshold, &format!("{at}.above_input_tokens"))?,
                rates: self.rates(long, &at, &["above_input_tokens"])?,
            });
        }
        Ok(prices)
    }
}

impl PriceTable {
    /// Reads a table from its JSON text; `origin` names it in errors (a path).
    pub fn from_json(text: &str, origin: &str) -> Result<PriceTable, PriceTableError> {
        let value: Value = serde_json::from_str(text).map_err(|source| PriceTableError::Json {
            origin: origin.to_owned(),
            source,
        })?;
        let reader = Reader { origin };
        let top = reader.object(&value, "$")?;
        let mut table = PriceTable::default();
        if let Some(about) = top.get("_about") {
            let about = reader.object(about, "$._about")?;
            let text = |key: &str| -> Result<Option<String>, PriceTableError> {
                about
                    .get(key)
                    .map(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| reader.invalid(&format!("$._about.{key}"), "a string"))
                    })
                    .transpose()
            };
            table.about = About {
                date: text("date")?,
                source: text("source")?,
            };
        }
        let label: Arc<str> = Arc::from(table.about.label());
        for (model, regions) in top {
            match model.as_str() {
                "_about" => continue,
                "_aliases" => {
                    for (from, to) in reader.object(regions, "$._aliases")? {
                        let to = to.as_str().ok_or_else(|| {
                            reader.invalid(&format!("$._aliases[{from:?}]"), "a base model ID")
                        })?;
                        table.alias(from.clone(), to);
                    }
                    continue;
                }
                _ => {}
            }
            let path = format!("$[{model:?}]");
            let mut prices = ModelPrices {
                regions: BTreeMap::new(),
                table: label.clone(),
            };
            for (region, entry) in reader.object(regions, &path)? {
                let at = format!("{path}[{region:?}]");
                prices
                    .regions
                    .insert(region.clone(), reader.region(entry, &at)?);
            }
            table.insert(model.clone(), prices);
        }
        Ok(table)
    }

    /// Reads a table from a file.
    pub fn load(path: &Path) -> Result<PriceTable, PriceTableError> {
        let text = std::fs::read_to_string(path).map_err(|source| PriceTableError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// The table `sources` make, merged in order: each a file, or [`BUILTIN`] for the shipped
    /// table. `["mine.json"]` prices by that file alone; `["builtin", "mine.json"]` by the
    /// shipped table with the file's models and Regions over it.
    pub fn from_sources<S: AsRef<str>>(sources: &[S]) -> Result<PriceTable, PriceTableError> {
        let mut table = PriceTable::default();
        for source in sources {
            let source = source.as_ref().trim();
            let over = if source == BUILTIN {
                (*PriceTable::embedded()).clone()
            } else {
                PriceTable::load(Path::new(source))?
            };
            table = if table == PriceTable::default() {
                over
            } else {
                table.merged(&over)
            };
        }
        Ok(table)
    }

    /// The table in its file format (prices as decimal strings, so nothing is rounded).
    pub fn to_json(&self) -> Value {
        let mut top = Map::new();
        let mut about = Map::new();
        if let Some(date) = &self.about.date {
            about.insert("date".into(), json!(date));
        }
        if let Some(source) = &self.about.source {
            about.insert("source".into(), json!(source));
        }
        if !about.is_empty() {
            top.insert("_about".into(), Value::Object(about));
        }
        let aliases = self.alias_pairs();
        if !aliases.is_empty() {
            let aliases: Map<String, Value> = aliases
                .into_iter()
                .map(|(f, t)| (f.to_owned(), json!(t)))
                .collect();
            top.insert("_aliases".into(), Value::Object(aliases));
        }
        for key in self.model_keys() {
            let Some((_, prices)) = self.model(key) else {
                continue;
            };
            let regions: Map<String, Value> = prices
                .regions
                .iter()
                .map(|(region, prices)| (region.clone(), region_json(prices)))
                .collect();
            top.insert(key.to_owned(), Value::Object(regions));
        }
        Value::Object(top)
    }
}

fn rates_json(rates: &Rates, out: &mut Map<String, Value>) {
    let fields = [
        ("input_per_mtok", rates.input),
        ("output_per_mtok", rates.output),
        ("cache_read_per_mtok", rates.cache_read),
        ("cache_write_per_mtok", rates.cache_write),
        ("cache_write_1h_per_mtok", rates.cache_write_1h),
    ];
    for (key, rate) in fields {
        if let Some(rate) = rate {
            out.insert(key.into(), json!(rate.per_million_text()));
        }
    }
    if let Some(rate) = rates.per_request {
        out.insert("per_request".into(), json!(rate.per_unit_text()));
    }
    if !rates.per_image.is_empty() {
        let tiers: Vec<Value> = rates
            .per_image
            .iter()
            .map(|tier| {
                let mut entry = Map::new();
                if let Some(side) = tier.max_side {
                    entry.insert("max_side".into(), json!(side));
                }
                if let Some(quality) = &tier.quality {
                    entry.insert("quality".into(), json!(quality));
                }
                if let Some(steps) = tier.max_steps {
                    entry.insert("max_steps".into(), json!(steps));
                }
                entry.insert("usd".into(), json!(tier.price.per_unit_text()));
                Value::Object(entry)
            })
            .collect();
        out.insert("per_image".into(), Value::Array(tiers));
    }
}

fn region_json(prices: &RegionPrices) -> Value {
    let mut out = Map::new();
    rates_json(&prices.standard, &mut out);
    let variants = [
        ("global", &prices.global),
        ("flex", &prices.flex),
        ("priority", &prices.priority),
        ("latency_optimized", &prices.latency_optimized),
    ];
    for (key, rates) in variants {
        if let Some(rates) = rates {
            let mut entry = Map::new();
            rates_json(rates, &mut entry);
            out.insert(key.into(), Value::Object(entry));
        }
    }
    if let Some(long) = &prices.long_context {
        let mut entry = Map::new();
        entry.insert("above_input_tokens".into(), json!(long.above_input_tokens));
        rates_json(&long.rates, &mut entry);
        out.insert("long_context".into(), Value::Object(entry));
    }
    Value::Object(out)
}
