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

pub mod commands;
pub mod diff;
pub mod http;
pub mod live;
pub mod verify;
