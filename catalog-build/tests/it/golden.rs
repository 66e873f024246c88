//! Golden files: the Rust generated from the fixture catalogs (`test-support/fixtures/good`).
//!
//! Run with `UPDATE_GOLDEN=1` to accept new output, then review the diff. The golden Rust is also
//! compiled and used by the root crate's tests (`tests/it/golden_compiles.rs`).

use std::path::{Path, PathBuf};

const FIXTURES: &[&str] = &["minimal", "edge", "otel"];

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.rs"))
}

#[test]
fn generated_rust_matches_golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for name in FIXTURES {
        let path = test_support::fixture(&format!("good/{name}.yaml"));
        let catalog =
            catalog_model::load(&path, &format!("{name}.yaml")).unwrap_or_else(|e| panic!("{name}.yaml: {e}"));
        let text = catalog_build::emit::render(&catalog);
        let golden = golden(name);
        if update {
            catalog_model::write_if_changed(&golden, &text).unwrap();
        } else if std::fs::read_to_string(&golden).ok().as_deref() != Some(text.as_str()) {
            stale.push(golden.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "generated Rust differs from the golden files {stale:?}; if the change is intended, run \
         `UPDATE_GOLDEN=1 cargo test -p catalog-build --test it golden` and review the diff"
    );
}

#[test]
fn generation_is_deterministic() {
    for name in FIXTURES {
        let path = test_support::fixture(&format!("good/{name}.yaml"));
        let a = catalog_model::load(&path, "a.yaml").unwrap();
        let b = catalog_model::load(&path, "a.yaml").unwrap();
        assert_eq!(catalog_build::emit::render(&a), catalog_build::emit::render(&b), "{name}");
    }
}
