//! End to end through a real Prometheus server: the `tasker_workload` example serves the text
//! exposition, Prometheus (Debian's 2.42 package) scrapes it every second, and the test checks
//! through Prometheus's HTTP API that
//!
//! - every series name the catalog gives an instrumented metric (`prometheus.series`) exists
//!   under exactly that name, with exactly the catalog's label keys (plus `le` on `_bucket`);
//! - `promtool check metrics` accepts the raw exposition (see [`check_promtool`] for the one lint
//!   it is allowed to report);
//! - the first task's correlation id shows the seed's whole flow (1 request → 4 enqueued → 4
//!   executed → 4 succeeded → 4 submitted → 4 processed → 1 completed);
//! - the workload produced series at all, and how many (printed, for the record).
//!
//! Needs `prometheus` and `promtool` on PATH (`apt-get install -y prometheus`). Without them the
//! test says so and passes, except under `CI=true`, where it fails.
//!
//! Counter values are read as `last_over_time(...[5m])`: once the workload exits, Prometheus
//! writes staleness markers and a plain instant selector returns nothing, while a range selector
//! skips them and still gives the last scraped value. Nothing older than this test's own run is in
//! its fresh TSDB, so the window only ever sees this run.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};
use test_support::{Api, Prometheus, Reaped, TempDir, describe, free_port, workload_binary};

use catalog_model::model::Status;

const TASKS: usize = 12;
const STEPS: usize = 4;
const DURATION_SECS: u64 = 20;
const JOB: &str = "tasker_workload";
/// No phase may run past this, counted from the test's start: the whole test stays under 90 s.
const OVERALL: Duration = Duration::from_secs(80);

#[test]
fn prometheus_scrapes_the_catalog() {
    let started = Instant::now();
    if !test_support::prometheus_installed() {
        return;
    }

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (catalog, queries) = catalog_docs::load(&manifest.join("metrics.yaml"), "metrics.yaml")
        .unwrap_or_else(|d| panic!("metrics.yaml does not load:\n{d}"));
    let workload_bin = workload_binary().unwrap_or_else(|e| panic!("{e}"));

    let mut run = Run::new();
    match run.check(&catalog, &queries, &workload_bin, started + OVERALL) {
        Ok(failures) if failures.is_empty() => {
            eprintln!("e2e: all checks passed in {:.1} s", started.elapsed().as_secs_f64());
        }
        Ok(failures) => {
            run.dump_logs();
            panic!("{} check(s) failed:\n  - {}", failures.len(), failures.join("\n  - "));
        }
        Err(fatal) => {
            run.dump_logs();
            panic!("{fatal}");
        }
    }
}

/// The temporary directory and the two child processes; dropping it kills and reaps both (the
/// workload first: fields drop in order) and removes the directory, whatever happened.
struct Run {
    workload: Option<Reaped>,
    prometheus: Option<Prometheus>,
    // Last: removed after both children are gone.
    dir: TempDir,
}

impl Run {
    fn new() -> Run {
        Run { workload: None, prometheus: None, dir: TempDir::new("prometheus-e2e") }
    }

    /// Prints the children's logs, for a failing run.
    fn dump_logs(&self) {
        for name in ["prometheus.log", "workload.stderr", "promtool.stderr"] {
            if let Ok(text) = fs::read_to_string(self.dir.0.join(name)) {
                let lines: Vec<&str> = text.lines().collect();
                let tail = &lines[lines.len().saturating_sub(40)..];
                eprintln!("---- {name} (last {} lines) ----\n{}", tail.len(), tail.join("\n"));
            }
        }
    }

    /// Runs everything; `Ok` holds the failed checks (empty when all passed), `Err` a failure that
    /// stopped the run.
    fn check(
        &mut self,
        catalog: &catalog_model::Catalog,
        queries: &catalog_promql::Queries,
        workload_bin: &Path,
        deadline: Instant,
    ) -> Result<Vec<String>, String> {
        let metrics_port = free_port();
        eprintln!("e2e: workload /metrics on 127.0.0.1:{metrics_port}; temp dir {}", self.dir.0.display());
        // Prometheus first, so that it sees the workload's whole run.
        let prometheus = Prometheus::start(&self.dir.0, JOB, &format!("127.0.0.1:{metrics_port}"), deadline)?;
        let api = Api::new(&prometheus.api.base);
        self.prometheus = Some(prometheus);

        // The workload; its stdout is read line by line on a thread.
        let workload_start = Instant::now();
        let stderr = File::create(self.dir.0.join("workload.stderr")).map_err(|e| e.to_string())?;
        let mut workload = Command::new(workload_bin)
            .args(["--tasks", &TASKS.to_string(), "--steps", &STEPS.to_string()])
            .args(["--duration", &DURATION_SECS.to_string()])
            // Keep serving after the last task (the guard stops it), so the reference's queries
            // run against live series rather than ones Prometheus has marked stale.
            .args(["--hold", "120"])
            .args(["--metrics-addr", &format!("127.0.0.1:{metrics_port}"), "--config", "/nonexistent"])
            .env("TELEMETRY_ENABLED", "true")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", workload_bin.display()))?;
        let stdout = workload.stdout.take().expect("piped stdout");
        self.workload = Some(Reaped(workload));
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });

        let first = self.wait_line(&lines, "task 0:", deadline.min(workload_start + Duration::from_secs(15)))?;
        let correlation_id = first
            .split_whitespace()
            .find_map(|w| w.strip_prefix("correlation_id="))
            .ok_or_else(|| format!("no correlation id in `{first}`"))?
            .to_owned();
        eprintln!("e2e: task 0 correlation_id={correlation_id}");

        let t = Instant::now();
        let data_by = deadline.min(t + Duration::from_secs(15));
        let selector = format!("tasker_tasks_requests_total{{job=\"{JOB}\"}}");
        loop {
            if api.query(&selector).is_ok_and(|v| !v.is_empty()) {
                break;
            }
            if Instant::now() >= data_by {
                return Err(format!("no `{selector}` in Prometheus {:.1} s after task 0", t.elapsed().as_secs_f64()));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        eprintln!("e2e: first scraped data in Prometheus {:.1} s after task 0", t.elapsed().as_secs_f64());

        // The last task is in once its line is printed: take the raw exposition for promtool now,
        // while the endpoint still serves (it stops about DURATION/TASKS seconds later).
        let last = format!("task {}:", TASKS - 1);
        self.wait_line(&lines, &last, deadline.min(workload_start + Duration::from_secs(DURATION_SECS + 20)))?;
        let exposition = match api.get_url(&format!("http://127.0.0.1:{metrics_port}/metrics")) {
            Ok((200, body)) => body,
            Ok((code, body)) => return Err(format!("GET /metrics of the workload: HTTP {code}: {body}")),
            Err(e) => return Err(format!("GET /metrics of the workload: {e}")),
        };
        eprintln!(
            "e2e: {last} printed after {:.1} s; exposition is {} bytes",
            workload_start.elapsed().as_secs_f64(),
            exposition.len()
        );

        let t = Instant::now();
        let all_by = deadline.min(t + Duration::from_secs(15));
        let total = format!("sum(last_over_time(tasker_tasks_requests_total{{job=\"{JOB}\"}}[5m]))");
        loop {
            let seen = api.query(&total).ok().and_then(|v| v.first().map(|(_, x)| *x));
            if seen == Some(TASKS as f64) {
                break;
            }
            if Instant::now() >= all_by {
                return Err(format!(
                    "`{total}` is {seen:?}, not {TASKS}, {:.1} s after the last task",
                    t.elapsed().as_secs_f64()
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        eprintln!("e2e: `{total}` = {TASKS} after {:.1} s", t.elapsed().as_secs_f64());

        let mut failures = Vec::new();
        check_series(&api, catalog, &mut failures)?;
        self.check_promtool(&exposition, catalog, deadline, &mut failures)?;
        check_flow(&api, &correlation_id, &mut failures)?;
        count_series(&api, &exposition, catalog, &mut failures)?;
        check_reference_queries(&api.base, catalog, queries, &mut failures)?;
        Ok(failures)
    }

    /// Waits for a stdout line of the workload starting with `prefix`, echoing each line.
    fn wait_line(&mut self, lines: &Receiver<String>, prefix: &str, by: Instant) -> Result<String, String> {
        test_support::wait_line(lines, prefix, by).map_err(|e| match e {
            test_support::NoLine::Late => format!("the workload printed no `{prefix}` line in time"),
            test_support::NoLine::Ended => {
                let status = self.workload.as_mut().and_then(|c| c.wait().ok());
                format!("the workload ended ({status:?}) before printing `{prefix}`")
            }
        })
    }

    /// `promtool check metrics` on the raw exposition, from stdin. Prometheus 2.42's promtool has
    /// no flag to choose lints: it exits 0 with no problem, 3 ("lint error") when its linter finds
    /// problems, 1 when the text does not parse. The catalog's durations are in milliseconds (the
    /// reference's names), which the linter reports as `NAME use base unit "seconds" instead of
    /// "milliseconds"`; that is the only problem tolerated, and only for instrumented families.
    fn check_promtool(
        &self,
        exposition: &str,
        catalog: &catalog_model::Catalog,
        deadline: Instant,
        failures: &mut Vec<String>,
    ) -> Result<(), String> {
        let input = self.dir.0.join("exposition.txt");
        let (out, err) = (self.dir.0.join("promtool.stdout"), self.dir.0.join("promtool.stderr"));
        fs::write(&input, exposition).map_err(|e| e.to_string())?;
        let open = |p: &Path| File::create(p).map_err(|e| format!("{}: {e}", p.display()));
        let mut child = Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(File::open(&input).map_err(|e| e.to_string())?)
            .stdout(open(&out)?)
            .stderr(open(&err)?)
            .spawn()
            .map_err(|e| format!("cannot run promtool: {e}"))?;
        let by = deadline.min(Instant::now() + Duration::from_secs(20));
        let status = loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                break status;
            }
            if Instant::now() >= by {
                let _ = child.kill();
                let _ = child.wait();
                return Err("promtool check metrics did not finish in time".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let output =
            format!("{}{}", fs::read_to_string(&out).unwrap_or_default(), fs::read_to_string(&err).unwrap_or_default());
        let problems: Vec<&str> = output.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        eprintln!("e2e: promtool check metrics: exit {:?}, {} line(s) of output", status.code(), problems.len());
        for p in &problems {
            eprintln!("promtool: {p}");
        }
        let families: BTreeSet<&str> = catalog
            .metrics
            .iter()
            .filter(|m| m.status == Status::Instrumented)
            .map(|m| m.prometheus.base.as_str())
            .collect();
        let tolerated = |line: &str| {
            line.split_once(' ').is_some_and(|(name, rest)| {
                families.contains(name)
                    && name.ends_with("_milliseconds")
                    && rest == "use base unit \"seconds\" instead of \"milliseconds\""
            })
        };
        match status.code() {
            Some(0) => eprintln!("e2e: promtool accepted the exposition with no problem"),
            Some(3) if !problems.is_empty() && problems.iter().all(|l| tolerated(l)) => eprintln!(
                "e2e: promtool accepted the exposition apart from {} base-unit naming lint(s) (exit 3)",
                problems.len()
            ),
            _ => failures.push(format!(
                "promtool check metrics: {}; its output:\n{}",
                describe(status),
                problems.iter().map(|l| format!("      {l}")).collect::<Vec<_>>().join("\n")
            )),
        }
        Ok(())
    }
}

/// The workload as the verification record describes it.
const WORKLOAD: &str = "examples/tasker_workload --tasks 12 --steps 4 --duration 20: task 0 is the reference's \
                        test task (mathematical_sequence, correlation_id 0199c3e0-ccdb-7581-87ab-3f67daeaa4a5); \
                        tasks 3 and 8 fail, task 6 is cancelled; the run ends with an incident (API database \
                        breaker open, pgmq_notifications channel at 95% with overflows, FFI slow sends)";

/// `docs-gen verify` on the reference itself: every query of an instrumented metric must return
/// data (alerts may be quiet; planned metrics are not verifiable yet). With
/// `UPDATE_VERIFICATION=1`, the run is written to docs/verification.json, which the reference
/// renders as each query's expected output (then run `cargo run -p docs-gen`).
fn check_reference_queries(
    base: &str,
    catalog: &catalog_model::Catalog,
    queries: &catalog_promql::Queries,
    failures: &mut Vec<String>,
) -> Result<(), String> {
    use docs_gen::verify;
    let api = docs_gen::verify::api::PrometheusApi::new(base);
    let version = api.version().map_err(|e| format!("Prometheus version: {}", e.0))?;
    let checked = verify::run(verify::targets(catalog, queries), |expr| api.query(expr))
        .map_err(|e| format!("verify: {}", e.0))?;
    let report = verify::report(&checked, &format!("Prometheus {version} at {base}"));
    eprint!("{report}");
    for c in checked.iter().filter(|c| c.failed()) {
        failures.push(format!(
            "reference query {} · {} · `{}` → {:?}: {}",
            c.target.place,
            c.target.title,
            c.target.query.expr.trim(),
            c.result.outcome,
            c.result.summary
        ));
    }
    if std::env::var_os("UPDATE_VERIFICATION").is_some() {
        let record = verify::record(&checked, catalog_docs::record::now_rfc3339(), version, WORKLOAD.to_owned());
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verification.json");
        catalog_model::write_if_changed(&path, &record.to_json()).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("e2e: wrote {}; now run `cargo run -p docs-gen`", path.display());
    }
    Ok(())
}

/// Every series name of every instrumented metric exists, with exactly the catalog's label keys.
fn check_series(api: &Api, catalog: &catalog_model::Catalog, failures: &mut Vec<String>) -> Result<(), String> {
    let (mut metrics, mut names, mut series_seen) = (0, 0, 0);
    for m in catalog.metrics.iter().filter(|m| m.status == Status::Instrumented) {
        metrics += 1;
        let expected: BTreeSet<&str> = m.labels.iter().map(|&i| catalog.label(i).key.as_str()).collect();
        for name in &m.prometheus.series {
            names += 1;
            let bucket = name.ends_with("_bucket") && *name != m.prometheus.base;
            let series = api.series(&format!("{name}{{job=\"{JOB}\"}}"))?;
            if series.is_empty() {
                failures.push(format!("{name} (metric {}): no such series in Prometheus", m.name));
                continue;
            }
            series_seen += series.len();
            // Distinct label-key sets among the series, with how many series have each.
            let mut shapes: BTreeMap<BTreeSet<String>, usize> = BTreeMap::new();
            let mut le_wrong = 0;
            for labels in &series {
                if labels.get("__name__").map(String::as_str) != Some(name.as_str()) {
                    failures
                        .push(format!("{name}: /api/v1/series returned a series named {:?}", labels.get("__name__")));
                }
                if labels.contains_key("le") != bucket {
                    le_wrong += 1;
                }
                let keys = labels
                    .keys()
                    .filter(|k| !matches!(k.as_str(), "__name__" | "job" | "instance") && (!bucket || *k != "le"))
                    .cloned()
                    .collect();
                *shapes.entry(keys).or_default() += 1;
            }
            if le_wrong > 0 {
                let want = if bucket { "lack" } else { "have" };
                failures.push(format!("{name}: {le_wrong} of {} series {want} an `le` label", series.len()));
            }
            for (keys, count) in shapes {
                let got: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
                if got != expected {
                    failures.push(format!(
                        "{name}: label keys {got:?} on {count} of {} series; the catalog says {expected:?}",
                        series.len()
                    ));
                }
            }
        }
    }
    eprintln!("e2e: checked {metrics} instrumented metrics, {names} series names, {series_seen} series");
    Ok(())
}

/// Task 0 always completes: its correlation id shows the seed's whole flow.
fn check_flow(api: &Api, id: &str, failures: &mut Vec<String>) -> Result<(), String> {
    let steps = STEPS as f64;
    let expected = [
        ("tasker_tasks_requests_total", 1.0),
        ("tasker_steps_enqueued_total", steps),
        ("tasker_steps_executions_total", steps),
        ("tasker_steps_successes_total", steps),
        ("tasker_steps_results_submitted_total", steps),
        ("tasker_step_results_processed_total", steps),
        ("tasker_tasks_completions_total", 1.0),
    ];
    for (name, want) in expected {
        let query = format!("sum(last_over_time({name}{{job=\"{JOB}\",correlation_id=\"{id}\"}}[5m]))");
        let result = api.query(&query)?;
        let got = result.first().map(|(_, v)| *v);
        eprintln!("e2e: {query} = {}", got.map_or("(no data)".to_owned(), |v| v.to_string()));
        if got != Some(want) {
            failures.push(format!("{query} is {got:?}, expected {want}"));
        }
    }
    Ok(())
}

/// The series the workload produced in Prometheus (without Prometheus's own `up` and `scrape_*`),
/// and its metric families.
fn count_series(
    api: &Api,
    exposition: &str,
    catalog: &catalog_model::Catalog,
    failures: &mut Vec<String>,
) -> Result<(), String> {
    let all = api.series(&format!("{{job=\"{JOB}\"}}"))?;
    let names: Vec<&str> = all
        .iter()
        .filter_map(|l| l.get("__name__").map(String::as_str))
        .filter(|n| *n != "up" && !n.starts_with("scrape_"))
        .collect();
    let distinct: BTreeSet<&str> = names.iter().copied().collect();
    let known: BTreeSet<&str> = catalog
        .metrics
        .iter()
        .filter(|m| m.status == Status::Instrumented)
        .flat_map(|m| m.prometheus.series.iter().map(String::as_str))
        .collect();
    let families_prometheus: BTreeSet<&str> = distinct
        .iter()
        .map(|n| {
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| n.strip_suffix(s).filter(|base| distinct.contains(format!("{base}_bucket").as_str())))
                .unwrap_or(n)
        })
        .collect();
    let families_exposition = exposition.lines().filter(|l| l.starts_with("# TYPE ")).count();
    let samples_exposition = exposition.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).count();
    eprintln!(
        "e2e: the workload produced {} series under {} names in Prometheus, {} families \
         ({} `# TYPE` families and {} samples in the last exposition)",
        names.len(),
        distinct.len(),
        families_prometheus.len(),
        families_exposition,
        samples_exposition
    );
    let extra: Vec<&&str> = distinct.iter().filter(|n| !known.contains(**n)).collect();
    if !extra.is_empty() {
        eprintln!("e2e: note: series names not in the catalog's instrumented metrics: {extra:?}");
    }
    if names.is_empty() {
        failures.push(format!("no series of job {JOB} in Prometheus"));
    }
    if families_exposition == 0 {
        failures.push("the exposition has no `# TYPE` line".into());
    }
    Ok(())
}
