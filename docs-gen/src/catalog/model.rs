//! Stage 2: the validated catalog every emitter reads.
//!
//! References are resolved to indexes, enumerated strings to enums, and the derived names (the
//! Prometheus series, the Rust identifiers) computed once, here. The model keeps the catalog's
//! spelling and the Rust identifier side by side (`value` and `variant`). Each item remembers its
//! YAML path (`at`) so that the `check` rules can point at it; emitters ignore it.

use crate::catalog::diag::{Ctxt, Message};
use crate::catalog::parse;
use crate::catalog::source::{join_index, join_key};
use crate::names::prometheus::{self, PrometheusName};
use crate::names::rust as ident;
use promql_parser::parser::Expr;
use std::collections::{BTreeMap, HashMap};

pub use crate::catalog::parse::{Configuration, Document, QueryPatterns, Troubleshooting};

#[derive(Debug)]
pub struct Catalog {
    /// The catalog's file as its diagnostics and generated headers name it (`metrics.yaml`).
    pub source: String,
    /// What the catalog may do but should know, worded (`metrics.yaml:LINE:COL: warning: ...`).
    pub warnings: Vec<String>,
    /// The meter the recorders are created from: `document.meter_name`, or the catalog's file
    /// name without its extension.
    pub meter_name: String,
    pub document: Document,
    /// Empty for a flat catalog: its metrics then have no domain, and the Rust recorders sit in
    /// one module.
    pub domains: Vec<Domain>,
    /// Sorted by id.
    pub labels: Vec<LabelDef>,
    /// Sorted by id.
    pub value_maps: Vec<ValueMap>,
    /// In catalog order, which is the order of the reference.
    pub metrics: Vec<Metric>,
    pub examples: Vec<ExampleSection>,
    pub dashboards: Vec<Dashboard>,
    pub verification: Vec<ChecklistGroup>,
    pub troubleshooting: Vec<Troubleshooting>,
    pub next_steps: Vec<NextSteps>,
    /// Whether any metric states its status (computed once: every emitted metric asks).
    tracks_status: bool,
    /// Name tokens of metrics dropped for errors, so queries naming them are not reported again.
    pub(crate) unresolved: Vec<String>,
    /// The queries of dropped metrics, still checked against the rest of the catalog.
    pub(crate) orphan_queries: Vec<Query>,
}

#[derive(Debug)]
pub struct Domain {
    pub at: String,
    pub id: String,
    pub title: String,
    pub summary: String,
    pub module: Option<String>,
    pub instrumentation: Option<String>,
    pub intro: Option<String>,
    pub groups: Vec<Group>,
    /// The Rust module of the domain's recorders.
    pub rust_module: String,
}

#[derive(Debug)]
pub struct Group {
    pub id: String,
    pub title: String,
    pub intro: Option<String>,
}

#[derive(Debug)]
pub struct LabelDef {
    pub at: String,
    pub id: String,
    /// The attribute key as OpenTelemetry exports it (`http.request.method`).
    pub key: String,
    /// The label name Prometheus stores it under (`http_request_method`), by the one naming rule.
    pub prometheus_key: String,
    pub attribute_type: AttributeType,
    pub requirement: Requirement,
    pub description: String,
    pub kind: LabelKind,
    pub examples: Vec<String>,
    /// The label enum's name, for closed labels (`StepResultType`).
    pub rust_enum: String,
    /// The field of the label-set structs (`result_type`).
    pub rust_field: String,
}

#[derive(Debug)]
pub enum LabelKind {
    Closed(Vec<LabelValue>),
    FreeForm { reason: String },
}

#[derive(Debug)]
pub struct LabelValue {
    /// The value as text, as Prometheus shows it (`GET`, `200`).
    pub value: String,
    /// The value of an `int` attribute.
    pub int: Option<i64>,
    pub variant: String,
}

impl LabelDef {
    pub fn values(&self) -> Option<&[LabelValue]> {
        match &self.kind {
            LabelKind::Closed(v) => Some(v),
            LabelKind::FreeForm { .. } => None,
        }
    }

    /// Whether the attribute may be left out (any requirement level but `required`).
    pub fn is_optional(&self) -> bool {
        self.requirement.level != RequirementLevel::Required
    }
}

/// A requirement level with its condition, if the catalog gives one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub level: RequirementLevel,
    pub condition: Option<String>,
}

#[derive(Debug)]
pub struct ValueMap {
    pub at: String,
    pub id: String,
    pub description: String,
    pub entries: Vec<ValueMapEntry>,
    pub rust_enum: String,
}

#[derive(Debug)]
pub struct ValueMapEntry {
    pub value: i64,
    pub name: String,
    pub color: Option<String>,
    pub variant: String,
}

macro_rules! spelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub const NAMES: &'static [&'static str] = &[$($text),*];
            /// The catalog's spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }
        }
    };
}

spelled_enum!(
    /// The OpenTelemetry instrument kind.
    Instrument { Counter = "counter", UpDownCounter = "up_down_counter", Histogram = "histogram", Gauge = "gauge" }
);
spelled_enum!(NumberType { U64 = "u64", I64 = "i64", F64 = "f64" });
spelled_enum!(
    /// Whether Tasker records the metric today.
    Status { Instrumented = "instrumented", Planned = "planned", DefinedNotInstrumented = "defined_not_instrumented" }
);
spelled_enum!(Severity { Info = "info", Warning = "warning", Critical = "critical" });
spelled_enum!(
    /// What a metric promises (Kubernetes' metric stability levels): `alpha` nothing; `beta` that
    /// it keeps its name, type, unit and labels but may gain labels; `stable` that it changes in
    /// none of those.
    Stability { Alpha = "alpha", Beta = "beta", Stable = "stable" }
);

/// A metric's deprecation.
#[derive(Debug, Clone, PartialEq)]
pub struct Deprecation {
    pub since: String,
    pub reason: String,
    pub renamed_to: Option<String>,
}
spelled_enum!(
    /// The type of an attribute's values, as OpenTelemetry names it.
    AttributeType { String = "string", Int = "int", Bool = "bool", Double = "double" }
);
spelled_enum!(
    /// OpenTelemetry's requirement levels of an attribute on a metric.
    RequirementLevel {
        Required = "required",
        ConditionallyRequired = "conditionally_required",
        Recommended = "recommended",
        OptIn = "opt_in",
    }
);

impl Instrument {
    /// The number types the OpenTelemetry API offers for this instrument.
    pub fn allowed_types(self) -> &'static [NumberType] {
        use NumberType::*;
        match self {
            Instrument::Counter | Instrument::Histogram => &[U64, F64],
            Instrument::UpDownCounter => &[I64, F64],
            Instrument::Gauge => &[U64, I64, F64],
        }
    }

    /// How the reference names the kind in prose and headings.
    pub fn title(self) -> &'static str {
        match self {
            Instrument::Counter => "Counter",
            Instrument::UpDownCounter => "UpDownCounter",
            Instrument::Histogram => "Histogram",
            Instrument::Gauge => "Gauge",
        }
    }
}

impl Status {
    pub fn title(self) -> &'static str {
        match self {
            Status::Instrumented => "Instrumented",
            Status::Planned => "Planned (not yet instrumented)",
            Status::DefinedNotInstrumented => "Defined but not yet instrumented",
        }
    }
}

#[derive(Debug)]
pub struct Metric {
    pub at: String,
    pub name: String,
    /// Index into [`Catalog::domains`]; `None` in a flat catalog.
    pub domain: Option<usize>,
    /// Index into the domain's groups.
    pub group: Option<usize>,
    pub instrument: Instrument,
    pub number: NumberType,
    pub unit: String,
    pub description: String,
    /// Indexes into [`Catalog::labels`], in the catalog's order.
    pub labels: Vec<usize>,
    pub status: Status,
    /// Whether the catalog wrote the status (else it is `instrumented` by default).
    pub status_declared: bool,
    pub status_note: Option<String>,
    pub recorded_in: Option<String>,
    /// Index into [`Catalog::value_maps`].
    pub value_map: Option<usize>,
    pub buckets: Option<Vec<f64>>,
    /// The cardinality limit the catalog wrote; see [`Metric::cardinality_limit`].
    pub cardinality_limit_declared: Option<u64>,
    pub note: Option<String>,
    pub stability: Stability,
    pub deprecated: Option<Deprecation>,
    pub queries: Vec<Query>,
    pub alerts: Vec<Alert>,
    pub prometheus: PrometheusName,
    /// The recorder struct (`TasksRequestsTotal`); its label set is `{recorder}Labels`.
    pub rust_recorder: String,
    /// The recorder's field in the domain's `Recorders` struct (`tasks_requests_total`).
    pub rust_field: String,
    /// A label reference did not resolve (already reported): queries may name the label the
    /// reference meant, so unknown-label errors on this metric's series are not reported.
    pub(crate) labels_unresolved: bool,
}

/// The cardinality limit of a metric that does not set one: the OpenTelemetry SDK's default.
pub const DEFAULT_CARDINALITY_LIMIT: u64 = 2000;

/// The largest cardinality limit a catalog may set: the SDK sizes each metric's table of attribute
/// sets for its limit up front (about 50 bytes a set).
pub const MAX_CARDINALITY_LIMIT: u64 = 100_000;

impl Metric {
    /// How many attribute sets the SDK keeps for the metric; beyond it, new sets are counted in one
    /// series with the attribute `otel.metric.overflow = true` and no other.
    pub fn cardinality_limit(&self) -> u64 {
        self.cardinality_limit_declared.unwrap_or(DEFAULT_CARDINALITY_LIMIT)
    }

    pub fn rust_labels(&self) -> String {
        format!("{}Labels", self.rust_recorder)
    }

    /// The type `bind()` returns.
    pub fn rust_bound(&self) -> String {
        format!("{}Bound", self.rust_recorder)
    }

    /// The struct of the open labels `bind()` fixes.
    pub fn rust_bind_labels(&self) -> String {
        format!("{}BindLabels", self.rust_recorder)
    }
}

/// A PromQL query with a title, parsed.
#[derive(Debug)]
pub struct Query {
    pub at: String,
    pub title: String,
    pub expr: String,
    pub kind: QueryKind,
    pub(crate) ast: Expr,
}

/// Instant queries work right after a burst of tasks; rate-based ones need data spread over their
/// window. Computed from the query: any range selector or subquery makes it rate-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKind {
    Instant,
    Rate,
}

#[derive(Debug)]
pub struct Alert {
    pub at: String,
    pub name: String,
    pub severity: Severity,
    pub query: Query,
    pub for_duration: Option<String>,
    pub summary: String,
    pub description: Option<String>,
    pub tests: Vec<AlertTest>,
}

/// A `promtool test rules` case of an alert, validated (durations, series, values notation).
#[derive(Debug)]
pub struct AlertTest {
    pub at: String,
    pub case: String,
    /// The input's sample interval, `1m` unless the catalog says otherwise.
    pub interval: String,
    /// `(series, values)` in promtool's notation.
    pub input: Vec<(String, String)>,
    /// The evaluation time.
    pub eval_at: String,
    /// The expected alerts' labels (besides `alertname` and `severity`); empty: stays quiet.
    pub fires: Vec<BTreeMap<String, String>>,
}

impl AlertTest {
    pub fn quiet(&self) -> bool {
        self.fires.is_empty()
    }
}

#[derive(Debug)]
pub struct ExampleSection {
    pub title: String,
    pub examples: Vec<Example>,
}

#[derive(Debug)]
pub struct Example {
    pub title: String,
    pub description: Option<String>,
    pub queries: Vec<Query>,
    pub note: Option<String>,
}

#[derive(Debug)]
pub struct Dashboard {
    pub title: String,
    pub domain: Option<usize>,
    pub panels: Vec<Panel>,
}

#[derive(Debug)]
pub struct Panel {
    pub at: String,
    pub title: String,
    pub visualization: String,
    pub queries: Vec<Query>,
    pub thresholds: Option<String>,
    pub value_map: Option<usize>,
    pub note: Option<String>,
}

#[derive(Debug)]
pub struct ChecklistGroup {
    pub title: String,
    pub items: Vec<ChecklistItem>,
}

#[derive(Debug)]
pub struct ChecklistItem {
    pub text: String,
    pub query: Option<Query>,
}

#[derive(Debug)]
pub struct NextSteps {
    pub title: String,
    pub items: Vec<NextStep>,
}

#[derive(Debug)]
pub struct NextStep {
    pub text: String,
    pub domain: Option<usize>,
}

impl Catalog {
    pub fn domain_metrics(&self, domain: usize) -> impl Iterator<Item = &Metric> {
        self.metrics.iter().filter(move |m| m.domain == Some(domain))
    }

    /// A catalog without domains: one list of metrics, one Rust module of recorders.
    pub fn is_flat(&self) -> bool {
        self.domains.is_empty()
    }

    /// Whether any metric states its status; if none does, the reference shows no status.
    pub fn tracks_status(&self) -> bool {
        self.tracks_status
    }

    /// The reference's title.
    pub fn title(&self) -> &str {
        self.document.title.as_deref().map_or("Metrics Reference", str::trim)
    }

    pub fn label(&self, index: usize) -> &LabelDef {
        &self.labels[index]
    }

    /// Closed labels used by at least one metric, which become enums; sorted by id.
    pub fn label_enums(&self) -> impl Iterator<Item = &LabelDef> {
        self.labels
            .iter()
            .enumerate()
            .filter(|(i, l)| l.values().is_some() && self.metrics.iter().any(|m| m.labels.contains(i)))
            .map(|(_, l)| l)
    }

    /// Every query of the catalog: metric examples, alerts, example sections, dashboards, checklist.
    pub fn queries(&self) -> impl Iterator<Item = &Query> {
        let metric = self.metrics.iter().flat_map(|m| m.queries.iter().chain(m.alerts.iter().map(|a| &a.query)));
        let examples = self.examples.iter().flat_map(|s| s.examples.iter().flat_map(|e| e.queries.iter()));
        let panels = self.dashboards.iter().flat_map(|d| d.panels.iter().flat_map(|p| p.queries.iter()));
        let checklist = self.verification.iter().flat_map(|g| g.items.iter().filter_map(|i| i.query.as_ref()));
        metric.chain(examples).chain(panels).chain(checklist).chain(self.orphan_queries.iter())
    }
}

/// The deserialized sections with the path of each item.
pub struct Parsed {
    pub document: Document,
    pub domains: Vec<(String, parse::Domain)>,
    pub labels: Vec<(String, String, parse::Label)>,
    pub value_maps: Vec<(String, String, parse::ValueMap)>,
    pub metrics: Vec<(String, parse::Metric)>,
    pub examples: Vec<(String, parse::ExampleSection)>,
    pub dashboards: Vec<(String, parse::Dashboard)>,
    pub verification: Vec<(String, parse::ChecklistGroup)>,
    pub troubleshooting: Vec<parse::Troubleshooting>,
    pub next_steps: Vec<(String, parse::NextSteps)>,
    /// What failed its shape check (already reported), so that references to it are not reported
    /// again.
    pub broken: Broken,
}

/// The ids and names of items left out for shape errors.
#[derive(Debug, Default)]
pub struct Broken {
    pub domains: Vec<String>,
    pub labels: Vec<String>,
    pub value_maps: Vec<String>,
    /// Metric names, where the broken item had one.
    pub metrics: Vec<String>,
    /// Whether a domain without an id was left out: then no metric's domain can be known wrong.
    pub domain_without_id: bool,
}

/// Resolves references and computes derived names. Reports what cannot be resolved and leaves the
/// offending item out, so that one error does not cause others.
pub fn build(p: Parsed, cx: &mut Ctxt) -> Catalog {
    let pq = &mut ParsedQueries::new(&p);
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
            cx.error("document.default_stability", Message::UnknownStability { got: s.to_owned() });
            Stability::Alpha
        }),
    };
    let refs = Refs {
        default_stability,
        prefix: p.document.rust_prefix.as_deref(),
        domains: &domains,
        domain_ids: &domain_ids,
        labels: &label_index,
        maps: &map_index,
        broken: &p.broken,
    };
    let mut metrics = Vec::new();
    let mut unresolved: Vec<String> = p.broken.metrics.iter().map(|n| name_tokens(n)).collect();
    let mut orphan_queries = Vec::new();
    for (at, m) in p.metrics {
        let name = m.name.clone();
        match build_metric(at, m, &refs, pq, cx) {
            Ok(metric) => metrics.push(metric),
            Err(queries) => {
                unresolved.push(name_tokens(&name));
                orphan_queries.extend(queries);
            }
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
                        queries: build_queries(&join_key(&at, "queries"), e.queries, pq, cx),
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
                        queries: build_queries(&join_key(&at, "queries"), panel.queries, pq, cx),
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
                        query: item.query.and_then(|expr| {
                            build_query(join_key(&at, "query"), parse::Query { title: item.text.clone(), expr }, pq, cx)
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

    Catalog {
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
        orphan_queries,
        warnings: Vec::new(),
    }
}

/// `semconv/http.yaml` → `http`: the meter of a catalog that names none.
fn default_meter_name(source: &str) -> String {
    let file = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let stem = file.split('.').next().filter(|s| !s.is_empty()).unwrap_or(file);
    stem.to_owned()
}

/// `tasker.tasks.requests.total` → `tasker_tasks_requests_total`, as Prometheus would start it.
fn name_tokens(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("_")
}

/// `tasker.tasks.requests.total` without the prefix `tasker` → `tasks.requests.total`, so that Rust
/// names do not all start with the same word. Only a dotted prefix is stripped: a name such as
/// `tasker_circuit_breaker_state` keeps it, so its recorder is not confused with the
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
    maps: &'a BTreeMap<&'a str, usize>,
    broken: &'a Broken,
}

impl Refs<'_> {
    fn domain(&self, at: &str, id: &str, cx: &mut Ctxt) -> Option<usize> {
        let found = self.domain_ids.iter().position(|d| d == id);
        let broken = self.broken.domain_without_id || self.broken.domains.iter().any(|d| d == id);
        if found.is_none() && !broken {
            cx.error(at, Message::UnknownDomain { got: id.into(), known: self.domain_ids.to_vec() });
        }
        found
    }

    fn value_map(&self, at: &str, id: &str, cx: &mut Ctxt) -> Option<usize> {
        let found = self.maps.get(id).copied();
        if found.is_none() && !self.broken.value_maps.iter().any(|m| m == id) {
            cx.error(
                at,
                Message::UnknownValueMap { got: id.into(), known: self.maps.keys().map(|k| k.to_string()).collect() },
            );
        }
        found
    }
}

fn build_domain(at: String, d: parse::Domain, cx: &mut Ctxt) -> Domain {
    let rust_module = ident::field_ident(&d.id).unwrap_or_else(|| {
        cx.error(&join_key(&at, "id"), Message::InvalidIdent { what: "domain id", text: d.id.clone() });
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
        Some(t) => AttributeType::parse(t).unwrap_or_else(|| {
            cx.error(&join_key(&at, "type"), Message::UnknownAttributeType { got: t.into() });
            AttributeType::String
        }),
    };
    let requirement = match l.requirement_level {
        None => Requirement { level: RequirementLevel::Required, condition: None },
        Some(parse::RequirementLevel::Conditional { conditionally_required }) => {
            Requirement { level: RequirementLevel::ConditionallyRequired, condition: Some(conditionally_required) }
        }
        Some(parse::RequirementLevel::Name(name)) => Requirement {
            level: RequirementLevel::parse(&name).unwrap_or_else(|| {
                cx.error(&join_key(&at, "requirement_level"), Message::UnknownRequirementLevel { got: name.clone() });
                RequirementLevel::Required
            }),
            condition: None,
        },
    };
    let kind = match (l.values, l.free_form) {
        (Some(values), None) => {
            if !matches!(attribute_type, AttributeType::String | AttributeType::Int) {
                cx.error_at_key(
                    &join_key(&at, "values"),
                    Message::ValuesNotAllowedForType { attribute_type: attribute_type.as_str() },
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
            cx.error_at_key(&join_key(&at, "free_form"), Message::LabelValuesAndFreeForm);
            LabelKind::FreeForm { reason }
        }
    };
    let key = l.key.unwrap_or_else(|| id.clone());
    let prometheus_key = prometheus::label_name(&key);
    let rust_enum = ident::type_ident(&id).unwrap_or_else(|| {
        cx.error_at_key(&at, Message::InvalidIdent { what: "label id", text: id.clone() });
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
        examples: l.examples,
        rust_enum,
        rust_field,
    }
}

/// One allowed value: its text, its integer (for `int` attributes) and its Rust variant (the one
/// the catalog names, else made by the sanitizer). A value of the wrong type is reported at it.
fn build_label_value(at: &str, v: parse::LabelValue, ty: AttributeType, cx: &mut Ctxt) -> LabelValue {
    let (scalar, explicit) = match v {
        parse::LabelValue::Scalar(s) => (s, None),
        parse::LabelValue::Named { value, variant } => (value, Some(variant)),
    };
    let value_at = if explicit.is_some() { join_key(at, "value") } else { at.to_owned() };
    let (value, int) = match (scalar, ty) {
        (parse::Scalar::Int(i), AttributeType::Int) => (i.to_string(), Some(i)),
        (parse::Scalar::String(s), AttributeType::Int) => {
            cx.error(&value_at, Message::ValueTypeMismatch { value: format!("\"{s}\""), declared: "int" });
            (s, None)
        }
        (parse::Scalar::String(s), _) => (s, None),
        (parse::Scalar::Int(i), _) => {
            cx.error(&value_at, Message::ValueTypeMismatch { value: i.to_string(), declared: ty.as_str() });
            (i.to_string(), None)
        }
        (parse::Scalar::Other(text), _) => {
            cx.error(&value_at, Message::ValueTypeMismatch { value: text.clone(), declared: ty.as_str() });
            (text, None)
        }
    };
    let variant = match explicit {
        Some(name) => ident::exact_type_ident(&name).unwrap_or_else(|| {
            cx.error(&join_key(at, "variant"), Message::InvalidVariant { text: name.clone() });
            String::new()
        }),
        None => ident::type_ident(&value).unwrap_or_else(|| {
            cx.error(&value_at, Message::InvalidIdent { what: "label value", text: value.clone() });
            String::new()
        }),
    };
    LabelValue { value, int, variant }
}

fn build_value_map(at: String, id: String, v: parse::ValueMap, cx: &mut Ctxt) -> ValueMap {
    let rust_enum = ident::type_ident(&id).unwrap_or_else(|| {
        cx.error_at_key(&at, Message::InvalidIdent { what: "value map id", text: id.clone() });
        String::new()
    });
    let entries = v
        .values
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let variant = ident::type_ident(&e.name).unwrap_or_else(|| {
                let at = join_key(&join_index(&join_key(&at, "values"), i), "name");
                cx.error(&at, Message::InvalidIdent { what: "state name", text: e.name.clone() });
                String::new()
            });
            ValueMapEntry { value: e.value, name: e.name, color: e.color, variant }
        })
        .collect();
    ValueMap { at, id, description: v.description, entries, rust_enum }
}

/// The metric, or, when it cannot be resolved, its queries (so they are still checked).
fn build_metric(
    at: String,
    m: parse::Metric,
    refs: &Refs,
    pq: &mut ParsedQueries,
    cx: &mut Ctxt,
) -> Result<Metric, Vec<Query>> {
    let field = |key: &str| join_key(&at, key);
    // `Some(None)`: a flat catalog's metric, as it should be; `None`: an error, reported.
    let domain: Option<Option<usize>> = match (&m.domain, refs.domains.is_empty()) {
        (None, true) => Some(None),
        (Some(id), false) => refs.domain(&field("domain"), id, cx).map(Some),
        (Some(_), true) => {
            cx.error_at_key(&field("domain"), Message::DomainWithoutDomains);
            None
        }
        (None, false) => {
            cx.error_at_key(&field("name"), Message::DomainMissing { known: refs.domain_ids.to_vec() });
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
                    cx.error(&field("group"), Message::GroupNotAllowed { domain: domain_id.clone() });
                } else {
                    cx.error(
                        &field("group"),
                        Message::UnknownGroup {
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
            cx.error_at_key(&at, Message::GroupMissing { domain: domain_id.clone() });
            None
        }
        (None, Some(_)) if refs.domains.is_empty() => {
            cx.error_at_key(&field("group"), Message::GroupWithoutDomains);
            None
        }
        _ => None,
    };
    let instrument = Instrument::parse(&m.instrument);
    if instrument.is_none() {
        cx.error(&field("instrument"), Message::UnknownInstrument { got: m.instrument.clone() });
    }
    let number = NumberType::parse(&m.number_type);
    if number.is_none() {
        cx.error(&field("type"), Message::UnknownNumberType { got: m.number_type.clone() });
    }
    let status_declared = m.status.is_some();
    let status = match &m.status {
        None => Some(Status::Instrumented),
        Some(s) => {
            let status = Status::parse(s);
            if status.is_none() {
                cx.error(&field("status"), Message::UnknownStatus { got: s.clone() });
            }
            status
        }
    };
    let stability = match m.stability.as_deref() {
        None => refs.default_stability,
        Some(s) => Stability::parse(s).unwrap_or_else(|| {
            cx.error(&field("stability"), Message::UnknownStability { got: s.to_owned() });
            refs.default_stability
        }),
    };
    let unit_ok = prometheus::unit_suffix(&m.unit).is_some();
    if !unit_ok {
        cx.error(&field("unit"), Message::UnknownUnit { got: m.unit.clone() });
    }
    let mut labels = Vec::with_capacity(m.labels.len());
    for (i, id) in m.labels.iter().enumerate() {
        match refs.labels.get(id.as_str()) {
            Some(&index) => labels.push(index),
            None if refs.broken.labels.contains(id) => {} // Its definition has an error already.
            None => cx.error(
                &join_index(&field("labels"), i),
                Message::UnknownLabel { got: id.clone(), known: refs.labels.keys().map(|k| k.to_string()).collect() },
            ),
        }
    }
    let value_map = m.value_map.as_deref().and_then(|id| refs.value_map(&field("value_map"), id, cx));
    let queries = build_queries(&field("queries"), m.queries, pq, cx);
    let alerts: Vec<Alert> = m
        .alerts
        .into_iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let at = join_index(&field("alerts"), i);
            let severity = Severity::parse(&a.severity);
            if severity.is_none() {
                cx.error(&join_key(&at, "severity"), Message::UnknownSeverity { got: a.severity.clone() });
            }
            let query =
                build_query(join_key(&at, "expr"), parse::Query { title: a.summary.clone(), expr: a.expr }, pq, cx);
            if let Some(d) = &a.description {
                check_template(&join_key(&at, "description"), d, cx);
            }
            let tests = build_alert_tests(&at, &a.name, a.tests, cx);
            Some(Alert {
                name: a.name,
                severity: severity?,
                query: query?,
                for_duration: a.for_duration,
                summary: a.summary,
                description: a.description,
                tests,
                at,
            })
        })
        .collect();

    let base = strip_prefix(&m.name, refs.prefix);
    let rust_recorder = ident::type_ident(base);
    let rust_field = ident::field_ident(base);
    if rust_recorder.is_none() || rust_field.is_none() {
        cx.error(&field("name"), Message::InvalidIdent { what: "metric name", text: m.name.clone() });
    }
    let (Some(instrument), Some(number), Some(status), Some(domain), Some(rust_recorder), Some(rust_field), true) =
        (instrument, number, status, domain, rust_recorder, rust_field, unit_ok)
    else {
        return Err(queries.into_iter().chain(alerts.into_iter().map(|a| a.query)).collect());
    };
    Ok(Metric {
        labels_unresolved: labels.len() != m.labels.len(),
        prometheus: PrometheusName::of(&m.name, &m.unit, instrument.into()),
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

fn build_queries(at: &str, queries: Vec<parse::Query>, pq: &mut ParsedQueries, cx: &mut Ctxt) -> Vec<Query> {
    queries
        .into_iter()
        .enumerate()
        .filter_map(|(i, q)| build_query(join_key(&join_index(at, i), "expr"), q, pq, cx))
        .collect()
}

/// Every query of the catalog, parsed up front with the work shared out among the machine's cores:
/// parsing PromQL is a fifth of the time of loading a large catalog. Queries too long to parse are
/// left out, and `build_query` reports them.
struct ParsedQueries {
    asts: HashMap<String, Result<Expr, String>>,
    /// The catalog's dotted attribute keys and their Prometheus label names, for hints.
    dotted: Vec<(String, String)>,
}

impl ParsedQueries {
    fn new(p: &Parsed) -> Self {
        let mut texts: Vec<&str> = Vec::new();
        for (_, m) in &p.metrics {
            texts.extend(m.queries.iter().map(|q| q.expr.as_str()));
            texts.extend(m.alerts.iter().map(|a| a.expr.as_str()));
        }
        for (_, s) in &p.examples {
            texts.extend(s.examples.iter().flat_map(|e| &e.queries).map(|q| q.expr.as_str()));
        }
        for (_, d) in &p.dashboards {
            texts.extend(d.panels.iter().flat_map(|panel| &panel.queries).map(|q| q.expr.as_str()));
        }
        for (_, g) in &p.verification {
            texts.extend(g.items.iter().filter_map(|i| i.query.as_deref()));
        }
        texts.retain(|t| t.len() <= MAX_QUERY_BYTES);
        texts.sort_unstable();
        texts.dedup();
        let asts = crate::parallel::map_parallel(&texts, || (), |_, t| promql_parser::parser::parse(t));
        let mut dotted: Vec<(String, String)> = p
            .labels
            .iter()
            .map(|(_, id, l)| l.key.clone().unwrap_or_else(|| id.clone()))
            .filter(|key| key.contains('.'))
            .map(|key| {
                let name = prometheus::label_name(&key);
                (key, name)
            })
            .collect();
        dotted.sort();
        dotted.dedup();
        Self { asts: texts.into_iter().map(str::to_owned).zip(asts).collect(), dotted }
    }

    /// The query's syntax tree, or promql-parser's error; parsed now if `new` did not see it or
    /// it was taken before (the same query twice).
    fn take(&mut self, expr: &str) -> Result<Expr, String> {
        self.asts.remove(expr).unwrap_or_else(|| promql_parser::parser::parse(expr))
    }
}

/// The longest query the catalog takes. promql-parser and the checks walk the syntax tree
/// recursively, and a query's depth grows with its length: 16 KiB of `-` or `sum(` overflowed the
/// stack of a test thread (2 MiB). The seed catalog's longest query has 409 bytes.
pub const MAX_QUERY_BYTES: usize = 4096;

/// Parses a query (or takes it from `pq`). `at` is the path of the expression itself.
fn build_query(at: String, q: parse::Query, pq: &mut ParsedQueries, cx: &mut Ctxt) -> Option<Query> {
    if q.expr.len() > MAX_QUERY_BYTES {
        cx.error(&at, Message::PromqlTooLong { bytes: q.expr.len(), max: MAX_QUERY_BYTES });
        return None;
    }
    match pq.take(&q.expr) {
        Ok(ast) => Some(Query { kind: crate::promql::kind(&ast), at, title: q.title, expr: q.expr, ast }),
        Err(error) => {
            // A dotted attribute key in a query is the likeliest mistake of a catalog in
            // OpenTelemetry's spelling: the hint names the Prometheus label to write instead.
            let dotted = pq
                .dotted
                .iter()
                .filter(|(key, _)| q.expr.contains(key.as_str()))
                .map(|(key, name)| (key.clone(), name.clone()))
                .collect();
            cx.error(&at, Message::Promql { query: q.expr.trim().to_owned(), error: error.trim().to_owned(), dotted });
            None
        }
    }
}

/// The alert's unit tests, each field checked where promtool would only fail at test time; and
/// at least one case where it fires and one where it stays quiet.
fn build_alert_tests(at: &str, alert: &str, tests: Vec<parse::AlertTest>, cx: &mut Ctxt) -> Vec<AlertTest> {
    for (quiet, kind) in [(false, "firing"), (true, "quiet")] {
        if !tests.iter().any(|t| t.fires.is_empty() == quiet) {
            let path = if tests.is_empty() { join_key(at, "name") } else { join_key(at, "tests") };
            cx.error_at_key(&path, Message::AlertTestMissing { alert: alert.to_owned(), kind });
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
                cx.error_at_key(&input_at, Message::AlertTestNoInput);
            }
            for (j, s) in t.input.iter().enumerate() {
                let item = join_index(&input_at, j);
                if let Err(error) = check_series_selector(&s.series) {
                    cx.error(&join_key(&item, "series"), Message::AlertTestSeries { got: s.series.clone(), error });
                }
                if let Err(error) = check_series_values(&s.values) {
                    cx.error(&join_key(&item, "values"), Message::AlertTestValues { got: s.values.clone(), error });
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
    // The same rule as an alert's `for` (`catalog::check`), which is Prometheus's.
    if !crate::catalog::check::is_duration(d) {
        cx.error(at, Message::InvalidDuration { got: d.to_owned() });
    }
}

/// Annotations may use `{{ $labels.KEY }}` and nothing else of Go's templates: the alert unit tests
/// expect the text rendered, and only that template can be rendered here without Prometheus.
fn check_template(at: &str, text: &str, cx: &mut Ctxt) {
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            cx.error(at, Message::UnsupportedTemplate { got: rest[start..].to_owned() });
            return;
        };
        let inner = after[..end].trim();
        let ok = inner.strip_prefix("$labels.").is_some_and(|k| {
            !k.is_empty()
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !k.starts_with(|c: char| c.is_ascii_digit())
        });
        if !ok {
            cx.error(at, Message::UnsupportedTemplate { got: format!("{{{{{}}}}}", &after[..end]) });
            return;
        }
        rest = &after[end + 2..];
    }
}

/// Renders the `{{ $labels.KEY }}` templates of an annotation with an alert's labels (a missing
/// label renders empty, as Prometheus does).
pub fn render_template(text: &str, labels: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let key = after[..end].trim().trim_start_matches("$labels.");
        out.push_str(labels.get(key).map_or("", String::as_str));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// An input series of promtool: a metric name with equality matchers only.
fn check_series_selector(series: &str) -> Result<(), String> {
    use promql_parser::label::MatchOp;
    match promql_parser::parser::parse(series) {
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

/// promtool's expanding notation for input values: space-separated items, each `_` (no sample),
/// `stale`, a number, `_xN`, `AxN`, `A+BxN` or `A-BxN`.
fn check_series_values(values: &str) -> Result<(), String> {
    let number = |s: &str| {
        let t = s.trim_start_matches(['+', '-']);
        t.eq_ignore_ascii_case("inf") || t.eq_ignore_ascii_case("nan") || t.parse::<f64>().is_ok()
    };
    let mut items = 0;
    for item in values.split_whitespace() {
        items += 1;
        if item == "_" || item == "stale" || number(item) {
            continue;
        }
        let bad = || format!("`{item}` is not `_`, `stale`, a number, `AxN`, `A+BxN` or `A-BxN`");
        let (head, times) = item.rsplit_once('x').ok_or_else(bad)?;
        if times.is_empty() || !times.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        if head == "_" || number(head) {
            continue;
        }
        // `A+B` or `A-B`: the operator is the last sign that does not start the item.
        let split = head.char_indices().skip(1).filter(|(_, c)| *c == '+' || *c == '-').last();
        match split {
            Some((i, _)) if number(&head[..i]) && number(&head[i + 1..]) => {}
            _ => return Err(bad()),
        }
    }
    if items == 0 { Err("no values".into()) } else { Ok(()) }
}
