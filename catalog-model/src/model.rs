//! The validated catalog every later stage reads: its types, built by [`crate::resolve`].
//!
//! References are resolved to indexes, enumerated strings to enums, and the derived names (the
//! Prometheus series, the Rust identifiers) computed once. The model keeps the catalog's spelling
//! and the Rust identifier side by side (`value` and `variant`). Each item remembers its YAML path
//! (`at`) so that checks can point at it; emitters ignore it. Queries are kept as text: parsing and
//! checking PromQL is a later stage's (the `catalog-promql` crate), which a build script that only
//! generates recorders does not need.

use otel_prometheus_names::PrometheusName;
use std::collections::BTreeMap;

pub use crate::parse::{Configuration, Document, QueryPatterns, Troubleshooting};
pub use otel_prometheus_names::Instrument;

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
    /// The service level objectives, in catalog order.
    pub slos: Vec<Slo>,
    /// Whether any metric states its status (computed once: every emitted metric asks).
    pub(crate) tracks_status: bool,
    /// Name tokens of metrics dropped for errors, so queries naming them are not reported again.
    pub(crate) unresolved: Vec<String>,
    /// The queries of dropped metrics, still checked against the rest of the catalog.
    pub(crate) orphan_queries: Vec<Query>,
    /// The alert test input series of dropped metrics and alerts, (path, series), still checked.
    pub(crate) orphan_test_series: Vec<(String, String)>,
    /// How many queries the catalog has: each has an id below it ([`Query::id`]).
    pub(crate) query_count: usize,
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
    /// A closed list that is only the values known: others may be recorded (`open: true`).
    pub open: bool,
    /// The attribute's own stability, where the catalog states one (OpenTelemetry's attributes
    /// have theirs, apart from the metrics that use them).
    pub stability: Option<Stability>,
    pub deprecated: Option<Deprecation>,
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
    /// The value's own stability and deprecation, where the catalog states them.
    pub stability: Option<Stability>,
    pub deprecated: Option<Deprecation>,
}

impl LabelDef {
    pub fn values(&self) -> Option<&[LabelValue]> {
        match &self.kind {
            LabelKind::Closed(v) => Some(v),
            LabelKind::FreeForm { .. } => None,
        }
    }

    /// The known values of a label whose list is open (`open: true`), which accepts others too.
    pub fn is_open_enum(&self) -> bool {
        self.open && self.values().is_some()
    }

    /// Whether the attribute may be left out (any requirement level but `required`).
    pub fn is_optional(&self) -> bool {
        self.requirement.level != RequirementLevel::Required
    }
}

/// A metric's use of a label.
#[derive(Debug, Clone)]
pub struct LabelUse {
    /// The requirement level on this metric: the use's, else the definition's.
    pub requirement: Requirement,
    /// What the attribute is on this metric, where the use says more than the definition.
    pub brief: Option<String>,
    /// Example values on this metric (else the definition's).
    pub examples: Vec<String>,
}

impl LabelUse {
    /// Whether the attribute may be left out on this metric (any requirement level but `required`).
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

spelled_enum!(NumberType { U64 = "u64", I64 = "i64", F64 = "f64" });
spelled_enum!(
    /// Whether the service records the metric today.
    Status { Instrumented = "instrumented", Planned = "planned", DefinedNotInstrumented = "defined_not_instrumented" }
);
spelled_enum!(Severity { Info = "info", Warning = "warning", Critical = "critical" });
spelled_enum!(
    /// What a metric, attribute or value promises: Kubernetes' metric stability levels (`alpha`
    /// nothing; `beta` that it keeps its name, type, unit and labels but may gain labels; `stable`
    /// that it changes in none of those) and OpenTelemetry's (`development` promises what `alpha`
    /// does, `release_candidate` what `beta` does). [`Stability::promise`] compares them.
    Stability {
        Development = "development",
        Alpha = "alpha",
        Beta = "beta",
        ReleaseCandidate = "release_candidate",
        Stable = "stable",
    }
);

impl Stability {
    /// What the level promises: 0 nothing (`development`, `alpha`), 1 name, type, unit and no
    /// label removed (`beta`, `release_candidate`), 2 everything (`stable`).
    pub fn promise(self) -> u8 {
        match self {
            Stability::Development | Stability::Alpha => 0,
            Stability::Beta | Stability::ReleaseCandidate => 1,
            Stability::Stable => 2,
        }
    }
}

/// A metric's deprecation.
#[derive(Debug, Clone, PartialEq)]
pub struct Deprecation {
    pub since: String,
    pub reason: String,
    pub renamed_to: Option<String>,
}
spelled_enum!(
    /// The type of an attribute's values, as OpenTelemetry names it.
    AttributeType {
        String = "string",
        Int = "int",
        Bool = "bool",
        Double = "double",
        StringArray = "string[]",
        IntArray = "int[]",
        BoolArray = "bool[]",
        DoubleArray = "double[]",
    }
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

/// The number types the OpenTelemetry API offers for an instrument.
pub fn allowed_number_types(instrument: Instrument) -> &'static [NumberType] {
    use NumberType::*;
    match instrument {
        Instrument::Counter | Instrument::Histogram => &[U64, F64],
        Instrument::UpDownCounter => &[I64, F64],
        Instrument::Gauge => &[U64, I64, F64],
    }
}

spelled_enum!(
    /// A dashboard panel's visualization, by the names the reference uses.
    Visualization {
        TimeSeries = "Time series",
        StackedArea = "Time series (stacked area)",
        StateTimeline = "State timeline",
        Stat = "Stat",
        Gauge = "Gauge",
        PieChart = "Pie chart",
        BarChart = "Bar chart",
        Heatmap = "Heatmap",
        Table = "Table",
    }
);

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
    /// How the metric uses each of its labels (same order): its requirement level here, and the
    /// brief and examples where they differ from the label's definition.
    pub label_uses: Vec<LabelUse>,
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

/// The OpenTelemetry SDK's default histogram boundaries (`opentelemetry_sdk` 0.33,
/// `metrics/pipeline.rs`): made for milliseconds. A histogram without `buckets` in another unit
/// than `s` gets them, stated in the reference and, unless its unit is `ms`, warned about.
pub const SDK_DEFAULT_BUCKETS: [f64; 15] =
    [0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 2500.0, 5000.0, 7500.0, 10000.0];

/// The boundaries OpenTelemetry's semantic conventions advise for durations in seconds
/// (`http.server.request.duration`, `db.client.operation.duration`, …): a histogram in `s` without
/// `buckets` gets them rather than the SDK's default, under which every request of less than five
/// seconds would fall in one bucket.
pub const SECONDS_BUCKETS: [f64; 14] =
    [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

/// Where a histogram's bucket boundaries come from; see [`Metric::histogram_buckets`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketsOrigin {
    /// The catalog's `buckets`.
    Declared,
    /// No `buckets`, unit `s`: [`SECONDS_BUCKETS`].
    SecondsAdvice,
    /// No `buckets`, another unit: [`SDK_DEFAULT_BUCKETS`].
    SdkDefault,
}

impl BucketsOrigin {
    /// How the reference says where boundaries it did not declare come from (`None` when declared).
    pub fn note(self) -> Option<&'static str> {
        match self {
            BucketsOrigin::Declared => None,
            BucketsOrigin::SecondsAdvice => {
                Some("no `buckets` declared: OpenTelemetry's semantic-convention advice for durations in seconds")
            }
            BucketsOrigin::SdkDefault => {
                Some("no `buckets` declared: the OpenTelemetry SDK's default, made for milliseconds")
            }
        }
    }
}

/// The cardinality limit of a metric that does not set one: the OpenTelemetry SDK's default.
pub const DEFAULT_CARDINALITY_LIMIT: u64 = 2000;

/// The largest cardinality limit a catalog may set: the SDK sizes each metric's table of attribute
/// sets for its limit up front (about 50 bytes a set).
pub const MAX_CARDINALITY_LIMIT: u64 = 100_000;

impl Metric {
    /// A histogram's boundaries as the reference and the generated docs list them, `5, 50, 500`,
    /// and what follows the list: ` (NOTE)` saying where undeclared ones come from, else nothing.
    pub fn buckets_listed(&self) -> Option<(String, String)> {
        let (b, origin) = self.histogram_buckets()?;
        let list = b.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ");
        Some((list, origin.note().map(|note| format!(" ({note})")).unwrap_or_default()))
    }

    /// A histogram's bucket boundaries and where they come from: the declared `buckets`, else a
    /// default by unit ([`BucketsOrigin`]). The generated recorder sets them explicitly, so the
    /// reference, the exporters and live-check agree whatever the SDK's default. `None` for other
    /// instruments.
    pub fn histogram_buckets(&self) -> Option<(&[f64], BucketsOrigin)> {
        if self.instrument != Instrument::Histogram {
            return None;
        }
        Some(match (&self.buckets, self.unit.as_str()) {
            (Some(b), _) => (b.as_slice(), BucketsOrigin::Declared),
            (None, "s") => (&SECONDS_BUCKETS[..], BucketsOrigin::SecondsAdvice),
            (None, _) => (&SDK_DEFAULT_BUCKETS[..], BucketsOrigin::SdkDefault),
        })
    }

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

    /// Whether a label reference of the metric did not resolve (already reported): queries may
    /// name the label the reference meant. Always false for a catalog that loaded.
    pub fn has_unresolved_labels(&self) -> bool {
        self.labels_unresolved
    }
}

/// A PromQL query with a title, as the catalog writes it. The PromQL stage parses and checks it and
/// keeps its syntax tree by [`Query::id`].
#[derive(Debug)]
pub struct Query {
    /// The query's number in the catalog, from 0 to [`Catalog::query_count`]: where later stages
    /// keep what they derive from it.
    pub id: usize,
    /// The path of the expression itself (`metrics[3].queries[0].expr`).
    pub at: String,
    pub title: String,
    pub expr: String,
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

impl Alert {
    /// Each input series of the alert's tests, with the path of its `series` value.
    pub fn test_series(&self) -> impl Iterator<Item = (String, &str)> {
        self.tests.iter().flat_map(|t| {
            t.input
                .iter()
                .enumerate()
                .map(move |(j, (series, _))| (format!("{}.input[{j}].series", t.at), series.as_str()))
        })
    }
}

/// A service level objective, resolved: its tiers with windows and burn rates, defaults applied.
#[derive(Debug)]
pub struct Slo {
    pub at: String,
    /// `task-success`: the `slo` label of its rules and alerts.
    pub name: String,
    pub title: String,
    pub description: String,
    /// Percent, strictly between 0 and 100.
    pub objective: f64,
    pub period: Window,
    pub sli: Sli,
    /// The burn-rate alerts' name.
    pub alert: String,
    /// Whether the catalog wrote it (else it is made from the name).
    pub alert_declared: bool,
    /// The tiers that are on, in the order page, page_slow, ticket, ticket_slow, then the catalog's
    /// own by name.
    pub tiers: Vec<Tier>,
    /// Events per second below which no tier fires.
    pub min_event_rate: Option<f64>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}

impl Slo {
    /// The error budget: the share of events that may be bad, `1 - objective/100`.
    pub fn budget(&self) -> f64 {
        // Computed from the percent's text-exact decimal: 100 - 99.9 is 0.09999999999999432 in
        // floating point, 0.1 here, which is what the rules print and Prometheus computes from.
        round_decimal(1.0 - self.objective / 100.0)
    }

    /// The objective as a ratio (`0.995`).
    pub fn objective_ratio(&self) -> f64 {
        round_decimal(self.objective / 100.0)
    }

    /// Every window the tiers use, each once, shortest first; the period last.
    pub fn windows(&self) -> Vec<&Window> {
        let mut out: Vec<&Window> = self.tiers.iter().flat_map(|t| [&t.long, &t.short]).collect();
        out.sort_by_key(|w| w.secs);
        out.dedup_by_key(|w| w.secs);
        if !out.iter().any(|w| w.secs == self.period.secs) {
            out.push(&self.period);
        }
        out
    }
}

/// A float as the shortest decimal of at most 12 places: objectives are written in decimals, and
/// their complements should read as the decimals they are.
fn round_decimal(v: f64) -> f64 {
    (v * 1e12).round() / 1e12
}

/// A duration of whole seconds and its Prometheus spelling (`5m`, `1h`, `2d19h12m`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub secs: u64,
    pub text: String,
}

impl Window {
    pub fn of_secs(secs: u64) -> Window {
        Window { secs, text: crate::notation::format_duration(secs) }
    }
}

/// An SLO's measure, its selectors as written (PromQL vector selectors, checked by the PromQL
/// stage).
#[derive(Debug)]
pub enum Sli {
    /// Two of good, bad and total events.
    Ratio { good: Option<SliSelector>, bad: Option<SliSelector>, total: Option<SliSelector> },
    /// Events of a histogram at or under `threshold` (in the metric's unit) are good.
    Latency { histogram: SliSelector, threshold: f64 },
}

/// A selector of an SLI and where it is written.
#[derive(Debug)]
pub struct SliSelector {
    pub at: String,
    pub selector: String,
}

/// A burn-rate tier, defaults applied.
#[derive(Debug)]
pub struct Tier {
    pub at: String,
    /// `page`, `page_slow`, `ticket`, `ticket_slow` or the catalog's own: the `slo_tier` label.
    pub name: String,
    pub long: Window,
    pub short: Window,
    pub burn: f64,
    /// Whether the catalog wrote the burn rate (else it is the default tier's).
    pub burn_written: bool,
    pub severity: String,
    pub for_duration: Option<String>,
}

impl Tier {
    /// The error ratio above which the tier fires: its burn rate times the budget.
    pub fn threshold(&self, slo: &Slo) -> f64 {
        self.burn * slo.budget()
    }

    /// The share of the period's budget spent by the time it fires: burning at its rate for its long
    /// window.
    pub fn budget_spent(&self, slo: &Slo) -> f64 {
        self.burn * self.long.secs as f64 / slo.period.secs as f64
    }

    /// How long the whole budget lasts at the tier's burn rate, to the minute.
    pub fn exhaustion(&self, slo: &Slo) -> Window {
        let secs = slo.period.secs as f64 / self.burn;
        Window::of_secs(((secs / 60.0).round() * 60.0) as u64)
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
    /// As the catalog writes it (checked to be a [`Visualization`]).
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

    /// How many queries the catalog has: every [`Query::id`] is below it.
    pub fn query_count(&self) -> usize {
        self.query_count
    }

    /// Whether `name` (a series name as a query writes it) starts with the name tokens of a metric
    /// that was left out of the model for an error: queries that name it are not reported again.
    /// Always false for a catalog that loaded.
    pub fn names_unresolved_metric(&self, name: &str) -> bool {
        self.unresolved.iter().any(|prefix| name.starts_with(prefix.as_str()))
    }

    /// Whether two metrics share a name. The second is most often a copied block whose name was not
    /// changed, so the series queries expect of it are missing: such queries are not reported while
    /// the duplicate is (the duplicate's error says where both are).
    pub fn has_duplicate_metric_names(&self) -> bool {
        let mut seen = std::collections::HashSet::new();
        !self.metrics.iter().all(|m| seen.insert(m.name.as_str()))
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

    /// Every alert test input series of the catalog, with the path of its `series` value; those of
    /// metrics and alerts left out for errors included, so that a later stage still checks them.
    pub fn alert_test_series(&self) -> impl Iterator<Item = (String, &str)> {
        let alerts = self.metrics.iter().flat_map(|m| &m.alerts).flat_map(Alert::test_series);
        alerts.chain(self.orphan_test_series.iter().map(|(at, s)| (at.clone(), s.as_str())))
    }
}
