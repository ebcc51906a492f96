//! The round-trip property: a body decodes, re-encodes to the same JSON, and decodes to the
//! same views.

use std::fmt;

use super::{Run, shorten};
use crate::sample::Case;

impl Run {
    /// Decodes, re-encodes and decodes again; the second encoding must equal the first and the
    /// views must agree. Returns the view.
    pub(super) fn round_trip<T, V: PartialEq + fmt::Debug>(
        &mut self,
        property: &'static str,
        case: &Case,
        bytes: &[u8],
        decode: impl Fn(&[u8]) -> Result<T, bedrock_llm_core::BodyError>,
        encode: impl Fn(&T) -> Result<Vec<u8>, bedrock_llm_core::BodyError>,
        view: impl Fn(&T) -> V,
    ) -> Option<V> {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let mut failed = |what: &str, error: bedrock_llm_core::BodyError, input: &str| {
            self.fail(
                property,
                &case.name,
                Some(error.path.clone()),
                format!("{what}: {error}"),
                input,
            );
        };
        let typed = match decode(bytes) {
            Ok(typed) => typed,
            Err(error) => {
                failed("the sample does not decode", error, &text);
                return None;
            }
        };
        let first = match encode(&typed) {
            Ok(bytes) => bytes,
            Err(error) => {
                failed("cannot encode", error, &text);
                return None;
            }
        };
        let again = match decode(&first) {
            Ok(again) => again,
            Err(error) => {
                let input = String::from_utf8_lossy(&first).into_owned();
                failed("its own encoding does not decode", error, &input);
                return None;
            }
        };
        let second = encode(&again).unwrap_or_default();
        if first != second {
            self.fail(
                property,
                &case.name,
                None,
                format!(
                    "encoding is not stable: first {} then {}",
                    shorten(&String::from_utf8_lossy(&first)),
                    shorten(&String::from_utf8_lossy(&second))
                ),
                &text,
            );
        }
        let (before, after) = (view(&typed), view(&again));
        if before != after {
            self.fail(
                property,
                &case.name,
                None,
                format!("the view changed across the round trip: {before:?} then {after:?}"),
                &text,
            );
        }
        Some(before)
    }
}
