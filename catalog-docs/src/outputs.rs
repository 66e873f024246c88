//! The files generated from a catalog and where they go: the reference, the rule file and its unit
//! tests, one JSON file per dashboard, each linking the others by a path relative to itself. One
//! plan for the `docs-gen` commands that write or check them and for a build script's reference.

use crate::emit::markdown::{self, Options};
use crate::emit::{grafana, rules};
use crate::plan::Plan;
use crate::plan::names::{dashboard_file, datasources_file, rule_file, slug};
use crate::record::Record;
use std::path::{Component, Path, PathBuf};

/// Where the generated files go and how their headers name their sources.
#[derive(Debug, Clone)]
pub struct Layout<'a> {
    /// The catalog as the files' headers name it (`metrics.yaml`).
    pub catalog: &'a str,
    /// The reference file (`docs/METRICS.md`).
    pub reference: PathBuf,
    /// The directory of the rule files and dashboards (`deploy/`); `None` writes the reference
    /// alone.
    pub deploy: Option<PathBuf>,
    /// The command that regenerates the files, for their headers; `None` when a build script
    /// writes them (the headers then say to rebuild).
    pub regenerate: Option<&'a str>,
}

/// Every file of the catalog, `(path, contents)`: the reference first.
pub fn files(plan: &Plan, record: Option<&Record>, layout: &Layout) -> Vec<(PathBuf, String)> {
    let c = plan.catalog;
    let reference_dir = layout.reference.parent().unwrap_or(Path::new(""));
    let deploy_link = layout.deploy.as_ref().map(|deploy| relative_between(reference_dir, deploy));
    let options = Options { record, command: layout.regenerate, deploy: deploy_link.as_deref() };
    let mut files = vec![(layout.reference.clone(), markdown::render(plan, &options))];
    let Some(deploy) = &layout.deploy else { return files };
    // The base of every link back to the reference: its published URL, else its relative path.
    let link_from = |dir: &Path| match &c.document.reference_url {
        Some(url) => url.trim().to_owned(),
        None => relative_between(dir, &layout.reference),
    };
    let rules_layout = rules::Layout {
        catalog: layout.catalog.to_owned(),
        regenerate: layout.regenerate.unwrap_or("rebuild").to_owned(),
        reference: link_from(&deploy.join("prometheus")),
    };
    if let Some(text) = rules::render_rules(plan, &rules_layout) {
        files.push((deploy.join(rule_file(c)), text));
    }
    for (file, text) in rules::render_tests(plan, &rules_layout) {
        files.push((deploy.join(file), text));
    }
    if let Some(text) = rules::render_sloth(plan, &rules_layout) {
        files.push((deploy.join(crate::plan::names::sloth_file(c)), text));
    }
    let dashboard_reference = link_from(&deploy.join("grafana"));
    for d in 0..c.dashboards.len() {
        files.push((deploy.join(dashboard_file(c, d)), grafana::render(plan, d, &dashboard_reference)));
    }
    if let Some(text) = grafana::render_slo_dashboard(plan, &dashboard_reference) {
        files.push((deploy.join(crate::plan::names::slo_dashboard_file(c)), text));
    }
    if !c.dashboards.is_empty() {
        let header = rules::header(&rules_layout, "Grafana data sources");
        files.push((deploy.join(datasources_file(c)), grafana::render_datasources(plan, &header)));
    }
    files
}

/// Dashboards written for this catalog earlier that it no longer generates: JSON files in
/// `deploy/grafana` whose uid starts with the meter's and that carry the `docs-gen` tag, and that
/// are not among `files`.
pub fn stale_dashboards(deploy: &Path, plan: &Plan, files: &[(PathBuf, String)]) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(deploy.join("grafana")) else { return Vec::new() };
    let prefix = format!("{}-", slug(&plan.catalog.meter_name));
    let mut out: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&prefix)))
        .filter(|p| !files.iter().any(|(f, _)| f == p))
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("\"docs-gen\"")))
        .collect();
    out.sort();
    out
}

/// The path of `to` relative to the directory `from`, `/`-separated, for links between generated
/// files: `deploy/prometheus` → `docs/METRICS.md` is `../../docs/METRICS.md`.
pub fn relative_between(from: &Path, to: &Path) -> String {
    let (from, to) = (normalize(from), normalize(to));
    let (a, b): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".into(); a.len() - common];
    parts.extend(b[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

/// `a/./b/../c` → `a/c`, without touching the file system (the path may not exist yet).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_between_generated_files() {
        assert_eq!(
            relative_between(Path::new("/r/deploy/prometheus"), Path::new("/r/docs/METRICS.md")),
            "../../docs/METRICS.md"
        );
        assert_eq!(relative_between(Path::new("/r/docs"), Path::new("/r/deploy")), "../deploy");
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
    }
}
