//! `docs-gen verify` against a real Prometheus server.
//!
//! The test starts `prometheus` (Debian's package: `apt-get install -y prometheus`) on a free
//! loopback port with a 1 s scrape interval, scraping a fixed exposition this test serves on
//! 127.0.0.1 with the series of the fixture catalog `minimal.yaml`. Once two scrapes are stored, it
//! runs the real `docs-gen verify` binary and checks each query's outcome in the report and the
//! record. Without the `prometheus` binary the test is skipped, except under `CI=true`, where it
//! fails. Every wait is bounded; Prometheus is killed when the test ends, however it ends.

use catalog_docs::record::{Outcome, Record};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use test_support::{Prometheus, free_port, prometheus_installed};

/// What the fixture endpoint serves: the series of `minimal.yaml`'s instrumented metrics.
const EXPOSITION: &str = "\
# TYPE app_jobs_completed_total counter
app_jobs_completed_total{job_id=\"job-1\",outcome=\"ok\"} 3
app_jobs_completed_total{job_id=\"job-1\",outcome=\"failed\"} 1
# TYPE app_job_duration_milliseconds histogram
app_job_duration_milliseconds_bucket{outcome=\"ok\",le=\"5\"} 1
app_job_duration_milliseconds_bucket{outcome=\"ok\",le=\"50\"} 2
app_job_duration_milliseconds_bucket{outcome=\"ok\",le=\"500\"} 4
app_job_duration_milliseconds_bucket{outcome=\"ok\",le=\"+Inf\"} 4
app_job_duration_milliseconds_sum{outcome=\"ok\"} 310
app_job_duration_milliseconds_count{outcome=\"ok\"} 4
# TYPE breaker_state gauge
breaker_state 0
";

/// The longest any step waits.
const WAIT: Duration = Duration::from_secs(30);

fn fixture() -> PathBuf {
    test_support::fixture("good/minimal.yaml")
}

fn docs_gen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docs-gen")).args(args).output().expect("docs-gen runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Serves `EXPOSITION` to every request on a free loopback port, from a thread that lives as long
/// as the test process.
fn serve_exposition() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            // Read the request head; what it asks for does not matter.
            let (mut head, mut buf) = (Vec::new(), [0u8; 1024]);
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: \
                 close\r\n\r\n{EXPOSITION}",
                EXPOSITION.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    port
}

/// Starts Prometheus scraping `target_port` every second and waits until two scrapes are stored.
fn start_prometheus(dir: &Path, target_port: u16) -> Prometheus {
    let deadline = Instant::now() + WAIT;
    let prometheus = Prometheus::start(dir, "fixture", &format!("127.0.0.1:{target_port}"), deadline)
        .unwrap_or_else(|e| panic!("{e}"));
    loop {
        // Two samples of every series: rate() over them has data.
        if let Ok(counts) = prometheus.api.query("min(count_over_time(app_jobs_completed_total[1m]))")
            && counts.first().is_some_and(|(_, n)| *n >= 2.0)
        {
            return prometheus;
        }
        assert!(
            Instant::now() < deadline,
            "prometheus did not store two scrapes within {WAIT:?}:\n{}",
            prometheus.log_tail()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The fixture catalog with three more queries: one of the planned metric, one whose series the
/// endpoint does not serve, one Prometheus rejects (many-to-many matching).
fn catalog_with_failures() -> String {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let edits = [
        (
            "    status: planned\n",
            "    status: planned\n    queries:\n      - title: Running\n        expr: sum(app_jobs_running)\n",
        ),
        (
            "        note: \"Expected: 1\"\n",
            "        note: \"Expected: 1\"\n      - title: Another id\n        queries:\n          - title: Not served\n            \
             expr: app_jobs_completed_total{job_id=\"job-2\"}\n          - title: Many to many\n            \
             expr: app_jobs_completed_total * on (job_id) app_jobs_completed_total\n",
        ),
    ];
    edits.iter().fold(text, |t, (from, to)| {
        assert!(t.contains(from), "{from:?} not in minimal.yaml");
        t.replacen(from, to, 1)
    })
}

fn outcome(record: &Record, expr: &str) -> (Outcome, usize, String) {
    let r = record.result(expr).unwrap_or_else(|| panic!("{expr} not in the record: {record:#?}"));
    (r.outcome, r.series, r.summary.clone())
}

#[test]
fn verify_against_a_real_prometheus() {
    if !prometheus_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let target = serve_exposition();
    let prometheus = start_prometheus(dir.path(), target);
    let url = prometheus.api.base.clone();

    // The fixture catalog as it is: every query that must return data does.
    let record_path = dir.path().join("verification.json");
    let run = docs_gen(&[
        "verify",
        "--catalog",
        fixture().to_str().unwrap(),
        "--prometheus",
        &url,
        "--record",
        record_path.to_str().unwrap(),
        "--workload",
        "the fixture exposition of tests/verify.rs",
    ]);
    let stdout = text(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}{}", text(&run.stderr));
    assert!(
        stdout.contains(
            "ok   data     app.jobs.completed.total · By outcome · sum by (outcome) (app_jobs_completed_total) → \
             2 series, values 1–3\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("ok   no data  breaker_state · alert BreakerOpen · breaker_state == 2 → returned nothing (alert not firing)\n"), "{stdout}");
    assert!(
        stdout.contains(": 7 returned data, 1 returned nothing, 0 errors, 0 not yet verifiable; 0 failed\n"),
        "{stdout}"
    );

    let record = Record::read(&record_path).unwrap().expect("verify wrote the record");
    assert!(record.prometheus_version.starts_with("2."), "{}", record.prometheus_version);
    assert_eq!(record.workload, "the fixture exposition of tests/verify.rs");
    assert_eq!(record.date.len(), "2026-11-24T10:15:00Z".len());
    assert_eq!(record.queries.len(), 8);
    let data = |expr: &str, series: usize, summary: &str| {
        assert_eq!(outcome(&record, expr), (Outcome::Data, series, summary.to_owned()), "{expr}");
    };
    data("sum by (outcome) (app_jobs_completed_total)", 2, "2 series, values 1–3");
    data("rate(app_jobs_completed_total{outcome=\"failed\"}[5m])", 1, "value 0");
    data("histogram_quantile(0.95, sum by (le) (app_job_duration_milliseconds_bucket))", 1, "value 455");
    data("app_jobs_completed_total{job_id=\"job-1\"}", 2, "2 series, values 1–3");
    data("sum(rate(app_jobs_completed_total[5m]))", 1, "value 0");
    data("breaker_state", 1, "value 0");
    data("app_jobs_completed_total", 2, "2 series, values 1–3");
    assert_eq!(outcome(&record, "breaker_state == 2"), (Outcome::NoData, 0, "no series".into()));

    // The reference renders those outcomes.
    let out = dir.path().join("docs");
    let generated = docs_gen(&[
        "--catalog",
        fixture().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--deploy",
        dir.path().join("deploy").to_str().unwrap(),
        "--record",
        record_path.to_str().unwrap(),
    ]);
    assert_eq!(generated.status.code(), Some(0), "{}", text(&generated.stderr));
    let md = std::fs::read_to_string(out.join("METRICS.md")).unwrap();
    let verified =
        format!("*Expected output, verified {} against Prometheus {}:*", record.day(), record.prometheus_version);
    assert!(md.contains(&verified), "{md}");
    assert!(md.contains("- `By outcome` → 2 series, values 1–3\n"), "{md}");
    assert!(md.contains("- `BreakerOpen` → returned nothing (condition not met)\n"), "{md}");

    // A planned metric's query is not run; an unserved series returns nothing; a query Prometheus
    // rejects is an error with its text. The last two fail the run.
    let catalog = dir.path().join("metrics.yaml");
    std::fs::write(&catalog, catalog_with_failures()).unwrap();
    let failing_record = dir.path().join("failing.json");
    let run = docs_gen(&[
        "verify",
        "--catalog",
        catalog.to_str().unwrap(),
        "--prometheus",
        &url,
        "--record",
        failing_record.to_str().unwrap(),
        "--workload",
        "the fixture exposition",
    ]);
    let stdout = text(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}{}", text(&run.stderr));
    assert!(
        stdout.contains(
            "skip planned  app.jobs.running · Running · sum(app_jobs_running) → not yet verifiable (planned)\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "FAIL no data  Example Queries › Job Flow › Another id · Not served · \
             app_jobs_completed_total{job_id=\"job-2\"} → returned nothing\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("FAIL error    Example Queries › Job Flow › Another id · Many to many · "), "{stdout}");
    assert!(stdout.contains("; 2 failed\n"), "{stdout}");

    let record = Record::read(&failing_record).unwrap().unwrap();
    assert_eq!(outcome(&record, "sum(app_jobs_running)"), (Outcome::NotVerifiable, 0, "planned metric".into()));
    assert_eq!(
        outcome(&record, "app_jobs_completed_total{job_id=\"job-2\"}"),
        (Outcome::NoData, 0, "no series".into())
    );
    let (o, n, error) = outcome(&record, "app_jobs_completed_total * on (job_id) app_jobs_completed_total");
    assert_eq!((o, n), (Outcome::Error, 0));
    assert!(error.starts_with("execution: ") && error.contains("many-to-many matching not allowed"), "{error}");

    drop(prometheus);
    // Prometheus is gone: its port no longer answers.
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "prometheus still listens after the test");
}

#[test]
fn unreachable_prometheus_exits_2() {
    let run = docs_gen(&[
        "verify",
        "--catalog",
        fixture().to_str().unwrap(),
        "--prometheus",
        &format!("http://127.0.0.1:{}", free_port()),
        "--no-record",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("error: cannot reach Prometheus: GET http://127.0.0.1:"),
        "{}",
        text(&run.stderr)
    );
}

#[test]
fn recording_needs_a_workload() {
    let run = docs_gen(&["verify", "--catalog", fixture().to_str().unwrap(), "--prometheus", "http://127.0.0.1:9"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("--workload <TEXT>"), "{}", text(&run.stderr));
}

#[test]
fn catalog_errors_exit_2_before_any_query() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("metrics.yaml");
    let good = std::fs::read_to_string(fixture()).unwrap();
    std::fs::write(&bad, good.replace("instrument: counter", "instrument: countr")).unwrap();
    let run =
        docs_gen(&["verify", "--catalog", bad.to_str().unwrap(), "--prometheus", "http://127.0.0.1:9", "--no-record"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("unknown instrument `countr`"), "{}", text(&run.stderr));
}
