//! `cargo xtask bench --compare BASE`: every ratio of this run beside the same ratio in a saved
//! summary (`target/bench/summary.json` of an earlier run), its change, and a flag where the
//! change is beyond the run-to-run spread.
//!
//! Ratios, not times, are compared: each is measured side by side in one run (ours against the
//! parse floor, the peers, the raw call), so a slower or busier machine moves both sides.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

/// The least spread a ratio is given. Criterion's intervals are tight within a run, but two
/// `--quick` runs of the same code paths on the 2-core machine moved the summary's 95 ratios by
/// 3.9% (median), 9.6% (95th percentile) and 15% at most — the peers' ratios most.
pub(super) const NOISE_FLOOR: f64 = 0.10;

/// Which way a ratio improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Better {
    Higher,
    Lower,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Ratio {
    value: f64,
    /// Relative: how far one run may move the value.
    spread: f64,
    better: Better,
}

/// A run's ratios by name.
#[derive(Debug, Default)]
pub(super) struct Ratios(BTreeMap<String, Ratio>);

impl Ratios {
    pub(super) fn insert(&mut self, name: String, value: f64, spread: f64, better: Better) {
        if value.is_finite() {
            self.0.insert(
                name,
                Ratio {
                    value,
                    spread: spread.max(0.0),
                    better,
                },
            );
        }
    }

    pub(super) fn to_json(&self) -> Value {
        let ratios: serde_json::Map<String, Value> = self
            .0
            .iter()
            .map(|(name, r)| {
                let better = match r.better {
                    Better::Higher => "higher",
                    Better::Lower => "lower",
                };
                (
                    name.clone(),
                    json!({"value": r.value, "spread": r.spread, "better": better}),
                )
            })
            .collect();
        json!({"format": 1, "ratios": ratios})
    }

    pub(super) fn from_json(value: &Value) -> Result<Self, String> {
        let ratios = value["ratios"].as_object().ok_or(
            "not a bench summary: no \"ratios\" object (write one with `cargo xtask bench`)",
        )?;
        let mut out = Self::default();
        for (name, r) in ratios {
            let (Some(value), spread, better) = (
                r["value"].as_f64(),
                r["spread"].as_f64().unwrap_or(0.0),
                r["better"].as_str(),
            ) else {
                return Err(format!("ratio `{name}` has no numeric \"value\""));
            };
            let better = match better {
                Some("higher") => Better::Higher,
                Some("lower") => Better::Lower,
                other => return Err(format!("ratio `{name}`: \"better\" is {other:?}")),
            };
            out.insert(name.clone(), value, spread, better);
        }
        Ok(out)
    }
}

/// The comparison as a markdown table, and how many ratios got worse beyond their spread.
pub(super) fn compare(base: &Ratios, now: &Ratios) -> (String, usize) {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| ratio | base | now | change | spread | |\n|---|---:|---:|---:|---:|---|"
    );
    let mut worse = 0;
    for (name, new) in &now.0 {
        let Some(old) = base.0.get(name) else {
            let _ = writeln!(out, "| {name} | – | {:.2} | | | new |", new.value);
            continue;
        };
        let change = new.value / old.value - 1.0;
        // Both runs' spreads, at least the floor.
        let spread = (old.spread + new.spread).max(NOISE_FLOOR);
        let improved = match new.better {
            Better::Higher => change > 0.0,
            Better::Lower => change < 0.0,
        };
        let flag = if change.abs() <= spread {
            ""
        } else if improved {
            "better"
        } else {
            worse += 1;
            "**WORSE**"
        };
        let _ = writeln!(
            out,
            "| {name} | {:.2} | {:.2} | {:+.1}% | ±{:.1}% | {flag} |",
            old.value,
            new.value,
            change * 100.0,
            spread * 100.0
        );
    }
    for name in base.0.keys().filter(|name| !now.0.contains_key(*name)) {
        let _ = writeln!(out, "| {name} | {:.2} | – | | | gone |", base.0[name].value);
    }
    (out, worse)
}

#[cfg(test)]
mod tests {
    use super::{Better, Ratios, compare};

    fn ratios(entries: &[(&str, f64, f64, Better)]) -> Ratios {
        let mut ratios = Ratios::default();
        for (name, value, spread, better) in entries {
            ratios.insert((*name).to_owned(), *value, *spread, *better);
        }
        ratios
    }

    #[test]
    fn changes_beyond_the_spread_are_flagged_the_way_they_went() {
        let base = ratios(&[
            ("events/(floor+render) a", 2.0, 0.02, Better::Lower),
            ("fastest peer/events a", 10.0, 0.02, Better::Higher),
            ("replay/parse floor", 0.20, 0.10, Better::Higher),
            ("old", 1.0, 0.0, Better::Lower),
        ]);
        let now = ratios(&[
            // 15% worse, beyond 4% (floored to 10%).
            ("events/(floor+render) a", 2.3, 0.02, Better::Lower),
            // 20% better.
            ("fastest peer/events a", 12.0, 0.02, Better::Higher),
            // 15% lower, within the 20% the two runs' spreads allow.
            ("replay/parse floor", 0.17, 0.10, Better::Higher),
            ("new", 1.0, 0.0, Better::Lower),
        ]);
        let (table, worse) = compare(&base, &now);
        assert_eq!(worse, 1, "{table}");
        let line = |name: &str| {
            table
                .lines()
                .find(|l| l.starts_with(&format!("| {name} |")))
                .unwrap_or_default()
                .to_owned()
        };
        assert!(
            line("events/(floor+render) a").ends_with("| **WORSE** |"),
            "{table}"
        );
        assert!(
            line("events/(floor+render) a").contains("+15.0%"),
            "{table}"
        );
        assert!(
            line("fastest peer/events a").ends_with("| better |"),
            "{table}"
        );
        assert!(line("replay/parse floor").ends_with("|  |"), "{table}");
        assert!(line("new").ends_with("| new |"), "{table}");
        assert!(line("old").ends_with("| gone |"), "{table}");
    }

    #[test]
    fn a_saved_summary_reads_back_as_written() {
        let written = ratios(&[
            ("a", 1.5, 0.1, Better::Lower),
            ("b", 3.0, 0.0, Better::Higher),
        ]);
        let read = Ratios::from_json(&written.to_json()).unwrap();
        let (table, worse) = compare(&written, &read);
        assert_eq!(worse, 0);
        assert!(
            !table.contains("better") && !table.contains("new"),
            "{table}"
        );
        assert!(Ratios::from_json(&serde_json::json!({"rows": []})).is_err());
        let bad = serde_json::json!({"ratios": {"a": {"value": 1.0, "better": "up"}}});
        assert!(Ratios::from_json(&bad).unwrap_err().contains("ratio `a`"));
    }
}
