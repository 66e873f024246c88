//! The integration tests of tasker-metrics, one binary (as cargo's own `tests/testsuite`): the
//! generated recorders exported exactly and without allocations, the golden fixtures compiled, OTLP to a receiver and to nowhere, cardinality limits, start-up logs, and the
//! workload end to end against a real Prometheus server and live-check.
//!
//! A few tests measure what belongs to the whole process (its memory, its allocations, its global
//! log subscriber): each runs its body in a process of its own ([`in_own_process`]).

/// The workload against a real Prometheus server: these take longest, on the wall clock (their
/// workloads run for up to 24 s), not the CPU. libtest starts tests in the order of their names, so
/// the module's name sorts first: started last, behind the CPU-bound tests on a 2-core machine, the
/// steady-state test alone made the binary take 72 s where 45 s suffice.
mod against_prometheus {
    mod e2e;
    mod hostile;
    mod steady;
}
/// The README's adoption section in a fresh crate: its build (a nested cargo) is CPU-bound, so it
/// starts right after the Prometheus tests.
mod against_the_readme;
mod allocations;
mod cardinality;
mod exactness;
mod export;
mod golden_compiles;
mod live_check;
mod otlp_export;
mod otlp_unreachable;
mod startup_log;

use std::process::Command;

/// The golden Rust of catalog-build's fixture catalogs, compiled once for every test that uses it.
#[allow(dead_code, unused_imports)]
mod golden {
    pub mod minimal {
        include!("../../catalog-build/tests/golden/minimal.rs");
    }
    pub mod edge {
        include!("../../catalog-build/tests/golden/edge.rs");
    }
    pub mod otel {
        include!("../../catalog-build/tests/golden/otel.rs");
    }
}

/// The environment variable that names the one test a child process of this binary runs.
const OWN_PROCESS: &str = "TASKER_METRICS_IT_OWN_PROCESS";

/// Whether the calling test, `path` (`module::test`), should run its body here: true in the child
/// process that runs it alone; in the test run itself, it runs this binary again with only that
/// test, passes its output through, fails if it failed, and returns false.
pub fn in_own_process(path: &str) -> bool {
    if std::env::var(OWN_PROCESS).is_ok_and(|t| t == path) {
        return true;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new(exe)
        .args([path, "--exact", "--nocapture", "--test-threads=1"])
        .env(OWN_PROCESS, path)
        .output()
        .expect("the test binary runs again");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("{text}");
    assert!(out.status.success(), "{path}, in its own process: {}", out.status);
    assert!(text.contains("1 passed"), "{path} did not run in its own process:\n{text}");
    false
}
