//! The steady-state profile, end to end through a real Prometheus (Debian's 2.42 package) with the
//! generated rule file loaded and evaluated every second:
//!
//! - the `tasker_workload` example runs healthy tasks with `drop_labels = ["correlation_id"]`, so
//!   that counters grow across scrapes, then waits; every rule of the file evaluates without error
//!   and no alert is pending or firing;
//! - the incident follows (tasks fail, the API breaker opens, a channel saturates with overflows,
//!   FFI sends turn slow): every catalog alert becomes active, `firing` where it has no `for` and
//!   `pending` with exactly its `for` where it has one (`/api/v1/alerts`, `/api/v1/rules`); the
//!   page tier of the task-success and step-success SLOs is active (four failed tasks of five burn
//!   the 5 % budget at over 14.4×);
//! - each SLO's budget rules equal the aggregation they stand for at the rules' own evaluation
//!   time: `slo:period_error_budget_remaining:ratio` is one minus the error ratio over the period
//!   over the budget;
//! - `docs-gen verify` runs every query of the catalog: every rate-based query of an instrumented
//!   metric measures a non-zero value (with `UPDATE_VERIFICATION=1` the run is written to
//!   docs/verification.steady.json, which the reference renders beside the per-request results);
//! - every dashboard target that reads a recording rule returns what the aggregation it stands for
//!   returns, evaluated at the rule's own evaluation time;
//! - exemplars (Prometheus with `--enable-feature=exemplar-storage`): the outlier step the workload
//!   prints is found by `/api/v1/query_exemplars` on the step-duration buckets, in its bucket, with
//!   its trace id and the `correlation_id` the series dropped; a text-format scrape carries no
//!   exemplar, and Prometheus took every OpenMetrics scrape (the target is up, without error).
//!
//! Needs `prometheus` on PATH; without it the test says so and passes, except under `CI=true`.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};
use test_support::{Api, Prometheus, Reaped, TempDir, free_port, workload_binary};

const JOB: &str = "tasker_steady";
const TASKS: usize = 60;
const INCIDENT_FROM: usize = 12;
/// The run's pace: 1.5 s between healthy tasks (18 s of them).
const DURATION_SECS: u64 = 90;
/// Seconds between the incident's tasks: 48 of them in under 10 s, so that four in five tasks of
/// the run fail and the task-success SLO (95 %) burns its budget at over 14.4×.
const INCIDENT_PACE: &str = "0.2";
const OVERALL: Duration = Duration::from_secs(100);

/// The workload as the steady-state record describes it.
const WORKLOAD: &str = "examples/tasker_workload --tasks 60 --steps 4 --duration 90 --incident-from 12 \
                        --incident-pace 0.2 --drop-labels correlation_id: 12 healthy tasks spread over 18 s (all \
                        complete), then 48 incident tasks over 10 s (every step fails; API breaker open, pgmq_notifications channel at 95% \
                        with overflows, FFI slow sends); scraped and rules evaluated every second";

/// The workload, Prometheus and their directory, dropped in that order: each child killed and
/// reaped, then the directory removed.
struct Guard {
    workload: Option<Reaped>,
    prometheus: Option<Prometheus>,
    _dir: TempDir,
}

#[test]
fn steady_state_rates_alerts_and_recording_rules() {
    let started = Instant::now();
    if !test_support::prometheus_installed() {
        return;
    }
    let deadline = started + OVERALL;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (catalog, queries) =
        catalog_docs::load(&root.join("metrics.yaml"), "metrics.yaml").unwrap_or_else(|d| panic!("{d}"));
    let bin = workload_binary().unwrap_or_else(|e| panic!("{e}"));
    let dir = TempDir::new("prometheus-steady");
    let port = free_port();
    let rules = root.join("deploy/prometheus/tasker.rules.yml");
    let prometheus = Prometheus::start_with_rules(&dir.0, JOB, &format!("127.0.0.1:{port}"), &[&rules], deadline)
        .unwrap_or_else(|e| panic!("{e}"));
    let api = Api::new(&prometheus.api.base);
    let stderr = File::create(dir.0.join("workload.stderr")).unwrap();
    let mut child = Command::new(&bin)
        .args(["--tasks", &TASKS.to_string(), "--steps", "4", "--duration", &DURATION_SECS.to_string()])
        .args(["--incident-from", &INCIDENT_FROM.to_string(), "--incident-on-stdin"])
        .args(["--incident-pace", INCIDENT_PACE])
        .args(["--drop-labels", "correlation_id", "--hold", "180"])
        .args(["--metrics-addr", &format!("127.0.0.1:{port}"), "--config", "/nonexistent"])
        .env("TELEMETRY_ENABLED", "true")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut guard = Guard { workload: Some(Reaped(child)), prometheus: Some(prometheus), _dir: dir };
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    // Task 1's first step is the outlier, printed before the incident waits.
    let run_started = std::time::SystemTime::now();
    let outlier = wait_line(&lines, "outlier:", deadline).unwrap_or_else(|e| panic!("{e}"));
    let formats = exposition_formats(&api, port);
    let mut failures = run(&catalog, &queries, &api, &lines, stdin, &mut guard.workload, deadline);
    failures.extend(formats);
    failures.extend(stored_exemplar(&api, &outlier, run_started));
    eprintln!("steady: finished in {:.1} s", started.elapsed().as_secs_f64());
    if !failures.is_empty() {
        if let Some(p) = guard.prometheus.as_ref() {
            eprintln!("---- prometheus log ----\n{}", p.log_tail());
        }
        panic!("{} check(s) failed:\n  - {}", failures.len(), failures.join("\n  - "));
    }
    drop(guard.workload.take()); // killed and reaped
}

/// The outlier's exemplar as Prometheus stored it from the OpenMetrics scrapes: the failures.
fn stored_exemplar(api: &Api, outlier: &str, started: std::time::SystemTime) -> Vec<String> {
    let word =
        |key: &str| outlier.split_whitespace().find_map(|w| w.strip_prefix(key).map(str::to_owned)).unwrap_or_default();
    let (trace_id, span_id, correlation_id) = (word("trace_id="), word("span_id="), word("correlation_id="));
    let secs = |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    let mut failures = Vec::new();
    let selector = "tasker_step_execution_duration_milliseconds_bucket";
    match api.exemplars(selector, secs(started) - 5.0, secs(std::time::SystemTime::now()) + 5.0) {
        Err(e) => failures.push(format!("query_exemplars: {e}")),
        Ok(series) => {
            let stored: usize = series.iter().map(|s| s.exemplars.len()).sum();
            // The task's other steps share its trace: the step's span is the outlier's own.
            let found = series.iter().find_map(|s| {
                s.exemplars
                    .iter()
                    .find(|e| e.labels.get("trace_id") == Some(&trace_id) && e.labels.get("span_id") == Some(&span_id))
                    .map(|e| (s, e))
            });
            eprintln!(
                "steady: {stored} exemplars stored on {} step-duration bucket series; the outlier's: {found:?}",
                series.len()
            );
            match found {
                None => failures.push(format!(
                    "query_exemplars({selector}) has no exemplar with the outlier's trace_id {trace_id} and span_id \
                     {span_id} ({stored} stored): `{outlier}`"
                )),
                Some((s, e)) => {
                    if e.labels.get("correlation_id") != Some(&correlation_id) {
                        failures.push(format!(
                            "the outlier's exemplar has correlation_id {:?}, not {correlation_id}",
                            e.labels.get("correlation_id")
                        ));
                    }
                    if e.value != 9000.0 || s.series.get("le").map(String::as_str) != Some("10000") {
                        failures.push(format!(
                            "the outlier's exemplar is {} in bucket le={:?}, not 9000 in le=\"10000\"",
                            e.value,
                            s.series.get("le")
                        ));
                    }
                    if s.series.contains_key("correlation_id") {
                        failures.push(format!("the series keeps correlation_id: {:?}", s.series));
                    }
                }
            }
        }
    }
    failures
}

/// The text format carries no exemplar; OpenMetrics (what Prometheus asks for) carries them, and
/// Prometheus took each scrape: the failures. Run while the workload serves, after a few scrapes.
fn exposition_formats(api: &Api, port: u16) -> Vec<String> {
    std::thread::sleep(Duration::from_secs(2));
    let mut failures = Vec::new();
    let selector = "tasker_step_execution_duration_milliseconds_bucket";
    let address: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let text = test_support::net::call(address, "GET", "/metrics", &[("Accept", "text/plain;version=0.0.4")]).text();
    if let Some(line) = text.lines().find(|l| !l.starts_with('#') && l.contains(" # {")) {
        failures.push(format!("a text-format scrape carries an exemplar: `{line}`"));
    }
    let om = test_support::net::call(
        address,
        "GET",
        "/metrics",
        &[("Accept", "application/openmetrics-text;version=1.0.0")],
    )
    .text();
    if !om.lines().any(|l| l.starts_with(selector) && l.contains(" # {trace_id=")) {
        failures.push("an OpenMetrics scrape carries no step-duration exemplar".into());
    }
    match api.targets() {
        Ok(targets) => {
            for (job, health, error) in targets {
                if health != "up" || !error.is_empty() {
                    failures.push(format!("target {job}: health {health}, last error `{error}`"));
                }
            }
        }
        Err(e) => failures.push(format!("targets: {e}")),
    }
    failures
}

fn wait_line(lines: &Receiver<String>, prefix: &str, by: Instant) -> Result<String, String> {
    test_support::wait_line(lines, prefix, by).map_err(|e| match e {
        test_support::NoLine::Late => format!("the workload printed no `{prefix}` line in time"),
        test_support::NoLine::Ended => format!("the workload ended before `{prefix}`"),
    })
}

/// Every check; the failures (empty when all passed).
fn run(
    catalog: &catalog_model::Catalog,
    queries: &catalog_promql::Queries,
    api: &Api,
    lines: &Receiver<String>,
    mut stdin: ChildStdin,
    workload: &mut Option<Reaped>,
    deadline: Instant,
) -> Vec<String> {
    let mut failures = Vec::new();
    let mut fail = |f: String| {
        eprintln!("steady: FAIL {f}");
        failures.push(f);
    };
    let alerts: Vec<(&str, Option<&str>)> =
        catalog.metrics.iter().flat_map(|m| &m.alerts).map(|a| (a.name.as_str(), a.for_duration.as_deref())).collect();

    // The healthy part: wait for it, then a few scrapes and evaluations more.
    if let Err(e) = wait_line(lines, "incident: waiting", deadline) {
        return vec![e];
    }
    std::thread::sleep(Duration::from_secs(3));
    match api.rules() {
        Ok(rules) => {
            let loaded = rules.iter().filter(|r| r.kind == "alerting").count();
            let slo_tiers: usize = catalog.slos.iter().map(|s| s.tiers.len()).sum();
            if loaded != alerts.len() + slo_tiers {
                fail(format!(
                    "{loaded} alerting rules loaded; the catalog has {} alerts and {slo_tiers} SLO tiers",
                    alerts.len()
                ));
            }
            for r in &rules {
                if r.health != "ok" {
                    fail(format!("rule {} ({}): health {:?}, last error {:?}", r.name, r.kind, r.health, r.last_error));
                }
            }
            let active: Vec<String> = rules
                .iter()
                .filter(|r| r.kind == "alerting" && r.state != "inactive")
                .map(|r| r.name.clone())
                .collect();
            if active.is_empty() {
                eprintln!("steady: before the incident, all {loaded} alerting rules are inactive");
            } else {
                fail(format!("before the incident these alerts are already active: {active:?}"));
            }
        }
        Err(e) => fail(e),
    }

    // The incident.
    if let Err(e) = writeln!(stdin, "go") {
        return vec![format!("cannot write to the workload's stdin: {e}")];
    }
    if let Err(e) = wait_line(lines, &format!("task {}:", TASKS - 1), deadline) {
        fail(e);
        return failures;
    }
    let t = Instant::now();
    let by = deadline.min(t + Duration::from_secs(20));
    let states = loop {
        let states = api.alerts().unwrap_or_default();
        let names: BTreeSet<&str> = states.iter().map(|(n, _, _)| n.as_str()).collect();
        if alerts.iter().all(|(a, _)| names.contains(a)) || Instant::now() >= by {
            break states;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    eprintln!("steady: {} alert(s) active {:.1} s after the last task", states.len(), t.elapsed().as_secs_f64());
    let rules = api.rules().unwrap_or_default();
    for (name, for_duration) in &alerts {
        let want = if for_duration.is_some() { "pending" } else { "firing" };
        let got: Vec<&str> = states.iter().filter(|(n, _, _)| n == name).map(|(_, s, _)| s.as_str()).collect();
        let seconds = for_duration.map_or(0.0, |d| promql_parser::util::parse_duration(d).unwrap().as_secs_f64());
        let rule_for = rules.iter().find(|r| r.name == *name).map(|r| r.for_seconds);
        if got.is_empty() || got.iter().any(|s| *s != want) || rule_for != Some(seconds) {
            fail(format!(
                "alert {name}: {got:?} after the incident, want {want} (for {for_duration:?}); the rule's `for` is \
                 {rule_for:?} s"
            ));
        } else {
            eprintln!("steady: {name}: {want} ({} alert(s), for {seconds} s)", got.len());
        }
    }

    check_slo_pages(catalog, &states, &mut fail);
    check_queries(catalog, queries, api, &mut fail);
    // A rule is evaluated at the time it runs, over what is stored by then. A scrape that started
    // just before and was stored just after is in the raw aggregation at that time but not in the
    // rule's value (Prometheus 2.42 has no rule `query_offset`); a full run of the tests saw all five
    // comparisons differ by 5% once that way. With the workload stopped no scrape stores a sample
    // any more, so the rule's newest evaluation sees exactly what a query at its time sees.
    drop(workload.take()); // killed and reaped
    std::thread::sleep(Duration::from_secs(3));
    check_recording_rules(catalog, queries, api, &mut fail);
    check_slo_budget_rules(catalog, queries, api, &mut fail);
    failures
}

/// After the incident the page tier of the task-success and step-success SLOs is active.
fn check_slo_pages(
    catalog: &catalog_model::Catalog,
    states: &[(String, String, std::collections::BTreeMap<String, String>)],
    fail: &mut impl FnMut(String),
) {
    for name in ["task-success", "step-success"] {
        let Some(slo) = catalog.slos.iter().find(|s| s.name == name) else {
            return fail(format!("the catalog has no SLO `{name}`"));
        };
        let page: Vec<&str> = states
            .iter()
            .filter(|(n, _, l)| {
                *n == slo.alert
                    && l.get("slo").map(String::as_str) == Some(name)
                    && l.get("slo_tier").map(String::as_str) == Some("page")
            })
            .map(|(_, state, _)| state.as_str())
            .collect();
        match page.as_slice() {
            [state] if *state == "firing" || *state == "pending" => {
                eprintln!("steady: SLO {name}: {} page tier {state}", slo.alert)
            }
            other => fail(format!("SLO {name}: the page tier of {} is {other:?} after the incident", slo.alert)),
        }
        let tiers: Vec<String> = states
            .iter()
            .filter(|(n, _, l)| *n == slo.alert && l.get("slo").map(String::as_str) == Some(name))
            .map(|(_, state, l)| format!("{} {state}", l.get("slo_tier").cloned().unwrap_or_default()))
            .collect();
        eprintln!("steady: SLO {name}: active tiers {tiers:?}");
    }
}

/// Each SLO's budget rules, read at the time Prometheus last evaluated them, equal the
/// aggregation they stand for at that time: the error ratio over the period, and the budget
/// remaining (one minus that ratio over the budget).
fn check_slo_budget_rules(
    catalog: &catalog_model::Catalog,
    queries: &catalog_promql::Queries,
    api: &Api,
    fail: &mut impl FnMut(String),
) {
    use catalog_docs::plan::{Plan, slo::error_record};
    let plan = Plan::new(catalog, queries);
    for p in &plan.slos {
        let slo = p.slo;
        let name = &slo.name;
        let remaining = format!("slo:period_error_budget_remaining:ratio{{slo=\"{name}\"}}");
        let Ok(Some(time)) = api.sample_time(&remaining) else {
            fail(format!("SLO {name}: {remaining} has no sample"));
            continue;
        };
        let period = p.error_ratio.replace("$window", &slo.period.text);
        let value = |expr: &str| api.query_at(expr, &time).map(|v| v.into_iter().map(|(_, x)| x).collect::<Vec<f64>>());
        let pairs = [
            (format!("{}{{slo=\"{name}\"}}", error_record(&slo.period)), period.clone()),
            (remaining.clone(), format!("1 - ({period}) / {}", catalog_docs::plan::slo::num(slo.budget()))),
        ];
        for (rule, aggregation) in pairs {
            match (value(&rule), value(&aggregation)) {
                (Ok(a), Ok(b)) if a.len() == 1 && b.len() == 1 && close(a[0], b[0]) => {
                    eprintln!("steady: SLO {name}: `{rule}` = {} = its aggregation at {time}", a[0])
                }
                (a, b) => fail(format!(
                    "SLO {name}: `{rule}` gave {a:?}, its aggregation `{aggregation}` gave {b:?} at {time}"
                )),
            }
        }
    }
}

/// Every query of the catalog, in the steady state: what must return data does, and every
/// rate-based query of instrumented metrics measures something other than 0 or NaN.
fn check_queries(
    catalog: &catalog_model::Catalog,
    queries: &catalog_promql::Queries,
    api: &Api,
    fail: &mut impl FnMut(String),
) {
    use catalog_promql::QueryKind;
    use docs_gen::verify::{self, Expectation};
    let client = docs_gen::verify::api::PrometheusApi::new(&api.base);
    let version = match client.version() {
        Ok(v) => v,
        Err(e) => return fail(format!("Prometheus version: {}", e.0)),
    };
    let checked =
        match verify::run(verify::targets_dropping(catalog, queries, &["correlation_id"]), |expr| client.query(expr)) {
            Ok(c) => c,
            Err(e) => return fail(format!("verify: {}", e.0)),
        };
    eprint!("{}", verify::report(&checked, &format!("Prometheus {version} at {} (steady state)", api.base)));
    let mut rates = 0;
    for c in &checked {
        // The queries for one correlation id return nothing here (the steady state drops it), as
        // `Expectation::Dropped` expects.
        if c.failed() {
            fail(format!(
                "{} · {} · `{}` → {}",
                c.target.place,
                c.target.title,
                c.target.query.expr.trim(),
                c.result.summary
            ));
        }
        // After the incident every alert is active, so its expression returns what crossed the line.
        if c.target.expectation == Expectation::Alert
            && (c.result.outcome != catalog_docs::record::Outcome::Data
                || catalog_docs::record::zero_or_nan(&c.result.summary))
        {
            fail(format!(
                "alert {} · `{}` → {} in the steady state",
                c.target.title,
                c.target.query.expr.trim(),
                c.result.summary
            ));
        }
        let rate = queries.kind(c.target.query) == QueryKind::Rate && c.target.expectation == Expectation::Data;
        if rate {
            rates += 1;
            if catalog_docs::record::zero_or_nan(&c.result.summary)
                || c.result.outcome != catalog_docs::record::Outcome::Data
            {
                fail(format!(
                    "rate-based {} · {} · `{}` measured {} in the steady state",
                    c.target.place,
                    c.target.title,
                    c.target.query.expr.trim(),
                    c.result.summary
                ));
            }
        }
    }
    eprintln!("steady: {rates} rate-based queries of instrumented metrics checked for a measured value");
    if std::env::var_os("UPDATE_VERIFICATION").is_some() {
        let record = verify::record(&checked, catalog_docs::record::now_rfc3339(), version, WORKLOAD.to_owned());
        let path =
            catalog_docs::record::steady_path(&Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verification.json"));
        match catalog_model::write_if_changed(&path, &record.to_json()) {
            Ok(_) => eprintln!("steady: wrote {}; now run `cargo run -p docs-gen`", path.display()),
            Err(e) => fail(format!("{}: {e}", path.display())),
        }
    }
}

/// Each dashboard target that reads a recording rule equals the aggregation it stands for, both
/// evaluated at the time of the rule's newest sample (when the rule computed it).
fn check_recording_rules(
    catalog: &catalog_model::Catalog,
    queries: &catalog_promql::Queries,
    api: &Api,
    fail: &mut impl FnMut(String),
) {
    use catalog_docs::plan::{Plan, dashboard};
    let plan = Plan::new(catalog, queries);
    let recording = &plan.recording;
    let mut compared = 0;
    for (d, dash) in catalog.dashboards.iter().zip(&plan.dashboards) {
        for (p, panel) in d.panels.iter().enumerate() {
            for (q, query) in panel.queries.iter().enumerate() {
                let original = dashboard::filtered(catalog, &plan.index, &dash.variables, queries.ast(query))
                    .map_or_else(|| query.expr.trim().to_owned(), |a| a.to_string());
                let target = &dash.targets[p][q];
                if *target == original {
                    continue;
                }
                // The time the rules last ran: the newest sample of one of the rules this target reads.
                let Some(rule) = recording.iter().find(|r| target.contains(&r.record)) else {
                    fail(format!("{}: `{target}` differs from `{original}` but reads no recording rule", panel.title));
                    continue;
                };
                let Ok(Some(time)) = api.sample_time(&rule.record) else {
                    fail(format!("recording rule {} has no sample", rule.record));
                    continue;
                };
                let value = |expr: &str| {
                    api.query_at(&strip_variables(expr), &time).map(|v| {
                        let mut v: Vec<f64> = v.into_iter().map(|(_, x)| x).collect();
                        v.sort_by(f64::total_cmp);
                        v
                    })
                };
                match (value(target), value(&original)) {
                    (Ok(a), Ok(b))
                        if !a.is_empty() && a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| close(*x, *y)) =>
                    {
                        compared += 1;
                        eprintln!("steady: `{target}` = `{original}` = {a:?} at {time}");
                    }
                    (a, b) => fail(format!(
                        "{} › {}: `{target}` gave {a:?}, `{original}` gave {b:?} at {time}",
                        d.title, panel.title
                    )),
                }
            }
        }
    }
    eprintln!("steady: {compared} dashboard targets read recording rules and equal the aggregations they replace");
    if compared == 0 {
        fail("no dashboard target read a recording rule".into());
    }
}

/// `label=~"$label"` → `label=~".*"`: the dashboard's variables at "All".
fn strip_variables(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut rest = expr;
    while let Some(i) = rest.find("=~\"$") {
        out.push_str(&rest[..i]);
        out.push_str("=~\".*\"");
        let after = &rest[i + 4..];
        let end = after.find('"').map_or(after.len(), |e| e + 1);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}
