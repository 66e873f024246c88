//! The `/metrics` endpoint over real TCP on loopback: methods, content negotiation, gzip, and a
//! client that stops reading while others scrape. Every wait is bounded.

use crate::common::{call, parse, scrape, serve};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

#[test]
fn get_and_head_answer_other_methods_405_other_paths_404() {
    let telemetry = serve("");
    telemetry.metrics().request("/users", 0.2);
    let address = telemetry.prometheus_address().unwrap();

    let get = scrape(address);
    assert_eq!(get.status, 200);
    assert_eq!(get.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    assert_eq!(get.header("vary"), Some("Accept, Accept-Encoding"));
    let text = get.text();
    assert!(text.contains("# TYPE demo_requests_total counter\n"), "{text}");
    assert!(text.contains("demo_requests_total{route=\"/users\"} 1\n"), "{text}");
    assert!(text.contains("demo_latency_seconds_bucket{route=\"/users\",le=\"1\"} 1\n"), "{text}");
    assert_eq!(get.header("content-length"), Some(get.body.len().to_string().as_str()));

    // HEAD: the same headers as GET, no body.
    let head = call(address, "HEAD", "/metrics", &[("Accept", "*/*")]);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), get.header("content-type"));
    assert_eq!(head.header("content-length"), get.header("content-length"));
    assert!(head.body.is_empty(), "{:?}", head.text());

    for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
        let a = call(address, method, "/metrics", &[("Content-Length", "0")]);
        assert_eq!(a.status, 405, "{method}");
        assert_eq!(a.header("allow"), Some("GET, HEAD"), "{method}");
    }
    let a = call(address, "GET", "/", &[]);
    assert_eq!((a.status, a.text().as_str()), (404, "not found: the metrics are at /metrics\n"));
}

#[test]
fn gzip_and_openmetrics_when_the_client_asks() {
    let telemetry = serve("");
    telemetry.metrics().request("/a", 0.05);
    let address = telemetry.prometheus_address().unwrap();

    let plain = scrape(address);
    let gzipped = call(address, "GET", "/metrics", &[("Accept-Encoding", "gzip")]);
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&gzipped.body[..]).read_to_string(&mut unzipped).unwrap();
    assert_eq!(unzipped, plain.text());
    assert_eq!(plain.header("content-encoding"), None);
    let refused = call(address, "GET", "/metrics", &[("Accept-Encoding", "gzip;q=0, identity")]);
    assert_eq!(refused.header("content-encoding"), None);

    // What Prometheus 2.42 sends.
    let accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,\
                  text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    let om = call(address, "GET", "/metrics", &[("Accept", accept), ("Accept-Encoding", "gzip")]);
    assert_eq!(om.header("content-type"), Some("application/openmetrics-text; version=1.0.0; charset=utf-8"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(&om.body[..]).read_to_string(&mut text).unwrap();
    assert!(text.ends_with("# EOF\n"), "{text}");
    // OpenMetrics names a counter family without `_total`; its samples have it.
    assert!(text.contains("# TYPE demo_requests counter\n"), "{text}");
    assert!(text.contains("\ndemo_requests_total{route=\"/a\"} 1\n"), "{text}");
    assert!(text.contains("# TYPE demo_latency_seconds histogram\n"), "{text}");
}

/// A client that asks for a large exposition and never reads it holds only its own connection:
/// three other scrapes each answer within a second while it stalls.
#[test]
fn a_client_that_never_reads_blocks_no_one() {
    let telemetry = serve("");
    // 2,000 attribute sets (the SDK's default limit per metric) with 450-byte labels, on a
    // counter and a histogram (six lines each): about 5.5 MB of text.
    let long = "x".repeat(450);
    for i in 0..2_000 {
        telemetry.metrics().request(format!("{long}/{i}"), 0.5);
    }
    let address = telemetry.prometheus_address().unwrap();
    let size = scrape(address).body.len();
    assert!(size > 5_000_000, "the exposition is only {size} bytes");
    eprintln!("exposition: {size} bytes");

    // A small receive window, so that the server's writes really stall (loopback buffers
    // several MB otherwise).
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&address.into()).unwrap();
    let mut stalled: TcpStream = socket.into();
    stalled.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    // It has not been given the whole answer: only what its window and the server's buffers take.
    stalled.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let mut peek = [0u8; 16];
    assert!(stalled.read(&mut peek).unwrap() > 0, "the stalled client was sent nothing at all");

    for i in 0..3 {
        let t = Instant::now();
        let a = scrape(address);
        let took = t.elapsed();
        assert_eq!(a.status, 200);
        assert_eq!(a.body.len(), size);
        assert!(took < Duration::from_secs(1), "scrape {i} took {took:?} beside a stalled client");
        eprintln!("scrape {i} beside a stalled client: {} bytes in {took:?}", a.body.len());
    }
    drop(stalled);
}

/// Requests on one kept-alive connection answer at once (no Nagle delay between the head and the
/// body).
#[test]
fn keep_alive_requests_answer_without_delay() {
    let telemetry = serve("");
    telemetry.metrics().request("/k", 0.1);
    let address = telemetry.prometheus_address().unwrap();
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let t = Instant::now();
    for _ in 0..20 {
        stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut raw = Vec::new();
        let mut buf = [0u8; 65536];
        // Read until the whole body (Content-Length) is in.
        loop {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "connection closed");
            raw.extend_from_slice(&buf[..n]);
            if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let answer = parse(&raw[..end + 4]);
                let len: usize = answer.header("content-length").unwrap().parse().unwrap();
                if raw.len() >= end + 4 + len {
                    break;
                }
            }
        }
    }
    let each = t.elapsed() / 20;
    eprintln!("kept-alive requests: {each:?} each");
    // 44 ms each was seen without TCP_NODELAY; a bound well under that, not a benchmark.
    assert!(each < Duration::from_millis(30), "{each:?} per kept-alive request");
}
