//! PromQL as syntax, knowing nothing of a catalog: parsing within a size bound, whether a query is
//! instant or rate-based, and walks over the tree (promql-parser's, which has no visitor).

use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, VectorSelector};

/// The longest query the catalog takes. promql-parser and the checks walk the syntax tree
/// recursively, and a query's depth grows with its length: 16 KiB of `-` or `sum(` overflowed the
/// stack of a test thread (2 MiB). The seed catalog's longest query has 409 bytes.
pub const MAX_QUERY_BYTES: usize = 4096;

/// Instant queries work right after a burst of work; rate-based ones need data spread over their
/// window. Computed from the query: any range selector or subquery makes it rate-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKind {
    Instant,
    Rate,
}

/// The syntax tree of `expr`, or promql-parser's error.
pub fn parse(expr: &str) -> Result<Expr, String> {
    promql_parser::parser::parse(expr)
}

/// Rate-based when the query has a range selector or a subquery anywhere.
pub fn kind(ast: &Expr) -> QueryKind {
    let mut rate = false;
    walk(ast, &mut |e| rate |= matches!(e, Expr::MatrixSelector(_) | Expr::Subquery(_)));
    if rate { QueryKind::Rate } else { QueryKind::Instant }
}

/// Calls `f` on `e` and every expression inside it, parents first.
pub fn walk(e: &Expr, f: &mut impl FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Aggregate(a) => {
            if let Some(p) = &a.param {
                walk(p, f);
            }
            walk(&a.expr, f);
        }
        Expr::Unary(u) => walk(&u.expr, f),
        Expr::Binary(b) => {
            walk(&b.lhs, f);
            walk(&b.rhs, f);
        }
        Expr::Paren(p) => walk(&p.expr, f),
        Expr::Subquery(s) => walk(&s.expr, f),
        Expr::Call(c) => c.args.args.iter().for_each(|a| walk(a, f)),
        Expr::MatrixSelector(_)
        | Expr::VectorSelector(_)
        | Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::Extension(_) => {}
    }
}

/// Every selector in `e`, including the one inside a range selector.
pub fn selectors(e: &Expr) -> Vec<&VectorSelector> {
    let mut out = Vec::new();
    collect_selectors(e, &mut out);
    out
}

fn collect_selectors<'e>(e: &'e Expr, out: &mut Vec<&'e VectorSelector>) {
    match e {
        Expr::VectorSelector(v) => out.push(v),
        Expr::MatrixSelector(m) => out.push(&m.vs),
        Expr::Aggregate(a) => {
            if let Some(p) = &a.param {
                collect_selectors(p, out);
            }
            collect_selectors(&a.expr, out);
        }
        Expr::Unary(u) => collect_selectors(&u.expr, out),
        Expr::Binary(b) => {
            collect_selectors(&b.lhs, out);
            collect_selectors(&b.rhs, out);
        }
        Expr::Paren(p) => collect_selectors(&p.expr, out),
        Expr::Subquery(s) => collect_selectors(&s.expr, out),
        Expr::Call(c) => c.args.args.iter().for_each(|a| collect_selectors(a, out)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

/// Calls `f` on every selector of `e`, including the one inside a range selector, to change it.
pub fn each_selector_mut(e: &mut Expr, f: &mut impl FnMut(&mut VectorSelector)) {
    match e {
        Expr::VectorSelector(v) => f(v),
        Expr::MatrixSelector(m) => f(&mut m.vs),
        Expr::Aggregate(a) => {
            if let Some(p) = &mut a.param {
                each_selector_mut(p, f);
            }
            each_selector_mut(&mut a.expr, f);
        }
        Expr::Unary(u) => each_selector_mut(&mut u.expr, f),
        Expr::Binary(b) => {
            each_selector_mut(&mut b.lhs, f);
            each_selector_mut(&mut b.rhs, f);
        }
        Expr::Paren(p) => each_selector_mut(&mut p.expr, f),
        Expr::Subquery(s) => each_selector_mut(&mut s.expr, f),
        Expr::Call(c) => c.args.args.iter_mut().for_each(|a| each_selector_mut(a, f)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

/// Whether a selector of `e` has a matcher on `label`.
pub fn matches_on(e: &Expr, label: &str) -> bool {
    selectors(e).iter().any(|vs| vs.matchers.matchers.iter().any(|m| m.name == label))
}

/// The metric name a selector selects: its name, or an equality matcher on `__name__`.
pub fn selector_name(vs: &VectorSelector) -> Option<&str> {
    vs.name.as_deref().or_else(|| {
        vs.matchers.matchers.iter().find(|m| m.name == "__name__" && m.op == MatchOp::Equal).map(|m| m.value.as_str())
    })
}

/// An input series of promtool: a metric name with equality matchers only.
pub fn check_input_series(series: &str) -> Result<(), String> {
    match parse(series) {
        Ok(Expr::VectorSelector(v)) => {
            if v.name.is_none() {
                return Err("it has no metric name".into());
            }
            if v.offset.is_some() || v.at.is_some() {
                return Err("an input series takes no `offset` or `@`".into());
            }
            match v.matchers.matchers.iter().find(|m| !matches!(m.op, MatchOp::Equal)) {
                Some(m) => Err(format!("`{}` is not an equality matcher", m.name)),
                None if !v.matchers.or_matchers.is_empty() => Err("`or` matchers are not allowed".into()),
                None => Ok(()),
            }
        }
        Ok(_) => Err("it is an expression, not a series".into()),
        Err(e) => Err(e.trim().to_owned()),
    }
}
