//! Cross-field rules of the catalog, one function per rule. Each states the rule and what breaks it.
//! The rules of queries (PromQL) and of the dashboards' units are later stages', in the crates that
//! parse PromQL.

use crate::diag::Ctxt;
use crate::diag::message::{Alerting, CollisionFix, Invalid, Unknown};
use crate::model::{
    BucketsOrigin, Catalog, DEFAULT_CARDINALITY_LIMIT, Instrument, LabelKind, MAX_CARDINALITY_LIMIT, Metric,
    NumberType, Visualization, allowed_number_types,
};
use crate::notation::is_duration;
use crate::source::{join_index, join_key};
use otel_prometheus_names::label_name;
use std::collections::{BTreeMap, BTreeSet};

/// Runs every rule.
pub fn all(catalog: &Catalog, cx: &mut Ctxt) {
    unique_ids(catalog, cx);
    metric_names_valid(catalog, cx);
    metric_names_unique(catalog, cx);
    prometheus_series_unique(catalog, cx);
    descriptions_not_empty(catalog, cx);
    number_type_fits_instrument(catalog, cx);
    label_keys_valid(catalog, cx);
    label_keys_unique_per_metric(catalog, cx);
    label_variants_unique(catalog, cx);
    rust_names_unique(catalog, cx);
    buckets_valid(catalog, cx);
    default_buckets_fit_unit(catalog, cx);
    cardinality_limits_valid(catalog, cx);
    value_maps_valid(catalog, cx);
    alerts_valid(catalog, cx);
    panels_drawable(catalog, cx);
    renames_resolve(catalog, cx);
}

/// Domain ids, and group ids within a domain, are unique: two domains `worker` break it.
fn unique_ids(catalog: &Catalog, cx: &mut Ctxt) {
    let mut seen = BTreeSet::new();
    for d in &catalog.domains {
        if !seen.insert(d.id.as_str()) {
            cx.error(&join_key(&d.at, "id"), Invalid::DuplicateId { what: "domain", id: d.id.clone() });
        }
        let mut groups = BTreeSet::new();
        for (i, g) in d.groups.iter().enumerate() {
            if !groups.insert(g.id.as_str()) {
                let at = join_key(&join_index(&join_key(&d.at, "groups"), i), "id");
                cx.error(&at, Invalid::DuplicateId { what: "group", id: g.id.clone() });
            }
        }
    }
}

/// A name is a valid OpenTelemetry instrument name: `shop orders` (a space) breaks it.
fn metric_names_valid(catalog: &Catalog, cx: &mut Ctxt) {
    for m in &catalog.metrics {
        let mut chars = m.name.chars();
        let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c))
            && m.name.len() <= 255;
        if !ok {
            cx.error(&join_key(&m.at, "name"), Invalid::MetricName { name: m.name.clone() });
        }
    }
}

/// Each metric is defined once: `shop.queue.depth` twice breaks it.
fn metric_names_unique(catalog: &Catalog, cx: &mut Ctxt) {
    let mut first: BTreeMap<&str, &str> = BTreeMap::new();
    for m in &catalog.metrics {
        match first.get(m.name.as_str()) {
            Some(&at) => {
                let first_line = cx.line_of(at);
                cx.error(&join_key(&m.at, "name"), Invalid::DuplicateMetric { name: m.name.clone(), first_line });
            }
            None => {
                first.insert(&m.name, &m.at);
            }
        }
    }
}

/// No two metrics produce the same Prometheus series: `a.b` and `a_b` break it. Reported once per
/// pair, with what to do: drop the deprecated one, or rename.
fn prometheus_series_unique(catalog: &Catalog, cx: &mut Ctxt) {
    for (a, b, series) in prometheus_collisions(catalog) {
        let (first, m) = (&catalog.metrics[a], &catalog.metrics[b]);
        let fix = match (&first.deprecated, &m.deprecated) {
            (Some(d), _) | (None, Some(d)) => {
                let old = if first.deprecated.is_some() { first } else { m };
                CollisionFix::DropDeprecated {
                    deprecated: old.name.clone(),
                    since: d.since.clone(),
                    replacement: d.renamed_to.clone(),
                }
            }
            _ if first.name.replace('.', "_") == m.name.replace('.', "_") => CollisionFix::Separators,
            _ => CollisionFix::Rename,
        };
        // At the one to drop where one is deprecated, else at the second.
        let at = match &fix {
            CollisionFix::DropDeprecated { deprecated, .. } if *deprecated == first.name => &first.at,
            _ => &m.at,
        };
        cx.error(
            &join_key(at, "name"),
            Invalid::DuplicatePrometheusName { series, name: m.name.clone(), other: first.name.clone(), fix },
        );
    }
}

/// Pairs of metrics (by index, the first declared first) whose Prometheus series collide, with the
/// first series they share; metrics of one name are left to `metric_names_unique`.
fn prometheus_collisions(catalog: &Catalog) -> Vec<(usize, usize, String)> {
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    let mut pairs: Vec<(usize, usize, String)> = Vec::new();
    for (i, m) in catalog.metrics.iter().enumerate() {
        for s in &m.prometheus.series {
            match owner.get(s.as_str()) {
                Some(&other) if catalog.metrics[other].name != m.name => {
                    if !pairs.iter().any(|(a, b, _)| (*a, *b) == (other, i)) {
                        pairs.push((other, i, s.clone()));
                    }
                }
                Some(_) => {}
                None => {
                    owner.insert(s, i);
                }
            }
        }
    }
    pairs
}

/// Metrics and labels say what they are: `description: ""` breaks it.
fn descriptions_not_empty(catalog: &Catalog, cx: &mut Ctxt) {
    for m in &catalog.metrics {
        if m.description.trim().is_empty() {
            cx.error(&join_key(&m.at, "description"), Invalid::EmptyText { what: "metric description" });
        }
    }
    for l in &catalog.labels {
        if l.description.trim().is_empty() {
            cx.error(&join_key(&l.at, "description"), Invalid::EmptyText { what: "label description" });
        }
    }
}

/// The OpenTelemetry API has the instrument for the number type: an `i64` counter breaks it.
fn number_type_fits_instrument(catalog: &Catalog, cx: &mut Ctxt) {
    for m in &catalog.metrics {
        let allowed = allowed_number_types(m.instrument);
        if !allowed.contains(&m.number) {
            let allowed = allowed.iter().map(|t| format!("`{}`", t.as_str())).collect::<Vec<_>>().join(" or ");
            cx.error(
                &join_key(&m.at, "type"),
                Invalid::TypeNotAllowed { instrument: m.instrument.as_str(), number: m.number.as_str(), allowed },
            );
        }
    }
}

/// Label keys are OpenTelemetry attribute names (words of `[a-zA-Z0-9_]` joined by `.`, starting
/// with a letter) whose Prometheus label name is not reserved and that make a Rust field:
/// `claim-method`, `http..method`, `_x` or `le` break it.
fn label_keys_valid(catalog: &Catalog, cx: &mut Ctxt) {
    for l in &catalog.labels {
        let ok = l.key.starts_with(|c: char| c.is_ascii_alphabetic())
            && l.key.split('.').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            && l.prometheus_key != "le"
            && !l.rust_field.is_empty();
        if !ok {
            let at = if l.key == l.id { l.at.clone() } else { join_key(&l.at, "key") };
            cx.error_at_key(&at, Invalid::LabelKey { key: l.key.clone() });
        }
    }
}

/// A metric has each attribute key once, and each Prometheus label once: two labels with
/// `key: result_type`, or the keys `a.b` and `a_b`, on one metric break it.
fn label_keys_unique_per_metric(catalog: &Catalog, cx: &mut Ctxt) {
    for m in &catalog.metrics {
        let mut seen = BTreeSet::new();
        let mut prometheus: BTreeMap<&str, &str> = BTreeMap::new();
        for (i, &l) in m.labels.iter().enumerate() {
            let label = catalog.label(l);
            let at = join_index(&join_key(&m.at, "labels"), i);
            if !seen.insert(&label.key) {
                cx.error(&at, Invalid::DuplicateLabelKey { key: label.key.clone() });
            } else if let Some(other) = prometheus.insert(&label.prometheus_key, &label.key) {
                cx.error(
                    &at,
                    Invalid::PrometheusLabelCollision {
                        prometheus: label.prometheus_key.clone(),
                        a: other.into(),
                        b: label.key.clone(),
                    },
                );
            }
        }
    }
}

/// The values of a closed label make distinct enum variants: `half-open` and `half_open` break it.
fn label_variants_unique(catalog: &Catalog, cx: &mut Ctxt) {
    for l in &catalog.labels {
        let LabelKind::Closed(values) = &l.kind else { continue };
        if values.is_empty() {
            cx.error(&join_key(&l.at, "values"), Invalid::EmptyValues);
        }
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        let mut values_seen = std::collections::HashSet::new();
        for (i, v) in values.iter().enumerate() {
            // The same value under two explicit variants: two variants that export one value, which
            // only rustc's "unreachable pattern" and a doubled row of the reference would show.
            if !values_seen.insert(v.value.as_str()) {
                cx.error(
                    &join_index(&join_key(&l.at, "values"), i),
                    Invalid::DuplicateId { what: "label value", id: v.value.clone() },
                );
                continue;
            }
            if v.variant.is_empty() {
                continue; // Reported while building the model.
            }
            if let Some(first) = seen.insert(&v.variant, &v.value) {
                if first == v.value {
                    cx.error(
                        &join_index(&join_key(&l.at, "values"), i),
                        Invalid::DuplicateId { what: "label value", id: v.value.clone() },
                    );
                } else {
                    cx.error(
                        &join_index(&join_key(&l.at, "values"), i),
                        Invalid::VariantCollision { ident: v.variant.clone(), a: first.into(), b: v.value.clone() },
                    );
                }
            }
        }
    }
}

/// Generated Rust names do not collide within their module: metrics `tasks.active` and
/// `tasks_active` in one domain, or labels `claim-method` and `claim_method`, break it.
fn rust_names_unique(catalog: &Catalog, cx: &mut Ctxt) {
    // Recorder types, label-set types, bound types and the `Recorders` struct share their domain's
    // module; in a flat catalog every recorder shares one module, and `Metrics` has their fields.
    let modules: Vec<Vec<&Metric>> = if catalog.is_flat() {
        vec![catalog.metrics.iter().collect()]
    } else {
        (0..catalog.domains.len()).map(|d| catalog.domain_metrics(d).collect()).collect()
    };
    // Metrics whose Prometheus series collide are reported as such (the same cause).
    let collided: Vec<(&str, &str)> = prometheus_collisions(catalog)
        .into_iter()
        .map(|(a, b, _)| (catalog.metrics[a].name.as_str(), catalog.metrics[b].name.as_str()))
        .collect();
    let reported = |a: &str, b: &str| collided.iter().any(|&(x, y)| (x, y) == (a, b) || (x, y) == (b, a));
    for metrics in modules {
        let mut types: BTreeMap<String, &str> = BTreeMap::new();
        types.insert("Recorders".into(), "(the domain's recorder set)");
        let mut fields: BTreeMap<&str, &str> = BTreeMap::new();
        for m in metrics {
            for ident in [m.rust_recorder.clone(), m.rust_labels(), m.rust_bound(), m.rust_bind_labels()] {
                // The same name twice is reported by `metric_names_unique`.
                if let Some(other) = types.insert(ident.clone(), &m.name)
                    && other != m.name
                    && !reported(other, &m.name)
                {
                    cx.error(
                        &join_key(&m.at, "name"),
                        Invalid::IdentCollision { what: "metrics", ident, a: other.into(), b: m.name.clone() },
                    );
                }
            }
            if let Some(other) = fields.insert(&m.rust_field, &m.name)
                && other != m.name
                && !reported(other, &m.name)
            {
                cx.error(
                    &join_key(&m.at, "name"),
                    Invalid::IdentCollision {
                        what: "metrics",
                        ident: m.rust_field.clone(),
                        a: other.into(),
                        b: m.name.clone(),
                    },
                );
            }
        }
    }
    let mut modules: BTreeMap<&str, &str> =
        [("labels", "(label enums)"), ("values", "(value maps)"), ("recorders", "(the recorders of a flat catalog)")]
            .into_iter()
            .collect();
    for d in &catalog.domains {
        if let Some(other) = modules.insert(&d.rust_module, &d.id) {
            cx.error(
                &join_key(&d.at, "id"),
                Invalid::IdentCollision {
                    what: "domains",
                    ident: d.rust_module.clone(),
                    a: other.into(),
                    b: d.id.clone(),
                },
            );
        }
    }
    let mut enums: BTreeMap<&str, &str> = [("UnknownValue", "(the parse error type)")].into_iter().collect();
    for l in catalog.label_enums() {
        if let Some(other) = enums.insert(&l.rust_enum, &l.id) {
            cx.error_at_key(
                &l.at,
                Invalid::IdentCollision {
                    what: "labels",
                    ident: l.rust_enum.clone(),
                    a: other.into(),
                    b: l.id.clone(),
                },
            );
        }
    }
    // Label fields share a metric's label structs: two keys of one metric may not make one field
    // (keys that Prometheus also stores as one label are reported by `label_keys_unique_per_metric`).
    for m in &catalog.metrics {
        let mut fields: BTreeMap<&str, &str> = BTreeMap::new();
        for (i, &l) in m.labels.iter().enumerate() {
            let l = catalog.label(l);
            if let Some(other) = fields.insert(&l.rust_field, &l.key)
                && other != l.key
                && label_name(other) != l.prometheus_key
            {
                cx.error(
                    &join_index(&join_key(&m.at, "labels"), i),
                    Invalid::IdentCollision {
                        what: "label keys",
                        ident: l.rust_field.clone(),
                        a: other.into(),
                        b: l.key.clone(),
                    },
                );
            }
        }
    }
}

/// Only histograms have buckets, finite and strictly increasing: `[10, 5]` breaks it.
fn buckets_valid(catalog: &Catalog, cx: &mut Ctxt) {
    for m in &catalog.metrics {
        let Some(buckets) = &m.buckets else { continue };
        let at = join_key(&m.at, "buckets");
        if m.instrument != Instrument::Histogram {
            cx.error_at_key(&at, Invalid::BucketsNotHistogram);
        } else if buckets.iter().any(|b| !b.is_finite()) || buckets.windows(2).any(|w| w[0] >= w[1]) {
            cx.error(&at, Invalid::BucketsNotIncreasing);
        }
    }
}

/// A histogram without `buckets` has a default that fits its unit: `s` (the semantic conventions'
/// advice) or `ms` (the SDK's default is made for it). Any other unit warns: `By` with the SDK's
/// 0 … 10,000 puts every value above 10 kB in one bucket.
fn default_buckets_fit_unit(catalog: &Catalog, cx: &mut Ctxt) {
    for m in &catalog.metrics {
        if let Some((_, BucketsOrigin::SdkDefault)) = m.histogram_buckets()
            && m.unit != "ms"
        {
            cx.warn(
                &join_key(&m.at, "unit"),
                Invalid::DefaultBucketsUnfit { name: m.name.clone(), unit: m.unit.clone() },
            );
        }
    }
}

/// A cardinality limit is from 1 to the maximum, and holds every combination of the metric's closed
/// labels: `cardinality_limit: 10` on a metric with 3 × 5 closed values breaks it (recording each
/// combination once would fill it and overflow).
fn cardinality_limits_valid(catalog: &Catalog, cx: &mut Ctxt) {
    for m in &catalog.metrics {
        let Some(limit) = m.cardinality_limit_declared else { continue };
        let at = join_key(&m.at, "cardinality_limit");
        if !(1..=MAX_CARDINALITY_LIMIT).contains(&limit) {
            cx.error(
                &at,
                Invalid::CardinalityLimitRange {
                    got: limit,
                    max: MAX_CARDINALITY_LIMIT,
                    default: DEFAULT_CARDINALITY_LIMIT,
                },
            );
            continue;
        }
        let combinations = m.labels.iter().zip(&m.label_uses).try_fold(1u64, |n, (&l, usage)| {
            let label = catalog.label(l);
            let values = label.values().map_or(1, |v| v.len() as u64 + u64::from(usage.is_optional()));
            n.checked_mul(values)
        });
        let combinations = combinations.unwrap_or(u64::MAX);
        if combinations > limit {
            cx.error(&at, Invalid::CardinalityLimitBelowCombinations { limit, combinations });
        }
    }
}

/// Value maps go on integer gauges and map each value once: `value_map` on a counter breaks it.
fn value_maps_valid(catalog: &Catalog, cx: &mut Ctxt) {
    for v in &catalog.value_maps {
        let mut seen = BTreeSet::new();
        let mut variants: BTreeMap<&str, &str> = BTreeMap::new();
        for (i, e) in v.entries.iter().enumerate() {
            let at = join_index(&join_key(&v.at, "values"), i);
            if !seen.insert(e.value) {
                cx.error(&join_key(&at, "value"), Invalid::DuplicateMapValue { value: e.value });
            }
            if !e.variant.is_empty()
                && let Some(other) = variants.insert(&e.variant, &e.name)
            {
                cx.error(
                    &join_key(&at, "name"),
                    Invalid::IdentCollision {
                        what: "states",
                        ident: e.variant.clone(),
                        a: other.into(),
                        b: e.name.clone(),
                    },
                );
            }
        }
    }
    for m in &catalog.metrics {
        let Some(map) = m.value_map else { continue };
        let at = join_key(&m.at, "value_map");
        if m.instrument != Instrument::Gauge {
            cx.error(&at, Invalid::ValueMapNotGauge);
        } else if m.number == NumberType::F64
            || (m.number == NumberType::U64 && catalog.value_maps[map].entries.iter().any(|e| e.value < 0))
        {
            cx.error(&join_key(&m.at, "type"), Invalid::ValueMapNotInteger);
        }
    }
}

/// Alert names are UpperCamelCase and `for` is a Prometheus duration: `for: 2 minutes` breaks it.
fn alerts_valid(catalog: &Catalog, cx: &mut Ctxt) {
    let mut seen = std::collections::HashSet::new();
    for m in &catalog.metrics {
        for a in &m.alerts {
            if !seen.insert(a.name.as_str()) {
                cx.error(&join_key(&a.at, "name"), Alerting::Duplicate { name: a.name.clone() });
            }
            let name_ok = a.name.starts_with(|c: char| c.is_ascii_uppercase())
                && a.name.chars().all(|c| c.is_ascii_alphanumeric());
            if !name_ok {
                cx.error(&join_key(&a.at, "name"), Alerting::Name { name: a.name.clone() });
            }
            if let Some(d) = &a.for_duration
                && !is_duration(d)
            {
                cx.error(&join_key(&a.at, "for"), Alerting::Duration { got: d.clone() });
            }
        }
    }
    // An SLO's tiers share its alert name (told apart by `slo_tier`); no other alert may have it.
    let mut slo_names = std::collections::HashSet::new();
    for slo in &catalog.slos {
        // A second SLO of one name is reported as such; its made-up alert name with it.
        let named_twice = !slo_names.insert(slo.name.as_str()) && !slo.alert_declared;
        if !seen.insert(slo.alert.as_str()) && !named_twice {
            let at = if slo.alert_declared { join_key(&slo.at, "alert") } else { join_key(&slo.at, "name") };
            cx.error(&at, Alerting::Duplicate { name: slo.alert.clone() });
        }
    }
}

/// A deprecation's `renamed_to` names a metric of the catalog: it is how `docs-gen diff` tells a
/// rename from a removal.
fn renames_resolve(catalog: &Catalog, cx: &mut Ctxt) {
    for m in &catalog.metrics {
        if let Some(to) = m.deprecated.as_ref().and_then(|d| d.renamed_to.as_ref())
            && !catalog.metrics.iter().any(|o| &o.name == to)
        {
            let known = catalog.metrics.iter().map(|m| m.name.clone()).collect();
            cx.error(
                &join_key(&join_key(&m.at, "deprecated"), "renamed_to"),
                Unknown::RenamedTo { got: to.clone(), known },
            );
        }
    }
}

/// Each panel's visualization is one the dashboards can draw: `Candlestick` breaks it. (Its
/// thresholds are checked where the panel's unit is known, with the dashboards.)
fn panels_drawable(catalog: &Catalog, cx: &mut Ctxt) {
    for p in catalog.dashboards.iter().flat_map(|d| &d.panels) {
        if Visualization::parse(p.visualization.trim()).is_none() {
            cx.error(
                &join_key(&p.at, "visualization"),
                Unknown::Keyword {
                    what: "visualization",
                    got: p.visualization.trim().to_owned(),
                    known: Visualization::NAMES,
                },
            );
        }
    }
}
