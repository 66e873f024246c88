//! A closed label only takes its own enum: a `FinalState` is not a `StepResultType`.

use tasker_metrics::Metrics;
use tasker_metrics::labels::FinalState;
use tasker_metrics::orchestration::StepResultsProcessedTotalLabels;

fn main() {
    let metrics = Metrics::global();
    metrics.orchestration.step_results_processed_total.add(
        1,
        StepResultsProcessedTotalLabels {
            correlation_id: "0199c3e0-ccdb-7581-87ab-3f67daeaa4a5".into(),
            result_type: FinalState::Complete,
        },
    );
}
