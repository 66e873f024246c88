//! A metric catalog (`metrics.yaml`) read, resolved and checked into the validated [`Catalog`]
//! every later stage reads: the code generator (`catalog-build`), the PromQL checks
//! (`catalog-promql`), the reference, rules and dashboards (`catalog-docs`) and the tools
//! (`docs-gen`).
//!
//! The stages, each a module, each importing only the ones listed before it:
//!
//! 1. leaves: [`parallel`] (work shared out among cores), [`registry`] (an OpenTelemetry
//!    semantic-conventions registry read as a catalog's text), [`source`] (positions in the YAML),
//!    [`diag`] (every message, located and collected), [`ident`] (the one sanitizer of Rust
//!    names), [`markdown`] (inline code), [`notation`] (durations, promtool's values, templates);
//! 2. [`parse`]: serde structs that mirror the YAML exactly;
//! 3. [`model`]: the validated catalog's types;
//! 4. [`slos`]: the service level objectives resolved (defaults applied, the rules that need no
//!    PromQL checked), which [`resolve`] calls;
//! 5. [`sections`]: each section item deserialized from its located node;
//! 6. [`resolve`]: the sections resolved into the model;
//! 7. [`check`]: the cross-field rules, one function per rule;
//! 8. [`load`]: all of them in order, with a later [`Stage`] (such as the PromQL checks) run before
//!    the errors are collected, so that one load reports every error at once.
//!
//! ```
//! let catalog = catalog_model::load_str(
//!     "app.yaml",
//!     "metrics:\n  - name: app.jobs\n    instrument: counter\n    type: u64\n    unit: '{job}'\n    description: Jobs run.\n",
//! )
//! .unwrap();
//! assert_eq!(catalog.metrics[0].prometheus.base, "app_jobs_total");
//! ```

pub mod check;
pub mod diag;
pub mod ident;
pub mod load;
pub mod markdown;
pub mod model;
pub mod notation;
pub mod parallel;
pub mod parse;
pub mod registry;
pub mod resolve;
pub mod sections;
pub mod slos;
pub mod source;

pub use diag::{Ctxt, Diagnostic, Diagnostics};
pub use load::{Stage, load, load_bytes, load_bytes_with, load_str, load_str_with, load_with, locate};
pub use model::Catalog;

use std::io;
use std::path::Path;

/// Writes `contents` to `path` unless it already holds exactly that. The text goes to a temporary
/// file beside it first and is renamed into place, so no reader ever sees a half-written file.
/// Returns whether the file changed. (For every generator of files from a catalog: the build
/// script's and the tools'.)
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
