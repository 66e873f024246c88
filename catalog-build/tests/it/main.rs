//! The integration tests of catalog-build, one binary (as cargo's own `tests/testsuite`): the
//! builder a build script calls, the generated Rust against golden files, templated recorders
//! against recorders built directly, and the whole pipeline (load, check, render) on hostile and
//! random input.

mod build_script;
mod golden;
mod proptest_loader;
mod robustness;
mod templates;

use catalog_model::Diagnostics;

/// What `docs-gen check` and a build script run on a catalog's bytes: every check, then both
/// outputs, the reference and the recorders. `Ok((markdown, rust))`, or the diagnostics.
pub fn pipeline(bytes: &[u8]) -> Result<(String, String), Diagnostics> {
    let (catalog, queries) = catalog_docs::load_bytes("metrics.yaml", bytes)?;
    let plan = catalog_docs::plan::Plan::new(&catalog, &queries);
    let markdown = catalog_docs::emit::markdown::render(&plan, &Default::default());
    Ok((markdown, catalog_build::emit::render(&catalog)))
}
