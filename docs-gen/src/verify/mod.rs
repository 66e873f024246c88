//! `docs-gen verify`: every query of the catalog, run against a live Prometheus server.
//!
//! Each query is placed (which metric or section shows it) and given an expectation: a query of an
//! instrumented metric, or one outside the metric sections that names only instrumented metrics'
//! series, must return data; an alert condition may return nothing (it is not firing) but must not
//! fail; a query that names a metric not instrumented yet is not run. The outcomes become the
//! [`Record`] the reference renders its expected outputs from. [`api`] is the HTTP client of
//! Prometheus's query API.

pub mod api;

use crate::verify::api::{QueryResponse, Unreachable};
use catalog_docs::record::{self, Outcome, QueryResult, Record};
use catalog_model::model::{Catalog, Query, Status};
use catalog_promql::syntax::matches_on;
use catalog_promql::{Queries, SeriesIndex};
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt::Write;

/// What a query must return for the run to pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectation<'c> {
    /// Data: the query's metrics are all instrumented.
    Data,
    /// An alert condition: nothing means "not firing"; only an error fails.
    Alert,
    /// Not run: it names a metric with this status.
    NotYetVerifiable(Status),
    /// Run, but nothing is its right answer: it matches on a label the profile drops at export
    /// (`correlation_id` in the steady state).
    Dropped(&'c str),
}

/// The targets of a profile that drops `dropped` at export: a query that matches on one of those
/// labels can only return nothing, and is expected to.
pub fn targets_dropping<'c>(c: &'c Catalog, queries: &Queries, dropped: &[&'c str]) -> Vec<Target<'c>> {
    let mut out = targets(c, queries);
    for t in &mut out {
        if t.expectation == Expectation::Data
            && let Some(label) = dropped.iter().find(|l| matches_on(queries.ast(t.query), l))
        {
            t.expectation = Expectation::Dropped(label);
        }
    }
    out
}

/// One query of the catalog, where the reference shows it.
#[derive(Debug)]
pub struct Target<'c> {
    pub query: &'c Query,
    /// The metric or section: `app.jobs.completed.total`, `Example Queries › Job Flow › Jobs for one id`.
    pub place: String,
    /// The query's title, or `alert NAME`.
    pub title: String,
    pub expectation: Expectation<'c>,
}

/// Every query of the catalog, in the order of [`Catalog::queries`].
pub fn targets<'c>(c: &'c Catalog, queries: &Queries) -> Vec<Target<'c>> {
    let index = SeriesIndex::new(c);
    // The first metric the query names that is not instrumented, if any.
    let pending = |q: &Query| {
        index.metrics_selected(queries.ast(q)).into_iter().map(|m| m.status).find(|s| *s != Status::Instrumented)
    };
    let expect = |owner: Option<Status>, q: &Query, alert: bool| match owner
        .filter(|s| *s != Status::Instrumented)
        .or_else(|| pending(q))
    {
        Some(status) => Expectation::NotYetVerifiable(status),
        None if alert => Expectation::Alert,
        None => Expectation::Data,
    };
    let mut out = Vec::new();
    for m in &c.metrics {
        for q in &m.queries {
            let expectation = expect(Some(m.status), q, false);
            out.push(Target { query: q, place: m.name.clone(), title: one_line(&q.title), expectation });
        }
        for a in &m.alerts {
            let expectation = expect(Some(m.status), &a.query, true);
            let title = format!("alert {}", a.name);
            out.push(Target { query: &a.query, place: m.name.clone(), title, expectation });
        }
    }
    for s in &c.examples {
        for e in &s.examples {
            let place = format!("Example Queries › {} › {}", one_line(&s.title), one_line(&e.title));
            for q in &e.queries {
                let expectation = expect(None, q, false);
                out.push(Target { query: q, place: place.clone(), title: one_line(&q.title), expectation });
            }
        }
    }
    for d in &c.dashboards {
        for p in &d.panels {
            let place = format!("Dashboard {} › {}", one_line(&d.title), one_line(&p.title));
            for q in &p.queries {
                let expectation = expect(None, q, false);
                out.push(Target { query: q, place: place.clone(), title: one_line(&q.title), expectation });
            }
        }
    }
    for g in &c.verification {
        let place = format!("Verification Checklist › {}", one_line(&g.title));
        for q in g.items.iter().filter_map(|i| i.query.as_ref()) {
            let expectation = expect(None, q, false);
            out.push(Target { query: q, place: place.clone(), title: one_line(&q.title), expectation });
        }
    }
    out
}

/// A target and what it returned.
#[derive(Debug)]
pub struct Checked<'c> {
    pub target: Target<'c>,
    pub result: QueryResult,
}

impl Checked<'_> {
    /// Whether this result fails the run.
    pub fn failed(&self) -> bool {
        match self.target.expectation {
            Expectation::Data => self.result.outcome != Outcome::Data,
            Expectation::Alert => self.result.outcome == Outcome::Error,
            Expectation::NotYetVerifiable(_) => false,
            Expectation::Dropped(_) => self.result.outcome != Outcome::NoData,
        }
    }
}

/// Runs every verifiable target through `query` (each distinct expression once, in order) and
/// pairs each target with its result. Stops at the first transport failure.
pub fn run<'c>(
    targets: Vec<Target<'c>>,
    mut query: impl FnMut(&str) -> Result<QueryResponse, Unreachable>,
) -> Result<Vec<Checked<'c>>, Unreachable> {
    let mut results: BTreeMap<String, QueryResult> = BTreeMap::new();
    for t in targets.iter().filter(|t| !matches!(t.expectation, Expectation::NotYetVerifiable(_))) {
        let key = record::normalize(&t.query.expr);
        if let Entry::Vacant(slot) = results.entry(key) {
            slot.insert(result_of(query(t.query.expr.trim())?));
        }
    }
    Ok(targets
        .into_iter()
        .map(|target| {
            let result = match target.expectation {
                Expectation::NotYetVerifiable(status) => not_verifiable(status),
                Expectation::Dropped(label) => {
                    let mut r = results[&record::normalize(&target.query.expr)].clone();
                    if r.outcome == Outcome::NoData {
                        r.summary = format!("no series: this profile drops `{label}`");
                    }
                    r
                }
                _ => results[&record::normalize(&target.query.expr)].clone(),
            };
            Checked { target, result }
        })
        .collect())
}

/// The result of a query from Prometheus's answer.
pub fn result_of(response: QueryResponse) -> QueryResult {
    match response {
        Ok(values) if values.is_empty() => {
            QueryResult { outcome: Outcome::NoData, series: 0, summary: record::summarize(&values) }
        }
        Ok(values) => QueryResult { outcome: Outcome::Data, series: values.len(), summary: record::summarize(&values) },
        Err(error) => {
            QueryResult { outcome: Outcome::Error, series: 0, summary: record::elide(&one_line(&error), 1000) }
        }
    }
}

fn not_verifiable(status: Status) -> QueryResult {
    let summary = match status {
        Status::Planned => "planned metric",
        Status::DefinedNotInstrumented => "defined, not instrumented metric",
        Status::Instrumented => "instrumented metric",
    };
    QueryResult { outcome: Outcome::NotVerifiable, series: 0, summary: summary.into() }
}

/// The record of a run. An expression shown in several places is run once; where one place could
/// not run it and another did, the result of the run is kept.
pub fn record(checked: &[Checked], date: String, prometheus_version: String, workload: String) -> Record {
    let mut queries: BTreeMap<String, QueryResult> = BTreeMap::new();
    for c in checked {
        let key = record::normalize(&c.target.query.expr);
        let keep = queries.get(&key).is_some_and(|r| r.outcome != Outcome::NotVerifiable);
        if !keep {
            queries.insert(key, c.result.clone());
        }
    }
    Record { date, prometheus_version, queries, workload, steady_state: None }
}

/// The report: one line per query (pass mark, outcome, place, title, expression, result), then a
/// summary line.
pub fn report(checked: &[Checked], prometheus: &str) -> String {
    let mut out = String::new();
    for c in checked {
        let mark = match (c.failed(), c.target.expectation) {
            (true, _) => "FAIL",
            (false, Expectation::NotYetVerifiable(_)) => "skip",
            (false, _) => "ok",
        };
        let (word, detail) = match (c.result.outcome, c.target.expectation) {
            (_, Expectation::NotYetVerifiable(s)) => (
                if s == Status::Planned { "planned" } else { "defined" },
                format!(
                    "not yet verifiable ({})",
                    if s == Status::Planned { "planned" } else { "defined, not instrumented" }
                ),
            ),
            (Outcome::Data, _) => ("data", c.result.summary.clone()),
            (Outcome::NoData, Expectation::Alert) => ("no data", "returned nothing (alert not firing)".into()),
            (Outcome::NoData, Expectation::Dropped(l)) => ("no data", format!("returned nothing (`{l}` is dropped)")),
            (Outcome::NoData, _) => ("no data", "returned nothing".into()),
            (Outcome::Error, _) => ("error", c.result.summary.clone()),
            (Outcome::NotVerifiable, _) => ("skipped", c.result.summary.clone()),
        };
        let _ = writeln!(
            out,
            "{mark:<4} {word:<7}  {} · {} · {} → {detail}",
            c.target.place,
            c.target.title,
            record::normalize(&c.target.query.expr)
        );
    }
    let count = |o: Outcome| checked.iter().filter(|c| c.result.outcome == o).count();
    let failed = checked.iter().filter(|c| c.failed()).count();
    let _ = writeln!(
        out,
        "{} against {prometheus}: {} returned data, {} returned nothing, {}, {} not yet verifiable; {} failed",
        plural(checked.len(), "query", "queries"),
        count(Outcome::Data),
        count(Outcome::NoData),
        plural(count(Outcome::Error), "error", "errors"),
        count(Outcome::NotVerifiable),
        failed
    );
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
