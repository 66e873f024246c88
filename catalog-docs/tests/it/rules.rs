//! The generated Prometheus rules, read by Prometheus's own promtool (Debian's 2.42 package):
//! `promtool check rules` accepts the committed rule file, `promtool test rules` passes every alert
//! unit test of the catalog, and a test whose expectation is wrong fails (so the run above can
//! fail). Without promtool on PATH the tests say so and pass, except under `CI=true`.

use catalog_docs::emit::rules::{self, Layout};
use catalog_docs::plan::Plan;
use catalog_docs::plan::names::rule_file;
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

/// Writes the rule file and every test file of `plan` into `dir` (as `deploy/` would hold them);
/// returns the test files' names.
fn write_rules(dir: &Path, plan: &Plan, layout: &Layout) -> Vec<String> {
    let c = plan.catalog;
    let mut files = vec![(rule_file(c), rules::render_rules(plan, layout).unwrap())];
    let tests = rules::render_tests(plan, layout);
    let names = tests.iter().map(|(f, _)| f.rsplit('/').next().unwrap().to_owned()).collect();
    files.extend(tests);
    for (file, body) in files {
        let path = dir.join(&file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    names
}

/// Writes the rule and test files of `plan` into `dir`, then `promtool check rules` and `promtool
/// test rules` (every test file) must pass.
fn check_and_test(dir: &Path, plan: &Plan, layout: &Layout) {
    let files = write_rules(dir, plan, layout);
    let rule_file = rule_file(plan.catalog);
    let rule_file = rule_file.rsplit('/').next().unwrap();
    let (out, text) = promtool(&dir.join("prometheus"), &["check", "rules", rule_file]);
    assert!(out.status.success(), "{text}");
    let mut args = vec!["test", "rules"];
    args.extend(files.iter().map(String::as_str));
    let (out, text) = promtool(&dir.join("prometheus"), &args);
    eprintln!("{text}");
    assert!(out.status.success(), "{text}");
}

#[test]
fn promtool_checks_the_committed_rule_file() {
    if !promtool_installed() {
        return;
    }
    let (c, queries) = tasker();
    let alerts: usize = c.metrics.iter().map(|m| m.alerts.len()).sum();
    let plan = Plan::new(&c, &queries);
    let recording = plan.recording.len();
    let slo_rules: usize = plan.slos.iter().map(|p| p.records.len() + p.alerts.len()).sum();
    let dir = root().join("deploy/prometheus");
    let (out, text) = promtool(&dir, &["check", "rules", "tasker.rules.yml"]);
    eprintln!("{text}");
    assert!(out.status.success(), "promtool check rules failed:\n{text}");
    // Every alert, recording rule and SLO rule of the catalog is in the file promtool read.
    assert!(text.contains(&format!("SUCCESS: {} rules found", alerts + recording + slo_rules)), "{text}");
    assert!(alerts >= 9 && recording >= 1, "{alerts} alerts, {recording} recording rules");
    // Three SLOs of four tiers each; their error ratios over every window, budget rules, alerts.
    assert_eq!(plan.slos.len(), 3);
    assert!(plan.slos.iter().all(|p| p.alerts.len() == 4), "every Tasker SLO keeps the workbook's four tiers");
}

#[test]
fn promtool_runs_every_alert_and_slo_unit_test_of_the_catalog() {
    if !promtool_installed() {
        return;
    }
    let (c, queries) = tasker();
    let plan = Plan::new(&c, &queries);
    let dir = root().join("deploy/prometheus");
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".test.yml"))
        .collect();
    let committed: usize =
        files.iter().map(|f| std::fs::read_to_string(dir.join(f)).unwrap().matches("\n  - name: ").count()).sum();
    let cases: usize = c.metrics.iter().flat_map(|m| &m.alerts).map(|a| a.tests.len()).sum();
    let slo_cases: usize = plan.slos.iter().map(|p| p.cases.len()).sum();
    assert_eq!(committed, cases + slo_cases, "one promtool test per catalog case and per derived SLO case");
    // Per SLO and tier: a firing case, a quiet one, and a low-traffic one where a guard is set.
    for p in &plan.slos {
        let per_tier = if p.slo.min_event_rate.is_some() { 3 } else { 2 };
        assert_eq!(p.cases.len(), p.slo.tiers.len() * per_tier, "{}", p.slo.name);
    }
    let mut args = vec!["test", "rules"];
    args.extend(files.iter().map(String::as_str));
    let (out, text) = promtool(&dir, &args);
    eprintln!("{text}");
    assert!(out.status.success(), "promtool test rules failed:\n{text}");
    assert_eq!(text.matches("SUCCESS").count(), files.len(), "{text}");
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
    write_rules(dir.path(), &plan, &layout);
    let (out, text) = promtool(&dir.path().join("prometheus"), &["test", "rules", "tasker.rules.test.yml"]);
    assert!(!out.status.success(), "promtool passed a case that cannot fire yet:\n{text}");
    assert!(text.contains("FfiCompletionSlowSends fires at 4m"), "{text}");
    // Pending at 4m: promtool reports no alert where one was expected.
    assert!(text.contains("time: 4m"), "{text}");
}

/// Each derived SLO case sits one step from its tier's line: one bad event fewer per interval in a
/// firing case, or one more in a quiet case, and promtool fails that case, by its name. Done for
/// the page tier of every Tasker SLO and for the slowest tier of one.
#[test]
fn an_slo_case_moved_one_step_across_its_line_fails_promtool_by_name() {
    use catalog_docs::plan::slo::CaseKind;
    if !promtool_installed() {
        return;
    }
    let (c, queries) = tasker();
    let layout = Layout { catalog: "metrics.yaml".into(), regenerate: "test".into(), reference: "METRICS.md".into() };
    let mut moved = Vec::new();
    for (s, tier) in [(0, 0), (1, 0), (2, 0), (0, 3)] {
        for kind in [CaseKind::Fires, CaseKind::Quiet] {
            let mut plan = Plan::new(&c, &queries);
            let p = &mut plan.slos[s];
            let case = p.cases.iter_mut().find(|k| k.tier == tier && k.kind == kind).unwrap();
            // One bad event fewer (firing) or more (quiet) per interval; all events unchanged.
            let step = if kind == CaseKind::Fires { -1.0 } else { 1.0 };
            let (bad, good) = (case.bad, case.total - case.bad);
            for (_, values) in &mut case.input {
                let (per, rest) = values.strip_prefix("0+").unwrap().split_once('x').unwrap();
                let per: f64 = per.parse().unwrap();
                let new = if per == bad && per != case.total {
                    bad + step
                } else if per == good && per != case.total {
                    good - step
                } else {
                    per
                };
                *values = format!("0+{new}x{rest}");
            }
            let name = case.name.clone();
            // Only the moved case among the SLO cases: promtool then reads one case of them.
            for p in &mut plan.slos {
                p.cases.retain(|k| k.name == name);
            }
            let dir = tempfile::tempdir().unwrap();
            let files = write_rules(dir.path(), &plan, &layout);
            let mut args = vec!["test", "rules"];
            args.extend(files.iter().map(String::as_str));
            let (out, text) = promtool(&dir.path().join("prometheus"), &args);
            assert!(!out.status.success(), "promtool passed `{name}` moved one step across its line:\n{text}");
            // promtool names the failed test, and only that one fails.
            assert!(text.contains(&format!("FAILED:\n    name: {name},")), "`{name}` is not the failure:\n{text}");
            assert_eq!(text.matches("    name: ").count(), 1, "{text}");
            moved.push(name);
        }
    }
    eprintln!("moved one step, each failed by name:\n  {}", moved.join("\n  "));
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
    check_and_test(dir.path(), &plan, &layout);
}

/// SLOs unlike Tasker's pass promtool too: a 28-day period (windows scaled), a tier switched off,
/// a severity renamed, a tier of the catalog's own with a `for`, labels and annotations, and a
/// latency SLI with a guard, on the fixture catalog's metrics.
#[test]
fn slos_of_another_shape_pass_promtool() {
    if !promtool_installed() {
        return;
    }
    let slos = "
slos:
  - name: jobs-ok
    title: Jobs succeed
    description: Jobs that finish ok.
    objective: 99.5
    period: 28d
    sli:
      good: app_jobs_completed_total{outcome=\"ok\"}
      total: app_jobs_completed_total
    tiers:
      page: {severity: sev1}
      ticket_slow: {enabled: false}
      fortnight: {long: 14d, short: 1d, burn: 1, severity: sev3, for: 1h}
    labels: {team: jobs}
    annotations: {owner: the jobs team}
  - name: jobs-fast
    title: Jobs are fast
    description: Jobs that take 50 ms at most.
    objective: 90
    sli:
      latency: app_job_duration_milliseconds{outcome=\"ok\"}
      threshold: 50
    tiers:
      page: {burn: 9}
    min_event_rate: 0.05
";
    let mut text = std::fs::read_to_string(test_support::fixture("good/minimal.yaml")).unwrap();
    text.push_str(slos);
    let (c, queries) = catalog_docs::load_str("minimal.yaml", &text).unwrap_or_else(|d| panic!("{d}"));
    let plan = Plan::new(&c, &queries);
    let ok = &plan.slos[0];
    let tiers: Vec<(&str, &str, &str, &str)> = ok
        .slo
        .tiers
        .iter()
        .map(|t| (t.name.as_str(), t.long.text.as_str(), t.short.text.as_str(), t.severity.as_str()))
        .collect();
    // The workbook's windows times 28/30, to the minute; the ticket_slow tier off; the own tier last.
    assert_eq!(
        tiers,
        [
            ("page", "56m", "5m", "sev1"),
            ("page_slow", "5h36m", "28m", "critical"),
            ("ticket", "22h24m", "1h52m", "warning"),
            ("fortnight", "14d", "1d", "sev3"),
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout { catalog: "minimal.yaml".into(), regenerate: "test".into(), reference: "METRICS.md".into() };
    check_and_test(dir.path(), &plan, &layout);
    let cases: usize = plan.slos.iter().map(|p| p.cases.len()).sum();
    assert_eq!(cases, 4 * 2 + 4 * 3, "a firing and a quiet case per tier, and a low-traffic one under the guard");
}
