//! `docs-gen live-check` against the real thing: the `tasker_workload` example's `/metrics`
//! endpoint and its OTLP/gRPC export through the OpenTelemetry SDK's own exporter.
//!
//! - The scrape: every metric with status `instrumented` seen (`--min-coverage 100`), 0 violations.
//! - The OTLP export, received by live-check's own receiver: the same, in OpenTelemetry's terms
//!   (names, units, monotonic or not, integer or floating-point points, bucket boundaries).
//! - A service that drops `correlation_id` at export (the steady-state profile): the label missing
//!   on exactly the metrics that declare it, and clean with `--drop-labels correlation_id`.
//! - The same scrape drifted by hand (a family renamed to one the catalog does not declare, a
//!   closed label given a value outside its set, a required label taken off a series): each drift
//!   named at the line the test changed, and nothing else.
//!
//! Needs no Prometheus server: the workload's endpoint is scraped directly.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use test_support::{TempDir, docs_gen_binary, free_port, wait_line, workload_binary};

/// Starts the workload with `args`, its stdout read into a channel of lines.
fn workload(args: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(workload_binary().unwrap_or_else(|e| panic!("{e}")))
        .args(args)
        .env("TELEMETRY_ENABLED", "true")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// The workload serving `/metrics` on a free loopback port with `args`, once it has run all its
/// tasks; the child and the scrape URL.
fn serving(args: &[&str]) -> (Child, String) {
    let address = format!("127.0.0.1:{}", free_port());
    let (mut child, lines) = workload(&[&["--metrics-addr", &address, "--hold", "120"], args].concat());
    if wait_line(&lines, "done:", Instant::now() + Duration::from_secs(60)).is_err() {
        let _ = child.kill();
        panic!("the workload did not finish its tasks");
    }
    (child, format!("http://{address}/metrics"))
}

/// Runs `docs-gen live-check ARGS` on Tasker's catalog, bounded by `timeout`.
fn live_check(args: &[&str], timeout: Duration) -> Output {
    let mut child = Command::new(docs_gen_binary().unwrap_or_else(|e| panic!("{e}")))
        .arg("live-check")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let by = Instant::now() + timeout;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > by {
            let _ = child.kill();
            panic!("docs-gen live-check {args:?} ran past {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let start = text.find('{').unwrap_or_else(|| panic!("no JSON in {text}"));
    serde_json::from_str(&text[start..]).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Tasker's catalog.
fn catalog() -> catalog_model::Catalog {
    catalog_model::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics.yaml"), "metrics.yaml").unwrap()
}

/// The names of Tasker's metrics with status `instrumented`.
fn instrumented() -> Vec<String> {
    catalog()
        .metrics
        .iter()
        .filter(|m| m.status == catalog_model::model::Status::Instrumented)
        .map(|m| m.name.clone())
        .collect()
}

/// Every instrumented metric seen, no finding, coverage printed for the record.
fn assert_clean(report: &serde_json::Value, what: &str) {
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.is_empty(), "{what}: {}", serde_json::to_string_pretty(findings).unwrap());
    let per_metric = report["coverage"]["per_metric"].as_array().unwrap();
    let seen: Vec<&str> =
        per_metric.iter().filter(|m| m["seen"] == true).filter_map(|m| m["metric"].as_str()).collect();
    assert_eq!(seen, instrumented(), "{what}: the metrics seen");
    assert_eq!(report["passed"], true, "{what}");
    let not_counted = report["not_counted"].as_array().unwrap();
    assert!(not_counted.iter().all(|n| n["seen"] == false), "{what}: a planned metric was seen: {not_counted:?}");
    eprintln!(
        "{what}: {} samples, metrics {}/{}, closed values {}/{}",
        report["samples"],
        report["coverage"]["metrics"]["seen"],
        report["coverage"]["metrics"]["total"],
        report["coverage"]["values"]["seen"],
        report["coverage"]["values"]["total"]
    );
}

#[test]
fn the_workload_scrape_matches_the_catalog_and_drift_is_named() {
    let (mut child, url) = serving(&["--tasks", "12"]);
    let text_out = live_check(&["--scrape", &url, "--min-coverage", "100"], Duration::from_secs(30));
    let out = live_check(&["--scrape", &url, "--min-coverage", "100", "--format", "json"], Duration::from_secs(30));
    // The drift below is written against the text format (live-check itself asks for OpenMetrics).
    let address: std::net::SocketAddr = url.trim_start_matches("http://").trim_end_matches("/metrics").parse().unwrap();
    let scrape = test_support::net::call(address, "GET", "/metrics", &[("Accept", "text/plain;version=0.0.4")]).text();
    let _ = child.kill();
    let _ = child.wait();
    eprintln!("{}", String::from_utf8_lossy(&text_out.stdout));
    assert_eq!(text_out.status.code(), Some(0), "{}", String::from_utf8_lossy(&text_out.stderr));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_clean(&json(&out), "scrape");

    // The same scrape, drifted on three lines.
    let mut lines: Vec<String> = scrape.lines().map(str::to_owned).collect();
    let first = |lines: &[String], pred: &dyn Fn(&str) -> bool| lines.iter().position(|l| pred(l)).unwrap();
    // 1. A family the catalog does not declare: the claimed-steps counter under another name.
    for l in lines.iter_mut() {
        *l = l.replace("tasker_steps_claimed_total", "tasker_steps_grabbed_total");
    }
    let unknown = first(&lines, &|l| l.starts_with("tasker_steps_grabbed_total")) + 1;
    // 2. A closed value outside its set.
    let value =
        first(&lines, &|l| l.starts_with("tasker_step_claim_duration_milliseconds_bucket{claim_method=\"poll\""));
    lines[value] = lines[value].replacen("claim_method=\"poll\"", "claim_method=\"webhook\"", 1);
    // 3. A required label taken off a series.
    let missing = first(&lines, &|l| l.starts_with("tasker_tasks_requests_total{") && l.contains("namespace=\""));
    let (before, rest) = lines[missing].split_once("namespace=\"").unwrap();
    let after = rest.split_once('"').unwrap().1.trim_start_matches(',');
    lines[missing] = format!("{before}{after}").replace(",}", "}");
    let dir = TempDir::new("live-check");
    let drifted: PathBuf = dir.0.join("drifted.prom");
    std::fs::write(&drifted, lines.join("\n") + "\n").unwrap();
    let file = drifted.to_str().unwrap();
    let out = live_check(&["--exposition", file], Duration::from_secs(30));
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}");
    assert_eq!(out.status.code(), Some(1), "{text}");
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(": error[")).collect();
    // The report goes in the order of the file.
    let mut expected = [
        (
            value + 1,
            format!(
                "{file}:{}: error[value_outside_set]: `tasker_step_claim_duration_milliseconds` has `claim_method=\"webhook\"`, outside the label's declared values (event, poll)",
                value + 1
            ),
        ),
        (
            unknown,
            format!(
                "{file}:{unknown}: error[undeclared_metric]: metric family `tasker_steps_grabbed_total` (counter) is not declared in the catalog"
            ),
        ),
        (
            missing + 1,
            format!(
                "{file}:{}: error[missing_label]: `tasker_tasks_requests_total` has a series without the required label `namespace`",
                missing + 1
            ),
        ),
    ];
    expected.sort();
    assert_eq!(errors, expected.iter().map(|(_, e)| e.as_str()).collect::<Vec<_>>(), "{text}");
    // The renamed family is also a declared metric not seen.
    assert!(text.contains("  NOT SEEN tasker.steps.claimed.total"), "{text}");
}

#[test]
fn the_workload_otlp_export_matches_the_catalog() {
    // live-check listens first, on a port of its choosing, and says which.
    let mut check = Command::new(docs_gen_binary().unwrap_or_else(|e| panic!("{e}")))
        .args(["live-check", "--otlp", "127.0.0.1:0", "--exports", "2", "--timeout", "60"])
        .args(["--min-coverage", "100", "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(check.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let address = first.trim().strip_prefix("otlp: listening on ").unwrap_or_else(|| panic!("{first}")).to_owned();
    // The workload exports through the SDK's OTLP/gRPC exporter every second.
    let dir = TempDir::new("live-check-otlp");
    let config = dir.0.join("telemetry.toml");
    std::fs::write(
        &config,
        format!(
            "[telemetry]\nenabled = true\nservice_name = \"tasker-live-check\"\n\n[telemetry.opentelemetry]\nenabled = true\nendpoint = \"http://{address}\"\nexport_interval_seconds = 1\nexporters = [\"otlp\"]\n"
        ),
    )
    .unwrap();
    let (mut workload, _lines) = workload(&["--tasks", "12", "--config", config.to_str().unwrap(), "--hold", "10"]);
    let by = Instant::now() + Duration::from_secs(90);
    while check.try_wait().unwrap().is_none() {
        if Instant::now() > by {
            let _ = check.kill();
            let _ = workload.kill();
            panic!("live-check --otlp did not end");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = workload.kill();
    let _ = workload.wait();
    let out = check.wait_with_output().unwrap();
    let mut text = first.clone();
    std::io::Read::read_to_string(&mut stdout, &mut text).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}{err}");
    let report: serde_json::Value =
        serde_json::from_str(&text[first.len()..]).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(report["source"], format!("OTLP at {address}"));
    assert_clean(&report, "otlp");
}

#[test]
fn a_service_that_drops_a_label_is_checked_with_the_same_drop() {
    // The steady-state profile's export: correlation ids dropped (telemetry.toml's drop_labels).
    let (mut child, url) = serving(&["--tasks", "6", "--drop-labels", "correlation_id"]);
    let without = live_check(&["--scrape", &url, "--format", "json"], Duration::from_secs(30));
    let with =
        live_check(&["--scrape", &url, "--format", "json", "--drop-labels", "correlation_id"], Duration::from_secs(30));
    let _ = child.kill();
    let _ = child.wait();
    // Without the flag: the required label is missing on every metric that declares it, and
    // nothing else is wrong.
    assert_eq!(without.status.code(), Some(1));
    let report = json(&without);
    let missing: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(
                (f["kind"].as_str(), f["detail"].as_str()),
                (Some("missing_label"), Some("correlation_id")),
                "{f}"
            );
            f["metric"].as_str().unwrap()
        })
        .collect();
    let catalog = catalog();
    let mut declaring: Vec<&str> = catalog
        .metrics
        .iter()
        .filter(|m| m.status == catalog_model::model::Status::Instrumented)
        .filter(|m| m.labels.iter().any(|&l| catalog.labels[l].key == "correlation_id"))
        .map(|m| m.prometheus.base.as_str())
        .collect();
    let mut missing_sorted = missing.clone();
    missing_sorted.sort();
    declaring.sort();
    assert_eq!(missing_sorted, declaring);
    eprintln!("without --drop-labels: {} metrics miss correlation_id", missing.len());
    // With it: clean.
    assert_eq!(with.status.code(), Some(0), "{}", String::from_utf8_lossy(&with.stdout));
    assert_clean(&json(&with), "scrape with correlation_id dropped");
}
