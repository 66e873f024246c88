//! Values have the catalog's number type: counters of `u64` take no `1.5`, and histograms of
//! `f64` take no `u64` variable.

use tasker_metrics::Metrics;
use tasker_metrics::labels::ClaimMethod;
use tasker_metrics::worker::{StepClaimDurationLabels, StepsClaimedTotalLabels};

fn main() {
    let metrics = Metrics::global();
    metrics
        .worker
        .steps_claimed_total
        .add(1.5, StepsClaimedTotalLabels { namespace: "rust_e2e_linear".into(), claim_method: ClaimMethod::Event });

    let elapsed_ms: u64 = 12;
    metrics
        .worker
        .step_claim_duration
        .record(elapsed_ms, StepClaimDurationLabels { namespace: "rust_e2e_linear".into(), claim_method: ClaimMethod::Poll });
}
