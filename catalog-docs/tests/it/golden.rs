//! Golden files: the Markdown reference generated from the fixture catalogs
//! (`test-support/fixtures/good`), rendered with the fixture's verification record,
//! `NAME.verification.json`: records written by `docs-gen verify` against Prometheus 2.42 scraping
//! the exposition of docs-gen's `verify` test, with the panel query
//! `sum(rate(app_jobs_completed_total[5m]))` taken out of minimal's so that the reference shows a
//! query the record lacks.
//!
//! Run with `UPDATE_GOLDEN=1` to accept new output, then review the diff.

use catalog_docs::emit::markdown::{self, Options};
use catalog_docs::plan::Plan;
use catalog_docs::record::Record;
use std::path::{Path, PathBuf};

const FIXTURES: &[&str] = &["minimal", "edge", "otel"];

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.md"))
}

/// The reference as the docs-gen binary writes it by default for a catalog named `display`.
pub fn reference(name: &str, display: &str, record: Option<&Record>) -> String {
    let path = test_support::fixture(&format!("good/{name}.yaml"));
    let (catalog, queries) = catalog_docs::load(&path, display).unwrap_or_else(|e| panic!("{name}.yaml: {e}"));
    let command = markdown::default_command(display);
    let options = Options { record, command: Some(&command), deploy: Some(markdown::DEFAULT_DEPLOY) };
    markdown::render(&Plan::new(&catalog, &queries), &options)
}

#[test]
fn generated_markdown_matches_golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for name in FIXTURES {
        let text = reference(name, &format!("{name}.yaml"), record(name).as_ref());
        let golden = golden(name);
        if update {
            catalog_model::write_if_changed(&golden, &text).unwrap();
        } else if std::fs::read_to_string(&golden).ok().as_deref() != Some(text.as_str()) {
            stale.push(golden.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "the generated reference differs from the golden files {stale:?}; if the change is intended, run \
         `UPDATE_GOLDEN=1 cargo test -p catalog-docs --test it golden` and review the diff"
    );
}

/// The fixture's record; `otel` has none, so its reference shows queries not yet verified.
pub fn record(name: &str) -> Option<Record> {
    let path = test_support::fixture(&format!("good/{name}.verification.json"));
    let record = Record::read(&path).unwrap();
    assert!(record.is_some() || name == "otel", "{} is missing", path.display());
    record
}

#[test]
fn generation_is_deterministic() {
    for name in FIXTURES {
        let (ra, rb) = (record(name), record(name));
        assert_eq!(reference(name, "a.yaml", ra.as_ref()), reference(name, "a.yaml", rb.as_ref()), "{name}");
    }
}
