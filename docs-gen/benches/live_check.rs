//! How fast `docs-gen live-check` reads a large scrape, beside the floor of one pass over its bytes.
//!
//! `cargo bench -p docs-gen --bench live_check` makes, from Tasker's catalog, an exposition shaped
//! like the workload's with correlation ids (1,500 series for each instrumented metric; closed
//! labels cycling through their values, free-form ones unique per series; histograms with the
//! catalog's boundaries, `+Inf`, `_sum` and `_count`), about 24 MB, and measures in one run:
//!
//! - `floor`: counting its lines, one pass over the bytes;
//! - `read`: the exposition reader alone (every sample's name and labels, no catalog);
//! - `check`: the whole check: reading, matching each family and label to the catalog, coverage,
//!   the report.
//!
//! The timing on the workload's real 24 MB scrape (hyperfine over the binary) is in
//! docs/BENCHMARKS.md, section "live-check".

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use catalog_model::model::{Catalog, Instrument, Status};
use criterion::{Criterion, Throughput};
use docs_gen::live::{self, Checker, Naming, Options};
use std::fmt::Write;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

/// Series per metric: 1,500 makes the exposition about 24 MB, the size of the workload's scrape.
const SERIES: usize = 1500;

fn exposition(c: &Catalog) -> String {
    let mut out = String::new();
    for m in c.metrics.iter().filter(|m| m.status == Status::Instrumented) {
        let base = &m.prometheus.base;
        let kind = match m.instrument {
            Instrument::Counter => "counter",
            Instrument::Histogram => "histogram",
            _ => "gauge",
        };
        let _ = writeln!(out, "# HELP {base} {}\n# TYPE {base} {kind}", m.description.replace('\n', " "));
        for s in 0..SERIES {
            let mut labels = String::new();
            for &l in &m.labels {
                let def = &c.labels[l];
                let value = match def.values() {
                    Some(values) => values[s % values.len()].value.clone(),
                    None => format!("0199c3e0-ccdb-7581-87ab-{s:012x}"),
                };
                let _ = write!(labels, "{}=\"{value}\",", def.prometheus_key);
            }
            if m.instrument == Instrument::Histogram {
                let bounds = m.histogram_buckets().map(|(b, _)| b.to_vec()).unwrap_or_default();
                for b in bounds.iter().map(f64::to_string).chain(["+Inf".to_owned()]) {
                    let _ = writeln!(out, "{base}_bucket{{{labels}le=\"{b}\"}} {s}");
                }
                let labels = labels.trim_end_matches(',');
                let _ = writeln!(out, "{base}_sum{{{labels}}} {}.5\n{base}_count{{{labels}}} {s}", s * 3);
            } else {
                let _ = writeln!(out, "{base}{{{}}} {s}", labels.trim_end_matches(','));
            }
        }
    }
    out
}

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../metrics.yaml");
    let catalog = catalog_model::load(&path, "metrics.yaml").unwrap_or_else(|d| panic!("{d}"));
    let text = exposition(&catalog);
    let samples = text.lines().filter(|l| !l.starts_with('#')).count();
    eprintln!("live_check: {:.1} MB, {samples} samples", text.len() as f64 / 1e6);
    // The exposition is what the workload's series look like: it checks clean.
    let mut checker = Checker::new(&catalog, Naming::Prometheus, "bench", Options::default());
    live::check_exposition(&mut checker, &text).unwrap();
    let report = checker.finish();
    assert!(report.findings.is_empty(), "{:#?}", report.findings);

    let mut criterion = Criterion::default().configure_from_args().measurement_time(Duration::from_secs(10));
    let mut group = criterion.benchmark_group("live_check_24mb");
    group.sample_size(20).throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("floor: count lines", |b| b.iter(|| black_box(&text).bytes().filter(|&b| b == b'\n').count()));
    group.bench_function("read: exposition reader", |b| {
        b.iter(|| {
            let mut n = 0usize;
            prometheus_exposition::read(black_box(&text), |e| {
                if let prometheus_exposition::Event::Sample(s) = e {
                    n += s.labels.len();
                }
            })
            .unwrap();
            n
        })
    });
    group.bench_function("check: reader, catalog, coverage", |b| {
        b.iter(|| {
            let mut checker = Checker::new(&catalog, Naming::Prometheus, "bench", Options::default());
            live::check_exposition(&mut checker, black_box(&text)).unwrap();
            checker.finish()
        })
    });
    group.finish();
    criterion.final_summary();
}
