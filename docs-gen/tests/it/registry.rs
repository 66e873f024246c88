//! `docs-gen registry`: a semantic-conventions registry read as a catalog. The registry is
//! fixtures/registry/model, written here in both of the conventions' syntaxes (`groups:` and
//! `file_format: definition/2`); no file of the conventions is copied into the repository.

use catalog_model::model::{AttributeType, RequirementLevel, Stability};
use std::process::Command;

#[test]
fn a_registry_selection_becomes_a_catalog_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    let written = dir.path().join("semconv.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_docs-gen"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["registry", "--registry", "tests/fixtures/registry/model", "--select", "http.server.*"])
        .args(["--select", "hw.*", "--write", written.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // What the catalog has no place for, each said with why.
    let left_out: Vec<&str> = stderr.lines().filter(|l| l.starts_with("left out: ")).collect();
    assert_eq!(
        left_out,
        [
            "left out: the file tests/fixtures/registry/model/broken/anchors.yaml: 5:19: Unexpected definition of anchor",
            "left out: http.server.active_requests: attribute `http.request.header`, a template attribute \
             (`template[string[]]`): one key per instance",
            "left out: hw.fan.speed_ratio: deprecated, and Prometheus and Rust write its name as they write that of \
             the metric that replaces it",
            "left out: refinement `metric.hw.pump.errors`: it refines `hw.pump.errors`, which the registry does not define",
        ],
        "{stderr}"
    );
    assert!(stderr.contains("registry: 4 files read, 4 metrics selected (1 refinements merged)"), "{stderr}");

    let (c, _) = catalog_docs::load(&written, "semconv.yaml").unwrap_or_else(|d| panic!("{d}"));
    let names: Vec<&str> = c.metrics.iter().map(|m| m.name.as_str()).collect();
    // Selected by the patterns; `http.client.request.duration` is not.
    assert_eq!(
        names,
        ["http.server.request.duration", "http.server.active_requests", "hw.errors", "hw.fan.speed.ratio"]
    );
    let metric = |name: &str| c.metrics.iter().find(|m| m.name == name).unwrap();
    let label = |key: &str| c.labels.iter().find(|l| l.key == key).unwrap();
    let uses = |name: &str| {
        let m = metric(name);
        m.labels.iter().zip(&m.label_uses).map(|(&l, u)| (c.label(l).key.as_str(), u.clone())).collect::<Vec<_>>()
    };

    // `extends` of `extends` (groups syntax), in order, each with its requirement level and condition:
    // the condition of `recommended` kept.
    let duration = uses("http.server.request.duration");
    let keys: Vec<&str> = duration.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, ["http.request.method", "http.response.status_code", "error.type", "http.route"]);
    assert_eq!(duration[3].1.requirement.level, RequirementLevel::Recommended);
    assert_eq!(duration[3].1.requirement.condition.as_deref(), Some("If the framework knows it."));
    assert_eq!(metric("http.server.request.duration").stability, Stability::Stable);
    // `ref_group` (definition/2), and a use's own brief and examples over the definition's.
    let errors = uses("hw.errors");
    let keys: Vec<&str> = errors.iter().map(|(k, _)| *k).collect();
    // A refinement's attribute the metric lacks joins it, on the refinement's condition; the one
    // it has (`hw.tags`) keeps the metric's level.
    assert_eq!(keys, ["hw.id", "hw.type", "error.type", "hw.tags", "hw.sensor_location"]);
    assert_eq!(errors[3].1.requirement.level, RequirementLevel::OptIn);
    assert_eq!(errors[4].1.requirement.level, RequirementLevel::Recommended);
    assert_eq!(
        errors[4].1.requirement.condition.as_deref(),
        Some("On `metric.hw.fan.errors`, a refinement of the metric.")
    );
    assert_eq!(errors[2].1.brief.as_deref(), Some("The type of error encountered by the component."));
    assert_eq!(errors[2].1.examples, ["crc", "bad_sector"]);
    assert_eq!(errors[2].1.requirement.level, RequirementLevel::ConditionallyRequired);
    // An attribute without a level on its use is `recommended`, as the conventions default it.
    assert_eq!(errors[0].1.requirement.level, RequirementLevel::Recommended);
    assert_eq!((metric("hw.errors").number.as_str(), metric("hw.errors").instrument.as_str()), ("u64", "counter"));
    let active = metric("http.server.active_requests");
    assert_eq!((active.number.as_str(), active.instrument.as_str()), ("i64", "up_down_counter"));
    assert_eq!(active.stability, Stability::Development);

    // The conventions' enums are open, with their examples of other values; members keep their
    // stability (`experimental` read as `development`) and deprecation; arrays are arrays.
    let error_type = label("error.type");
    assert!(error_type.is_open_enum());
    assert!(error_type.examples.iter().any(|e| e == "java.net.UnknownHostException"));
    let method = label("http.request.method");
    let query = method.values().unwrap().iter().find(|v| v.value == "QUERY").unwrap();
    assert_eq!(query.stability, Some(Stability::Development));
    let fan = label("hw.type").values().unwrap().iter().find(|v| v.value == "fan").unwrap();
    assert_eq!(fan.deprecated.as_ref().map(|d| d.reason.as_str()), Some("Fans are cooling components now."));
    assert_eq!(label("hw.tags").attribute_type, AttributeType::StringArray);
    assert_eq!(label("http.response.status_code").attribute_type, AttributeType::Int);
}

#[test]
fn a_registry_that_is_not_there_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_docs-gen"))
        .args(["registry", "--registry", "/nonexistent/model"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: /nonexistent/model: "), "{stderr}");
}

/// The README's `docs-gen registry` line, run as written but against the fixture registry (the
/// repository holds no file of the conventions): it writes a catalog with the metric it selects.
#[test]
fn the_readmes_registry_command_works_as_written() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let line = readme.lines().find(|l| l.starts_with("docs-gen registry ")).expect("the README shows the command");
    let dir = tempfile::tempdir().unwrap();
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/registry/model");
    let args: Vec<String> = line
        .split_whitespace()
        .skip(1)
        .map(|a| a.trim_matches('\'').replace("semantic-conventions/model", model))
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_docs-gen")).current_dir(dir.path()).args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{line}: {}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read_to_string(dir.path().join("http.yaml")).unwrap();
    assert!(written.contains("  - name: http.server.request.duration\n"), "{written}");
    assert!(!written.contains("http.server.active_requests"), "only the selected metric: {written}");
}
