//! Recording through the generated recorders against the same call written by hand, side by side
//! on the same SDK meter provider. `cargo bench --bench recording`; figures in docs/BENCHMARKS.md.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Meter, MeterProvider as _};
use opentelemetry_sdk::metrics::{ManualReader, SdkMeterProvider};
use std::hint::black_box;
use std::time::{Duration, Instant};
use tasker_metrics::labels::ClaimMethod;
use tasker_metrics::{Metrics, orchestration as o, worker as w};

const NAMESPACE: &str = "rust_e2e_linear";
const ID: &str = "0199c3e0-ccdb-7581-87ab-3f67daeaa4a5";

/// An SDK provider with a reader that is never collected: recording cost only.
fn sdk() -> (SdkMeterProvider, Meter) {
    let provider = SdkMeterProvider::builder().with_reader(ManualReader::builder().build()).build();
    let meter = provider.meter(Metrics::METER_NAME);
    (provider, meter)
}

/// Closed labels: `tasker.steps.claimed.total` {namespace fixed at start-up, claim_method} and the
/// histogram `tasker.step.claim.duration` with the same labels.
fn closed_labels(c: &mut Criterion) {
    let (_provider, meter) = sdk();
    let metrics = Metrics::new(&meter);
    let claimed =
        metrics.worker.steps_claimed_total.bind(w::StepsClaimedTotalBindLabels { namespace: NAMESPACE.into() });
    let claim_ms =
        metrics.worker.step_claim_duration.bind(w::StepClaimDurationBindLabels { namespace: NAMESPACE.into() });
    // The hand-written instruments: same names, same provider.
    let counter = meter.u64_counter("hand.steps.claimed.total").build();
    // With the catalog's boundaries, so that the SDK finds the bucket among as many boundaries as
    // the generated recorder's (with the SDK's default 15 the floor measured another search).
    let histogram =
        meter.f64_histogram("hand.step.claim.duration").with_boundaries(w::StepClaimDuration::BUCKETS.to_vec()).build();

    let mut g = c.benchmark_group("closed_labels_counter");
    g.bench_function("generated_bind", |b| b.iter(|| claimed.add(black_box(1), black_box(ClaimMethod::Event))));
    g.bench_function("generated_per_call", |b| {
        b.iter(|| {
            metrics.worker.steps_claimed_total.add(
                black_box(1),
                w::StepsClaimedTotalLabels { namespace: black_box(NAMESPACE.into()), claim_method: ClaimMethod::Event },
            )
        })
    });
    g.bench_function("hand_written", |b| {
        b.iter(|| {
            counter.add(
                black_box(1),
                &[KeyValue::new("namespace", black_box(NAMESPACE)), KeyValue::new("claim_method", "event")],
            )
        })
    });
    // The physical floor: what a bound counter's update is at the bottom, a bare atomic add.
    let floor = std::sync::atomic::AtomicU64::new(0);
    g.bench_function("atomic_add_floor", |b| {
        b.iter(|| floor.fetch_add(black_box(1), std::sync::atomic::Ordering::Relaxed))
    });
    g.finish();

    let mut g = c.benchmark_group("closed_labels_histogram");
    g.bench_function("generated_bind", |b| b.iter(|| claim_ms.record(black_box(3.5), black_box(ClaimMethod::Poll))));
    // The SDK's own bound histogram, with nothing of ours around it: the floor for generated_bind.
    let raw = histogram.bind(&[KeyValue::new("namespace", NAMESPACE), KeyValue::new("claim_method", "poll")]);
    g.bench_function("sdk_bound_histogram_alone", |b| b.iter(|| raw.record(black_box(3.5))));
    g.bench_function("hand_written", |b| {
        b.iter(|| {
            histogram.record(
                black_box(3.5),
                &[KeyValue::new("namespace", black_box(NAMESPACE)), KeyValue::new("claim_method", "poll")],
            )
        })
    });
    g.finish();
}

/// The golden flat catalog in OpenTelemetry's spelling, for optional attributes.
#[allow(dead_code, unused_imports)]
mod otel {
    include!("../catalog-build/tests/golden/otel.rs");
}

/// Optional attributes (`http.server.request.duration` with 2 of its 5 attributes present): the
/// generated label set, which keeps the present ones in a stack array, against a hand-written call
/// that builds the same attributes conditionally into a `Vec`, as such code usually does.
fn optional_attributes(c: &mut Criterion) {
    let (_provider, meter) = sdk();
    let metrics = otel::Metrics::new(&meter);
    let histogram = meter.f64_histogram("hand.http.server.request.duration").build();
    let (status, route): (Option<i64>, Option<&'static str>) = (Some(200), None);
    let mut g = c.benchmark_group("optional_attributes");
    g.bench_function("generated", |b| {
        b.iter(|| {
            metrics.http_server_request_duration.record(
                black_box(0.01),
                otel::HttpServerRequestDurationLabels {
                    http_request_method: otel::labels::HttpRequestMethod::Get,
                    http_response_status_code: black_box(status),
                    network_protocol_version: None,
                    error_type: None,
                    http_route: black_box(route).map(Into::into),
                },
            )
        })
    });
    g.bench_function("hand_written", |b| {
        b.iter(|| {
            let mut attributes = Vec::with_capacity(5);
            attributes.push(KeyValue::new("http.request.method", "GET"));
            if let Some(code) = black_box(status) {
                attributes.push(KeyValue::new("http.response.status_code", code));
            }
            if let Some(route) = black_box(route) {
                attributes.push(KeyValue::new("http.route", route));
            }
            histogram.record(black_box(0.01), &attributes)
        })
    });
    g.finish();
}

/// Free-form labels: `tasker.tasks.requests.total` {correlation_id, task_type, namespace}, with
/// values known at compile time (`&'static str`: neither side copies them) and with values made at
/// run time (each side makes one `String` per value, as a hand-written call does).
fn free_form_labels(c: &mut Criterion) {
    let (_provider, meter) = sdk();
    let metrics = Metrics::new(&meter);
    let counter = meter.u64_counter("hand.tasks.requests.total").build();
    const TASK_TYPE: &str = "mathematical_sequence";

    let mut g = c.benchmark_group("free_form_static");
    g.bench_function("generated", |b| {
        b.iter(|| {
            metrics.orchestration.tasks_requests_total.add(
                black_box(1),
                o::TasksRequestsTotalLabels {
                    correlation_id: black_box(ID).into(),
                    task_type: black_box(TASK_TYPE).into(),
                    namespace: black_box(NAMESPACE).into(),
                },
            )
        })
    });
    g.bench_function("hand_written", |b| {
        b.iter(|| {
            counter.add(
                black_box(1),
                &[
                    KeyValue::new("correlation_id", black_box(ID)),
                    KeyValue::new("task_type", black_box(TASK_TYPE)),
                    KeyValue::new("namespace", black_box(NAMESPACE)),
                ],
            )
        })
    });
    g.finish();

    let (id, task_type, namespace) = (String::from(ID), String::from(TASK_TYPE), String::from(NAMESPACE));
    let mut g = c.benchmark_group("free_form_dynamic");
    g.bench_function("generated", |b| {
        b.iter(|| {
            metrics.orchestration.tasks_requests_total.add(
                black_box(1),
                o::TasksRequestsTotalLabels {
                    correlation_id: black_box(&id).to_string().into(),
                    task_type: black_box(&task_type).to_string().into(),
                    namespace: black_box(&namespace).to_string().into(),
                },
            )
        })
    });
    g.bench_function("hand_written", |b| {
        b.iter(|| {
            counter.add(
                black_box(1),
                &[
                    KeyValue::new("correlation_id", black_box(&id).to_string()),
                    KeyValue::new("task_type", black_box(&task_type).to_string()),
                    KeyValue::new("namespace", black_box(&namespace).to_string()),
                ],
            )
        })
    });
    g.finish();
}

/// Telemetry disabled: the generated no-op recorder against the hand-written call on a no-op meter
/// (the global meter with no provider installed).
fn disabled(c: &mut Criterion) {
    let metrics = Metrics::disabled();
    let noop = opentelemetry::global::meter("noop");
    let counter = noop.u64_counter("hand.tasks.requests.total").build();
    let mut g = c.benchmark_group("disabled");
    // The recorders are read through black_box, as a program reads them from memory: the compiler
    // cannot see that they are disabled and must test at run time.
    g.bench_function("generated", |b| {
        b.iter(|| {
            black_box(&metrics).orchestration.tasks_requests_total.add(
                black_box(1),
                o::TasksRequestsTotalLabels {
                    correlation_id: ID.into(),
                    task_type: "mathematical_sequence".into(),
                    namespace: NAMESPACE.into(),
                },
            )
        })
    });
    // The harness alone: the same black_box reads with no call, to subtract from the figure above.
    g.bench_function("harness_only", |b| {
        b.iter(|| {
            black_box(&metrics);
            black_box(1)
        })
    });
    g.bench_function("hand_written_noop_meter", |b| {
        b.iter(|| {
            black_box(&counter).add(
                black_box(1),
                &[
                    KeyValue::new("correlation_id", ID.to_string()),
                    KeyValue::new("task_type", "mathematical_sequence".to_string()),
                    KeyValue::new("namespace", NAMESPACE.to_string()),
                ],
            )
        })
    });
    g.finish();
}

/// Two threads recording the same series; the time is per recording (wall time / calls per thread).
fn contention(c: &mut Criterion) {
    let (_provider, meter) = sdk();
    let metrics = Metrics::new(&meter);
    let claimed =
        metrics.worker.steps_claimed_total.bind(w::StepsClaimedTotalBindLabels { namespace: NAMESPACE.into() });
    let counter = meter.u64_counter("hand.steps.claimed.total").build();
    let mut g = c.benchmark_group("contention_2_threads");
    let threads = 2;
    g.bench_function(BenchmarkId::new("generated_bind", threads), |b| {
        b.iter_custom(|iters| run_threads(threads, iters, || claimed.add(1, ClaimMethod::Event)))
    });
    g.bench_function(BenchmarkId::new("hand_written", threads), |b| {
        b.iter_custom(|iters| {
            run_threads(threads, iters, || {
                counter.add(1, &[KeyValue::new("namespace", NAMESPACE), KeyValue::new("claim_method", "event")])
            })
        })
    });
    g.finish();
}

fn run_threads(threads: usize, iters: u64, f: impl Fn() + Sync) -> Duration {
    let barrier = std::sync::Barrier::new(threads);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                barrier.wait();
                for _ in 0..iters {
                    f();
                }
            });
        }
    });
    start.elapsed()
}

/// Exemplars: the same bound and per-call recorders built with an exemplar store (filter
/// `trace_based`, `correlation_id` dropped from the series and kept on the exemplar), recording
/// inside a sampled span, outside any span, and built without a store (`always_off`: the recorders
/// of `closed_labels`), beside the SDK's own bound instruments and the bare atomic add.
fn exemplars(c: &mut Criterion) {
    use catalog_runtime::exemplar::{ExemplarFilter, ExemplarStore};
    let (_provider, meter) = sdk();
    let off = Metrics::new(&meter);
    let store = ExemplarStore::new(
        ExemplarFilter::TraceBased,
        Metrics::METER_NAME,
        Metrics::METRICS,
        &["correlation_id".to_owned()],
    )
    .expect("trace_based keeps exemplars");
    let on = store.scope(|| Metrics::new(&meter));
    let bind_counter =
        |m: &Metrics| m.worker.steps_claimed_total.bind(w::StepsClaimedTotalBindLabels { namespace: NAMESPACE.into() });
    let bind_histogram =
        |m: &Metrics| m.worker.step_claim_duration.bind(w::StepClaimDurationBindLabels { namespace: NAMESPACE.into() });
    let (counter_off, counter_on) = (bind_counter(&off), bind_counter(&on));
    let (histogram_off, histogram_on) = (bind_histogram(&off), bind_histogram(&on));
    let in_span = || test_support::span::enter(true);
    let id = opentelemetry::StringValue::from(std::sync::Arc::<str>::from(ID));

    let mut g = c.benchmark_group("exemplars_counter");
    g.bench_function("bound_off", |b| b.iter(|| counter_off.add(black_box(1), black_box(ClaimMethod::Event))));
    g.bench_function("bound_on_no_span", |b| b.iter(|| counter_on.add(black_box(1), black_box(ClaimMethod::Event))));
    {
        let _span = in_span();
        g.bench_function("bound_on_sampled_span", |b| {
            b.iter(|| counter_on.add(black_box(1), black_box(ClaimMethod::Event)))
        });
        // Per call, with the correlation id the series drop and the exemplar keeps.
        g.bench_function("per_call_on_sampled_span", |b| {
            b.iter(|| {
                on.worker
                    .steps_executions_total
                    .add(black_box(1), w::StepsExecutionsTotalLabels { correlation_id: black_box(id.clone()) })
            })
        });
        g.bench_function("per_call_off", |b| {
            b.iter(|| {
                off.worker
                    .steps_executions_total
                    .add(black_box(1), w::StepsExecutionsTotalLabels { correlation_id: black_box(id.clone()) })
            })
        });
        let hand = meter.u64_counter("hand.steps.executions.total").build();
        g.bench_function("per_call_hand_written", |b| {
            b.iter(|| hand.add(black_box(1), &[KeyValue::new("correlation_id", black_box(id.clone()))]))
        });
    }
    let floor = std::sync::atomic::AtomicU64::new(0);
    g.bench_function("atomic_add_floor", |b| {
        b.iter(|| floor.fetch_add(black_box(1), std::sync::atomic::Ordering::Relaxed))
    });
    g.finish();

    let mut g = c.benchmark_group("exemplars_histogram");
    g.bench_function("bound_off", |b| b.iter(|| histogram_off.record(black_box(3.5), black_box(ClaimMethod::Poll))));
    {
        let _span = in_span();
        g.bench_function("bound_on_sampled_span", |b| {
            b.iter(|| histogram_on.record(black_box(3.5), black_box(ClaimMethod::Poll)))
        });
    }
    let raw = meter
        .f64_histogram("hand.exemplar.claim.duration")
        .with_boundaries(w::StepClaimDuration::BUCKETS.to_vec())
        .build()
        .bind(&[KeyValue::new("namespace", NAMESPACE), KeyValue::new("claim_method", "poll")]);
    g.bench_function("sdk_bound_histogram_alone", |b| b.iter(|| raw.record(black_box(3.5))));
    g.finish();
}

criterion_group!(benches, closed_labels, optional_attributes, free_form_labels, disabled, contention, exemplars);
criterion_main!(benches);
