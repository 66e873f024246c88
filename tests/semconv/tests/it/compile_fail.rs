//! Misuse of the semantic-conventions recorders does not compile: a string for an int attribute,
//! an int for a closed enum, labels given to `bind` in place of its named struct, an optional
//! attribute left unsaid. `TRYBUILD=overwrite cargo test -p semconv-example --test it compile_fail`
//! accepts new compiler output (review it).

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
