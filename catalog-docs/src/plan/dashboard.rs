//! What a dashboard shows, as the checker and the emitters of dashboards, rules and the reference
//! all need it: the labels a dashboard offers as variables, each panel query as the dashboard runs
//! it (filtered by those variables), what a query measures and so the panel's unit, and the
//! threshold steps of a panel.

use catalog_model::model::{Catalog, Dashboard, Instrument};
use catalog_promql::syntax::{each_selector_mut, selectors, walk};
use catalog_promql::{Queries, SeriesIndex};
use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::{Expr, LabelModifier};

/// The labels dashboard `d` offers as variables: every catalog label one of its panels groups by,
/// in order of first use. (Queries that did not parse, in a catalog with errors, are passed over.)
pub fn variables(c: &Catalog, queries: &Queries, d: &Dashboard) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for ast in d.panels.iter().flat_map(|p| &p.queries).filter_map(|q| queries.try_ast(q)) {
        for l in grouping(ast) {
            if c.labels.iter().any(|def| def.prometheus_key == l) && !out.contains(&l) {
                out.push(l);
            }
        }
    }
    out
}

/// Every `by (...)` label of `e`.
pub fn grouping(e: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    walk(e, &mut |e| {
        if let Expr::Aggregate(a) = e
            && let Some(LabelModifier::Include(l)) = &a.modifier
        {
            out.extend(l.labels.iter().cloned());
        }
    });
    out
}

/// A panel query (`ast`) as the dashboard runs it: where the query groups by a variable's label,
/// every selector whose series has that label gets `label=~"$label"`. `None` when nothing changes.
pub fn filtered(c: &Catalog, index: &SeriesIndex, vars: &[String], ast: &Expr) -> Option<Expr> {
    let wanted: Vec<String> = grouping(ast).into_iter().filter(|l| vars.contains(l)).collect();
    if wanted.is_empty() {
        return None;
    }
    let mut ast = ast.clone();
    let mut changed = false;
    each_selector_mut(&mut ast, &mut |vs| {
        let Some(metric) = index.metric_of(vs) else { return };
        for l in &wanted {
            let has = metric.labels.iter().any(|&i| c.label(i).prometheus_key == *l);
            if has
                && !vs.matchers.matchers.iter().any(|m| m.name == *l)
                && let Some(m) = variable_matcher(l)
            {
                vs.matchers.matchers.push(m);
                changed = true;
            }
        }
    });
    changed.then_some(ast)
}

/// `label=~"$label"`, made by promql-parser itself (its regex matcher holds a compiled regex;
/// `$label` compiles, and Grafana replaces it before Prometheus sees it).
fn variable_matcher(label: &str) -> Option<Matcher> {
    match promql_parser::parser::parse(&format!("x{{{label}=~\"${label}\"}}")) {
        Ok(Expr::VectorSelector(mut v)) => v.matchers.matchers.pop().filter(|m| matches!(m.op, MatchOp::Re(_))),
        _ => None,
    }
}

/// What a query's values measure, for the panel's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Measure {
    /// A per-second rate of a counter (or a histogram's `_count`); `true` for requests.
    PerSecond(bool),
    /// A per-second rate of a histogram's `_sum`, in the histogram's unit.
    SumRate(&'static str),
    /// A value in a Grafana unit.
    Unit(&'static str),
}

/// Grafana's unit id for a catalog (UCUM) unit.
pub fn grafana_unit(unit: &str) -> &'static str {
    match unit {
        "ms" => "ms",
        "s" => "s",
        "us" => "µs",
        "ns" => "ns",
        "By" => "bytes",
        "%" => "percent",
        "1" => "percentunit",
        _ => "short",
    }
}

fn measure(index: &SeriesIndex, e: &Expr) -> Option<Measure> {
    match e {
        Expr::Paren(p) => measure(index, &p.expr),
        Expr::Aggregate(a) => measure(index, &a.expr),
        Expr::Unary(u) => measure(index, &u.expr),
        Expr::Call(call) => match call.func.name {
            // In the unit of the histogram whose buckets it reads.
            "histogram_quantile" => {
                let unit = selectors(call.args.args.get(1)?)
                    .into_iter()
                    .filter_map(|vs| index.metric_of(vs))
                    .find(|m| m.instrument == Instrument::Histogram)
                    .map(|m| grafana_unit(&m.unit));
                Some(Measure::Unit(unit.unwrap_or("short")))
            }
            "rate" | "irate" => {
                let Expr::MatrixSelector(m) = call.args.args.first()?.as_ref() else { return None };
                let (metric, name) = (index.metric_of(&m.vs)?, m.vs.name.as_deref().unwrap_or_default());
                Some(if metric.instrument == Instrument::Histogram && name.ends_with("_sum") {
                    Measure::SumRate(grafana_unit(&metric.unit))
                } else {
                    Measure::PerSecond(metric.unit == "{request}")
                })
            }
            "increase" => Some(Measure::Unit("short")),
            _ => call.args.args.iter().find_map(|a| measure(index, a)),
        },
        Expr::Binary(b) => {
            let (l, r) = (measure(index, &b.lhs), measure(index, &b.rhs));
            match (b.op.to_string().as_str(), l, r) {
                ("/", Some(Measure::PerSecond(_)), Some(Measure::PerSecond(_))) => Some(Measure::Unit("percentunit")),
                ("/", Some(Measure::SumRate(u)), Some(Measure::PerSecond(_))) => Some(Measure::Unit(u)),
                ("/", Some(Measure::Unit("percent")), None) => Some(Measure::Unit("percentunit")),
                (_, Some(m), _) => Some(m),
                (_, None, m) => m,
            }
        }
        Expr::VectorSelector(vs) => {
            let metric = index.metric_of(vs)?;
            let name = vs.name.as_deref().unwrap_or_default();
            Some(match metric.instrument {
                Instrument::Histogram if name.ends_with("_bucket") => Measure::Unit(grafana_unit(&metric.unit)),
                Instrument::Histogram if name.ends_with("_sum") => Measure::Unit(grafana_unit(&metric.unit)),
                Instrument::Histogram => Measure::Unit("short"),
                _ if metric.value_map.is_some() => Measure::Unit("none"),
                Instrument::Counter => Measure::Unit("short"),
                _ => Measure::Unit(grafana_unit(&metric.unit)),
            })
        }
        Expr::MatrixSelector(m) => measure(index, &Expr::VectorSelector(m.vs.clone())),
        _ => None,
    }
}

/// The Grafana unit of a panel whose first query is `first`: what it measures.
pub fn panel_unit(index: &SeriesIndex, first: Option<&Expr>) -> &'static str {
    match first.and_then(|ast| measure(index, ast)) {
        Some(Measure::PerSecond(true)) => "reqps",
        Some(Measure::PerSecond(false)) => "ops",
        Some(Measure::SumRate(_)) => "short",
        Some(Measure::Unit(u)) => u,
        None => "short",
    }
}

/// A threshold step: `None` is Grafana's base step (`value: null`).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub color: String,
    pub value: Option<f64>,
}

/// Grafana threshold steps from the catalog's text, e.g. `green > 0.95, yellow > 0.90, red <
/// 0.90` or `green < 70%, yellow < 90%, red >= 90%`. Each region between the stated bounds takes
/// the colour whose condition holds there with the nearest bound; `%` values are divided by 100
/// on a 0–1 (`percentunit`) panel. `Err` names what does not parse.
pub fn threshold_steps(text: &str, unit: &str) -> Result<Vec<Step>, String> {
    let mut rules: Vec<(String, &str, f64)> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let (Some(color), Some(op), Some(value), None) = (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(format!("`{part}` is not `COLOUR OP VALUE`"));
        };
        let op = match op {
            ">" | ">=" | "<" | "<=" => op,
            _ => return Err(format!("`{op}` in `{part}` is not one of >, >=, <, <=")),
        };
        let (number, percent) = match value.strip_suffix('%') {
            Some(n) => (n, true),
            None => (value, false),
        };
        let mut v: f64 = number.parse().map_err(|_| format!("`{value}` in `{part}` is not a number"))?;
        if percent && unit == "percentunit" {
            v /= 100.0;
        }
        rules.push((color.to_owned(), op, v));
    }
    if rules.is_empty() {
        return Err("no thresholds".into());
    }
    let mut bounds: Vec<f64> = rules.iter().map(|r| r.2).collect();
    bounds.sort_by(f64::total_cmp);
    bounds.dedup();
    let color_at = |x: f64| {
        rules
            .iter()
            .filter(|(_, op, v)| match *op {
                ">" => x > *v,
                ">=" => x >= *v,
                "<" => x < *v,
                _ => x <= *v,
            })
            .min_by(|a, b| (x - a.2).abs().total_cmp(&(x - b.2).abs()))
            .map(|r| r.0.clone())
    };
    let below = bounds[0] - 1.0 - bounds[0].abs();
    let mut steps =
        vec![Step { color: color_at(below).ok_or_else(|| format!("no colour below {}", bounds[0]))?, value: None }];
    for (i, &b) in bounds.iter().enumerate() {
        let next = bounds.get(i + 1).map_or(b + 1.0 + b.abs(), |n| (b + n) / 2.0);
        // At the bound itself `>=` applies and `>` does not: test just above it, and at it.
        let x = if rules.iter().any(|r| r.2 == b && r.1 == ">=") { b } else { (b + next) / 2.0 };
        let color = color_at(x).ok_or_else(|| format!("no colour above {b}"))?;
        if steps.last().is_some_and(|s| s.color != color) {
            steps.push(Step { color, value: Some(b) });
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(text: &str, unit: &str) -> Vec<(String, Option<f64>)> {
        threshold_steps(text, unit).unwrap().into_iter().map(|s| (s.color, s.value)).collect()
    }

    #[test]
    fn thresholds_become_grafana_steps() {
        // The System Health success rate: red below 0.90, yellow from 0.90, green above 0.95.
        assert_eq!(
            steps("green > 0.95, yellow > 0.90, red < 0.90", "percentunit"),
            [("red".into(), None), ("yellow".into(), Some(0.90)), ("green".into(), Some(0.95))]
        );
        // Channel saturation on a 0-100 gauge, and the same text on a 0-1 panel.
        assert_eq!(
            steps("green < 70%, yellow < 90%, red >= 90%", "percent"),
            [("green".into(), None), ("yellow".into(), Some(70.0)), ("red".into(), Some(90.0))]
        );
        assert_eq!(
            steps("green < 70%, yellow < 90%, red >= 90%", "percentunit"),
            [("green".into(), None), ("yellow".into(), Some(0.7)), ("red".into(), Some(0.9))]
        );
        // One bound that says nothing below it: Grafana's base step has no colour to take.
        assert!(threshold_steps("red > 10", "ops").is_err());
    }

    #[test]
    fn bad_thresholds_say_what_does_not_parse() {
        assert_eq!(
            threshold_steps("green above 0.95", "short").unwrap_err(),
            "`above` in `green above 0.95` is not one of >, >=, <, <="
        );
        assert_eq!(threshold_steps("green > high", "short").unwrap_err(), "`high` in `green > high` is not a number");
        assert_eq!(threshold_steps("green >", "short").unwrap_err(), "`green >` is not `COLOUR OP VALUE`");
        assert_eq!(threshold_steps("red > 10", "short").unwrap_err(), "no colour below 10");
    }
}
