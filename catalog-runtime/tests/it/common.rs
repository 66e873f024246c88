//! A small catalog written by hand (what `docs_gen::Builder` generates for a service, reduced to
//! what these tests need), a started pipeline serving it, and a plain HTTP/1.1 client over
//! `TcpStream`, so that the tests see the bytes the endpoint sends.

// Each feature set compiles the modules that use a part of this.
#![allow(dead_code)]

use catalog_runtime::catalog::Instrument;
use catalog_runtime::{Catalog, MetricDescriptor, Telemetry, TelemetryConfig};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, Meter};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::ops::Deref;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

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

/// An HTTP answer as it came over the wire.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
    }
}

/// Sends `method /path` with `headers` and `Connection: close`, and reads the whole answer.
pub fn call(address: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2)).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    parse(&raw)
}

pub fn parse(raw: &[u8]) -> Answer {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block");
    let head = std::str::from_utf8(&raw[..end]).expect("ASCII headers");
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    Answer { status, headers, body: raw[end + 4..].to_vec() }
}

/// `GET /metrics` as curl sends it.
pub fn scrape(address: SocketAddr) -> Answer {
    call(address, "GET", "/metrics", &[("Accept", "*/*")])
}

/// Runs `promtool check metrics` on a text exposition when promtool is installed (CI installs it):
/// `Some(output)` when it rejects the text; skipped (with a note) where it is missing, except under
/// `CI=true`.
pub fn promtool_rejects(exposition: &str) -> Option<String> {
    use std::process::{Command, Stdio};
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("promtool not installed"),
        Err(_) => {
            eprintln!("note: promtool not installed (apt-get install -y prometheus): exposition not checked by it");
            return None;
        }
    };
    child.stdin.take().unwrap().write_all(exposition.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    // Exit 0: no problem; 3: lint findings only (names, not validity); 1: the text does not parse.
    match out.status.code() {
        Some(0) | Some(3) => None,
        _ => Some(format!("promtool check metrics: {:?}: {text}", out.status.code())),
    }
}
