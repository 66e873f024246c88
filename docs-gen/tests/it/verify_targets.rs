//! Which query of a catalog `verify` runs and what it expects of it, against a stand-in for the
//! server: every query in catalog order, alert conditions allowed to return nothing, queries of
//! metrics not yet instrumented not run, queries on a dropped label expected to return nothing.

use catalog_docs::record::Outcome;
use catalog_model::Catalog;
use catalog_model::model::Status;
use catalog_promql::Queries;
use docs_gen::verify::api::Unreachable;
use docs_gen::verify::{Expectation, record, report, run, targets, targets_dropping};

fn minimal() -> (Catalog, Queries) {
    catalog_docs::load(&test_support::fixture("good/minimal.yaml"), "minimal.yaml").unwrap()
}

#[test]
fn targets_cover_every_query_in_catalog_order() {
    let (c, queries) = minimal();
    let t = targets(&c, &queries);
    let from_targets: Vec<&str> = t.iter().map(|t| t.query.expr.as_str()).collect();
    let from_catalog: Vec<&str> = c.queries().map(|q| q.expr.as_str()).collect();
    assert_eq!(from_targets, from_catalog);
    let alert = t.iter().find(|t| t.title == "alert BreakerOpen").unwrap();
    assert_eq!(alert.expectation, Expectation::Alert);
    assert_eq!(alert.place, "breaker_state");
    let panel = t.iter().find(|t| t.query.expr == "breaker_state").unwrap();
    assert_eq!(panel.place, "Dashboard Health Panels › Breaker state");
    assert_eq!(panel.expectation, Expectation::Data);
}

#[test]
fn queries_on_a_dropped_label_expect_nothing() {
    let (c, queries) = minimal();
    let t = targets_dropping(&c, &queries, &["job_id"]);
    let per_job = t.iter().find(|t| t.query.expr.contains("job_id=")).unwrap();
    assert_eq!(per_job.expectation, Expectation::Dropped("job_id"));
    // Nothing is its right answer; data would mean the label was not dropped.
    let checked = run(t, |expr| Ok(Ok(if expr.contains("job_id=") { vec![] } else { vec![1.0] }))).unwrap();
    let per_job = checked.iter().find(|c| c.target.query.expr.contains("job_id=")).unwrap();
    assert!(!per_job.failed());
    assert_eq!(per_job.result.summary, "no series: this profile drops `job_id`");
    let t = targets_dropping(&c, &queries, &["job_id"]);
    let checked = run(t, |_| Ok(Ok(vec![1.0]))).unwrap();
    assert!(checked.iter().find(|c| c.target.query.expr.contains("job_id=")).unwrap().failed());
}

#[test]
fn queries_naming_metrics_not_yet_instrumented_are_not_run() {
    let path = test_support::fixture("good/minimal.yaml");
    let text = std::fs::read_to_string(path).unwrap().replace(
        "      - text: returns non-zero\n",
        "      - text: shows running jobs\n        query: sum(app_jobs_running) + sum(app_jobs_completed_total)\n      \
         - text: returns non-zero\n",
    );
    let (c, queries) = catalog_docs::load_str("minimal.yaml", &text).unwrap();
    let t = targets(&c, &queries);
    let mixed = t.iter().find(|t| t.title == "shows running jobs").unwrap();
    assert_eq!(mixed.expectation, Expectation::NotYetVerifiable(Status::Planned));

    let mut asked = Vec::new();
    let checked = run(t, |expr| {
        asked.push(expr.to_owned());
        Ok(Ok(vec![1.0]))
    })
    .unwrap();
    assert!(!asked.iter().any(|e| e.contains("app_jobs_running")), "{asked:?}");
    let mixed = checked.iter().find(|c| c.target.title == "shows running jobs").unwrap();
    assert_eq!(mixed.result.outcome, Outcome::NotVerifiable);
    assert_eq!(mixed.result.summary, "planned metric");
    assert!(!mixed.failed());
}

#[test]
fn outcomes_decide_pass_or_fail() {
    let (c, queries) = minimal();
    // The alert returns nothing, the checklist query errs, everything else returns data.
    let checked = run(targets(&c, &queries), |expr| {
        Ok(match expr {
            "breaker_state == 2" => Ok(vec![]),
            "app_jobs_completed_total" => Err("execution: boom".into()),
            _ => Ok(vec![2.0, 4.0]),
        })
    })
    .unwrap();
    let failed: Vec<&str> = checked.iter().filter(|c| c.failed()).map(|c| c.target.place.as_str()).collect();
    assert_eq!(failed, ["Verification Checklist › Basics"]);
    let text = report(&checked, "Prometheus 2.42.0 at http://127.0.0.1:9090");
    assert!(
        text.contains(
            "ok   no data  breaker_state · alert BreakerOpen · breaker_state == 2 → returned nothing (alert not firing)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "FAIL error    Verification Checklist › Basics · returns non-zero · app_jobs_completed_total → execution: boom\n"
        ),
        "{text}"
    );
    assert!(text.ends_with(
        "8 queries against Prometheus 2.42.0 at http://127.0.0.1:9090: 6 returned data, 1 returned nothing, \
         1 error, 0 not yet verifiable; 1 failed\n"
    ));

    let r = record(&checked, "2026-11-24T10:15:00Z".into(), "2.42.0".into(), "burst".into());
    assert_eq!(r.queries.len(), 8);
    let p95 = r.result("histogram_quantile(0.95, sum by (le) (app_job_duration_milliseconds_bucket))").unwrap();
    assert_eq!((p95.outcome, p95.series, p95.summary.as_str()), (Outcome::Data, 2, "2 series, values 2–4"));
}

#[test]
fn an_unreachable_server_stops_the_run() {
    let (c, queries) = minimal();
    let err = run(targets(&c, &queries), |_| Err(Unreachable("connection refused".into()))).unwrap_err();
    assert_eq!(err.0, "connection refused");
}
