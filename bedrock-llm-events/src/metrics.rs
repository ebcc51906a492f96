//! Metrics: supportability counters and `Llm/{completion|embedding}/Bedrock/{operation}`
//! timings (count, total, min, max), aggregated between harvests.

use std::collections::BTreeMap;

use bedrock_llm_core::{ExchangeKind, Operation};

use crate::names::metric;

/// One metric's aggregate. Counters have zero timings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricData {
    /// How many times it was recorded.
    pub count: u64,
    /// Sum of the timings, in ms.
    pub total_ms: f64,
    /// Smallest timing, in ms.
    pub min_ms: f64,
    /// Largest timing, in ms.
    pub max_ms: f64,
}

impl MetricData {
    /// The mean timing, in ms.
    pub fn average_ms(&self) -> Option<f64> {
        (self.count > 0).then(|| self.total_ms / self.count as f64)
    }
}

/// Metrics by name, sorted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricTable {
    data: BTreeMap<String, MetricData>,
}

impl MetricTable {
    /// Adds `n` to a counter.
    pub fn count(&mut self, name: &str, n: u64) {
        if n == 0 {
            return;
        }
        match self.data.get_mut(name) {
            Some(data) => data.count += n,
            None => {
                self.data.insert(
                    name.to_owned(),
                    MetricData {
                        count: n,
                        total_ms: 0.0,
                        min_ms: 0.0,
                        max_ms: 0.0,
                    },
                );
            }
        }
    }

    /// Records one timing.
    pub fn timing(&mut self, name: &str, ms: f64) {
        let ms = if ms.is_finite() && ms >= 0.0 { ms } else { 0.0 };
        match self.data.get_mut(name) {
            Some(data) => {
                data.count += 1;
                data.total_ms += ms;
                data.min_ms = data.min_ms.min(ms);
                data.max_ms = data.max_ms.max(ms);
            }
            None => {
                self.data.insert(
                    name.to_owned(),
                    MetricData {
                        count: 1,
                        total_ms: ms,
                        min_ms: ms,
                        max_ms: ms,
                    },
                );
            }
        }
    }

    /// One metric.
    pub fn get(&self, name: &str) -> Option<&MetricData> {
        self.data.get(name)
    }

    /// Every metric, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &MetricData)> {
        self.data.iter().map(|(name, data)| (name.as_str(), data))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// `Llm/completion/Bedrock/{operation}` or `Llm/embedding/Bedrock/{operation}`.
pub fn operation_metric_name(kind: Option<ExchangeKind>, operation: Operation) -> String {
    let prefix = match kind {
        Some(ExchangeKind::Embedding) => metric::EMBEDDING_PREFIX,
        _ => metric::COMPLETION_PREFIX,
    };
    format!("{prefix}{}", operation.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_aggregate() {
        let mut table = MetricTable::default();
        for ms in [5.0, 1.0, 9.0] {
            table.timing("t", ms);
        }
        table.count("c", 2);
        table.count("c", 0);
        let t = table.get("t").unwrap();
        assert_eq!(
            (t.count, t.total_ms, t.min_ms, t.max_ms),
            (3, 15.0, 1.0, 9.0)
        );
        assert_eq!(t.average_ms(), Some(5.0));
        assert_eq!(table.get("c").unwrap().count, 2);
        assert_eq!(
            operation_metric_name(Some(ExchangeKind::Embedding), Operation::InvokeModel),
            "Llm/embedding/Bedrock/InvokeModel"
        );
        assert_eq!(
            operation_metric_name(None, Operation::ConverseStream),
            "Llm/completion/Bedrock/ConverseStream"
        );
    }
}
