//! The typed recorders reject, at compile time, the mistakes the catalog exists to stop. Each case
//! in `ui/` must fail to compile with the error recorded in its `.stderr` file: for Tasker's catalog
//! (a wrong label enum, a missing label, a string for a closed label, the wrong number type, a
//! number for a state gauge) and for the semantic-conventions example (a string for an int
//! attribute, an int for a closed enum, labels given to `bind` in place of its named struct, an
//! optional attribute left unsaid). Both in one trybuild project, built once.
//!
//! Regenerate the expected errors with `TRYBUILD=overwrite cargo test -p compile-fail`, then read
//! the `.stderr` files to check that each error is still the intended one.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/tasker/*.rs");
    t.compile_fail("ui/semconv/*.rs");
}
