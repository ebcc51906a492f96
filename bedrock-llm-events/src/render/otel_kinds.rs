//! The OpenTelemetry attributes of the exchange kinds beyond chat and embeddings: an image or
//! video generation's output type, and its facts or a rerank's (`kind_facts`, the
//! list New Relic's summary carries too), and a call's cost (`aws.bedrock.cost.*`).

use bedrock_llm_core::{ExchangeKind, Invocation};

use crate::cost::CostOutcome;
use crate::cost::facts::{self, cost_facts};
use crate::kind_facts::{Fact, kind_facts};
use crate::names::gen_ai;
use crate::render::otel_value::OtelValue;

/// The kind's attributes: `gen_ai.output.type` for an image or video generation, then its facts.
pub(crate) fn kind_attributes(
    invocation: &Invocation,
    put: &mut impl FnMut(&'static str, OtelValue),
) {
    match invocation.kind {
        Some(ExchangeKind::ImageGeneration) => {
            put(gen_ai::OUTPUT_TYPE, OtelValue::Str("image".to_owned()));
        }
        Some(ExchangeKind::VideoGeneration) => {
            put(gen_ai::OUTPUT_TYPE, OtelValue::Str("video".to_owned()));
        }
        _ => {}
    }
    put_facts(kind_facts(invocation, gen_ai::IMAGE_RESPONSE_COUNT), put);
}

/// What the call cost (`docs/cost.md` §4), when pricing gave an outcome.
pub(crate) fn cost_attributes(
    outcome: Option<&CostOutcome>,
    put: &mut impl FnMut(&'static str, OtelValue),
) {
    if let Some(outcome) = outcome {
        put_facts(cost_facts(outcome, &facts::OTEL), put);
    }
}

fn put_facts(facts: Vec<(&'static str, Fact)>, put: &mut impl FnMut(&'static str, OtelValue)) {
    for (key, fact) in facts {
        let value = match fact {
            Fact::Int(value) => match i64::try_from(value) {
                Ok(value) => OtelValue::Int(value),
                Err(_) => continue,
            },
            Fact::Float(value) => OtelValue::Float(value),
            Fact::Str(value) => OtelValue::Str(value),
            Fact::Shared(value) => OtelValue::Str(value.to_string()),
        };
        put(key, value);
    }
}
