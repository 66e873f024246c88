//! Golden files: the Rust and Markdown generated from small fixture catalogs.
//!
//! Run with `UPDATE_GOLDEN=1` to accept new output, then review the diff. The golden Rust is also
//! compiled and used by the root crate's `tests/golden_compiles.rs`.
//!
//! The Markdown is rendered with the fixture's verification record, `NAME.verification.json`:
//! records written by `docs-gen verify` against Prometheus 2.42 scraping the exposition of
//! `tests/verify.rs`, with the panel query `sum(rate(app_jobs_completed_total[5m]))` taken out of
//! minimal's so that the reference shows a query the record lacks.

use std::path::{Path, PathBuf};

const FIXTURES: &[&str] = &["minimal", "edge", "otel"];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

#[test]
fn generated_rust_and_markdown_match_golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for name in FIXTURES {
        let path = dir().join("fixtures/good").join(format!("{name}.yaml"));
        let catalog = docs_gen::load(&path, &format!("{name}.yaml")).unwrap_or_else(|e| panic!("{name}.yaml: {e}"));
        let record = record(name);
        for (ext, text) in [
            ("rs", docs_gen::emit::rust::render(&catalog)),
            ("md", docs_gen::emit::markdown::render_with_record(&catalog, record.as_ref())),
        ] {
            let golden = dir().join("golden").join(format!("{name}.{ext}"));
            if update {
                docs_gen::write_if_changed(&golden, &text).unwrap();
            } else if std::fs::read_to_string(&golden).ok().as_deref() != Some(text.as_str()) {
                stale.push(golden.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated output differs from the golden files {stale:?}; if the change is intended, run \
         `UPDATE_GOLDEN=1 cargo test -p docs-gen --test golden` and review the diff"
    );
}

/// The fixture's record; `otel` has none, so its reference shows queries not yet verified.
fn record(name: &str) -> Option<docs_gen::Record> {
    let path = dir().join("fixtures/good").join(format!("{name}.verification.json"));
    let record = docs_gen::Record::read(&path).unwrap();
    assert!(record.is_some() || name == "otel", "{} is missing", path.display());
    record
}

#[test]
fn generation_is_deterministic() {
    for name in FIXTURES {
        let path = dir().join("fixtures/good").join(format!("{name}.yaml"));
        let a = docs_gen::load(&path, "a.yaml").unwrap();
        let b = docs_gen::load(&path, "a.yaml").unwrap();
        assert_eq!(docs_gen::emit::rust::render(&a), docs_gen::emit::rust::render(&b), "{name}");
        let (ra, rb) = (record(name), record(name));
        assert_eq!(
            docs_gen::emit::markdown::render_with_record(&a, ra.as_ref()),
            docs_gen::emit::markdown::render_with_record(&b, rb.as_ref()),
            "{name}"
        );
    }
}
