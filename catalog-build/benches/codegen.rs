//! How long the catalog compiler takes, end to end and by stage.
//!
//! `cargo bench -p catalog-build --bench codegen` measures the whole pipeline (parse and validate with
//! every check, `catalog_docs::load_str`, then the Rust of `catalog_build::emit::render` and the
//! reference of `catalog_docs::emit::markdown::render`) on the seed catalog
//! (metrics.yaml, 44 metrics) and on synthetic catalogs of 100, 1,000 and 10,000 metrics made at
//! bench time by [`synthetic`]; and each stage on its own for the 10,000-metric catalog. The results
//! are in docs/BENCHMARKS.md, section "Code generation".
//!
//! `DOCS_GEN_BENCH_OUT=DIR` also writes each synthetic catalog and what it generates into DIR
//! (`synthetic-1000.yaml`, `.rs`, `.md`), e.g. to time how long the generated Rust takes to compile.
//! `-- --test` runs each benchmark once, as a smoke test.

use test_support::synthetic;

// The docs-gen binary's allocator, so that the figures are its own. (Build scripts run with the
// system allocator since the crate split: a catalog of tens of metrics gains nothing from mimalloc,
// and its C would be compiled in every cold build of an adopting service.)
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use catalog_docs::plan::Plan;
use catalog_model::Catalog;
use catalog_promql::Queries;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

/// The file name diagnostics would show; no file is read.
const DISPLAY: &str = "metrics.yaml";

/// A catalog to measure: its name in the reports, its text and its number of metrics.
struct Input {
    name: String,
    text: String,
    metrics: usize,
}

fn load(text: &str) -> (Catalog, Queries) {
    catalog_docs::load_str(DISPLAY, text).unwrap_or_else(|d| panic!("the benchmark catalog has errors:\n{d}"))
}

/// The reference of a checked catalog: its plan, then the Markdown.
fn markdown(catalog: &Catalog, queries: &Queries) -> String {
    catalog_docs::emit::markdown::render(&Plan::new(catalog, queries), &Default::default())
}

/// The whole pipeline: what build.rs and `cargo run -p docs-gen` do, minus the file writes.
fn pipeline(text: &str) -> (String, String) {
    let (catalog, queries) = load(text);
    (catalog_build::emit::render(&catalog), markdown(&catalog, &queries))
}

/// The seed catalog and the synthetic ones, each with the number of metrics it is made to have.
fn inputs() -> Vec<Input> {
    let seed = test_support::workspace().join("metrics.yaml");
    let seed = std::fs::read_to_string(&seed).unwrap_or_else(|e| panic!("cannot read {}: {e}", seed.display()));
    let mut inputs = vec![Input { name: "seed".into(), text: seed, metrics: 44 }];
    for n in [100, 1_000, 10_000] {
        inputs.push(Input { name: n.to_string(), text: synthetic::catalog(n), metrics: n });
    }
    inputs
}

/// Each catalog loads without errors and with all its metrics, so the benchmarks measure the whole
/// pipeline rather than an early stop.
fn validate(inputs: &[Input]) {
    for input in inputs {
        assert_eq!(load(&input.text).0.metrics.len(), input.metrics, "metrics of catalog {}", input.name);
    }
}

/// Writes each synthetic catalog and its generated Rust and Markdown into `dir`.
fn dump(dir: &Path, inputs: &[Input]) {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let write = |name: &str, ext: &str, text: &str| {
        let path = dir.join(format!("synthetic-{name}.{ext}"));
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    };
    for input in inputs.iter().filter(|i| i.name != "seed") {
        write(&input.name, "yaml", &input.text);
        let (rust, markdown) = pipeline(&input.text);
        write(&input.name, "rs", &rust);
        write(&input.name, "md", &markdown);
        eprintln!(
            "synthetic-{}: {} metrics, {} bytes of YAML → {} bytes of Rust, {} bytes of Markdown",
            input.name,
            input.metrics,
            input.text.len(),
            rust.len(),
            markdown.len()
        );
    }
}

/// Small catalogs get criterion's defaults; the big ones few samples, so that `cargo bench -p
/// catalog-build` ends in a few minutes on a 2-core machine.
fn configure(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, metrics: usize) {
    if metrics >= 1_000 {
        group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(if metrics >= 10_000 { 15 } else { 5 }));
    } else {
        group.sampling_mode(SamplingMode::Auto).sample_size(50).warm_up_time(Duration::from_secs(2));
        group.measurement_time(Duration::from_secs(5));
    }
}

/// Parse + validate + Rust + Markdown, for each catalog.
fn bench_pipeline(c: &mut Criterion, inputs: &[Input]) {
    let mut group = c.benchmark_group("pipeline");
    for input in inputs {
        configure(&mut group, input.metrics);
        group.throughput(Throughput::Elements(input.metrics as u64));
        group.bench_with_input(BenchmarkId::from_parameter(&input.name), &input.text, |b, text| {
            b.iter(|| pipeline(black_box(text)))
        });
    }
    group.finish();
}

/// Each stage on its own for the 10,000-metric catalog, to show where the time goes.
fn bench_stages(c: &mut Criterion, inputs: &[Input]) {
    let input = inputs.iter().find(|i| i.name == "10000").expect("the 10,000-metric catalog");
    let (catalog, queries) = load(&input.text);
    let mut group = c.benchmark_group("stages-10000");
    configure(&mut group, input.metrics);
    group.throughput(Throughput::Elements(input.metrics as u64));
    group.bench_function("load_str", |b| b.iter(|| load(black_box(&input.text))));
    group.bench_function("emit_rust", |b| b.iter(|| catalog_build::emit::render(black_box(&catalog))));
    group.bench_function("emit_markdown", |b| b.iter(|| markdown(black_box(&catalog), black_box(&queries))));
    group.finish();
}

fn main() {
    let inputs = inputs();
    if let Some(dir) = std::env::var_os("DOCS_GEN_BENCH_OUT") {
        dump(Path::new(&dir), &inputs);
    }
    validate(&inputs);
    let mut c = Criterion::default().configure_from_args();
    bench_pipeline(&mut c, &inputs);
    bench_stages(&mut c, &inputs);
    c.final_summary();
}
