//! Stage 2: the deserialized sections resolved into the [`model`](crate::model): references to
//! indexes, spellings to enums, derived names computed once. What cannot be resolved is reported
//! and the offending item left out, so that one error does not cause others.

use crate::diag::Ctxt;
use crate::diag::message::{Alerting, Invalid, Unknown};
use crate::ident;
use crate::model::*;
use crate::notation;
use crate::parse::{self, Broken, Parsed};
use crate::source::{join_index, join_key};
use otel_prometheus_names::{PrometheusName, label_name};
use std::collections::BTreeMap;

/// Resolves references and computes derived names. Reports what cannot be resolved and leaves the
/// offending item out, so that one error does not cause others.
pub fn build(p: Parsed, cx: &mut Ctxt) -> Catalog {
    let ids = &mut 0;
    let source = cx.file().to_owned();
    let meter_name = p.document.meter_name.clone().unwrap_or_else(|| default_meter_name(&source));
    let domains: Vec<Domain> = p.domains.into_iter().map(|(at, d)| build_domain(at, d, cx)).collect();
    let domain_ids: Vec<String> = domains.iter().map(|d| d.id.clone()).collect();

    let mut labels: Vec<LabelDef> = p.labels.into_iter().map(|(at, id, l)| build_label(at, id, l, cx)).collect();
    labels.sort_by(|a, b| a.id.cmp(&b.id));
    let label_index: BTreeMap<&str, usize> = labels.iter().enumerate().map(|(i, l)| (l.id.as_str(), i)).collect();

    let mut value_maps: Vec<ValueMap> =
        p.value_maps.into_iter().map(|(at, id, v)| build_value_map(at, id, v, cx)).collect();
    value_maps.sort_by(|a, b| a.id.cmp(&b.id));
    let map_index: BTreeMap<&str, usize> = value_maps.iter().enumerate().map(|(i, v)| (v.id.as_str(), i)).collect();

    let default_stability = match p.document.default_stability.as_deref() {
        None => Stability::Alpha,
        Some(s) => Stability::parse(s).unwrap_or_else(|| {
            cx.error(
                "document.default_stability",
                Unknown::Keyword { what: "stability", got: s.to_owned(), known: Stability::NAMES },
            );
            Stability::Alpha
        }),
    };
    let refs = Refs {
        default_stability,
        prefix: p.document.rust_prefix.as_deref(),
        domains: &domains,
        domain_ids: &domain_ids,
        labels: &label_index,
        label_defs: &labels,
        maps: &map_index,
        broken: &p.broken,
    };
    let mut metrics = Vec::new();
    let mut unresolved: Vec<String> = p.broken.metrics.iter().map(|n| name_tokens(n)).collect();
    let mut orphans = Orphans::default();
    for (at, m) in p.metrics {
        let name = m.name.clone();
        match build_metric(at, m, &refs, ids, &mut orphans, cx) {
            Some(metric) => metrics.push(metric),
            None => unresolved.push(name_tokens(&name)),
        }
    }

    let examples = p
        .examples
        .into_iter()
        .map(|(at, s)| ExampleSection {
            title: s.title,
            examples: s
                .examples
                .into_iter()
                .enumerate()
                .map(|(i, e)| {
                    let at = join_index(&join_key(&at, "examples"), i);
                    Example {
                        title: e.title,
                        description: e.description,
                        queries: build_queries(&join_key(&at, "queries"), e.queries, ids),
                        note: e.note,
                    }
                })
                .collect(),
        })
        .collect();

    let dashboards = p
        .dashboards
        .into_iter()
        .map(|(at, d)| Dashboard {
            title: d.title,
            domain: d.domain.and_then(|id| refs.domain(&join_key(&at, "domain"), &id, cx)),
            panels: d
                .panels
                .into_iter()
                .enumerate()
                .map(|(i, panel)| {
                    let at = join_index(&join_key(&at, "panels"), i);
                    Panel {
                        at: at.clone(),
                        title: panel.title,
                        visualization: panel.visualization,
                        queries: build_queries(&join_key(&at, "queries"), panel.queries, ids),
                        thresholds: panel.thresholds,
                        value_map: panel.value_map.and_then(|id| refs.value_map(&join_key(&at, "value_map"), &id, cx)),
                        note: panel.note,
                    }
                })
                .collect(),
        })
        .collect();

    let verification = p
        .verification
        .into_iter()
        .map(|(at, g)| ChecklistGroup {
            title: g.title,
            items: g
                .items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    let at = join_index(&join_key(&at, "items"), i);
                    ChecklistItem {
                        query: item.query.map(|expr| {
                            build_query(join_key(&at, "query"), parse::Query { title: item.text.clone(), expr }, ids)
                        }),
                        text: item.text,
                    }
                })
                .collect(),
        })
        .collect();

    let next_steps = p
        .next_steps
        .into_iter()
        .map(|(at, n)| NextSteps {
            title: n.title,
            items: n
                .items
                .into_iter()
                .enumerate()
                .map(|(i, s)| NextStep {
                    domain: s.domain.and_then(|id| {
                        refs.domain(&join_key(&join_index(&join_key(&at, "items"), i), "domain"), &id, cx)
                    }),
                    text: s.text,
                })
                .collect(),
        })
        .collect();

    let slos = crate::slos::build(p.slos, p.document.scrape_interval.as_deref(), cx);
    Catalog {
        slos,
        tracks_status: metrics.iter().any(|m| m.status_declared),
        source,
        meter_name,
        document: p.document,
        domains,
        labels,
        value_maps,
        metrics,
        examples,
        dashboards,
        verification,
        troubleshooting: p.troubleshooting,
        next_steps,
        unresolved,
        orphan_queries: orphans.queries,
        orphan_test_series: orphans.test_series,
        query_count: *ids,
        warnings: Vec::new(),
    }
}

/// `semconv/http.yaml` → `http`: the meter of a catalog that names none.
fn default_meter_name(source: &str) -> String {
    let file = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let stem = file.split('.').next().filter(|s| !s.is_empty()).unwrap_or(file);
    stem.to_owned()
}

/// `shop.orders.total` → `shop_orders_total`, as Prometheus would start it.
fn name_tokens(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("_")
}

/// `shop.orders.total` without the prefix `shop` → `orders.total`, so that Rust names do not all
/// start with the same word. Only a dotted prefix is stripped: a name such as
/// `shop_circuit_breaker_state` keeps it, so its recorder is not confused with a
/// `CircuitBreakerState` value enum.
fn strip_prefix<'n>(name: &'n str, prefix: Option<&str>) -> &'n str {
    prefix
        .and_then(|p| name.strip_prefix(p))
        .and_then(|rest| rest.strip_prefix('.'))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(name)
}

struct Refs<'a> {
    default_stability: Stability,
    prefix: Option<&'a str>,
    domains: &'a [Domain],
    domain_ids: &'a [String],
    labels: &'a BTreeMap<&'a str, usize>,
    label_defs: &'a [LabelDef],
    maps: &'a BTreeMap<&'a str, usize>,
    broken: &'a Broken,
}

impl Refs<'_> {
    fn domain(&self, at: &str, id: &str, cx: &mut Ctxt) -> Option<usize> {
        let found = self.domain_ids.iter().position(|d| d == id);
        let broken = self.broken.domain_without_id || self.broken.domains.iter().any(|d| d == id);
        if found.is_none() && !broken {
            cx.error(at, Unknown::Domain { got: id.into(), known: self.domain_ids.to_vec() });
        }
        found
    }

    fn value_map(&self, at: &str, id: &str, cx: &mut Ctxt) -> Option<usize> {
        let found = self.maps.get(id).copied();
        if found.is_none() && !self.broken.value_maps.iter().any(|m| m == id) {
            cx.error(
                at,
                Unknown::ValueMap { got: id.into(), known: self.maps.keys().map(|k| k.to_string()).collect() },
            );
        }
        found
    }
}

fn build_domain(at: String, d: parse::Domain, cx: &mut Ctxt) -> Domain {
    let rust_module = ident::field_ident(&d.id).unwrap_or_else(|| {
        cx.error(&join_key(&at, "id"), Invalid::Ident { what: "domain id", text: d.id.clone() });
        String::from("invalid")
    });
    Domain {
        at,
        id: d.id,
        title: d.title,
        summary: d.summary,
        module: d.module,
        instrumentation: d.instrumentation,
        intro: d.intro,
        groups: d.groups.into_iter().map(|g| Group { id: g.id, title: g.title, intro: g.intro }).collect(),
        rust_module,
    }
}

fn build_label(at: String, id: String, l: parse::Label, cx: &mut Ctxt) -> LabelDef {
    let attribute_type = match l.attribute_type.as_deref() {
        None => AttributeType::String,
        // The semantic conventions spell `bool` as `boolean`.
        Some(t) => AttributeType::parse(t.replace("boolean", "bool").as_str()).unwrap_or_else(|| {
            cx.error(
                &join_key(&at, "type"),
                Unknown::Keyword { what: "attribute type", got: t.into(), known: AttributeType::NAMES },
            );
            AttributeType::String
        }),
    };
    let requirement = requirement_of(&at, l.requirement_level, cx);
    let kind = match (l.values, l.free_form) {
        (Some(values), None) => {
            if !matches!(attribute_type, AttributeType::String | AttributeType::Int) {
                cx.error_at_key(
                    &join_key(&at, "values"),
                    Invalid::ValuesNotAllowedForType { attribute_type: attribute_type.as_str() },
                );
            }
            LabelKind::Closed(
                values
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| build_label_value(&join_index(&join_key(&at, "values"), i), v, attribute_type, cx))
                    .collect(),
            )
        }
        (None, reason) => LabelKind::FreeForm { reason: reason.unwrap_or_default() },
        (Some(_), Some(reason)) => {
            cx.error_at_key(&join_key(&at, "free_form"), Invalid::LabelValuesAndFreeForm);
            LabelKind::FreeForm { reason }
        }
    };
    let stability = l.stability.as_deref().and_then(|s| stability_of(&join_key(&at, "stability"), s, cx));
    let deprecated = l.deprecated.map(deprecation);
    let open = l.open.unwrap_or(false);
    if open {
        if !matches!(kind, LabelKind::Closed(_)) {
            cx.error(&join_key(&at, "open"), Invalid::OpenWithoutValues);
        } else if attribute_type != AttributeType::String {
            cx.error(&join_key(&at, "open"), Invalid::OpenNotString { attribute_type: attribute_type.as_str() });
        }
    }
    let key = l.key.unwrap_or_else(|| id.clone());
    let prometheus_key = label_name(&key);
    let rust_enum = ident::type_ident(&id).unwrap_or_else(|| {
        cx.error_at_key(&at, Invalid::Ident { what: "label id", text: id.clone() });
        String::new()
    });
    let rust_field = ident::field_ident(&key).unwrap_or_default();
    LabelDef {
        at,
        id,
        key,
        prometheus_key,
        attribute_type,
        requirement,
        description: l.description,
        kind,
        open,
        stability,
        deprecated,
        examples: l.examples,
        rust_enum,
        rust_field,
    }
}

/// One allowed value: its text, its integer (for `int` attributes) and its Rust variant (the one
/// the catalog names, else made by the sanitizer). A value of the wrong type is reported at it.
fn build_label_value(at: &str, v: parse::LabelValue, ty: AttributeType, cx: &mut Ctxt) -> LabelValue {
    let (scalar, explicit, stability, deprecated, mapped) = match v {
        parse::LabelValue::Scalar(s) => (s, None, None, None, false),
        parse::LabelValue::Named { value, variant, stability, deprecated } => {
            (value, variant, stability, deprecated, true)
        }
    };
    let value_at = if mapped { join_key(at, "value") } else { at.to_owned() };
    let stability = stability.and_then(|s| stability_of(&join_key(at, "stability"), &s, cx));
    let deprecated = deprecated.map(deprecation);
    let (value, int) = match (scalar, ty) {
        (parse::Scalar::Int(i), AttributeType::Int) => (i.to_string(), Some(i)),
        (parse::Scalar::String(s), AttributeType::Int) => {
            cx.error(&value_at, Invalid::ValueTypeMismatch { value: format!("\"{s}\""), declared: "int" });
            (s, None)
        }
        (parse::Scalar::String(s), _) => (s, None),
        (parse::Scalar::Int(i), _) => {
            cx.error(&value_at, Invalid::ValueTypeMismatch { value: i.to_string(), declared: ty.as_str() });
            (i.to_string(), None)
        }
        (parse::Scalar::Other(text), _) => {
            cx.error(&value_at, Invalid::ValueTypeMismatch { value: text.clone(), declared: ty.as_str() });
            (text, None)
        }
    };
    let variant = match explicit {
        Some(name) => ident::exact_type_ident(&name).unwrap_or_else(|| {
            cx.error(&join_key(at, "variant"), Invalid::Variant { text: name.clone() });
            String::new()
        }),
        None => ident::type_ident(&value).unwrap_or_else(|| {
            cx.error(&value_at, Invalid::Ident { what: "label value", text: value.clone() });
            String::new()
        }),
    };
    LabelValue { value, int, variant, stability, deprecated }
}

/// The requirement level written under `at` (`requirement_level`), `required` when none is.
fn requirement_of(at: &str, level: Option<parse::RequirementLevel>, cx: &mut Ctxt) -> Requirement {
    match level {
        None => Requirement { level: RequirementLevel::Required, condition: None },
        Some(parse::RequirementLevel::Conditional { conditionally_required }) => {
            Requirement { level: RequirementLevel::ConditionallyRequired, condition: Some(conditionally_required) }
        }
        Some(parse::RequirementLevel::RecommendedWhen { recommended }) => {
            Requirement { level: RequirementLevel::Recommended, condition: Some(recommended) }
        }
        Some(parse::RequirementLevel::Name(name)) => Requirement {
            level: RequirementLevel::parse(&name).unwrap_or_else(|| {
                cx.error(
                    &join_key(at, "requirement_level"),
                    Unknown::Keyword { what: "requirement level", got: name.clone(), known: RequirementLevel::NAMES },
                );
                RequirementLevel::Required
            }),
            condition: None,
        },
    }
}

/// A stability level the catalog wrote at `at`, or `None` (reported) when it is none.
fn stability_of(at: &str, s: &str, cx: &mut Ctxt) -> Option<Stability> {
    let found = Stability::parse(s);
    if found.is_none() {
        cx.error(at, Unknown::Keyword { what: "stability", got: s.to_owned(), known: Stability::NAMES });
    }
    found
}

fn deprecation(d: parse::Deprecated) -> Deprecation {
    Deprecation { since: d.since, reason: d.reason, renamed_to: d.renamed_to }
}

fn build_value_map(at: String, id: String, v: parse::ValueMap, cx: &mut Ctxt) -> ValueMap {
    let rust_enum = ident::type_ident(&id).unwrap_or_else(|| {
        cx.error_at_key(&at, Invalid::Ident { what: "value map id", text: id.clone() });
        String::new()
    });
    let entries = v
        .values
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let variant = ident::type_ident(&e.name).unwrap_or_else(|| {
                let at = join_key(&join_index(&join_key(&at, "values"), i), "name");
                cx.error(&at, Invalid::Ident { what: "state name", text: e.name.clone() });
                String::new()
            });
            ValueMapEntry { value: e.value, name: e.name, color: e.color, variant }
        })
        .collect();
    ValueMap { at, id, description: v.description, entries, rust_enum }
}

/// What the model leaves out for an error but later stages still check: the queries and alert test
/// input series of metrics (and alerts) that could not be resolved.
#[derive(Default)]
struct Orphans {
    queries: Vec<Query>,
    /// (path of the `series` value, the series).
    test_series: Vec<(String, String)>,
}

impl Orphans {
    fn alert(&mut self, a: Alert) {
        self.test_series.extend(a.test_series().map(|(at, s)| (at, s.to_owned())));
        self.queries.push(a.query);
    }
}

/// The metric, or, when it cannot be resolved, `None`, its queries and alerts kept in `orphans` (so
/// that they are still checked).
fn build_metric(
    at: String,
    m: parse::Metric,
    refs: &Refs,
    ids: &mut usize,
    orphans: &mut Orphans,
    cx: &mut Ctxt,
) -> Option<Metric> {
    let field = |key: &str| join_key(&at, key);
    // `Some(None)`: a flat catalog's metric, as it should be; `None`: an error, reported.
    let domain: Option<Option<usize>> = match (&m.domain, refs.domains.is_empty()) {
        (None, true) => Some(None),
        (Some(id), false) => refs.domain(&field("domain"), id, cx).map(Some),
        (Some(_), true) => {
            cx.error_at_key(&field("domain"), Invalid::DomainWithoutDomains);
            None
        }
        (None, false) => {
            cx.error_at_key(&field("name"), Invalid::DomainMissing { known: refs.domain_ids.to_vec() });
            None
        }
    };
    let domain_id = m.domain.clone().unwrap_or_default();
    let group = match (domain.flatten(), &m.group) {
        (Some(d), Some(g)) => {
            let groups = &refs.domains[d].groups;
            let found = groups.iter().position(|x| &x.id == g);
            if found.is_none() {
                if groups.is_empty() {
                    cx.error(&field("group"), Invalid::GroupNotAllowed { domain: domain_id.clone() });
                } else {
                    cx.error(
                        &field("group"),
                        Unknown::Group {
                            got: g.clone(),
                            domain: domain_id.clone(),
                            known: groups.iter().map(|x| x.id.clone()).collect(),
                        },
                    );
                }
            }
            found
        }
        (Some(d), None) if !refs.domains[d].groups.is_empty() => {
            cx.error_at_key(&at, Invalid::GroupMissing { domain: domain_id.clone() });
            None
        }
        (None, Some(_)) if refs.domains.is_empty() => {
            cx.error_at_key(&field("group"), Invalid::GroupWithoutDomains);
            None
        }
        _ => None,
    };
    let instrument = Instrument::parse(&m.instrument);
    if instrument.is_none() {
        cx.error(
            &field("instrument"),
            Unknown::Keyword { what: "instrument", got: m.instrument.clone(), known: Instrument::NAMES },
        );
    }
    let number = NumberType::parse(&m.number_type);
    if number.is_none() {
        cx.error(
            &field("type"),
            Unknown::Keyword { what: "number type", got: m.number_type.clone(), known: NumberType::NAMES },
        );
    }
    let status_declared = m.status.is_some();
    let status = match &m.status {
        None => Some(Status::Instrumented),
        Some(s) => {
            let status = Status::parse(s);
            if status.is_none() {
                cx.error(&field("status"), Unknown::Keyword { what: "status", got: s.clone(), known: Status::NAMES });
            }
            status
        }
    };
    let stability = match m.stability.as_deref() {
        None => refs.default_stability,
        Some(s) => Stability::parse(s).unwrap_or_else(|| {
            cx.error(
                &field("stability"),
                Unknown::Keyword { what: "stability", got: s.to_owned(), known: Stability::NAMES },
            );
            refs.default_stability
        }),
    };
    // Any UCUM unit: Prometheus's word where its translator has one, the unit itself otherwise
    // (said in a warning); a Prometheus word written as the unit is the likeliest slip.
    let unit_ok = if let Some(ucum) = otel_prometheus_names::unit_of_word(&m.unit) {
        cx.error(&field("unit"), Invalid::UnitWord { got: m.unit.clone(), ucum });
        false
    } else if !otel_prometheus_names::is_ucum_syntax(&m.unit) {
        cx.error(&field("unit"), Unknown::Unit { got: m.unit.clone(), known: otel_prometheus_names::UNIT_NAMES });
        false
    } else {
        if otel_prometheus_names::unit_suffix(&m.unit).is_none() {
            let series = instrument.map(|i| PrometheusName::of(&m.name, &m.unit, i).base).unwrap_or_default();
            cx.warn(&field("unit"), Invalid::UnitKept { got: m.unit.clone(), series });
        }
        true
    };
    let mut labels = Vec::with_capacity(m.labels.len());
    let mut label_uses = Vec::with_capacity(m.labels.len());
    for (i, r) in m.labels.iter().enumerate() {
        let id = &r.id;
        let at = join_index(&field("labels"), i);
        // A use written as a map is reported at its `ref`.
        let id_at = if r.requirement_level.is_some() || r.brief.is_some() || !r.examples.is_empty() {
            join_key(&at, "ref")
        } else {
            at.clone()
        };
        match refs.labels.get(id.as_str()) {
            Some(&index) => {
                labels.push(index);
                let def = &refs.label_defs[index];
                label_uses.push(LabelUse {
                    requirement: match &r.requirement_level {
                        Some(_) => requirement_of(&at, r.requirement_level.clone(), cx),
                        None => def.requirement.clone(),
                    },
                    brief: r.brief.clone(),
                    examples: r.examples.clone(),
                });
            }
            None if refs.broken.labels.contains(id) => {} // Its definition has an error already.
            None => cx.error(
                &id_at,
                Unknown::Label { got: id.clone(), known: refs.labels.keys().map(|k| k.to_string()).collect() },
            ),
        }
    }
    let value_map = m.value_map.as_deref().and_then(|id| refs.value_map(&field("value_map"), id, cx));
    let queries = build_queries(&field("queries"), m.queries, ids);
    let alerts: Vec<Alert> = m
        .alerts
        .into_iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let at = join_index(&field("alerts"), i);
            let severity = Severity::parse(&a.severity);
            if severity.is_none() {
                cx.error(
                    &join_key(&at, "severity"),
                    Unknown::Keyword { what: "alert severity", got: a.severity.clone(), known: Severity::NAMES },
                );
            }
            let query =
                build_query(join_key(&at, "expr"), parse::Query { title: a.summary.clone(), expr: a.expr }, ids);
            if let Some(d) = &a.description
                && let Err(got) = notation::check_template(d)
            {
                cx.error(&join_key(&at, "description"), Alerting::UnsupportedTemplate { got });
            }
            let tests = build_alert_tests(&at, &a.name, a.tests, cx);
            let alert = Alert {
                name: a.name,
                severity: severity.unwrap_or(Severity::Critical),
                query,
                for_duration: a.for_duration,
                summary: a.summary,
                description: a.description,
                tests,
                at,
            };
            if severity.is_none() {
                orphans.alert(alert);
                return None;
            }
            Some(alert)
        })
        .collect();

    let base = strip_prefix(&m.name, refs.prefix);
    let rust_recorder = ident::type_ident(base);
    let rust_field = ident::field_ident(base);
    if rust_recorder.is_none() || rust_field.is_none() {
        cx.error(&field("name"), Invalid::Ident { what: "metric name", text: m.name.clone() });
    }
    let (Some(instrument), Some(number), Some(status), Some(domain), Some(rust_recorder), Some(rust_field), true) =
        (instrument, number, status, domain, rust_recorder, rust_field, unit_ok)
    else {
        orphans.queries.extend(queries);
        alerts.into_iter().for_each(|a| orphans.alert(a));
        return None;
    };
    Some(Metric {
        labels_unresolved: labels.len() != m.labels.len(),
        label_uses,
        prometheus: PrometheusName::of(&m.name, &m.unit, instrument),
        at,
        name: m.name,
        domain,
        group,
        instrument,
        number,
        unit: m.unit,
        description: m.description,
        labels,
        status,
        status_declared,
        status_note: m.status_note,
        recorded_in: m.recorded_in,
        value_map,
        buckets: m.buckets,
        cardinality_limit_declared: m.cardinality_limit,
        note: m.note,
        stability,
        deprecated: m.deprecated.map(|d| Deprecation { since: d.since, reason: d.reason, renamed_to: d.renamed_to }),
        queries,
        alerts,
        rust_recorder,
        rust_field,
    })
}

fn build_queries(at: &str, queries: Vec<parse::Query>, ids: &mut usize) -> Vec<Query> {
    queries.into_iter().enumerate().map(|(i, q)| build_query(join_key(&join_index(at, i), "expr"), q, ids)).collect()
}

/// A query, numbered in the catalog's order. `at` is the path of the expression itself. Its PromQL
/// is parsed and checked by a later stage.
fn build_query(at: String, q: parse::Query, ids: &mut usize) -> Query {
    let id = *ids;
    *ids += 1;
    Query { id, at, title: q.title, expr: q.expr }
}

/// The alert's unit tests, each field checked where promtool would only fail at test time; and
/// at least one case where it fires and one where it stays quiet.
fn build_alert_tests(at: &str, alert: &str, tests: Vec<parse::AlertTest>, cx: &mut Ctxt) -> Vec<AlertTest> {
    for (quiet, kind) in [(false, "firing"), (true, "quiet")] {
        if !tests.iter().any(|t| t.fires.is_empty() == quiet) {
            let path = if tests.is_empty() { join_key(at, "name") } else { join_key(at, "tests") };
            cx.error_at_key(&path, Alerting::TestMissing { alert: alert.to_owned(), kind });
        }
    }
    let tests_at = join_key(at, "tests");
    tests
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let at = join_index(&tests_at, i);
            let interval = t.interval.unwrap_or_else(|| "1m".to_owned());
            if !interval.is_empty() {
                check_duration(&join_key(&at, "interval"), &interval, cx);
            }
            check_duration(&join_key(&at, "at"), &t.at, cx);
            let input_at = join_key(&at, "input");
            if t.input.is_empty() {
                cx.error_at_key(&input_at, Alerting::TestNoInput);
            }
            // Each input series is a selector: checked by the PromQL stage, which parses it.
            for (j, s) in t.input.iter().enumerate() {
                let item = join_index(&input_at, j);
                if let Err(error) = notation::check_series_values(&s.values) {
                    cx.error(&join_key(&item, "values"), Alerting::TestValues { got: s.values.clone(), error });
                }
            }
            AlertTest {
                case: t.case,
                interval,
                input: t.input.into_iter().map(|s| (s.series, s.values)).collect(),
                eval_at: t.at,
                fires: t.fires,
                at,
            }
        })
        .collect()
}

fn check_duration(at: &str, d: &str, cx: &mut Ctxt) {
    // The same rule as an alert's `for` (`check`), which is Prometheus's.
    if !notation::is_duration(d) {
        cx.error(at, Alerting::Duration { got: d.to_owned() });
    }
}
