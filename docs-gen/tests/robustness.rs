//! Inputs meant to break the loader, through what `docs-gen check` runs (load, then render both
//! outputs on success): each gives a located diagnostic, whose first line is asserted exactly.
//!
//! Each case prints the time and the peak memory it took; neither is asserted (speed is measured
//! by the benchmarks; a test run shares the machine). The cases run one at a time, so the peak is
//! theirs.

use std::sync::Mutex;
use std::time::Instant;

const MINIMAL: &str = include_str!("fixtures/good/minimal.yaml");

/// One case at a time, so that the peak memory a case prints is its own.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Loads `bytes` as `docs-gen check` does and returns the first line of its diagnostics, or
/// `loaded` when the catalog is valid (its renders then ran too). Prints time and peak memory.
fn check(case: &str, bytes: &[u8]) -> String {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    reset_peak_rss();
    let start = Instant::now();
    let outcome = match docs_gen::load_bytes("metrics.yaml", bytes) {
        Ok(catalog) => {
            docs_gen::emit_markdown::render(&catalog);
            docs_gen::emit_rust::render(&catalog);
            "loaded".to_owned()
        }
        Err(d) => d.to_string().lines().next().unwrap_or_default().to_owned(),
    };
    let elapsed = start.elapsed();
    let peak = peak_rss_kib().map_or("?".into(), |k| format!("{} MiB", k / 1024));
    println!("{case}: {} bytes in {elapsed:.2?}, peak RSS {peak}: {outcome}", bytes.len());
    outcome
}

/// Linux keeps the process's peak resident set in /proc/self/status (VmHWM); writing 5 to
/// /proc/self/clear_refs resets it. Elsewhere nothing is printed.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_rss_kib() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The minimal fixture with `from` replaced by `to` (which must occur).
fn minimal_with(from: &str, to: &str) -> String {
    assert!(MINIMAL.contains(from), "{from:?} is not in minimal.yaml");
    MINIMAL.replacen(from, to, 1)
}

/// Names the sanitizer cannot make a Rust identifier of are reported where they are; the emitter
/// used to panic on them (`²` is numeric to Unicode, but no identifier character).
#[test]
fn names_that_make_no_rust_identifier() {
    let cases = [
        (
            minimal_with("values: [ok, failed, timed_out]", "values: [ok, failed, x²]"),
            "metrics.yaml:42:26: error: cannot make a Rust identifier of the label value `x²`",
        ),
        (
            minimal_with("id: jobs", "id: jobs²").replace("domain: jobs\n", "domain: jobs²\n"),
            "metrics.yaml:25:9: error: cannot make a Rust identifier of the domain id `jobs²`",
        ),
        (
            minimal_with("name: Open,", "name: Open²,"),
            "metrics.yaml:57:26: error: cannot make a Rust identifier of the state name `Open²`",
        ),
        (
            minimal_with("  queue:\n    description: Queue name", "  queue:\n    key: _\n    description: Queue name"),
            "metrics.yaml:48:5: error: invalid label key `_`",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(check("no Rust identifier", text.as_bytes()), want);
    }
}

/// Deep nesting: serde_yaml stops at 128 levels, but libyaml's time under it grew with depth ×
/// tokens (100,000 `[` took 20 s); yaml-rust2, which indexes locations, must not overflow the stack.
#[test]
fn deeply_nested_input() {
    let flow = |open: &str, close: &str, depth: usize| {
        minimal_with(
            "    labels: [job_id, outcome]",
            &format!("    labels: {}x{}", open.repeat(depth), close.repeat(depth)),
        )
    };
    let too_deep = "error: recursion limit exceeded";
    for depth in [10_000, 100_000] {
        assert_eq!(check("nested [", flow("[", "]", depth).as_bytes()), format!("metrics.yaml:66:268: {too_deep}"));
        assert_eq!(
            check("nested {a: ", flow("{a: ", "}", depth).as_bytes()),
            format!("metrics.yaml:66:1033: {too_deep}")
        );
        assert_eq!(check("unclosed [", flow("[", "", depth).as_bytes()), format!("metrics.yaml:66:268: {too_deep}"));
        let block =
            minimal_with("    labels: [job_id, outcome]", &format!("    labels:\n      {}x", "- ".repeat(depth)));
        assert_eq!(check("nested - ", block.as_bytes()), format!("metrics.yaml:67:257: {too_deep}"));
    }
}

/// A query nested deeply overflowed the stack (promql-parser and the checks recurse on its syntax
/// tree); a query longer than the catalog allows is reported where it is, and the deepest queries
/// it allows still load.
#[test]
fn deeply_nested_query() {
    let x = "app_jobs_completed_total";
    let shapes = |n: usize| {
        [
            format!("{}{x}{}", "(".repeat(n / 2), ")".repeat(n / 2)),
            format!("{}{x}{}", "sum(".repeat(n / 5), ")".repeat(n / 5)),
            format!("{}{x}", "-".repeat(n)),
            format!("{x}{}", " + 1".repeat(n / 4)),
        ]
    };
    for expr in shapes(4096 - x.len()) {
        assert!(expr.len() <= 4096);
        let text = minimal_with("expr: sum by (outcome) (app_jobs_completed_total)", &format!("expr: \"{expr}\""));
        assert_eq!(check("deepest query allowed", text.as_bytes()), "loaded");
    }
    for expr in shapes(100_000) {
        let text = minimal_with("expr: sum by (outcome) (app_jobs_completed_total)", &format!("expr: \"{expr}\""));
        assert_eq!(
            check("deep query", text.as_bytes()),
            format!(
                "metrics.yaml:71:15: error: the query is {} bytes long; a query of the catalog has at most 4096",
                expr.len()
            )
        );
    }
}

/// Lines end at `\n`, `\r\n` or a lone `\r` (YAML 1.2, as editors show them). libyaml also ended
/// lines at NEL, LS and PS, so its errors pointed past the end of a file; a catalog with
/// CR line endings was reported empty, as its first line (all of it) started with a comment.
#[test]
fn line_breaks() {
    let cases = [
        (
            "'\u{85}\u{85}".to_owned(),
            "metrics.yaml:1:4: error: found unexpected end of stream, while scanning a quoted scalar",
        ),
        (
            "document: x\u{2028}\u{2029}\ndomains: [unclosed\n".to_owned(),
            "metrics.yaml:3:1: error: did not find expected ',' or ']', while parsing a flow sequence",
        ),
        (
            minimal_with("instrument: counter", "instrument: countr").replace('\n', "\r\n"),
            "metrics.yaml:62:17: error: unknown instrument `countr`",
        ),
        (
            minimal_with("instrument: counter", "instrument: countr").replace('\n', "\r"),
            "metrics.yaml:62:17: error: unknown instrument `countr`",
        ),
        (
            "document:\r  title: [unclosed\r".to_owned(),
            "metrics.yaml:3:1: error: did not find expected ',' or ']', while parsing a flow sequence",
        ),
        ("document:\r  title: caf\u{e9}".to_owned(), "metrics.yaml:1:1: error: missing field `domains`"),
        (
            "\u{feff}document: [unclosed\n".to_owned(),
            "metrics.yaml:2:1: error: did not find expected ',' or ']', while parsing a flow sequence",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(check("line breaks", text.as_bytes()), want, "{text:?}");
    }
    let not_utf8 = b"document:\r  title: caf\xe9\r";
    assert_eq!(check("not UTF-8 after CR", not_utf8), "metrics.yaml:2:13: error: the catalog is not valid UTF-8");
}

/// "Billion laughs" inside a catalog: 10 levels of 10 aliases (10^10 nodes if expanded) in a
/// metric's `labels`, and 9 levels of 9 in a label's `values`. serde_yaml stops expanding; the
/// error is located at the alias where it stopped (it had no position, so it said 1:1).
#[test]
fn alias_bombs() {
    let bomb = |levels: usize, width: usize| {
        let mut b = "[&l0 lol".to_owned();
        for i in 1..levels {
            b += &format!(", &l{i} [{}]", vec![format!("*l{}", i - 1); width].join(", "));
        }
        b + "]"
    };
    let in_metric = minimal_with("    labels: [job_id, outcome]", &format!("    labels: {}", bomb(10, 10)));
    assert_eq!(
        check("alias bomb in a metric", in_metric.as_bytes()),
        "metrics.yaml:66:267: error: repetition limit exceeded"
    );
    let in_label = minimal_with("    values: [ok, failed, timed_out]", &format!("    values: {}", bomb(9, 9)));
    assert_eq!(
        check("alias bomb in a label", in_label.as_bytes()),
        "metrics.yaml:42:257: error: repetition limit exceeded"
    );
}
