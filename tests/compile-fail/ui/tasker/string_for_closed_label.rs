//! A closed label takes its enum, never a string: `"event"` is not a `ClaimMethod`. This is the
//! drift (typos, values outside the catalog) the typed recorders exist to stop.

use tasker_metrics::Metrics;
use tasker_metrics::worker::StepsClaimedTotalLabels;

fn main() {
    let metrics = Metrics::global();
    metrics
        .worker
        .steps_claimed_total
        .add(1, StepsClaimedTotalLabels { namespace: "rust_e2e_linear".into(), claim_method: "event" });
}
