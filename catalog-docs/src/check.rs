//! The dashboards' rules that need PromQL and units, the last stage of a catalog's checks: each
//! panel's thresholds read as steps in the panel's unit, and each target as the generated dashboard
//! runs it (filtered by the dashboard's variables) passes the same PromQL checks as every other
//! query.

use crate::plan::dashboard::{filtered, panel_unit, threshold_steps, variables};
use catalog_model::Ctxt;
use catalog_model::diag::message::Invalid;
use catalog_model::model::Catalog;
use catalog_model::source::join_key;
use catalog_promql::{Queries, SeriesIndex};

/// Runs every rule. Queries that did not parse (already reported) are passed over.
pub fn all(catalog: &Catalog, queries: &Queries, cx: &mut Ctxt) {
    let index = SeriesIndex::new(catalog);
    targets_name_real_series(catalog, queries, &index, cx);
    thresholds_read_as_steps(catalog, queries, &index, cx);
}

/// A dashboard target filtered by the dashboard's variables still names real series with real
/// labels: a variable on a label that one of the target's series lacks would break it.
fn targets_name_real_series(catalog: &Catalog, queries: &Queries, index: &SeriesIndex, cx: &mut Ctxt) {
    for d in &catalog.dashboards {
        let vars = variables(catalog, queries, d);
        for q in d.panels.iter().flat_map(|p| &p.queries) {
            if let Some(ast) = queries.try_ast(q).and_then(|ast| filtered(catalog, index, &vars, ast)) {
                catalog_promql::check::check_query(catalog, index, &q.at, &ast, cx);
            }
        }
    }
}

/// A panel's thresholds are `COLOUR OP VALUE` items that leave no gap in the panel's unit:
/// `red > 10` alone breaks it (nothing says the colour below 10).
fn thresholds_read_as_steps(catalog: &Catalog, queries: &Queries, index: &SeriesIndex, cx: &mut Ctxt) {
    for p in catalog.dashboards.iter().flat_map(|d| &d.panels) {
        let Some(t) = &p.thresholds else { continue };
        let unit = panel_unit(index, p.queries.first().and_then(|q| queries.try_ast(q)));
        if let Err(error) = threshold_steps(t, unit) {
            cx.error(&join_key(&p.at, "thresholds"), Invalid::Thresholds { error });
        }
    }
}
