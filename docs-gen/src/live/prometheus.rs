//! The Prometheus source of live-check: a scrape (`--scrape URL`) or an exposition read from a file,
//! fed to the [`Checker`] family by family.

use super::Checker;
use super::checker::ExemplarSeen;
use prometheus_exposition::{Event, FamilyType, Format, SyntaxError};
use std::hash::{Hash as _, Hasher as _};

/// `GET url` as a Prometheus server scrapes, asking for OpenMetrics first; the body.
pub fn scrape(url: &str) -> Result<String, String> {
    let mut response = crate::http::agent()
        .get(url)
        // As Prometheus asks: OpenMetrics first, the format that carries exemplars.
        .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
        .call()
        .map_err(|e| e.to_string())?;
    if response.status() != 200 {
        return Err(format!("HTTP {}", response.status()));
    }
    // A scrape of a few hundred MB is someone else's problem; live-check stops reading there.
    response.body_mut().with_config().limit(512 * 1024 * 1024).read_to_string().map_err(|e| e.to_string())
}

/// Feeds a Prometheus exposition to `checker`: each family at its first sample, each sample's
/// labels (a histogram's `le` as a bucket boundary).
pub fn check_exposition(checker: &mut Checker, text: &str) -> Result<(), SyntaxError> {
    /// The family samples are read into: the last `# TYPE`, or an untyped one named by a sample.
    struct Family<'a> {
        name: &'a str,
        kind: &'a str,
        unit: Option<&'a str>,
        metric: Option<Option<usize>>,
    }
    /// Whether a sample of this name is one of the family's, in either format (the text names
    /// `# TYPE x_total counter` as its samples, OpenMetrics `# TYPE x counter` with `x_total`).
    fn of_family(sample: &str, family: &str, kind: &str) -> bool {
        let Some(rest) = sample.strip_prefix(family) else { return false };
        rest.is_empty()
            || FamilyType::from_name(kind)
                .is_some_and(|t| Format::ALL.iter().any(|&f| t.sample_suffixes(f).contains(&rest)))
    }
    let mut family: Option<Family> = None;
    // The last bucket read: its series (a hash of the sample's labels but `le`) and bound.
    let mut last_bucket: Option<(u64, f64)> = None;
    prometheus_exposition::read(text, |event| match event {
        Event::Help { .. } => {}
        Event::Type { name, kind, .. } => family = Some(Family { name, kind, unit: None, metric: None }),
        Event::Unit { name, unit, .. } => {
            if let Some(f) = family.as_mut().filter(|f| f.name == name) {
                f.unit = Some(unit);
            }
        }
        Event::Sample(s) => {
            checker.count_sample();
            let belongs = family.as_ref().is_some_and(|f| of_family(s.name, f.name, f.kind));
            if !belongs {
                family = Some(Family { name: s.name, kind: "untyped", unit: None, metric: None });
            }
            let f = family.as_mut().expect("set above");
            let at = s.line as u64;
            let metric = *f.metric.get_or_insert_with(|| {
                // OpenMetrics names a counter's family without `_total`; its samples have it.
                let name = if f.kind == "counter" && !checker.declares(f.name) && !f.name.ends_with("_total") {
                    std::borrow::Cow::Owned(format!("{}_total", f.name))
                } else {
                    std::borrow::Cow::Borrowed(f.name)
                };
                checker.family(&name, f.kind, f.unit, at)
            });
            let Some(i) = metric else { return };
            let bucket = s.name.len() == f.name.len() + "_bucket".len() && s.name.ends_with("_bucket");
            // A bucket's bound (`+Inf` included).
            let le = bucket
                .then(|| s.labels.iter().find(|(k, _)| *k == "le").and_then(|(_, le)| le.parse::<f64>().ok()))
                .flatten();
            if let Some(le) = le.filter(|le| le.is_finite()) {
                // `-0` and `0` are one boundary.
                checker.bucket(i, le + 0.0, at);
            }
            // A bucket's series (its labels but `le`), so that the next bucket of the same series
            // knows where it starts: hashed, not copied, as every bucket line of a scrape comes
            // here. (Two consecutive series with one hash would only give an exemplar's bucket
            // another lower bound in the check.)
            let series = bucket.then(|| {
                let mut h = std::hash::DefaultHasher::new();
                s.labels.iter().filter(|(k, _)| *k != "le").for_each(|label| label.hash(&mut h));
                h.finish()
            });
            if let Some(x) = &s.exemplar {
                let above = match (last_bucket, series) {
                    (Some((previous, bound)), Some(series)) if previous == series => bound,
                    _ => f64::NEG_INFINITY,
                };
                let seen = ExemplarSeen {
                    sample: s.name,
                    line: Some(&s.name[f.name.len().min(s.name.len())..]),
                    chars: x.chars(),
                    value: x.value,
                    bucket: le.map(|le| (above, le)),
                    ids: x
                        .labels
                        .iter()
                        .filter(|(k, _)| matches!(*k, "trace_id" | "span_id"))
                        .map(|(k, v)| (*k, v.as_ref()))
                        .collect(),
                };
                checker.exemplar(i, &seen, at);
            }
            if let (Some(series), Some(le)) = (series, le) {
                last_bucket = Some((series, le));
            }
            let summary = f.kind == "summary";
            let labels = s
                .labels
                .iter()
                .filter(|(k, _)| !((bucket && *k == "le") || (summary && *k == "quantile")))
                .map(|(k, v)| (*k, v.as_ref()));
            checker.point(i, labels, at, s.value != 0.0);
        }
    })
}
