//! Reading a Prometheus exposition (text format 0.0.4, and OpenMetrics 1.0 text) into families and
//! samples, each with its line.
//!
//! Why our own reader: live-check names the line of every drift (`scrape.prom:812: ...`), so the
//! reader must keep line and column numbers, and it must take `# UNIT` and OpenMetrics' family names
//! (a counter's `# TYPE x counter` with samples `x_total`). The crates that parse the format
//! (prometheus-parse 0.2, a regex per line; openmetrics-parser, a whole-document pest grammar) keep
//! neither the line of a sample nor, in the first, the unit; and a 24 MB scrape should stream
//! through without building a tree. The grammar itself is small: a name, `{k="v",...}` with three
//! escapes, a value, an optional timestamp (and in OpenMetrics an exemplar after `#`).

use std::borrow::Cow;

/// A syntax error, with its 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// One sample line.
#[derive(Debug)]
pub struct Sample<'a> {
    pub line: usize,
    /// The sample's name (`x_bucket`).
    pub name: &'a str,
    pub labels: Vec<(&'a str, Cow<'a, str>)>,
}

/// What the reader reports, in the order of the text.
#[derive(Debug)]
pub enum Event<'a> {
    /// `# TYPE name type`.
    Type {
        line: usize,
        name: &'a str,
        kind: &'a str,
    },
    /// `# UNIT name unit` (OpenMetrics).
    Unit {
        line: usize,
        name: &'a str,
        unit: &'a str,
    },
    Sample(Sample<'a>),
}

/// Calls `each` for every `# TYPE`, `# UNIT` and sample of `text`, in order; stops at the first
/// syntax error. `# HELP`, other comments, blank lines and `# EOF` are skipped.
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
                (Some("TYPE"), Some(name), Some(kind)) => each(Event::Type { line, name, kind: kind.trim() }),
                (Some("UNIT"), Some(name), unit) => each(Event::Unit { line, name, unit: unit.unwrap_or("").trim() }),
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

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b':'
}

/// Parses one sample line: `name{k="v",...} value [timestamp] [# exemplar]`.
fn sample(l: &str, line: usize) -> Result<Sample<'_>, SyntaxError> {
    let b = l.as_bytes();
    let err = |at: usize, message: String| SyntaxError { line, col: at + 1, message };
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    let start = i;
    if i >= b.len() || !is_name_start(b[i]) {
        return Err(err(i, "expected a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) at the start of a sample line".into()));
    }
    while i < b.len() && is_name_char(b[i]) {
        i += 1;
    }
    let name = &l[start..i];
    let mut labels = Vec::new();
    if i < b.len() && b[i] == b'{' {
        i += 1;
        loop {
            while i < b.len() && b[i] == b' ' {
                i += 1;
            }
            if i < b.len() && b[i] == b'}' {
                i += 1;
                break;
            }
            let key_start = i;
            if i >= b.len() || !(b[i].is_ascii_alphabetic() || b[i] == b'_') {
                return Err(err(i, format!("expected a label name or `}}` in the labels of `{name}`")));
            }
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
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
    }
    let rest = &l[i..];
    if !rest.starts_with([' ', '\t']) || rest.trim().is_empty() {
        return Err(err(i, format!("expected a space and a value after `{name}`")));
    }
    let value = rest.split_whitespace().next().unwrap_or_default();
    if value.parse::<f64>().is_err() && !matches!(value, "+Inf" | "-Inf" | "NaN" | "Inf") {
        let col = i + rest.find(value).unwrap_or(0);
        return Err(err(col, format!("`{value}` is not a sample value (a float, `NaN`, `+Inf` or `-Inf`)")));
    }
    Ok(Sample { line, name, labels })
}

/// A label value with the format's escapes (`\\`, `\"`, `\n`) resolved.
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
                Event::Type { line, name, kind } => format!("{line} type {name} {kind}"),
                Event::Unit { line, name, unit } => format!("{line} unit {name} {unit}"),
                Event::Sample(s) => {
                    let labels: Vec<String> = s.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    format!("{} sample {} {}", s.line, s.name, labels.join(","))
                }
            })
        })?;
        Ok(out)
    }

    #[test]
    fn reads_text_and_openmetrics() {
        let text = "# HELP a_total Help with \\n an escape\n# TYPE a_total counter\na_total{k=\"v\",q=\"a\\\"b\\\\c\\nd\"} 1 1700000000\n\n# TYPE h histogram\n# UNIT h seconds\nh_bucket{le=\"+Inf\",} 3 # {trace_id=\"x\"} 1\nuntyped NaN\n# EOF\n";
        assert_eq!(
            events(text).unwrap(),
            [
                "2 type a_total counter",
                "3 sample a_total k=v,q=a\"b\\c\nd",
                "5 type h histogram",
                "6 unit h seconds",
                "7 sample h_bucket le=+Inf",
                "8 sample untyped ",
            ]
        );
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
            ("# TYPE m\n", 1, 1, "`# TYPE` needs"),
        ];
        for (text, line, col, message) in cases {
            let e = events(text).unwrap_err();
            assert_eq!((e.line, e.col), (*line, *col), "{text:?}: {e:?}");
            assert!(e.message.contains(message), "{text:?}: {}", e.message);
        }
    }
}
