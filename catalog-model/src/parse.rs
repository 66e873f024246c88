//! Stage 1: serde structs that mirror `metrics.yaml` exactly.
//!
//! Only shape is checked here (unknown keys, missing keys, wrong YAML types). Every field that names
//! something else (an instrument, a label, a domain) stays a `String`, so that the `model` stage can
//! report all wrong references at once, each with its location and a did-you-mean hint.
//!
//! Each top-level section and each list item is deserialized on its own (see `crate::load`), so a
//! mistake in one metric does not hide the mistakes in the next.

use serde::Deserialize;

/// The top level of `metrics.yaml`: each section's YAML nodes, deserialized one item at a time by
/// the loader (which builds this from the document's top-level map, see `crate::load`).
#[derive(Debug, Default)]
pub struct RawCatalog<'n> {
    /// Optional: a catalog without it gets neutral defaults (see [`Document`]).
    pub document: Option<&'n marked_yaml::Node>,
    /// Optional: a catalog without domains gets a flat layout (one list of metrics).
    pub domains: Vec<&'n marked_yaml::Node>,
    /// By key, in key order.
    pub labels: Vec<(String, &'n marked_yaml::Node)>,
    /// By key, in key order.
    pub value_maps: Vec<(String, &'n marked_yaml::Node)>,
    pub metrics: Vec<&'n marked_yaml::Node>,
    pub example_queries: Vec<&'n marked_yaml::Node>,
    pub dashboards: Vec<&'n marked_yaml::Node>,
    pub verification: Vec<&'n marked_yaml::Node>,
    pub troubleshooting: Vec<&'n marked_yaml::Node>,
    pub next_steps: Vec<&'n marked_yaml::Node>,
    pub slos: Vec<&'n marked_yaml::Node>,
}

/// Document-level content of the reference: its title, the runtime setup it describes, and prose.
/// Every field is optional; what is absent is left out of the reference.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Title of the generated reference, e.g. `Shop OpenTelemetry Metrics Reference`; default
    /// `Metrics Reference`.
    #[serde(default)]
    pub title: Option<String>,
    /// One paragraph under the title.
    #[serde(default)]
    pub summary: Option<String>,
    /// The system the catalog describes, e.g. `Shop`, for the reference's prose ("The Shop
    /// system defines ..."); without it the prose speaks of "this catalog".
    #[serde(default)]
    pub system: Option<String>,
    /// The OpenTelemetry meter name the generated recorders use, e.g. `shop`; default the
    /// catalog's file name without its extension.
    #[serde(default)]
    pub meter_name: Option<String>,
    /// A prefix stripped from metric names to form Rust identifiers, e.g. `shop`.
    #[serde(default)]
    pub rust_prefix: Option<String>,
    #[serde(default)]
    pub export_interval_seconds: Option<u64>,
    /// How often Prometheus scrapes the service, a Prometheus duration; default `1m`
    /// (Prometheus's own default). SLO windows must hold at least two scrapes.
    #[serde(default)]
    pub scrape_interval: Option<String>,
    #[serde(default)]
    pub otlp_endpoint: Option<String>,
    #[serde(default)]
    pub grafana_url: Option<String>,
    /// Where the reference is published, e.g. `https://github.com/org/repo/blob/main/docs/METRICS.md`:
    /// the base of the alerting rules' `runbook_url`. Without it the rules link the reference by
    /// its path relative to the rule file.
    #[serde(default)]
    pub reference_url: Option<String>,
    /// The stability of metrics that do not state one: `alpha` (the default), `beta` or `stable`.
    #[serde(default)]
    pub default_stability: Option<String>,
    /// Base URL of the Prometheus UI the reference links queries to; without it queries get no
    /// links.
    #[serde(default)]
    pub prometheus_url: Option<String>,
    /// A label that correlates metrics with traces, e.g. `correlation_id`: the overview counts the
    /// metrics that carry it.
    #[serde(default)]
    pub correlation_label: Option<String>,
    /// Markdown shown in the overview after the domain table.
    #[serde(default)]
    pub overview_note: Option<String>,
    #[serde(default)]
    pub query_patterns: Option<QueryPatterns>,
    #[serde(default)]
    pub configuration: Option<Configuration>,
    /// The footer: what workload the reference was checked with.
    #[serde(default)]
    pub footer: Option<String>,
}

/// The "Instant vs Rate-Based" guidance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryPatterns {
    pub instant_when: Vec<String>,
    pub rate_when: Vec<String>,
    /// Markdown: why the difference matters.
    pub why: String,
}

/// The "Configuration" section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Configuration {
    /// Path of the configuration file, e.g. `config/environments/development/telemetry.toml`.
    pub file: String,
    /// TOML snippet.
    pub snippet: String,
    /// Lines to look for in the logs (shell-comment style block).
    pub log_check: String,
}

/// One of the five domains (orchestration, worker, ...): a section of the reference and a Rust module.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// Identifier, also the Rust module name, e.g. `orchestration`.
    pub id: String,
    /// Section title, e.g. `Orchestration`.
    pub title: String,
    /// One line for the overview table.
    pub summary: String,
    /// Where the metric definitions live in the service, e.g. `shop-core/src/metrics/orders.rs`.
    #[serde(default)]
    pub module: Option<String>,
    /// Where the recording calls live in the service.
    #[serde(default)]
    pub instrumentation: Option<String>,
    /// Markdown shown at the top of the domain section.
    #[serde(default)]
    pub intro: Option<String>,
    /// Optional sub-sections; when present, metrics are listed by group instead of by instrument.
    #[serde(default)]
    pub groups: Vec<Group>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub intro: Option<String>,
}

/// A label (attribute) definition, referenced by metrics by its id (the key in `labels:`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    /// The attribute key as OpenTelemetry exports it (dotted, `http.request.method`, or with
    /// underscores); defaults to the id. Two definitions may share a key when the same attribute has
    /// different allowed values on different metrics (e.g. `result_type`).
    #[serde(default)]
    pub key: Option<String>,
    /// `string` (the default), `int`, `bool` or `double`, as OpenTelemetry types attributes.
    #[serde(default, rename = "type")]
    pub attribute_type: Option<String>,
    /// `required` (the default), `conditionally_required`, `recommended` or `opt_in`, as
    /// OpenTelemetry's semantic conventions write requirement levels; any but `required` makes the
    /// attribute optional. `conditionally_required` may carry its condition:
    /// `{conditionally_required: "If and only if ..."}`.
    #[serde(default)]
    pub requirement_level: Option<RequirementLevel>,
    pub description: String,
    /// The closed list of allowed values (strings or integers, as `type` says); each is a scalar
    /// or `{value: "1.1", variant: Http11}` to choose its Rust variant. Without `values` the
    /// attribute is open.
    #[serde(default)]
    pub values: Option<Vec<LabelValue>>,
    /// With `values`: the list is the values known, and others may be recorded too (as
    /// OpenTelemetry's semantic conventions define enums: `error.type` is one of its listed values
    /// or any other). The generated field takes `Open<Enum>`: a known value or any text.
    #[serde(default)]
    pub open: Option<bool>,
    /// Why the label is open (e.g. unbounded correlation ids); shown in the reference.
    #[serde(default)]
    pub free_form: Option<String>,
    /// The attribute's own stability (`development`, `alpha`, `beta`, `release_candidate`,
    /// `stable`), where it differs from the metrics': `docs-gen diff` holds a change of it to the
    /// lower of the two.
    #[serde(default)]
    pub stability: Option<String>,
    /// The attribute is on its way out.
    #[serde(default)]
    pub deprecated: Option<Deprecated>,
    /// Example values shown in the reference for free-form labels.
    #[serde(default)]
    pub examples: Vec<String>,
}

/// A metric's use of a label: its id, and what differs on this metric (the semantic conventions
/// give an attribute its requirement level, brief and examples per metric).
#[derive(Debug)]
pub struct LabelRef {
    pub id: String,
    pub requirement_level: Option<RequirementLevel>,
    pub brief: Option<String>,
    pub examples: Vec<String>,
}

impl<'de> Deserialize<'de> for LabelRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LabelRefVisitor)
    }
}

struct LabelRefVisitor;

impl<'de> serde::de::Visitor<'de> for LabelRefVisitor {
    type Value = LabelRef;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a label id, or a map with `ref` and what this metric's use changes")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<LabelRef, E> {
        Ok(LabelRef { id: v.to_owned(), requirement_level: None, brief: None, examples: Vec::new() })
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<LabelRef, A::Error> {
        use serde::de::Error;
        let mut r = LabelRef { id: String::new(), requirement_level: None, brief: None, examples: Vec::new() };
        let mut id = None;
        while let Some(key) = m.next_key::<String>()? {
            match key.as_str() {
                "ref" => id = Some(m.next_value::<String>()?),
                "requirement_level" => r.requirement_level = Some(m.next_value::<RequirementLevel>()?),
                "brief" => r.brief = Some(m.next_value::<String>()?),
                "examples" => r.examples = m.next_value::<Vec<String>>()?,
                _ => {
                    return Err(A::Error::custom(format!(
                        "unknown field `{key}` of a label use, expected one of `ref`, `requirement_level`, `brief`, `examples`"
                    )));
                }
            }
        }
        r.id = id.ok_or_else(|| A::Error::custom("a label use written as a map needs `ref`, the label's id"))?;
        Ok(r)
    }
}

/// A requirement level: a name, or `{conditionally_required: "condition"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RequirementLevel {
    Name(String),
    Conditional {
        /// The condition, e.g. `If and only if one was received/sent.`
        conditionally_required: String,
    },
    /// `{recommended: "condition"}`: recommended, with when (as the semantic conventions write it).
    RecommendedWhen {
        recommended: String,
    },
}

/// One allowed value of a closed label, as written: a scalar, or a map with its Rust variant,
/// stability or deprecation.
#[derive(Debug)]
pub enum LabelValue {
    Scalar(Scalar),
    Named { value: Scalar, variant: Option<String>, stability: Option<String>, deprecated: Option<Deprecated> },
}

/// A YAML scalar of a label value, keeping whether YAML read it as a string or an integer.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    String(String),
    Int(i64),
    /// Any other scalar (a float, a boolean, null), as YAML would print it.
    Other(String),
}

/// A label value deserializes from a scalar or from a `{value, variant}` map. The YAML parser hands
/// every scalar over as text, so each starts as [`Scalar::String`]; the loader then gives plain
/// (unquoted) scalars their YAML type from the node (`retype_label_values` in
/// `crate::load`), so that `200` is an integer and `"200"` a string.
impl<'de> Deserialize<'de> for LabelValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LabelValueVisitor)
    }
}

struct LabelValueVisitor;

impl<'de> serde::de::Visitor<'de> for LabelValueVisitor {
    type Value = LabelValue;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a label value: a scalar, or a map with `value` and `variant`")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<LabelValue, E> {
        Ok(LabelValue::Scalar(Scalar::String(v.to_owned())))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<LabelValue, E> {
        Ok(LabelValue::Scalar(Scalar::Int(v)))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<LabelValue, E> {
        Ok(LabelValue::Scalar(i64::try_from(v).map_or_else(|_| Scalar::Other(v.to_string()), Scalar::Int)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<LabelValue, A::Error> {
        use serde::de::Error;
        let mut value = None;
        let mut variant = None;
        let mut stability = None;
        let mut deprecated = None;
        while let Some(key) = m.next_key::<String>()? {
            match key.as_str() {
                "value" => value = Some(m.next_value::<String>().map(Scalar::String)?),
                "variant" => variant = Some(m.next_value::<String>()?),
                "stability" => stability = Some(m.next_value::<String>()?),
                "deprecated" => deprecated = Some(m.next_value::<Deprecated>()?),
                _ => {
                    return Err(A::Error::custom(format!(
                        "unknown field `{key}` of a label value, expected one of `value`, `variant`, `stability`, `deprecated`"
                    )));
                }
            }
        }
        match value {
            Some(value) if variant.is_none() && stability.is_none() && deprecated.is_none() => {
                Ok(LabelValue::Scalar(value))
            }
            Some(value) => Ok(LabelValue::Named { value, variant, stability, deprecated }),
            None => Err(A::Error::custom("a label value written as a map needs `value`")),
        }
    }
}

/// A mapping from gauge values to named states, e.g. circuit breaker 0=Closed, 1=Half-Open, 2=Open.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueMap {
    pub description: String,
    pub values: Vec<ValueMapEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueMapEntry {
    pub value: i64,
    /// The state's name as shown in dashboards, e.g. `Half-Open`.
    pub name: String,
    /// Grafana colour for the state, e.g. `green`.
    #[serde(default)]
    pub color: Option<String>,
}

/// One metric.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    /// The OpenTelemetry instrument name, e.g. `shop.orders.total`.
    pub name: String,
    /// Id of the domain it belongs to; only (and then always) when the catalog has domains.
    #[serde(default)]
    pub domain: Option<String>,
    /// Id of a group of its domain, when the domain has groups.
    #[serde(default)]
    pub group: Option<String>,
    /// `counter`, `up_down_counter`, `histogram` or `gauge`.
    pub instrument: String,
    /// `u64`, `i64` or `f64`.
    #[serde(rename = "type")]
    pub number_type: String,
    /// UCUM unit: `ms`, `s`, `By`, `%`, `1`, or an annotation such as `{request}`.
    pub unit: String,
    pub description: String,
    /// Label ids, in the order they are shown and passed: each an id, or
    /// `{ref: id, requirement_level: ..., brief: ..., examples: [...]}` for how this metric uses the
    /// attribute, over its one definition.
    #[serde(default)]
    pub labels: Vec<LabelRef>,
    /// `instrumented` (the default), `planned` or `defined_not_instrumented`.
    #[serde(default)]
    pub status: Option<String>,
    /// Why the status is what it is, e.g. `gauge tracking removed during implementation`.
    #[serde(default)]
    pub status_note: Option<String>,
    /// Where the service records it, e.g. `task_initializer.rs:start_task_initialization()`.
    #[serde(default)]
    pub recorded_in: Option<String>,
    /// Id of a value map; the generated gauge then takes that enum instead of a number.
    #[serde(default)]
    pub value_map: Option<String>,
    /// Explicit histogram bucket boundaries (histograms only), strictly increasing.
    #[serde(default)]
    pub buckets: Option<Vec<f64>>,
    /// How many attribute sets the SDK keeps for the metric before it folds new ones into one
    /// overflow series; default [`crate::model::DEFAULT_CARDINALITY_LIMIT`].
    #[serde(default)]
    pub cardinality_limit: Option<u64>,
    /// Markdown note, e.g. where a unit or label was chosen by this catalog rather than the seed.
    #[serde(default)]
    pub note: Option<String>,
    /// `alpha`, `beta` or `stable`: what the metric promises its users, which `docs-gen diff`
    /// enforces; default the document's `default_stability`, else `alpha`.
    #[serde(default)]
    pub stability: Option<String>,
    /// The metric is on its way out: since when, why, and what replaces it.
    #[serde(default)]
    pub deprecated: Option<Deprecated>,
    #[serde(default)]
    pub queries: Vec<Query>,
    #[serde(default)]
    pub alerts: Vec<Alert>,
}

/// A deprecation: removal comes after it, never before.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deprecated {
    /// The version or date it was deprecated in, e.g. `0.4.0`.
    pub since: String,
    pub reason: String,
    /// The metric that replaces it, by name: how `docs-gen diff` tells a rename from a removal.
    #[serde(default)]
    pub renamed_to: Option<String>,
}

/// A titled PromQL expression.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    pub title: String,
    pub expr: String,
}

/// An alerting rule with a threshold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// Alert name in UpperCamelCase, e.g. `FfiCompletionSlowSends`.
    pub name: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    pub expr: String,
    /// How long the condition must hold, as a Prometheus duration (`2m`); absent means at once.
    #[serde(default, rename = "for")]
    pub for_duration: Option<String>,
    /// What the alert means, in a sentence: the rule's `summary` annotation.
    pub summary: String,
    /// What to look at first, for the rule's `description` annotation. `{{ $labels.KEY }}` is the
    /// only template it may use (the alert unit tests render it for each expected alert).
    #[serde(default)]
    pub description: Option<String>,
    /// Unit tests of the rule, run by `promtool test rules`: at least one case where it fires and
    /// one where it stays quiet.
    #[serde(default)]
    pub tests: Vec<AlertTest>,
}

/// One `promtool test rules` case of an alert.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertTest {
    /// What the input shows, in words, e.g. `20 slow sends per second for 10 minutes`.
    pub case: String,
    /// The step between input samples, a Prometheus duration; default `1m`.
    #[serde(default)]
    pub interval: Option<String>,
    /// The input series, in promtool's notation.
    pub input: Vec<InputSeries>,
    /// When the rule is evaluated, as a duration from the first sample, e.g. `10m`.
    pub at: String,
    /// The label sets of the alerts expected to fire at `at` (besides `alertname` and
    /// `severity`); an empty list is a case where the alert stays quiet.
    pub fires: Vec<std::collections::BTreeMap<String, String>>,
}

/// An input series of an alert test: `series: 'name{label="value"}'`, `values: '0+10x20'`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSeries {
    pub series: String,
    pub values: String,
}

/// A sub-section of "Example Queries", e.g. `Task Execution Flow`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleSection {
    pub title: String,
    pub examples: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub title: String,
    /// Markdown shown before the queries.
    #[serde(default)]
    pub description: Option<String>,
    pub queries: Vec<Query>,
    /// Markdown shown after the queries, e.g. the expected flow.
    #[serde(default)]
    pub note: Option<String>,
}

/// A recommended Grafana dashboard.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dashboard {
    pub title: String,
    /// When set, the dashboard is shown in that domain's section instead of under
    /// "Dashboard Recommendations".
    #[serde(default)]
    pub domain: Option<String>,
    pub panels: Vec<Panel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Panel {
    pub title: String,
    /// Grafana visualization, e.g. `Time series`, `Stat`, `Gauge`, `Pie chart`.
    pub visualization: String,
    /// One query per series.
    pub queries: Vec<Query>,
    /// Threshold text, e.g. `green > 0.95, yellow > 0.90, red < 0.90`.
    #[serde(default)]
    pub thresholds: Option<String>,
    /// Id of a value map whose states the panel colours.
    #[serde(default)]
    pub value_map: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A group of the verification checklist.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistGroup {
    pub title: String,
    pub items: Vec<ChecklistItem>,
}

/// A checklist item: prose, or a query with what it should return.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    /// Markdown text; with `query`, what the query should return (e.g. `returns non-zero`).
    pub text: String,
    #[serde(default)]
    pub query: Option<String>,
}

/// A troubleshooting topic.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Troubleshooting {
    pub title: String,
    /// Markdown body.
    pub body: String,
}

/// A group of next steps.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextSteps {
    pub title: String,
    pub items: Vec<NextStep>,
}

/// A next step; with `domain`, the count of that domain's metrics still to instrument is appended.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextStep {
    pub text: String,
    #[serde(default)]
    pub domain: Option<String>,
}

/// The deserialized sections with the path of each item.
pub struct Parsed {
    pub document: Document,
    pub domains: Vec<(String, Domain)>,
    pub labels: Vec<(String, String, Label)>,
    pub value_maps: Vec<(String, String, ValueMap)>,
    pub metrics: Vec<(String, Metric)>,
    pub examples: Vec<(String, ExampleSection)>,
    pub dashboards: Vec<(String, Dashboard)>,
    pub verification: Vec<(String, ChecklistGroup)>,
    pub troubleshooting: Vec<Troubleshooting>,
    pub next_steps: Vec<(String, NextSteps)>,
    pub slos: Vec<(String, Slo)>,
    /// What failed its shape check (already reported), so that references to it are not reported
    /// again.
    pub broken: Broken,
}

/// A service level objective: an objective over a period for a ratio of events (the SLI), alerted
/// on by how fast its error budget burns, in tiers of two windows each (the SRE workbook's
/// multiwindow, multi-burn-rate alerts).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slo {
    /// Identifier in lowercase letters, digits and `-`, e.g. `task-success`: the `slo` label of its
    /// rules and alerts.
    pub name: String,
    /// Title for the reference and the dashboard, e.g. `Task success`.
    pub title: String,
    /// What the SLO promises, in a sentence or two.
    pub description: String,
    /// The share of good events promised, in percent, between 0 and 100 exclusive, e.g. `99.5`.
    pub objective: f64,
    /// The period the objective holds over, in whole days (`28d`); default `30d`.
    #[serde(default)]
    pub period: Option<String>,
    pub sli: Sli,
    /// The burn-rate alerts' name (UpperCamelCase); default the name's words followed by
    /// `BudgetBurn` (`TaskSuccessBudgetBurn`).
    #[serde(default)]
    pub alert: Option<String>,
    /// Overrides of the default tiers (`page`, `page_slow`, `ticket`, `ticket_slow`) by name, or
    /// new tiers: `ticket_slow: {enabled: false}`, `page: {severity: sev1}`.
    #[serde(default)]
    pub tiers: std::collections::BTreeMap<String, Tier>,
    /// Events per second below which no tier fires (judged over each tier's short window): at low
    /// traffic one failure is a large share of few events.
    #[serde(default)]
    pub min_event_rate: Option<f64>,
    /// Labels added to every rule and alert of the SLO, e.g. `team: core`.
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// Annotations added to every alert of the SLO (after `summary`, `description`,
    /// `runbook_url` and `dashboard`, which are generated).
    #[serde(default)]
    pub annotations: std::collections::BTreeMap<String, String>,
}

/// What an SLO measures: two of `good`, `bad` and `total` (counter selectors with equality
/// matchers, e.g. `shop_orders_failed_total{region="eu"}`); or `latency`, a histogram
/// (its Prometheus name without `_bucket`, with matchers) and a `threshold` in its unit that is one
/// of its bucket boundaries: events at or under it are good.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sli {
    #[serde(default)]
    pub good: Option<String>,
    #[serde(default)]
    pub bad: Option<String>,
    #[serde(default)]
    pub total: Option<String>,
    #[serde(default)]
    pub latency: Option<String>,
    #[serde(default)]
    pub threshold: Option<f64>,
}

/// A burn-rate tier: it fires while the error ratio over both its windows is above `burn` times
/// the error budget.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// `false` switches the tier off.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// The long window, a Prometheus duration (`1h`).
    #[serde(default)]
    pub long: Option<String>,
    /// The short window, a Prometheus duration (`5m`): it makes the alert stop soon after the burn
    /// does.
    #[serde(default)]
    pub short: Option<String>,
    /// The burn rate, in multiples of the rate that spends the budget exactly over the period.
    #[serde(default)]
    pub burn: Option<f64>,
    /// The alert's `severity` label.
    #[serde(default)]
    pub severity: Option<String>,
    /// How long the condition must hold before the alert fires; default at once.
    #[serde(default, rename = "for")]
    pub for_duration: Option<String>,
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
