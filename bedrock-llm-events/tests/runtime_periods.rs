//! Runtime metrics hand on the periods that have closed: what `split_closed` takes out plus
//! what stays adds up to everything counted, and only periods well behind the latest go.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use bedrock_llm_core::{Invocation, Operation};
use bedrock_llm_events::RuntimeMetrics;
use proptest::prelude::*;

fn call_at(ms: u64) -> Invocation {
    let mut call = Invocation::new("meta.llama3-70b-instruct-v1:0", Operation::InvokeModel);
    call.timing.started_at_ms = ms;
    call
}

fn invocations(metrics: &RuntimeMetrics) -> u64 {
    metrics.figures().map(|(_, _, f)| f.invocations).sum()
}

proptest! {
    #[test]
    fn closed_and_open_periods_add_up_and_only_old_ones_close(
        offsets in proptest::collection::vec(0u64..20_000_000, 1..200),
        lateness_s in 0u64..10_000,
    ) {
        let mut metrics = RuntimeMetrics::new(Duration::from_secs(60)).unwrap();
        for offset in &offsets {
            metrics.add(&call_at(1_700_000_000_000 + offset));
        }
        let total = invocations(&metrics);
        let latest = metrics.figures().map(|(start, _, _)| start).max().unwrap();
        let closed = metrics.split_closed(Duration::from_secs(lateness_s));
        let closed_count = closed.as_ref().map_or(0, invocations);
        prop_assert_eq!(closed_count + invocations(&metrics), total);
        if let Some(closed) = &closed {
            for (start, _, _) in closed.figures() {
                prop_assert!(start + 60_000 <= latest.saturating_sub(lateness_s * 1000), "{} closed", start);
            }
        }
        // What stays includes the latest period.
        prop_assert!(metrics.figures().any(|(start, _, _)| start == latest));
    }
}
