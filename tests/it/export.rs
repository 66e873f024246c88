//! Records through every generated recorder with an OpenTelemetry SDK meter provider and checks
//! that what the SDK exports is exactly the catalog's metric: name, unit, description, instrument
//! kind, number type, attribute keys and values, recorded values and histogram buckets.
//!
//! The expected side comes from two places that are kept apart on purpose:
//! * the generated consts (`NAME`, `UNIT`, `DESCRIPTION`) of every recorder, and
//! * [`catalog()`], metrics.yaml itself read through docs-gen's validated model (name, instrument,
//!   number type, unit, attribute keys, buckets).
//!
//! If the generator drifts from the catalog, or the recorders drift from what they export, one of
//! the two comparisons fails and names the metric.

use std::collections::{BTreeMap, BTreeSet};

use opentelemetry::Value;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, Metric, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use tasker_metrics::labels::{
    ClaimMethod, ErrorType, FinalState, HandlerType, Outcome, QueryKind, QueueOperation, Result as ExecutionResult,
    StepResultType, SubmissionResultType,
};
use tasker_metrics::values::CircuitBreakerState;
use tasker_metrics::{Metrics, database, messaging, orchestration, resilience, worker};

// ---------------------------------------------------------------------------------------------
// The catalog, written by hand from metrics.yaml
// ---------------------------------------------------------------------------------------------

use catalog_model::model::{Instrument, NumberType};

struct CatalogEntry {
    name: String,
    instrument: Instrument,
    number_type: NumberType,
    unit: String,
    /// Attribute keys: the label's `key:` if it has one, else its id.
    attribute_keys: Vec<String>,
    /// `buckets:`; empty for instruments other than histograms.
    buckets: Vec<f64>,
}

/// The catalog itself, read through docs-gen's model: what build.rs generated from.
fn catalog() -> Vec<CatalogEntry> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics.yaml");
    let c = catalog_model::load(&path, "metrics.yaml").unwrap_or_else(|e| panic!("{e}"));
    c.metrics
        .iter()
        .map(|m| CatalogEntry {
            name: m.name.clone(),
            instrument: m.instrument,
            number_type: m.number,
            unit: m.unit.clone(),
            attribute_keys: m.labels.iter().map(|&l| c.label(l).key.clone()).collect(),
            buckets: m.buckets.clone().unwrap_or_default(),
        })
        .collect()
}

fn catalog_entry(name: &str) -> CatalogEntry {
    catalog().into_iter().find(|e| e.name == name).unwrap_or_else(|| panic!("{name}: not in metrics.yaml"))
}

// ---------------------------------------------------------------------------------------------
// The generated consts of every recorder
// ---------------------------------------------------------------------------------------------

/// `NAME`, `UNIT` and `DESCRIPTION` of a generated recorder.
#[derive(Clone, Copy, Debug)]
struct Consts {
    name: &'static str,
    unit: &'static str,
    description: &'static str,
}

macro_rules! consts {
    ($($recorder:ty),* $(,)?) => {
        [$(Consts { name: <$recorder>::NAME, unit: <$recorder>::UNIT, description: <$recorder>::DESCRIPTION }),*]
    };
}

/// One entry per generated recorder (the array length makes a missing or extra recorder a compile
/// error here).
const GENERATED: [Consts; 44] = consts![
    orchestration::TasksRequestsTotal,
    orchestration::TasksCompletionsTotal,
    orchestration::TasksFailuresTotal,
    orchestration::StepsEnqueuedTotal,
    orchestration::StepResultsProcessedTotal,
    orchestration::TaskInitializationDuration,
    orchestration::TaskFinalizationDuration,
    orchestration::StepResultProcessingDuration,
    orchestration::TasksActive,
    orchestration::StepsReady,
    worker::StepsExecutionsTotal,
    worker::StepsSuccessesTotal,
    worker::StepsFailuresTotal,
    worker::StepsClaimedTotal,
    worker::StepsResultsSubmittedTotal,
    worker::StepExecutionDuration,
    worker::StepClaimDuration,
    worker::StepResultSubmissionDuration,
    worker::StepsActiveExecutions,
    resilience::ApiCircuitBreakerState,
    resilience::TaskerCircuitBreakerState,
    resilience::ApiRequestsRejectedTotal,
    resilience::FfiCompletionSlowSendsTotal,
    resilience::FfiCompletionCircuitOpenRejectionsTotal,
    resilience::MpscChannelUsagePercent,
    resilience::MpscChannelCapacity,
    resilience::MpscChannelFullEventsTotal,
    database::SqlQueriesTotal,
    database::SqlQueryDuration,
    database::DbPoolConnectionsActive,
    database::DbPoolConnectionsIdle,
    database::DbPoolWaitDuration,
    database::DbTransactionsTotal,
    database::DbTransactionDuration,
    messaging::QueueMessagesSentTotal,
    messaging::QueueMessagesReceivedTotal,
    messaging::QueueMessagesDeletedTotal,
    messaging::QueueMessageSendDuration,
    messaging::QueueMessageReceiveDuration,
    messaging::QueueDepth,
    messaging::QueueAgeSeconds,
    messaging::QueueVisibilityTimeoutsTotal,
    messaging::QueueErrorsTotal,
    messaging::QueueRetryAttemptsTotal,
];

fn generated(name: &str) -> Consts {
    *GENERATED.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name}: no generated recorder has this NAME"))
}

// ---------------------------------------------------------------------------------------------
// Recording, the way a user of the crate would
// ---------------------------------------------------------------------------------------------

const CORRELATION_ID: &str = "0199c3e0-ccdb-7581-87ab-3f67daeaa4a5";
const FAILED_CORRELATION_ID: &str = "0199c3e1-4b2a-7c10-9d3e-8a5f6b7c8d9e";
const NAMESPACE: &str = "rust_e2e_linear";
const TASK_TYPE: &str = "mathematical_sequence";
const STEPS: [&str; 4] = ["linear_step_1", "linear_step_2", "linear_step_3", "linear_step_4"];
const QUEUE: &str = "worker_rust_e2e_linear_queue";
const POOL: &str = "tasker_pool";

/// An exported data point value: counters and gauges their number, histograms count and sum.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Val {
    U64(u64),
    I64(i64),
    F64(f64),
    Hist { count: u64, sum: f64 },
}

/// Attribute key → value, as strings.
type Attrs = BTreeMap<String, String>;

fn attrs(pairs: &[(&str, &str)]) -> Attrs {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// The data points each metric should export, by metric name.
#[derive(Default)]
struct Expected(BTreeMap<&'static str, Vec<(Attrs, Val)>>);

impl Expected {
    fn point(&mut self, name: &'static str, pairs: &[(&str, &str)], val: Val) {
        let points = self.0.entry(name).or_default();
        let attrs = attrs(pairs);
        assert!(points.iter().all(|(a, _)| *a != attrs), "{name}: test expects the attribute set {attrs:?} twice");
        points.push((attrs, val));
    }
}

/// Records through all 44 recorders and returns what the export must contain.
fn record_all(metrics: &Metrics) -> Expected {
    let mut e = Expected::default();

    // ------------------------------------------------------------------ orchestration
    let o = &metrics.orchestration;

    o.tasks_requests_total.add(
        1,
        orchestration::TasksRequestsTotalLabels {
            correlation_id: CORRELATION_ID.into(),
            task_type: TASK_TYPE.into(),
            namespace: NAMESPACE.into(),
        },
    );
    e.point(
        orchestration::TasksRequestsTotal::NAME,
        &[("correlation_id", CORRELATION_ID), ("task_type", TASK_TYPE), ("namespace", NAMESPACE)],
        Val::U64(1),
    );

    o.tasks_completions_total
        .add(1, orchestration::TasksCompletionsTotalLabels { correlation_id: CORRELATION_ID.into() });
    e.point(orchestration::TasksCompletionsTotal::NAME, &[("correlation_id", CORRELATION_ID)], Val::U64(1));

    o.tasks_failures_total
        .add(1, orchestration::TasksFailuresTotalLabels { correlation_id: FAILED_CORRELATION_ID.into() });
    e.point(orchestration::TasksFailuresTotal::NAME, &[("correlation_id", FAILED_CORRELATION_ID)], Val::U64(1));

    for step_name in STEPS {
        o.steps_enqueued_total.add(
            1,
            orchestration::StepsEnqueuedTotalLabels {
                correlation_id: CORRELATION_ID.into(),
                namespace: NAMESPACE.into(),
                step_name: step_name.into(),
            },
        );
        e.point(
            orchestration::StepsEnqueuedTotal::NAME,
            &[("correlation_id", CORRELATION_ID), ("namespace", NAMESPACE), ("step_name", step_name)],
            Val::U64(1),
        );
    }

    for _ in STEPS {
        o.step_results_processed_total.add(
            1,
            orchestration::StepResultsProcessedTotalLabels {
                correlation_id: CORRELATION_ID.into(),
                result_type: StepResultType::Success,
            },
        );
    }
    o.step_results_processed_total.add(
        1,
        orchestration::StepResultsProcessedTotalLabels {
            correlation_id: FAILED_CORRELATION_ID.into(),
            result_type: StepResultType::Timeout,
        },
    );
    e.point(
        orchestration::StepResultsProcessedTotal::NAME,
        &[("correlation_id", CORRELATION_ID), ("result_type", "success")],
        Val::U64(4),
    );
    e.point(
        orchestration::StepResultsProcessedTotal::NAME,
        &[("correlation_id", FAILED_CORRELATION_ID), ("result_type", "timeout")],
        Val::U64(1),
    );

    let init = orchestration::TaskInitializationDurationLabels {
        correlation_id: CORRELATION_ID.into(),
        task_type: TASK_TYPE.into(),
    };
    o.task_initialization_duration.record(12.5, init.clone());
    o.task_initialization_duration.record(37.25, init);
    e.point(
        orchestration::TaskInitializationDuration::NAME,
        &[("correlation_id", CORRELATION_ID), ("task_type", TASK_TYPE)],
        Val::Hist { count: 2, sum: 49.75 },
    );

    o.task_finalization_duration.record(
        8.75,
        orchestration::TaskFinalizationDurationLabels {
            correlation_id: CORRELATION_ID.into(),
            final_state: FinalState::Complete,
        },
    );
    o.task_finalization_duration.record(
        3.5,
        orchestration::TaskFinalizationDurationLabels {
            correlation_id: FAILED_CORRELATION_ID.into(),
            final_state: FinalState::Error,
        },
    );
    e.point(
        orchestration::TaskFinalizationDuration::NAME,
        &[("correlation_id", CORRELATION_ID), ("final_state", "complete")],
        Val::Hist { count: 1, sum: 8.75 },
    );
    e.point(
        orchestration::TaskFinalizationDuration::NAME,
        &[("correlation_id", FAILED_CORRELATION_ID), ("final_state", "error")],
        Val::Hist { count: 1, sum: 3.5 },
    );

    for duration in [2.5, 3.0, 4.25, 1.75] {
        o.step_result_processing_duration.record(
            duration,
            orchestration::StepResultProcessingDurationLabels {
                correlation_id: CORRELATION_ID.into(),
                result_type: StepResultType::Success,
            },
        );
    }
    e.point(
        orchestration::StepResultProcessingDuration::NAME,
        &[("correlation_id", CORRELATION_ID), ("result_type", "success")],
        Val::Hist { count: 4, sum: 11.5 },
    );

    o.tasks_active.record(3, orchestration::TasksActiveLabels { state: "steps_in_process".into() });
    o.tasks_active.record(2, orchestration::TasksActiveLabels { state: "steps_in_process".into() });
    e.point(orchestration::TasksActive::NAME, &[("state", "steps_in_process")], Val::U64(2));

    o.steps_ready.record(4, orchestration::StepsReadyLabels { namespace: NAMESPACE.into() });
    o.steps_ready.record(1, orchestration::StepsReadyLabels { namespace: NAMESPACE.into() });
    e.point(orchestration::StepsReady::NAME, &[("namespace", NAMESPACE)], Val::U64(1));

    // ------------------------------------------------------------------ worker
    let w = &metrics.worker;

    for _ in STEPS {
        w.steps_executions_total.add(1, worker::StepsExecutionsTotalLabels { correlation_id: CORRELATION_ID.into() });
        w.steps_successes_total.add(
            1,
            worker::StepsSuccessesTotalLabels { correlation_id: CORRELATION_ID.into(), namespace: NAMESPACE.into() },
        );
        w.steps_results_submitted_total.add(
            1,
            worker::StepsResultsSubmittedTotalLabels {
                correlation_id: CORRELATION_ID.into(),
                result_type: SubmissionResultType::Completion,
            },
        );
    }
    e.point(worker::StepsExecutionsTotal::NAME, &[("correlation_id", CORRELATION_ID)], Val::U64(4));
    e.point(
        worker::StepsSuccessesTotal::NAME,
        &[("correlation_id", CORRELATION_ID), ("namespace", NAMESPACE)],
        Val::U64(4),
    );
    e.point(
        worker::StepsResultsSubmittedTotal::NAME,
        &[("correlation_id", CORRELATION_ID), ("result_type", "completion")],
        Val::U64(4),
    );

    // An early failure, before the step's namespace is known, and a later one.
    w.steps_failures_total.add(
        1,
        worker::StepsFailuresTotalLabels {
            correlation_id: FAILED_CORRELATION_ID.into(),
            namespace: "unknown".into(),
            error_type: ErrorType::ClaimFailed,
        },
    );
    w.steps_failures_total.add(
        2,
        worker::StepsFailuresTotalLabels {
            correlation_id: FAILED_CORRELATION_ID.into(),
            namespace: NAMESPACE.into(),
            error_type: ErrorType::DatabaseError,
        },
    );
    e.point(
        worker::StepsFailuresTotal::NAME,
        &[("correlation_id", FAILED_CORRELATION_ID), ("namespace", "unknown"), ("error_type", "claim_failed")],
        Val::U64(1),
    );
    e.point(
        worker::StepsFailuresTotal::NAME,
        &[("correlation_id", FAILED_CORRELATION_ID), ("namespace", NAMESPACE), ("error_type", "database_error")],
        Val::U64(2),
    );

    // Every claim method: one data point per variant.
    for &claim_method in ClaimMethod::ALL {
        let (claims, claim_ms) = claims_by(claim_method);
        for _ in 0..claims {
            w.steps_claimed_total.add(1, worker::StepsClaimedTotalLabels { namespace: NAMESPACE.into(), claim_method });
        }
        w.step_claim_duration
            .record(claim_ms, worker::StepClaimDurationLabels { namespace: NAMESPACE.into(), claim_method });
        e.point(
            worker::StepsClaimedTotal::NAME,
            &[("namespace", NAMESPACE), ("claim_method", claim_method.as_str())],
            Val::U64(claims),
        );
        e.point(
            worker::StepClaimDuration::NAME,
            &[("namespace", NAMESPACE), ("claim_method", claim_method.as_str())],
            Val::Hist { count: 1, sum: claim_ms },
        );
    }

    for duration in STEP_EXECUTION_MS {
        w.step_execution_duration.record(
            duration,
            worker::StepExecutionDurationLabels {
                correlation_id: CORRELATION_ID.into(),
                namespace: NAMESPACE.into(),
                result: ExecutionResult::Success,
            },
        );
    }
    e.point(
        worker::StepExecutionDuration::NAME,
        &[("correlation_id", CORRELATION_ID), ("namespace", NAMESPACE), ("result", "success")],
        Val::Hist { count: 4, sum: 76.75 },
    );

    let submission = worker::StepResultSubmissionDurationLabels {
        correlation_id: CORRELATION_ID.into(),
        result_type: SubmissionResultType::Completion,
    };
    w.step_result_submission_duration.record(1.25, submission.clone());
    w.step_result_submission_duration.record(2.0, submission);
    e.point(
        worker::StepResultSubmissionDuration::NAME,
        &[("correlation_id", CORRELATION_ID), ("result_type", "completion")],
        Val::Hist { count: 2, sum: 3.25 },
    );

    let rust = worker::StepsActiveExecutionsLabels { namespace: NAMESPACE.into(), handler_type: HandlerType::Rust };
    w.steps_active_executions.record(2, rust.clone());
    w.steps_active_executions.record(0, rust);
    w.steps_active_executions.record(
        1,
        worker::StepsActiveExecutionsLabels { namespace: NAMESPACE.into(), handler_type: HandlerType::Ruby },
    );
    e.point(worker::StepsActiveExecutions::NAME, &[("namespace", NAMESPACE), ("handler_type", "rust")], Val::U64(0));
    e.point(worker::StepsActiveExecutions::NAME, &[("namespace", NAMESPACE), ("handler_type", "ruby")], Val::U64(1));

    // ------------------------------------------------------------------ resilience
    let r = &metrics.resilience;

    r.api_circuit_breaker_state.record(CircuitBreakerState::Closed);
    r.api_circuit_breaker_state.record(CircuitBreakerState::Open);
    e.point(resilience::ApiCircuitBreakerState::NAME, &[], Val::I64(2));

    let breaker = |component| resilience::TaskerCircuitBreakerStateLabels { component };
    r.tasker_circuit_breaker_state.record(CircuitBreakerState::Open, breaker("ffi_completion".into()));
    r.tasker_circuit_breaker_state.record(CircuitBreakerState::HalfOpen, breaker("ffi_completion".into()));
    r.tasker_circuit_breaker_state.record(CircuitBreakerState::Closed, breaker("task_readiness".into()));
    r.tasker_circuit_breaker_state.record(CircuitBreakerState::Open, breaker("pgmq".into()));
    e.point(resilience::TaskerCircuitBreakerState::NAME, &[("component", "ffi_completion")], Val::I64(1));
    e.point(resilience::TaskerCircuitBreakerState::NAME, &[("component", "task_readiness")], Val::I64(0));
    e.point(resilience::TaskerCircuitBreakerState::NAME, &[("component", "pgmq")], Val::I64(2));

    r.api_requests_rejected_total.add(1, resilience::ApiRequestsRejectedTotalLabels { endpoint: "/v1/tasks".into() });
    r.api_requests_rejected_total.add(1, resilience::ApiRequestsRejectedTotalLabels { endpoint: "/v1/tasks".into() });
    e.point(resilience::ApiRequestsRejectedTotal::NAME, &[("endpoint", "/v1/tasks")], Val::U64(2));

    r.ffi_completion_slow_sends_total.add(3);
    e.point(resilience::FfiCompletionSlowSendsTotal::NAME, &[], Val::U64(3));

    r.ffi_completion_circuit_open_rejections_total.add(1);
    e.point(resilience::FfiCompletionCircuitOpenRejectionsTotal::NAME, &[], Val::U64(1));

    let notifications =
        resilience::MpscChannelUsagePercentLabels { channel: "pgmq_notifications".into(), component: "pgmq".into() };
    r.mpsc_channel_usage_percent.record(12.5, notifications.clone());
    r.mpsc_channel_usage_percent.record(37.5, notifications);
    e.point(
        resilience::MpscChannelUsagePercent::NAME,
        &[("channel", "pgmq_notifications"), ("component", "pgmq")],
        Val::F64(37.5),
    );

    r.mpsc_channel_capacity.record(
        1000,
        resilience::MpscChannelCapacityLabels { channel: "pgmq_notifications".into(), component: "pgmq".into() },
    );
    e.point(
        resilience::MpscChannelCapacity::NAME,
        &[("channel", "pgmq_notifications"), ("component", "pgmq")],
        Val::U64(1000),
    );

    r.mpsc_channel_full_events_total.add(
        1,
        resilience::MpscChannelFullEventsTotalLabels {
            channel: "orchestration_command".into(),
            component: "task_readiness".into(),
        },
    );
    e.point(
        resilience::MpscChannelFullEventsTotal::NAME,
        &[("channel", "orchestration_command"), ("component", "task_readiness")],
        Val::U64(1),
    );

    // ------------------------------------------------------------------ database
    let d = &metrics.database;

    d.sql_queries_total.add(5, database::SqlQueriesTotalLabels { query_kind: QueryKind::Select });
    d.sql_queries_total.add(2, database::SqlQueriesTotalLabels { query_kind: QueryKind::Insert });
    e.point(database::SqlQueriesTotal::NAME, &[("query_kind", "select")], Val::U64(5));
    e.point(database::SqlQueriesTotal::NAME, &[("query_kind", "insert")], Val::U64(2));

    d.sql_query_duration.record(1.5, database::SqlQueryDurationLabels { query_kind: QueryKind::Select });
    d.sql_query_duration.record(2.5, database::SqlQueryDurationLabels { query_kind: QueryKind::Select });
    e.point(database::SqlQueryDuration::NAME, &[("query_kind", "select")], Val::Hist { count: 2, sum: 4.0 });

    d.db_pool_connections_active.record(7, database::DbPoolConnectionsActiveLabels { pool: POOL.into() });
    e.point(database::DbPoolConnectionsActive::NAME, &[("pool", POOL)], Val::U64(7));

    d.db_pool_connections_idle.record(3, database::DbPoolConnectionsIdleLabels { pool: POOL.into() });
    e.point(database::DbPoolConnectionsIdle::NAME, &[("pool", POOL)], Val::U64(3));

    d.db_pool_wait_duration.record(0.25, database::DbPoolWaitDurationLabels { pool: POOL.into() });
    e.point(database::DbPoolWaitDuration::NAME, &[("pool", POOL)], Val::Hist { count: 1, sum: 0.25 });

    d.db_transactions_total.add(4, database::DbTransactionsTotalLabels { outcome: Outcome::Commit });
    d.db_transactions_total.add(1, database::DbTransactionsTotalLabels { outcome: Outcome::Rollback });
    e.point(database::DbTransactionsTotal::NAME, &[("outcome", "commit")], Val::U64(4));
    e.point(database::DbTransactionsTotal::NAME, &[("outcome", "rollback")], Val::U64(1));

    d.db_transaction_duration.record(5.5, database::DbTransactionDurationLabels { outcome: Outcome::Commit });
    e.point(database::DbTransactionDuration::NAME, &[("outcome", "commit")], Val::Hist { count: 1, sum: 5.5 });

    // ------------------------------------------------------------------ messaging
    let m = &metrics.messaging;

    m.queue_messages_sent_total.add(4, messaging::QueueMessagesSentTotalLabels { queue: QUEUE.into() });
    e.point(messaging::QueueMessagesSentTotal::NAME, &[("queue", QUEUE)], Val::U64(4));

    m.queue_messages_received_total.add(4, messaging::QueueMessagesReceivedTotalLabels { queue: QUEUE.into() });
    e.point(messaging::QueueMessagesReceivedTotal::NAME, &[("queue", QUEUE)], Val::U64(4));

    m.queue_messages_deleted_total.add(3, messaging::QueueMessagesDeletedTotalLabels { queue: QUEUE.into() });
    e.point(messaging::QueueMessagesDeletedTotal::NAME, &[("queue", QUEUE)], Val::U64(3));

    m.queue_message_send_duration.record(0.75, messaging::QueueMessageSendDurationLabels { queue: QUEUE.into() });
    m.queue_message_send_duration.record(1.25, messaging::QueueMessageSendDurationLabels { queue: QUEUE.into() });
    e.point(messaging::QueueMessageSendDuration::NAME, &[("queue", QUEUE)], Val::Hist { count: 2, sum: 2.0 });

    m.queue_message_receive_duration.record(3.5, messaging::QueueMessageReceiveDurationLabels { queue: QUEUE.into() });
    e.point(messaging::QueueMessageReceiveDuration::NAME, &[("queue", QUEUE)], Val::Hist { count: 1, sum: 3.5 });

    m.queue_depth.record(4, messaging::QueueDepthLabels { namespace: NAMESPACE.into() });
    m.queue_depth.record(0, messaging::QueueDepthLabels { namespace: NAMESPACE.into() });
    e.point(messaging::QueueDepth::NAME, &[("namespace", NAMESPACE)], Val::U64(0));

    m.queue_age_seconds.record(1.5, messaging::QueueAgeSecondsLabels { queue: QUEUE.into() });
    e.point(messaging::QueueAgeSeconds::NAME, &[("queue", QUEUE)], Val::F64(1.5));

    m.queue_visibility_timeouts_total.add(1, messaging::QueueVisibilityTimeoutsTotalLabels { queue: QUEUE.into() });
    e.point(messaging::QueueVisibilityTimeoutsTotal::NAME, &[("queue", QUEUE)], Val::U64(1));

    m.queue_errors_total
        .add(1, messaging::QueueErrorsTotalLabels { queue: QUEUE.into(), operation: QueueOperation::Delete });
    e.point(messaging::QueueErrorsTotal::NAME, &[("queue", QUEUE), ("operation", "delete")], Val::U64(1));

    m.queue_retry_attempts_total.add(2, messaging::QueueRetryAttemptsTotalLabels { queue: QUEUE.into() });
    e.point(messaging::QueueRetryAttemptsTotal::NAME, &[("queue", QUEUE)], Val::U64(2));

    e
}

/// How many steps each claim method claims, and how long its claim took (ms). Exhaustive, so a
/// new claim method has to be added here.
fn claims_by(claim_method: ClaimMethod) -> (u64, f64) {
    match claim_method {
        ClaimMethod::Event => (3, 0.5),
        ClaimMethod::Poll => (1, 6.0),
    }
}

/// Recorded into `tasker.step.execution.duration`; bucket counts are checked against these.
const STEP_EXECUTION_MS: [f64; 4] = [15.5, 22.0, 9.25, 30.0];

// ---------------------------------------------------------------------------------------------
// Export and reading the exported data
// ---------------------------------------------------------------------------------------------

struct Export {
    metrics: ResourceMetrics,
    expected: Expected,
}

/// Records through every recorder, flushes, and returns the last export.
fn export() -> Export {
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder().with_reader(PeriodicReader::builder(exporter.clone()).build()).build();
    let metrics = Metrics::new(&provider.meter("tasker"));

    let expected = record_all(&metrics);

    provider.force_flush().expect("force_flush");
    let mut finished = exporter.get_finished_metrics().expect("get_finished_metrics");
    provider.shutdown().expect("shutdown");
    let metrics = finished.pop().expect("the exporter received no export");
    Export { metrics, expected }
}

/// Every exported metric, over all scopes.
fn all_metrics(rm: &ResourceMetrics) -> Vec<&Metric> {
    rm.scope_metrics().flat_map(|sm| sm.metrics()).collect()
}

/// The exported metric called `name`; panics (naming it) if it is missing or exported twice.
fn find_metric<'a>(rm: &'a ResourceMetrics, name: &str) -> &'a Metric {
    let found: Vec<&Metric> = all_metrics(rm).into_iter().filter(|m| m.name() == name).collect();
    match found.as_slice() {
        [metric] => metric,
        [] => panic!("{name}: not exported"),
        _ => panic!("{name}: exported {} times", found.len()),
    }
}

/// The exported shape of a metric's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    MonotonicSum,
    NonMonotonicSum,
    Histogram,
    ExponentialHistogram,
    Gauge,
}

/// The data an instrument of this kind exports as.
fn exported_kind(instrument: Instrument) -> Kind {
    match instrument {
        Instrument::Counter => Kind::MonotonicSum,
        Instrument::UpDownCounter => Kind::NonMonotonicSum,
        Instrument::Histogram => Kind::Histogram,
        Instrument::Gauge => Kind::Gauge,
    }
}

/// One exported data point.
#[derive(Debug)]
struct Point {
    /// Attribute key → value; values that are not strings are shown as `<non-string: ..>`.
    attrs: Attrs,
    val: Val,
    /// Histogram bucket boundaries (empty for other kinds).
    bounds: Vec<f64>,
    /// Histogram bucket counts (empty for other kinds).
    bucket_counts: Vec<u64>,
}

trait Number: Copy {
    fn val(self) -> Val;
    fn as_f64(self) -> f64;
}

impl Number for u64 {
    fn val(self) -> Val {
        Val::U64(self)
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Number for i64 {
    fn val(self) -> Val {
        Val::I64(self)
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Number for f64 {
    fn val(self) -> Val {
        Val::F64(self)
    }
    fn as_f64(self) -> f64 {
        self
    }
}

fn attrs_of<'a>(kvs: impl Iterator<Item = &'a opentelemetry::KeyValue>) -> Attrs {
    kvs.map(|kv| {
        let value = match &kv.value {
            Value::String(s) => s.as_str().to_owned(),
            other => format!("<non-string: {other:?}>"),
        };
        (kv.key.as_str().to_owned(), value)
    })
    .collect()
}

fn points_of<T: Number>(data: &MetricData<T>) -> (Kind, Vec<Point>) {
    match data {
        MetricData::Sum(sum) => {
            let kind = if sum.is_monotonic() { Kind::MonotonicSum } else { Kind::NonMonotonicSum };
            let points = sum
                .data_points()
                .map(|p| Point {
                    attrs: attrs_of(p.attributes()),
                    val: p.value().val(),
                    bounds: vec![],
                    bucket_counts: vec![],
                })
                .collect();
            (kind, points)
        }
        MetricData::Gauge(gauge) => {
            let points = gauge
                .data_points()
                .map(|p| Point {
                    attrs: attrs_of(p.attributes()),
                    val: p.value().val(),
                    bounds: vec![],
                    bucket_counts: vec![],
                })
                .collect();
            (Kind::Gauge, points)
        }
        MetricData::Histogram(histogram) => {
            let points = histogram
                .data_points()
                .map(|p| Point {
                    attrs: attrs_of(p.attributes()),
                    val: Val::Hist { count: p.count(), sum: p.sum().as_f64() },
                    bounds: p.bounds().collect(),
                    bucket_counts: p.bucket_counts().collect(),
                })
                .collect();
            (Kind::Histogram, points)
        }
        MetricData::ExponentialHistogram(histogram) => {
            let points = histogram
                .data_points()
                .map(|p| Point {
                    attrs: attrs_of(p.attributes()),
                    val: Val::Hist { count: p.count() as u64, sum: p.sum().as_f64() },
                    bounds: vec![],
                    bucket_counts: vec![],
                })
                .collect();
            (Kind::ExponentialHistogram, points)
        }
    }
}

/// The number type, kind and data points of an exported metric.
fn read(metric: &Metric) -> (NumberType, Kind, Vec<Point>) {
    match metric.data() {
        AggregatedMetrics::U64(data) => {
            let (kind, points) = points_of(data);
            (NumberType::U64, kind, points)
        }
        AggregatedMetrics::I64(data) => {
            let (kind, points) = points_of(data);
            (NumberType::I64, kind, points)
        }
        AggregatedMetrics::F64(data) => {
            let (kind, points) = points_of(data);
            (NumberType::F64, kind, points)
        }
    }
}

/// The data points of the exported metric `name`.
fn points(rm: &ResourceMetrics, name: &str) -> Vec<Point> {
    read(find_metric(rm, name)).2
}

/// The only data point of the exported metric `name`.
fn only_point(rm: &ResourceMetrics, name: &str) -> Point {
    let mut points = points(rm, name);
    assert_eq!(points.len(), 1, "{name}: expected exactly one data point, got {points:?}");
    points.remove(0)
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn exports_exactly_the_catalog_metrics() {
    let Export { metrics: rm, .. } = export();

    let exported = all_metrics(&rm);
    let exported_names: Vec<&str> = exported.iter().map(|m| m.name()).collect();
    assert_eq!(exported.len(), 44, "expected 44 exported metrics, got {}: {exported_names:?}", exported.len());

    let exported_set: BTreeSet<&str> = exported_names.iter().copied().collect();
    assert_eq!(exported_set.len(), exported_names.len(), "a metric name was exported twice: {exported_names:?}");

    let generated_set: BTreeSet<&str> = GENERATED.iter().map(|c| c.name).collect();
    assert_eq!(generated_set.len(), 44, "two generated recorders share a NAME");
    let catalog = catalog();
    let catalog_set: BTreeSet<&str> = catalog.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(catalog_set.len(), 44, "the expected catalog table lists a name twice");

    assert_eq!(exported_set, generated_set, "exported metric names differ from the generated NAME consts");
    assert_eq!(generated_set, catalog_set, "generated NAME consts differ from the metrics.yaml names");

    for scope in rm.scope_metrics() {
        assert_eq!(scope.scope().name(), Metrics::METER_NAME, "metrics exported under an unexpected scope");
        assert_eq!(scope.scope().name(), "tasker");
    }
}

#[test]
fn units_descriptions_kinds_and_number_types_match_catalog() {
    let Export { metrics: rm, .. } = export();

    for entry in &catalog() {
        let name = entry.name.as_str();
        let metric = find_metric(&rm, name);
        let consts = generated(name);

        assert_eq!(metric.unit(), consts.unit, "{name}: exported unit differs from the recorder's UNIT");
        assert_eq!(consts.unit, entry.unit, "{name}: the recorder's UNIT differs from metrics.yaml's unit");
        assert_eq!(
            metric.description(),
            consts.description,
            "{name}: exported description differs from the recorder's DESCRIPTION"
        );
        assert!(!consts.description.is_empty(), "{name}: empty DESCRIPTION");

        let (number_type, kind, _) = read(metric);
        assert_eq!(kind, exported_kind(entry.instrument), "{name}: a {:?} exported as {kind:?}", entry.instrument);
        assert_eq!(number_type, entry.number_type, "{name}: exported with the wrong number type");
    }
}

#[test]
fn attribute_keys_match_catalog_labels() {
    let Export { metrics: rm, .. } = export();

    for entry in &catalog() {
        let name = entry.name.as_str();
        let expected_keys: BTreeSet<&str> = entry.attribute_keys.iter().map(String::as_str).collect();
        let points = points(&rm, name);
        assert!(!points.is_empty(), "{name}: no data points");
        for point in &points {
            let keys: BTreeSet<&str> = point.attrs.keys().map(String::as_str).collect();
            assert_eq!(keys, expected_keys, "{name}: attribute keys differ from metrics.yaml's labels");
            for (key, value) in &point.attrs {
                assert!(!value.starts_with("<non-string"), "{name}: attribute `{key}` is not a string: {value}");
            }
        }
    }
}

#[test]
fn recorded_values_and_attribute_values_are_exported() {
    let Export { metrics: rm, expected } = export();

    assert_eq!(expected.0.len(), 44, "the test must record through all 44 recorders");
    for (&name, expected_points) in &expected.0 {
        let mut exported: Vec<(Attrs, Val)> = points(&rm, name).into_iter().map(|p| (p.attrs, p.val)).collect();
        let mut expected_points = expected_points.clone();
        exported.sort_by(|a, b| a.0.cmp(&b.0));
        expected_points.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(exported, expected_points, "{name}: exported data points differ from what was recorded");
    }
}

#[test]
fn every_claim_method_is_its_own_data_point() {
    let Export { metrics: rm, .. } = export();

    for name in [worker::StepsClaimedTotal::NAME, worker::StepClaimDuration::NAME] {
        let points = points(&rm, name);
        assert_eq!(points.len(), ClaimMethod::ALL.len(), "{name}: expected one data point per claim method");
        for &method in ClaimMethod::ALL {
            let matching: Vec<&Point> = points
                .iter()
                .filter(|p| p.attrs.get(ClaimMethod::KEY).map(String::as_str) == Some(method.as_str()))
                .collect();
            assert_eq!(matching.len(), 1, "{name}: expected one data point with claim_method={method}");
            let point = matching[0];
            assert_eq!(point.attrs.get("namespace").map(String::as_str), Some(NAMESPACE), "{name}: namespace");
            let (claims, claim_ms) = claims_by(method);
            let expected = if name == worker::StepsClaimedTotal::NAME {
                Val::U64(claims)
            } else {
                Val::Hist { count: 1, sum: claim_ms }
            };
            assert_eq!(point.val, expected, "{name}: value for claim_method={method}");
        }
    }
    // The catalog spellings.
    assert_eq!(ClaimMethod::KEY, "claim_method");
    assert_eq!(ClaimMethod::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>(), ["event", "poll"]);
}

#[test]
fn circuit_breaker_gauges_export_state_numbers() {
    let Export { metrics: rm, .. } = export();

    let name = resilience::ApiCircuitBreakerState::NAME;
    let point = only_point(&rm, name);
    assert!(point.attrs.is_empty(), "{name}: expected no attributes, got {:?}", point.attrs);
    assert_eq!(point.val, Val::I64(2), "{name}: CircuitBreakerState::Open must export as 2");

    let name = resilience::TaskerCircuitBreakerState::NAME;
    let points = points(&rm, name);
    for (component, expected, state) in
        [("pgmq", 2, "Open"), ("ffi_completion", 1, "Half-Open"), ("task_readiness", 0, "Closed")]
    {
        let point = points
            .iter()
            .find(|p| p.attrs.get("component").map(String::as_str) == Some(component))
            .unwrap_or_else(|| panic!("{name}: no data point for component={component}"));
        assert_eq!(point.val, Val::I64(expected), "{name}: {state} (component={component}) must export as {expected}");
    }

    // The value map of metrics.yaml.
    let map: Vec<(i64, &str)> = CircuitBreakerState::ALL.iter().map(|s| (s.value(), s.name())).collect();
    assert_eq!(map, [(0, "Closed"), (1, "Half-Open"), (2, "Open")], "circuit_breaker_state value map");
}

#[test]
fn histogram_buckets_match_catalog() {
    let Export { metrics: rm, .. } = export();

    for entry in catalog().iter().filter(|e| e.instrument == Instrument::Histogram) {
        let name = entry.name.as_str();
        for point in points(&rm, name) {
            assert_eq!(point.bounds, entry.buckets, "{name}: bucket boundaries differ from metrics.yaml's buckets");
            assert_eq!(point.bucket_counts.len(), entry.buckets.len() + 1, "{name}: number of bucket counts");
        }
    }

    // The recorded step execution durations land in the right buckets.
    let name = worker::StepExecutionDuration::NAME;
    let point = only_point(&rm, name);
    let buckets = catalog_entry(name).buckets;
    let mut expected_counts = vec![0u64; buckets.len() + 1];
    for duration in STEP_EXECUTION_MS {
        // Buckets are upper-inclusive: (bound[i-1], bound[i]].
        let bucket = buckets.iter().position(|&bound| duration <= bound).unwrap_or(buckets.len());
        expected_counts[bucket] += 1;
    }
    assert_eq!(expected_counts[..5], [0, 0, 1, 2, 1], "{name}: test's own bucketing");
    assert_eq!(point.bucket_counts, expected_counts, "{name}: bucket counts");
}

#[test]
fn disabled_recorders_record_nothing() {
    // Disabled recorders hold no instrument: every call returns before building attributes.
    static DISABLED: Metrics = Metrics::disabled();
    let _ = record_all(&DISABLED);

    // And a meter provider that exists beside them receives nothing from them.
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder().with_reader(PeriodicReader::builder(exporter.clone()).build()).build();
    let _meter = provider.meter("tasker");
    let _ = record_all(&Metrics::disabled());
    provider.force_flush().unwrap();
    let exported: usize = exporter.get_finished_metrics().unwrap().iter().map(|rm| all_metrics(rm).len()).sum();
    assert_eq!(exported, 0);
}

#[test]
fn prometheus_names_cover_every_recorder() {
    let table: BTreeMap<&str, &str> = Metrics::METRICS.iter().map(|m| (m.name, m.prometheus_name)).collect();
    assert_eq!(table.len(), GENERATED.len());
    for c in GENERATED {
        assert!(table.contains_key(c.name), "{}: missing from Metrics::METRICS", c.name);
    }
    assert_eq!(table["tasker.step.execution.duration"], "tasker_step_execution_duration_milliseconds");
    assert_eq!(table["tasker.tasks.requests.total"], "tasker_tasks_requests_total");
    assert_eq!(table["mpsc_channel_usage_percent"], "mpsc_channel_usage_percent");
}

/// The label the runtime writes an exemplar's trace id under is the one the generated Grafana
/// data source links to Tempo.
#[test]
fn the_exemplar_trace_label_is_the_one_grafana_links() {
    assert_eq!(catalog_runtime::exemplar::TRACE_ID_LABEL, catalog_docs::emit::grafana::EXEMPLAR_TRACE_ID_LABEL);
}
