//! AWS Price List bulk offer files (`AmazonBedrock`, `AmazonBedrockFoundationModels`) turned
//! into a [`PriceTable`].
//!
//! An offer names products, not model IDs (`Nova Pro`, `Claude Sonnet 4.5 (Amazon Bedrock
//! Edition)`), so a product becomes a model through [`ProductNames`] — the names this crate
//! knows, plus the caller's. Each on-demand price dimension is classified by its `usagetype`
//! (and `inferenceType`): input, output, cache read, cache write (5-minute or 1-hour), image,
//! and the variant (global, flex, priority, latency-optimized). Batch, provisioned and
//! long-context dimensions are not per-call runtime prices and are counted as left out. The
//! unit is read from the dimension (`1K tokens` vs `1M`), falling back to the offer's
//! (`AmazonBedrock`: per 1K tokens; `AmazonBedrockFoundationModels`: per 1M).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::money::Rate;
use super::table::{About, ImageTier, ModelPrices, PriceTable, Rates, RegionPrices};

/// Offer product names (as the offers spell them, compared without case, spaces or
/// punctuation) and the base model IDs they price.
#[derive(Debug, Clone, Default)]
pub struct ProductNames {
    names: BTreeMap<String, String>,
}

/// Product names of the models this crate routes, as AWS's offers spell them.
const KNOWN: &[(&str, &str)] = &[
    ("Nova Micro", "amazon.nova-micro-v1:0"),
    ("Nova Lite", "amazon.nova-lite-v1:0"),
    ("Nova Pro", "amazon.nova-pro-v1:0"),
    ("Nova Premier", "amazon.nova-premier-v1:0"),
    ("Nova Canvas", "amazon.nova-canvas-v1:0"),
    ("Titan Text Lite", "amazon.titan-text-lite-v1"),
    ("Titan Text Express", "amazon.titan-text-express-v1"),
    ("Titan Text Premier", "amazon.titan-text-premier-v1:0"),
    ("Titan Embeddings G1 Text", "amazon.titan-embed-text-v1"),
    ("Titan Text Embeddings V2", "amazon.titan-embed-text-v2:0"),
    (
        "Titan Image Generator G1",
        "amazon.titan-image-generator-v1",
    ),
    (
        "Titan Image Generator V2",
        "amazon.titan-image-generator-v2:0",
    ),
    ("Claude Instant", "anthropic.claude-instant-v1"),
    ("Claude 2.1", "anthropic.claude-v2:1"),
    ("Claude 2.0", "anthropic.claude-v2"),
    ("Claude 3 Haiku", "anthropic.claude-3-haiku-20240307-v1:0"),
    ("Claude 3 Sonnet", "anthropic.claude-3-sonnet-20240229-v1:0"),
    ("Claude 3 Opus", "anthropic.claude-3-opus-20240229-v1:0"),
    (
        "Claude 3.5 Haiku",
        "anthropic.claude-3-5-haiku-20241022-v1:0",
    ),
    (
        "Claude 3.5 Sonnet",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
    ),
    (
        "Claude 3.5 Sonnet v2",
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
    ),
    (
        "Claude 3.7 Sonnet",
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
    ),
    ("Claude Sonnet 4", "anthropic.claude-sonnet-4-20250514-v1:0"),
    (
        "Claude Sonnet 4.5",
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
    ),
    (
        "Claude Haiku 4.5",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
    ),
    ("Claude Opus 4", "anthropic.claude-opus-4-20250514-v1:0"),
    ("Claude Opus 4.1", "anthropic.claude-opus-4-1-20250805-v1:0"),
    ("Claude Opus 4.5", "anthropic.claude-opus-4-5-20251101-v1:0"),
    ("Llama 3.1 8B Instruct", "meta.llama3-1-8b-instruct-v1:0"),
    ("Llama 3.1 70B Instruct", "meta.llama3-1-70b-instruct-v1:0"),
    (
        "Llama 3.1 405B Instruct",
        "meta.llama3-1-405b-instruct-v1:0",
    ),
    ("Llama 3.3 70B Instruct", "meta.llama3-3-70b-instruct-v1:0"),
    ("Llama 4 Scout 17B", "meta.llama4-scout-17b-instruct-v1:0"),
    (
        "Llama 4 Maverick 17B",
        "meta.llama4-maverick-17b-instruct-v1:0",
    ),
    ("Mistral 7B Instruct", "mistral.mistral-7b-instruct-v0:2"),
    (
        "Mixtral 8x7B Instruct",
        "mistral.mixtral-8x7b-instruct-v0:1",
    ),
    ("Mistral Large", "mistral.mistral-large-2402-v1:0"),
    ("Mistral Large 2", "mistral.mistral-large-2407-v1:0"),
    ("Pixtral Large", "mistral.pixtral-large-2502-v1:0"),
    ("Command R", "cohere.command-r-v1:0"),
    ("Command R+", "cohere.command-r-plus-v1:0"),
    ("Embed English", "cohere.embed-english-v3"),
    ("Embed Multilingual", "cohere.embed-multilingual-v3"),
    ("Rerank 3.5", "cohere.rerank-v3-5:0"),
    ("Jamba 1.5 Large", "ai21.jamba-1-5-large-v1:0"),
    ("Jamba 1.5 Mini", "ai21.jamba-1-5-mini-v1:0"),
    ("DeepSeek-R1", "deepseek.r1-v1:0"),
    ("DeepSeek-V3.1", "deepseek.v3-v1:0"),
    ("gpt-oss-120b", "openai.gpt-oss-120b-1:0"),
    ("gpt-oss-20b", "openai.gpt-oss-20b-1:0"),
    ("SDXL 1.0", "stability.stable-diffusion-xl-v1"),
    ("Stable Diffusion 3.5 Large", "stability.sd3-5-large-v1:0"),
    ("Stable Image Core", "stability.stable-image-core-v1:1"),
    ("Stable Image Ultra", "stability.stable-image-ultra-v1:1"),
];

/// A product name compared without case, spaces, punctuation or the offers' suffix.
fn fold(name: &str) -> String {
    let name = name
        .split(" (Amazon Bedrock Edition)")
        .next()
        .unwrap_or(name);
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '+')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl ProductNames {
    /// The names this crate knows.
    pub fn known() -> Self {
        let mut names = Self::default();
        for (name, model) in KNOWN {
            names.add(name, model);
        }
        names
    }

    /// Adds (or replaces) a product name's model.
    pub fn add(&mut self, name: &str, model: &str) -> &mut Self {
        self.names.insert(fold(name), model.to_owned());
        self
    }

    fn model(&self, name: &str) -> Option<&str> {
        self.names.get(&fold(name)).map(String::as_str)
    }
}

/// What an import read and what it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportReport {
    /// On-demand price dimensions turned into rates.
    pub imported: u64,
    /// Dimensions that are not per-call runtime prices (batch, provisioned, long context, …).
    pub left_out: u64,
    /// Product names no model is known for, with how many dimensions each had.
    pub unmapped: BTreeMap<String, u64>,
}

/// Why an offer file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfferError {
    /// Not JSON.
    #[error("offer file {origin} is not JSON: {source}")]
    Json {
        /// The file.
        origin: String,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// Not an offer file of the Price List's structure.
    #[error("offer file {origin}: {problem}")]
    Shape {
        /// The file.
        origin: String,
        /// What is missing or wrong.
        problem: String,
    },
}

/// Which rate a price dimension is.
enum Slot {
    Input,
    Output,
    CacheRead,
    CacheWrite,
    CacheWrite1h,
    Image(Option<u64>, Option<String>),
}

/// Which variant of a model's prices a dimension belongs to; `None` for one left out.
fn variant(usage: &str) -> Option<Option<&'static str>> {
    const LEFT_OUT: [&str; 6] = [
        "batch",
        "provisioned",
        "commit",
        "modelunit",
        "longcontext",
        "lctx",
    ];
    if LEFT_OUT.iter().any(|word| usage.contains(word)) {
        return None;
    }
    Some(if usage.contains("global") {
        Some("global")
    } else if usage.contains("flex") {
        Some("flex")
    } else if usage.contains("priority") {
        Some("priority")
    } else if usage.contains("latencyoptimized") || usage.contains("optimized") {
        Some("latency_optimized")
    } else {
        None
    })
}

fn slot(usage: &str, inference_type: &str, unit: &str) -> Option<Slot> {
    if unit.contains("image") || inference_type.contains("t2i") || usage.contains("image") {
        let side = inference_type
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse::<u64>().ok())
            .find(|n| *n >= 256);
        let quality = ["premium", "standard"]
            .into_iter()
            .find(|q| inference_type.contains(q))
            .map(str::to_owned);
        return Some(Slot::Image(side, quality));
    }
    if usage.contains("cacheread") {
        return Some(Slot::CacheRead);
    }
    if usage.contains("cachewrite1h") || usage.contains("cachewrite1hour") {
        return Some(Slot::CacheWrite1h);
    }
    if usage.contains("cachewrite") {
        return Some(Slot::CacheWrite);
    }
    if usage.contains("input") {
        return Some(Slot::Input);
    }
    if usage.contains("output") {
        return Some(Slot::Output);
    }
    None
}

/// Folds text for matching: lowercase, letters and digits only.
fn squash(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Adds one offer file's on-demand prices to `table`, naming products with `names`.
pub fn import_offer(
    text: &str,
    origin: &str,
    names: &ProductNames,
    table: &mut PriceTable,
    report: &mut ImportReport,
) -> Result<(), OfferError> {
    let shape = |problem: &str| OfferError::Shape {
        origin: origin.to_owned(),
        problem: problem.to_owned(),
    };
    let offer: Value = serde_json::from_str(text).map_err(|source| OfferError::Json {
        origin: origin.to_owned(),
        source,
    })?;
    let offer_code = offer["offerCode"]
        .as_str()
        .ok_or_else(|| shape("no `offerCode` (is this a Price List offer file?)"))?;
    let per_thousand_default = offer_code == "AmazonBedrock";
    let products = offer["products"]
        .as_object()
        .ok_or_else(|| shape("no `products` object"))?;
    let on_demand = offer["terms"]["OnDemand"]
        .as_object()
        .ok_or_else(|| shape("no `terms.OnDemand` object"))?;
    let date = offer["publicationDate"]
        .as_str()
        .map(|d| d.get(..10).unwrap_or(d).to_owned());
    let about = About {
        date: date.clone(),
        source: Some(format!(
            "AWS Price List {offer_code} {}",
            offer["version"].as_str().unwrap_or("")
        )),
    };
    let label: Arc<str> = Arc::from(about.label());
    let mut found: BTreeMap<(String, String), RegionPrices> = BTreeMap::new();
    for (sku, product) in products {
        let attributes = &product["attributes"];
        let text = |key: &str| attributes[key].as_str().unwrap_or("");
        let name = [text("servicename"), text("model"), text("titanModel")]
            .into_iter()
            .find(|n| !n.is_empty())
            .unwrap_or("");
        let usage = squash(text("usagetype"));
        let inference_type = squash(text("inferenceType"));
        let Some(terms) = on_demand.get(sku).and_then(Value::as_object) else {
            continue;
        };
        for term in terms.values() {
            let Some(dimensions) = term["priceDimensions"].as_object() else {
                continue;
            };
            for dimension in dimensions.values() {
                let unit = squash(dimension["unit"].as_str().unwrap_or(""));
                let Some(usd) = dimension["pricePerUnit"]["USD"].as_str() else {
                    continue;
                };
                let Some(model) = names.model(name) else {
                    *report.unmapped.entry(name.to_owned()).or_default() += 1;
                    continue;
                };
                let region = text("regionCode");
                let (Some(which), Some(slot), false) = (
                    variant(&usage),
                    slot(&usage, &inference_type, &unit),
                    region.is_empty(),
                ) else {
                    report.left_out += 1;
                    continue;
                };
                let rate = match &slot {
                    Slot::Image(..) => Rate::per_unit(usd),
                    _ if unit.contains("1k") || unit.contains("thousand") => {
                        Rate::per_thousand(usd)
                    }
                    _ if unit.contains("1m") || unit.contains("million") => Rate::per_million(usd),
                    _ if per_thousand_default => Rate::per_thousand(usd),
                    _ => Rate::per_million(usd),
                };
                let Some(rate) = rate else {
                    report.left_out += 1;
                    continue;
                };
                let prices = found
                    .entry((model.to_owned(), region.to_owned()))
                    .or_default();
                let rates = match which {
                    None => &mut prices.standard,
                    Some("global") => prices.global.get_or_insert_with(Rates::default),
                    Some("flex") => prices.flex.get_or_insert_with(Rates::default),
                    Some("priority") => prices.priority.get_or_insert_with(Rates::default),
                    Some(_) => prices.latency_optimized.get_or_insert_with(Rates::default),
                };
                match slot {
                    Slot::Input => rates.input = Some(rate),
                    Slot::Output => rates.output = Some(rate),
                    Slot::CacheRead => rates.cache_read = Some(rate),
                    Slot::CacheWrite => rates.cache_write = Some(rate),
                    Slot::CacheWrite1h => rates.cache_write_1h = Some(rate),
                    Slot::Image(max_side, quality) => {
                        rates.per_image.push(ImageTier {
                            max_side,
                            quality,
                            max_steps: None,
                            price: rate,
                        });
                        rates
                            .per_image
                            .sort_by_key(|tier| (tier.max_side.unwrap_or(u64::MAX), tier.price));
                    }
                }
                report.imported += 1;
            }
        }
    }
    for ((model, region), prices) in found {
        let mut entry = table
            .model(&model)
            .filter(|(key, _)| *key == model)
            .map(|(_, prices)| prices.clone())
            .unwrap_or(ModelPrices {
                regions: BTreeMap::new(),
                table: label.clone(),
            });
        entry.table = label.clone();
        entry.regions.insert(region, prices);
        table.insert(model, entry);
    }
    if date.is_some() {
        table.about = about;
    }
    Ok(())
}
