//! Writing an exposition: the escapes of label values and `# HELP` text, float text, and
//! [`Writer`], which writes a family's metadata and samples line by line under the names its type
//! gives them in each format, with OpenMetrics' [`Exemplar`]s where that format allows them.
//!
//! Our own writer rather than prometheus-client's: that crate writes only OpenMetrics, does not
//! escape `# HELP` text (a newline in a description breaks its output), checks no names, and is
//! driven only through its own `Registry` of its own metric types; the two formats differ in a
//! handful of lines here.

use crate::family::{FamilyType, Format};
use std::fmt::Write as _;

/// Appends `value` as it goes between a label's double quotes: backslash, double quote and line
/// feed escaped (`\\`, `\"`, `\n`), everything else as it is.
pub fn push_label_value(out: &mut String, value: &str) {
    push_escaped(out, value, |b| matches!(b, b'\\' | b'"' | b'\n'));
}

/// Appends `# HELP` text: backslash and line feed escaped, and in OpenMetrics the double quote too.
pub fn push_help(out: &mut String, text: &str, format: Format) {
    match format {
        Format::Text => push_escaped(out, text, |b| matches!(b, b'\\' | b'\n')),
        Format::OpenMetrics => push_label_value(out, text),
    }
}

/// Appends `text` with each byte that `special` picks (all ASCII) escaped: copies the runs
/// between them whole.
fn push_escaped(out: &mut String, text: &str, special: impl Fn(u8) -> bool) {
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        if special(b) {
            out.push_str(&text[run..i]);
            out.push_str(match b {
                b'\n' => "\\n",
                b'"' => "\\\"",
                _ => "\\\\",
            });
            run = i + 1;
        }
    }
    out.push_str(&text[run..]);
}

/// Appends `v` as both formats write a float: `+Inf`, `-Inf`, `NaN`, else the shortest decimal
/// that reads back as the same number (`0.1`, `-0`, `1000000000000000000000`; Rust's `Display`,
/// which never uses an exponent).
pub fn push_float(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        let _ = write!(out, "{v}");
    }
}

/// A sample value as its instrument holds it: integers exactly, floats as [`push_float`] writes
/// them.
pub trait Number: Copy {
    /// Appends the value's text.
    fn push(self, out: &mut String);
}

impl Number for u64 {
    fn push(self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Number for i64 {
    fn push(self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Number for f64 {
    fn push(self, out: &mut String) {
        push_float(out, self);
    }
}

/// A point's labels as they are written between braces (`a="1",b="x"`): each value escaped once,
/// for every sample line of the point. Equal text is an equal label set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Labels {
    text: String,
    /// The chars of the names and values pushed, unescaped: counted as they are pushed, since the
    /// escaped text overcounts them (a line feed is `\n` there, two chars) and an exemplar's are
    /// checked against [`EXEMPLAR_MAX_CHARS`] on every sample. It follows from `text`, so deriving
    /// `Eq` and `Hash` over both still makes equal text an equal label set.
    chars: usize,
}

impl Labels {
    /// No labels.
    pub fn new() -> Labels {
        Labels::default()
    }

    /// Removes every label (and keeps the memory).
    pub fn clear(&mut self) {
        self.text.clear();
        self.chars = 0;
    }

    /// Adds `name="value"` after the labels already added. `name` must be a label name
    /// ([`is_label_name`](crate::is_label_name)), and not one the family's type reserves
    /// ([`FamilyType::reserved_label`]): the writer does not check names.
    pub fn push(&mut self, name: &str, value: &str) {
        if !self.text.is_empty() {
            self.text.push(',');
        }
        self.text.push_str(name);
        self.text.push_str("=\"");
        push_label_value(&mut self.text, value);
        self.text.push('"');
        self.chars += name.chars().count() + value.chars().count();
    }

    /// Whether there is no label.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The labels as written between the braces.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The combined length of the label names and values, in chars, unescaped (what OpenMetrics
    /// limits for an exemplar, [`EXEMPLAR_MAX_CHARS`]).
    pub fn chars(&self) -> usize {
        self.chars
    }
}

/// The most characters an exemplar's label names and values may have together (OpenMetrics).
pub const EXEMPLAR_MAX_CHARS: usize = 128;

/// An exemplar to write after a sample: its labels (e.g. `trace_id`, `span_id`), value and
/// timestamp (seconds since the epoch).
///
/// Made by [`Exemplar::new`], which holds its labels to OpenMetrics' length limit, so that a
/// writer given one never writes an exemplar that a scraper refuses.
#[derive(Debug, Clone, Copy)]
pub struct Exemplar<'a> {
    labels: &'a Labels,
    value: f64,
    timestamp: Option<f64>,
}

/// An exemplar whose labels are longer than OpenMetrics allows ([`EXEMPLAR_MAX_CHARS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExemplarTooLong {
    /// The combined length of the exemplar's label names and values, in chars.
    pub chars: usize,
}

impl std::fmt::Display for ExemplarTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the exemplar's label names and values have {} characters, OpenMetrics allows at most {EXEMPLAR_MAX_CHARS} \
             (names and values together)",
            self.chars
        )
    }
}

impl std::error::Error for ExemplarTooLong {}

impl<'a> Exemplar<'a> {
    /// An exemplar of `labels`, `value` and `timestamp` (seconds since the epoch); refused when
    /// the labels' names and values have more than [`EXEMPLAR_MAX_CHARS`] chars together.
    ///
    /// A histogram bucket's exemplar should have a value in that bucket: that is the caller's to
    /// keep, the writer does not check it. A timestamp that is not finite is not written (the
    /// exemplar is written without one), since Prometheus refuses a whole scrape over it.
    pub fn new(labels: &'a Labels, value: f64, timestamp: Option<f64>) -> Result<Exemplar<'a>, ExemplarTooLong> {
        if labels.chars() > EXEMPLAR_MAX_CHARS {
            return Err(ExemplarTooLong { chars: labels.chars() });
        }
        Ok(Exemplar { labels, value, timestamp })
    }

    /// The exemplar's labels.
    pub fn labels(&self) -> &'a Labels {
        self.labels
    }

    /// The exemplar's value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The exemplar's timestamp, in seconds since the epoch.
    pub fn timestamp(&self) -> Option<f64> {
        self.timestamp
    }
}

/// Writes an exposition into a byte buffer, family by family: [`family`](Writer::family), then its
/// points ([`sample`](Writer::sample), [`histogram`](Writer::histogram), or with exemplars
/// [`sample_with_exemplar`](Writer::sample_with_exemplar) and
/// [`histogram_with_exemplars`](Writer::histogram_with_exemplars)), and [`finish`](Writer::finish)
/// at the end.
///
/// Names are the caller's to make valid ([`is_metric_name`](crate::is_metric_name)); the writer
/// escapes every text it is given and gives each line the name the format wants.
#[derive(Debug)]
pub struct Writer<'o> {
    out: &'o mut Vec<u8>,
    format: Format,
    /// The current family's type.
    ty: FamilyType,
    /// The current family's name on its `# TYPE` line, which its samples' names extend.
    family: String,
    /// The line being built.
    line: String,
}

impl<'o> Writer<'o> {
    /// A writer appending to `out` in `format`.
    pub fn new(out: &'o mut Vec<u8>, format: Format) -> Writer<'o> {
        Writer { out, format, ty: FamilyType::Unknown, family: String::new(), line: String::new() }
    }

    /// The format written.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Starts a family that the text format names `name` (a counter `jobs_total`): its `# HELP`
    /// line (none when `help` is empty) and `# TYPE` line, under the name the format gives the
    /// family (OpenMetrics: `jobs`). A type the format lacks (gaugehistogram, info and stateset in
    /// the text format) is written as the format's unknown type, which every parser takes.
    pub fn family(&mut self, name: &str, ty: FamilyType, help: &str) {
        self.ty = ty;
        self.family.clear();
        self.family.push_str(ty.family_name(name, self.format));
        // Only the text format lacks types, and its unknown type is `untyped`.
        let type_name = ty.name(self.format).unwrap_or("untyped");
        self.line.clear();
        if !help.is_empty() {
            let _ = write!(self.line, "# HELP {} ", self.family);
            push_help(&mut self.line, help, self.format);
            self.line.push('\n');
        }
        let _ = writeln!(self.line, "# TYPE {} {type_name}", self.family);
        self.out.extend_from_slice(self.line.as_bytes());
    }

    /// The sample that holds a point's value in a counter, gauge, stateset or unknown family (a
    /// summary's quantiles too, with their `quantile` label): `jobs_total{labels} 3`.
    pub fn sample(&mut self, labels: &Labels, value: impl Number) {
        self.sample_with_exemplar(labels, value, None);
    }

    /// Like [`sample`](Writer::sample), with an exemplar written after the value when the format
    /// is OpenMetrics and the family is a counter (the `_total` line):
    /// `jobs_total{labels} 3 # {trace_id="…"} 1 1700000000.5`. Dropped otherwise (the text format
    /// has no exemplars, and OpenMetrics allows none on a gauge, info, stateset, summary or
    /// unknown family's samples).
    pub fn sample_with_exemplar(&mut self, labels: &Labels, value: impl Number, exemplar: Option<Exemplar<'_>>) {
        let exemplar = exemplar.filter(|_| self.format == Format::OpenMetrics && self.ty == FamilyType::Counter);
        self.line(self.ty.value_suffix(self.format), labels, None, value, exemplar);
    }

    /// A histogram's point: a `_bucket` sample per `(upper bound, cumulative count)` with its
    /// `le` label (the last bucket's bound is `+Inf`, `f64::INFINITY`), then `_sum` and `_count`
    /// (`_gsum` and `_gcount` in a gaugehistogram).
    pub fn histogram(
        &mut self,
        labels: &Labels,
        buckets: impl IntoIterator<Item = (f64, u64)>,
        sum: impl Number,
        count: u64,
    ) {
        self.histogram_with_exemplars(labels, buckets.into_iter().map(|(le, n)| (le, n, None)), sum, count);
    }

    /// Like [`histogram`](Writer::histogram), each bucket with an optional exemplar (whose value
    /// should lie in the bucket), written on its `_bucket` line in OpenMetrics only, and only in
    /// a histogram or gaugehistogram family (the types OpenMetrics allows bucket exemplars in).
    pub fn histogram_with_exemplars<'e>(
        &mut self,
        labels: &Labels,
        buckets: impl IntoIterator<Item = (f64, u64, Option<Exemplar<'e>>)>,
        sum: impl Number,
        count: u64,
    ) {
        let exemplars =
            self.format == Format::OpenMetrics && matches!(self.ty, FamilyType::Histogram | FamilyType::GaugeHistogram);
        for (le, cumulative, exemplar) in buckets {
            self.line("_bucket", labels, Some(le), cumulative, exemplar.filter(|_| exemplars));
        }
        let (sum_suffix, count_suffix) = match self.ty {
            FamilyType::GaugeHistogram => ("_gsum", "_gcount"),
            _ => ("_sum", "_count"),
        };
        self.line(sum_suffix, labels, None, sum, None);
        self.line(count_suffix, labels, None, count, None);
    }

    /// Ends the exposition: OpenMetrics' `# EOF`; nothing in the text format.
    pub fn finish(self) {
        if self.format == Format::OpenMetrics {
            self.out.extend_from_slice(b"# EOF\n");
        }
    }

    /// One sample line: `family+suffix{labels[,le="…"]} value[ # {exemplar labels} value[ timestamp]]`.
    /// Whether the format and line take the exemplar is the caller's to decide.
    fn line(
        &mut self,
        suffix: &str,
        labels: &Labels,
        le: Option<f64>,
        value: impl Number,
        exemplar: Option<Exemplar<'_>>,
    ) {
        let line = &mut self.line;
        line.clear();
        line.push_str(&self.family);
        line.push_str(suffix);
        if !labels.is_empty() || le.is_some() {
            line.push('{');
            line.push_str(labels.as_str());
            if let Some(le) = le {
                if !labels.is_empty() {
                    line.push(',');
                }
                line.push_str("le=\"");
                push_float(line, le);
                line.push('"');
            }
            line.push('}');
        }
        line.push(' ');
        value.push(line);
        if let Some(e) = exemplar {
            // One space on each side of the `#`, as Prometheus's OpenMetrics lexer requires.
            line.push_str(" # {");
            line.push_str(e.labels.as_str());
            line.push_str("} ");
            push_float(line, e.value);
            if let Some(t) = e.timestamp.filter(|t| t.is_finite()) {
                line.push(' ');
                push_float(line, t);
            }
        }
        line.push('\n');
        self.out.extend_from_slice(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut String)) -> String {
        let mut s = String::new();
        f(&mut s);
        s
    }

    #[test]
    fn escapes() {
        let cases = [
            ("", "", "", ""),
            ("plain é ✓", "plain é ✓", "plain é ✓", "plain é ✓"),
            ("a\"b", "a\\\"b", "a\"b", "a\\\"b"),
            ("c\\d", "c\\\\d", "c\\\\d", "c\\\\d"),
            ("e\nf", "e\\nf", "e\\nf", "e\\nf"),
            ("\\n", "\\\\n", "\\\\n", "\\\\n"),
            ("tab\tcr\r", "tab\tcr\r", "tab\tcr\r", "tab\tcr\r"),
        ];
        for (raw, label, help_text, help_om) in cases {
            assert_eq!(text(|s| push_label_value(s, raw)), label, "{raw:?}");
            assert_eq!(text(|s| push_help(s, raw, Format::Text)), help_text, "{raw:?}");
            assert_eq!(text(|s| push_help(s, raw, Format::OpenMetrics)), help_om, "{raw:?}");
        }
    }

    #[test]
    fn floats() {
        let cases = [
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (0.1, "0.1"),
            (1e21, "1000000000000000000000"),
            (1e-7, "0.0000001"),
            (f64::MIN_POSITIVE, &format!("{}", f64::MIN_POSITIVE)),
        ];
        for (v, want) in cases {
            let got = text(|s| push_float(s, v));
            assert_eq!(got, want, "{v:?}");
            if !v.is_nan() {
                assert_eq!(got.parse::<f64>().map(f64::to_bits), Ok(v.to_bits()), "{got}");
            }
        }
    }

    fn write(format: Format, f: impl FnOnce(&mut Writer<'_>)) -> String {
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out, format);
        f(&mut w);
        w.finish();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn families_in_both_formats() {
        let mut labels = Labels::new();
        labels.push("route", "/a");
        let families = |w: &mut Writer<'_>| {
            w.family("jobs_total", FamilyType::Counter, "Jobs \"done\".");
            w.sample(&labels, 3u64);
            w.family("depth", FamilyType::Gauge, "");
            w.sample(&Labels::new(), -2i64);
            w.family("t_seconds", FamilyType::Histogram, "a\nb");
            w.histogram(&labels, [(0.5, 1), (f64::INFINITY, 2)], 0.75, 2);
            w.histogram(&Labels::new(), [(f64::INFINITY, 0)], 0.0, 0);
        };
        assert_eq!(
            write(Format::Text, families),
            "# HELP jobs_total Jobs \"done\".\n# TYPE jobs_total counter\njobs_total{route=\"/a\"} 3\n\
             # TYPE depth gauge\ndepth -2\n\
             # HELP t_seconds a\\nb\n# TYPE t_seconds histogram\n\
             t_seconds_bucket{route=\"/a\",le=\"0.5\"} 1\nt_seconds_bucket{route=\"/a\",le=\"+Inf\"} 2\n\
             t_seconds_sum{route=\"/a\"} 0.75\nt_seconds_count{route=\"/a\"} 2\n\
             t_seconds_bucket{le=\"+Inf\"} 0\nt_seconds_sum 0\nt_seconds_count 0\n"
        );
        assert_eq!(
            write(Format::OpenMetrics, families),
            "# HELP jobs Jobs \\\"done\\\".\n# TYPE jobs counter\njobs_total{route=\"/a\"} 3\n\
             # TYPE depth gauge\ndepth -2\n\
             # HELP t_seconds a\\nb\n# TYPE t_seconds histogram\n\
             t_seconds_bucket{route=\"/a\",le=\"0.5\"} 1\nt_seconds_bucket{route=\"/a\",le=\"+Inf\"} 2\n\
             t_seconds_sum{route=\"/a\"} 0.75\nt_seconds_count{route=\"/a\"} 2\n\
             t_seconds_bucket{le=\"+Inf\"} 0\nt_seconds_sum 0\nt_seconds_count 0\n# EOF\n"
        );
    }

    /// The types only OpenMetrics has: their own names there, the unknown type in the text format.
    #[test]
    fn openmetrics_only_types() {
        let families = |w: &mut Writer<'_>| {
            w.family("build", FamilyType::Info, "");
            let mut labels = Labels::new();
            labels.push("version", "1.2");
            w.sample(&labels, 1u64);
            w.family("queue", FamilyType::GaugeHistogram, "");
            w.histogram(&Labels::new(), [(f64::INFINITY, 4)], 2.5, 4);
        };
        assert_eq!(
            write(Format::OpenMetrics, families),
            "# TYPE build info\nbuild_info{version=\"1.2\"} 1\n# TYPE queue gaugehistogram\n\
             queue_bucket{le=\"+Inf\"} 4\nqueue_gsum 2.5\nqueue_gcount 4\n# EOF\n"
        );
        assert_eq!(
            write(Format::Text, families),
            "# TYPE build untyped\nbuild{version=\"1.2\"} 1\n# TYPE queue untyped\n\
             queue_bucket{le=\"+Inf\"} 4\nqueue_gsum 2.5\nqueue_gcount 4\n"
        );
    }

    /// Exemplars where OpenMetrics allows them, a counter's `_total` line and a histogram's or
    /// gaugehistogram's `_bucket` lines; dropped in the text format and on every other line.
    #[test]
    fn exemplars_only_where_openmetrics_allows_them() {
        let mut trace = Labels::new();
        trace.push("trace_id", "0af7");
        trace.push("note", "a \"b\"\n");
        let empty = Labels::new();
        let traced = Exemplar::new(&trace, 0.25, Some(1700000000.5)).unwrap();
        let bare = Exemplar::new(&empty, 1.0, None).unwrap();
        // Prometheus refuses a timestamp that is not finite: the exemplar goes without it.
        let nan_time = Exemplar::new(&empty, -0.0, Some(f64::NAN)).unwrap();
        let mut route = Labels::new();
        route.push("route", "/a");
        let families = |w: &mut Writer<'_>| {
            w.family("jobs_total", FamilyType::Counter, "");
            w.sample_with_exemplar(&route, 3u64, Some(traced));
            w.sample_with_exemplar(&empty, 4u64, Some(bare));
            w.sample_with_exemplar(&Labels::new(), 5u64, Some(nan_time));
            w.sample_with_exemplar(&Labels::new(), 6u64, None);
            w.family("depth", FamilyType::Gauge, "");
            w.sample_with_exemplar(&empty, -2i64, Some(traced));
            w.family("build", FamilyType::Info, "");
            w.sample_with_exemplar(&empty, 1u64, Some(bare));
            w.family("t_seconds", FamilyType::Histogram, "");
            w.histogram_with_exemplars(
                &route,
                [(0.5, 1, Some(traced)), (1.0, 1, None), (f64::INFINITY, 2, Some(bare))],
                1.25,
                2,
            );
            w.family("q", FamilyType::GaugeHistogram, "");
            w.histogram_with_exemplars(&empty, [(f64::INFINITY, 4, Some(bare))], 2.5, 4);
            w.family("u", FamilyType::Unknown, "");
            w.histogram_with_exemplars(&empty, [(f64::INFINITY, 1, Some(bare))], 1.0, 1);
        };
        assert_eq!(
            write(Format::OpenMetrics, families),
            "# TYPE jobs counter\n\
             jobs_total{route=\"/a\"} 3 # {trace_id=\"0af7\",note=\"a \\\"b\\\"\\n\"} 0.25 1700000000.5\n\
             jobs_total 4 # {} 1\njobs_total 5 # {} -0\njobs_total 6\n\
             # TYPE depth gauge\ndepth -2\n# TYPE build info\nbuild_info 1\n\
             # TYPE t_seconds histogram\n\
             t_seconds_bucket{route=\"/a\",le=\"0.5\"} 1 # {trace_id=\"0af7\",note=\"a \\\"b\\\"\\n\"} 0.25 1700000000.5\n\
             t_seconds_bucket{route=\"/a\",le=\"1\"} 1\nt_seconds_bucket{route=\"/a\",le=\"+Inf\"} 2 # {} 1\n\
             t_seconds_sum{route=\"/a\"} 1.25\nt_seconds_count{route=\"/a\"} 2\n\
             # TYPE q gaugehistogram\nq_bucket{le=\"+Inf\"} 4 # {} 1\nq_gsum 2.5\nq_gcount 4\n\
             # TYPE u unknown\nu_bucket{le=\"+Inf\"} 1\nu_sum 1\nu_count 1\n# EOF\n"
        );
        // The text format has no exemplars: what `sample` and `histogram` write.
        let plain = |w: &mut Writer<'_>| {
            w.family("jobs_total", FamilyType::Counter, "");
            w.sample(&route, 3u64);
            w.sample(&empty, 4u64);
            w.family("t_seconds", FamilyType::Histogram, "");
            w.histogram(&route, [(0.5, 1), (1.0, 1), (f64::INFINITY, 2)], 1.25, 2);
        };
        let with_exemplars = |w: &mut Writer<'_>| {
            w.family("jobs_total", FamilyType::Counter, "");
            w.sample_with_exemplar(&route, 3u64, Some(traced));
            w.sample_with_exemplar(&empty, 4u64, Some(bare));
            w.family("t_seconds", FamilyType::Histogram, "");
            w.histogram_with_exemplars(
                &route,
                [(0.5, 1, Some(traced)), (1.0, 1, None), (f64::INFINITY, 2, Some(bare))],
                1.25,
                2,
            );
        };
        let text = write(Format::Text, with_exemplars);
        assert_eq!(text, write(Format::Text, plain));
        assert!(!text.contains(" # {"), "{text}");
    }

    /// OpenMetrics' limit on an exemplar's labels: 128 chars of names and values together,
    /// unescaped, a multibyte char counted once.
    #[test]
    fn exemplar_labels_are_at_most_128_chars() {
        let mut labels = Labels::new();
        labels.push("trace_id", &"é".repeat(120));
        assert_eq!(labels.chars(), EXEMPLAR_MAX_CHARS);
        assert!(labels.as_str().len() > 2 * 120, "é is two bytes");
        let exemplar = Exemplar::new(&labels, 0.5, Some(1.5)).unwrap();
        assert_eq!((exemplar.labels(), exemplar.value(), exemplar.timestamp()), (&labels, 0.5, Some(1.5)));

        labels.push("a", "");
        assert_eq!(labels.chars(), 129);
        let too_long = Exemplar::new(&labels, 0.5, None).unwrap_err();
        assert_eq!(too_long, ExemplarTooLong { chars: 129 });
        let message = too_long.to_string();
        assert!(message.contains("129 characters") && message.contains("at most 128"), "{message}");

        // Escapes are not counted: a line feed, a quote and a backslash are one char each.
        labels.clear();
        assert_eq!(labels.chars(), 0);
        labels.push("n", "\n\"\\✓");
        assert_eq!((labels.chars(), labels.as_str()), (5, "n=\"\\n\\\"\\\\✓\""));
    }
}
