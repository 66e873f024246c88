//! catalog-runtime's integration tests, in one binary (one link, one run), a module each.
//!
//! They share one process: tests that start the `/metrics` endpoint go through
//! [`common::serve`], and a test that must be alone with its endpoint (one that counts the
//! endpoint's threads) takes [`common::alone`].

mod common;
mod config_proptest;
#[cfg(feature = "prometheus")]
mod connections;
#[cfg(feature = "prometheus")]
mod endpoint;
#[cfg(feature = "prometheus")]
mod exemplars;
// The default build has no `otlp`: what a build without an exporter does with it.
#[cfg(not(feature = "otlp"))]
mod exporters;
#[cfg(feature = "prometheus")]
mod exposition;
