//! Recording rules derived from the dashboards: the rates two or more targets reuse, and each
//! target rewritten to read the rule's series instead of recomputing the rate.

use catalog_promql::syntax::walk;
use promql_parser::parser::{AggregateExpr, Expr, LabelModifier};

/// A recording rule, and the aggregation of the dashboards' queries it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordingRule {
    /// `level:metric:operations`, e.g. `job_namespace:shop_order_duration_milliseconds_count:rate5m`.
    pub record: String,
    /// `sum by (job, namespace) (rate(...[5m]))`.
    pub expr: String,
    /// The grouping labels of the aggregation it replaces (without `job`).
    by: Vec<String>,
    /// The rate the rule precomputes, as promql-parser prints it: `rate(x[5m])`.
    rate: String,
    /// How many dashboard targets use it.
    pub uses: usize,
}

/// `sum(rate(M[R]))` or `sum by (L) (rate(M[R]))` without matchers: the aggregation a recording
/// rule can precompute. Returns the grouping labels and the rate's text.
fn rate_sum(e: &Expr) -> Option<(Vec<String>, String, String, String)> {
    let Expr::Aggregate(AggregateExpr { op, expr, param: None, modifier }) = e else { return None };
    if op.to_string() != "sum" {
        return None;
    }
    let by = match modifier {
        None => Vec::new(),
        Some(LabelModifier::Include(l)) => l.labels.clone(),
        Some(LabelModifier::Exclude(_)) => return None,
    };
    let Expr::Call(call) = expr.as_ref() else { return None };
    if call.func.name != "rate" || call.args.args.len() != 1 {
        return None;
    }
    let Expr::MatrixSelector(m) = call.args.args[0].as_ref() else { return None };
    let name = m.vs.name.clone()?;
    // A histogram's buckets stay raw: their exemplars are stored on the scraped series, and
    // Grafana asks Prometheus for the exemplars of the series a target selects, which a recorded
    // series has none of.
    if name.ends_with("_bucket") {
        return None;
    }
    if !m.vs.matchers.matchers.is_empty()
        || !m.vs.matchers.or_matchers.is_empty()
        || m.vs.offset.is_some()
        || m.vs.at.is_some()
    {
        return None;
    }
    let range = promql_parser::util::display_duration(&m.range);
    Some((by, expr.to_string(), name, range))
}

/// The recording rules: every `sum [by (L)] (rate(M[R]))` that two or more of the dashboards'
/// `targets` compute (the rates the dashboards reuse), recorded per job so that any dashboard filter
/// by job still works, and named by Prometheus's `level:metric:operations` convention (`_total`
/// dropped from a counter's name, as the convention's examples do). In order of first use. The
/// targets are as the dashboards run them: one filtered by a variable has matchers, and no
/// recording rule stands for it.
pub fn recording_rules<'e>(targets: impl IntoIterator<Item = &'e Expr>) -> Vec<RecordingRule> {
    let mut rules: Vec<RecordingRule> = Vec::new();
    for ast in targets {
        walk(ast, &mut |e| {
            let Some((by, rate, name, range)) = rate_sum(e) else { return };
            if let Some(r) = rules.iter_mut().find(|r| r.by == by && r.rate == rate) {
                r.uses += 1;
                return;
            }
            let mut level = vec!["job".to_owned()];
            level.extend(by.iter().cloned());
            let metric = name.strip_suffix("_total").unwrap_or(&name);
            let record = format!("{}:{metric}:rate{range}", level.join("_"));
            let expr = format!("sum by ({}) ({rate})", level.join(", "));
            rules.push(RecordingRule { record, expr, by, rate, uses: 1 });
        });
    }
    rules.retain(|r| r.uses >= 2);
    rules
}

/// A dashboard target with every aggregation a recording rule precomputes replaced by a sum over
/// the rule's series: `sum by (L) (rate(M[5m]))` → `sum by (L) (job_L:M:rate5m)`, the same value
/// (the rule's `job` dimension is summed away). Printed by promql-parser; unchanged when no rule
/// applies.
pub fn rewrite(expr: &Expr, rules: &[RecordingRule]) -> Option<String> {
    let mut changed = false;
    let rewritten = replace(expr, rules, &mut changed);
    changed.then(|| rewritten.to_string())
}

fn replace(e: &Expr, rules: &[RecordingRule], changed: &mut bool) -> Expr {
    if let Some((by, rate, _, _)) = rate_sum(e)
        && let Some(rule) = rules.iter().find(|r| r.by == by && r.rate == rate)
    {
        let text = if by.is_empty() {
            format!("sum({})", rule.record)
        } else {
            format!("sum by ({}) ({})", by.join(", "), rule.record)
        };
        if let Ok(ast) = promql_parser::parser::parse(&text) {
            *changed = true;
            return ast;
        }
    }
    let mut e = e.clone();
    match &mut e {
        Expr::Aggregate(a) => {
            if let Some(p) = &mut a.param {
                **p = replace(p, rules, changed);
            }
            *a.expr = replace(&a.expr, rules, changed);
        }
        Expr::Unary(u) => *u.expr = replace(&u.expr, rules, changed),
        Expr::Binary(b) => {
            *b.lhs = replace(&b.lhs, rules, changed);
            *b.rhs = replace(&b.rhs, rules, changed);
        }
        Expr::Paren(p) => *p.expr = replace(&p.expr, rules, changed),
        Expr::Subquery(s) => *s.expr = replace(&s.expr, rules, changed),
        Expr::Call(c) => {
            for a in &mut c.args.args {
                **a = replace(a, rules, changed);
            }
        }
        _ => {}
    }
    e
}
