//! A value-mapped gauge takes its state enum, not the number it exports: `2` is not
//! `CircuitBreakerState::Open`.

use tasker_metrics::Metrics;

fn main() {
    let metrics = Metrics::global();
    metrics.resilience.api_circuit_breaker_state.record(2);
}
