//! Allocation counts per recording, against the hand-written call: `bind()` allocates nothing,
//! closed labels and `&'static str` values allocate nothing in the generated code, a shared
//! `Arc<str>` id is not copied, and values made per call allocate exactly what the hand-written
//! `KeyValue::new(key, s.to_string())` does. Counted by the global allocator of the test binary,
//! so the test runs in a process of its own (`in_own_process`) and runs the cases in sequence.

use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::{ManualReader, SdkMeterProvider};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use tasker_metrics::labels::ClaimMethod;
use tasker_metrics::{Metrics, orchestration as o, worker as w};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

use crate::golden::otel;
/// Allocations per call of `f`, over many calls after a warm-up (the first recording of a series
/// allocates its aggregation state).
fn per_call(mut f: impl FnMut()) -> f64 {
    for _ in 0..100 {
        f();
    }
    let calls = 10_000;
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..calls {
        f();
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / calls as f64
}

#[test]
fn allocations_per_recording() {
    if !crate::in_own_process("allocations::allocations_per_recording") {
        return;
    }
    let provider = SdkMeterProvider::builder().with_reader(ManualReader::builder().build()).build();
    let meter = provider.meter(Metrics::METER_NAME);
    let metrics = Metrics::new(&meter);
    let claimed =
        metrics.worker.steps_claimed_total.bind(w::StepsClaimedTotalBindLabels { namespace: "rust_e2e_linear".into() });
    let hand_requests = meter.u64_counter("hand.tasks.requests.total").build();
    let id = String::from("0199c3e0-ccdb-7581-87ab-3f67daeaa4a5");

    let bound = per_call(|| claimed.add(1, ClaimMethod::Event));
    let hand_static = per_call(|| {
        hand_requests.add(
            1,
            &[
                KeyValue::new("correlation_id", "0199c3e0-ccdb-7581-87ab-3f67daeaa4a5"),
                KeyValue::new("task_type", "mathematical_sequence"),
                KeyValue::new("namespace", "ns"),
            ],
        )
    });
    let generated_static = per_call(|| {
        metrics.orchestration.tasks_requests_total.add(
            1,
            o::TasksRequestsTotalLabels {
                correlation_id: "0199c3e0-ccdb-7581-87ab-3f67daeaa4a5".into(),
                task_type: "mathematical_sequence".into(),
                namespace: "ns".into(),
            },
        )
    });
    let generated_free = per_call(|| {
        metrics.orchestration.tasks_requests_total.add(
            1,
            o::TasksRequestsTotalLabels {
                correlation_id: id.to_string().into(),
                task_type: "mathematical_sequence".to_string().into(),
                namespace: "ns".to_string().into(),
            },
        )
    });
    let hand_free = per_call(|| {
        hand_requests.add(
            1,
            &[
                KeyValue::new("correlation_id", id.to_string()),
                KeyValue::new("task_type", "mathematical_sequence".to_string()),
                KeyValue::new("namespace", "ns".to_string()),
            ],
        )
    });
    // An id made once and shared (an `Arc<str>`): each recording takes a reference, not a copy.
    let shared: opentelemetry::StringValue = std::sync::Arc::<str>::from(id.as_str()).into();
    let generated_shared = per_call(|| {
        metrics.orchestration.tasks_requests_total.add(
            1,
            o::TasksRequestsTotalLabels {
                correlation_id: shared.clone(),
                task_type: "mathematical_sequence".into(),
                namespace: "ns".into(),
            },
        )
    });
    let disabled = Metrics::disabled();
    let off = per_call(|| {
        disabled.orchestration.tasks_requests_total.add(
            1,
            o::TasksRequestsTotalLabels {
                correlation_id: shared.clone(),
                task_type: "mathematical_sequence".into(),
                namespace: "ns".into(),
            },
        );
        disabled
            .worker
            .steps_claimed_total
            .add(1, w::StepsClaimedTotalLabels { namespace: "ns".into(), claim_method: ClaimMethod::Poll });
    });
    eprintln!(
        "allocations per call: bind {bound}; static values: generated {generated_static}, hand-written \
         {hand_static}; values made per call: generated {generated_free}, hand-written {hand_free}; a shared id: \
         generated {generated_shared}; disabled {off}"
    );
    assert_eq!(bound, 0.0, "bind() must not allocate per call");
    assert_eq!(off, 0.0, "disabled recorders must not allocate");
    assert_eq!(generated_static, 0.0, "static label values must not be copied");
    assert!(generated_static <= hand_static, "generated {generated_static} > hand-written {hand_static}");
    assert!(generated_free <= hand_free, "generated free-form {generated_free} > hand-written {hand_free}");
    assert_eq!(generated_shared, 0.0, "a shared id must not be copied");
    optional_attributes_allocate_nothing_of_their_own();
}

/// Optional attributes: the generated label set keeps the present ones on the stack, so with only
/// closed and integer attributes present it allocates nothing, where the hand-written call that
/// builds them conditionally allocates its `Vec`.
/// Run from `allocations_per_recording`: the counter is global, so the cases run one at a time.
fn optional_attributes_allocate_nothing_of_their_own() {
    let provider = SdkMeterProvider::builder().with_reader(ManualReader::builder().build()).build();
    let meter = provider.meter("otel");
    let metrics = otel::Metrics::new(&meter);
    let hand = meter.f64_histogram("hand.http.server.request.duration").build();
    let generated = per_call(|| {
        metrics.http_server_request_duration.record(
            0.01,
            otel::HttpServerRequestDurationLabels {
                http_request_method: otel::labels::HttpRequestMethod::Get,
                http_response_status_code: Some(200),
                network_protocol_version: None,
                // A known value of an open label: its `'static` text, no allocation either.
                error_type: Some(otel::labels::ErrorType::Timeout.into()),
                http_route: None,
            },
        )
    });
    let hand_written = per_call(|| {
        let mut attributes = Vec::with_capacity(5);
        attributes.push(KeyValue::new("http.request.method", "GET"));
        attributes.push(KeyValue::new("http.response.status_code", 200i64));
        attributes.push(KeyValue::new("error.type", "timeout"));
        hand.record(0.01, &attributes)
    });
    eprintln!("allocations per call with optional attributes: generated {generated}, hand-written {hand_written}");
    assert_eq!(generated, 0.0);
    assert!(hand_written >= 1.0, "the hand-written Vec allocates: {hand_written}");
}
