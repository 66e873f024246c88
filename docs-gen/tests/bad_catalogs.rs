//! A table of bad catalogs and the exact diagnostics each must give.
//!
//! Most cases are the `minimal.yaml` fixture with one edit, so each shows one mistake in context;
//! the line numbers refer to that fixture after the edit.

use std::path::Path;

enum Input {
    /// The fixture with `from` replaced by `to` (each must occur).
    Edit(&'static [(&'static str, &'static str)]),
    Text(&'static str),
    Bytes(&'static [u8]),
}

struct Case {
    name: &'static str,
    input: Input,
    /// The whole diagnostic output, line by line.
    expect: &'static [&'static str],
}

use Input::*;

const CASES: &[Case] = &[
    Case {
        name: "yaml_syntax",
        input: Text("document: [unclosed\n"),
        expect: &[
            "metrics.yaml:2:1: error: did not find expected ',' or ']', while parsing a flow sequence",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "empty_file",
        input: Text(""),
        expect: &[
            "metrics.yaml:1:1: error: the catalog is empty",
            "  help: a catalog is a map with the keys `document`, `domains`, `labels` and `metrics`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "comments_only",
        input: Text("# nothing here\n"),
        expect: &[
            "metrics.yaml:1:1: error: the catalog is empty",
            "  help: a catalog is a map with the keys `document`, `domains`, `labels` and `metrics`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "list_not_map",
        input: Text("- name: a\n- name: b\n"),
        expect: &["metrics.yaml:1:1: error: invalid type: sequence, expected a map", "1 error in the catalog"],
    },
    Case {
        name: "not_utf8",
        input: Bytes(b"document:\n  title: caf\xe9\n"),
        expect: &[
            "metrics.yaml:2:13: error: the catalog is not valid UTF-8",
            "  help: save metrics.yaml as UTF-8",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "unknown_top_level_key",
        input: Edit(&[("dashboards:", "dashboardz:")]),
        expect: &[
            "metrics.yaml:130:1: error: unknown field `dashboardz`, expected one of `document`, `domains`, `labels`, `value_maps`, `metrics`, `example_queries`, `dashboards`, `verification`, `troubleshooting`, `next_steps`",
            "  help: did you mean `dashboards`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "unknown_metric_key",
        input: Edit(&[(
            "    recorded_in: worker.rs:finish()\n    queries:",
            "    recorded_in: worker.rs:finish()\n    lables: [outcome]\n    queries:",
        )]),
        expect: &[
            "metrics.yaml:69:5: error: unknown field `lables`, expected one of `name`, `domain`, `group`, `instrument`, `type`, `unit`, `description`, `labels`, `status`, `status_note`, `recorded_in`, `value_map`, `buckets`, `note`, `queries`, `alerts`",
            "  help: did you mean `labels`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "wrong_yaml_type",
        input: Edit(&[("  export_interval_seconds: 30", "  export_interval_seconds: soon")]),
        expect: &["metrics.yaml:9:28: error: invalid type: string \"soon\", expected u64", "1 error in the catalog"],
    },
    Case {
        name: "unknown_instrument",
        input: Edit(&[("instrument: counter", "instrument: countr")]),
        expect: &[
            "metrics.yaml:62:17: error: unknown instrument `countr`",
            "  help: did you mean `counter`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "unknown_number_type",
        input: Edit(&[("    type: u64\n    unit: \"{job}\"", "    type: u46\n    unit: \"{job}\"")]),
        expect: &[
            "metrics.yaml:63:11: error: unknown number type `u46`",
            "  help: expected one of u64, i64, f64",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "unknown_status",
        input: Edit(&[("status: planned", "status: planed")]),
        expect: &[
            "metrics.yaml:93:13: error: unknown status `planed`",
            "  help: did you mean `planned`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "unknown_unit_form",
        input: Edit(&[("unit: ms", "unit: milliseconds")]),
        expect: &[
            "metrics.yaml:78:11: error: unknown unit form `milliseconds`",
            "  help: use a UCUM unit (d, h, min, s, ms, us, ns, By, KiBy, MiBy, GiBy, TiBy, KBy, MBy, GBy, TBy, m, V, A, J, W, g, Cel, Hz, 1, %), a unit per time such as `By/s`, or an annotation such as `{request}`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "duplicate_metric",
        input: Edit(&[("name: app.jobs.running", "name: app.jobs.completed.total")]),
        expect: &[
            "metrics.yaml:87:11: error: duplicate metric `app.jobs.completed.total`",
            "  help: it is first defined at line 60; a metric is defined once",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "duplicate_prometheus_name",
        input: Edit(&[(
            "name: app.jobs.running\n    domain: jobs\n    instrument: up_down_counter\n    type: i64",
            "name: app_jobs.completed\n    domain: jobs\n    instrument: counter\n    type: u64",
        )]),
        expect: &[
            "metrics.yaml:87:11: error: metrics `app.jobs.completed.total` and `app_jobs.completed` both produce the Prometheus series `app_jobs_completed_total`",
            "  help: rename one of them",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "undefined_label",
        input: Edit(&[("    labels: [job_id, outcome]", "    labels: [job_id, outcom]")]),
        expect: &[
            "metrics.yaml:66:22: error: reference to undefined label `outcom`",
            "  help: did you mean `outcome`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "colliding_enum_values",
        input: Edit(&[("values: [ok, failed, timed_out]", "values: [ok, failed, timed_out, timed-out]")]),
        expect: &[
            "metrics.yaml:42:37: error: the label values `timed_out` and `timed-out` both become the Rust identifier `TimedOut`",
            "  help: rename one of them so they differ by more than case or separators",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "invalid_enum_value",
        input: Edit(&[("values: [ok, failed, timed_out]", "values: [ok, failed, \"--\"]")]),
        expect: &[
            "metrics.yaml:42:26: error: cannot make a Rust identifier of the label value `--`",
            "  help: use letters, digits and `_`, `-` or `.` as separators",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "empty_description",
        input: Edit(&[("description: Jobs that ended", "description: \"\"")]),
        expect: &[
            "metrics.yaml:65:18: error: metric description is empty",
            "  help: write the metric description",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "promql_syntax",
        input: Edit(&[(
            "expr: sum by (outcome) (app_jobs_completed_total)",
            "expr: sum by (outcome (app_jobs_completed_total)",
        )]),
        expect: &[
            "metrics.yaml:71:15: error: invalid PromQL `sum by (outcome (app_jobs_completed_total)`: unclosed left parenthesis",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "promql_histogram_without_unit_suffix",
        input: Edit(&[("app_job_duration_milliseconds_bucket", "app_job_duration_bucket")]),
        expect: &[
            "metrics.yaml:86:15: error: the query names `app_job_duration_bucket`, which no metric of the catalog produces",
            "  help: did you mean `app_job_duration_milliseconds_bucket`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "promql_suffix_on_counter",
        input: Edit(&[("expr: app_jobs_completed_total{job_id=\"job-1\"}", "expr: app_jobs_completed_total_bucket")]),
        expect: &[
            "metrics.yaml:127:19: error: `app_jobs_completed_total_bucket` is not a series: `app_jobs_completed_total` is not a histogram",
            "  help: only histograms expose `_bucket`, `_sum` and `_count`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "promql_unknown_label",
        input: Edit(&[(
            "expr: sum by (outcome) (app_jobs_completed_total)",
            "expr: sum(app_jobs_completed_total{state=\"ok\"})",
        )]),
        expect: &[
            "metrics.yaml:71:15: error: `app_jobs_completed_total` has no label `state`",
            "  help: its labels are: job_id, outcome",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "promql_value_not_allowed",
        input: Edit(&[("{outcome=\"failed\"}", "{outcome=\"fail\"}")]),
        expect: &[
            "metrics.yaml:73:15: error: `fail` is not an allowed value of label `outcome`",
            "  help: did you mean `failed`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "promql_rate_on_gauge",
        input: Edit(&[("expr: breaker_state\n", "expr: rate(breaker_state[5m])\n")]),
        expect: &[
            "metrics.yaml:146:19: error: `rate()` applied to the gauge `breaker_state`",
            "  help: `rate()` is for counters; use `deriv()` or `delta()` for gauges",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "promql_le_not_bucket",
        input: Edit(&[("{job_id=\"job-1\"}", "{le=\"5\"}")]),
        expect: &[
            "metrics.yaml:127:19: error: `le` is only a label of histogram `_bucket` series, not of `app_jobs_completed_total`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "promql_group_by_missing_label",
        input: Edit(&[(
            "sum(rate(app_jobs_completed_total[5m]))",
            "sum by (queue) (rate(app_jobs_completed_total[5m]))",
        )]),
        expect: &[
            "metrics.yaml:137:19: error: grouping by `queue`, which none of the selected series has",
            "  help: their labels are: job_id, outcome",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "type_not_allowed",
        input: Edit(&[("    type: i64\n    unit: \"{job}\"", "    type: u64\n    unit: \"{job}\"")]),
        expect: &[
            "metrics.yaml:90:11: error: the instrument `up_down_counter` cannot have type `u64`",
            "  help: `up_down_counter` takes `i64` or `f64`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "value_map_on_counter",
        input: Edit(&[(
            "    recorded_in: worker.rs:finish()\n    queries:\n      - title: By outcome",
            "    recorded_in: worker.rs:finish()\n    value_map: breaker_state\n    queries:\n      - title: By outcome",
        )]),
        expect: &["metrics.yaml:69:16: error: only gauges can have a `value_map`", "1 error in the catalog"],
    },
    Case {
        name: "buckets_not_increasing",
        input: Edit(&[("buckets: [5, 50, 500]", "buckets: [5, 500, 50]")]),
        expect: &[
            "metrics.yaml:83:14: error: bucket boundaries must be finite and strictly increasing",
            "  help: e.g. [1, 5, 10, 50, 100]",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "missing_group",
        input: Edit(&[("    group: queue\n", "")]),
        expect: &[
            "metrics.yaml:110:9: error: domain `health` has groups, so each of its metrics needs a `group`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "instrumented_without_location",
        input: Edit(&[("    recorded_in: breaker.rs\n", "")]),
        expect: &[
            "metrics.yaml:101:13: error: an instrumented metric needs `recorded_in`",
            "  help: say where Tasker records it, e.g. `task_finalizer.rs:finalize_task()`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "label_both_values_and_free_form",
        input: Edit(&[(
            "    free_form: Queues are configured per deployment.",
            "    free_form: Queues are configured per deployment.\n    values: [a]",
        )]),
        expect: &[
            "metrics.yaml:49:5: error: a label has either `values` or `free_form`, not both",
            "  help: keep `values` for a closed list, or `free_form` with the reason it is open",
            "1 error in the catalog",
        ],
    },
    // "Billion laughs": 9^9 expansions if aliases were expanded without a limit.
    Case {
        name: "alias_bomb",
        input: Text(
            "labels:\n  a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n",
        ),
        expect: &[
            "metrics.yaml:7:10: error: repetition limit exceeded",
            "  help: YAML aliases expand to too many nodes; write the values out instead",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "several_errors_reported_at_once_sorted",
        input: Edit(&[
            ("    labels: [queue]", "    labels: [queu]"),
            ("status: planned", "status: planed"),
            ("instrument: counter", "instrument: countr"),
        ]),
        expect: &[
            "metrics.yaml:62:17: error: unknown instrument `countr`",
            "  help: did you mean `counter`?",
            "metrics.yaml:93:13: error: unknown status `planed`",
            "  help: did you mean `planned`?",
            "metrics.yaml:117:14: error: reference to undefined label `queu`",
            "  help: did you mean `queue`?",
            "3 errors in the catalog",
        ],
    },
];

fn input_bytes(input: &Input) -> Vec<u8> {
    match input {
        Text(t) => t.as_bytes().to_vec(),
        Bytes(b) => b.to_vec(),
        Edit(edits) => {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/minimal.yaml");
            let mut text = std::fs::read_to_string(path).unwrap();
            for (from, to) in *edits {
                assert!(text.contains(from), "edit target {from:?} not in minimal.yaml");
                text = text.replacen(from, to, 1);
            }
            text.into_bytes()
        }
    }
}

#[test]
fn each_bad_catalog_gives_its_exact_diagnostics() {
    let mut failures = Vec::new();
    for case in CASES {
        let bytes = input_bytes(&case.input);
        let got = match docs_gen::load_bytes("metrics.yaml", &bytes) {
            Ok(_) => "(loaded without errors)".to_owned(),
            Err(d) => d.to_string(),
        };
        let want = case.expect.join("\n");
        if got != want {
            failures.push(format!("--- {}\nwant:\n{want}\ngot:\n{got}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
