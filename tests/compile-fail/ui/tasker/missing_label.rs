//! Every label of a metric must be given: `tasker.steps.claimed.total` needs `claim_method`.

use tasker_metrics::Metrics;
use tasker_metrics::worker::StepsClaimedTotalLabels;

fn main() {
    let metrics = Metrics::global();
    metrics.worker.steps_claimed_total.add(1, StepsClaimedTotalLabels { namespace: "rust_e2e_linear".into() });
}
