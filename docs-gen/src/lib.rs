//! The tasker-metrics catalog compiler, for any service's catalog.
//!
//! The stages, each a module: [`catalog`] reads the YAML ([`catalog::parse`], located by
//! [`catalog::source`]), resolves it into a validated [`catalog::model::Catalog`] and checks every
//! rule ([`catalog::check`], and [`promql`] for queries), reporting through [`catalog::diag`];
//! [`names`] holds the naming rules (Prometheus's series and label names, Rust identifiers);
//! [`emit`] writes the typed Rust recorders ([`emit::rust`]) and the Markdown reference
//! ([`emit::markdown`]). A build script goes through [`Builder`], the `docs-gen` binary through
//! [`load()`] and the emitters, so they cannot disagree.
//!
//! [`verify`] runs every query of the catalog against a live Prometheus server ([`verify::api`])
//! and writes the [`record`] the reference renders its expected outputs from (cargo feature `cli`,
//! on by default; a build script needs none of it).
//!
//! [`diff`] compares two versions of a catalog under each metric's stability level; [`live`]
//! compares what a running service emits (a Prometheus exposition, OTLP exports) with the catalog.
//!
//! A crate generates its recorders from its own catalog with [`Builder`], from its build.rs:
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     docs_gen::Builder::new("http.yaml").generate_or_exit();
//! }
//! ```
//!
//! and includes them where it wants them:
//!
//! ```ignore
//! include!(concat!(env!("OUT_DIR"), "/http.rs"));
//! ```

// The examples are whole build scripts, `fn main` included, as a user writes them.
#![allow(clippy::needless_doctest_main)]

mod builder;
pub mod catalog;
pub mod diff;
pub mod emit;
pub mod live;
pub mod names;
mod parallel;
pub mod promql;
pub mod record;
#[cfg(feature = "cli")]
pub mod verify;

pub use builder::{Builder, Generated};
pub use catalog::diag::{Diagnostic, Diagnostics};
pub use catalog::load::{load, load_bytes, load_str};
pub use catalog::model::Catalog;
pub use record::Record;

use std::io;
use std::path::Path;

/// The file name of the reference the docs-gen binary writes into its output directory.
pub const REFERENCE_FILE: &str = "METRICS.md";

/// Writes `contents` to `path` unless it already holds exactly that. The text goes to a temporary
/// file beside it first and is renamed into place, so no reader ever sees a half-written file.
/// Returns whether the file changed.
pub fn write_if_changed(path: &Path, contents: &str) -> io::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    Ok(true)
}
