//! The PromQL stage of a metric catalog: every query of the catalog (metric examples, alerts,
//! example sections, dashboard panels, the verification checklist) parsed once, and checked against
//! the series the catalog really produces, with the `_milliseconds`, `_total` and `_bucket` that
//! Prometheus adds, so that a query in the reference cannot name a series that does not exist.
//!
//! The stages, each a module importing only those before it: [`syntax`] (PromQL alone: parsing,
//! instant or rate-based, walks), [`series`] (the catalog's series by name), [`queries`] (the
//! parsed queries by id), [`check`] (the rules).
//! [`load`] runs the catalog's own stages and this one as one, so that every error of both is
//! reported at once; the result is the catalog with its parsed [`Queries`].
//!
//! A build script that only generates recorders does not need this crate (nor promql-parser's
//! dependencies): queries are not compiled into code.
//!
//! ```
//! let catalog = "
//! metrics:
//!   - name: http.server.request.duration
//!     instrument: histogram
//!     type: f64
//!     unit: s
//!     description: Duration of HTTP server requests.
//!     queries:
//!       - title: p95
//!         expr: histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_bucket[5m])))
//! ";
//! // The query forgot the unit's word that Prometheus adds: located, with the fix.
//! let errors = catalog_promql::load_str("http.yaml", catalog).unwrap_err().to_string();
//! assert!(errors.contains("http.yaml:10:15: error: the query names `http_server_request_duration_bucket`"));
//! assert!(errors.contains("did you mean `http_server_request_duration_seconds_bucket`?"));
//! ```

pub mod check;
pub mod queries;
pub mod series;
pub mod syntax;

pub use queries::{Parsed, Queries};
pub use series::SeriesIndex;
pub use syntax::QueryKind;

use catalog_model::model::Catalog;
use catalog_model::{Ctxt, Diagnostics};
use std::path::Path;

/// This crate's checks as a stage of the catalog's load ([`catalog_model::Stage`]): to be run by
/// [`load`], or composed into a later stage's.
pub fn stage(catalog: &Catalog, cx: &mut Ctxt) -> Queries {
    Queries::new(check::all(catalog, cx))
}

/// Loads and checks the catalog at `path`, PromQL included. Diagnostics name it `display`.
pub fn load(path: &Path, display: &str) -> Result<(Catalog, Queries), Diagnostics> {
    catalog_model::load_with(path, display, stage)
}

/// [`load`] from the catalog's text.
pub fn load_str(display: &str, text: &str) -> Result<(Catalog, Queries), Diagnostics> {
    catalog_model::load_str_with(display, text, stage)
}
