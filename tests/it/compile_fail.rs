//! The typed recorders reject, at compile time, the mistakes the catalog exists to stop. Each case
//! in `tests/ui/` must fail to compile with the error recorded in its `.stderr` file.
//!
//! Regenerate the expected errors with `TRYBUILD=overwrite cargo test --test it compile_fail`, then
//! read the `.stderr` files to check that each error is still the intended one.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
