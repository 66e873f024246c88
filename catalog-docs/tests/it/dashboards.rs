//! The generated Grafana dashboards: Grafana's own published types (`@grafana/schema` 13.2.3, with
//! `tsc --noEmit --strict`, see tests/grafana/check.mjs) accept every committed dashboard and reject
//! a broken one; and what those types leave open (targets, variables in queries, ids, layout) is
//! checked here. The type check needs `npm ci --prefix tests/grafana` (done by .ci/run); without
//! it the type-check tests say so and pass, except under `CI=true`.

use catalog_docs::plan::Plan;
use catalog_model::model::Visualization;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use test_support::workspace as root;

fn dashboards() -> Vec<(PathBuf, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("deploy/grafana"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.clone(), serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()))
        .collect()
}

fn type_checker_installed() -> bool {
    let ready = root().join("tests/grafana/node_modules/@grafana/schema/package.json").exists()
        && Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ready {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "the dashboard type check needs node and `npm ci --prefix tests/grafana`; CI=true requires them"
        );
        eprintln!("skipped: run `npm ci --prefix tests/grafana` for the dashboard type check");
    }
    ready
}

fn check(files: &[PathBuf]) -> (Option<i32>, String) {
    let out = Command::new("node").arg(root().join("tests/grafana/check.mjs")).args(files).output().unwrap();
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn grafanas_types_accept_every_dashboard() {
    if !type_checker_installed() {
        return;
    }
    let files: Vec<PathBuf> = dashboards().into_iter().map(|(p, _)| p).collect();
    assert_eq!(files.len(), 5, "one file per catalog dashboard, and the error-budget dashboard of the SLOs");
    let (code, text) = check(&files);
    eprintln!("{text}");
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("ok ")).count(), files.len(), "{text}");
}

#[test]
fn grafanas_types_reject_a_broken_dashboard() {
    if !type_checker_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(root().join("deploy/grafana/tasker-system-health.json")).unwrap();
    let cases = [
        (
            "misspelt_key.json",
            "\"title\": \"System Health\"",
            "\"titel\": \"System Health\"",
            "'\"titel\"' does not exist",
        ),
        ("wrong_enum.json", "\"mode\": \"absolute\"", "\"mode\": \"absolut\"", "\"absolut\""),
        (
            "stat_option.json",
            "\"colorMode\": \"value\"",
            "\"colourMode\": \"value\"",
            "panel 1 (Overall Task Success Rate) options",
        ),
        ("wrong_type.json", "\"h\": 8", "\"h\": \"8\"", "not assignable to type 'number'"),
    ];
    for (name, from, to, expect) in cases {
        assert!(good.contains(from), "{from}");
        let path = dir.path().join(name);
        std::fs::write(&path, good.replacen(from, to, 1)).unwrap();
        let (code, text) = check(std::slice::from_ref(&path));
        assert_eq!(code, Some(1), "{name}: {text}");
        assert!(text.contains(expect), "{name}: want {expect:?} in\n{text}");
    }
}

/// `targets`, a panel's `options` keys and the variables in queries are open records in Grafana's
/// types: checked here against the catalog and the generated rule file.
#[test]
fn targets_variables_ids_and_layout_hold_together() {
    let (catalog, queries) = catalog_docs::load(&root().join("metrics.yaml"), "metrics.yaml").unwrap();
    let plan = Plan::new(&catalog, &queries);
    let mut recorded: BTreeSet<String> = plan.recording.iter().map(|r| r.record.clone()).collect();
    // The error-budget dashboard reads the SLOs' recording rules.
    recorded.extend(plan.slos.iter().flat_map(|p| p.records.iter().map(|r| r.record.clone())));
    let series: BTreeSet<&str> =
        catalog.metrics.iter().flat_map(|m| m.prometheus.series.iter().map(String::as_str)).collect();
    let mut uids = BTreeSet::new();
    let mut recorded_used = BTreeSet::new();
    for (path, d) in dashboards() {
        let name = path.display();
        assert_eq!(d["schemaVersion"], 42, "{name}");
        let uid = d["uid"].as_str().unwrap();
        assert!(uid.len() <= 40 && uids.insert(uid.to_owned()), "{name}: uid {uid}");
        let vars: Vec<&str> =
            d["templating"]["list"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
        assert_eq!(vars[0], "datasource", "{name}");
        assert_eq!(d["templating"]["list"][0]["query"], "prometheus");
        let mut used_vars = BTreeSet::new();
        let mut cells = Vec::new();
        for (i, p) in d["panels"].as_array().unwrap().iter().enumerate() {
            let title = p["title"].as_str().unwrap();
            assert_eq!(p["id"], i + 1, "{name}: ids are the panels' places");
            assert_eq!(p["datasource"]["uid"], "${datasource}", "{name} › {title}");
            let g = &p["gridPos"];
            let cell = (g["x"].as_u64().unwrap(), g["y"].as_u64().unwrap());
            assert!(!cells.contains(&cell), "{name} › {title}: overlaps another panel");
            cells.push(cell);
            let mut ref_ids = BTreeSet::new();
            for t in p["targets"].as_array().unwrap() {
                assert!(ref_ids.insert(t["refId"].as_str().unwrap().to_owned()), "{name} › {title}: refId twice");
                assert_eq!(t["datasource"]["uid"], "${datasource}");
                let expr = t["expr"].as_str().unwrap();
                for v in &vars[1..] {
                    if expr.contains(&format!("\"${v}\"")) {
                        used_vars.insert(*v);
                    }
                }
                let ast =
                    promql_parser::parser::parse(expr).unwrap_or_else(|e| panic!("{name} › {title}: `{expr}`: {e}"));
                for s in selector_names(&ast) {
                    if recorded.contains(&s) {
                        recorded_used.insert(s);
                    } else {
                        assert!(
                            series.contains(s.as_str()),
                            "{name} › {title}: `{s}` is neither a catalog series nor a recording rule"
                        );
                    }
                }
            }
        }
        // Every label variable filters at least one target.
        assert_eq!(used_vars.len(), vars.len() - 1, "{name}: variables {vars:?}, used {used_vars:?}");
    }
    // Every recording rule made for the dashboards is read by one; of each SLO's, the budget
    // remaining and the error ratio over every window (the others are for alerts and Sloth's names).
    let dashboard_rules: BTreeSet<String> = plan.recording.iter().map(|r| r.record.clone()).collect();
    let slo_read: BTreeSet<String> = plan
        .slos
        .iter()
        .flat_map(|p| p.records.iter().map(|r| r.record.clone()))
        .filter(|r| r.starts_with("slo:sli_error:") || r == "slo:period_error_budget_remaining:ratio")
        .collect();
    let want: BTreeSet<String> = dashboard_rules.union(&slo_read).cloned().collect();
    assert_eq!(recorded_used, want, "every recording rule is read by some dashboard");
}

fn selector_names(e: &promql_parser::parser::Expr) -> Vec<String> {
    use promql_parser::parser::Expr;
    match e {
        Expr::VectorSelector(v) => v.name.clone().into_iter().collect(),
        Expr::MatrixSelector(m) => m.vs.name.clone().into_iter().collect(),
        Expr::Aggregate(a) => {
            selector_names(&a.expr).into_iter().chain(a.param.iter().flat_map(|p| selector_names(p))).collect()
        }
        Expr::Unary(u) => selector_names(&u.expr),
        Expr::Binary(b) => selector_names(&b.lhs).into_iter().chain(selector_names(&b.rhs)).collect(),
        Expr::Paren(p) => selector_names(&p.expr),
        Expr::Subquery(s) => selector_names(&s.expr),
        Expr::Call(c) => c.args.args.iter().flat_map(|a| selector_names(a)).collect(),
        _ => Vec::new(),
    }
}

/// What the catalog says of a panel reaches it: the breaker-state value mapping, the success-rate
/// thresholds, the units, the panel types, and the legends from labels.
#[test]
fn catalog_panels_become_the_panels_operators_expect() {
    let all = dashboards();
    let panel = |dash: &str, title: &str| -> Value {
        let (_, d) = all.iter().find(|(p, _)| p.ends_with(format!("tasker-{dash}.json"))).unwrap();
        d["panels"].as_array().unwrap().iter().find(|p| p["title"] == title).unwrap().clone()
    };
    let breaker = panel("resilience-dashboard-panels", "Circuit Breaker State Timeline");
    let options = &breaker["fieldConfig"]["defaults"]["mappings"][0]["options"];
    for (value, text, color) in [("0", "Closed", "green"), ("1", "Half-Open", "yellow"), ("2", "Open", "red")] {
        assert_eq!(options[value]["text"], text);
        assert_eq!(options[value]["color"], color);
    }
    let success = panel("system-health", "Overall Task Success Rate");
    assert_eq!(success["type"], "stat");
    assert_eq!(success["fieldConfig"]["defaults"]["unit"], "percentunit");
    let steps: Vec<(String, Value)> = success["fieldConfig"]["defaults"]["thresholds"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["color"].as_str().unwrap().to_owned(), s["value"].clone()))
        .collect();
    assert_eq!(steps, [("red".into(), Value::Null), ("yellow".into(), 0.9.into()), ("green".into(), 0.95.into())]);
    let saturation = panel("resilience-dashboard-panels", "Channel Saturation Overview");
    assert_eq!(
        (saturation["type"].as_str(), saturation["fieldConfig"]["defaults"]["unit"].as_str()),
        (Some("gauge"), Some("percent"))
    );
    assert_eq!(saturation["fieldConfig"]["defaults"]["max"], 100);
    let stacked = panel("task-execution-overview", "Task Success/Failure Ratio");
    assert_eq!(stacked["fieldConfig"]["defaults"]["custom"]["stacking"]["mode"], "normal");
    assert_eq!(panel("task-execution-overview", "Task Request Rate")["fieldConfig"]["defaults"]["unit"], "reqps");
    assert_eq!(
        panel("worker-performance", "Step Execution Latency Percentiles")["fieldConfig"]["defaults"]["unit"],
        "ms"
    );
    let by_namespace = panel("worker-performance", "Step Execution Throughput by Namespace");
    assert_eq!(by_namespace["targets"][0]["legendFormat"], "{{namespace}}");
    assert!(by_namespace["targets"][0]["expr"].as_str().unwrap().contains("namespace=~\"$namespace\""));
    assert_eq!(panel("worker-performance", "Error Distribution by Type")["type"], "piechart");
    assert_eq!(panel("worker-performance", "Step Success Rate")["fieldConfig"]["defaults"]["max"], 1);
}

/// Every visualization the catalog accepts, rendered from a catalog made for it, passes the same
/// type check: the generator is not tuned to Tasker's four dashboards.
#[test]
fn every_visualization_type_checks() {
    if !type_checker_installed() {
        return;
    }
    let fixture = test_support::fixture("good/minimal.yaml");
    let mut panels = String::new();
    for (i, v) in Visualization::NAMES.iter().enumerate() {
        let expr = match *v {
            "Heatmap" => "sum by (le) (rate(app_job_duration_milliseconds_bucket[5m]))",
            "Pie chart" | "Bar chart" | "Table" => "sum by (outcome) (rate(app_jobs_completed_total[5m]))",
            "Gauge" | "Stat" => {
                "sum(rate(app_jobs_completed_total{outcome=\"failed\"}[5m])) / sum(rate(app_jobs_completed_total[5m]))"
            }
            _ => "breaker_state",
        };
        let extra = match *v {
            "Gauge" | "Stat" => "        thresholds: green < 0.05, yellow < 0.10, red >= 0.10\n",
            "State timeline" | "Time series" => "        value_map: breaker_state\n",
            _ => "",
        };
        panels.push_str(&format!(
            "      - title: Panel {i}\n        visualization: {v}\n{extra}        queries:\n          - title: Q\n            expr: '{expr}'\n"
        ));
    }
    let text = std::fs::read_to_string(fixture)
        .unwrap()
        .replace("dashboards:\n", &format!("dashboards:\n  - title: Every Visualization\n    panels:\n{panels}"));
    let (c, queries) = catalog_docs::load_str("minimal.yaml", &text).unwrap_or_else(|d| panic!("{d}"));
    let plan = Plan::new(&c, &queries);
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for d in 0..c.dashboards.len() {
        let path = dir.path().join(format!("d{d}.json"));
        std::fs::write(&path, catalog_docs::emit::grafana::render(&plan, d, "METRICS.md")).unwrap();
        files.push(path);
    }
    let (code, text) = check(&files);
    assert_eq!(code, Some(0), "{text}");
    let every: Value = serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    let types: Vec<&str> = every["panels"].as_array().unwrap().iter().map(|p| p["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["timeseries", "timeseries", "state-timeline", "stat", "gauge", "piechart", "barchart", "heatmap", "table"]
    );
}

/// Exemplars on the dashboards: every range target that graphs a histogram's buckets asks for them
/// and reads the raw `_bucket` series (a recording rule's series carry none), and no other target
/// does; the committed data-source provisioning links the exemplars' `trace_id` to a Tempo data
/// source named by a variable.
#[test]
fn latency_panels_show_exemplars_linked_to_tempo() {
    let mut with = 0;
    for (path, d) in dashboards() {
        for p in d["panels"].as_array().unwrap() {
            for t in p["targets"].as_array().unwrap() {
                let expr = t["expr"].as_str().unwrap();
                let buckets = expr.contains("_bucket");
                let range = t["range"].as_bool() == Some(true);
                assert_eq!(
                    t.get("exemplar").and_then(Value::as_bool).unwrap_or(false),
                    buckets && range,
                    "{}: panel {:?}: {expr}",
                    path.display(),
                    p["title"]
                );
                if buckets {
                    assert!(
                        !expr.contains(":rate"),
                        "{}: a bucket target reads a recording rule: {expr}",
                        path.display()
                    );
                }
                with += usize::from(buckets && range);
            }
        }
    }
    assert!(with >= 4, "the Tasker dashboards graph step and claim latencies: {with} exemplar targets");

    let text = std::fs::read_to_string(root().join("deploy/grafana/provisioning/datasources/tasker.yaml")).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("the provisioning file is YAML");
    let sources = docs[0]["datasources"].as_vec().expect("a datasources list");
    let prometheus = sources.iter().find(|s| s["type"].as_str() == Some("prometheus")).expect("Prometheus");
    let tempo = sources.iter().find(|s| s["type"].as_str() == Some("tempo")).expect("Tempo");
    let link = &prometheus["jsonData"]["exemplarTraceIdDestinations"][0];
    assert_eq!(link["name"].as_str(), Some(catalog_docs::emit::grafana::EXEMPLAR_TRACE_ID_LABEL));
    assert_eq!(link["datasourceUid"].as_str(), Some("${TEMPO_DATASOURCE_UID}"), "a variable, not a fixed uid");
    assert_eq!(tempo["uid"].as_str(), link["datasourceUid"].as_str());
    assert_eq!(docs[0]["apiVersion"].as_i64(), Some(1));
}
