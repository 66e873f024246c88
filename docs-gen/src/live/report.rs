//! What live-check found: the findings in the order they first occurred, and the coverage of the
//! catalog's instrumented metrics and their closed values; as text or JSON, against a [`Gate`].

use super::checker::{Finding, Naming};
use serde::Serialize;
use std::fmt::Write;

pub(crate) fn percent(seen: usize, total: usize) -> f64 {
    if total == 0 { 100.0 } else { seen as f64 * 100.0 / total as f64 }
}

/// Which closed values of one label were seen.
#[derive(Debug, Clone, Serialize)]
pub struct LabelCoverage {
    pub key: String,
    pub seen: Vec<String>,
    pub not_seen: Vec<String>,
    /// Of an open list: values seen outside its known ones (not drift; coverage counts the known
    /// ones only), at most [`super::checker::MAX_OTHERS`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<String>,
}

/// Whether a metric with status `instrumented` was seen, and its closed values.
#[derive(Debug, Clone, Serialize)]
pub struct MetricCoverage {
    /// The catalog's name.
    pub metric: String,
    /// The name the source uses.
    pub name: String,
    pub seen: bool,
    pub labels: Vec<LabelCoverage>,
    /// The exemplars its samples carried (OpenMetrics).
    pub exemplars: u64,
}

/// A metric that is not counted as missing (status `planned` or `defined_not_instrumented`).
#[derive(Debug, Clone, Serialize)]
pub struct NotCounted {
    pub metric: String,
    pub status: &'static str,
    pub seen: bool,
}

/// What the check found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(skip)]
    pub naming: Naming,
    pub source: String,
    pub catalog: String,
    pub families: u64,
    pub samples: u64,
    pub ignored: u64,
    pub findings: Vec<Finding>,
    pub metrics: Vec<MetricCoverage>,
    pub not_counted: Vec<NotCounted>,
}

/// The least coverage the check accepts, in percent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gate {
    /// Of the metrics with status `instrumented`.
    pub metrics: Option<f64>,
    /// Of the closed values of their labels.
    pub values: Option<f64>,
}

impl Report {
    /// (seen, total) metrics with status `instrumented`.
    pub fn metric_coverage(&self) -> (usize, usize) {
        (self.metrics.iter().filter(|m| m.seen).count(), self.metrics.len())
    }

    /// (seen, total) closed values of the labels of metrics with status `instrumented`.
    pub fn value_coverage(&self) -> (usize, usize) {
        let labels = self.metrics.iter().flat_map(|m| &m.labels);
        labels.fold((0, 0), |(s, t), l| (s + l.seen.len(), t + l.seen.len() + l.not_seen.len()))
    }

    /// What the source's points are called.
    fn unit(&self) -> &'static str {
        match self.naming {
            Naming::Prometheus => "samples",
            Naming::OpenTelemetry => "points",
        }
    }

    /// Why the gate fails, if it does: each coverage below its minimum.
    pub fn below(&self, gate: Gate) -> Vec<String> {
        let mut out = Vec::new();
        let (s, t) = self.metric_coverage();
        if let Some(min) = gate.metrics.filter(|min| percent(s, t) < *min) {
            out.push(format!("metric coverage {:.1}% ({s} of {t}) is below --min-coverage {min}", percent(s, t)));
        }
        let (s, t) = self.value_coverage();
        if let Some(min) = gate.values.filter(|min| percent(s, t) < *min) {
            out.push(format!(
                "closed-value coverage {:.1}% ({s} of {t}) is below --min-value-coverage {min}",
                percent(s, t)
            ));
        }
        out
    }

    /// Whether the check passes: no finding, and the coverage at or above the gate.
    pub fn passes(&self, gate: Gate) -> bool {
        self.findings.is_empty() && self.below(gate).is_empty()
    }

    /// The report as text.
    pub fn text(&self, gate: Gate) -> String {
        let mut out = format!("live-check: {} against {}\n", self.source, self.catalog);
        let _ = writeln!(
            out,
            "read {} {} of {} metric families{}",
            self.samples,
            self.unit(),
            self.families,
            if self.ignored > 0 { format!(" ({} ignored)", self.ignored) } else { String::new() }
        );
        for f in &self.findings {
            let times = if f.count > 1 { format!(" (in {} {})", f.count, self.unit()) } else { String::new() };
            let _ = writeln!(out, "{}: error[{}]: {}{times}", f.at, f.kind.as_str(), f.message);
            if let Some(at) = &f.declared_at {
                let _ = writeln!(out, "  = declared at {at}");
            }
            let _ = writeln!(out, "  = help: {}", f.help);
        }
        let (ms, mt) = self.metric_coverage();
        let (vs, vt) = self.value_coverage();
        let _ = writeln!(
            out,
            "coverage: {ms} of {mt} instrumented metrics seen ({:.1}%), {vs} of {vt} closed values seen ({:.1}%)",
            percent(ms, mt),
            percent(vs, vt)
        );
        let width = self.metrics.iter().map(|m| m.metric.len()).max().unwrap_or(0);
        for m in &self.metrics {
            let mark = if m.seen { "seen    " } else { "NOT SEEN" };
            let labels: Vec<String> = m
                .labels
                .iter()
                .map(|l| {
                    let total = l.seen.len() + l.not_seen.len();
                    let mut text = if l.not_seen.is_empty() {
                        format!("{} {}/{total}", l.key, l.seen.len())
                    } else {
                        format!("{} {}/{total} (not seen: {})", l.key, l.seen.len(), l.not_seen.join(", "))
                    };
                    if !l.others.is_empty() {
                        text.push_str(&format!(" (open, also: {})", l.others.join(", ")));
                    }
                    text
                })
                .collect();
            // The padding leaves trailing spaces where a metric has no closed label.
            let line = format!("  {mark} {:<width$}  {}", m.metric, labels.join("; "));
            let _ = writeln!(out, "{}", line.trim_end());
        }
        let carried: Vec<String> = self
            .metrics
            .iter()
            .filter(|m| m.exemplars > 0)
            .map(|m| format!("{} ({})", m.metric, m.exemplars))
            .collect();
        let _ = writeln!(
            out,
            "exemplars: {} on {} metric{}{}",
            self.metrics.iter().map(|m| m.exemplars).sum::<u64>(),
            carried.len(),
            if carried.len() == 1 { "" } else { "s" },
            if carried.is_empty() { String::new() } else { format!(": {}", carried.join(", ")) }
        );
        let seen: Vec<&str> = self.not_counted.iter().filter(|n| n.seen).map(|n| n.metric.as_str()).collect();
        let _ = writeln!(
            out,
            "not counted (planned or defined_not_instrumented): {} metric{}, {} of them seen{}",
            self.not_counted.len(),
            if self.not_counted.len() == 1 { "" } else { "s" },
            seen.len(),
            if seen.is_empty() { String::new() } else { format!(": {}", seen.join(", ")) }
        );
        let below = self.below(gate);
        for b in &below {
            let _ = writeln!(out, "error: {b}");
        }
        let verdict = if self.passes(gate) { "ok" } else { "FAILED" };
        let _ = writeln!(out, "result: {verdict}: {} violation(s)", self.findings.iter().map(|f| f.count).sum::<u64>());
        out
    }

    /// The report as JSON.
    pub fn json(&self, gate: Gate) -> String {
        let (ms, mt) = self.metric_coverage();
        let (vs, vt) = self.value_coverage();
        let value = serde_json::json!({
            "source": self.source,
            "catalog": self.catalog,
            "passed": self.passes(gate),
            "families": self.families,
            "samples": self.samples,
            "ignored": self.ignored,
            "violations": self.findings.iter().map(|f| f.count).sum::<u64>(),
            "findings": self.findings,
            "coverage": {
                "metrics": {"seen": ms, "total": mt, "percent": percent(ms, mt), "min": gate.metrics},
                "values": {"seen": vs, "total": vt, "percent": percent(vs, vt), "min": gate.values},
                "below": self.below(gate),
                "per_metric": self.metrics,
            },
            "not_counted": self.not_counted,
        });
        let mut text = serde_json::to_string_pretty(&value).expect("serializable");
        text.push('\n');
        text
    }
}
