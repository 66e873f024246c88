//! Writing an exposition: the escapes of label values and `# HELP` text, float text, and
//! [`Writer`], which writes a family's metadata and samples line by line under the names its type
//! gives them in each format.
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
}

impl Labels {
    /// No labels.
    pub fn new() -> Labels {
        Labels::default()
    }

    /// Removes every label (and keeps the memory).
    pub fn clear(&mut self) {
        self.text.clear();
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
    }

    /// Whether there is no label.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The labels as written between the braces.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Writes an exposition into a byte buffer, family by family: [`family`](Writer::family), then its
/// points ([`sample`](Writer::sample), [`histogram`](Writer::histogram)), and
/// [`finish`](Writer::finish) at the end.
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
        self.line(self.ty.value_suffix(self.format), labels, None, value);
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
        for (le, cumulative) in buckets {
            self.line("_bucket", labels, Some(le), cumulative);
        }
        let (sum_suffix, count_suffix) = match self.ty {
            FamilyType::GaugeHistogram => ("_gsum", "_gcount"),
            _ => ("_sum", "_count"),
        };
        self.line(sum_suffix, labels, None, sum);
        self.line(count_suffix, labels, None, count);
    }

    /// Ends the exposition: OpenMetrics' `# EOF`; nothing in the text format.
    pub fn finish(self) {
        if self.format == Format::OpenMetrics {
            self.out.extend_from_slice(b"# EOF\n");
        }
    }

    /// One sample line: `family+suffix{labels[,le="…"]} value`.
    fn line(&mut self, suffix: &str, labels: &Labels, le: Option<f64>, value: impl Number) {
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
}
