//! The one rule for the names Prometheus stores for an OpenTelemetry metric and its attributes,
//! used by the catalog compiler (for the reference and every PromQL check) and by the runtime's
//! `/metrics` endpoint (for every metric it exposes, the catalog's and any other meter's).
//!
//! It follows Prometheus's own OTLP translation (the `otlptranslator` rules used by Prometheus's
//! OTLP receiver and the collector's Prometheus exporters, "UnderscoreEscapingWithSuffixes"):
//! split the name on every character that is not `[a-zA-Z0-9:]` (and on `_`); append the unit's
//! word unless the name already has it as a token (`ms` → `milliseconds`); annotations such as
//! `{request}` add nothing; monotonic counters end in exactly one `total`; gauges with unit `1` end
//! in `ratio`; histograms expose `_bucket`, `_sum` and `_count`.
//!
//! So `http.server.request.duration` (s) → `http_server_request_duration_seconds_bucket`,
//! `shop.orders.total` → `shop_orders_total` (not `..._total_total`) and
//! `mpsc_channel_usage_percent` (%) stays itself.
//!
//! ```
//! use otel_prometheus_names::{Instrument, PrometheusName, label_name};
//!
//! let name = PrometheusName::of("http.server.request.duration", "s", Instrument::Histogram);
//! assert_eq!(name.base, "http_server_request_duration_seconds");
//! assert_eq!(name.series[0], "http_server_request_duration_seconds_bucket");
//! assert_eq!(PrometheusName::of("shop.orders.total", "{order}", Instrument::Counter).base, "shop_orders_total");
//! assert_eq!(label_name("http.request.method"), "http_request_method");
//! ```

use prometheus_exposition::{FamilyType, Format};

/// The kind of OpenTelemetry instrument a metric comes from: it decides the `_total` and `ratio`
/// words and the histogram series. The one `Instrument` of the workspace: the catalog's model, the
/// generated code and the runtime all use this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Instrument {
    /// A monotonic sum: the name ends in `_total`.
    Counter,
    /// A non-monotonic sum: exposed as a gauge.
    UpDownCounter,
    /// Explicit-bucket histogram: `_bucket`, `_sum`, `_count`.
    Histogram,
    /// A gauge: unit `1` adds `ratio`.
    Gauge,
}

impl Instrument {
    /// Every instrument, in the order the reference lists them.
    pub const ALL: &'static [Instrument] =
        &[Instrument::Counter, Instrument::UpDownCounter, Instrument::Histogram, Instrument::Gauge];
    /// Their spellings in a catalog, in the order of [`Instrument::ALL`].
    pub const NAMES: &'static [&'static str] = &["counter", "up_down_counter", "histogram", "gauge"];

    /// The catalog's spelling: `counter`, `up_down_counter`, `histogram`, `gauge`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Instrument::Counter => "counter",
            Instrument::UpDownCounter => "up_down_counter",
            Instrument::Histogram => "histogram",
            Instrument::Gauge => "gauge",
        }
    }

    /// The instrument a catalog spells `s`, if any.
    pub fn parse(s: &str) -> Option<Instrument> {
        Instrument::ALL.iter().copied().find(|i| i.as_str() == s)
    }

    /// The OpenTelemetry API's name of the kind, as prose and headings use it (`UpDownCounter`).
    pub const fn title(self) -> &'static str {
        match self {
            Instrument::Counter => "Counter",
            Instrument::UpDownCounter => "UpDownCounter",
            Instrument::Histogram => "Histogram",
            Instrument::Gauge => "Gauge",
        }
    }
}

/// Main units and their Prometheus words (otlptranslator's `unitMap`).
const UNITS: &[(&str, &str)] = &[
    ("d", "days"),
    ("h", "hours"),
    ("min", "minutes"),
    ("s", "seconds"),
    ("ms", "milliseconds"),
    ("us", "microseconds"),
    ("ns", "nanoseconds"),
    ("By", "bytes"),
    ("KiBy", "kibibytes"),
    ("MiBy", "mebibytes"),
    ("GiBy", "gibibytes"),
    ("TiBy", "tibibytes"),
    ("KBy", "kilobytes"),
    ("MBy", "megabytes"),
    ("GBy", "gigabytes"),
    ("TBy", "terabytes"),
    ("m", "meters"),
    ("V", "volts"),
    ("A", "amperes"),
    ("J", "joules"),
    ("W", "watts"),
    ("g", "grams"),
    ("Cel", "celsius"),
    ("Hz", "hertz"),
    ("1", ""),
    ("%", "percent"),
];

/// "Per" units (the part after `/`) and their words (otlptranslator's `perUnitMap`).
const PER_UNITS: &[(&str, &str)] =
    &[("s", "second"), ("m", "minute"), ("h", "hour"), ("d", "day"), ("w", "week"), ("mo", "month"), ("y", "year")];

/// The main units the catalog accepts, for error hints.
pub const UNIT_NAMES: &[&str] = &[
    "d", "h", "min", "s", "ms", "us", "ns", "By", "KiBy", "MiBy", "GiBy", "TiBy", "KBy", "MBy", "GBy", "TBy", "m", "V",
    "A", "J", "W", "g", "Cel", "Hz", "1", "%",
];

/// The UCUM unit whose Prometheus word is `word` (`milliseconds` → `ms`): what a catalog that
/// spelled the word meant.
pub fn unit_of_word(word: &str) -> Option<&'static str> {
    UNITS.iter().find(|(_, w)| !w.is_empty() && *w == word).map(|(u, _)| *u)
}

/// Whether `unit` is written as UCUM writes units: printable ASCII without spaces (`ms`, `By/s`,
/// `{request}`, `rpm`). Whether Prometheus's translator has a word for it is [`unit_suffix`].
pub fn is_ucum_syntax(unit: &str) -> bool {
    !unit.is_empty() && unit.len() <= 64 && unit.bytes().all(|b| b.is_ascii_graphic())
}

/// The Prometheus word a unit adds to a name: `Some("")` for units that add nothing (`1`,
/// annotations), `None` when the unit is not a form this catalog accepts.
pub fn unit_suffix(unit: &str) -> Option<String> {
    let (main, per) = match unit.split_once('/') {
        Some((m, p)) => (m, Some(p)),
        None => (unit, None),
    };
    let main_word = word(main, UNITS)?;
    let per_word = match per {
        None => String::new(),
        Some(p) => match word(p, PER_UNITS)? {
            w if w.is_empty() => String::new(),
            w => format!("per_{w}"),
        },
    };
    Some(match (main_word.is_empty(), per_word.is_empty()) {
        (_, true) => main_word,
        (true, false) => per_word,
        (false, false) => format!("{main_word}_{per_word}"),
    })
}

/// The words of a unit outside the table, by the translator's fallback: each part (before and after
/// `/`) is its own word with every character but `[a-zA-Z0-9]` made `_` and trimmed; a part with
/// braces adds nothing.
fn unknown_unit_suffix(unit: &str) -> String {
    let clean = |part: &str, table: &[(&str, &str)]| -> String {
        let part = part.trim();
        if part.contains(['{', '}']) {
            return String::new();
        }
        let text = word(part, table)
            .unwrap_or_else(|| part.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect());
        text.trim_matches('_').to_owned()
    };
    let (main, per) = match unit.split_once('/') {
        Some((m, p)) => (clean(m, UNITS), clean(p, PER_UNITS)),
        None => (clean(unit, UNITS), String::new()),
    };
    match (main.is_empty(), per.is_empty()) {
        (_, true) => main,
        (true, false) => format!("per_{per}"),
        (false, false) => format!("{main}_per_{per}"),
    }
}

fn word(unit: &str, table: &[(&str, &str)]) -> Option<String> {
    if is_annotation(unit) {
        return Some(String::new());
    }
    table.iter().find(|(u, _)| *u == unit).map(|(_, w)| (*w).to_owned())
}

/// `{request}`: a UCUM annotation, which Prometheus drops.
fn is_annotation(unit: &str) -> bool {
    unit.len() > 2
        && unit.starts_with('{')
        && unit.ends_with('}')
        && unit[1..unit.len() - 1].chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

/// The Prometheus label name of an attribute key, by the same translation: every character but
/// `[a-zA-Z0-9_]` becomes `_` (`http.request.method` → `http_request_method`); a key that would
/// start with a digit gets `key_` in front, and one that starts with a single `_` gets `key` (the
/// catalog allows neither, as OpenTelemetry's attribute names start with a letter).
pub fn label_name(key: &str) -> String {
    label_name_cow(key).into_owned()
}

/// [`label_name`], borrowing the key when it already is its own label name (the common case, and
/// the one the `/metrics` endpoint meets for every attribute of every point).
pub fn label_name_cow(key: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let sanitized: Cow<'_, str> = if key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Cow::Borrowed(key)
    } else {
        Cow::Owned(key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect())
    };
    if sanitized.starts_with(|c: char| c.is_ascii_digit()) {
        Cow::Owned(format!("key_{sanitized}"))
    } else if sanitized.starts_with('_') && !sanitized.starts_with("__") {
        Cow::Owned(format!("key{sanitized}"))
    } else {
        sanitized
    }
}

/// What Prometheus stores for one metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrometheusName {
    /// The metric family name, e.g. `http_server_request_duration_seconds`.
    pub base: String,
    /// The series names queries use: the base itself, or `_bucket`, `_sum`, `_count` for histograms.
    pub series: Vec<String>,
}

/// The histogram series suffixes, in the order the reference lists them: the exposition format's
/// own (Prometheus stores a histogram's samples under the text format's names).
pub const HISTOGRAM_SUFFIXES: &[&str] = FamilyType::Histogram.sample_suffixes(Format::Text);

impl PrometheusName {
    /// Computes the Prometheus name of a metric. A unit outside the table (which the catalog
    /// refuses, but another meter's instrument may have) adds its own characters, cleaned up, as
    /// Prometheus's translator does: `requests` → `_requests`; one with `{` or `}` in a part adds
    /// nothing for that part.
    pub fn of(name: &str, unit: &str, instrument: Instrument) -> PrometheusName {
        let mut tokens: Vec<String> = name
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        // The unit word is added unless the name already ends in it (`..._seconds`) or has it as
        // a token; a `per_` part likewise.
        let suffix = unit_suffix(unit).unwrap_or_else(|| unknown_unit_suffix(unit));
        let (main, per) = match suffix.split_once("per_") {
            Some((m, p)) => (m.trim_end_matches('_').to_owned(), format!("per_{p}")),
            None => (suffix, String::new()),
        };
        if !main.is_empty() && !tokens.contains(&main) {
            tokens.push(main);
        }
        if !per.is_empty() && !tokens.join("_").ends_with(&per) {
            tokens.extend(per.split('_').map(str::to_owned));
        }
        match instrument {
            Instrument::Counter => {
                tokens.retain(|t| t != "total");
                tokens.push("total".into());
            }
            Instrument::Gauge if unit == "1" => {
                tokens.retain(|t| t != "ratio");
                tokens.push("ratio".into());
            }
            _ => {}
        }
        let mut base = tokens.join("_");
        if base.starts_with(|c: char| c.is_ascii_digit()) {
            base.insert(0, '_');
        }
        let series = match instrument {
            Instrument::Histogram => HISTOGRAM_SUFFIXES.iter().map(|s| format!("{base}{s}")).collect(),
            _ => vec![base.clone()],
        };
        PrometheusName { base, series }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Instrument::*;

    #[test]
    fn names_follow_prometheus_otlp_translation() {
        let cases: &[(&str, &str, Instrument, &str)] = &[
            ("app.step.execution.duration", "ms", Histogram, "app_step_execution_duration_milliseconds"),
            ("app.tasks.requests.total", "{request}", Counter, "app_tasks_requests_total"),
            ("app.tasks.requests", "{request}", Counter, "app_tasks_requests_total"),
            ("mpsc_channel_usage_percent", "%", Gauge, "mpsc_channel_usage_percent"),
            ("mpsc.channel.usage", "%", Gauge, "mpsc_channel_usage_percent"),
            ("app.queue.age_seconds", "s", Gauge, "app_queue_age_seconds"),
            ("api_circuit_breaker_state", "{state}", Gauge, "api_circuit_breaker_state"),
            ("cache.hit", "1", Gauge, "cache_hit_ratio"),
            // Unit `1` adds a word to gauges only; a unit the translator has no word for is kept.
            ("hw.errors", "1", Counter, "hw_errors_total"),
            ("hw.power.usage", "1", Histogram, "hw_power_usage"),
            ("hw.fan.speed", "rpm", Gauge, "hw_fan_speed_rpm"),
            ("io.read", "By/s", Counter, "io_read_bytes_per_second_total"),
            ("jobs..queued", "{job}", UpDownCounter, "jobs_queued"),
            ("total.requests", "{request}", Counter, "requests_total"),
            ("9lives", "{life}", Gauge, "_9lives"),
            // Units outside the catalog's table, as another meter's instruments may have them.
            ("queue.size", "requests", Gauge, "queue_size_requests"),
            ("net.io", "By/{packet}", Counter, "net_io_bytes_total"),
            ("rate", "widget/m", Gauge, "rate_widget_per_minute"),
            ("odd", "m²", Gauge, "odd_m"),
            ("none", "", Counter, "none_total"),
        ];
        for (name, unit, instrument, want) in cases {
            assert_eq!(PrometheusName::of(name, unit, *instrument).base, *want, "{name} [{unit}] {instrument:?}");
        }
    }

    #[test]
    fn label_names_follow_prometheus_otlp_translation() {
        for (key, want) in [
            ("http.request.method", "http_request_method"),
            ("correlation_id", "correlation_id"),
            ("server.port", "server_port"),
            ("k8s.pod-name", "k8s_pod_name"),
            ("2xx", "key_2xx"),
            ("_private", "key_private"),
            ("__reserved", "__reserved"),
        ] {
            assert_eq!(label_name(key), want, "{key}");
            // Borrowed exactly when the key is its own label name.
            let cow = label_name_cow(key);
            assert_eq!(matches!(cow, std::borrow::Cow::Borrowed(_)), key == want, "{key}");
            assert_eq!(cow, want, "{key}");
        }
    }

    #[test]
    fn histograms_expose_bucket_sum_count() {
        let p = PrometheusName::of("app.step.claim.duration", "ms", Histogram);
        assert_eq!(
            p.series,
            [
                "app_step_claim_duration_milliseconds_bucket",
                "app_step_claim_duration_milliseconds_sum",
                "app_step_claim_duration_milliseconds_count"
            ]
        );
    }

    #[test]
    fn instruments_spell_as_the_catalog_does() {
        for (i, name) in Instrument::ALL.iter().zip(Instrument::NAMES) {
            assert_eq!(i.as_str(), *name);
            assert_eq!(Instrument::parse(name), Some(*i));
        }
        assert_eq!(Instrument::parse("Counter"), None);
        assert_eq!(Instrument::UpDownCounter.title(), "UpDownCounter");
    }

    #[test]
    fn unit_forms() {
        assert_eq!(unit_suffix("ms").as_deref(), Some("milliseconds"));
        assert_eq!(unit_suffix("{request}").as_deref(), Some(""));
        assert_eq!(unit_suffix("{req/s}"), None);
        assert_eq!(unit_suffix("By/s").as_deref(), Some("bytes_per_second"));
        assert_eq!(unit_suffix("{message}/s").as_deref(), Some("per_second"));
        assert_eq!(unit_suffix("milliseconds"), None);
        assert_eq!(unit_suffix(""), None);
    }
}
