//! The tasker-metrics catalog compiler.
//!
//! `metrics.yaml` is parsed ([`parse`]), resolved into a validated [`model::Catalog`] ([`model`],
//! [`check`], [`promql`]), and emitted as typed Rust recorders ([`emit_rust`]) and the Markdown
//! metrics reference ([`emit_markdown`]). build.rs and the `docs-gen` binary both go through
//! [`load()`], so they cannot disagree.
//!
//! [`verify`] runs every query of the catalog against a live Prometheus server ([`prometheus_api`])
//! and writes the [`record`] the reference renders its expected outputs from.

pub mod check;
pub mod diag;
pub mod ident;
pub mod load;
pub mod model;
mod parallel;
pub mod parse;
pub mod prometheus;
pub mod prometheus_api;
pub mod promql;
pub mod record;
pub mod source;
pub mod verify;

pub use diag::{Diagnostic, Diagnostics};
pub use load::{load, load_bytes, load_str};
pub use model::Catalog;
pub use record::Record;
pub mod emit_markdown;
pub mod emit_rust;

use std::io;
use std::path::Path;

/// The file name of the generated reference inside its output directory.
pub const REFERENCE_FILE: &str = "METRICS.md";
/// The file name of the generated Rust inside OUT_DIR.
pub const RUST_FILE: &str = "tasker_metrics.rs";

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

/// What build.rs does: loads the catalog and writes the Rust recorders and the reference into
/// `out_dir`. On catalog errors nothing is written and the diagnostics are returned.
pub fn generate_into(catalog: &Path, display: &str, out_dir: &Path) -> Result<(), String> {
    generate_into_with_record(catalog, display, out_dir, None)
}

/// [`generate_into`], with each query's expected output in the reference taken from the
/// verification record at `record` (`docs/verification.json`; a missing file means no record). An
/// unreadable or malformed record is an error, and nothing is written.
pub fn generate_into_with_record(
    catalog: &Path,
    display: &str,
    out_dir: &Path,
    record: Option<&Path>,
) -> Result<(), String> {
    let c = load(catalog, display).map_err(|d| d.to_string())?;
    let record = match record {
        Some(path) => Record::read(path).map_err(|e| format!("error: {e}"))?,
        None => None,
    };
    let rust = emit_rust::render(&c);
    let markdown = emit_markdown::render_with_record(&c, record.as_ref());
    for (file, text) in [(RUST_FILE, &rust), (REFERENCE_FILE, &markdown)] {
        let path = out_dir.join(file);
        write_if_changed(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
