//! The loader on arbitrary bytes, as `docs-gen check` runs it: load, then render both outputs.
//! Any panic, abort, stack overflow or time-out is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(catalog) = docs_gen::load_bytes("metrics.yaml", bytes) {
        docs_gen::emit_markdown::render(&catalog);
        docs_gen::emit_rust::render(&catalog);
    }
});
