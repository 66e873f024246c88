//! The integration tests of the semantic-conventions example, one binary: the recorders exported
//! exactly as the conventions name them, served on `/metrics` with `drop_labels`, and misuse that
//! does not compile.

mod compile_fail;
mod export;
mod served;
