//! The generated Prometheus rules, read by Prometheus's own promtool (Debian's 2.42 package):
//! `promtool check rules` accepts the committed rule file, `promtool test rules` passes every alert
//! unit test of the catalog, and a test whose expectation is wrong fails (so the run above can
//! fail). Without promtool on PATH the tests say so and pass, except under `CI=true`.

use catalog_docs::emit::rules::{self, Layout};
use catalog_docs::plan::Plan;
use catalog_docs::plan::names::{rule_file, test_file};
use std::path::Path;
use std::process::{Command, Output};
use test_support::workspace as root;

fn promtool_installed() -> bool {
    if Command::new("promtool").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "promtool is not installed (apt-get install -y prometheus); CI=true requires it"
    );
    eprintln!("skipped: promtool is not installed (apt-get install -y prometheus)");
    false
}

fn promtool(dir: &Path, args: &[&str]) -> (Output, String) {
    let out = Command::new("promtool").args(args).current_dir(dir).output().expect("promtool runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out, text)
}

fn tasker() -> (catalog_model::Catalog, catalog_promql::Queries) {
    catalog_docs::load(&root().join("metrics.yaml"), "metrics.yaml").unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn promtool_checks_the_committed_rule_file() {
    if !promtool_installed() {
        return;
    }
    let (c, queries) = tasker();
    let alerts: usize = c.metrics.iter().map(|m| m.alerts.len()).sum();
    let recording = Plan::new(&c, &queries).recording.len();
    let dir = root().join("deploy/prometheus");
    let (out, text) = promtool(&dir, &["check", "rules", "tasker.rules.yml"]);
    eprintln!("{text}");
    assert!(out.status.success(), "promtool check rules failed:\n{text}");
    // Every alert and recording rule of the catalog is in the file promtool read.
    assert!(text.contains(&format!("SUCCESS: {} rules found", alerts + recording)), "{text}");
    assert!(alerts >= 9 && recording >= 1, "{alerts} alerts, {recording} recording rules");
}

#[test]
fn promtool_runs_every_alert_unit_test_of_the_catalog() {
    if !promtool_installed() {
        return;
    }
    let (c, _) = tasker();
    let dir = root().join("deploy/prometheus");
    let committed = std::fs::read_to_string(dir.join("tasker.rules.test.yml")).unwrap();
    let cases: usize = c.metrics.iter().flat_map(|m| &m.alerts).map(|a| a.tests.len()).sum();
    assert_eq!(committed.matches("\n  - name: ").count(), cases, "one promtool test per catalog case");
    let (out, text) = promtool(&dir, &["test", "rules", "tasker.rules.test.yml"]);
    eprintln!("{text}");
    assert!(out.status.success(), "promtool test rules failed:\n{text}");
    assert!(text.contains("SUCCESS"), "{text}");
}

/// The same catalog with one case's evaluation time a minute early: promtool must fail it, and
/// name it. Rendered into a temporary directory with the rule file beside it.
#[test]
fn a_wrong_expectation_fails_promtool() {
    if !promtool_installed() {
        return;
    }
    let text = std::fs::read_to_string(root().join("metrics.yaml")).unwrap();
    let case = "                values: 0+1200x15\n            at: 5m\n";
    assert_eq!(text.matches(case).count(), 1, "the FfiCompletionSlowSends firing case moved");
    let edited = text.replace(case, "                values: 0+1200x15\n            at: 4m\n");
    let (c, queries) = catalog_docs::load_str("metrics.yaml", &edited).unwrap_or_else(|d| panic!("{d}"));
    let plan = Plan::new(&c, &queries);
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout { catalog: "metrics.yaml".into(), regenerate: "test".into(), reference: "METRICS.md".into() };
    for (file, body) in [
        (rule_file(&c), rules::render_rules(&plan, &layout).unwrap()),
        (test_file(&c), rules::render_tests(&plan, &layout).unwrap()),
    ] {
        let path = dir.path().join(&file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    let (out, text) = promtool(&dir.path().join("prometheus"), &["test", "rules", "tasker.rules.test.yml"]);
    assert!(!out.status.success(), "promtool passed a case that cannot fire yet:\n{text}");
    assert!(text.contains("FfiCompletionSlowSends fires at 4m"), "{text}");
    // Pending at 4m: promtool reports no alert where one was expected.
    assert!(text.contains("time: 4m"), "{text}");
}

/// The fixture catalog's rules pass too: the generator is not tuned to one catalog.
#[test]
fn the_fixture_catalogs_rules_pass_promtool() {
    if !promtool_installed() {
        return;
    }
    let path = test_support::fixture("good/minimal.yaml");
    let (c, queries) = catalog_docs::load(&path, "minimal.yaml").unwrap();
    let plan = Plan::new(&c, &queries);
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout { catalog: "minimal.yaml".into(), regenerate: "test".into(), reference: "METRICS.md".into() };
    std::fs::create_dir_all(dir.path().join("prometheus")).unwrap();
    std::fs::write(dir.path().join(rule_file(&c)), rules::render_rules(&plan, &layout).unwrap()).unwrap();
    std::fs::write(dir.path().join(test_file(&c)), rules::render_tests(&plan, &layout).unwrap()).unwrap();
    let (out, text) = promtool(&dir.path().join("prometheus"), &["check", "rules", "minimal.rules.yml"]);
    assert!(out.status.success(), "{text}");
    let (out, text) = promtool(&dir.path().join("prometheus"), &["test", "rules", "minimal.rules.test.yml"]);
    assert!(out.status.success(), "{text}");
}
