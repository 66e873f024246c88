//! A thousand idle connections: the endpoint's threads stay at their bound, and a scrape still
//! answers at once (idle connections beyond the connection limit are closed, oldest first). The
//! test is [`alone`] with its endpoint, so that the threads counted are its endpoint's.

use crate::common::{alone, scrape, serve_alone};
use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Threads of this process named as the endpoint's.
fn endpoint_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|name| name.trim() == catalog_runtime::prometheus::endpoint::THREAD_NAME)
        .count()
}

/// Raises the soft limit of open files to what the test needs (the client's 1,000 sockets and the
/// server's), within the hard limit.
fn allow_open_files(n: u64) {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit read and write the struct passed, nothing else.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        if limit.rlim_cur < n {
            assert!(limit.rlim_max >= n, "the hard limit of open files ({}) is below {n}", limit.rlim_max);
            limit.rlim_cur = n;
            assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
        }
    }
}

#[test]
fn a_thousand_idle_connections_neither_block_a_scrape_nor_add_threads() {
    allow_open_files(4096);
    let alone = alone();
    // The endpoints of tests that ran before are stopped; their threads may still be exiting.
    let t = Instant::now();
    while endpoint_threads() > 0 {
        assert!(t.elapsed() < Duration::from_secs(10), "{} endpoint threads of other tests", endpoint_threads());
        std::thread::sleep(Duration::from_millis(10));
    }
    let telemetry = serve_alone(&alone, "");
    telemetry.metrics().request("/idle", 0.01);
    let address = telemetry.prometheus_address().unwrap();
    assert_eq!(scrape(address).status, 200);
    let threads = endpoint_threads();
    assert!((1..=2).contains(&threads), "{threads} endpoint threads after one scrape");

    let t = Instant::now();
    let mut idle: Vec<TcpStream> =
        (0..1_000).map(|i| TcpStream::connect(address).unwrap_or_else(|e| panic!("connection {i}: {e}"))).collect();
    eprintln!("1,000 idle connections opened in {:?}", t.elapsed());
    // Let the server accept them all.
    std::thread::sleep(Duration::from_millis(500));

    let t = Instant::now();
    let answer = scrape(address);
    let took = t.elapsed();
    assert_eq!(answer.status, 200);
    assert!(answer.text().contains("demo_requests_total{route=\"/idle\"} 1"));
    assert!(took < Duration::from_secs(1), "a scrape beside 1,000 idle connections took {took:?}");
    let during = endpoint_threads();
    eprintln!("scrape beside 1,000 idle connections: {took:?}; endpoint threads: {during}");
    assert!(during <= 2, "{during} endpoint threads with 1,000 idle connections");

    // The server closed all but the newest ones (at most its limit of 128 stay open).
    let mut closed = 0;
    for s in &mut idle {
        s.set_read_timeout(Some(Duration::from_millis(1))).unwrap();
        let mut b = [0u8; 1];
        if matches!(s.read(&mut b), Ok(0)) {
            closed += 1;
        }
    }
    eprintln!("{closed} of the 1,000 idle connections were closed by the server");
    assert!(closed >= 1_000 - 128, "only {closed} idle connections were closed");
}
