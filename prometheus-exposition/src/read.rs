//! Reading a Prometheus exposition (text format 0.0.4, and OpenMetrics 1.0 text) into metadata and
//! samples, each with its line.
//!
//! Why our own reader: live-check names the line of every drift (`scrape.prom:812: ...`), so the
//! reader must keep line and column numbers, and it must take `# UNIT` and OpenMetrics' family names
//! (a counter's `# TYPE x counter` with samples `x_total`). The crates that parse the format
//! (prometheus-parse 0.2, a regex per line; openmetrics-parser, a whole-document pest grammar) keep
//! neither the line of a sample nor, in the first, the unit; and a 24 MB scrape should stream
//! through without building a tree. The grammar itself is small: a name, `{k="v",...}` with three
//! escapes, a value, an optional timestamp (and in OpenMetrics an exemplar after `#`).
//!
//! It reads back exactly what [`Writer`](crate::Writer) writes (the property test in `tests/`
//! holds it to that): label values and `# HELP` text unescaped, every value as the float it
//! denotes, exemplars with their labels, value and timestamp. `# HELP` text is everything after the
//! name and one space up to the line feed, as Prometheus reads it: leading spaces and a carriage
//! return before the line feed included.
//!
//! It takes an exemplar after any sample, in either format, and does not count its labels' length:
//! where one may be and how long it may be are OpenMetrics' rules for live-check to report
//! ([`ReadExemplar::chars`]), not syntax that should stop the reading of a scrape.

use crate::family::{is_label_name_char, is_label_name_start, is_metric_name_char, is_metric_name_start};
use std::borrow::Cow;

/// A syntax error, with its 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The line, from 1.
    pub line: usize,
    /// The column (in bytes), from 1.
    pub col: usize,
    /// What is wrong, and what was expected.
    pub message: String,
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<'a> {
    /// The line, from 1.
    pub line: usize,
    /// The sample's name (`x_bucket`).
    pub name: &'a str,
    /// The labels in the order of the line, values unescaped.
    pub labels: Vec<(&'a str, Cow<'a, str>)>,
    /// The value (`+Inf`, `-Inf` and `NaN` included).
    pub value: f64,
    /// The timestamp, when the line has one: milliseconds in the text format, seconds in
    /// OpenMetrics.
    pub timestamp: Option<f64>,
    /// The exemplar after the value and timestamp (`# {trace_id="…"} 1`), when the line has one.
    pub exemplar: Option<ReadExemplar<'a>>,
}

/// An exemplar read after a sample (OpenMetrics): its labels as written, value, timestamp.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadExemplar<'a> {
    /// The column (in bytes) of the `#` that starts it, from 1.
    pub col: usize,
    /// The labels in the order of the line, values unescaped.
    pub labels: Vec<(&'a str, Cow<'a, str>)>,
    /// The value (`+Inf`, `-Inf` and `NaN` included).
    pub value: f64,
    /// The timestamp in seconds, when the exemplar has one.
    pub timestamp: Option<f64>,
}

impl ReadExemplar<'_> {
    /// The combined length of the label names and values, in chars, unescaped: what OpenMetrics
    /// limits to [`EXEMPLAR_MAX_CHARS`](crate::EXEMPLAR_MAX_CHARS), as
    /// [`Labels::chars`](crate::Labels::chars) counts it for the writer.
    pub fn chars(&self) -> usize {
        self.labels.iter().map(|(k, v)| k.chars().count() + v.chars().count()).sum()
    }
}

/// Labels in the order of the line, values unescaped.
type LabelSet<'a> = Vec<(&'a str, Cow<'a, str>)>;

/// What the reader reports, in the order of the text.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<'a> {
    /// `# HELP name text`, the text unescaped.
    Help {
        /// The line, from 1.
        line: usize,
        /// The family's name.
        name: &'a str,
        /// The help text, unescaped (empty when the line has none).
        text: Cow<'a, str>,
    },
    /// `# TYPE name type`.
    Type {
        /// The line, from 1.
        line: usize,
        /// The family's name.
        name: &'a str,
        /// The type as written ([`FamilyType::from_name`](crate::FamilyType::from_name) reads it).
        kind: &'a str,
    },
    /// `# UNIT name unit` (OpenMetrics).
    Unit {
        /// The line, from 1.
        line: usize,
        /// The family's name.
        name: &'a str,
        /// The unit (empty when the line has none).
        unit: &'a str,
    },
    /// A sample line.
    Sample(Sample<'a>),
}

/// Calls `each` for every `# HELP`, `# TYPE`, `# UNIT` and sample of `text`, in order; stops at
/// the first syntax error. Other comments, blank lines and `# EOF` are skipped.
pub fn read<'a>(text: &'a str, mut each: impl FnMut(Event<'a>)) -> Result<(), SyntaxError> {
    for (i, raw) in text.split('\n').enumerate() {
        let line = i + 1;
        let l = raw.strip_suffix('\r').unwrap_or(raw);
        if l.trim().is_empty() {
            continue;
        }
        if let Some(comment) = l.strip_prefix('#') {
            let mut words = comment.trim_start().splitn(3, [' ', '\t']);
            match (words.next(), words.next(), words.next()) {
                (Some("HELP"), Some(name), _) if !name.is_empty() => {
                    let (name, text) = help(raw);
                    each(Event::Help { line, name, text })
                }
                (Some("TYPE"), Some(name), Some(kind)) => each(Event::Type { line, name, kind: kind.trim() }),
                (Some("UNIT"), Some(name), unit) => each(Event::Unit { line, name, unit: unit.unwrap_or("").trim() }),
                (Some("HELP"), ..) => {
                    return Err(SyntaxError {
                        line,
                        col: 1,
                        message: "`# HELP` needs a metric name (`# HELP name text`)".into(),
                    });
                }
                (Some("TYPE"), ..) => {
                    return Err(SyntaxError {
                        line,
                        col: 1,
                        message: "`# TYPE` needs a metric name and a type (`# TYPE name counter`)".into(),
                    });
                }
                _ => {}
            }
            continue;
        }
        each(Event::Sample(sample(l, line)?));
    }
    Ok(())
}

/// The name and text of a `# HELP` line, from the raw line: the text is what follows the name and
/// one space or tab up to the line feed, a carriage return before it included.
fn help(raw: &str) -> (&str, Cow<'_, str>) {
    let comment = raw.strip_prefix('#').unwrap_or(raw);
    let mut words = comment.trim_start().splitn(3, [' ', '\t']).skip(1);
    let name = words.next().unwrap_or("");
    match words.next() {
        Some(text) if text.contains('\\') => (name, Cow::Owned(unescape(text))),
        Some(text) => (name, Cow::Borrowed(text)),
        // `# HELP name` alone: the line's carriage return, if any, is after the name.
        None => (name.strip_suffix('\r').unwrap_or(name), Cow::Borrowed("")),
    }
}

/// Parses one sample line: `name{k="v",...} value [timestamp] [# exemplar]`.
fn sample(l: &str, line: usize) -> Result<Sample<'_>, SyntaxError> {
    let b = l.as_bytes();
    let err = |at: usize, message: String| error(line, at, message);
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    let start = i;
    if i >= b.len() || !is_metric_name_start(b[i]) {
        return Err(err(i, "expected a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) at the start of a sample line".into()));
    }
    while i < b.len() && is_metric_name_char(b[i]) {
        i += 1;
    }
    let name = &l[start..i];
    let mut labels = Vec::new();
    if i < b.len() && b[i] == b'{' {
        (labels, i) = label_set(l, i + 1, line, || format!("the labels of `{name}`"))?;
    }
    let rest = &l[i..];
    if !rest.starts_with([' ', '\t']) || rest.trim().is_empty() {
        return Err(err(i, format!("expected a space and a value after `{name}`")));
    }
    // The value and an optional timestamp, each with its column; an exemplar (`# {...} v`)
    // follows a `#`.
    let mut words = words(rest, i);
    let (value_at, value_text) = words.next().unwrap_or((i, ""));
    let Some(value) = number(value_text) else {
        return Err(err(value_at, format!("`{value_text}` is not a sample value (a float, `NaN`, `+Inf` or `-Inf`)")));
    };
    let mut next = words.next();
    let mut timestamp = None;
    if let Some((at, w)) = next.filter(|(_, w)| !w.starts_with('#')) {
        match number(w).filter(|t| t.is_finite()) {
            Some(t) => timestamp = Some(t),
            None => return Err(err(at, format!("`{w}` is not a timestamp (a number, or `#` and an exemplar)"))),
        }
        next = words.next();
    }
    let exemplar = match next {
        None => None,
        // The exemplar's label values may hold spaces: it is read from the line, not from `words`.
        Some((at, w)) if w.starts_with('#') => Some(exemplar(l, at, line)?),
        // Prometheus refuses a line with more after its timestamp, in either format.
        Some((at, w)) => {
            return Err(err(
                at,
                format!("unexpected `{w}` after the timestamp (expected the end of the line, or `#` and an exemplar)"),
            ));
        }
    };
    Ok(Sample { line, name, labels, value, timestamp, exemplar })
}

/// Parses a label set from just after its `{` (at `i`) to just after its `}`, which it returns
/// with the labels. `of` names the set for the error when a label name is missing.
fn label_set<'a>(
    l: &'a str,
    mut i: usize,
    line: usize,
    of: impl Fn() -> String,
) -> Result<(LabelSet<'a>, usize), SyntaxError> {
    let b = l.as_bytes();
    let err = |at: usize, message: String| error(line, at, message);
    let mut labels = Vec::new();
    loop {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i < b.len() && b[i] == b'}' {
            i += 1;
            break;
        }
        let key_start = i;
        if i >= b.len() || !is_label_name_start(b[i]) {
            return Err(err(i, format!("expected a label name or `}}` in {}", of())));
        }
        while i < b.len() && is_label_name_char(b[i]) {
            i += 1;
        }
        let key = &l[key_start..i];
        if l.get(i..i + 2) != Some("=\"") {
            return Err(err(i, format!("expected `=\"` after the label name `{key}`")));
        }
        i += 2;
        let value_start = i;
        let mut escaped = false;
        loop {
            match b.get(i) {
                None => return Err(err(i, format!("the value of label `{key}` is not closed by `\"`"))),
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    i += 2;
                }
                Some(_) => i += 1,
            }
        }
        if i > b.len() {
            return Err(err(b.len(), format!("the value of label `{key}` is not closed by `\"`")));
        }
        let raw = &l[value_start..i];
        let value = if escaped { Cow::Owned(unescape(raw)) } else { Cow::Borrowed(raw) };
        labels.push((key, value));
        i += 1;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => {
                i += 1;
                break;
            }
            _ => return Err(err(i, format!("expected `,` or `}}` after the value of label `{key}`"))),
        }
    }
    Ok((labels, i))
}

/// Parses the exemplar that the `#` at `at` starts, to the end of the line:
/// `# {k="v",...} value [timestamp]`.
fn exemplar(l: &str, at: usize, line: usize) -> Result<ReadExemplar<'_>, SyntaxError> {
    let b = l.as_bytes();
    let err = |at: usize, message: String| error(line, at, message);
    let mut i = at + 1;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    if b.get(i) != Some(&b'{') {
        return Err(err(i, "expected `{` and the exemplar's labels after `#` (`# {trace_id=\"…\"} 1`)".into()));
    }
    let (labels, i) = label_set(l, i + 1, line, || "the labels of the exemplar".into())?;
    let rest = &l[i..];
    if !rest.starts_with([' ', '\t']) || rest.trim().is_empty() {
        return Err(err(i, "expected a space and a value after the exemplar's labels".into()));
    }
    let mut words = words(rest, i);
    let (value_at, value_text) = words.next().unwrap_or((i, ""));
    let Some(value) = number(value_text) else {
        return Err(err(
            value_at,
            format!("`{value_text}` is not an exemplar value (a float, `NaN`, `+Inf` or `-Inf`)"),
        ));
    };
    // Finite, as Prometheus takes it: a timestamp of NaN or infinity has no millisecond.
    let timestamp = match words.next() {
        None => None,
        Some((at, w)) => match number(w).filter(|t| t.is_finite()) {
            Some(t) => Some(t),
            None => return Err(err(at, format!("`{w}` is not an exemplar timestamp (a number of seconds)"))),
        },
    };
    if let Some((at, w)) = words.next() {
        return Err(err(at, format!("unexpected `{w}` after the exemplar's timestamp (expected the end of the line)")));
    }
    Ok(ReadExemplar { col: at + 1, labels, value, timestamp })
}

/// A syntax error on `line` at the 0-based byte `at`.
fn error(line: usize, at: usize, message: String) -> SyntaxError {
    SyntaxError { line, col: at + 1, message }
}

/// The words of `rest` separated by spaces and tabs, each with its 0-based column in the line
/// (`rest` starts at `offset`).
fn words(rest: &str, offset: usize) -> impl Iterator<Item = (usize, &str)> {
    rest.split([' ', '\t'])
        .scan(offset, |at, w| {
            let here = *at;
            *at += w.len() + 1;
            Some((here, w))
        })
        .filter(|(_, w)| !w.is_empty())
}

/// A value as both formats write it: a float, `NaN`, `+Inf`, `-Inf` (and `Inf`, which Prometheus
/// also takes). Rust's float syntax takes these too, as Go's does.
fn number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok()
}

/// A label value or help text with the format's escapes (`\\`, `\"`, `\n`) resolved.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str) -> Result<Vec<String>, SyntaxError> {
        let mut out = Vec::new();
        read(text, |e| {
            out.push(match e {
                Event::Help { line, name, text } => format!("{line} help {name} {text:?}"),
                Event::Type { line, name, kind } => format!("{line} type {name} {kind}"),
                Event::Unit { line, name, unit } => format!("{line} unit {name} {unit}"),
                Event::Sample(s) => {
                    let mut seen =
                        format!("{} sample {} {} {:?} {:?}", s.line, s.name, pairs(&s.labels), s.value, s.timestamp);
                    if let Some(e) = s.exemplar {
                        seen += &format!(" # {} {{{}}} {:?} {:?}", e.col, pairs(&e.labels), e.value, e.timestamp);
                    }
                    seen
                }
            })
        })?;
        Ok(out)
    }

    fn pairs(labels: &[(&str, Cow<'_, str>)]) -> String {
        labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
    }

    #[test]
    fn reads_text_and_openmetrics() {
        let text = "# HELP a_total Help with \\n an escape\n# TYPE a_total counter\na_total{k=\"v\",q=\"a\\\"b\\\\c\\nd\"} 1 1700000000\n\n# TYPE h histogram\n# UNIT h seconds\nh_bucket{le=\"+Inf\",} 3 # {trace_id=\"x\"} 1\nuntyped NaN\n# EOF\n";
        assert_eq!(
            events(text).unwrap(),
            [
                "1 help a_total \"Help with \\n an escape\"",
                "2 type a_total counter",
                "3 sample a_total k=v,q=a\"b\\c\nd 1.0 Some(1700000000.0)",
                "5 type h histogram",
                "6 unit h seconds",
                "7 sample h_bucket le=+Inf 3.0 None # 24 {trace_id=x} 1.0 None",
                "8 sample untyped  NaN None",
            ]
        );
    }

    /// `# HELP` text as Prometheus reads it: after the name and one space, to the line feed.
    #[test]
    fn help_text_is_kept_whole() {
        let text = "# HELP a  two spaces, a tab\tand a CR\r\n# HELP b\n# HELP c \n#\tHELP d\tq\\\"uote\\\\\n";
        assert_eq!(
            events(text).unwrap(),
            [
                "1 help a \" two spaces, a tab\\tand a CR\\r\"",
                "2 help b \"\"",
                "3 help c \"\"",
                "4 help d \"q\\\"uote\\\\\"",
            ]
        );
    }

    #[test]
    fn values_and_timestamps() {
        let text = "a +Inf\nb -Inf\nc -0\nd 1e3 -5\ne\t0.5\t1.5\nf Inf\ng 7 # {} 1\n";
        assert_eq!(
            events(text).unwrap(),
            [
                "1 sample a  inf None",
                "2 sample b  -inf None",
                "3 sample c  -0.0 None",
                "4 sample d  1000.0 Some(-5.0)",
                "5 sample e  0.5 Some(1.5)",
                "6 sample f  inf None",
                "7 sample g  7.0 None # 5 {} 1.0 None",
            ]
        );
    }

    /// Exemplars as Prometheus's OpenMetrics parser takes them: after the value or the timestamp,
    /// labels unescaped (a `#`, braces and spaces in a value are the value's), a timestamp or not.
    #[test]
    fn exemplars() {
        let text = "a_total 3 # {trace_id=\"0af7\",span_id=\"b7ad\"} 1 1700000000.5\n\
                    b_bucket{le=\"0.5\"} 2 1700000001 # {q=\"a\\\"b\\\\c\\nd # {x} 1\"} 0.25\n\
                    c_total{k=\"v # {}\"} 1 # {} -0 -1.5\n\
                    d_total 1 #\t{a=\"é\",} NaN\n\
                    e 1 # { } +Inf 0\n";
        assert_eq!(
            events(text).unwrap(),
            [
                "1 sample a_total  3.0 None # 11 {trace_id=0af7,span_id=b7ad} 1.0 Some(1700000000.5)",
                "2 sample b_bucket le=0.5 2.0 Some(1700000001.0) # 33 {q=a\"b\\c\nd # {x} 1} 0.25 None",
                "3 sample c_total k=v # {} 1.0 None # 23 {} -0.0 Some(-1.5)",
                "4 sample d_total  1.0 None # 11 {a=é} NaN None",
                "5 sample e  1.0 None # 5 {} inf Some(0.0)",
            ]
        );
        let mut exemplar = None;
        read("a_total 1 # {trace_id=\"é✓\",n=\"\\n\"} 1\n", |e| {
            if let Event::Sample(s) = e {
                exemplar = s.exemplar;
            }
        })
        .unwrap();
        // `trace_id` 8, `é✓` 2, `n` 1, a line feed 1: chars, unescaped.
        assert_eq!(exemplar.map(|e| e.chars()), Some(12));
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let cases: &[(&str, usize, usize, &str)] = &[
            ("ok 1\n{x=\"1\"} 2\n", 2, 1, "expected a metric name"),
            ("m{k=\"v} 1\n", 1, 10, "not closed"),
            ("m{k=v} 1\n", 1, 4, "expected `=\"` after the label name `k`"),
            ("m{k=\"v\" j=\"w\"} 1\n", 1, 9, "expected `,` or `}`"),
            ("m{k=\"v\"}\n", 1, 9, "expected a space and a value"),
            ("m{k=\"v\"} one\n", 1, 10, "`one` is not a sample value"),
            ("m  1 soon\n", 1, 6, "`soon` is not a timestamp"),
            ("m 1 NaN\n", 1, 5, "`NaN` is not a timestamp"),
            ("m 1 2 3\n", 1, 7, "unexpected `3` after the timestamp"),
            ("m 1 # trace_id=\"x\" 1\n", 1, 7, "expected `{` and the exemplar's labels after `#`"),
            ("m 1 2 #\n", 1, 8, "expected `{`"),
            ("m 1 # {a=b} 1\n", 1, 9, "expected `=\"` after the label name `a`"),
            ("m 1 # {a=\"b} 1\n", 1, 15, "not closed"),
            ("m 1 # {9=\"b\"} 1\n", 1, 8, "in the labels of the exemplar"),
            ("m 1 # {a=\"b\"}\n", 1, 14, "expected a space and a value after the exemplar's labels"),
            ("m 1 # {a=\"b\"}1\n", 1, 14, "expected a space and a value"),
            ("m 1 # {} one\n", 1, 10, "`one` is not an exemplar value"),
            ("m 1 # {} 1 soon\n", 1, 12, "`soon` is not an exemplar timestamp"),
            ("m 1 # {} 1 +Inf\n", 1, 12, "`+Inf` is not an exemplar timestamp"),
            ("m 1 # {} 1 2 3\n", 1, 14, "unexpected `3` after the exemplar's timestamp"),
            ("ok 1\nm{k=\"v\"} 1 2 # {} 1 2 # {} 1\n", 2, 23, "unexpected `#`"),
            ("# TYPE m\n", 1, 1, "`# TYPE` needs"),
            ("# HELP\n", 1, 1, "`# HELP` needs"),
        ];
        for (text, line, col, message) in cases {
            let e = events(text).unwrap_err();
            assert_eq!((e.line, e.col), (*line, *col), "{text:?}: {e:?}");
            assert!(e.message.contains(message), "{text:?}: {}", e.message);
        }
    }
}
