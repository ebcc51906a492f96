//! The shipped price table covers the models the registry routes: every sample's model ID
//! (bare, profile or ARN, as the samples send them) is priced, except the families named here
//! whose Bedrock price has no per-token or per-image form this table holds.

use bedrock_llm_core::{Invocation, Operation};
use bedrock_llm_events::cost::{CostOutcome, PriceTable, price};

/// Families the shipped table does not price, and why.
const UNPRICED: &[(&str, &str)] = &[(
    "twelvelabs.pegasus-",
    "billed per second of video, a unit the record does not carry",
)];

#[test]
fn every_sample_model_is_priced_or_named_as_unpriced() {
    let table = PriceTable::embedded();
    let mut unpriced = Vec::new();
    let samples = bedrock_llm_models::samples::all().expect("samples");
    assert!(samples.len() >= 35, "{}", samples.len());
    for sample in &samples {
        let mut call = Invocation::new(sample.model_id, Operation::InvokeModel);
        call.region = Some("us-east-1".to_owned());
        let base = sample.model_id.trim_start_matches("us.");
        let known = UNPRICED.iter().any(|(prefix, _)| base.starts_with(prefix));
        match price(&call, &table) {
            CostOutcome::Priced(_) => {
                assert!(!known, "{} is priced now: update UNPRICED", sample.model_id)
            }
            other if !known => unpriced.push(format!("{}: {other:?}", sample.model_id)),
            _ => {}
        }
    }
    assert!(unpriced.is_empty(), "unpriced: {unpriced:#?}");
}
