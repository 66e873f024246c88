//! What the emitters of the reference, the rules and the dashboards share, worked out once from a
//! checked catalog, below all of them: names and links ([`names`]), what each dashboard shows and
//! runs ([`dashboard`]), and the recording rules the dashboards reuse ([`recording`]). Emitters read
//! a [`Plan`] and never each other.

pub mod dashboard;
pub mod names;
pub mod recording;
pub mod slo;

use catalog_model::model::{Alert, Catalog, Metric, Panel, Query, Visualization};
use catalog_promql::{Queries, SeriesIndex};
use promql_parser::parser::Expr;
use recording::RecordingRule;

/// A checked catalog with everything its emitters derive from it.
pub struct Plan<'c> {
    pub catalog: &'c Catalog,
    pub queries: &'c Queries,
    /// The catalog's series by name.
    pub index: SeriesIndex<'c>,
    /// Per catalog dashboard, in order.
    pub dashboards: Vec<DashboardPlan>,
    /// The rates the dashboards reuse, recorded by the rule file.
    pub recording: Vec<RecordingRule>,
    /// Each SLO's rules and unit tests.
    pub slos: Vec<slo::SloPlan<'c>>,
}

/// A dashboard's targets filtered by its variables, `[panel][query]`: `None` where no variable
/// applies (the query runs as the catalog writes it).
type Filtered = Vec<Vec<Option<Expr>>>;

/// One dashboard as it is generated.
pub struct DashboardPlan {
    /// Its Grafana uid (also its file name).
    pub uid: String,
    /// The labels it offers as variables.
    pub variables: Vec<String>,
    /// Each panel's targets as the dashboard runs them: filtered by the variables, then with the
    /// recording rules substituted. `[panel][query]`.
    pub targets: Vec<Vec<String>>,
}

impl<'c> Plan<'c> {
    /// The plan of a catalog that passed every check (with its parsed `queries`).
    pub fn new(catalog: &'c Catalog, queries: &'c Queries) -> Plan<'c> {
        let index = SeriesIndex::new(catalog);
        // Each dashboard's variables, and each target filtered by them.
        let filtered: Vec<(Vec<String>, Filtered)> = catalog
            .dashboards
            .iter()
            .map(|d| {
                let vars = dashboard::variables(catalog, queries, d);
                let panels = d
                    .panels
                    .iter()
                    .map(|p| {
                        p.queries.iter().map(|q| dashboard::filtered(catalog, &index, &vars, queries.ast(q))).collect()
                    })
                    .collect();
                (vars, panels)
            })
            .collect();
        let all_targets = catalog.dashboards.iter().zip(&filtered).flat_map(|(d, (_, panels))| {
            d.panels.iter().zip(panels).flat_map(|(p, f)| runs(queries, p, f).map(|(_, ast)| ast))
        });
        let recording = recording::recording_rules(all_targets);
        let dashboards = catalog
            .dashboards
            .iter()
            .zip(&filtered)
            .enumerate()
            .map(|(d, (dash, (variables, panels)))| DashboardPlan {
                uid: names::dashboard_uid(catalog, d),
                variables: variables.clone(),
                targets: dash
                    .panels
                    .iter()
                    .zip(panels)
                    .map(|(p, f)| {
                        runs(queries, p, f)
                            .zip(f)
                            .map(|((q, ast), filtered)| {
                                recording::rewrite(ast, &recording).unwrap_or_else(|| match filtered {
                                    Some(ast) => ast.to_string(),
                                    None => q.expr.trim().to_owned(),
                                })
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        Plan { catalog, queries, index, dashboards, recording, slos: slo::plans(catalog) }
    }

    /// The dashboard and panel an alert belongs to: the first panel that shows every metric the
    /// alert selects (or, failing that, any of them). `(dashboard index, panel index)`.
    pub fn alert_panel(&self, a: &Alert) -> Option<(usize, usize)> {
        let wanted = self.index.metrics_selected(self.queries.ast(&a.query));
        let panels = || {
            self.catalog
                .dashboards
                .iter()
                .enumerate()
                .flat_map(|(d, dash)| dash.panels.iter().enumerate().map(move |(p, panel)| (d, p, panel)))
        };
        let shows = |panel: &Panel, all: bool| {
            let shown: Vec<&Metric> =
                panel.queries.iter().flat_map(|q| self.index.metrics_selected(self.queries.ast(q))).collect();
            let has = |m: &&Metric| shown.iter().any(|s| std::ptr::eq(*s, *m));
            if all { wanted.iter().all(has) } else { wanted.iter().any(has) }
        };
        let found = panels().find(|(_, _, p)| shows(p, true)).or_else(|| panels().find(|(_, _, p)| shows(p, false)));
        found.map(|(d, p, _)| (d, p))
    }

    /// Whether panel `p` graphs its queries over time (range queries), rather than showing one value
    /// per series (instant queries: stat, gauge, pie chart, bar chart, table).
    pub fn graphs_over_time(p: &Panel) -> bool {
        use Visualization::{BarChart, Gauge, PieChart, Stat, Table};
        !matches!(Visualization::parse(p.visualization.trim()), Some(Stat | Gauge | PieChart | BarChart | Table))
    }

    /// Whether query `q` of panel `p` shows exemplars on the dashboard: a graph over time of a
    /// histogram's `_bucket` series of the catalog (where the exemplars are stored).
    pub fn shows_exemplars(&self, p: &Panel, q: &Query) -> bool {
        Self::graphs_over_time(p)
            && catalog_promql::syntax::selectors(self.queries.ast(q))
                .into_iter()
                .any(|vs| matches!(self.index.resolve(vs), Some((_, catalog_promql::series::SeriesKind::Bucket))))
    }

    /// The Grafana unit of a panel: what its first query measures.
    pub fn panel_unit(&self, p: &Panel) -> &'static str {
        dashboard::panel_unit(&self.index, p.queries.first().map(|q| self.queries.ast(q)))
    }
}

/// Each query of a panel with the syntax tree its dashboard runs: `filtered` where a variable
/// filters it, else the query's own.
fn runs<'a>(
    queries: &'a Queries,
    panel: &'a Panel,
    filtered: &'a [Option<Expr>],
) -> impl Iterator<Item = (&'a Query, &'a Expr)> + 'a {
    panel.queries.iter().zip(filtered).map(move |(q, f)| (q, f.as_ref().unwrap_or_else(|| queries.ast(q))))
}
