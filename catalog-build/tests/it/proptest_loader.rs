//! No input breaks the loader: arbitrary bytes, YAML-ish text and mutations of the real catalogs
//! go through what `docs-gen check` does (load, then render both outputs on success).
//!
//! Each input must give either a catalog whose renders succeed (the Rust the same from templates as
//! built directly), or a non-empty list of diagnostics
//! that are located (line and column from 1, within the input), worded, and sorted by position.
//! `PROPTEST_CASES` sets the number of cases per property (256 by default). A failing case is kept
//! in `proptest_loader.proptest-regressions` and replayed first on every run.

use proptest::prelude::*;
use proptest::sample::Index;

const MINIMAL: &str = include_str!("../../../test-support/fixtures/good/minimal.yaml");
const EDGE: &str = include_str!("../../../test-support/fixtures/good/edge.yaml");
const SEED: &str = include_str!("../../../metrics.yaml");

/// What the CLI's `check` does with a catalog, minus comparing with the file on disk.
fn check_path(bytes: &[u8]) -> Result<(), TestCaseError> {
    match crate::pipeline(bytes) {
        Ok((markdown, rust)) => {
            prop_assert!(!markdown.is_empty() && !rust.is_empty());
            // The recorders made from templates are the recorders built directly (templates.rs),
            // here with whatever text the mutations put into names and descriptions.
            let catalog = catalog_model::load_bytes("metrics.yaml", bytes).expect("it loaded with every check");
            prop_assert!(rust == catalog_build::emit::render_direct(&catalog), "templated and direct Rust differ");
        }
        Err(diagnostics) => {
            let list = &diagnostics.0;
            prop_assert!(!list.is_empty(), "an error without a diagnostic");
            // Lines end at \n, \r\n or a lone \r; a diagnostic may point just past the last line (an
            // unexpected end of the file).
            let lone_cr = bytes.windows(2).filter(|w| w[0] == b'\r' && w[1] != b'\n').count()
                + usize::from(bytes.last() == Some(&b'\r'));
            let max_line = bytes.iter().filter(|&&b| b == b'\n').count() + lone_cr + 2;
            for d in list {
                prop_assert_eq!(&d.file, "metrics.yaml");
                prop_assert!(d.line >= 1 && d.col >= 1, "unlocated: {}", d);
                prop_assert!(d.line <= max_line, "line {} of a {}-line input: {}", d.line, max_line - 1, d);
                prop_assert!(!d.message.trim().is_empty(), "no message: {}", d);
            }
            prop_assert!(
                list.windows(2).all(|w| (w[0].line, w[0].col) <= (w[1].line, w[1].col)),
                "not sorted by position:\n{}",
                diagnostics
            );
        }
    }
    Ok(())
}

/// Pieces of YAML syntax, catalog keys and values, so random text often looks like a catalog.
fn yaml_piece() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "\n",
        "\n",
        "\n",
        "  ",
        "  ",
        "    ",
        "- ",
        "- ",
        ": ",
        ": ",
        ":",
        "? ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "&a ",
        "*a",
        "&b ",
        "*b",
        "!!str ",
        "!!map ",
        "!!seq ",
        "!tag ",
        "|\n",
        "|-\n",
        ">\n",
        "'",
        "\"",
        "# c\n",
        "---\n",
        "...\n",
        "%YAML 1.2\n",
        "\t",
        "\r\n",
        "\r",
        "\\",
        "~",
        "null",
        "true",
        "no",
        "0x1F",
        "-.inf",
        ".nan",
        "1e309",
        "<<: *a\n",
        "document",
        "domains",
        "labels",
        "value_maps",
        "metrics",
        "example_queries",
        "dashboards",
        "verification",
        "troubleshooting",
        "next_steps",
        "title",
        "summary",
        "meter_name",
        "name",
        "domain",
        "instrument",
        "type",
        "unit",
        "description",
        "values",
        "free_form",
        "key",
        "status",
        "queries",
        "expr",
        "alerts",
        "buckets",
        "counter",
        "histogram",
        "gauge",
        "u64",
        "f64",
        "planned",
        "instrumented",
        "{job}",
        "ms",
        "rate(x[5m])",
        "²",
        "é",
        "\u{feff}",
        "\u{85}",
        "\u{2028}",
    ]);
    prop_oneof![
        4 => fixed.prop_map(str::to_owned),
        1 => "[a-z_.]{1,8}",
        1 => "-?[0-9]{1,4}(\\.[0-9]{1,3})?",
        1 => any::<char>().prop_map(String::from),
    ]
}

/// A scalar to put where a catalog had one: words, numbers, YAML keywords, and names that the
/// catalog compiler gives meaning to (instruments, types, units, label ids).
fn scalar() -> impl Strategy<Value = String> {
    let keywords = prop::sample::select(vec![
        "",
        "\"\"",
        "''",
        "~",
        "null",
        "true",
        "false",
        "yes",
        "off",
        ".inf",
        "-.nan",
        "0",
        "-1",
        "0o17",
        "0x_1",
        "1e400",
        "18446744073709551616",
        "-9223372036854775809",
        "[]",
        "{}",
        "[a, b]",
        "{a: b}",
        "*a",
        "&a x",
        "!!binary",
        "!!int x",
        "|",
        ">-",
        "- x",
        ": x",
        "#",
        "'",
        "\"",
        "counter",
        "up_down_counter",
        "histogram",
        "gauge",
        "u64",
        "i64",
        "f64",
        "planned",
        "instrumented",
        "defined_not_instrumented",
        "ms",
        "s",
        "%",
        "1",
        "By/s",
        "{job}",
        "{req/s}",
        "_",
        "__x",
        "le",
        "type",
        "self",
        "Self",
        "crate",
        "r#x",
        "5xx",
        "x²",
        "²",
        "\u{345}x",
        "Ⅷ",
        "ünïcode",
        "job_id",
        "outcome",
        "jobs",
        "health",
        "breaker_state",
        "correlation_id",
        "namespace",
        "orchestration",
        "worker",
        "rate(app_jobs_completed_total[5m])",
        "sum by (le) (x_bucket)",
        "x{",
        "{__name__=~\".+\"}",
    ]);
    prop_oneof![
        3 => keywords.prop_map(str::to_owned),
        2 => "[a-zA-Z0-9_. -]{0,12}",
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<f64>().prop_map(|n| n.to_string()),
        1 => any::<String>(),
    ]
}

/// One edit of a catalog's lines.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    /// Adds (positive) or removes (negative) leading spaces.
    Indent(Index, i8),
    /// Replaces the value after `: ` or `- ` (or the whole line) with a scalar.
    Replace(Index, String),
    Insert(Index, String),
    /// Cuts the file at a byte, which may split a UTF-8 sequence.
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => any::<Index>().prop_map(Mutation::Delete),
        1 => any::<Index>().prop_map(Mutation::Duplicate),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        1 => (any::<Index>(), -6i8..=6).prop_map(|(i, d)| Mutation::Indent(i, d)),
        3 => (any::<Index>(), scalar()).prop_map(|(i, s)| Mutation::Replace(i, s)),
        1 => (any::<Index>(), prop::collection::vec(yaml_piece(), 1..8)).prop_map(|(i, p)| Mutation::Insert(i, p.concat())),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text.split('\n').map(|l| l.as_bytes().to_vec()).collect();
    let mut cut = None;
    for m in mutations {
        let n = lines.len();
        match m {
            Mutation::Delete(i) if n > 1 => {
                lines.remove(i.index(n));
            }
            Mutation::Delete(_) => {}
            Mutation::Duplicate(i) => {
                let i = i.index(n);
                lines.insert(i, lines[i].clone());
            }
            Mutation::Swap(a, b) => lines.swap(a.index(n), b.index(n)),
            Mutation::Indent(i, d) => {
                let line = &mut lines[i.index(n)];
                if *d >= 0 {
                    line.splice(0..0, std::iter::repeat_n(b' ', *d as usize));
                } else {
                    let spaces = line.iter().take_while(|&&b| b == b' ').count();
                    line.drain(..spaces.min(d.unsigned_abs() as usize));
                }
            }
            Mutation::Replace(i, s) => {
                let line = &mut lines[i.index(n)];
                let at = find(line, b": ").or_else(|| find(line, b"- ")).map_or(0, |p| p + 2);
                line.truncate(at);
                line.extend_from_slice(s.as_bytes());
            }
            Mutation::Insert(i, s) => lines.insert(i.index(n + 1), s.as_bytes().to_vec()),
            Mutation::Truncate(i) => cut = Some(*i),
        }
    }
    let mut bytes = lines.join(&b'\n');
    if let Some(i) = cut {
        bytes.truncate(i.index(bytes.len() + 1));
    }
    bytes
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// The default configuration: 256 cases per property, or PROPTEST_CASES.
proptest! {
    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_path(&bytes)?;
    }

    #[test]
    fn yaml_ish_text(pieces in prop::collection::vec(yaml_piece(), 0..200)) {
        check_path(pieces.concat().as_bytes())?;
    }

    #[test]
    fn mutated_catalogs(
        source in prop::sample::select(vec![("minimal.yaml", MINIMAL), ("edge.yaml", EDGE), ("metrics.yaml", SEED)]),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        check_path(&apply(source.1, &mutations))?;
    }
}

/// The catalogs themselves pass, so that mutations start from a loadable catalog.
#[test]
fn unmutated_catalogs_load_and_render() {
    for text in [MINIMAL, EDGE, SEED] {
        crate::pipeline(text.as_bytes()).expect("the fixture loads");
    }
}
