//! A small catalog written by hand (what `catalog_build::Builder` generates for a service, reduced
//! to what these tests need), a started pipeline serving it, and test-support's plain HTTP/1.1
//! client over `TcpStream`, so that the tests see the bytes the endpoint sends.

// Each feature set compiles the modules that use a part of this.
#![allow(dead_code)]

use catalog_runtime::catalog::Instrument;
use catalog_runtime::{Catalog, MetricDescriptor, Telemetry, TelemetryConfig};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, Meter};
use std::ops::Deref;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Two metrics: a counter with one free-form label and a histogram in seconds.
#[derive(Clone, Debug)]
pub struct Demo {
    pub requests: Option<Counter<u64>>,
    pub latency: Option<Histogram<f64>>,
}

impl Catalog for Demo {
    const METER_NAME: &'static str = "demo";
    const METRICS: &'static [MetricDescriptor] = &[
        MetricDescriptor {
            name: "demo.requests",
            instrument: Instrument::Counter,
            unit: "{request}",
            prometheus_name: "demo_requests_total",
            label_keys: &["route"],
            cardinality_limit: 2000,
        },
        MetricDescriptor {
            name: "demo.latency",
            instrument: Instrument::Histogram,
            unit: "s",
            prometheus_name: "demo_latency_seconds",
            label_keys: &["route"],
            cardinality_limit: 2000,
        },
    ];

    fn new(meter: &Meter) -> Self {
        Demo {
            requests: Some(
                meter.u64_counter("demo.requests").with_unit("{request}").with_description("Requests served.").build(),
            ),
            latency: Some(
                meter
                    .f64_histogram("demo.latency")
                    .with_unit("s")
                    .with_description("Request latency.")
                    .with_boundaries(vec![0.1, 1.0])
                    .build(),
            ),
        }
    }

    fn disabled() -> Self {
        Demo { requests: None, latency: None }
    }
}

impl Demo {
    pub fn request(&self, route: impl Into<opentelemetry::StringValue>, seconds: f64) {
        let route = KeyValue::new("route", route.into());
        if let Some(c) = &self.requests {
            c.add(1, std::slice::from_ref(&route));
        }
        if let Some(h) = &self.latency {
            h.record(seconds, &[route]);
        }
    }
}

/// Held by every running endpoint of these tests (shared), or by a test that must have the
/// process's endpoints to itself (alone): the endpoints' threads all have one name.
static ENDPOINTS: RwLock<()> = RwLock::new(());

/// A running pipeline of these tests, and its share of the process's endpoints. The pipeline
/// (and with it its threads) stops before the share is given back.
pub struct Served {
    telemetry: Telemetry<Demo>,
    _shared: RwLockReadGuard<'static, ()>,
}

impl Deref for Served {
    type Target = Telemetry<Demo>;

    fn deref(&self) -> &Telemetry<Demo> {
        &self.telemetry
    }
}

/// The pipeline with only the Prometheus endpoint, on a free loopback port; `extra` is more of the
/// `[telemetry.opentelemetry]` table. It waits while a test is [`alone`].
pub fn serve(extra: &str) -> Served {
    let shared = ENDPOINTS.read().unwrap_or_else(|e| e.into_inner());
    Served { telemetry: start(extra), _shared: shared }
}

/// Waits until no other test's endpoint runs, and keeps others from starting one until the guard
/// is dropped; the test's own endpoint comes from [`serve_alone`].
pub fn alone() -> RwLockWriteGuard<'static, ()> {
    ENDPOINTS.write().unwrap_or_else(|e| e.into_inner())
}

/// The pipeline of [`serve`], for a test that holds [`alone`].
pub fn serve_alone(_alone: &RwLockWriteGuard<'static, ()>, extra: &str) -> Telemetry<Demo> {
    start(extra)
}

fn start(extra: &str) -> Telemetry<Demo> {
    let toml = format!(
        "[telemetry.opentelemetry]\nexporters = [\"prometheus\"]\n{extra}\n[telemetry.prometheus]\nlisten_address = \"127.0.0.1:0\"\n"
    );
    let config = TelemetryConfig::from_toml("test.toml", &toml).unwrap_or_else(|e| panic!("{e}"));
    Telemetry::init(&config).unwrap_or_else(|e| panic!("{e}"))
}

// The plain HTTP/1.1 client over `TcpStream` and promtool, as every crate's tests use them (each
// feature set's tests use a part of them).
#[allow(unused_imports)]
pub use test_support::net::{call, parse, scrape};
#[allow(unused_imports)]
pub use test_support::promtool_rejects;
