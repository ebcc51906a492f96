//! The conformance suite: every property bedrock-llm holds its own families to, run over a
//! family's sample file. Each failure names the property, the case, the field (or JSON path)
//! and the input that broke it.

use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;

use bedrock_llm_core::{Adapter, BedrockModel, ModelRequest, ModelResponse, adapter};
use serde_json::Value;

use crate::sample::{Case, SampleFile};

mod chunks;
mod events;
mod mutations;
mod round_trip;

/// The properties, by name.
pub mod property {
    /// The sample file loads.
    pub const SAMPLES: &str = "samples_load";
    /// Request bytes → typed → bytes → typed is stable, and the view survives it.
    pub const REQUEST_ROUND_TRIP: &str = "request_round_trip";
    /// Response bytes → typed → bytes → typed is stable, and the view survives it.
    pub const RESPONSE_ROUND_TRIP: &str = "response_round_trip";
    /// The views say what the sample's `expect` says.
    pub const EXPECTED_VIEW: &str = "expected_view";
    /// Mutated bodies never panic and fail with a typed error carrying a JSON path.
    pub const MUTATIONS: &str = "mutated_bodies_fail_cleanly";
    /// The sample's chunks reassemble to the whole response's record.
    pub const CHUNKS: &str = "chunks_reassemble";
    /// Text deltas split at any character reassemble to the same record.
    pub const RECHUNKED: &str = "any_split_reassembles";
    /// Events build and render as New Relic JSON and OpenTelemetry attributes.
    pub const EVENTS: &str = "events_render";
    /// With content recording off, no prompt or completion text appears anywhere.
    pub const NO_CONTENT: &str = "no_content_leaks_nothing";
}

/// One broken property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The property's name (see [`property`]).
    pub property: &'static str,
    /// The sample case.
    pub case: String,
    /// The field or JSON path at fault, when one is known.
    pub field: Option<String>,
    /// What went wrong.
    pub detail: String,
    /// The input that broke it (shortened).
    pub input: String,
}

/// What a run found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The family checked.
    pub family: &'static str,
    /// The sample file.
    pub samples: PathBuf,
    /// Property checks run.
    pub checks: usize,
    /// The failures, in the order found.
    pub failures: Vec<Failure>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "bedrock-llm-testkit: {} of {} checks failed for {} ({})",
            self.failures.len(),
            self.checks,
            self.family,
            self.samples.display()
        )?;
        for failure in &self.failures {
            write!(f, "- {} [case `{}`]", failure.property, failure.case)?;
            if let Some(field) = &failure.field {
                write!(f, " at {field}")?;
            }
            writeln!(f, ": {}", failure.detail)?;
            writeln!(f, "  input: {}", failure.input)?;
        }
        Ok(())
    }
}

/// At most this many characters of an input in a report.
const SHOWN_INPUT: usize = 300;

fn shorten(text: &str) -> String {
    match text.char_indices().nth(SHOWN_INPUT) {
        Some((at, _)) => format!("{}… ({} bytes)", &text[..at], text.len()),
        None => text.to_owned(),
    }
}

/// The suite for model `M`.
pub struct Conformance<M> {
    samples: Vec<PathBuf>,
    seed: u64,
    mutations_per_case: usize,
    splits_per_case: usize,
    model: PhantomData<fn() -> M>,
}

impl<M> fmt::Debug for Conformance<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conformance")
            .field("samples", &self.samples)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl<M: BedrockModel> Default for Conformance<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: BedrockModel> Conformance<M> {
    /// The suite with no samples yet, seed 1, 400 mutations and 16 splits per case.
    pub fn new() -> Self {
        Self {
            samples: Vec::new(),
            seed: 1,
            mutations_per_case: 400,
            splits_per_case: 16,
            model: PhantomData,
        }
    }

    /// Adds a sample file (see [`crate::SampleFile`]).
    pub fn samples(mut self, path: impl Into<PathBuf>) -> Self {
        self.samples.push(path.into());
        self
    }

    /// The seed of mutations and splits (the report names the inputs, so a failure reproduces).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many mutated bodies to try per case and side.
    pub fn mutations(mut self, count: usize) -> Self {
        self.mutations_per_case = count;
        self
    }

    /// Runs the suite; panics with the report when a property fails. The one line a test needs.
    #[track_caller]
    pub fn run(self) {
        for report in self.check() {
            assert!(report.failures.is_empty(), "{report}");
        }
    }

    /// Runs the suite and returns one report per sample file.
    pub fn check(self) -> Vec<Report> {
        let adapter = adapter::<M>();
        self.samples
            .iter()
            .map(|path| {
                let mut run = Run {
                    adapter,
                    report: Report {
                        family: M::FAMILY,
                        samples: path.clone(),
                        ..Report::default()
                    },
                    rng: fastrand::Rng::with_seed(self.seed),
                };
                match SampleFile::load(path) {
                    Ok(file) => {
                        for case in &file.cases {
                            run.case::<M>(
                                &file,
                                case,
                                self.mutations_per_case,
                                self.splits_per_case,
                            );
                        }
                    }
                    Err(error) => run.fail(property::SAMPLES, "", None, error.to_string(), ""),
                }
                run.report
            })
            .collect()
    }
}

/// One sample file being checked.
struct Run {
    adapter: &'static dyn Adapter,
    report: Report,
    rng: fastrand::Rng,
}

impl Run {
    fn fail(
        &mut self,
        property: &'static str,
        case: &str,
        field: Option<String>,
        detail: String,
        input: &str,
    ) {
        self.report.failures.push(Failure {
            property,
            case: case.to_owned(),
            field,
            detail,
            input: shorten(input),
        });
    }

    fn case<M: BedrockModel>(
        &mut self,
        file: &SampleFile,
        case: &Case,
        mutations: usize,
        splits: usize,
    ) {
        let request = case.request_bytes();
        let response = case.response_bytes();
        self.report.checks += 1;
        let Some(request_view) = self.round_trip(
            property::REQUEST_ROUND_TRIP,
            case,
            &request,
            M::decode_request,
            |r: &M::Request| r.to_body(),
            |r: &M::Request| r.view(),
        ) else {
            return;
        };
        self.report.checks += 1;
        let Some(mut response_view) = self.round_trip(
            property::RESPONSE_ROUND_TRIP,
            case,
            &response,
            M::decode_response,
            |r: &M::Response| r.to_body(),
            |r: &M::Response| r.view(),
        ) else {
            return;
        };
        // The record's view, as the adapter gives it: inline reasoning split off.
        if M::INLINE_REASONING {
            bedrock_llm_core::split_inline_reasoning(&mut response_view);
        }
        if let Some(expect) = &case.expect {
            self.report.checks += 1;
            for (field, detail) in crate::expect::differences(expect, &request_view, &response_view)
            {
                let input = if field.starts_with("request") {
                    &case.request
                } else {
                    &case.response
                };
                self.fail(
                    property::EXPECTED_VIEW,
                    &case.name,
                    Some(field),
                    detail,
                    &input.to_string(),
                );
            }
        }
        self.report.checks += 2;
        self.mutations(case, "request", &case.request, mutations);
        self.mutations(case, "response", &case.response, mutations);
        if let Some(chunks) = &case.chunks {
            self.report.checks += 2;
            self.chunks(case, chunks, &response_view, splits);
        }
        self.report.checks += 2;
        self.events(
            file,
            case,
            &request,
            &response,
            &request_view,
            &response_view,
        );
    }
}

/// Replaces the first string leaf equal to `from` with `to`; whether one was found.
fn replace_string(value: &mut Value, from: &str, to: &str) -> bool {
    match value {
        Value::String(s) if s == from => {
            *s = to.to_owned();
            true
        }
        Value::Array(items) => items.iter_mut().any(|v| replace_string(v, from, to)),
        Value::Object(map) => map.values_mut().any(|v| replace_string(v, from, to)),
        _ => false,
    }
}
