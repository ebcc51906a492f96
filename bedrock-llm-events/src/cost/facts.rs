//! A call's cost as named facts: one list that New Relic's summary and embedding events, the
//! OpenTelemetry span and the Elastic document carry, each under its own names
//! (`docs/cost.md` §4).

use super::{CostOutcome, Usd};
use crate::kind_facts::Fact;

/// The names one rendering gives the cost's facts.
#[derive(Debug, Clone, Copy)]
pub struct CostNames {
    /// The whole cost, USD.
    pub total: &'static str,
    /// Input tokens, USD.
    pub input: &'static str,
    /// Output tokens, USD.
    pub output: &'static str,
    /// Cache reads, USD.
    pub cache_read: &'static str,
    /// Cache writes, USD.
    pub cache_write: &'static str,
    /// Images, USD.
    pub images: &'static str,
    /// Per-request charges, USD.
    pub requests: &'static str,
    /// The price table's date and source.
    pub table: &'static str,
    /// The rates beyond the standard ones (`global`, `flex`, `long_context`, …).
    pub basis: &'static str,
    /// `provisioned` or `reserved`: billed by capacity, no per-call cost.
    pub billing: &'static str,
}

/// New Relic's names (the agents have none: ours, documented in `docs/llm-events.md`).
pub const NEW_RELIC: CostNames = CostNames {
    total: "cost.total_usd",
    input: "cost.input_usd",
    output: "cost.output_usd",
    cache_read: "cost.cache_read_usd",
    cache_write: "cost.cache_write_usd",
    images: "cost.image_usd",
    requests: "cost.request_usd",
    table: "cost.price_table",
    basis: "cost.basis",
    billing: "cost.billing",
};

/// OpenTelemetry's: the GenAI conventions have no cost attribute yet (a proposal is open), so
/// the AWS namespace, documented.
pub const OTEL: CostNames = CostNames {
    total: "aws.bedrock.cost.total_usd",
    input: "aws.bedrock.cost.input_usd",
    output: "aws.bedrock.cost.output_usd",
    cache_read: "aws.bedrock.cost.cache_read_usd",
    cache_write: "aws.bedrock.cost.cache_write_usd",
    images: "aws.bedrock.cost.image_usd",
    requests: "aws.bedrock.cost.request_usd",
    table: "aws.bedrock.cost.price_table",
    basis: "aws.bedrock.cost.basis",
    billing: "aws.bedrock.cost.billing",
};

/// Elastic's: the keys of the invocation document's `aws_bedrock.invocation.cost` object.
pub const ELASTIC: CostNames = CostNames {
    total: "total_usd",
    input: "input_usd",
    output: "output_usd",
    cache_read: "cache_read_usd",
    cache_write: "cache_write_usd",
    images: "image_usd",
    requests: "request_usd",
    table: "price_table",
    basis: "basis",
    billing: "billing",
};

/// The facts of `outcome`: the total and each part that is not zero, the table and the basis;
/// for a capacity-billed call its billing only; nothing for an unpriced one.
pub(crate) fn cost_facts(outcome: &CostOutcome, names: &CostNames) -> Vec<(&'static str, Fact)> {
    let cost = match outcome {
        CostOutcome::Priced(cost) => cost,
        CostOutcome::Provisioned => return vec![(names.billing, Fact::Str("provisioned".into()))],
        CostOutcome::Reserved => return vec![(names.billing, Fact::Str("reserved".into()))],
        CostOutcome::Unpriced(_) => return Vec::new(),
    };
    let usd = |amount: Usd| Fact::Float(amount.as_f64());
    let mut facts = vec![(names.total, usd(cost.total))];
    let parts = [
        (names.input, cost.input),
        (names.output, cost.output),
        (names.cache_read, cost.cache_read),
        (names.cache_write, cost.cache_write),
        (names.images, cost.images),
        (names.requests, cost.requests),
    ];
    facts.extend(
        parts
            .into_iter()
            .filter(|(_, amount)| *amount != Usd::ZERO)
            .map(|(key, amount)| (key, usd(amount))),
    );
    facts.push((names.table, Fact::Shared(cost.table.clone())));
    if !cost.basis.is_empty() {
        facts.push((names.basis, Fact::Str(cost.basis.join(","))));
    }
    facts
}
