//! An unreachable OTLP collector must cost the instrumented program nothing but one log line: the
//! first failed export is logged at once, later ones at most once a minute with their count;
//! recording does not block and memory does not grow. (In a process of its own: it installs a
//! global tracing subscriber to see the exporter thread's logs, and measures the process's memory.)

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tasker_metrics::config::Exporter;
use tasker_metrics::labels::ClaimMethod;
use tasker_metrics::{Telemetry, TelemetryConfig, worker as w};

/// Counts the warnings and errors logged: about exports by the runtime, and by the OpenTelemetry
/// crates. (Shutdown, whose last flush fails too, logs a line of its own.)
#[derive(Clone, Default)]
struct ExportErrors {
    runtime: Arc<AtomicUsize>,
    opentelemetry: Arc<AtomicUsize>,
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for ExportErrors {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let meta = event.metadata();
        if *meta.level() > tracing::Level::WARN {
            return;
        }
        if meta.target() == "catalog_runtime::export" {
            self.runtime.fetch_add(1, Ordering::Relaxed);
        } else if meta.target().starts_with("opentelemetry") {
            self.opentelemetry.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The resident set size of this process, from /proc (Linux).
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[test]
fn an_unreachable_collector_neither_blocks_nor_floods_the_log_nor_grows_memory() {
    if !crate::in_own_process(
        "otlp_unreachable::an_unreachable_collector_neither_blocks_nor_floods_the_log_nor_grows_memory",
    ) {
        return;
    }
    use tracing_subscriber::layer::SubscriberExt as _;
    let errors = ExportErrors::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(errors.clone())).unwrap();

    // Port 9 on loopback: nothing listens, connections are refused.
    let interval = Duration::from_millis(200);
    let mut config = TelemetryConfig::default();
    config.exporters = vec![Exporter::Otlp];
    config.otlp_endpoint = "http://127.0.0.1:9".into();
    config.export_interval = interval;
    let telemetry = Telemetry::init(&config).unwrap();
    let m = telemetry.metrics();
    let labels = |i: usize| w::StepClaimDurationLabels {
        namespace: (["a", "b", "c", "d"][i % 4]).into(),
        claim_method: if i.is_multiple_of(2) { ClaimMethod::Event } else { ClaimMethod::Poll },
    };

    // Recording runs on this thread while exports fail on the reader's thread; it must finish.
    let warm_up = 200_000;
    for i in 0..warm_up {
        m.worker.step_claim_duration.record(i as f64 % 500.0, labels(i));
    }
    let before = rss_bytes();
    let started = Instant::now();
    let calls = 2_000_000;
    for i in 0..calls {
        m.worker.step_claim_duration.record(i as f64 % 500.0, labels(i));
        m.worker
            .steps_claimed_total
            .add(1, w::StepsClaimedTotalLabels { namespace: "a".into(), claim_method: ClaimMethod::Event });
    }
    let elapsed = started.elapsed();
    let after = rss_bytes();
    // Let a few more exports fail, then shut down: that must return too.
    std::thread::sleep(interval * 3);
    telemetry.shutdown();

    let logged = errors.runtime.load(Ordering::Relaxed);
    let theirs = errors.opentelemetry.load(Ordering::Relaxed);
    let exports = (started.elapsed().as_secs_f64() / interval.as_secs_f64()).ceil() as usize + 2;
    let minutes = started.elapsed().as_secs() / catalog_runtime::export::FAILURE_LOG_INTERVAL.as_secs();
    eprintln!(
        "{} recordings in {elapsed:?} with the collector unreachable; {logged} lines logged by the runtime and \
         {theirs} by the OpenTelemetry crates for about {exports} failed exports; RSS {before:?} -> {after:?} bytes",
        calls * 2
    );
    // One line for the first failure, then at most one a minute: never one per export attempt,
    // and none from the exporter's retry loop or the SDK's reader.
    assert!(logged >= 1, "the failed exports were not logged at all");
    assert!(logged as u64 <= 1 + minutes, "{logged} lines for {exports} failed exports in {:?}", started.elapsed());
    assert_eq!(theirs, 0, "the OpenTelemetry crates logged too");
    // A liveness bound, not a speed claim (speed is in the benchmarks): 4 million recordings
    // that waited on the network even once per export would still pass, but ones that waited per
    // call would not.
    assert!(elapsed < Duration::from_secs(120), "recording stalled: {elapsed:?}");
    // Failed exports are not buffered: the series set is fixed, so memory stays flat.
    if let (Some(before), Some(after)) = (before, after) {
        assert!(after.saturating_sub(before) < 32 << 20, "RSS grew by {} bytes", after - before);
    }
}
