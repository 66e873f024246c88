//! What the workspace's tests and benchmarks share, in one place: the [`fixtures`](fs::fixture)
//! every crate's tests read, a real [`Prometheus`](prometheus::Prometheus) server started on
//! loopback with a client of its API, `promtool`, a plain HTTP/1.1 client ([`net`]), the
//! workspace's binaries built on demand ([`process`]), a log in memory ([`log`]), a current
//! [`span`] for exemplars, and the [`synthetic`] catalogs of the code generation benchmark.
//!
//! Tests that need Prometheus or promtool say so and pass where they are missing, except under
//! `CI=true`, where they fail ([`prometheus::prometheus_installed`]).

pub mod fs;
pub mod log;
pub mod net;
pub mod process;
pub mod prometheus;
pub mod span;
pub mod synthetic;

pub use fs::{TempDir, copy_dir, fixture, workspace};
pub use log::Log;
pub use net::{Answer, free_port, scrape};
pub use process::{NoLine, Reaped, docs_gen_binary, wait_line, workload_binary};
pub use prometheus::{Api, Prometheus, describe, prometheus_installed, promtool_rejects};
