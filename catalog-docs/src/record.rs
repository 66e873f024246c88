//! The verification record (`docs/verification.json`): what each query of the catalog returned when
//! `docs-gen verify` last ran it against a real Prometheus server.
//!
//! `verify` writes it; the Markdown reference reads it to show each query's expected output, so the
//! reference never carries hand-typed results. Queries are keyed by their expression with
//! whitespace collapsed ([`normalize`]), so re-indenting a query in the catalog keeps its result.
//! The file is written deterministically: fields in a fixed (sorted) order, queries sorted by key.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The file name of the record inside the reference's directory.
pub const RECORD_FILE: &str = "verification.json";

/// One verification run. Fields are declared in sorted order, which is the order they are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// When the run happened, UTC, RFC 3339 (`2026-11-24T10:15:00Z`).
    pub date: String,
    /// The server's version, from `/api/v1/status/buildinfo`.
    pub prometheus_version: String,
    /// What each query returned, by normalized expression.
    pub queries: BTreeMap<String, QueryResult>,
    /// What ran before the queries, in the words of whoever ran `verify`.
    pub workload: String,
    /// The same queries in the steady-state profile (correlation ids dropped, the workload spread
    /// over enough scrapes that rates have an increase): its own file beside this one
    /// ([`steady_path`]), attached by [`Record::read`].
    #[serde(skip)]
    pub steady_state: Option<Box<Record>>,
}

/// The steady-state profile's record beside a record: `verification.json` →
/// `verification.steady.json`.
pub fn steady_path(path: &Path) -> std::path::PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!("{stem}.steady.json"))
}

/// What one query returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryResult {
    pub outcome: Outcome,
    /// The number of series (or 1 for a scalar result).
    pub series: usize,
    /// A short summary: `value 3`, `2 series, values 1–3`, the error text, or why the query was not
    /// run.
    pub summary: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// At least one series.
    Data,
    /// An empty result.
    NoData,
    /// Prometheus rejected or failed the query.
    Error,
    /// Not run: the query names a metric that is not instrumented yet.
    NotVerifiable,
}

impl Record {
    /// The result of a query, looked up by its expression.
    pub fn result(&self, expr: &str) -> Option<&QueryResult> {
        self.queries.get(&normalize(expr))
    }

    /// The calendar day of the run (`2026-11-24`).
    pub fn day(&self) -> &str {
        self.date.get(..10).unwrap_or(&self.date)
    }

    /// The record as written: pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a record always serializes");
        text.push('\n');
        text
    }

    /// Parses a record; the error says what is wrong and where.
    pub fn from_json(text: &str) -> Result<Record, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// Reads the record at `path`, with its steady-state profile from [`steady_path`] when that
    /// file exists: `Ok(None)` when there is no record.
    pub fn read(path: &Path) -> Result<Option<Record>, String> {
        let Some(mut record) = Record::read_one(path)? else { return Ok(None) };
        record.steady_state = Record::read_one(&steady_path(path))?.map(Box::new);
        Ok(Some(record))
    }

    fn read_one(path: &Path) -> Result<Option<Record>, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Record::from_json(&text)
                .map(Some)
                .map_err(|e| format!("{}: not a valid verification record: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }
}

/// The lookup key of a query: its expression with every run of whitespace made one space, trimmed.
pub fn normalize(expr: &str) -> String {
    expr.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a summary says every value was 0 or NaN (`value 0`, `3 series, each 0`, `value NaN`,
/// `2 series, all NaN`): a rate that measured nothing.
pub fn zero_or_nan(summary: &str) -> bool {
    let last = summary.rsplit(' ').next().unwrap_or_default();
    let shape = summary.starts_with("value ") || summary.contains(" series, each ") || summary.ends_with("all NaN");
    shape && matches!(last, "0" | "-0" | "NaN")
}

/// The summary of a result with these sample values, one per series.
pub fn summarize(values: &[f64]) -> String {
    match values {
        [] => "no series".to_owned(),
        [v] => format!("value {}", number(*v)),
        _ => {
            let numbers: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            let n = values.len();
            let min = numbers.iter().copied().fold(f64::INFINITY, f64::min);
            let max = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if numbers.is_empty() {
                format!("{n} series, all NaN")
            } else if number(min) == number(max) {
                format!("{n} series, each {}", number(min))
            } else {
                format!("{n} series, values {}–{}", number(min), number(max))
            }
        }
    }
}

/// `text` cut to at most `max` characters by dropping its middle, which keeps both the start of an
/// error message and its conclusion (`...; many-to-many matching not allowed`).
pub fn elide(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_owned();
    }
    let head = (max - 1) / 2;
    let tail = max - 1 - head;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// A sample value for people: integers as they are, values of 100 and more to the unit, smaller
/// ones to three significant digits; `NaN`, `+Inf`, `-Inf` as Prometheus writes them.
pub fn number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    let text = if v.fract() == 0.0 || v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        let decimals = (2 - v.abs().log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.decimals$}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    if text == "-0" { "0".into() } else { text }
}

/// A ratio as a share in percent for people: `0.05` → `5 %`, `0.125` → `12.5 %` ([`number`]).
pub fn percent(ratio: f64) -> String {
    format!("{} %", number(ratio * 100.0))
}

/// The current time, UTC, RFC 3339 to the second.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(unix_secs: u64) -> String {
    let (days, rem) = (unix_secs / 86_400, unix_secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Record {
        let mut queries = BTreeMap::new();
        queries.insert(
            "sum by (outcome) (app_jobs_completed_total)".to_owned(),
            QueryResult { outcome: Outcome::Data, series: 2, summary: "2 series, values 1–3".into() },
        );
        queries.insert(
            "breaker_state == 2".to_owned(),
            QueryResult { outcome: Outcome::NoData, series: 0, summary: "no series".into() },
        );
        Record {
            date: "2026-11-24T10:15:00Z".into(),
            prometheus_version: "2.42.0".into(),
            queries,
            workload: "one burst of jobs".into(),
            steady_state: None,
        }
    }

    #[test]
    fn round_trips_and_writes_sorted_keys() {
        let record = sample();
        let json = record.to_json();
        assert_eq!(Record::from_json(&json).unwrap(), record);
        assert_eq!(
            json,
            r#"{
  "date": "2026-11-24T10:15:00Z",
  "prometheus_version": "2.42.0",
  "queries": {
    "breaker_state == 2": {
      "outcome": "no_data",
      "series": 0,
      "summary": "no series"
    },
    "sum by (outcome) (app_jobs_completed_total)": {
      "outcome": "data",
      "series": 2,
      "summary": "2 series, values 1–3"
    }
  },
  "workload": "one burst of jobs"
}
"#
        );
    }

    #[test]
    fn lookup_ignores_layout() {
        let record = sample();
        let found = record.result("sum by (outcome)\n  (app_jobs_completed_total)\n").unwrap();
        assert_eq!(found.series, 2);
        assert!(record.result("sum(app_jobs_completed_total)").is_none());
        assert_eq!(record.day(), "2026-11-24");
    }

    #[test]
    fn unknown_fields_and_outcomes_are_errors() {
        let json = sample().to_json().replace("\"no_data\"", "\"nodata\"");
        assert!(Record::from_json(&json).unwrap_err().contains("unknown variant `nodata`"));
        let json = sample().to_json().replace("\"workload\"", "\"workloads\"");
        assert!(Record::from_json(&json).unwrap_err().contains("unknown field `workloads`"));
    }

    #[test]
    fn numbers_read_well() {
        let cases = [
            (3.0, "3"),
            (0.0, "0"),
            (-0.0, "0"),
            (12.3456, "12.3"),
            (1.5, "1.5"),
            (0.012345, "0.0123"),
            (0.95, "0.95"),
            (123.56, "124"),
            (123456.7, "123457"),
            (-2.5, "-2.5"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for (v, want) in cases {
            assert_eq!(number(v), want, "{v}");
        }
    }

    #[test]
    fn summaries() {
        assert_eq!(summarize(&[]), "no series");
        assert_eq!(summarize(&[3.0]), "value 3");
        assert_eq!(summarize(&[1.0, 5.0, 3.0]), "3 series, values 1–5");
        assert_eq!(summarize(&[2.0, 2.0]), "2 series, each 2");
        assert_eq!(summarize(&[f64::NAN, 0.5, 4.25]), "3 series, values 0.5–4.25");
        assert_eq!(summarize(&[f64::NAN, f64::NAN]), "2 series, all NaN");
    }

    #[test]
    fn long_texts_lose_their_middle() {
        assert_eq!(elide("abcdefghij", 10), "abcdefghij");
        assert_eq!(elide("abcdefghijk", 5), "ab…jk");
        assert_eq!(elide("ééééééé", 4), "é…éé");
    }

    #[test]
    fn dates_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_515_300), "2026-11-24T10:15:00Z");
        assert_eq!(rfc3339(4_102_444_799), "2099-12-31T23:59:59Z");
        assert_eq!(now_rfc3339().len(), 20);
    }

    #[test]
    fn zero_or_nan_reads_the_summaries_it_writes() {
        for zero in
            [summarize(&[0.0]), summarize(&[0.0, 0.0]), summarize(&[f64::NAN]), summarize(&[f64::NAN, f64::NAN])]
        {
            assert!(zero_or_nan(&zero), "{zero}");
        }
        for measured in [summarize(&[0.25]), summarize(&[0.0, 3.0]), summarize(&[]), "value 10".into()] {
            assert!(!zero_or_nan(&measured), "{measured}");
        }
    }

    #[test]
    fn the_steady_state_record_is_read_beside_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(RECORD_FILE);
        assert_eq!(steady_path(&path), dir.path().join("verification.steady.json"));
        std::fs::write(&path, sample().to_json()).unwrap();
        assert!(Record::read(&path).unwrap().unwrap().steady_state.is_none());
        let mut steady = sample();
        steady.workload = "steady".into();
        std::fs::write(steady_path(&path), steady.to_json()).unwrap();
        let read = Record::read(&path).unwrap().unwrap();
        assert_eq!(read.steady_state.as_deref().map(|s| s.workload.as_str()), Some("steady"));
        // Written alone: the steady-state profile never goes into the per-request file.
        assert_eq!(read.to_json(), sample().to_json());
    }
}
