//! Errors in the user's catalog: located, collected, sorted, and worded from one table.
//!
//! Every check reports through [`Ctxt`], which resolves a YAML path such as `metrics[3].labels[1]`
//! to `metrics.yaml:LINE:COL` through the [`SourceMap`]. Nothing stops at the first error: a stage
//! collects all of them, and the loader stops only between stages.

use crate::catalog::source::SourceMap;
use std::fmt;

/// One located error with an optional hint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: error: {}", self.file, self.line, self.col, self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// The most errors a stage reports; past it, errors are only counted. A broken generated catalog
/// can have an error per metric, and each may search every name for a did-you-mean.
pub const MAX_ERRORS: usize = 100;

/// All errors of a catalog, sorted by position, and how many more were found but not kept (past
/// [`MAX_ERRORS`]). Its `Display` is what users read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>, pub usize);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let n = self.0.len() + self.1;
        if self.1 > 0 {
            writeln!(f, "... and {} more (only the first {} are shown)", self.1, self.0.len())?;
        }
        write!(f, "{n} error{} in the catalog", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

/// The error collector. Checks call [`Ctxt::error`] with a path into the YAML document; the
/// collector turns it into a located [`Diagnostic`]. [`Ctxt::finish`] must be called: dropping a
/// collector with unread errors is a bug in this crate, and panics in debug builds (as serde_derive's
/// `Ctxt` does).
pub struct Ctxt<'a> {
    file: &'a str,
    map: &'a SourceMap<'a>,
    errors: Option<Vec<Diagnostic>>,
    /// Errors past [`MAX_ERRORS`], counted but neither located nor worded.
    omitted: usize,
    /// What is allowed but worth saying, e.g. a query of a deprecated metric.
    warnings: Vec<Diagnostic>,
}

impl<'a> Ctxt<'a> {
    pub fn new(file: &'a str, map: &'a SourceMap<'a>) -> Self {
        Ctxt { file, map, errors: Some(Vec::new()), omitted: 0, warnings: Vec::new() }
    }

    /// The catalog's file as diagnostics name it.
    pub fn file(&self) -> &'a str {
        self.file
    }

    /// Whether further errors are only counted; checks may skip costly hints then.
    pub fn is_full(&self) -> bool {
        self.errors.as_ref().is_some_and(|e| e.len() >= MAX_ERRORS)
    }

    /// Counts the error instead of keeping it when the collector is full.
    fn counted(&mut self) -> bool {
        let full = self.is_full();
        if full {
            self.omitted += 1;
        }
        full
    }

    /// Reports `message` at the value found at `path` (or its nearest ancestor).
    pub fn error(&mut self, path: &str, message: Message) {
        if self.counted() {
            return;
        }
        let (line, col) = self.map.value(path);
        self.push(line, col, message);
    }

    /// Reports `message` at the key of the mapping entry at `path` (e.g. an unknown field).
    pub fn error_at_key(&mut self, path: &str, message: Message) {
        if self.counted() {
            return;
        }
        let (line, col) = self.map.key(path);
        self.push(line, col, message);
    }

    /// A warning at the value at `path`: the catalog loads, and the warning is shown.
    pub fn warn(&mut self, path: &str, message: Message) {
        let (line, col) = self.map.value(path);
        let (message, help) = message.text();
        self.warnings.push(Diagnostic { file: self.file.to_owned(), line, col, message, help });
    }

    /// Reports `message` at an explicit 1-based position.
    pub fn error_at(&mut self, line: usize, col: usize, message: Message) {
        if self.counted() {
            return;
        }
        self.push(line, col, message);
    }

    fn push(&mut self, line: usize, col: usize, message: Message) {
        let (message, help) = message.text();
        self.errors.as_mut().expect("Ctxt used after finish").push(Diagnostic {
            file: self.file.to_owned(),
            line,
            col,
            message,
            help,
        });
    }

    /// The line of the value at `path`, for messages that refer to another place.
    pub fn line_of(&self, path: &str) -> usize {
        self.map.value(path).0
    }

    pub fn has_errors(&self) -> bool {
        self.errors.as_ref().is_some_and(|e| !e.is_empty())
    }

    /// Ends the stage: the sorted, de-duplicated errors, or, when there were none, the warnings
    /// worded as users read them (`metrics.yaml:12:9: warning: ...`).
    pub fn finish(mut self) -> Result<Vec<String>, Diagnostics> {
        let mut errors = self.errors.take().expect("Ctxt finished twice");
        errors.sort();
        errors.dedup();
        if !errors.is_empty() {
            return Err(Diagnostics(errors, self.omitted));
        }
        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.sort();
        warnings.dedup();
        Ok(warnings.iter().map(|w| w.to_string().replacen(": error: ", ": warning: ", 1)).collect())
    }
}

impl Drop for Ctxt<'_> {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.as_ref().is_some_and(|e| !e.is_empty()) {
            debug_assert!(false, "docs_gen::catalog::diag::Ctxt dropped without finish()");
        }
    }
}

/// The closest candidate to `got`, when it is close enough to be a likely misspelling (of equally
/// close ones, the last).
pub fn did_you_mean<'c>(got: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<String> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    // A large catalog's series (100,000 of them) are searched on all cores; the best of each chunk,
    // then the best of those, is the best of one pass with the same ties.
    let chunks: Vec<&[&str]> = candidates.chunks(8192).collect();
    let best = crate::parallel::map_parallel(&chunks, || (), |_, chunk| closest(got, chunk));
    best.into_iter().flatten().max_by(|a, b| a.0.total_cmp(&b.0)).map(|(_, c)| c.to_owned())
}

fn closest<'c>(got: &str, candidates: &[&'c str]) -> Option<(f64, &'c str)> {
    candidates
        .iter()
        .map(|&c| (strsim::jaro_winkler(got, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

/// serde's "unknown field `lables`, expected one of `name`, `labels`, ..." → "did you mean `labels`?".
fn unknown_field_hint(error: &str) -> Option<String> {
    let rest = error.strip_prefix("unknown field `")?;
    let (got, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    did_you_mean(got, candidates).map(|s| format!("did you mean `{s}`?"))
}

fn hint_for(suggestion: &Option<String>, fallback: String) -> Option<String> {
    Some(match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => fallback,
    })
}

/// Every message the catalog compiler can give, in one table so that they read alike.
#[derive(Debug, Clone)]
pub enum Message {
    /// A file that could not be read at all.
    Io {
        error: String,
    },
    NotUtf8,
    TooLarge {
        bytes: u64,
        limit: u64,
    },
    EmptyCatalog,
    /// An error from the YAML parser or from serde's shape checks, worded by them.
    Yaml {
        error: String,
    },
    /// A second YAML document (after `---` or `...`), which the parser would not read.
    SecondDocument,
    /// `&anchor` or `*alias`: the loader reads plain YAML only.
    YamlAnchor,
    /// `!tag`.
    YamlTag,
    /// A key given twice in one map; `first` is where the first one is.
    DuplicateKey {
        key: String,
        first: (usize, usize),
    },
    UnknownDomain {
        got: String,
        known: Vec<String>,
    },
    UnknownGroup {
        got: String,
        domain: String,
        known: Vec<String>,
    },
    UnknownInstrument {
        got: String,
    },
    UnknownNumberType {
        got: String,
    },
    UnknownStatus {
        got: String,
    },
    UnknownSeverity {
        got: String,
    },
    UnknownUnit {
        got: String,
    },
    AlertTestMissing {
        alert: String,
        kind: &'static str,
    },
    AlertTestNoInput,
    AlertTestSeries {
        got: String,
        error: String,
    },
    AlertTestValues {
        got: String,
        error: String,
    },
    UnsupportedTemplate {
        got: String,
    },
    DuplicateAlert {
        name: String,
    },
    UnknownVisualization {
        got: String,
    },
    UnknownStability {
        got: String,
    },
    DeprecatedMetricQueried {
        metric: String,
        since: String,
        reason: String,
        renamed_to: Option<String>,
    },
    UnknownRenamedTo {
        got: String,
        known: Vec<String>,
    },
    InvalidThresholds {
        error: String,
    },
    UnitOneNotGauge,
    UnknownLabel {
        got: String,
        known: Vec<String>,
    },
    UnknownValueMap {
        got: String,
        known: Vec<String>,
    },
    EmptyText {
        what: &'static str,
    },
    InvalidMetricName {
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
    },
    DuplicateId {
        what: &'static str,
        id: String,
    },
    DuplicateLabelKey {
        key: String,
    },
    InvalidLabelKey {
        key: String,
    },
    PrometheusLabelCollision {
        prometheus: String,
        a: String,
        b: String,
    },
    LabelValuesAndFreeForm,
    UnknownAttributeType {
        got: String,
    },
    UnknownRequirementLevel {
        got: String,
    },
    ValuesNotAllowedForType {
        attribute_type: &'static str,
    },
    ValueTypeMismatch {
        value: String,
        declared: &'static str,
    },
    InvalidVariant {
        text: String,
    },
    EmptyValues,
    InvalidIdent {
        what: &'static str,
        text: String,
    },
    IdentCollision {
        what: &'static str,
        ident: String,
        a: String,
        b: String,
    },
    TypeNotAllowed {
        instrument: &'static str,
        number: &'static str,
        allowed: String,
    },
    BucketsNotHistogram,
    CardinalityLimitRange {
        got: u64,
    },
    CardinalityLimitBelowCombinations {
        limit: u64,
        combinations: u64,
    },
    BucketsNotIncreasing,
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
    InvalidDuration {
        got: String,
    },
    InvalidAlertName {
        name: String,
    },
    Promql {
        query: String,
        error: String,
        /// Attribute keys the query spells as OpenTelemetry does (dotted), with their Prometheus
        /// names.
        dotted: Vec<(String, String)>,
    },
    VariantCollision {
        ident: String,
        a: String,
        b: String,
    },
    PromqlTooLong {
        bytes: usize,
        max: usize,
    },
    PromqlUnknownSeries {
        series: String,
        suggestion: Option<String>,
    },
    PromqlNoMetricName,
    PromqlSuffixNotHistogram {
        series: String,
        metric: String,
    },
    PromqlUnknownLabel {
        label: String,
        series: String,
        known: Vec<String>,
    },
    PromqlLeNotBucket {
        series: String,
    },
    PromqlValueNotAllowed {
        label: String,
        value: String,
        allowed: Vec<String>,
    },
    PromqlRateOnGauge {
        function: String,
        series: String,
        instrument: &'static str,
    },
    PromqlUnknownGroupingLabel {
        label: String,
        known: Vec<String>,
    },
}

impl Message {
    /// The message and its hint.
    pub fn text(self) -> (String, Option<String>) {
        use Message::*;
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
            EmptyCatalog => (
                "the catalog is empty".into(),
                Some("a catalog is a map with at least `metrics` (and `labels`, `document`, `domains` as it needs)".into()),
            ),
            Yaml { error } => {
                // The parser's nesting limit gives no hint of its own.
                let help = match error.as_str() {
                    "recursion limit exceeded" => Some("the document is nested too deeply".into()),
                    _ => unknown_field_hint(&error),
                };
                (error, help)
            }
            SecondDocument => (
                "a second YAML document starts here; a catalog is one document".into(),
                Some("remove the `---` (or `...`) line above, or move this part into its own catalog".into()),
            ),
            YamlAnchor => (
                "YAML anchors and aliases (`&name`, `*name`) are not supported in a catalog".into(),
                Some("write the values out where they are used; each metric lists its labels by key".into()),
            ),
            YamlTag => (
                "YAML tags (`!name`) are not supported in a catalog".into(),
                Some("remove the tag: every value of a catalog is a plain string, number, list or map".into()),
            ),
            DuplicateKey { key, first } => (
                format!("duplicate key `{key}` (first given at line {}, column {})", first.0, first.1),
                Some("a map has each key once: remove one of them, or merge them".into()),
            ),
            UnknownDomain { got, known } => {
                let s = did_you_mean(&got, known.iter().map(String::as_str));
                (format!("unknown domain `{got}`"), hint_for(&s, format!("domains are: {}", known.join(", "))))
            }
            UnknownGroup { got, domain, known } => {
                let s = did_you_mean(&got, known.iter().map(String::as_str));
                (
                    format!("unknown group `{got}` in domain `{domain}`"),
                    hint_for(&s, format!("groups of `{domain}` are: {}", known.join(", "))),
                )
            }
            UnknownInstrument { got } => {
                let s = did_you_mean(&got, crate::catalog::model::Instrument::NAMES.iter().copied());
                (
                    format!("unknown instrument `{got}`"),
                    hint_for(&s, format!("expected one of {}", crate::catalog::model::Instrument::NAMES.join(", "))),
                )
            }
            UnknownNumberType { got } => {
                let s = did_you_mean(&got, crate::catalog::model::NumberType::NAMES.iter().copied());
                (format!("unknown number type `{got}`"), hint_for(&s, "expected one of u64, i64, f64".into()))
            }
            UnknownStatus { got } => {
                let s = did_you_mean(&got, crate::catalog::model::Status::NAMES.iter().copied());
                (
                    format!("unknown status `{got}`"),
                    hint_for(&s, format!("expected one of {}", crate::catalog::model::Status::NAMES.join(", "))),
                )
            }
            UnknownSeverity { got } => {
                let s = did_you_mean(&got, crate::catalog::model::Severity::NAMES.iter().copied());
                (
                    format!("unknown alert severity `{got}`"),
                    hint_for(&s, format!("expected one of {}", crate::catalog::model::Severity::NAMES.join(", "))),
                )
            }
            AlertTestMissing { alert, kind } => (
                format!("alert `{alert}` has no {kind} test case"),
                Some(format!(
                    "add one under `tests:`: each alert has a case where it fires (`fires: [{{...labels}}]`) and one where it stays quiet (`fires: []`); {}",
                    if kind == "firing" { "write the input from what `promtool test rules` says, not from arithmetic" } else { "e.g. the same input just under the threshold" }
                )),
            ),
            AlertTestNoInput => (
                "an alert test case without input series".into(),
                Some("give at least one `- series: 'name{label=\"value\"}'` with `values: '0+10x20'`".into()),
            ),
            AlertTestSeries { got, error } => (
                format!("`{got}` is not an input series: {error}"),
                Some("write a metric name with equality matchers, e.g. `mpsc_channel_usage_percent{channel=\"a\"}`".into()),
            ),
            AlertTestValues { got, error } => (
                format!("`{got}` is not in promtool's values notation: {error}"),
                Some("e.g. `0+10x20` (0, 10, 20, ... 21 samples), `95x15`, `1 2 _ stale`".into()),
            ),
            UnsupportedTemplate { got } => (
                format!("unsupported template `{got}`"),
                Some("annotations may use `{{ $labels.KEY }}` only, so that the alert unit tests can expect the rendered text".into()),
            ),
            DeprecatedMetricQueried { metric, since, reason, renamed_to } => (
                format!("this query uses `{metric}`, deprecated since {since}: {reason}"),
                Some(match renamed_to {
                    Some(to) => format!("query `{to}` instead, before `{metric}` is removed"),
                    None => format!("rewrite or remove this query before `{metric}` is removed"),
                }),
            ),
            UnknownStability { got } => {
                let s = did_you_mean(&got, crate::catalog::model::Stability::NAMES.iter().copied());
                (format!("unknown stability `{got}`"), hint_for(&s, "expected one of alpha, beta, stable".into()))
            }
            UnknownRenamedTo { got, known } => {
                let s = did_you_mean(&got, known.iter().map(String::as_str));
                (
                    format!("`renamed_to: {got}` names no metric of the catalog"),
                    hint_for(&s, "name the metric that replaces this one; add it first if it is new".into()),
                )
            }
            UnknownVisualization { got } => {
                let s = did_you_mean(&got, crate::emit::grafana::VISUALIZATIONS.iter().copied());
                (
                    format!("unknown visualization `{got}`"),
                    hint_for(&s, format!("expected one of {}", crate::emit::grafana::VISUALIZATIONS.join(", "))),
                )
            }
            InvalidThresholds { error } => (
                format!("thresholds do not parse: {error}"),
                Some("write `COLOUR OP VALUE` items separated by commas, e.g. `green > 0.95, yellow > 0.90, red < 0.90` or `green < 70%, red >= 90%`".into()),
            ),
            DuplicateAlert { name } => (
                format!("alert `{name}` is declared twice"),
                Some("alert names are unique in a catalog: Alertmanager routes and silences match on them".into()),
            ),
            UnknownUnit { got } => (
                format!("unknown unit form `{got}`"),
                Some(format!(
                    "use a UCUM unit ({}), a unit per time such as `By/s`, or an annotation such as `{{request}}`",
                    crate::names::prometheus::UNIT_NAMES.join(", ")
                )),
            ),
            UnitOneNotGauge => (
                "unit `1` is only for ratios measured by gauges".into(),
                Some("to count things, use an annotation such as `{request}`".into()),
            ),
            UnknownLabel { got, known } => {
                let s = did_you_mean(&got, known.iter().map(String::as_str));
                (
                    format!("reference to undefined label `{got}`"),
                    hint_for(&s, "define it under `labels:` at the top level".into()),
                )
            }
            UnknownValueMap { got, known } => {
                let s = did_you_mean(&got, known.iter().map(String::as_str));
                (
                    format!("reference to undefined value map `{got}`"),
                    hint_for(&s, "define it under `value_maps:`".into()),
                )
            }
            EmptyText { what } => (format!("{what} is empty"), Some(format!("write the {what}"))),
            InvalidMetricName { name } => (
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
            DuplicatePrometheusName { series, name, other } => (
                format!("metrics `{other}` and `{name}` both produce the Prometheus series `{series}`"),
                Some("rename one of them".into()),
            ),
            DuplicateId { what, id } => (format!("duplicate {what} `{id}`"), None),
            DuplicateLabelKey { key } => (
                format!("the label key `{key}` is used twice by this metric"),
                Some("a metric has each attribute key once".into()),
            ),
            InvalidLabelKey { key } => (
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
            UnknownAttributeType { got } => {
                let s = did_you_mean(&got, crate::catalog::model::AttributeType::NAMES.iter().copied());
                (
                    format!("unknown attribute type `{got}`"),
                    hint_for(&s, format!("expected one of {}", crate::catalog::model::AttributeType::NAMES.join(", "))),
                )
            }
            UnknownRequirementLevel { got } => {
                let s = did_you_mean(&got, crate::catalog::model::RequirementLevel::NAMES.iter().copied());
                (
                    format!("unknown requirement level `{got}`"),
                    hint_for(&s, format!("expected one of {}", crate::catalog::model::RequirementLevel::NAMES.join(", "))),
                )
            }
            ValuesNotAllowedForType { attribute_type } => (
                format!("a `{attribute_type}` attribute has no closed list of values"),
                Some("closed lists are for `string` and `int` attributes: remove `values` or change `type`".into()),
            ),
            ValueTypeMismatch { value, declared } => (
                format!("the value {value} is not of the attribute's type `{declared}`"),
                Some(match declared {
                    "int" => "write the number without quotes, or make the attribute `type: string`".into(),
                    _ => format!("quote it (`\"{}\"`) for a string value, or set the attribute's `type: int`", value.trim_matches('"')),
                }),
            ),
            InvalidVariant { text } => (
                format!("`{text}` is not a Rust identifier for an enum variant"),
                Some("write an UpperCamelCase identifier such as `Http11` (letters, digits and `_`, not a keyword)".into()),
            ),
            LabelValuesAndFreeForm => (
                "a label has either `values` or `free_form`, not both".into(),
                Some("keep `values` for a closed list, or `free_form` with the reason it is open".into()),
            ),
            EmptyValues => ("a closed label needs at least one value".into(), None),
            InvalidIdent { what, text } => (
                format!("cannot make a Rust identifier of the {what} `{text}`"),
                Some("use letters, digits and `_`, `-` or `.` as separators".into()),
            ),
            IdentCollision { what, ident, a, b } => (
                format!("the {what} `{a}` and `{b}` both become the Rust identifier `{ident}`"),
                Some("rename one of them so they differ by more than case or separators".into()),
            ),
            TypeNotAllowed { instrument, number, allowed } => (
                format!("the instrument `{instrument}` cannot have type `{number}`"),
                Some(format!("`{instrument}` takes {allowed}")),
            ),
            BucketsNotHistogram => ("only histograms have `buckets`".into(), None),
            CardinalityLimitRange { got } => (
                format!("the cardinality limit {got} is out of range"),
                Some(format!(
                    "write a number of attribute sets from 1 to {} (the SDK reserves room for all of them up front; \
                     without `cardinality_limit` the metric keeps {})",
                    crate::catalog::model::MAX_CARDINALITY_LIMIT,
                    crate::catalog::model::DEFAULT_CARDINALITY_LIMIT
                )),
            ),
            CardinalityLimitBelowCombinations { limit, combinations } => (
                format!(
                    "the cardinality limit {limit} is below the {combinations} combinations of the metric's closed labels"
                ),
                Some(format!("raise it to at least {combinations}, or leave `cardinality_limit` out")),
            ),
            BucketsNotIncreasing => (
                "bucket boundaries must be finite and strictly increasing".into(),
                Some("e.g. [1, 5, 10, 50, 100]".into()),
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
            InvalidDuration { got } => (
                format!("invalid duration `{got}`"),
                Some("use a Prometheus duration such as `30s`, `2m` or `1h`".into()),
            ),
            InvalidAlertName { name } => (
                format!("invalid alert name `{name}`"),
                Some("use UpperCamelCase letters and digits, e.g. `FfiCompletionSlowSends`".into()),
            ),
            Promql { query, error, dotted } => (
                format!("invalid PromQL `{query}`: {error}"),
                (!dotted.is_empty()).then(|| {
                    let names = dotted.iter().map(|(k, p)| format!("`{k}` as `{p}`")).collect::<Vec<_>>().join(", ");
                    format!("Prometheus stores {names}: write that in queries")
                }),
            ),
            VariantCollision { ident, a, b } => (
                format!("the label values `{a}` and `{b}` both become the Rust identifier `{ident}`"),
                Some(format!("name the variant of one of them: `{{value: \"{b}\", variant: {ident}B}}`")),
            ),
            PromqlTooLong { bytes, max } => (
                format!("the query is {bytes} bytes long; a query of the catalog has at most {max}"),
                Some("split it into several queries".into()),
            ),
            PromqlUnknownSeries { series, suggestion } => (
                format!("the query names `{series}`, which no metric of the catalog produces"),
                hint_for(
                    &suggestion,
                    "use a series listed in the reference (histograms expose `_bucket`, `_sum`, `_count`)".into(),
                ),
            ),
            PromqlNoMetricName => (
                "the query selects series without a metric name".into(),
                Some("name the metric, e.g. `tasker_tasks_requests_total{...}`".into()),
            ),
            PromqlSuffixNotHistogram { series, metric } => (
                format!("`{series}` is not a series: `{metric}` is not a histogram"),
                Some("only histograms expose `_bucket`, `_sum` and `_count`".into()),
            ),
            PromqlUnknownLabel { label, series, known } => {
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
            PromqlLeNotBucket { series } => {
                (format!("`le` is only a label of histogram `_bucket` series, not of `{series}`"), None)
            }
            PromqlValueNotAllowed { label, value, allowed } => {
                let s = did_you_mean(&value, allowed.iter().map(String::as_str));
                (
                    format!("`{value}` is not an allowed value of label `{label}`"),
                    hint_for(&s, format!("allowed values: {}", allowed.join(", "))),
                )
            }
            PromqlRateOnGauge { function, series, instrument } => (
                format!("`{function}()` applied to the {instrument} `{series}`"),
                Some(format!("`{function}()` is for counters; use `deriv()` or `delta()` for gauges")),
            ),
            PromqlUnknownGroupingLabel { label, known } => {
                let s = did_you_mean(&label, known.iter().map(String::as_str));
                (
                    format!("grouping by `{label}`, which none of the selected series has"),
                    hint_for(&s, format!("their labels are: {}", known.join(", "))),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{closest, did_you_mean};

    #[test]
    fn did_you_mean_over_many_candidates_is_one_pass() {
        let names: Vec<String> = (0..20_000).map(|i| format!("series_{i:05}_total")).collect();
        let mut candidates: Vec<&str> = names.iter().map(String::as_str).collect();
        // Two equally close candidates in different chunks: the later one wins, as in one pass.
        candidates[100] = "abce";
        candidates[17_000] = "abcf";
        for got in ["series_12345_totl", "abcd", "nothing like it"] {
            let one_pass = closest(got, &candidates).map(|(_, c)| c.to_owned());
            assert_eq!(did_you_mean(got, candidates.iter().copied()), one_pass, "{got}");
        }
        assert_eq!(did_you_mean("abcd", candidates.iter().copied()).as_deref(), Some("abcf"));
        assert_eq!(did_you_mean("lables", ["name", "labels"]).as_deref(), Some("labels"));
    }
}
