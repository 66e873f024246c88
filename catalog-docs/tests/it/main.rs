//! The integration tests of catalog-docs, one binary: the table of bad catalogs and their exact
//! diagnostics (every stage's checks), the reference against golden files and its query results,
//! the rule files under promtool, and the dashboards under Grafana's published types.

mod bad_catalogs;
mod bad_slos;
mod dashboards;
mod golden;
mod markdown;
mod rules;
