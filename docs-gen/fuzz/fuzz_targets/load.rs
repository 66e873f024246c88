//! The loader on arbitrary bytes, as `docs-gen check` runs it: load, then render both outputs.
//! Any panic, abort, stack overflow or time-out is a bug, and so is Rust from the recorder
//! templates that differs from the Rust built directly.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok((catalog, queries)) = catalog_docs::load_bytes("metrics.yaml", bytes) {
        let plan = catalog_docs::plan::Plan::new(&catalog, &queries);
        catalog_docs::emit::markdown::render(&plan, &Default::default());
        let rust = catalog_build::emit::render(&catalog);
        assert!(rust == catalog_build::emit::render_direct(&catalog), "templated and direct Rust differ");
    }
});
