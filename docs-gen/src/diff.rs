//! `docs-gen diff`: every change between two versions of a catalog, field by field, classified as
//! breaking or compatible for a Prometheus and OpenTelemetry user, under the metric's stability
//! level (Kubernetes' metric stability rules, KEP 1209).
//!
//! Metrics are matched by name. A metric the new catalog lacks is removed: breaking, unless the old
//! catalog had deprecated it (deprecation comes before removal). A rename is recognised only
//! through `deprecated: {renamed_to: ...}`, never guessed: the old name stays, deprecated, beside
//! the new one. A change that renames a Prometheus series (name, unit, instrument) breaks every
//! query that names it.
//!
//! What a level allows: `alpha` promises nothing (its breaking changes fail only without
//! `--allow-alpha`); `beta` may gain labels; `stable` may change in none of name, type, unit,
//! buckets or labels, whatever the flags.

use catalog_model::model::{BucketsOrigin, Catalog, LabelDef, LabelKind, Metric, Stability};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Whether a change breaks users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Breaking,
    Compatible,
}

/// One change between the two catalogs.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// What changed, e.g. `label removed`.
    pub kind: &'static str,
    /// The metric, by its name in the new catalog (or the old one when it is gone).
    pub metric: String,
    /// The detail, e.g. `outcome`, or `ms → s`.
    pub detail: String,
    pub class: Class,
    /// The stability level the old catalog promised.
    pub stability: &'static str,
    /// Whether a breaking change is let through (`alpha` with `--allow-alpha`).
    pub allowed: bool,
    /// Where the change is in the old and the new file (`file:LINE:COL`), when it is there.
    pub old_at: Option<String>,
    pub new_at: Option<String>,
    /// The YAML paths, resolved into `old_at`/`new_at` by the caller.
    #[serde(skip)]
    pub old_path: Option<String>,
    #[serde(skip)]
    pub new_path: Option<String>,
}

/// What the diff allows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    /// Let breaking changes of `alpha` metrics through.
    pub allow_alpha: bool,
}

/// Every change from `old` to `new`, metric by metric in the new catalog's order, then removals.
pub fn diff(old: &Catalog, new: &Catalog, policy: Policy) -> Vec<Change> {
    let mut out = Vec::new();
    for n in &new.metrics {
        match old.metrics.iter().find(|o| o.name == n.name) {
            Some(o) => metric_changes(old, new, o, n, policy, &mut out),
            None => out.push(change(
                "metric added",
                n,
                String::new(),
                Class::Compatible,
                n.stability,
                policy,
                None,
                Some(format!("{}.name", n.at)),
            )),
        }
    }
    for o in old.metrics.iter().filter(|o| !new.metrics.iter().any(|n| n.name == o.name)) {
        let (class, detail) = match &o.deprecated {
            Some(d) => (Class::Compatible, format!("deprecated since {}", d.since)),
            None => (Class::Breaking, "never deprecated: deprecate it first".to_owned()),
        };
        out.push(change("metric removed", o, detail, class, o.stability, policy, Some(format!("{}.name", o.at)), None));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn change(
    kind: &'static str,
    m: &Metric,
    detail: String,
    class: Class,
    stability: Stability,
    policy: Policy,
    old_path: Option<String>,
    new_path: Option<String>,
) -> Change {
    // `development` promises what `alpha` does.
    let allowed = class == Class::Breaking && stability.promise() == 0 && policy.allow_alpha;
    Change {
        kind,
        metric: m.name.clone(),
        detail,
        class,
        stability: stability.as_str(),
        allowed,
        old_at: None,
        new_at: None,
        old_path,
        new_path,
    }
}

fn metric_changes(old: &Catalog, new: &Catalog, o: &Metric, n: &Metric, policy: Policy, out: &mut Vec<Change>) {
    let level = o.stability;
    let mut push = |kind: &'static str, detail: String, class: Class, field: &str| {
        let path = |m: &Metric| if field.is_empty() { m.at.clone() } else { format!("{}.{field}", m.at) };
        out.push(change(kind, n, detail, class, level, policy, Some(path(o)), Some(path(n))));
    };
    if o.instrument != n.instrument {
        push(
            "instrument changed",
            format!("{} → {}", o.instrument.as_str(), n.instrument.as_str()),
            Class::Breaking,
            "instrument",
        );
    }
    if o.unit != n.unit {
        push("unit changed", format!("`{}` → `{}`", o.unit, n.unit), Class::Breaking, "unit");
    }
    if o.prometheus.series != n.prometheus.series {
        let detail = format!("{} → {}", o.prometheus.series.join(", "), n.prometheus.series.join(", "));
        push("Prometheus series renamed", detail, Class::Breaking, "unit");
    }
    if o.number != n.number {
        push("number type changed", format!("{} → {}", o.number.as_str(), n.number.as_str()), Class::Breaking, "type");
    }
    // The boundaries the recorders export, declared or their unit's default: declaring the default
    // changes nothing; a unit change that changes the default does.
    let (ob, nb) = (o.histogram_buckets().map(|(b, _)| b), n.histogram_buckets().map(|(b, _)| b));
    if ob != nb && ob.is_some() && nb.is_some() {
        let show = |m: &Metric| match m.histogram_buckets() {
            Some((b, origin)) if origin != BucketsOrigin::Declared => format!("{b:?} (default)"),
            Some((b, _)) => format!("{b:?}"),
            None => String::new(),
        };
        push("histogram buckets changed", format!("{} → {}", show(o), show(n)), Class::Breaking, "buckets");
    }
    if o.stability != n.stability {
        let class = if n.stability.promise() < o.stability.promise() { Class::Breaking } else { Class::Compatible };
        push("stability changed", format!("{} → {}", o.stability.as_str(), n.stability.as_str()), class, "stability");
    }
    if o.deprecated.is_none()
        && let Some(d) = &n.deprecated
    {
        let detail = match &d.renamed_to {
            Some(to) => format!("renamed to `{to}` (since {}): {}", d.since, d.reason.trim()),
            None => format!("since {}: {}", d.since, d.reason.trim()),
        };
        push("metric deprecated", detail, Class::Compatible, "deprecated");
    }
    if o.description.trim() != n.description.trim() {
        push("description changed", String::new(), Class::Compatible, "description");
    }
    if o.note.as_deref().map(str::trim) != n.note.as_deref().map(str::trim) {
        push("docs changed", "note".into(), Class::Compatible, "note");
    }
    // Labels, by the key Prometheus and OpenTelemetry see.
    let keys = |c: &Catalog, m: &Metric| -> Vec<String> { m.labels.iter().map(|&i| c.label(i).key.clone()).collect() };
    let (ok, nk) = (keys(old, o), keys(new, n));
    for k in nk.iter().filter(|k| !ok.contains(k)) {
        // Only `stable` promises its label set; a new label on beta or alpha splits series but
        // breaks no aggregation.
        let class = if level.promise() == 2 { Class::Breaking } else { Class::Compatible };
        push("label added", format!("`{k}`"), class, "labels");
    }
    for k in ok.iter().filter(|k| !nk.contains(k)) {
        push("label removed", format!("`{k}`"), Class::Breaking, "labels");
    }
    for k in ok.iter().filter(|k| nk.contains(k)) {
        let ol = old.labels.iter().find(|l| &l.key == k).expect("a metric's label is defined");
        let nl = new.labels.iter().find(|l| &l.key == k).expect("a metric's label is defined");
        let label_path = |l: &LabelDef| Some(l.at.clone());
        // A change of an attribute is held to the lower promise of the metric and the attribute
        // (a `development` attribute of a stable metric promises nothing).
        let label_level = match ol.stability {
            Some(s) if s.promise() < level.promise() => s,
            _ => level,
        };
        let mut label_change = |kind: &'static str, detail: String, class: Class, field: &str| {
            let at = |l: &LabelDef| label_path(l).map(|p| format!("{p}.{field}"));
            out.push(change(kind, n, detail, class, label_level, policy, at(ol), at(nl)));
        };
        if ol.attribute_type != nl.attribute_type {
            let detail = format!("`{k}`: {} → {}", ol.attribute_type.as_str(), nl.attribute_type.as_str());
            label_change("attribute type changed", detail, Class::Breaking, "type");
        }
        // The requirement on this metric: its use's level, else the definition's.
        let level_on = |c: &Catalog, m: &Metric| {
            m.labels.iter().zip(&m.label_uses).find(|(i, _)| &c.label(**i).key == k).map(|(_, u)| u.requirement.level)
        };
        let (olevel, nlevel) =
            (level_on(old, o).unwrap_or(ol.requirement.level), level_on(new, n).unwrap_or(nl.requirement.level));
        if olevel != nlevel {
            // Required → optional breaks queries that assume the label; the other way does not.
            let looser = nlevel > olevel;
            let detail = format!("`{k}`: {} → {}", olevel.as_str(), nlevel.as_str());
            label_change(
                "requirement changed",
                detail,
                if looser { Class::Breaking } else { Class::Compatible },
                "requirement_level",
            );
        }
        let values = |l: &LabelDef| -> Option<BTreeSet<String>> {
            match &l.kind {
                LabelKind::Closed(v) => Some(v.iter().map(|v| v.value.clone()).collect()),
                LabelKind::FreeForm { .. } => None,
            }
        };
        match (values(ol), values(nl)) {
            (Some(a), Some(b)) => {
                for v in b.difference(&a) {
                    label_change("closed value added", format!("`{k}` = `{v}`"), Class::Compatible, "values");
                }
                for v in a.difference(&b) {
                    // A value deprecated before may go, as a deprecated metric may.
                    let deprecated = ol
                        .values()
                        .and_then(|vs| vs.iter().find(|x| &x.value == v))
                        .and_then(|x| x.deprecated.as_ref().map(|d| format!(" (deprecated since {})", d.since)));
                    let class = if deprecated.is_some() { Class::Compatible } else { Class::Breaking };
                    let detail = format!("`{k}` = `{v}`{}", deprecated.unwrap_or_default());
                    label_change("closed value removed", detail, class, "values");
                }
            }
            (Some(_), None) => {
                label_change("label opened", format!("`{k}`: closed → free-form"), Class::Breaking, "values")
            }
            (None, Some(_)) => {
                label_change("label closed", format!("`{k}`: free-form → closed"), Class::Breaking, "values")
            }
            (None, None) => {}
        }
        if ol.description.trim() != nl.description.trim() {
            label_change("label description changed", format!("`{k}`"), Class::Compatible, "description");
        }
    }
}

/// Whether the changes fail the gate: a breaking change that is not allowed.
pub fn fails(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.class == Class::Breaking && !c.allowed)
}

fn verdict(c: &Change) -> &'static str {
    match (c.class, c.allowed) {
        (Class::Breaking, false) => "BREAKING",
        (Class::Breaking, true) => "breaking (alpha or development, allowed)",
        (Class::Compatible, _) => "compatible",
    }
}

fn summary(changes: &[Change]) -> String {
    let breaking = changes.iter().filter(|c| c.class == Class::Breaking && !c.allowed).count();
    let allowed = changes.iter().filter(|c| c.allowed).count();
    let compatible = changes.iter().filter(|c| c.class == Class::Compatible).count();
    format!(
        "{} change(s): {breaking} breaking, {allowed} breaking but allowed (alpha or development), {compatible} compatible",
        changes.len()
    )
}

/// The report as text: one line per change, then the summary.
pub fn text(changes: &[Change], old: &str, new: &str) -> String {
    let mut out = format!("catalog diff: {old} → {new}\n");
    for c in changes {
        let at = [c.old_at.as_deref().map(|a| format!("was {a}")), c.new_at.as_deref().map(|a| format!("now {a}"))]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let detail = if c.detail.is_empty() { String::new() } else { format!(": {}", c.detail) };
        let _ = writeln!(out, "{:<10} {} {} ({}){detail} [{at}]", verdict(c), c.metric, c.kind, c.stability);
    }
    let _ = writeln!(out, "{}", summary(changes));
    out
}

/// The report as Markdown, for a pull-request comment.
pub fn markdown(changes: &[Change], old: &str, new: &str) -> String {
    let mut out = format!("### Metric catalog changes\n\n`{old}` → `{new}`: {}\n\n", summary(changes));
    if changes.is_empty() {
        return out;
    }
    out.push_str("| | Metric | Change | Stability | Detail | Where |\n|---|---|---|---|---|---|\n");
    for c in changes {
        let mark = match (c.class, c.allowed) {
            (Class::Breaking, false) => "❌ breaking",
            (Class::Breaking, true) => "⚠️ breaking (alpha or development, allowed)",
            (Class::Compatible, _) => "✅ compatible",
        };
        let at = [c.old_at.as_deref(), c.new_at.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" → ");
        let _ = writeln!(
            out,
            "| {mark} | `{}` | {} | {} | {} | {} |",
            c.metric,
            c.kind,
            c.stability,
            c.detail.replace('|', "\\|"),
            at
        );
    }
    out
}

/// The report as JSON: `{old, new, breaking, changes: [...]}`.
pub fn json(changes: &[Change], old: &str, new: &str) -> String {
    let value = serde_json::json!({
        "old": old,
        "new": new,
        "breaking": fails(changes),
        "changes": changes,
    });
    let mut text = serde_json::to_string_pretty(&value).expect("serializable");
    text.push('\n');
    text
}
