//! Typed OpenTelemetry recorders generated from a metric catalog in a build script, in the manner
//! of prost-build: [`Builder`] loads and checks the catalog (`catalog-model`) and writes the Rust
//! code ([`emit`]) that the including crate compiles against `catalog-runtime`.
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     catalog_build::Builder::new("http.yaml").generate_or_exit();
//! }
//! ```
//!
//! and where the recorders are wanted, by the catalog's file name (as `tonic::include_proto!`):
//!
//! ```ignore
//! catalog_runtime::include_catalog!("http.yaml");
//! ```
//!
//! (The recorders themselves are in `OUT_DIR/http.rs`, `my-app.yaml` → `my_app.rs`, for an
//! `include!` of your own.)
//!
//! The build checks everything the generated code depends on (names, instruments, number types,
//! units, labels and their values, cardinality limits, ...), each error located
//! (`http.yaml:LINE:COL`) with a hint. The catalog's queries, alerts and dashboards are checked by
//! `docs-gen check` (or here with the feature `reference`), as they are not compiled into code.

// The examples are whole build scripts, `fn main` included, as a user writes them.
#![allow(clippy::needless_doctest_main)]

mod builder;
pub mod emit;

pub use builder::{Builder, Generated};
