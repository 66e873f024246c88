//! How the generated files and their sections are named and linked: file names, Grafana uids,
//! heading anchors. One place, so that a link written by one emitter finds what another wrote.

use catalog_model::model::{Alert, Catalog};

/// A name safe as a file name: the meter name with anything but `[A-Za-z0-9._-]` made `_`.
pub fn file_stem(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect()
}

/// `prometheus/<meter>.rules.yml`, relative to the deploy directory.
pub fn rule_file(c: &Catalog) -> String {
    format!("prometheus/{}.rules.yml", file_stem(&c.meter_name))
}

/// `prometheus/<meter>.rules.test.yml`, relative to the deploy directory.
pub fn test_file(c: &Catalog) -> String {
    format!("prometheus/{}.rules.test.yml", file_stem(&c.meter_name))
}

/// `prometheus/<meter>.rules.<EVERY>.test.yml`: the SLO cases whose rules are evaluated every
/// `EVERY` (a test file has one evaluation interval, and a case over three days evaluated every
/// minute would take promtool minutes).
pub fn test_file_every(c: &Catalog, every: &str) -> String {
    format!("prometheus/{}.rules.{every}.test.yml", file_stem(&c.meter_name))
}

/// The error-budget dashboard of a catalog with SLOs: its uid (`<meter>-error-budget`).
pub fn slo_dashboard_uid(c: &Catalog) -> String {
    format!("{}-error-budget", slug(&c.meter_name))
}

/// `grafana/<meter>-error-budget.json`, relative to the deploy directory.
pub fn slo_dashboard_file(c: &Catalog) -> String {
    format!("grafana/{}.json", slo_dashboard_uid(c))
}

/// The error-budget dashboard's panels per SLO, in order: budget remaining, burn rate per window,
/// the SLI over the period. An SLO's panel `k` is panel id `3 * slo + k + 1`.
pub const SLO_PANELS: [&str; 3] = ["error budget remaining", "burn rate per window", "SLI over the period"];

/// `prometheus/<meter>.sloth.yml`, relative to the deploy directory: the SLOs as a Sloth spec.
pub fn sloth_file(c: &Catalog) -> String {
    format!("prometheus/{}.sloth.yml", file_stem(&c.meter_name))
}

/// The anchor of an SLO's heading in the reference (`### SLO: name`): its alerts' `runbook_url`.
pub fn slo_anchor(slo: &catalog_model::model::Slo) -> String {
    format!("slo-{}", slo.name)
}

/// The dashboard file, relative to the deploy directory: `grafana/<uid>.json`.
pub fn dashboard_file(c: &Catalog, d: usize) -> String {
    format!("grafana/{}.json", dashboard_uid(c, d))
}

/// `grafana/provisioning/datasources/<meter>.yaml`, relative to the deploy directory: Grafana's
/// data-source provisioning for the catalog's dashboards.
pub fn datasources_file(c: &Catalog) -> String {
    format!("grafana/provisioning/datasources/{}.yaml", file_stem(&c.meter_name))
}

/// The Grafana uid of a catalog dashboard: the meter name and the title's slug, at most 40
/// characters (Grafana's limit), stable for as long as the title is.
pub fn dashboard_uid(c: &Catalog, d: usize) -> String {
    let mut uid = format!("{}-{}", slug(&c.meter_name), slug(&c.dashboards[d].title));
    uid.truncate(40);
    uid.trim_end_matches('-').to_owned()
}

/// `Task Execution Overview` → `task-execution-overview`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// A GitHub-style heading anchor: how a link finds a heading of the reference.
pub fn anchor(title: &str) -> String {
    title
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' | '-' => Some('-'),
            c if c.is_alphanumeric() || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchor of an alert's heading in the reference (`##### Alert: Name`): its `runbook_url`.
pub fn alert_anchor(a: &Alert) -> String {
    format!("alert-{}", a.name.to_lowercase())
}

#[cfg(test)]
mod tests {
    #[test]
    fn anchors_match_github() {
        use super::anchor;
        assert_eq!(anchor("Query Patterns: Instant vs Rate-Based"), "query-patterns-instant-vs-rate-based");
        assert_eq!(anchor("shop.orders.total"), "shoporderstotal");
        assert_eq!(anchor("Orchestration Metrics"), "orchestration-metrics");
    }

    #[test]
    fn slugs_and_file_stems() {
        assert_eq!(super::slug("  Task Execution / Overview! "), "task-execution-overview");
        assert_eq!(super::file_stem("my meter/1"), "my_meter_1");
    }
}
