//! The tools of a metric catalog, behind the `docs-gen` binary: [`commands`] has one module per
//! command (`generate`, `check`, `diff`, `live-check`, `verify`), each with one entry point, over
//! the libraries below them:
//!
//! - [`http`]: the one HTTP client configuration of the commands that talk to a server;
//! - [`diff`]: two versions of a catalog compared field by field, under each metric's stability;
//! - [`live`]: what a running service emits (a Prometheus exposition, OTLP exports) compared with
//!   the catalog, drift by drift, with coverage;
//! - [`verify`]: every query of the catalog run against a live Prometheus, with its client [`verify::api`].
//!
//! They read catalogs through `catalog-model` (the model and its checks), `catalog-promql` (the
//! queries) and `catalog-docs` (the reference, rules and dashboards, and the full load of every
//! check), and import nothing from each other but [`http`].
//!
//! What `docs-gen live-check --exposition FILE` does, as a library call:
//!
//! ```
//! use docs_gen::live::{Checker, Naming, Options};
//!
//! let catalog = "
//! labels:
//!   outcome: {values: [ok, failed], description: How it ended.}
//! metrics:
//!   - {name: shop.orders, instrument: counter, type: u64, unit: '{order}', description: Orders., labels: [outcome]}
//! ";
//! let catalog = catalog_model::load_str("shop.yaml", catalog).unwrap();
//! let mut checker = Checker::new(&catalog, Naming::Prometheus, "scrape", Options::default());
//! let scrape = "# TYPE shop_orders_total counter\nshop_orders_total{outcome=\"lost\"} 1\n";
//! docs_gen::live::prometheus::check_exposition(&mut checker, scrape).unwrap();
//! let report = checker.finish();
//! // `lost` is not one of the label's declared values: a finding, at its line.
//! assert_eq!(report.findings.len(), 1);
//! assert_eq!(report.findings[0].at, "scrape:2");
//! ```

pub mod commands;
pub mod diff;
pub mod http;
pub mod live;
pub mod verify;
