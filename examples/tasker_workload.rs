//! A Tasker-like workload recorded through the generated recorders only.
//!
//! Drives the reference's scenario: task requests for `mathematical_sequence` (and a few other
//! task types) in `rust_e2e_linear` and other namespaces; N steps per task enqueued, claimed (by
//! event or poll), executed (some fail, some time out), results submitted and processed; tasks
//! finalized (complete / error / cancelled); circuit-breaker transitions; channel usage, capacity
//! and overflow events; FFI slow sends. Every metric with status `instrumented` is recorded.
//!
//! ```text
//! cargo run --example tasker_workload -- --tasks 20 --steps 4 --duration 30 --hold 600
//! ```
//!
//! The first task is the reference's test task: `mathematical_sequence` in `rust_e2e_linear` with
//! correlation id `0199c3e0-ccdb-7581-87ab-3f67daeaa4a5`, and it always succeeds, so the
//! reference's queries for that id show the whole flow (1 request → N enqueued → N executed → N
//! succeeded → N submitted → N processed → 1 completed).
//!
//! Each task runs inside a span of OpenTelemetry's SDK (sampled; its trace id is printed with the
//! task's line) and each step inside a child span, so that the recorders keep exemplars: the
//! measurement, its trace and span ids, and the attributes the deployment drops from the series
//! (`correlation_id` with `--drop-labels correlation_id`). One step is an outlier: task 1's first
//! step takes 9 s (the step-duration bucket `le="10000"`, which healthy steps never reach), and
//! the line `outlier: task 1 step 0 trace_id=… correlation_id=…` names it, so that its exemplar
//! can be found by trace.
//!
//! The last task ends with an incident, so that the reference's threshold and alert queries have
//! something to show: the API database circuit breaker opens, the `pgmq_notifications` channel
//! saturates (95%, with overflow events), and FFI completion sends turn slow.
//!
//! The steady-state profile (`--incident-from K --drop-labels correlation_id`) is the one rates are
//! measured in: tasks before K are healthy (all complete, breakers closed, channels below 60%, a
//! slow send now and then; every counter an alert reads is recorded from the first task, at 0
//! where nothing happened), and from task K on every task is part of the incident (it fails, the
//! API breaker is open, the channel saturates with overflows, FFI sends turn slow). Without
//! `correlation_id` the tasks share series, so counters grow across scrapes and every `[5m]`
//! rate has an increase. `--incident-on-stdin` waits for a line on stdin before task K, so that a
//! test can see the alerts quiet first.
//!
//! ```text
//! cargo run --example tasker_workload -- --tasks 60 --duration 90 --incident-from 12 --incident-pace 0.2 \
//!     --drop-labels correlation_id --hold 600
//! ```

use clap::Parser;
use opentelemetry::StringValue;
use opentelemetry::trace::{TraceContextExt as _, Tracer as _, TracerProvider as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tasker_metrics::labels::{
    ClaimMethod, ErrorType, FinalState, Result as ExecutionResult, StepResultType, SubmissionResultType,
};
use tasker_metrics::values::CircuitBreakerState;
use tasker_metrics::{Metrics, Telemetry, TelemetryConfig, orchestration as o, resilience as r, worker as w};

#[derive(Parser, Debug)]
#[command(about = "Runs a Tasker-like workload through the generated recorders")]
struct Args {
    /// Number of tasks to run
    #[arg(long, default_value_t = 10)]
    tasks: usize,
    /// Steps per task
    #[arg(long, default_value_t = 4)]
    steps: usize,
    /// Seconds to spread the tasks over; the program keeps serving /metrics until then
    #[arg(long, default_value_t = 0.0)]
    duration: f64,
    /// Seconds to keep serving /metrics after the run, so queries can be run against the final state
    #[arg(long, default_value_t = 0.0)]
    hold: f64,
    /// Address of the embedded Prometheus /metrics endpoint (overrides the config file)
    #[arg(long)]
    metrics_addr: Option<SocketAddr>,
    /// telemetry.toml to read (the environment still overrides it)
    #[arg(long, default_value = "config/tasker/environments/development/telemetry.toml")]
    config: PathBuf,
    /// Attribute keys to drop at export (overrides the config file's `drop_labels`), e.g.
    /// `correlation_id` for the steady-state profile
    #[arg(long, value_delimiter = ',', value_name = "KEY,...")]
    drop_labels: Option<Vec<String>>,
    /// The steady-state profile: tasks before this one are healthy, this one and the rest are the
    /// incident
    #[arg(long, value_name = "TASK")]
    incident_from: Option<usize>,
    /// With --incident-from: print `incident: waiting` and wait for a line on stdin before the
    /// incident's first task
    #[arg(long, requires = "incident_from")]
    incident_on_stdin: bool,
    /// With --incident-from: seconds between the incident's tasks (default: the run's even pace,
    /// --duration over --tasks), so that an incident can be most of the tasks without being most
    /// of the time
    #[arg(long, requires = "incident_from")]
    incident_pace: Option<f64>,
}

/// How the run unfolds: the per-request scenario of the reference, or the steady-state profile.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Profile {
    PerRequest,
    /// Healthy before this task, the incident from it on.
    Steady {
        incident_from: usize,
    },
}

const NAMESPACES: &[&str] = &["rust_e2e_linear", "rust_e2e_diamond", "python_e2e_tree"];
const TASK_TYPES: &[&str] = &["mathematical_sequence", "mathematical_sequence", "data_pipeline"];

/// A small deterministic generator: the same run records the same values.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A duration in milliseconds between `lo` and `hi`.
    fn ms(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((lo + unit * (hi - lo)) * 1000.0).round() / 1000.0
    }
}

/// The reference's test task's correlation id, used for task 0.
const SEED_CORRELATION_ID: &str = "0199c3e0-ccdb-7581-87ab-3f67daeaa4a5";

/// Task 0 gets the reference's id; the others a UUIDv7-shaped id: milliseconds since the epoch,
/// then a per-run counter.
fn correlation_id(run: u64, task: usize) -> String {
    if task == 0 {
        return SEED_CORRELATION_ID.to_owned();
    }
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    let hex = format!("{ms:012x}7{:03x}{:016x}", task & 0xfff, (run << 16) | task as u64);
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// What happens to one task.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fate {
    Complete,
    /// One step fails; the task ends in error.
    Error,
    /// The task is cancelled after its first step.
    Cancelled,
}

fn fate(profile: Profile, task: usize) -> Fate {
    match (profile, task) {
        (_, 0) => Fate::Complete,
        (Profile::Steady { incident_from }, t) => {
            if t >= incident_from {
                Fate::Error
            } else {
                Fate::Complete
            }
        }
        (Profile::PerRequest, t) if t % 5 == 3 => Fate::Error,
        (Profile::PerRequest, t) if t % 7 == 6 => Fate::Cancelled,
        (Profile::PerRequest, _) => Fate::Complete,
    }
}

/// The task whose first step is the outlier, and how long that step takes (milliseconds): the
/// step-duration bucket `le="10000"`, above every healthy step (5–900 ms) and every timed-out one
/// of the per-request profile's failing tasks, which have series of their own.
const OUTLIER_TASK: usize = 1;
const OUTLIER_MS: f64 = 9000.0;

/// `id` is made once per task and shared by every recording of it (an `Arc<str>` inside: a
/// reference count, not a copy, per recording). Each step runs in a child span of the task's
/// (`tracer`), so that its measurements' exemplars name the step's span.
fn run_task(
    m: &Metrics,
    tracer: &opentelemetry_sdk::trace::SdkTracer,
    rng: &mut Rng,
    profile: Profile,
    task: usize,
    steps: usize,
    id: &StringValue,
) {
    let namespace = NAMESPACES[task % NAMESPACES.len()];
    let task_type = TASK_TYPES[task % TASK_TYPES.len()];
    let fate = fate(profile, task);
    if matches!(profile, Profile::Steady { .. }) {
        // The counters the error-rate alerts divide by exist from the first task, at 0 until
        // something fails: a ratio of a missing series is no ratio at all.
        m.orchestration.tasks_failures_total.add(0, o::TasksFailuresTotalLabels { correlation_id: id.clone() });
        m.worker.steps_failures_total.add(
            0,
            w::StepsFailuresTotalLabels {
                correlation_id: id.clone(),
                namespace: namespace.into(),
                error_type: ErrorType::DatabaseError,
            },
        );
    }

    m.orchestration.tasks_requests_total.add(
        1,
        o::TasksRequestsTotalLabels {
            correlation_id: id.clone(),
            task_type: task_type.into(),
            namespace: namespace.into(),
        },
    );
    m.orchestration.task_initialization_duration.record(
        rng.ms(2.0, 40.0),
        o::TaskInitializationDurationLabels { correlation_id: id.clone(), task_type: task_type.into() },
    );

    let executed = if fate == Fate::Cancelled { 1 } else { steps };
    for step in 0..steps {
        // The step's span, current until the end of the iteration.
        let _in_step = opentelemetry::Context::current_with_span(tracer.start(format!("step {}", step + 1))).attach();
        let step_name = format!("step_{}", step + 1);
        m.orchestration.steps_enqueued_total.add(
            1,
            o::StepsEnqueuedTotalLabels {
                correlation_id: id.clone(),
                namespace: namespace.into(),
                step_name: step_name.clone().into(),
            },
        );
        if step >= executed {
            continue;
        }
        let claim_method = if (task + step).is_multiple_of(3) { ClaimMethod::Poll } else { ClaimMethod::Event };
        m.worker.steps_claimed_total.add(1, w::StepsClaimedTotalLabels { namespace: namespace.into(), claim_method });
        let claim_ms = if claim_method == ClaimMethod::Event { rng.ms(0.5, 5.0) } else { rng.ms(10.0, 250.0) };
        m.worker
            .step_claim_duration
            .record(claim_ms, w::StepClaimDurationLabels { namespace: namespace.into(), claim_method });

        m.worker.steps_executions_total.add(1, w::StepsExecutionsTotalLabels { correlation_id: id.clone() });
        // One step of an error task fails; in the steady state's incident every step does, so
        // that the failure ratios are well past the alerts' thresholds, not at their edge.
        let failed = fate == Fate::Error && (step == steps / 2 || matches!(profile, Profile::Steady { .. }));
        let timed_out = failed && task.is_multiple_of(2);
        let result = if failed { ExecutionResult::Error } else { ExecutionResult::Success };
        let drawn = if timed_out { rng.ms(4000.0, 6000.0) } else { rng.ms(5.0, 900.0) };
        let duration = if task == OUTLIER_TASK && step == 0 {
            let (trace_id, span_id) = opentelemetry::Context::map_current(|cx| {
                let span = cx.span();
                (span.span_context().trace_id(), span.span_context().span_id())
            });
            println!(
                "outlier: task {task} step {step} trace_id={trace_id} span_id={span_id} correlation_id={} \
                 duration_ms={OUTLIER_MS}",
                id.as_str()
            );
            OUTLIER_MS
        } else {
            drawn
        };
        m.worker.step_execution_duration.record(
            duration,
            w::StepExecutionDurationLabels { correlation_id: id.clone(), namespace: namespace.into(), result },
        );
        if failed {
            let error_type = if timed_out { ErrorType::DatabaseError } else { ErrorType::StepNotFound };
            m.worker.steps_failures_total.add(
                1,
                w::StepsFailuresTotalLabels { correlation_id: id.clone(), namespace: namespace.into(), error_type },
            );
        } else {
            m.worker
                .steps_successes_total
                .add(1, w::StepsSuccessesTotalLabels { correlation_id: id.clone(), namespace: namespace.into() });
        }

        let result_type = SubmissionResultType::Completion;
        m.worker
            .steps_results_submitted_total
            .add(1, w::StepsResultsSubmittedTotalLabels { correlation_id: id.clone(), result_type });
        m.worker.step_result_submission_duration.record(
            rng.ms(0.5, 20.0),
            w::StepResultSubmissionDurationLabels { correlation_id: id.clone(), result_type },
        );

        let result_type = match (failed, timed_out) {
            (false, _) => StepResultType::Success,
            (true, true) => StepResultType::Timeout,
            (true, false) => StepResultType::Error,
        };
        m.orchestration
            .step_results_processed_total
            .add(1, o::StepResultsProcessedTotalLabels { correlation_id: id.clone(), result_type });
        m.orchestration.step_result_processing_duration.record(
            rng.ms(1.0, 30.0),
            o::StepResultProcessingDurationLabels { correlation_id: id.clone(), result_type },
        );
    }
    // Workers that fail before they know the step's namespace report `unknown` (the seed's "early
    // failures"): one claim failure for every error task.
    if fate == Fate::Error {
        m.worker.steps_failures_total.add(
            1,
            w::StepsFailuresTotalLabels {
                correlation_id: id.clone(),
                namespace: "unknown".into(),
                error_type: ErrorType::ClaimFailed,
            },
        );
    }

    let final_state = match fate {
        Fate::Complete => {
            m.orchestration
                .tasks_completions_total
                .add(1, o::TasksCompletionsTotalLabels { correlation_id: id.clone() });
            FinalState::Complete
        }
        Fate::Error => {
            m.orchestration.tasks_failures_total.add(1, o::TasksFailuresTotalLabels { correlation_id: id.clone() });
            FinalState::Error
        }
        Fate::Cancelled => FinalState::Cancelled,
    };
    m.orchestration
        .task_finalization_duration
        .record(rng.ms(1.0, 15.0), o::TaskFinalizationDurationLabels { correlation_id: id.clone(), final_state });
}

/// Breakers, channels and FFI sends, recorded once per task; `incident` for the last one (or,
/// in the steady-state profile, every task from the incident on).
fn run_resilience(m: &Metrics, rng: &mut Rng, profile: Profile, task: usize, incident: bool) {
    let res = &m.resilience;
    let steady = matches!(profile, Profile::Steady { .. });
    // The API breaker opens on task 4, half-opens on 5 and closes again on 6; the incident opens it.
    // In the steady-state profile it stays closed until the incident.
    let api_state = match task {
        _ if incident => CircuitBreakerState::Open,
        _ if steady => CircuitBreakerState::Closed,
        4 => CircuitBreakerState::Open,
        5 => CircuitBreakerState::HalfOpen,
        _ => CircuitBreakerState::Closed,
    };
    res.api_circuit_breaker_state.record(api_state);
    if api_state == CircuitBreakerState::Open {
        res.api_requests_rejected_total.add(2, r::ApiRequestsRejectedTotalLabels { endpoint: "/v1/tasks".into() });
    }
    for (i, component) in ["ffi_completion", "task_readiness", "pgmq"].into_iter().enumerate() {
        let flaps = !steady && task % 6 == 5;
        let state = if (incident || flaps) && i == 0 { CircuitBreakerState::Open } else { CircuitBreakerState::Closed };
        res.tasker_circuit_breaker_state
            .record(state, r::TaskerCircuitBreakerStateLabels { component: component.into() });
        if state == CircuitBreakerState::Open {
            res.ffi_completion_circuit_open_rejections_total.add(1);
        }
    }
    if task % 4 == 2 {
        res.ffi_completion_slow_sends_total.add(1);
    }
    if steady {
        // Every counter an alert or panel reads exists from the start, so its rate has a baseline.
        res.ffi_completion_slow_sends_total.add(0);
        res.ffi_completion_circuit_open_rejections_total.add(0);
        res.api_requests_rejected_total.add(0, r::ApiRequestsRejectedTotalLabels { endpoint: "/v1/tasks".into() });
    }
    if incident {
        // Well over the 10/s alert threshold for any window shorter than the run.
        res.ffi_completion_slow_sends_total.add(5000);
    }
    for (channel, component, capacity) in
        [("orchestration_command", "orchestration", 1000u64), ("pgmq_notifications", "worker", 500)]
    {
        res.mpsc_channel_capacity
            .record(capacity, r::MpscChannelCapacityLabels { channel: channel.into(), component: component.into() });
        let saturated = incident && channel == "pgmq_notifications";
        let usage = if saturated { 95.0 } else { rng.ms(5.0, 60.0) };
        res.mpsc_channel_usage_percent
            .record(usage, r::MpscChannelUsagePercentLabels { channel: channel.into(), component: component.into() });
        let overflows = u64::from((task % 9 == 8 && !steady || saturated) && channel == "pgmq_notifications");
        if overflows > 0 || steady {
            res.mpsc_channel_full_events_total.add(
                overflows,
                r::MpscChannelFullEventsTotalLabels { channel: channel.into(), component: component.into() },
            );
        }
    }
}

fn main() -> std::process::ExitCode {
    // Plain text, so that `grep opentelemetry_enabled=true` finds the start-up line in a log file.
    tracing_subscriber::fmt().with_target(false).with_ansi(false).init();
    let args = Args::parse();
    let loaded = if args.config.exists() {
        TelemetryConfig::load(&args.config)
    } else {
        let mut defaults = TelemetryConfig::default();
        defaults.service_name = "tasker".into();
        defaults.with_env(|k| std::env::var(k).ok())
    };
    let mut config = match loaded {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    if let Some(addr) = args.metrics_addr {
        config.prometheus_address = addr;
    }
    if let Some(keys) = &args.drop_labels {
        config.drop_labels = keys.clone();
    }
    let profile = match args.incident_from {
        Some(incident_from) => Profile::Steady { incident_from },
        None => Profile::PerRequest,
    };
    let telemetry = match Telemetry::init(&config) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    if let Some(addr) = telemetry.prometheus_address() {
        println!("scrape: http://{addr}/metrics");
    }
    let m = telemetry.metrics();
    // Spans are made and sampled, not exported: their ids are what the exemplars carry, and the
    // task lines print them.
    let tracer_provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_sampler(opentelemetry_sdk::trace::Sampler::AlwaysOn)
        .build();
    let tracer = tracer_provider.tracer("tasker-workload");
    let run = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut start = Instant::now();
    let total = Duration::from_secs_f64(args.duration.max(0.0));
    // Spread the tasks over the duration, so rate() has data across its window; the incident's at
    // its own pace when one is given.
    let due = |task: usize| match (args.incident_from, args.incident_pace) {
        (Some(k), Some(pace)) if task > k => {
            total.mul_f64(k as f64 / args.tasks.max(1) as f64)
                + Duration::from_secs_f64(pace.max(0.0) * (task - k) as f64)
        }
        _ => total.mul_f64(task as f64 / args.tasks.max(1) as f64),
    };
    for task in 0..args.tasks {
        let due = due(task);
        if let Some(wait) = due.checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
        let incident = match profile {
            Profile::PerRequest => task + 1 == args.tasks,
            Profile::Steady { incident_from } => task >= incident_from,
        };
        if args.incident_on_stdin && Some(task) == args.incident_from {
            println!("incident: waiting for a line on stdin");
            let waited = Instant::now();
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
            // The incident's tasks keep the run's pace rather than arriving in one burst.
            start += waited.elapsed();
            println!("incident: starting at task {task}");
        }
        let id = correlation_id(run, task);
        // The task's span (sampled), current while the task runs.
        let in_task = opentelemetry::Context::current_with_span(tracer.start(format!("task {task}"))).attach();
        let trace_id = opentelemetry::Context::map_current(|cx| cx.span().span_context().trace_id());
        let shared_id = StringValue::from(std::sync::Arc::<str>::from(id.as_str()));
        run_task(m, &tracer, &mut rng, profile, task, args.steps, &shared_id);
        run_resilience(m, &mut rng, profile, task, incident);
        drop(in_task);
        println!(
            "task {task}: correlation_id={id} trace_id={trace_id} fate={:?} steps={}",
            fate(profile, task),
            args.steps
        );
    }
    if let Some(rest) = due(args.tasks).checked_sub(start.elapsed()) {
        std::thread::sleep(rest);
    }
    println!("done: {} tasks, {} steps each", args.tasks, args.steps);
    if args.hold > 0.0 {
        std::thread::sleep(Duration::from_secs_f64(args.hold));
    }
    telemetry.shutdown();
    std::process::ExitCode::SUCCESS
}
