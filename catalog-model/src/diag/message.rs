//! Every message the catalog stages can give, in one table so that they read alike.
//!
//! The table is grouped by what a message is about, one enum and one `text` each: the document
//! itself ([`Source`]), a name that does not resolve ([`Unknown`]), a rule of the catalog broken
//! ([`Invalid`]), alerts and their unit tests ([`Alerting`]), and PromQL queries ([`Promql`]).
//! Each message carries what it names, the candidates of its did-you-mean hint included.

use super::did_you_mean;

/// A message of any group; the collector takes any of them (`impl Into<Message>`).
#[derive(Debug, Clone)]
pub enum Message {
    Source(Source),
    Unknown(Unknown),
    Invalid(Invalid),
    Alerting(Alerting),
    Promql(Promql),
    Slo(Slo),
}

impl Message {
    /// The message and its hint.
    pub fn text(self) -> (String, Option<String>) {
        match self {
            Message::Source(m) => m.text(),
            Message::Unknown(m) => m.text(),
            Message::Invalid(m) => m.text(),
            Message::Alerting(m) => m.text(),
            Message::Promql(m) => m.text(),
            Message::Slo(m) => m.text(),
        }
    }
}

macro_rules! groups {
    ($($group:ident),*) => {
        $(impl From<$group> for Message {
            fn from(m: $group) -> Message {
                Message::$group(m)
            }
        })*
    };
}
groups!(Source, Unknown, Invalid, Alerting, Promql, Slo);

/// `did you mean `x`?` when there is a close candidate, else `fallback`.
fn hint_for(suggestion: &Option<String>, fallback: String) -> Option<String> {
    Some(match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => fallback,
    })
}

/// serde's "unknown field `lables`, expected one of `name`, `labels`, ..." → "did you mean `labels`?".
fn unknown_field_hint(error: &str) -> Option<String> {
    let rest = error.strip_prefix("unknown field `")?;
    let (got, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    did_you_mean(got, candidates).map(|s| format!("did you mean `{s}`?"))
}

/// What the YAML parser's most common complaints mean in a catalog, and how to fix them.
fn yaml_syntax_hint(error: &str) -> Option<&'static str> {
    const HINTS: &[(&str, &str)] = &[
        (
            "mapping values are not allowed",
            "a value that contains `: ` needs quotes (description: \"p95: the slow ones\"); or the line is \
             indented under a key that already has a value",
        ),
        (
            "did not find expected key",
            "check the indentation: the keys of one map start in the same column, and a list item's keys \
             line up after its `- `",
        ),
        (
            "did not find expected '-' indicator",
            "check the indentation: the items of one list start in the same column, and a list item's keys \
             line up after its `- `",
        ),
        (
            "illegal placement of ':' indicator",
            "a `[` or `{` above is not closed, or a value with `:` in it needs quotes",
        ),
        (
            "block sequence entries are not allowed",
            "a list starts on the line after its key (`labels:`, then `  - key`), or is written inline: [a, b]",
        ),
        ("tabs disallowed", "YAML indents with spaces: replace the tabs"),
        ("found a tab", "YAML indents with spaces: replace the tabs"),
        ("found unexpected end of stream", "a quoted value is not closed: add the closing quote"),
        ("expected ',' or ']'", "an inline list is `[a, b, c]`: a comma between items and a closing `]`"),
        (
            "expected ',' or '}'",
            "an inline map is `{key: value, other: value}`: a comma between entries and a closing `}`",
        ),
        (
            "unexpected character",
            "a value that starts with `@`, `` ` ``, `%` or `|`/`>` in the wrong place needs quotes",
        ),
    ];
    HINTS.iter().find(|(needle, _)| error.contains(needle)).map(|(_, hint)| *hint)
}

/// The document: reading it, its YAML, its shape.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file that could not be read at all.
    Io {
        error: String,
    },
    NotUtf8,
    TooLarge {
        bytes: u64,
        limit: u64,
    },
    Empty,
    /// An error from the YAML parser or from serde's shape checks, worded by them.
    Yaml {
        error: String,
    },
    /// A second YAML document (after `---` or `...`), which the parser would not read.
    SecondDocument,
    /// `&anchor` or `*alias`: the loader reads plain YAML only.
    Anchor,
    /// `!tag`.
    Tag,
    /// A key given twice in one map; `first` is where the first one is.
    DuplicateKey {
        key: String,
        first: (usize, usize),
    },
}

impl Source {
    fn text(self) -> (String, Option<String>) {
        use Source::*;
        match self {
            Io { error } => (format!("cannot read the catalog: {error}"), None),
            NotUtf8 => ("the catalog is not valid UTF-8".into(), Some("save metrics.yaml as UTF-8".into())),
            TooLarge { bytes, limit } => (
                format!(
                    "the catalog is {:.1} MiB; catalogs are limited to {} MiB",
                    bytes as f64 / (1u64 << 20) as f64,
                    limit >> 20
                ),
                Some("a metric takes about 1.2 KB (the 44-metric seed catalog is 54 KB): check that this file is the catalog".into()),
            ),
            Empty => (
                "the catalog is empty".into(),
                Some("a catalog is a map with at least `metrics` (and `labels`, `document`, `domains` as it needs)".into()),
            ),
            Yaml { error } => {
                // The parser's nesting limit gives no hint of its own.
                let help = match error.as_str() {
                    "recursion limit exceeded" => Some("the document is nested too deeply".into()),
                    _ => yaml_syntax_hint(&error).map(str::to_owned).or_else(|| unknown_field_hint(&error)),
                };
                (error, help)
            }
            SecondDocument => (
                "a second YAML document starts here; a catalog is one document".into(),
                Some("remove the `---` (or `...`) line above, or move this part into its own catalog".into()),
            ),
            Anchor => (
                "YAML anchors and aliases (`&name`, `*name`) are not supported in a catalog".into(),
                Some("write the values out where they are used; each metric lists its labels by key".into()),
            ),
            Tag => (
                "YAML tags (`!name`) are not supported in a catalog".into(),
                Some("remove the tag: every value of a catalog is a plain string, number, list or map".into()),
            ),
            DuplicateKey { key, first } => (
                format!("duplicate key `{key}` (first given at line {}, column {})", first.0, first.1),
                Some("a map has each key once: remove one of them, or merge them".into()),
            ),
        }
    }
}

/// A name that should resolve to something and does not.
#[derive(Debug, Clone)]
pub enum Unknown {
    /// A word of a fixed vocabulary (an instrument, a number type, a status, ...): `what` names the
    /// vocabulary (`instrument`, `alert severity`), `known` is all of it.
    Keyword {
        what: &'static str,
        got: String,
        known: &'static [&'static str],
    },
    Domain {
        got: String,
        known: Vec<String>,
    },
    Group {
        got: String,
        domain: String,
        known: Vec<String>,
    },
    /// A unit outside the accepted forms; `known` are the UCUM units.
    Unit {
        got: String,
        known: &'static [&'static str],
    },
    Label {
        got: String,
        known: Vec<String>,
    },
    ValueMap {
        got: String,
        known: Vec<String>,
    },
    RenamedTo {
        got: String,
        known: Vec<String>,
    },
}

impl Unknown {
    fn text(self) -> (String, Option<String>) {
        use Unknown::*;
        match self {
            Keyword { what, got, known } => {
                let s = did_you_mean(&got, known.iter().copied());
                (format!("unknown {what} `{got}`"), hint_for(&s, format!("expected one of {}", known.join(", "))))
            }
            Domain { got, known } => {
                let s = did_you_mean(&got, known.iter().map(String::as_str));
                (format!("unknown domain `{got}`"), hint_for(&s, format!("domains are: {}", known.join(", "))))
            }
            Group { got, domain, known } => {
                let s = did_you_mean(&got, known.iter().map(String::as_str));
                (
                    format!("unknown group `{got}` in domain `{domain}`"),
                    hint_for(&s, format!("groups of `{domain}` are: {}", known.join(", "))),
                )
            }
            Unit { got, known } => (
                format!("`{got}` is not written as a UCUM unit"),
                Some(format!(
                    "a UCUM unit is printable ASCII without spaces: one Prometheus has a word for ({}), a unit per time such as `By/s`, or an annotation such as `{{request}}`",
                    known.join(", ")
                )),
            ),
            Label { got, known } => {
                let s = did_you_mean(&got, known.iter().map(String::as_str));
                (
                    format!("reference to undefined label `{got}`"),
                    hint_for(&s, "define it under `labels:` at the top level".into()),
                )
            }
            ValueMap { got, known } => {
                let s = did_you_mean(&got, known.iter().map(String::as_str));
                (
                    format!("reference to undefined value map `{got}`"),
                    hint_for(&s, "define it under `value_maps:`".into()),
                )
            }
            RenamedTo { got, known } => {
                let s = did_you_mean(&got, known.iter().map(String::as_str));
                (
                    format!("`renamed_to: {got}` names no metric of the catalog"),
                    hint_for(&s, "name the metric that replaces this one; add it first if it is new".into()),
                )
            }
        }
    }
}

/// A rule of the catalog that an item breaks.
#[derive(Debug, Clone)]
pub enum Invalid {
    EmptyText {
        what: &'static str,
    },
    MetricName {
        name: String,
    },
    DuplicateMetric {
        name: String,
        first_line: usize,
    },
    DuplicatePrometheusName {
        series: String,
        name: String,
        other: String,
        /// What to do about it: which one to drop, or that the names differ only in separators.
        fix: CollisionFix,
    },
    DuplicateId {
        what: &'static str,
        id: String,
    },
    DuplicateLabelKey {
        key: String,
    },
    LabelKey {
        key: String,
    },
    PrometheusLabelCollision {
        prometheus: String,
        a: String,
        b: String,
    },
    LabelValuesAndFreeForm,
    ValuesNotAllowedForType {
        attribute_type: &'static str,
    },
    ValueTypeMismatch {
        value: String,
        declared: &'static str,
    },
    Variant {
        text: String,
    },
    EmptyValues,
    Ident {
        what: &'static str,
        text: String,
    },
    IdentCollision {
        what: &'static str,
        ident: String,
        a: String,
        b: String,
    },
    VariantCollision {
        ident: String,
        a: String,
        b: String,
    },
    TypeNotAllowed {
        instrument: &'static str,
        number: &'static str,
        allowed: String,
    },
    UnitWord {
        got: String,
        ucum: &'static str,
    },
    OpenWithoutValues,
    OpenNotString {
        attribute_type: &'static str,
    },
    UnitKept {
        got: String,
        series: String,
    },
    BucketsNotHistogram,
    BucketsNotIncreasing,
    /// A histogram without `buckets` whose unit the SDK's default boundaries do not fit.
    DefaultBucketsUnfit {
        name: String,
        unit: String,
    },
    /// A cardinality limit out of `1..=max`; `default` is what a metric keeps without one.
    CardinalityLimitRange {
        got: u64,
        max: u64,
        default: u64,
    },
    CardinalityLimitBelowCombinations {
        limit: u64,
        combinations: u64,
    },
    ValueMapNotGauge,
    ValueMapNotInteger,
    DuplicateMapValue {
        value: i64,
    },
    GroupMissing {
        domain: String,
    },
    GroupNotAllowed {
        domain: String,
    },
    GroupWithoutDomains,
    DomainWithoutDomains,
    DomainMissing {
        known: Vec<String>,
    },
    Thresholds {
        error: String,
    },
}

impl Invalid {
    fn text(self) -> (String, Option<String>) {
        use Invalid::*;
        match self {
            EmptyText { what } => (format!("{what} is empty"), Some(format!("write the {what}"))),
            MetricName { name } => (
                format!("invalid metric name `{name}`"),
                Some(
                    "an OpenTelemetry instrument name starts with a letter and has at most 255 of A-Z a-z 0-9 _ . - /"
                        .into(),
                ),
            ),
            DuplicateMetric { name, first_line } => (
                format!("duplicate metric `{name}`"),
                Some(format!("it is first defined at line {first_line}; a metric is defined once")),
            ),
            DuplicatePrometheusName { series, name, other, fix } => (
                format!("metrics `{other}` and `{name}` both produce the Prometheus series `{series}`"),
                Some(match fix {
                    CollisionFix::Rename => "rename one of them".into(),
                    CollisionFix::Separators => format!(
                        "the names differ only in `.` and `_`, which Prometheus and Rust both write as `_`, so both cannot be exported: rename one; or, if `{name}` replaces `{other}`, keep `{name}` alone and say the old name in its `note`"
                    ),
                    CollisionFix::DropDeprecated { deprecated, since, replacement } => format!(
                        "drop `{deprecated}` (deprecated since {since}{}): one Prometheus series and one Rust recorder cannot be two metrics, so a catalog keeps the one that replaces it; say the old name in its `note`",
                        replacement.map(|r| format!(", renamed to `{r}`")).unwrap_or_default()
                    ),
                }),
            ),
            DuplicateId { what, id } => (
                format!("duplicate {what} `{id}`"),
                (what == "label value").then(|| {
                    "list each value once: two variants of one value would both export it, and a recorded value could not tell which it was".into()
                }),
            ),
            DuplicateLabelKey { key } => (
                format!("the label key `{key}` is used twice by this metric"),
                Some("a metric has each attribute key once".into()),
            ),
            LabelKey { key } => (
                format!("invalid label key `{key}`"),
                Some(
                    "an attribute key is words of a-z A-Z 0-9 and `_` joined by `.` (`http.request.method`, \
                     `claim_method`), not starting with `__` and not `le`, which Prometheus reserves"
                        .into(),
                ),
            ),
            PrometheusLabelCollision { prometheus, a, b } => (
                format!("the label keys `{a}` and `{b}` of this metric are both stored as the Prometheus label `{prometheus}`"),
                Some("Prometheus turns `.` into `_`: rename one of them".into()),
            ),
            LabelValuesAndFreeForm => (
                "a label has either `values` or `free_form`, not both".into(),
                Some("keep `values` for a closed list, or `free_form` with the reason it is open".into()),
            ),
            ValuesNotAllowedForType { attribute_type } => (
                format!("a `{attribute_type}` attribute has no closed list of values"),
                Some("closed lists are for `string` and `int` attributes: remove `values` or change `type`".into()),
            ),
            ValueTypeMismatch { value, declared } => (
                format!("the value {value} is not of the attribute's type `{declared}`"),
                Some(match declared {
                    "int" => "write the number without quotes, or make the attribute `type: string`".into(),
                    _ => format!(
                        "quote it (`\"{}\"`) for a string value, or set the attribute's `type: int`",
                        value.trim_matches('"')
                    ),
                }),
            ),
            Variant { text } => (
                format!("`{text}` is not a Rust identifier for an enum variant"),
                Some("write an UpperCamelCase identifier such as `Http11` (letters, digits and `_`, not a keyword)".into()),
            ),
            EmptyValues => ("a closed label needs at least one value".into(), None),
            Ident { what, text } => (
                format!("cannot make a Rust identifier of the {what} `{text}`"),
                Some("use letters, digits and `_`, `-` or `.` as separators".into()),
            ),
            IdentCollision { what, ident, a, b } => (
                format!("the {what} `{a}` and `{b}` both become the Rust identifier `{ident}`"),
                Some("rename one of them so they differ by more than case or separators".into()),
            ),
            VariantCollision { ident, a, b } => (
                format!("the label values `{a}` and `{b}` both become the Rust identifier `{ident}`"),
                Some(format!("name the variant of one of them: `{{value: \"{b}\", variant: {ident}B}}`")),
            ),
            TypeNotAllowed { instrument, number, allowed } => (
                format!("the instrument `{instrument}` cannot have type `{number}`"),
                Some(format!("`{instrument}` takes {allowed}")),
            ),
            OpenWithoutValues => (
                "`open: true` without `values`".into(),
                Some("`open` says the listed values are the ones known and others may come; a label without a list is open already (give `free_form` to say why)".into()),
            ),
            OpenNotString { attribute_type } => (
                format!("an open list of `{attribute_type}` values"),
                Some("only string attributes have open lists (OpenTelemetry's enums of other values are closed); list every value, or make the attribute a string".into()),
            ),
            UnitWord { got, ucum } => (
                format!("`{got}` is the word Prometheus writes for the unit `{ucum}`, not a UCUM unit"),
                Some(format!("write `unit: {ucum}`: OpenTelemetry carries UCUM units, and Prometheus's name gets `_{got}` from it")),
            ),
            UnitKept { got, series } => (
                format!("Prometheus's translator has no word for the unit `{got}`: it keeps it, as `{series}`"),
                Some("if it is a unit the translator knows under another spelling (`ms`, `By`, `s`, `%`, `1`), write that; a count of things reads better as an annotation, such as `{revolution}/min`".into()),
            ),
            BucketsNotHistogram => ("only histograms have `buckets`".into(), None),
            BucketsNotIncreasing => (
                "bucket boundaries must be finite and strictly increasing".into(),
                Some("e.g. [1, 5, 10, 50, 100]".into()),
            ),
            DefaultBucketsUnfit { name, unit } => (
                format!(
                    "histogram `{name}` in `{unit}` has no `buckets`: it gets the OpenTelemetry SDK's default boundaries \
                     (0, 5, 10, 25, … 10000), which are made for milliseconds"
                ),
                Some(format!(
                    "declare `buckets:` in `{unit}` that split the values you expect{}",
                    if unit == "By" { ", e.g. [1024, 4096, 16384, 65536, 262144, 1048576]" } else { "" }
                )),
            ),
            CardinalityLimitRange { got, max, default } => (
                format!("the cardinality limit {got} is out of range"),
                Some(format!(
                    "write a number of attribute sets from 1 to {max} (the SDK reserves room for all of them up front; \
                     without `cardinality_limit` the metric keeps {default})"
                )),
            ),
            CardinalityLimitBelowCombinations { limit, combinations } => (
                format!(
                    "the cardinality limit {limit} is below the {combinations} combinations of the metric's closed labels"
                ),
                Some(format!("raise it to at least {combinations}, or leave `cardinality_limit` out")),
            ),
            ValueMapNotGauge => ("only gauges can have a `value_map`".into(), None),
            ValueMapNotInteger => (
                "a gauge with a `value_map` records integers".into(),
                Some("use `type: i64` (or u64 when no value is negative)".into()),
            ),
            DuplicateMapValue { value } => (format!("the value {value} is mapped twice"), None),
            GroupMissing { domain } => {
                (format!("domain `{domain}` has groups, so each of its metrics needs a `group`"), None)
            }
            GroupNotAllowed { domain } => (format!("domain `{domain}` has no groups"), Some("remove `group`".into())),
            GroupWithoutDomains => {
                ("a catalog without domains has no groups".into(), Some("remove `group`, or declare `domains`".into()))
            }
            DomainWithoutDomains => (
                "the catalog declares no domains".into(),
                Some("remove `domain` for a flat catalog, or declare the domain under `domains:`".into()),
            ),
            DomainMissing { known } => (
                "missing field `domain`: the catalog has domains, so each metric names one".into(),
                Some(format!("domains are: {}", known.join(", "))),
            ),
            Thresholds { error } => (
                format!("thresholds do not parse: {error}"),
                Some("write `COLOUR OP VALUE` items separated by commas, e.g. `green > 0.95, yellow > 0.90, red < 0.90` or `green < 70%, red >= 90%`".into()),
            ),
        }
    }
}

/// What a collision of two metrics' Prometheus names asks of the catalog.
#[derive(Debug, Clone)]
pub enum CollisionFix {
    Rename,
    /// The names differ only in `.` and `_`.
    Separators,
    /// One of them is deprecated: drop it.
    DropDeprecated {
        deprecated: String,
        since: String,
        replacement: Option<String>,
    },
}

/// Alerts and their unit tests.
#[derive(Debug, Clone)]
pub enum Alerting {
    Name { name: String },
    Duplicate { name: String },
    Duration { got: String },
    UnsupportedTemplate { got: String },
    TestMissing { alert: String, kind: &'static str },
    TestNoInput,
    TestSeries { got: String, error: String },
    TestValues { got: String, error: String },
}

impl Alerting {
    fn text(self) -> (String, Option<String>) {
        use Alerting::*;
        match self {
            Name { name } => (
                format!("invalid alert name `{name}`"),
                Some("use UpperCamelCase letters and digits, e.g. `HighErrorRate`".into()),
            ),
            Duplicate { name } => (
                format!("alert `{name}` is declared twice"),
                Some("alert names are unique in a catalog: Alertmanager routes and silences match on them".into()),
            ),
            Duration { got } => (
                format!("invalid duration `{got}`"),
                Some("use a Prometheus duration such as `30s`, `2m` or `1h`".into()),
            ),
            UnsupportedTemplate { got } => (
                format!("unsupported template `{got}`"),
                Some("annotations may use `{{ $labels.KEY }}` only, so that the alert unit tests can expect the rendered text".into()),
            ),
            TestMissing { alert, kind } => (
                format!("alert `{alert}` has no {kind} test case"),
                Some(format!(
                    "add one under `tests:`: each alert has a case where it fires (`fires: [{{...labels}}]`) and one where it stays quiet (`fires: []`); {}",
                    if kind == "firing" { "write the input from what `promtool test rules` says, not from arithmetic" } else { "e.g. the same input just under the threshold" }
                )),
            ),
            TestNoInput => (
                "an alert test case without input series".into(),
                Some("give at least one `- series: 'name{label=\"value\"}'` with `values: '0+10x20'`".into()),
            ),
            TestSeries { got, error } => (
                format!("`{got}` is not an input series: {error}"),
                Some("write a metric name with equality matchers, e.g. `http_requests_total{code=\"500\"}`".into()),
            ),
            TestValues { got, error } => (
                format!("`{got}` is not in promtool's values notation: {error}"),
                Some("e.g. `0+10x20` (0, 10, 20, ... 21 samples), `95x15`, `1 2 _ stale`".into()),
            ),
        }
    }
}

/// A PromQL query of the catalog, checked against the series the catalog makes.
#[derive(Debug, Clone)]
pub enum Promql {
    Syntax {
        query: String,
        error: String,
        /// Attribute keys the query spells as OpenTelemetry does (dotted), with their Prometheus
        /// names.
        dotted: Vec<(String, String)>,
    },
    TooLong {
        bytes: usize,
        max: usize,
    },
    UnknownSeries {
        series: String,
        suggestion: Option<String>,
    },
    /// A selector without a metric name; `example` is a series of the catalog to show instead.
    NoMetricName {
        example: Option<String>,
    },
    SuffixNotHistogram {
        series: String,
        metric: String,
    },
    UnknownLabel {
        label: String,
        series: String,
        known: Vec<String>,
    },
    LeNotBucket {
        series: String,
    },
    ValueNotAllowed {
        label: String,
        value: String,
        allowed: Vec<String>,
    },
    RateOnGauge {
        function: String,
        series: String,
        instrument: &'static str,
    },
    UnknownGroupingLabel {
        label: String,
        known: Vec<String>,
    },
    DeprecatedMetricQueried {
        metric: String,
        since: String,
        reason: String,
        renamed_to: Option<String>,
    },
}

impl Promql {
    fn text(self) -> (String, Option<String>) {
        use Promql::*;
        match self {
            Syntax { query, error, dotted } => (
                format!("invalid PromQL `{query}`: {error}"),
                (!dotted.is_empty()).then(|| {
                    let names = dotted.iter().map(|(k, p)| format!("`{k}` as `{p}`")).collect::<Vec<_>>().join(", ");
                    format!("Prometheus stores {names}: write that in queries")
                }),
            ),
            TooLong { bytes, max } => (
                format!("the query is {bytes} bytes long; a query of the catalog has at most {max}"),
                Some("split it into several queries".into()),
            ),
            UnknownSeries { series, suggestion } => (
                format!("the query names `{series}`, which no metric of the catalog produces"),
                hint_for(
                    &suggestion,
                    "use a series listed in the reference (histograms expose `_bucket`, `_sum`, `_count`)".into(),
                ),
            ),
            NoMetricName { example } => (
                "the query selects series without a metric name".into(),
                Some(match example {
                    Some(series) => format!("name the metric, e.g. `{series}{{...}}`"),
                    None => "name the metric of the series it selects".into(),
                }),
            ),
            SuffixNotHistogram { series, metric } => (
                format!("`{series}` is not a series: `{metric}` is not a histogram"),
                Some("only histograms expose `_bucket`, `_sum` and `_count`".into()),
            ),
            UnknownLabel { label, series, known } => {
                let s = did_you_mean(&label, known.iter().map(String::as_str));
                (
                    format!("`{series}` has no label `{label}`"),
                    hint_for(
                        &s,
                        if known.is_empty() {
                            "it has no labels".into()
                        } else {
                            format!("its labels are: {}", known.join(", "))
                        },
                    ),
                )
            }
            LeNotBucket { series } => {
                (format!("`le` is only a label of histogram `_bucket` series, not of `{series}`"), None)
            }
            ValueNotAllowed { label, value, allowed } => {
                let s = did_you_mean(&value, allowed.iter().map(String::as_str));
                (
                    format!("`{value}` is not an allowed value of label `{label}`"),
                    hint_for(&s, format!("allowed values: {}", allowed.join(", "))),
                )
            }
            RateOnGauge { function, series, instrument } => (
                format!("`{function}()` applied to the {instrument} `{series}`"),
                Some(format!("`{function}()` is for counters; use `deriv()` or `delta()` for gauges")),
            ),
            UnknownGroupingLabel { label, known } => {
                let s = did_you_mean(&label, known.iter().map(String::as_str));
                (
                    format!("grouping by `{label}`, which none of the selected series has"),
                    hint_for(&s, format!("their labels are: {}", known.join(", "))),
                )
            }
            DeprecatedMetricQueried { metric, since, reason, renamed_to } => (
                format!("this query uses `{metric}`, deprecated since {since}: {reason}"),
                Some(match renamed_to {
                    Some(to) => format!("query `{to}` instead, before `{metric}` is removed"),
                    None => format!("rewrite or remove this query before `{metric}` is removed"),
                }),
            ),
        }
    }
}

/// A number for a message: at most four decimals, no trailing zeros (`14.4`, `0.05`).
fn num(v: f64) -> String {
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-0" { "0".into() } else { text.to_owned() }
}

/// A service level objective (`slos:`), checked where a standalone SLO spec cannot be: against the
/// catalog's series, buckets and the windows' arithmetic.
#[derive(Debug, Clone)]
pub enum Slo {
    Name {
        name: String,
    },
    Duplicate {
        name: String,
    },
    Objective {
        got: f64,
    },
    Period {
        got: String,
    },
    SliShape {
        given: Vec<&'static str>,
    },
    UnknownTier {
        name: String,
        missing: Vec<&'static str>,
        suggestion: Option<String>,
    },
    Duration {
        got: String,
    },
    ShortNotShorter {
        tier: String,
        short: String,
        long: String,
    },
    LongerThanPeriod {
        tier: String,
        window: String,
        period: String,
    },
    UnderScrapes {
        tier: String,
        window: String,
        scrape: String,
    },
    Burn {
        got: f64,
    },
    NeverFires {
        tier: String,
        burn: f64,
        budget_percent: f64,
        max_burn: f64,
        min_objective: f64,
    },
    NoTier {
        name: String,
    },
    MinRate {
        got: f64,
    },
    TooFewEvents {
        rate: f64,
        window: String,
        events: f64,
        budget_percent: f64,
        allowed: f64,
        min_rate: f64,
        max_objective: f64,
    },
    LabelName {
        got: String,
    },
    Selector {
        got: String,
        error: String,
    },
    NotCounter {
        series: String,
        instrument: &'static str,
    },
    NotHistogram {
        got: String,
        suggestion: Option<String>,
    },
    Threshold {
        threshold: f64,
        unit: String,
        metric: String,
        below: Option<f64>,
        above: Option<f64>,
    },
}

impl Slo {
    fn text(self) -> (String, Option<String>) {
        use Slo::*;
        match self {
            Name { name } => (
                format!("invalid SLO name `{name}`"),
                Some("use lowercase letters, digits and `-`, starting with a letter, e.g. `task-success`: it is the `slo` label of the SLO's rules".into()),
            ),
            Duplicate { name } => (
                format!("SLO `{name}` is declared twice"),
                Some("SLO names are unique in a catalog: their rules are told apart by the `slo` label".into()),
            ),
            Objective { got } => (
                format!("objective {} is not between 0 and 100 % exclusive", num(got)),
                Some(if got >= 100.0 {
                    "an objective of 100 % leaves no error budget, so any one bad event would page; write the share of good events you promise, e.g. `99.9`".into()
                } else {
                    "write the share of good events you promise, in percent, e.g. `99.5` (not a ratio such as `0.995`)".into()
                }),
            ),
            Period { got } => (
                format!("period `{got}` is not a whole number of days"),
                Some("write the days the objective holds over, e.g. `28d` or `30d` (the default)".into()),
            ),
            SliShape { given } => (
                if given.is_empty() {
                    "the SLI gives no events".into()
                } else {
                    format!("the SLI gives {}", given.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", "))
                },
                Some("an SLI is a ratio of events: give exactly two of `good`, `bad` and `total` (counter selectors), or `latency` (a histogram) with `threshold`".into()),
            ),
            UnknownTier { name, missing, suggestion } => (
                format!("tier `{name}` is none of the default tiers, and does not give {}", missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")),
                Some(match suggestion {
                    Some(s) => format!("did you mean `{s}`? A new tier gives `long`, `short`, `burn` and `severity`"),
                    None => "the default tiers are `page`, `page_slow`, `ticket` and `ticket_slow`; a new tier gives `long`, `short`, `burn` and `severity`".into(),
                }),
            ),
            Duration { got } => (
                format!("invalid window `{got}`"),
                Some("use a Prometheus duration of whole seconds, such as `5m`, `1h` or `3d`".into()),
            ),
            ShortNotShorter { tier, short, long } => (
                format!("tier `{tier}`: the short window `{short}` is not shorter than the long window `{long}`"),
                Some("the short window makes the alert stop soon after the burn does: the workbook uses 1/12 of the long one (`5m` for `1h`)".into()),
            ),
            LongerThanPeriod { tier, window, period } => (
                format!("tier `{tier}`: the long window `{window}` is longer than the SLO's period `{period}`"),
                Some(format!("a burn rate is judged within the period: use a window of at most `{period}`, or lengthen the period")),
            ),
            UnderScrapes { tier, window, scrape } => (
                format!("tier `{tier}`: the short window `{window}` holds fewer than two scrapes at the scrape interval `{scrape}`"),
                Some(format!("`rate()` needs two samples in its window: use a window of at least twice `{scrape}` (`document.scrape_interval`), or a longer period, whose default windows scale with it")),
            ),
            Burn { got } => (
                format!("burn rate {} is not positive", num(got)),
                Some("a burn rate is a multiple of the rate that spends the budget exactly over the period, e.g. `14.4`".into()),
            ),
            NeverFires { tier, burn, budget_percent, max_burn, min_objective } => (
                format!(
                    "tier `{tier}` can never fire: burn {} × error budget {} % is {} % of events bad, and no more than all of them can be",
                    num(burn), num(budget_percent), num(burn * budget_percent)
                ),
                Some(format!("lower its burn below {} (`tiers.{tier}.burn`), raise the objective above {} %, or switch the tier off (`enabled: false`)", num(max_burn), num(min_objective))),
            ),
            NoTier { name } => (
                format!("every tier of SLO `{name}` is switched off"),
                Some("keep at least one tier (an SLO without alerts is a dashboard, not an objective), or remove the SLO".into()),
            ),
            MinRate { got } => (
                format!("minimum event rate {} is not positive", num(got)),
                Some("write events per second below which no tier fires, e.g. `0.5`".into()),
            ),
            TooFewEvents { rate, window, events, budget_percent, allowed, min_rate, max_objective } => (
                format!(
                    "at the minimum event rate {}/s the shortest window `{window}` sees {} events, of which the error budget ({} %) allows {}: a single bad event would fire the tiers",
                    num(rate), num(events), num(budget_percent), num(allowed)
                ),
                Some(format!("raise `min_event_rate` to at least {}, lower the objective to at most {} %, or lengthen the short windows", num(min_rate), num(max_objective))),
            ),
            LabelName { got } => (
                format!("invalid label name `{got}`"),
                Some("use letters, digits and `_`, not starting with a digit or `__`, e.g. `team`".into()),
            ),
            Selector { got, error } => (
                format!("`{got}` is not a selector of events: {error}"),
                Some("write a series name with equality matchers, e.g. `http_requests_total{code=\"500\"}`: the rules take `rate()` of it over each window".into()),
            ),
            NotCounter { series, instrument } => (
                format!("`{series}` is a {instrument}'s series: an SLI counts events"),
                Some("use a counter's `_total` series, or a histogram's `latency` with a `threshold`".into()),
            ),
            NotHistogram { got, suggestion } => (
                format!("`{got}` is no histogram of the catalog"),
                Some(match suggestion {
                    Some(s) => format!("did you mean `{s}`? Name the histogram as Prometheus does, without `_bucket`"),
                    None => "name a histogram as Prometheus does, without `_bucket`, e.g. `http_server_request_duration_seconds`".into(),
                }),
            ),
            Threshold { threshold, unit, metric, below, above } => (
                format!("the threshold {} {unit} is not a bucket boundary of `{metric}`, so no `le` series counts the events under it", num(threshold)),
                Some(match (below, above) {
                    (Some(b), Some(a)) => format!("the nearest boundaries are {} and {}: use one of them, or add {} to the metric's `buckets`", num(b), num(a), num(threshold)),
                    (Some(b), None) => format!("the largest boundary is {}: use it, or add {} to the metric's `buckets`", num(b), num(threshold)),
                    (None, Some(a)) => format!("the smallest boundary is {}: use it, or add {} to the metric's `buckets`", num(a), num(threshold)),
                    (None, None) => "the histogram has no boundaries".into(),
                }),
            ),
        }
    }
}
