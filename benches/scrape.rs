//! The `/metrics` endpoint under load, on loopback: scrapes per second and latency percentiles
//! with clients scraping as fast as they can, without and with a client that stopped reading, and
//! the endpoint's threads beside 1,000 idle connections. Not criterion: a scrape is milliseconds
//! and the figures wanted are a rate and a p99 under concurrency, which this measures directly.
//!
//! ```text
//! cargo bench --bench scrape                     # the workload's shape: 2,500 tasks × 4 steps
//! SCRAPE_TASKS=250 cargo bench --bench scrape    # a smaller exposition
//! ```

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use tasker_metrics::labels::{ErrorType, Result as ExecutionResult, StepResultType};
use tasker_metrics::{Telemetry, TelemetryConfig, orchestration as o, worker as w};

/// Records what `tasker_workload --tasks N --steps 4` records per task, on the metrics that carry
/// `correlation_id` (the SDK keeps at most 2,000 sets of each).
fn record(telemetry: &Telemetry, tasks: usize) {
    let m = telemetry.metrics();
    for t in 0..tasks {
        let id: opentelemetry::StringValue = std::sync::Arc::<str>::from(format!("0199c3e0-{t:012}")).into();
        m.orchestration.tasks_requests_total.add(
            1,
            o::TasksRequestsTotalLabels {
                correlation_id: id.clone(),
                task_type: "mathematical_sequence".into(),
                namespace: "rust_e2e_linear".into(),
            },
        );
        for s in 0..4 {
            m.worker.steps_executions_total.add(1, w::StepsExecutionsTotalLabels { correlation_id: id.clone() });
            m.worker.step_execution_duration.record(
                (t * 4 + s) as f64 % 900.0,
                w::StepExecutionDurationLabels {
                    correlation_id: id.clone(),
                    namespace: "rust_e2e_linear".into(),
                    result: if s == 3 { ExecutionResult::Error } else { ExecutionResult::Success },
                },
            );
            if s == 3 {
                m.worker.steps_failures_total.add(
                    1,
                    w::StepsFailuresTotalLabels {
                        correlation_id: id.clone(),
                        namespace: "rust_e2e_linear".into(),
                        error_type: ErrorType::DatabaseError,
                    },
                );
            }
            m.orchestration.step_results_processed_total.add(
                1,
                o::StepResultsProcessedTotalLabels { correlation_id: id.clone(), result_type: StepResultType::Success },
            );
        }
    }
}

/// One kept-alive client: GET /metrics as Prometheus asks for it (OpenMetrics, gzip) or as curl
/// does, reading each whole answer.
struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
    request: &'static [u8],
}

const PROMETHEUS: &[u8] =
    b"GET /metrics HTTP/1.1\r\nHost: bench\r\nAccept: application/openmetrics-text;version=1.0.0,\
    application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n\
    Accept-Encoding: gzip\r\n\r\n";
const CURL: &[u8] = b"GET /metrics HTTP/1.1\r\nHost: bench\r\nAccept: */*\r\n\r\n";

impl Client {
    fn new(address: SocketAddr, request: &'static [u8]) -> Client {
        let stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        Client { stream, buf: Vec::with_capacity(1 << 20), request }
    }

    /// One scrape; the body's size.
    fn scrape(&mut self) -> usize {
        self.stream.write_all(self.request).unwrap();
        self.buf.clear();
        let mut chunk = [0u8; 65536];
        loop {
            let n = self.stream.read(&mut chunk).unwrap();
            assert!(n > 0, "the endpoint closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..end]).unwrap();
                assert!(head.starts_with("HTTP/1.1 200"), "{head}");
                let len: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap();
                if self.buf.len() >= end + 4 + len {
                    return len;
                }
            }
        }
    }
}

struct Figures {
    scrapes: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
    bytes: usize,
}

/// `clients` threads scraping back to back for `seconds`.
fn load(address: SocketAddr, clients: usize, seconds: f64, request: &'static [u8]) -> Figures {
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|_| {
                scope.spawn(move || {
                    let mut client = Client::new(address, request);
                    let mut times = Vec::new();
                    let mut bytes = 0;
                    while Instant::now() < until {
                        let t = Instant::now();
                        bytes = client.scrape();
                        times.push(t.elapsed());
                    }
                    (times, bytes)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let bytes = results[0].1;
    let mut all: Vec<Duration> = results.into_iter().flat_map(|(t, _)| t).collect();
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q).ceil() as usize).clamp(1, all.len()) - 1];
    Figures {
        scrapes: all.len(),
        per_second: all.len() as f64 / elapsed,
        p50: at(0.50),
        p99: at(0.99),
        max: *all.last().unwrap(),
        bytes,
    }
}

fn print(what: &str, f: &Figures) {
    println!(
        "{what:<58} {:>6} scrapes {:>8.1}/s  p50 {:>9.2?}  p99 {:>9.2?}  max {:>9.2?}  ({} bytes each)",
        f.scrapes, f.per_second, f.p50, f.p99, f.max, f.bytes
    );
}

/// A client that sends a request for the whole exposition and never reads, with a small receive
/// window so that the endpoint's writes really stall.
fn stalled_reader(address: SocketAddr) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&address.into()).unwrap();
    let mut stream: TcpStream = socket.into();
    stream.write_all(CURL).unwrap();
    stream
}

fn endpoint_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|name| name.trim() == catalog_runtime::prometheus::endpoint::THREAD_NAME)
        .count()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: then run briefly.
    let quick = !std::env::args().any(|a| a == "--bench");
    let tasks: usize = std::env::var("SCRAPE_TASKS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_500);
    let seconds = if quick { 0.2 } else { 10.0 };
    let config = TelemetryConfig::from_toml(
        "bench.toml",
        "[telemetry.opentelemetry]\nexporters = [\"prometheus\"]\n[telemetry.prometheus]\nlisten_address = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let telemetry = Telemetry::init(&config).unwrap();
    record(&telemetry, if quick { 50 } else { tasks });
    let address = telemetry.prometheus_address().unwrap();
    println!("/metrics of {tasks} tasks × 4 steps with correlation ids, {seconds} s per row, on {address}");

    print("1 client, text (as curl asks)", &load(address, 1, seconds, CURL));
    print("1 client, OpenMetrics + gzip (as Prometheus asks)", &load(address, 1, seconds, PROMETHEUS));
    print("4 clients, OpenMetrics + gzip", &load(address, 4, seconds, PROMETHEUS));
    let stalled = stalled_reader(address);
    std::thread::sleep(Duration::from_millis(200));
    print("4 clients, OpenMetrics + gzip, beside a stalled reader", &load(address, 4, seconds, PROMETHEUS));
    print("1 client, text, beside a stalled reader", &load(address, 1, seconds, CURL));
    drop(stalled);

    let before = endpoint_threads();
    let idle: Vec<TcpStream> = (0..1_000).map(|_| TcpStream::connect(address).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(500));
    print("1 client, text, beside 1,000 idle connections", &load(address, 1, seconds.min(3.0), CURL));
    println!("endpoint threads: {before} before the idle connections, {} with 1,000 of them open", endpoint_threads());
    drop(idle);
    drop(telemetry);

    // Exemplars on beside off: the same recordings, made inside a sampled span, on two pipelines
    // that differ only in `exemplar_filter` (each series keeps one exemplar per bucket or counter).
    println!("exemplars: the same {tasks} tasks recorded inside a sampled span, filter off beside trace_based");
    for filter in ["always_off", "trace_based"] {
        let config = TelemetryConfig::from_toml(
            "bench.toml",
            &format!(
                "[telemetry.opentelemetry]\nexporters = [\"prometheus\"]\nexemplar_filter = \"{filter}\"\n\
                 [telemetry.prometheus]\nlisten_address = \"127.0.0.1:0\"\n"
            ),
        )
        .unwrap();
        let telemetry = Telemetry::init(&config).unwrap();
        {
            let _span = test_support::span::enter(true);
            record(&telemetry, if quick { 50 } else { tasks });
        }
        let address = telemetry.prometheus_address().unwrap();
        print(&format!("1 client, OpenMetrics + gzip, exemplars {filter}"), &load(address, 1, seconds, PROMETHEUS));
        print(&format!("1 client, OpenMetrics, exemplars {filter}"), &load(address, 1, seconds, OPENMETRICS));
    }
}

const OPENMETRICS: &[u8] =
    b"GET /metrics HTTP/1.1\r\nHost: bench\r\nAccept: application/openmetrics-text;version=1.0.0\r\n\r\n";
