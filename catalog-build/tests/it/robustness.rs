//! Inputs meant to break the loader, through what `docs-gen check` runs (load, then render both
//! outputs on success): each gives a located diagnostic, whose first line is asserted exactly.
//!
//! Each case prints the time and the peak memory it took; neither is asserted (speed is measured
//! by the benchmarks; a test run shares the machine). The tests of this file run one at a time; the
//! other tests of the binary run beside them, so the peak printed is at least the case's own.

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

const MINIMAL: &str = include_str!("../../../test-support/fixtures/good/minimal.yaml");
const SEED: &str = include_str!("../../../metrics.yaml");

/// Every test of this file holds it, so that the peak memory a case prints is its own.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// Loads `bytes` as `docs-gen check` does and returns the first line of its diagnostics, or
/// `loaded` when the catalog is valid (its renders then ran too). Prints time and peak memory.
fn check(case: &str, bytes: &[u8]) -> String {
    reset_peak_rss();
    let start = Instant::now();
    let outcome = match crate::pipeline(bytes) {
        Ok(_) => "loaded".to_owned(),
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
    let _one = one_at_a_time();
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

/// Deep nesting: the loader stops at 128 levels. Flow nesting is refused by the scanner at 255
/// levels (libyaml, before, took 20 s over 100,000 `[`); block nesting by the loader before it
/// parses (yaml-rust2's parser recurses once per level and overflowed the stack at 5,000).
#[test]
fn deeply_nested_input() {
    let _one = one_at_a_time();
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
        assert_eq!(check("nested - ", block.as_bytes()), format!("metrics.yaml:67:503: {too_deep}"));
    }
}

/// A query nested deeply overflowed the stack (promql-parser and the checks recurse on its syntax
/// tree); a query longer than the catalog allows is reported where it is, and the deepest queries
/// it allows still load.
#[test]
fn deeply_nested_query() {
    let _one = one_at_a_time();
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
    let _one = one_at_a_time();
    let cases = [
        (
            "'\u{85}\u{85}".to_owned(),
            "metrics.yaml:1:1: error: while scanning a quoted scalar, found unexpected end of stream",
        ),
        (
            "document: x\u{2028}\u{2029}\ndomains: [unclosed\n".to_owned(),
            "metrics.yaml:3:1: error: while parsing a flow sequence, expected ',' or ']'",
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
            "metrics.yaml:3:1: error: while parsing a flow sequence, expected ',' or ']'",
        ),
        ("document:\r  title: caf\u{e9}".to_owned(), "metrics.yaml:1:1: error: missing field `metrics`"),
        (
            "\u{feff}document: [unclosed\n".to_owned(),
            "metrics.yaml:2:1: error: while parsing a flow sequence, expected ',' or ']'",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(check("line breaks", text.as_bytes()), want, "{text:?}");
    }
    let not_utf8 = b"document:\r  title: caf\xe9\r";
    assert_eq!(check("not UTF-8 after CR", not_utf8), "metrics.yaml:2:13: error: the catalog is not valid UTF-8");
}

/// "Billion laughs" inside a catalog: 10 levels of 10 aliases (10^10 nodes if expanded) in a
/// metric's `labels`, and 9 levels of 9 in a label's `values`. The loader reads no anchors at all:
/// the error is at the first one, and nothing is expanded.
#[test]
fn alias_bombs() {
    let _one = one_at_a_time();
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
        "metrics.yaml:66:14: error: YAML anchors and aliases (`&name`, `*name`) are not supported in a catalog"
    );
    let in_label = minimal_with("    values: [ok, failed, timed_out]", &format!("    values: {}", bomb(9, 9)));
    assert_eq!(
        check("alias bomb in a label", in_label.as_bytes()),
        "metrics.yaml:42:14: error: YAML anchors and aliases (`&name`, `*name`) are not supported in a catalog"
    );
}

/// The minimal fixture with its `metrics:` section moved to the end of the file, so that text
/// appended to it adds metrics.
fn metrics_last() -> String {
    let start = MINIMAL.find("\nmetrics:\n").expect("minimal.yaml has metrics") + 1;
    let end = MINIMAL.find("\nexample_queries:").expect("minimal.yaml has example_queries") + 1;
    [&MINIMAL[..start], &MINIMAL[end..], &MINIMAL[start..end]].concat()
}

/// A catalog of `mib` MiB: one metric whose description is a block scalar of prose, and whose last
/// line, the last of the file, names an unknown instrument.
fn catalog_of(mib: usize) -> String {
    let mut text = metrics_last();
    text.push_str("  - name: app.jobs.described\n    domain: jobs\n    type: i64\n    unit: \"{job}\"\n");
    text.push_str("    status: planned\n    description: |\n");
    let prose = "      Jobs running now, counted when a worker claims one and when it lets go of it.\n";
    text.push_str(&prose.repeat((mib << 20) / prose.len()));
    text.push_str("    instrument: up_down_countr\n");
    text
}

/// 50 MiB is over the loader's limit: refused at once, before parsing.
#[test]
fn a_50_mib_catalog() {
    let _one = one_at_a_time();
    let text = catalog_of(50);
    assert_eq!(
        check("50 MiB description", text.as_bytes()),
        "metrics.yaml:1:1: error: the catalog is 50.0 MiB; catalogs are limited to 32 MiB"
    );
}

/// Just under the limit, a big catalog is parsed, and its error is located on its last line.
#[test]
fn a_30_mib_catalog() {
    let _one = one_at_a_time();
    let text = catalog_of(30);
    let last = text.lines().count();
    assert_eq!(
        check("30 MiB description", text.as_bytes()),
        format!("metrics.yaml:{last}:17: error: unknown instrument `up_down_countr`")
    );
}

/// Many metrics: the minimal fixture and 2,000 generated metrics (600 KiB; `docs-gen check` on 50
/// MiB of them is measured from the command line, as a debug test would take minutes). The last
/// line of the file names an unknown instrument.
#[test]
fn many_metrics() {
    let _one = one_at_a_time();
    let mut text = metrics_last();
    for i in 0..2_000 {
        text.push_str(&format!(
            "  - name: app.generated.m{i}.total\n    domain: jobs\n    type: u64\n    unit: \"{{job}}\"\n    \
             description: Generated metric {i}\n    labels: [job_id, outcome]\n    status: planned\n    queries:\n      \
             - title: By outcome\n        expr: sum by (outcome) (app_generated_m{i}_total)\n    instrument: counter\n"
        ));
    }
    text.truncate(text.len() - "counter\n".len());
    text.push_str("countr\n");
    let last = text.lines().count();
    assert_eq!(
        check("2,000 metrics, the last one wrong", text.as_bytes()),
        format!("metrics.yaml:{last}:17: error: unknown instrument `countr`")
    );
}

/// The seed catalog with one byte that is not UTF-8 in the middle of a line in its middle.
#[test]
fn not_utf8_in_the_middle() {
    let _one = one_at_a_time();
    let line = SEED.lines().count() / 2;
    let start: usize = SEED.lines().take(line - 1).map(|l| l.len() + 1).sum();
    let col = SEED[start..].find(|c: char| c.is_ascii_alphabetic()).expect("a line with a word") + 3;
    let at = start + col - 1;
    let mut bytes = SEED.as_bytes().to_vec();
    bytes.insert(at, 0xff);
    assert_eq!(
        check("0xff in the seed catalog", &bytes),
        format!("metrics.yaml:{line}:{col}: error: the catalog is not valid UTF-8")
    );
}

/// Files with nothing in them, beyond bad_catalogs' empty and comment-only files.
#[test]
fn nothing_in_the_file() {
    let _one = one_at_a_time();
    let empty = "metrics.yaml:1:1: error: the catalog is empty";
    let comments = "# a catalog\n".repeat(1 << 17);
    for text in ["\r\n  \r\n\t\n", "\r# only a comment\r", comments.as_str()] {
        assert_eq!(check("nothing", text.as_bytes()), empty, "{:?}", &text[..text.len().min(40)]);
    }
    // A byte-order mark is no content: with or without comments after it, the catalog is empty.
    assert_eq!(check("only a BOM", "\u{feff}".as_bytes()), empty);
    assert_eq!(check("a BOM and a comment", "\u{feff}# a catalog\n\n".as_bytes()), empty);
    assert_eq!(check("a document marker", b"---\n"), "metrics.yaml:2:1: error: missing field `metrics`");
}

/// The real catalog, but as the one item of a list; a string.
#[test]
fn not_a_map() {
    let _one = one_at_a_time();
    let as_list = format!("- {}", SEED.replace('\n', "\n  "));
    assert_eq!(
        check("the seed catalog in a list", as_list.as_bytes()),
        "metrics.yaml:1:1: error: invalid type: sequence, expected a map"
    );
    assert_eq!(
        check("a string", b"just a string\n"),
        "metrics.yaml:1:1: error: invalid type: string \"just a string\", expected a map"
    );
}

/// Past 100 errors, the rest are counted, not worded: a generated catalog with an error per metric
/// must not spend a did-you-mean search over every series on each.
#[test]
fn errors_past_the_cap_are_counted() {
    let _one = one_at_a_time();
    let mut text = metrics_last();
    for i in 0..150 {
        text.push_str(&format!(
            "  - name: app.capped.m{i}.total\n    domain: jobs\n    instrument: counter\n    type: u64\n    unit: \"{{job}}\"\n    \
             description: Capped {i}\n    status: planned\n    queries:\n      - title: Wrong\n        expr: app_nope_m{i}_total\n"
        ));
    }
    let out = match catalog_docs::load_str("metrics.yaml", &text) {
        Ok(_) => panic!("the catalog has 150 errors"),
        Err(d) => d,
    };
    assert_eq!(out.0.len(), catalog_model::diag::MAX_ERRORS);
    assert_eq!(out.1, 50);
    let shown = out.to_string();
    assert!(shown.ends_with("... and 50 more (only the first 100 are shown)\n150 errors in the catalog"), "{shown}");
    assert!(shown.starts_with("metrics.yaml:"), "{shown}");
}
