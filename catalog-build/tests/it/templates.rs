//! The recorders made from per-shape templates are exactly the recorders built directly with each
//! metric's names: `emit::render` and `emit::render_direct` agree byte for byte on the
//! seed catalog, the golden fixtures (keywords, digits, quotes and Unicode in names and docs) and
//! synthetic catalogs with every instrument, number type, bucket set and label mix the benchmark
//! uses.

use catalog_build::emit;
use test_support::synthetic;

fn assert_same(name: &str, text: &str) {
    let catalog = catalog_model::load_str("metrics.yaml", text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let (templated, direct) = (emit::render(&catalog), emit::render_direct(&catalog));
    if templated != direct {
        let line = templated.lines().zip(direct.lines()).position(|(a, b)| a != b).map_or(0, |i| i + 1);
        panic!(
            "{name}: templated and direct output differ at line {line}:\n  templated: {:?}\n  direct:    {:?}",
            templated.lines().nth(line.saturating_sub(1)),
            direct.lines().nth(line.saturating_sub(1))
        );
    }
    assert!(!templated.contains("__CATALOG_BUILD_TEMPLATE_"), "{name}: a placeholder is left");
}

#[test]
fn seed_catalog() {
    let path = test_support::workspace().join("metrics.yaml");
    assert_same("metrics.yaml", &std::fs::read_to_string(path).unwrap());
}

#[test]
fn golden_fixtures() {
    for name in ["minimal", "edge", "otel"] {
        let path = test_support::fixture(&format!("good/{name}.yaml"));
        assert_same(name, &std::fs::read_to_string(path).unwrap());
    }
}

#[test]
fn synthetic_catalogs() {
    for n in [100, 1_000] {
        assert_same(&format!("synthetic-{n}"), &synthetic::catalog(n));
    }
}
