//! The two formats and the family types, with the names each type's metadata and samples use in
//! each format: the one table of suffixes (`_total`, `_bucket`, `_created`, ...) that the writer,
//! the reader's users and name checks share.
//!
//! A family is named here as the text format names it (a counter `jobs_total`); OpenMetrics names
//! a counter family without `_total` and its samples with it.

/// A format of the exposition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The Prometheus text format, version 0.0.4.
    Text,
    /// OpenMetrics 1.0 text (what Prometheus asks for first): `# EOF` at the end lets a scraper
    /// tell a cut-off answer from a whole one.
    OpenMetrics,
}

impl Format {
    /// Both formats.
    pub const ALL: [Format; 2] = [Format::Text, Format::OpenMetrics];

    /// The `Content-Type` of an answer in this format.
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// The type of a metric family, as a `# TYPE` line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FamilyType {
    /// `counter`: a monotonic total.
    Counter,
    /// `gauge`: a value that goes up and down.
    Gauge,
    /// `histogram`: cumulative buckets (`le`), sum and count.
    Histogram,
    /// `gaugehistogram` (OpenMetrics only): buckets of a current distribution, `_gsum`, `_gcount`.
    GaugeHistogram,
    /// `summary`: quantiles (`quantile`), sum and count.
    Summary,
    /// `info` (OpenMetrics only): labels describing the target, value 1.
    Info,
    /// `stateset` (OpenMetrics only): one series per state, 1 for the current one.
    StateSet,
    /// `untyped` in the text format, `unknown` in OpenMetrics; also every sample without a
    /// `# TYPE`.
    Unknown,
}

impl FamilyType {
    /// Every type.
    pub const ALL: [FamilyType; 8] = [
        FamilyType::Counter,
        FamilyType::Gauge,
        FamilyType::Histogram,
        FamilyType::GaugeHistogram,
        FamilyType::Summary,
        FamilyType::Info,
        FamilyType::StateSet,
        FamilyType::Unknown,
    ];

    /// The type's name on a `# TYPE` line of `format`; `None` where the format has no such type
    /// (the text format has no gaugehistogram, info or stateset: Prometheus's parser refuses them).
    pub const fn name(self, format: Format) -> Option<&'static str> {
        match (self, format) {
            (FamilyType::Counter, _) => Some("counter"),
            (FamilyType::Gauge, _) => Some("gauge"),
            (FamilyType::Histogram, _) => Some("histogram"),
            (FamilyType::Summary, _) => Some("summary"),
            (FamilyType::Unknown, Format::Text) => Some("untyped"),
            (FamilyType::Unknown, Format::OpenMetrics) => Some("unknown"),
            (FamilyType::GaugeHistogram, Format::OpenMetrics) => Some("gaugehistogram"),
            (FamilyType::Info, Format::OpenMetrics) => Some("info"),
            (FamilyType::StateSet, Format::OpenMetrics) => Some("stateset"),
            (FamilyType::GaugeHistogram | FamilyType::Info | FamilyType::StateSet, Format::Text) => None,
        }
    }

    /// The type a `# TYPE` line names, in either format (`untyped` and `unknown` alike).
    pub fn from_name(name: &str) -> Option<FamilyType> {
        Some(match name {
            "counter" => FamilyType::Counter,
            "gauge" => FamilyType::Gauge,
            "histogram" => FamilyType::Histogram,
            "gaugehistogram" => FamilyType::GaugeHistogram,
            "summary" => FamilyType::Summary,
            "info" => FamilyType::Info,
            "stateset" => FamilyType::StateSet,
            "untyped" | "unknown" => FamilyType::Unknown,
            _ => return None,
        })
    }

    /// What the names of the family's samples add to the family's name (as its `# TYPE` line
    /// gives it) in `format`: `""` is the family's name itself. Empty where the format has no such
    /// type.
    pub const fn sample_suffixes(self, format: Format) -> &'static [&'static str] {
        match (self, format) {
            (FamilyType::Counter, Format::Text) => &[""],
            (FamilyType::Counter, Format::OpenMetrics) => &["_total", "_created"],
            (FamilyType::Gauge | FamilyType::Unknown, _) => &[""],
            (FamilyType::StateSet, Format::OpenMetrics) => &[""],
            (FamilyType::Histogram, Format::Text) => &["_bucket", "_sum", "_count"],
            (FamilyType::Histogram, Format::OpenMetrics) => &["_bucket", "_sum", "_count", "_created"],
            (FamilyType::GaugeHistogram, Format::OpenMetrics) => &["_bucket", "_gsum", "_gcount"],
            (FamilyType::Summary, Format::Text) => &["", "_sum", "_count"],
            (FamilyType::Summary, Format::OpenMetrics) => &["", "_sum", "_count", "_created"],
            (FamilyType::Info, Format::OpenMetrics) => &["_info"],
            (FamilyType::GaugeHistogram | FamilyType::Info | FamilyType::StateSet, Format::Text) => &[],
        }
    }

    /// The name on the `# HELP` and `# TYPE` lines, in `format`, of the family the text format
    /// names `name`: OpenMetrics names a counter without `_total` (its samples have it).
    pub fn family_name(self, name: &str, format: Format) -> &str {
        match (self, format) {
            (FamilyType::Counter, Format::OpenMetrics) => name.strip_suffix("_total").unwrap_or(name),
            _ => name,
        }
    }

    /// What the name of a sample holding the family's value (a counter's total, an info's 1, a
    /// gauge's value) adds to the family's name in `format`.
    pub(crate) const fn value_suffix(self, format: Format) -> &'static str {
        match (self, format) {
            (FamilyType::Counter, Format::OpenMetrics) => "_total",
            (FamilyType::Info, Format::OpenMetrics) => "_info",
            _ => "",
        }
    }

    /// Every name a family of this type that the text format names `name` uses in either format:
    /// its family names and its samples' names, the family's own first. Two families that share
    /// one of them cannot be in one exposition (`jobs` as a gauge and `jobs_total` as a counter
    /// both are `jobs` in OpenMetrics).
    pub fn reserved_names(self, name: &str) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let mut add = |n: String| {
            if !names.contains(&n) {
                names.push(n);
            }
        };
        for format in [Format::OpenMetrics, Format::Text] {
            if self.name(format).is_some() {
                add(self.family_name(name, format).to_owned());
            }
        }
        for format in [Format::Text, Format::OpenMetrics] {
            let family = self.family_name(name, format);
            for suffix in self.sample_suffixes(format) {
                add(format!("{family}{suffix}"));
            }
        }
        names
    }

    /// The label the format gives the family's samples, which its points therefore cannot have:
    /// `le` on a histogram's buckets, `quantile` on a summary's quantiles.
    pub const fn reserved_label(self) -> Option<&'static str> {
        match self {
            FamilyType::Histogram | FamilyType::GaugeHistogram => Some("le"),
            FamilyType::Summary => Some("quantile"),
            _ => None,
        }
    }
}

/// Whether `name` is a metric name both formats take: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub fn is_metric_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(is_metric_name_start) && bytes.all(is_metric_name_char)
}

/// Whether `name` is a label name both formats take: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn is_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(is_label_name_start) && bytes.all(is_label_name_char)
}

pub(crate) fn is_metric_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':'
}

pub(crate) fn is_metric_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b':'
}

pub(crate) fn is_label_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

pub(crate) fn is_label_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_read_back_in_both_formats() {
        for ty in FamilyType::ALL {
            for format in Format::ALL {
                if let Some(name) = ty.name(format) {
                    assert_eq!(FamilyType::from_name(name), Some(ty), "{name}");
                }
                // A type a format has always has samples there, and one it lacks has none.
                assert_eq!(ty.name(format).is_some(), !ty.sample_suffixes(format).is_empty(), "{ty:?} {format:?}");
            }
        }
        assert_eq!(FamilyType::from_name("untyped"), Some(FamilyType::Unknown));
        assert_eq!(FamilyType::from_name("Counter"), None);
    }

    /// What a family reserves, for the types the runtime writes and for the others.
    #[test]
    fn reserved_names_cover_both_formats() {
        let cases: &[(FamilyType, &str, &[&str])] = &[
            (FamilyType::Counter, "jobs_total", &["jobs", "jobs_total", "jobs_created"]),
            // A counter whose name lacks `_total` keeps it in the text format.
            (FamilyType::Counter, "jobs", &["jobs", "jobs_total", "jobs_created"]),
            (FamilyType::Gauge, "depth", &["depth"]),
            (
                FamilyType::Histogram,
                "t_seconds",
                &["t_seconds", "t_seconds_bucket", "t_seconds_sum", "t_seconds_count", "t_seconds_created"],
            ),
            (FamilyType::GaugeHistogram, "q", &["q", "q_bucket", "q_gsum", "q_gcount"]),
            (FamilyType::Summary, "s", &["s", "s_sum", "s_count", "s_created"]),
            (FamilyType::Info, "build", &["build", "build_info"]),
            (FamilyType::StateSet, "state", &["state"]),
            (FamilyType::Unknown, "u", &["u"]),
        ];
        for (ty, name, want) in cases {
            assert_eq!(ty.reserved_names(name), *want, "{ty:?} {name}");
        }
    }

    #[test]
    fn names() {
        for ok in ["a", "_", ":a", "a_b:c9", "__name__"] {
            assert!(is_metric_name(ok), "{ok}");
        }
        for bad in ["", "9a", "a-b", "a.b", "é", "a b"] {
            assert!(!is_metric_name(bad), "{bad}");
        }
        for ok in ["a", "_", "a_b9", "le"] {
            assert!(is_label_name(ok), "{ok}");
        }
        for bad in ["", "9a", ":a", "a:b", "a.b"] {
            assert!(!is_label_name(bad), "{bad}");
        }
    }
}
