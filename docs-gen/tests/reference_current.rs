//! Fails when the committed docs/METRICS.md no longer matches metrics.yaml and the verification
//! record docs/verification.json (when there is one).

use std::path::Path;

#[test]
fn committed_reference_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let catalog = docs_gen::load(&root.join("metrics.yaml"), "metrics.yaml").unwrap_or_else(|e| panic!("{e}"));
    let record = docs_gen::Record::read(&root.join("docs/verification.json")).unwrap_or_else(|e| panic!("{e}"));
    let expected = docs_gen::emit::markdown::render_with_record(&catalog, record.as_ref());
    let committed = std::fs::read_to_string(root.join("docs/METRICS.md")).unwrap_or_default();
    assert!(
        committed == expected,
        "docs/METRICS.md is stale: it does not match metrics.yaml and docs/verification.json. Run `cargo run -p \
         docs-gen` and commit the result."
    );
}

#[test]
fn seed_catalog_has_44_metrics_in_5_domains() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let c = docs_gen::load(&root.join("metrics.yaml"), "metrics.yaml").unwrap();
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
