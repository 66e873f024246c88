//! What a metric catalog generates for people and operators, and the checks that need it: the
//! Markdown reference, the Prometheus rule file with its promtool unit tests, the Grafana
//! dashboards.
//!
//! The stages, each a module importing only those before it: [`record`] (the verification record
//! a reference shows results from), [`plan`] (what the emitters share, worked out once: names and
//! links, each dashboard's variables and targets, the recording rules), [`check`] (the dashboards'
//! rules that need the plan), [`emit`] (one module per output, never importing another),
//! [`outputs`] (which files go where). [`load`] runs every check of the catalog, the model's, the
//! PromQL stage's and this crate's, as one stage, so that every error is reported at once.
//!
//! ```no_run
//! use catalog_docs::plan::Plan;
//! let (catalog, queries) = catalog_docs::load("metrics.yaml".as_ref(), "metrics.yaml")?;
//! let plan = Plan::new(&catalog, &queries);
//! let reference = catalog_docs::emit::markdown::render(&plan, &Default::default());
//! # Ok::<(), catalog_model::Diagnostics>(())
//! ```

pub mod check;
pub mod emit;
pub mod outputs;
pub mod plan;
pub mod record;

pub use record::Record;

use catalog_model::model::Catalog;
use catalog_model::{Ctxt, Diagnostics};
use catalog_promql::Queries;
use std::path::Path;

/// The file name of the reference the docs-gen binary writes into its output directory.
pub const REFERENCE_FILE: &str = "METRICS.md";

/// Every check after the model's, as one stage of the catalog's load: the PromQL checks, then the
/// dashboards'.
pub fn stage(catalog: &Catalog, cx: &mut Ctxt) -> Queries {
    let queries = catalog_promql::stage(catalog, cx);
    check::all(catalog, &queries, cx);
    queries
}

/// Loads the catalog at `path` and runs every check; diagnostics name it `display`.
pub fn load(path: &Path, display: &str) -> Result<(Catalog, Queries), Diagnostics> {
    catalog_model::load_with(path, display, stage)
}

/// [`load`] from the catalog's bytes.
pub fn load_bytes(display: &str, bytes: &[u8]) -> Result<(Catalog, Queries), Diagnostics> {
    catalog_model::load_bytes_with(display, bytes, stage)
}

/// [`load`] from the catalog's text.
pub fn load_str(display: &str, text: &str) -> Result<(Catalog, Queries), Diagnostics> {
    catalog_model::load_str_with(display, text, stage)
}
