//! `docs-gen live-check`: what a running service emits, compared with what its catalog declares.
//!
//! A source (a Prometheus exposition, [`prometheus`]; an OTLP export, [`otlp`]) is fed to the
//! [`Checker`] family by family and point by point. The checker names every drift
//! ([`Kind`]): families the catalog does not declare, a type, unit, number type or bucket
//! boundaries that differ, label keys missing or undeclared, closed values outside their set,
//! overflow series (`otel_metric_overflow`), and metrics seen while the catalog says they are not
//! instrumented. It also measures coverage: which metrics with status `instrumented` were seen, and
//! which closed values of each of their labels. Metrics with status `planned` or
//! `defined_not_instrumented` are not counted as missing.
//!
//! Findings are counted, not repeated: each (kind, metric, detail) is reported once, at its first
//! place in the source, with how many times it occurred.

pub mod checker;
pub mod otlp;
pub mod prometheus;
pub mod report;

pub use checker::{Checker, Finding, Kind, Naming, Options};
pub use prometheus::{check_exposition, scrape};
pub use report::{Gate, LabelCoverage, MetricCoverage, NotCounted, Report};
