//! The runtime of a metric catalog compiled by `catalog-build`, in the manner of prost and
//! prost-build: the generated code holds only what differs per metric (names, label sets, docs)
//! and calls into this crate for everything else.
//!
//! - [`instrument`]: the machinery every generated recorder delegates to (recording through an
//!   attribute array on the stack, `bind()` tables of pre-resolved series, the disabled fast path);
//! - [`labels`]: what every generated label enum and gauge state enum has ([`label_enum!`],
//!   [`state_enum!`]);
//! - [`Catalog`]: what a generated `Metrics` tells the runtime of its metrics (Prometheus names,
//!   label keys, cardinality limits);
//! - [`TelemetryConfig`] (`telemetry.toml`, every value checked where it is read) and
//!   [`Telemetry`], the OpenTelemetry SDK pipeline with OTLP, the Prometheus `/metrics` endpoint
//!   and stdout, for any catalog:
//!
//! ```no_run
//! # fn demo<Metrics: catalog_runtime::Catalog>() -> Result<(), Box<dyn std::error::Error>> {
//! let config = catalog_runtime::TelemetryConfig::load("telemetry.toml".as_ref())?;
//! let telemetry = catalog_runtime::Telemetry::<Metrics>::init(&config)?;
//! let metrics: &Metrics = telemetry.metrics(); // no-op recorders when disabled
//! # Ok(()) }
//! ```
//!
//! Each exporter is a cargo feature, so that a service compiles only the ones it uses:
//! `prometheus` (the `/metrics` endpoint, on by default), `otlp` (OTLP/gRPC push) and `stdout`. A
//! telemetry.toml that asks for an exporter this build lacks is refused when it is read, with the
//! feature to enable.

#![deny(missing_docs)]

pub mod catalog;
pub mod config;
pub mod exemplar;
pub mod export;
pub mod instrument;
pub mod labels;
#[cfg(feature = "otlp")]
mod otlp;
#[cfg(feature = "prometheus")]
pub mod prometheus;
pub mod telemetry;

pub use catalog::{Catalog, MetricDescriptor};
pub use config::TelemetryConfig;
pub use telemetry::{Telemetry, TelemetryError};

/// Includes the recorders `catalog_build::Builder` generated from a catalog, named by the catalog's
/// file name as the build script gave it (without its directories), as `tonic::include_proto!`
/// includes a package:
///
/// ```ignore
/// // build.rs: catalog_build::Builder::new("catalog/my-app.yaml").generate_or_exit();
/// catalog_runtime::include_catalog!("my-app.yaml");
/// ```
///
/// It expands to `include!(concat!(env!("OUT_DIR"), "/my-app.yaml.rs"))`, a file the builder writes
/// beside the recorders. A name that is not the catalog's fails with rustc's "couldn't read
/// `…/out/NAME.rs`".
#[macro_export]
macro_rules! include_catalog {
    ($catalog:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $catalog, ".rs"));
    };
}

/// The naming rule the catalog compiler used for the catalog's names, which the `/metrics` endpoint
/// applies to every metric it exposes.
pub use otel_prometheus_names as names;
