//! The loader on arbitrary bytes, as `docs-gen check` runs it: load, then render both outputs.
//! Any panic, abort, stack overflow or time-out is a bug, and so is Rust from the recorder
//! templates that differs from the Rust built directly.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(catalog) = docs_gen::load_bytes("metrics.yaml", bytes) {
        docs_gen::emit::markdown::render(&catalog);
        let rust = docs_gen::emit::rust::render(&catalog);
        assert!(rust == docs_gen::emit::rust::render_direct(&catalog), "templated and direct Rust differ");
    }
});
