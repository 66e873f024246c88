//! Fails when a committed generated file (docs/METRICS.md, the rule files and dashboards in
//! deploy/) no longer matches metrics.yaml and the verification record docs/verification.json.

use catalog_docs::outputs::{self, Layout};
use catalog_docs::plan::Plan;
use catalog_docs::record::Record;
use test_support::workspace;

#[test]
fn committed_reference_rules_and_dashboards_are_current() {
    let root = workspace();
    let (catalog, queries) =
        catalog_docs::load(&root.join("metrics.yaml"), "metrics.yaml").unwrap_or_else(|e| panic!("{e}"));
    let record = Record::read(&root.join("docs/verification.json")).unwrap_or_else(|e| panic!("{e}"));
    let layout = Layout {
        catalog: "metrics.yaml",
        reference: root.join("docs/METRICS.md"),
        deploy: Some(root.join("deploy")),
        regenerate: Some("cargo run -p docs-gen"),
    };
    let files = outputs::files(&Plan::new(&catalog, &queries), record.as_ref(), &layout);
    assert!(files.len() >= 7, "the reference, two rule files and four dashboards: {}", files.len());
    for (path, expected) in files {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "{} is stale: it does not match metrics.yaml and docs/verification.json. Run `cargo run -p docs-gen` \
             and commit the result.",
            path.display()
        );
    }
}

#[test]
fn seed_catalog_has_44_metrics_in_5_domains() {
    let c = catalog_model::load(&workspace().join("metrics.yaml"), "metrics.yaml").unwrap();
    assert_eq!(c.metrics.len(), 44);
    let domains: Vec<&str> = c.domains.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(domains, ["orchestration", "worker", "resilience", "database", "messaging"]);
    assert_eq!(c.metrics.iter().filter(|m| m.name == "tasker.queue.depth").count(), 1);
    // The names the issue and the seed's exporter pin.
    let series = |name: &str| c.metrics.iter().find(|m| m.name == name).unwrap().prometheus.series.clone();
    assert_eq!(
        series("tasker.step.execution.duration"),
        [
            "tasker_step_execution_duration_milliseconds_bucket",
            "tasker_step_execution_duration_milliseconds_sum",
            "tasker_step_execution_duration_milliseconds_count"
        ]
    );
    assert_eq!(series("tasker.tasks.requests.total"), ["tasker_tasks_requests_total"]);
    assert_eq!(series("mpsc_channel_usage_percent"), ["mpsc_channel_usage_percent"]);
}
