//! A table of bad catalogs and the exact diagnostics each must give.
//!
//! Most cases are the `minimal.yaml` fixture with one edit, so each shows one mistake in context;
//! the line numbers refer to that fixture after the edit.

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
        name: "label_use_of_an_unknown_label",
        input: Edit(&[(
            "    labels: [job_id, outcome]",
            "    labels: [job_id, {ref: outcom, requirement_level: opt_in}]",
        )]),
        expect: &[
            "metrics.yaml:66:28: error: reference to undefined label `outcom`",
            "  help: did you mean `outcome`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "label_use_without_ref",
        input: Edit(&[("    labels: [job_id, outcome]", "    labels: [job_id, {requirement_level: opt_in}]")]),
        expect: &[
            "metrics.yaml:66:22: error: a label use written as a map needs `ref`, the label's id",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "label_use_with_an_unknown_field",
        input: Edit(&[("    labels: [job_id, outcome]", "    labels: [job_id, {ref: outcome, requirement: opt_in}]")]),
        expect: &[
            "metrics.yaml:66:22: error: unknown field `requirement` of a label use, expected one of `ref`, `requirement_level`, `brief`, `examples`",
            "  help: did you mean `requirement_level`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "label_use_with_an_unknown_requirement_level",
        input: Edit(&[(
            "    labels: [job_id, outcome]",
            "    labels: [job_id, {ref: outcome, requirement_level: optional}]",
        )]),
        expect: &[
            "metrics.yaml:66:56: error: unknown requirement level `optional`",
            "  help: did you mean `opt_in`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "open_without_values",
        input: Edit(&[("    free_form: One value per job.\n", "    free_form: One value per job.\n    open: true\n")]),
        expect: &[
            "metrics.yaml:46:11: error: `open: true` without `values`",
            "  help: `open` says the listed values are the ones known and others may come; a label without a list is open already (give `free_form` to say why)",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "open_list_of_ints",
        input: Edit(&[(
            "    values: [ok, failed, timed_out]\n",
            "    type: int\n    values: [1, 2]\n    open: true\n",
        )]),
        expect: &[
            "metrics.yaml:44:11: error: an open list of `int` values",
            "  help: only string attributes have open lists (OpenTelemetry's enums of other values are closed); list every value, or make the attribute a string",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "unit_with_a_space",
        input: Edit(&[("unit: ms", "unit: m s")]),
        expect: &[
            "metrics.yaml:78:11: error: `m s` is not written as a UCUM unit",
            "  help: a UCUM unit is printable ASCII without spaces: one Prometheus has a word for (d, h, min, s, ms, us, ns, By, KiBy, MiBy, GiBy, TiBy, KBy, MBy, GBy, TBy, m, V, A, J, W, g, Cel, Hz, 1, %), a unit per time such as `By/s`, or an annotation such as `{request}`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "names_that_differ_only_in_separators",
        input: Edit(&[("  - name: app.jobs.running\n", "  - name: app.jobs.completed_total\n")]),
        expect: &[
            "metrics.yaml:87:11: error: metrics `app.jobs.completed.total` and `app.jobs.completed_total` both produce the Prometheus series `app_jobs_completed_total`",
            "  help: the names differ only in `.` and `_`, which Prometheus and Rust both write as `_`, so both cannot be exported: rename one; or, if `app.jobs.completed_total` replaces `app.jobs.completed.total`, keep `app.jobs.completed_total` alone and say the old name in its `note`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "names_that_differ_only_in_separators_one_deprecated",
        input: Edit(&[
            ("  - name: app.jobs.running\n", "  - name: app.jobs.completed_total\n"),
            (
                "  - name: app.jobs.completed.total\n",
                "  - name: app.jobs.completed.total\n    deprecated: {since: 0.3.0, reason: dotted, renamed_to: app.jobs.completed_total}\n",
            ),
        ]),
        expect: &[
            "metrics.yaml:60:11: error: metrics `app.jobs.completed.total` and `app.jobs.completed_total` both produce the Prometheus series `app_jobs_completed_total`",
            "  help: drop `app.jobs.completed.total` (deprecated since 0.3.0, renamed to `app.jobs.completed_total`): one Prometheus series and one Rust recorder cannot be two metrics, so a catalog keeps the one that replaces it; say the old name in its `note`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "one_value_under_two_variants",
        input: Edit(&[(
            "values: [ok, failed, timed_out]",
            "values: [ok, failed, timed_out, {value: ok, variant: Fine}]",
        )]),
        expect: &[
            "metrics.yaml:42:37: error: duplicate label value `ok`",
            "  help: list each value once: two variants of one value would both export it, and a recorded value could not tell which it was",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "unknown_stability",
        input: Edit(&[("    recorded_in: breaker.rs\n", "    recorded_in: breaker.rs\n    stability: stabel\n")]),
        expect: &[
            "metrics.yaml:103:16: error: unknown stability `stabel`",
            "  help: did you mean `stable`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "renamed_to_names_no_metric",
        input: Edit(&[(
            "    recorded_in: breaker.rs\n",
            "    recorded_in: breaker.rs\n    deprecated: {since: 0.2.0, reason: per-component now, renamed_to: breaker_states}\n",
        )]),
        expect: &[
            "metrics.yaml:103:71: error: `renamed_to: breaker_states` names no metric of the catalog",
            "  help: did you mean `breaker_state`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "unknown_visualization",
        input: Edit(&[("visualization: State timeline", "visualization: Stat timeline")]),
        expect: &[
            "metrics.yaml:145:24: error: unknown visualization `Stat timeline`",
            "  help: did you mean `State timeline`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "thresholds_that_leave_a_gap",
        input: Edit(&[(
            "        value_map: breaker_state\n        queries:\n          - title: State",
            "        value_map: breaker_state\n        thresholds: green < 1, red >= 2\n        queries:\n          - title: State",
        )]),
        expect: &[
            "metrics.yaml:147:21: error: thresholds do not parse: no colour above 1",
            "  help: write `COLOUR OP VALUE` items separated by commas, e.g. `green > 0.95, yellow > 0.90, red < 0.90` or `green < 70%, red >= 90%`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "alert_without_quiet_case",
        input: Edit(&[(
            "          - {case: the breaker stays closed, input: [{series: breaker_state, values: 0 0 0 0}], at: 3m, fires: []}\n",
            "",
        )]),
        expect: &[
            "metrics.yaml:110:9: error: alert `BreakerOpen` has no quiet test case",
            "  help: add one under `tests:`: each alert has a case where it fires (`fires: [{...labels}]`) and one where it stays quiet (`fires: []`); e.g. the same input just under the threshold",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "alert_without_tests",
        input: Edit(&[(
            "        tests:\n          - {case: the breaker opens at minute 1, input: [{series: breaker_state, values: 0 2 2 2}], at: 2m, fires: [{}]}\n          - {case: the breaker stays closed, input: [{series: breaker_state, values: 0 0 0 0}], at: 3m, fires: []}\n",
            "",
        )]),
        expect: &[
            "metrics.yaml:105:9: error: alert `BreakerOpen` has no firing test case",
            "  help: add one under `tests:`: each alert has a case where it fires (`fires: [{...labels}]`) and one where it stays quiet (`fires: []`); write the input from what `promtool test rules` says, not from arithmetic",
            "metrics.yaml:105:9: error: alert `BreakerOpen` has no quiet test case",
            "  help: add one under `tests:`: each alert has a case where it fires (`fires: [{...labels}]`) and one where it stays quiet (`fires: []`); e.g. the same input just under the threshold",
            "2 errors in the catalog",
        ],
    },
    Case {
        name: "alert_test_values_notation",
        input: Edit(&[("values: 0 2 2 2}", "values: 0 2x 2 2}")]),
        expect: &[
            "metrics.yaml:111:91: error: `0 2x 2 2` is not in promtool's values notation: `2x` is not `_`, `stale`, a number, `AxN`, `A+BxN` or `A-BxN`",
            "  help: e.g. `0+10x20` (0, 10, 20, ... 21 samples), `95x15`, `1 2 _ stale`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "alert_test_series_not_a_selector",
        input: Edit(&[(
            "series: breaker_state, values: 0 2 2 2",
            "series: 'rate(breaker_state[5m])', values: 0 2 2 2",
        )]),
        expect: &[
            "metrics.yaml:111:68: error: `rate(breaker_state[5m])` is not an input series: it is an expression, not a series",
            "  help: write a metric name with equality matchers, e.g. `http_requests_total{code=\"500\"}`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "alert_test_eval_time",
        input: Edit(&[("at: 2m, fires: [{}]", "at: 2 minutes, fires: [{}]")]),
        expect: &[
            "metrics.yaml:111:106: error: invalid duration `2 minutes`",
            "  help: use a Prometheus duration such as `30s`, `2m` or `1h`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "alert_description_template",
        input: Edit(&[(
            "        summary: The breaker is open\n",
            "        summary: The breaker is open\n        description: 'value {{ $value }}'\n",
        )]),
        expect: &[
            "metrics.yaml:110:22: error: unsupported template `{{ $value }}`",
            "  help: annotations may use `{{ $labels.KEY }}` only, so that the alert unit tests can expect the rendered text",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "yaml_syntax",
        input: Text("document: [unclosed\n"),
        expect: &[
            "metrics.yaml:2:1: error: while parsing a flow sequence, expected ',' or ']'",
            "  help: an inline list is `[a, b, c]`: a comma between items and a closing `]`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "yaml_colon_in_an_unquoted_value",
        input: Edit(&[("    description: Jobs that ended\n", "    description: Jobs that ended: ok or failed\n")]),
        expect: &[
            "metrics.yaml:65:33: error: mapping values are not allowed in this context",
            "  help: a value that contains `: ` needs quotes (description: \"p95: the slow ones\"); or the line is \
             indented under a key that already has a value",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "yaml_key_indented_off_its_item",
        input: Edit(&[("    instrument: counter\n", "     instrument: counter\n")]),
        expect: &[
            "metrics.yaml:62:16: error: mapping values are not allowed in this context",
            "  help: a value that contains `: ` needs quotes (description: \"p95: the slow ones\"); or the line is \
             indented under a key that already has a value",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "yaml_tab_indentation",
        input: Text("metrics:\n\t- name: a\n"),
        expect: &[
            "metrics.yaml:2:2: error: tabs disallowed within this context (block indentation)",
            "  help: YAML indents with spaces: replace the tabs",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "empty_file",
        input: Text(""),
        expect: &[
            "metrics.yaml:1:1: error: the catalog is empty",
            "  help: a catalog is a map with at least `metrics` (and `labels`, `document`, `domains` as it needs)",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "comments_only",
        input: Text("# nothing here\n"),
        expect: &[
            "metrics.yaml:1:1: error: the catalog is empty",
            "  help: a catalog is a map with at least `metrics` (and `labels`, `document`, `domains` as it needs)",
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
            "metrics.yaml:133:1: error: unknown field `dashboardz`, expected one of `document`, `domains`, `labels`, `value_maps`, `metrics`, `example_queries`, `dashboards`, `verification`, `troubleshooting`, `next_steps`, `slos`",
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
            "metrics.yaml:69:5: error: unknown field `lables`, expected one of `name`, `domain`, `group`, `instrument`, `type`, `unit`, `description`, `labels`, `status`, `status_note`, `recorded_in`, `value_map`, `buckets`, `cardinality_limit`, `note`, `stability`, `deprecated`, `queries`, `alerts`",
            "  help: did you mean `labels`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "cardinality_limit_zero",
        input: Edit(&[(
            "    recorded_in: worker.rs:finish()\n    queries:",
            "    recorded_in: worker.rs:finish()\n    cardinality_limit: 0\n    queries:",
        )]),
        expect: &[
            "metrics.yaml:69:24: error: the cardinality limit 0 is out of range",
            "  help: write a number of attribute sets from 1 to 100000 (the SDK reserves room for all of them up front; without `cardinality_limit` the metric keeps 2000)",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "cardinality_limit_below_the_closed_combinations",
        input: Edit(&[(
            "    recorded_in: worker.rs:finish()\n    queries:",
            "    recorded_in: worker.rs:finish()\n    cardinality_limit: 2\n    queries:",
        )]),
        expect: &[
            "metrics.yaml:69:24: error: the cardinality limit 2 is below the 3 combinations of the metric's closed labels",
            "  help: raise it to at least 3, or leave `cardinality_limit` out",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "cardinality_limit_not_a_number",
        input: Edit(&[(
            "    recorded_in: worker.rs:finish()\n    queries:",
            "    recorded_in: worker.rs:finish()\n    cardinality_limit: lots\n    queries:",
        )]),
        expect: &[
            "metrics.yaml:69:24: error: invalid type: string \"lots\", expected an integer",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "wrong_yaml_type",
        input: Edit(&[("  export_interval_seconds: 30", "  export_interval_seconds: soon")]),
        expect: &[
            "metrics.yaml:9:28: error: invalid type: string \"soon\", expected an integer",
            "1 error in the catalog",
        ],
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
        name: "unit_written_as_prometheus_writes_it",
        input: Edit(&[("unit: ms", "unit: milliseconds")]),
        expect: &[
            "metrics.yaml:78:11: error: `milliseconds` is the word Prometheus writes for the unit `ms`, not a UCUM unit",
            "  help: write `unit: ms`: OpenTelemetry carries UCUM units, and Prometheus's name gets `_milliseconds` from it",
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
        // A copied block whose name was not changed: the queries of the metric it should have been
        // are follow-ons of the duplicate, not reported with weak did-you-means of their own.
        name: "duplicate_metric_without_follow_on_query_errors",
        input: Edit(&[("  - name: app.jobs.completed.total\n", "  - name: app.job.duration\n")]),
        expect: &[
            "metrics.yaml:74:11: error: duplicate metric `app.job.duration`",
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
            "  help: name the variant of one of them: `{value: \"timed-out\", variant: TimedOutB}`",
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
            "metrics.yaml:130:19: error: `app_jobs_completed_total_bucket` is not a series: `app_jobs_completed_total` is not a histogram",
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
            "metrics.yaml:149:19: error: `rate()` applied to the gauge `breaker_state`",
            "  help: `rate()` is for counters; use `deriv()` or `delta()` for gauges",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "promql_selector_without_a_metric_name",
        input: Edit(&[("expr: breaker_state\n", "expr: '{outcome=\"ok\"}'\n")]),
        expect: &[
            "metrics.yaml:149:19: error: the query selects series without a metric name",
            // The hint shows a series of this catalog, not of another one.
            "  help: name the metric, e.g. `app_jobs_completed_total{...}`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "alert_name_not_upper_camel_case",
        input: Edit(&[("      - name: BreakerOpen\n", "      - name: breaker-open\n")]),
        expect: &[
            "metrics.yaml:105:15: error: invalid alert name `breaker-open`",
            "  help: use UpperCamelCase letters and digits, e.g. `HighErrorRate`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "promql_le_not_bucket",
        input: Edit(&[("{job_id=\"job-1\"}", "{le=\"5\"}")]),
        expect: &[
            "metrics.yaml:130:19: error: `le` is only a label of histogram `_bucket` series, not of `app_jobs_completed_total`",
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
            "metrics.yaml:140:19: error: grouping by `queue`, which none of the selected series has",
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
            "metrics.yaml:113:9: error: domain `health` has groups, so each of its metrics needs a `group`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "integer_value_of_a_string_label",
        input: Edit(&[("values: [ok, failed, timed_out]", "values: [ok, failed, timed_out, 200]")]),
        expect: &[
            "metrics.yaml:42:37: error: the value 200 is not of the attribute's type `string`",
            "  help: quote it (`\"200\"`) for a string value, or set the attribute's `type: int`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "string_value_of_an_int_label",
        input: Text(FLAT_INT_AS_STRING),
        expect: &[
            "metrics.yaml:5:19: error: the value \"404\" is not of the attribute's type `int`",
            "  help: write the number without quotes, or make the attribute `type: string`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "closed_values_of_a_bool_label",
        input: Edit(&[("    values: [ok, failed, timed_out]", "    type: bool\n    values: [ok, failed, timed_out]")]),
        expect: &[
            "metrics.yaml:43:5: error: a `bool` attribute has no closed list of values",
            "  help: closed lists are for `string` and `int` attributes: remove `values` or change `type`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "unknown_attribute_type_and_requirement_level",
        input: Edit(&[(
            "    description: Queue name\n",
            "    description: Queue name\n    type: integer\n    requirement_level: optional\n",
        )]),
        expect: &[
            "metrics.yaml:49:11: error: unknown attribute type `integer`",
            "  help: did you mean `int`?",
            "metrics.yaml:50:24: error: unknown requirement level `optional`",
            "  help: did you mean `opt_in`?",
            "2 errors in the catalog",
        ],
    },
    Case {
        name: "explicit_variant_that_is_no_identifier",
        input: Edit(&[(
            "values: [ok, failed, timed_out]",
            "values: [ok, failed, {value: timed_out, variant: timed-out}]",
        )]),
        expect: &[
            "metrics.yaml:42:54: error: `timed-out` is not a Rust identifier for an enum variant",
            "  help: write an UpperCamelCase identifier such as `Http11` (letters, digits and `_`, not a keyword)",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "label_value_map_with_an_unknown_field",
        input: Edit(&[("values: [ok, failed, timed_out]", "values: [ok, failed, {value: timed_out, name: Timeout}]")]),
        expect: &[
            "metrics.yaml:42:26: error: unknown field `name` of a label value, expected one of `value`, `variant`, `stability`, `deprecated`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "dotted_and_underscore_keys_meet_in_prometheus",
        input: Text(FLAT_COLLIDING_KEYS),
        expect: &[
            "metrics.yaml:13:26: error: the label keys `http.route` and `http_route` of this metric are both stored as the Prometheus label `http_route`",
            "  help: Prometheus turns `.` into `_`: rename one of them",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "promql_uses_the_prometheus_label_name",
        input: Text(FLAT_GROUPING_TYPO),
        expect: &[
            "metrics.yaml:16:15: error: grouping by `http_rout`, which none of the selected series has",
            "  help: did you mean `http_route`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "promql_with_an_opentelemetry_key",
        input: Text(FLAT_DOTTED_IN_PROMQL),
        expect: &[
            "metrics.yaml:13:15: error: invalid PromQL `sum by (http.route) (rate(http_server_request_duration_seconds_count[5m]))`: unexpected character after '.': 'r'",
            "  help: Prometheus stores `http.route` as `http_route`: write that in queries",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "values_that_make_one_variant",
        input: Text(FLAT_VARIANT_COLLISION),
        expect: &[
            "metrics.yaml:5:21: error: the label values `1.0` and `1-0` both become the Rust identifier `V1_0`",
            "  help: name the variant of one of them: `{value: \"1-0\", variant: V1_0B}`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "domain_in_a_catalog_without_domains",
        input: Text(FLAT_WITH_DOMAIN),
        expect: &[
            "metrics.yaml:3:5: error: the catalog declares no domains",
            "  help: remove `domain` for a flat catalog, or declare the domain under `domains:`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "metric_without_a_domain_where_there_are_domains",
        input: Edit(&[("  - name: app.jobs.running\n    domain: jobs\n", "  - name: app.jobs.running\n")]),
        expect: &[
            "metrics.yaml:87:5: error: missing field `domain`: the catalog has domains, so each metric names one",
            "  help: domains are: jobs, health",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "a_shape_error_does_not_hide_the_other_items_errors",
        input: Edit(&[
            ("    buckets: [5, 50, 500]", "    buckets: fast"),
            ("    labels: [queue]", "    labels: [queu]"),
        ]),
        expect: &[
            "metrics.yaml:83:14: error: invalid type: string \"fast\", expected a sequence",
            "metrics.yaml:120:14: error: reference to undefined label `queu`",
            "  help: did you mean `queue`?",
            "2 errors in the catalog",
        ],
    },
    Case {
        name: "references_to_a_broken_item_are_not_reported_again",
        input: Edit(&[
            ("    description: Job correlation id", "    description: [Job correlation id]"),
            (
                "  - name: app.job.duration\n    domain: jobs\n    instrument: histogram",
                "  - name: app.job.duration\n    domain: jobs\n    instrument: [histogram]",
            ),
        ]),
        expect: &[
            "metrics.yaml:44:18: error: invalid type: sequence, expected a string",
            "metrics.yaml:76:17: error: invalid type: sequence, expected a string",
            "2 errors in the catalog",
        ],
    },
    Case {
        name: "missing_field_names_its_item",
        input: Edit(&[("    description: Queue name\n", "")]),
        expect: &["metrics.yaml:47:3: error: `labels.queue` is missing field `description`", "1 error in the catalog"],
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
    // "Billion laughs": 9^9 expansions if aliases were expanded. The loader reads no anchors or
    // aliases at all, so it stops at the first anchor.
    Case {
        name: "alias_bomb",
        input: Text(
            "labels:\n  a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n",
        ),
        expect: &[
            "metrics.yaml:2:6: error: YAML anchors and aliases (`&name`, `*name`) are not supported in a catalog",
            "  help: write the values out where they are used; each metric lists its labels by key",
            "1 error in the catalog",
        ],
    },
    // The parser reads one document; a second one would otherwise be dropped without a word.
    Case {
        name: "second_document",
        input: Text("metrics: []\n---\nlabels: {}\n"),
        expect: &[
            "metrics.yaml:3:1: error: a second YAML document starts here; a catalog is one document",
            "  help: remove the `---` (or `...`) line above, or move this part into its own catalog",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "yaml_tag",
        input: Edit(&[("instrument: counter", "instrument: !!str counter")]),
        expect: &[
            "metrics.yaml:62:17: error: YAML tags (`!name`) are not supported in a catalog",
            "  help: remove the tag: every value of a catalog is a plain string, number, list or map",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "duplicate_key",
        input: Edit(&[("instrument: counter", "instrument: counter\n    instrument: gauge")]),
        expect: &[
            "metrics.yaml:63:5: error: duplicate key `instrument` (first given at line 62, column 5)",
            "  help: a map has each key once: remove one of them, or merge them",
            "1 error in the catalog",
        ],
    },
    // A quoted number is a string, as YAML types it.
    Case {
        name: "quoted_number_for_an_integer_field",
        input: Edit(&[("  export_interval_seconds: 30", "  export_interval_seconds: \"30\"")]),
        expect: &["metrics.yaml:9:28: error: invalid type: string \"30\", expected u64", "1 error in the catalog"],
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
            "metrics.yaml:120:14: error: reference to undefined label `queu`",
            "  help: did you mean `queue`?",
            "3 errors in the catalog",
        ],
    },
];

/// Flat catalogs in OpenTelemetry's spelling: no document, no domains, dotted keys.
const FLAT_INT_AS_STRING: &str = "labels:
  http.response.status_code:
    type: int
    description: Status
    values: [200, \"404\"]
metrics:
  - name: http.server.request.duration
    instrument: histogram
    type: f64
    unit: s
    description: Duration
    labels: [http.response.status_code]
";

const FLAT_COLLIDING_KEYS: &str = "labels:
  http.route:
    description: Route
  legacy_route:
    key: http_route
    description: The same, spelled the old way
metrics:
  - name: http.server.request.duration
    instrument: histogram
    type: f64
    unit: s
    description: Duration
    labels: [http.route, legacy_route]
";

const FLAT_GROUPING_TYPO: &str = "labels:
  http.route:
    description: Route
    requirement_level: {conditionally_required: If and only if it is available.}
metrics:
  - name: http.server.request.duration
    instrument: histogram
    type: f64
    unit: s
    description: Duration
    labels: [http.route]
    queries:
      - title: By route
        expr: sum by (http_route) (rate(http_server_request_duration_seconds_count[5m]))
      - title: Typo
        expr: sum by (http_rout) (rate(http_server_request_duration_seconds_count[5m]))
";

const FLAT_DOTTED_IN_PROMQL: &str = "labels:
  http.route:
    description: Route
metrics:
  - name: http.server.request.duration
    instrument: histogram
    type: f64
    unit: s
    description: Duration
    labels: [http.route]
    queries:
      - title: By route
        expr: sum by (http.route) (rate(http_server_request_duration_seconds_count[5m]))
";

const FLAT_VARIANT_COLLISION: &str = "labels:
  network.protocol.version:
    description: Version
    # \"1.0\" and \"1-0\" make the same identifier unless one names its variant (\"10\" is V10).
    values: [\"1.0\", \"1-0\", \"10\"]
metrics:
  - name: net.connections
    instrument: gauge
    type: i64
    unit: \"{connection}\"
    description: Connections
    labels: [network.protocol.version]
";

const FLAT_WITH_DOMAIN: &str = "metrics:
  - name: http.server.active_requests
    domain: http
    instrument: up_down_counter
    type: i64
    unit: \"{request}\"
    description: Active requests
";

fn input_bytes(input: &Input) -> Vec<u8> {
    match input {
        Text(t) => t.as_bytes().to_vec(),
        Bytes(b) => b.to_vec(),
        Edit(edits) => {
            let path = test_support::fixture("good/minimal.yaml");
            let mut text = std::fs::read_to_string(path).unwrap();
            for (from, to) in *edits {
                assert!(text.contains(from), "edit target {from:?} not in minimal.yaml");
                text = text.replacen(from, to, 1);
            }
            text.into_bytes()
        }
    }
}

/// What loading a catalog as `metrics.yaml` prints: its diagnostics, or that it loaded.
pub(crate) fn diagnostics(bytes: &[u8]) -> String {
    match catalog_docs::load_bytes("metrics.yaml", bytes) {
        Ok(_) => "(loaded without errors)".to_owned(),
        Err(d) => d.to_string(),
    }
}

#[test]
fn each_bad_catalog_gives_its_exact_diagnostics() {
    let mut failures = Vec::new();
    for case in CASES {
        let got = diagnostics(&input_bytes(&case.input));
        let want = case.expect.join("\n");
        if got != want {
            failures.push(format!("--- {}\nwant:\n{want}\ngot:\n{got}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Any UCUM unit: one Prometheus's translator has a word for gets it, one it has none for is kept
/// (with a warning that says the series' name), and unit `1` is allowed on every instrument (only
/// a gauge gets `ratio`).
#[test]
fn any_ucum_unit_is_translated_or_kept() {
    let catalog = "
metrics:
  - name: hw.fan.speed
    instrument: gauge
    type: i64
    unit: rpm
    description: Fan speed.
  - name: hw.errors
    instrument: counter
    type: u64
    unit: \"1\"
    description: Errors.
  - name: hw.power.share
    instrument: histogram
    type: f64
    unit: \"1\"
    description: Share of power.
    buckets: [0.25, 0.5, 1]
  - name: hw.status
    instrument: up_down_counter
    type: i64
    unit: \"1\"
    description: Whether the component is in a state.
";
    let (c, _) = catalog_docs::load_str("hw.yaml", catalog).unwrap_or_else(|d| panic!("{d}"));
    let names: Vec<&str> = c.metrics.iter().map(|m| m.prometheus.base.as_str()).collect();
    assert_eq!(names, ["hw_fan_speed_rpm", "hw_errors_total", "hw_power_share", "hw_status"]);
    let warnings: Vec<String> = c.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "hw.yaml:6:11: warning: Prometheus's translator has no word for the unit `rpm`: it keeps it, as `hw_fan_speed_rpm`\n  \
          help: if it is a unit the translator knows under another spelling (`ms`, `By`, `s`, `%`, `1`), write that; a count of \
          things reads better as an annotation, such as `{revolution}/min`"
        ]
    );
}
