//! The integration tests of the semantic-conventions example, one binary: the recorders exported
//! exactly as the conventions name them, and served on `/metrics` with `drop_labels`. (Misuse that
//! does not compile is tested in `tests/compile-fail`.)

mod export;
mod served;
