//! Prices: the options every pricing command shares (`--prices FILE`, `--no-cost`, and
//! `BEDROCK_LLM_PRICES`), and `bedrock-llm prices import|show`: AWS Price List offer files
//! turned into a price table, and the table in effect printed.

use std::path::PathBuf;
use std::sync::Arc;

use bedrock_llm_events::Config;
use bedrock_llm_events::cost::offer::{ImportReport, ProductNames, import_offer};
use bedrock_llm_events::cost::{BUILTIN, PRICES_ENV, PriceTable};

use crate::output::{Stdout, Stop, note, stdout_error};

/// Which prices a command uses.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct PriceArgs {
    /// Price by this table file (docs/cost.md); repeat to merge several in order, later ones'
    /// models and Regions over earlier ones'. `builtin` is the shipped table: `--prices builtin
    /// --prices mine.json` extends it, `--prices mine.json` alone prices by your file only.
    /// Default: $BEDROCK_LLM_PRICES (`:`-separated), else the shipped table.
    #[arg(long, value_name = "FILE")]
    prices: Vec<String>,
    /// Price nothing: no cost on any output.
    #[arg(long, conflicts_with = "prices")]
    no_cost: bool,
}

impl PriceArgs {
    /// The table in effect: `--prices`, else `BEDROCK_LLM_PRICES`, else the shipped one; with
    /// the model aliases of `BEDROCK_LLM_MODEL_ALIASES` (application profiles) it lacks.
    pub(crate) fn table(&self) -> Result<Arc<PriceTable>, Stop> {
        let from_env: Vec<String> = std::env::var(PRICES_ENV)
            .unwrap_or_default()
            .split(':')
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .collect();
        let sources = match (&self.prices, from_env) {
            (given, _) if !given.is_empty() => given.clone(),
            (_, env) if !env.is_empty() => env,
            _ => vec![BUILTIN.to_owned()],
        };
        let mut table = PriceTable::from_sources(&sources).map_err(|e| e.to_string())?;
        if let Ok(text) = std::env::var(bedrock_llm_core::MODEL_ALIASES_ENV) {
            for (from, to) in bedrock_llm_core::parse_aliases(&text).unwrap_or_default() {
                if table.aliased(&from).is_none() {
                    table.alias(from, to.as_str());
                }
            }
        }
        Ok(Arc::new(table))
    }

    /// Whether pricing is off.
    pub(crate) fn no_cost(&self) -> bool {
        self.no_cost
    }

    /// `config` with these prices, or with pricing off.
    pub(crate) fn configure(&self, config: Config) -> Result<Config, Stop> {
        if self.no_cost {
            return Ok(config.with_cost(false));
        }
        Ok(config.with_prices(self.table()?))
    }
}

/// `bedrock-llm prices …`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum PricesCommand {
    /// Turn AWS Price List offer files (AmazonBedrock, AmazonBedrockFoundationModels) into a
    /// price table.
    #[command(after_help = crate::help::prices_import())]
    Import(ImportArgs),
    /// Print the price table in effect (the shipped one, with --prices and $BEDROCK_LLM_PRICES
    /// over it).
    #[command(after_help = crate::help::prices_show())]
    Show(ShowArgs),
}

/// Options of `prices import`.
#[derive(Debug, clap::Args)]
pub(crate) struct ImportArgs {
    /// Offer files: `…/offers/v1.0/aws/AmazonBedrock/current/index.json` (or a Region's) and
    /// the same for AmazonBedrockFoundationModels.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Write the table here instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// A product name the offers use and the base model ID it prices, for names this tool
    /// does not know yet (repeatable).
    #[arg(long = "name", value_name = "PRODUCT=MODEL_ID")]
    names: Vec<String>,
}

/// Options of `prices show`.
#[derive(Debug, clap::Args)]
pub(crate) struct ShowArgs {
    #[command(flatten)]
    prices: PriceArgs,
}

pub(crate) fn run(command: &PricesCommand) -> Result<(), Stop> {
    match command {
        PricesCommand::Import(args) => import(args),
        PricesCommand::Show(args) => {
            let table = args.prices.table()?;
            write_table(&table, None)
        }
    }
}

fn import(args: &ImportArgs) -> Result<(), Stop> {
    let mut names = ProductNames::known();
    for pair in &args.names {
        let Some((product, model)) = pair.split_once('=') else {
            return Err(format!("--name {pair:?}: expected PRODUCT=MODEL_ID").into());
        };
        names.add(product.trim(), model.trim());
    }
    let mut table = PriceTable::default();
    let mut report = ImportReport::default();
    for file in &args.files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        import_offer(
            &text,
            &file.display().to_string(),
            &names,
            &mut table,
            &mut report,
        )
        .map_err(|e| e.to_string())?;
    }
    write_table(&table, args.output.as_ref())?;
    note(&format!(
        "prices import: {} models, {} prices imported, {} left out (batch, provisioned, long \
         context or unpriced units)",
        table.len(),
        report.imported,
        report.left_out
    ));
    if !report.unmapped.is_empty() {
        let listed: Vec<String> = report
            .unmapped
            .iter()
            .map(|(name, count)| format!("{name:?} ({count})"))
            .collect();
        note(&format!(
            "prices import: products with no known model ID, left out (add --name \
             PRODUCT=MODEL_ID): {}",
            listed.join(", ")
        ));
    }
    Ok(())
}

fn write_table(table: &PriceTable, output: Option<&PathBuf>) -> Result<(), Stop> {
    let mut text = serde_json::to_string_pretty(&table.to_json()).map_err(|e| e.to_string())?;
    text.push('\n');
    match output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| Stop::Failed(format!("cannot write {}: {e}", path.display()))),
        None => {
            use std::io::Write as _;
            let mut stdout = Stdout::new();
            stdout
                .writer()
                .write_all(text.as_bytes())
                .map_err(stdout_error)?;
            stdout.finish()
        }
    }
}
