//! The mutation property: seeded mutations of a body never panic the adapter, and every error
//! it gives has a JSON path.

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::Value;

use super::{Run, property};
use crate::sample::Case;

impl Run {
    /// Mutated bodies: never a panic; an error always has a JSON path.
    pub(super) fn mutations(&mut self, case: &Case, side: &str, body: &Value, count: usize) {
        let property = property::MUTATIONS;
        let (mut inputs, whole) = crate::mutate::mutations(body, &mut self.rng, count);
        inputs.extend(whole);
        for (what, bytes) in inputs {
            let adapter = self.adapter;
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                if side == "request" {
                    adapter.request_view(&bytes).map(|_| ())
                } else {
                    adapter.response_view(&bytes).map(|_| ())
                }
            }));
            let input = String::from_utf8_lossy(&bytes).into_owned();
            match outcome {
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default();
                    self.fail(
                        property,
                        &case.name,
                        Some(format!("{side} {what}")),
                        format!("the adapter panicked: {message}"),
                        &input,
                    );
                }
                Ok(Err(error)) if !error.path.starts_with('$') => self.fail(
                    property,
                    &case.name,
                    Some(format!("{side} {what}")),
                    format!("an error without a JSON path: {error}"),
                    &input,
                ),
                Ok(_) => {}
            }
        }
    }
}
