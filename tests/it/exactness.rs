//! Concurrent recording through the generated recorders loses nothing: threads × 1,000,000
//! recordings, through both the per-call label path and `bind()`, give exact exported totals for
//! every series (the SDK's in-memory exporter), histogram counts and sums included.

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use std::collections::BTreeMap;
use tasker_metrics::labels::ClaimMethod;
use tasker_metrics::{Metrics, worker as w};

const THREADS: usize = 2;
const PER_THREAD: u64 = 1_000_000;
const NAMESPACE: &str = "rust_e2e_linear";

/// (metric, sorted attributes) → (sum or count, histogram sum).
type Totals = BTreeMap<(String, Vec<(String, String)>), (u64, f64)>;

fn totals(rm: &ResourceMetrics) -> Totals {
    let mut out = Totals::new();
    for m in rm.scope_metrics().flat_map(|s| s.metrics()) {
        let key = |attrs: Vec<(String, String)>| (m.name().to_owned(), attrs);
        let attrs_of = |it: &mut dyn Iterator<Item = &opentelemetry::KeyValue>| {
            let mut v: Vec<(String, String)> = it.map(|kv| (kv.key.to_string(), kv.value.to_string())).collect();
            v.sort();
            v
        };
        match m.data() {
            AggregatedMetrics::U64(MetricData::Sum(s)) => {
                for p in s.data_points() {
                    out.insert(key(attrs_of(&mut p.attributes())), (p.value(), 0.0));
                }
            }
            AggregatedMetrics::F64(MetricData::Histogram(h)) => {
                for p in h.data_points() {
                    out.insert(key(attrs_of(&mut p.attributes())), (p.count(), p.sum()));
                }
            }
            other => panic!("{}: unexpected data {other:?}", m.name()),
        }
    }
    out
}

fn attrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    v.sort();
    v
}

#[test]
fn threads_times_a_million_recordings_are_exact() {
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder().with_reader(PeriodicReader::builder(exporter.clone()).build()).build();
    let metrics = Metrics::new(&provider.meter(Metrics::METER_NAME));
    let claimed =
        metrics.worker.steps_claimed_total.bind(w::StepsClaimedTotalBindLabels { namespace: NAMESPACE.into() });
    let claim_ms =
        metrics.worker.step_claim_duration.bind(w::StepClaimDurationBindLabels { namespace: NAMESPACE.into() });

    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let (metrics, claimed, claim_ms) = (&metrics, &claimed, &claim_ms);
            scope.spawn(move || {
                for i in 0..PER_THREAD {
                    // Both threads hit the same series, half through bind(), half per call.
                    let method = if i % 2 == 0 { ClaimMethod::Event } else { ClaimMethod::Poll };
                    if (i / 2) % 2 == 0 {
                        claimed.add(1, method);
                        claim_ms.record(2.5, method);
                    } else {
                        metrics
                            .worker
                            .steps_claimed_total
                            .add(1, w::StepsClaimedTotalLabels { namespace: NAMESPACE.into(), claim_method: method });
                        metrics.worker.step_claim_duration.record(
                            2.5,
                            w::StepClaimDurationLabels { namespace: NAMESPACE.into(), claim_method: method },
                        );
                    }
                    // A series per thread, through a free-form label.
                    metrics.worker.steps_executions_total.add(
                        2,
                        w::StepsExecutionsTotalLabels {
                            correlation_id: if t == 0 { "thread-0".into() } else { "thread-1".into() },
                        },
                    );
                }
            });
        }
    });
    provider.force_flush().unwrap();
    let exported = exporter.get_finished_metrics().unwrap();
    let got = totals(exported.last().expect("an export"));

    let n = THREADS as u64 * PER_THREAD;
    let mut want = Totals::new();
    for method in ["event", "poll"] {
        let a = attrs(&[("namespace", NAMESPACE), ("claim_method", method)]);
        want.insert(("tasker.steps.claimed.total".into(), a.clone()), (n / 2, 0.0));
        want.insert(("tasker.step.claim.duration".into(), a), (n / 2, 2.5 * (n / 2) as f64));
    }
    for t in 0..THREADS {
        let id = format!("thread-{t}");
        want.insert(("tasker.steps.executions.total".into(), attrs(&[("correlation_id", &id)])), (2 * PER_THREAD, 0.0));
    }
    assert_eq!(got, want);
}
