//! The compile-fail cases of the generated recorders live in `tests/it` and `ui/`; this crate only
//! gives them a project whose dependencies are the two catalogs' crates and nothing else.
