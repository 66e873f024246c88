//! `docs-gen diff --baseline OLD`: each kind of change, its classification under the metric's
//! stability level, its exact line with the location in both files, and the exit code (0 nothing
//! breaks, 1 something does, 2 a catalog that does not load). The baseline is
//! fixtures/diff/base.yaml (app.jobs.total stable, app.job.duration beta, app.queue.depth alpha);
//! each case edits a copy of it into the new catalog.

use std::path::Path;
use std::process::Command;

struct Case {
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    exit: i32,
    /// The report's change lines (without the header and the summary); `DIR` is the temp dir.
    lines: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "development_breaks_are_allowed_as_alphas_are",
        edits: &[(
            "    description: Time waiting\n    buckets: [5, 50]\n",
            "    description: Time waiting\n    buckets: [5, 500]\n",
        )],
        args: &["--allow-alpha"],
        exit: 0,
        lines: &[
            "breaking (alpha or development, allowed) app.queue.wait histogram buckets changed (development): [5.0, 50.0] → [5.0, 500.0] [was DIR/old.yaml:42:5, now DIR/new.yaml:42:5]",
        ],
    },
    Case {
        name: "a_deprecated_value_may_go",
        edits: &[(", {value: urgent, deprecated: {since: 0.3.0, reason: merged into high}}]", "]")],
        args: &[],
        exit: 0,
        lines: &[
            "compatible app.jobs.priority closed value removed (development): `priority` = `urgent` (deprecated since 0.3.0) [was DIR/old.yaml:14:5, now DIR/new.yaml:14:5]",
        ],
    },
    Case {
        name: "a_development_attribute_of_a_stable_metric_promises_nothing",
        edits: &[("values: [low, high,", "values: [high,")],
        args: &["--allow-alpha"],
        exit: 0,
        lines: &[
            "breaking (alpha or development, allowed) app.jobs.priority closed value removed (development): `priority` = `low` [was DIR/old.yaml:14:5, now DIR/new.yaml:14:5]",
        ],
    },
    Case {
        name: "beta_to_release_candidate_keeps_the_promise",
        edits: &[(
            "    labels: [outcome]\n    buckets: [5, 50]\n    stability: beta\n",
            "    labels: [outcome]\n    buckets: [5, 50]\n    stability: release_candidate\n",
        )],
        args: &[],
        exit: 0,
        lines: &[
            "compatible app.job.duration stability changed (beta): beta → release_candidate [was DIR/old.yaml:30:5, now DIR/new.yaml:30:5]",
        ],
    },
    Case { name: "no_change", edits: &[], args: &[], exit: 0, lines: &[] },
    Case {
        name: "unit_change_renames_the_series",
        edits: &[("    unit: ms\n", "    unit: s\n")],
        args: &[],
        exit: 1,
        lines: &[
            "BREAKING   app.job.duration unit changed (beta): `ms` → `s` [was DIR/old.yaml:26:5, now DIR/new.yaml:26:5]",
            "BREAKING   app.job.duration Prometheus series renamed (beta): app_job_duration_milliseconds_bucket, \
             app_job_duration_milliseconds_sum, app_job_duration_milliseconds_count → app_job_duration_seconds_bucket, \
             app_job_duration_seconds_sum, app_job_duration_seconds_count [was DIR/old.yaml:26:5, now DIR/new.yaml:26:5]",
        ],
    },
    Case {
        name: "instrument_change",
        edits: &[("    instrument: gauge\n    type: i64\n", "    instrument: up_down_counter\n    type: i64\n")],
        args: &[],
        exit: 1,
        lines: &[
            "BREAKING   app.queue.depth instrument changed (alpha): gauge → up_down_counter [was DIR/old.yaml:32:5, now DIR/new.yaml:32:5]",
        ],
    },
    Case {
        name: "alpha_breaks_are_allowed_with_the_flag",
        edits: &[("    instrument: gauge\n    type: i64\n", "    instrument: gauge\n    type: f64\n")],
        args: &["--allow-alpha"],
        exit: 0,
        lines: &[
            "breaking (alpha or development, allowed) app.queue.depth number type changed (alpha): i64 → f64 [was DIR/old.yaml:33:5, now DIR/new.yaml:33:5]",
        ],
    },
    Case {
        name: "stable_breaks_are_errors_even_with_the_flag",
        edits: &[("    labels: [outcome]\n    stability: stable\n", "    labels: []\n    stability: stable\n")],
        args: &["--allow-alpha"],
        exit: 1,
        lines: &[
            "BREAKING   app.jobs.total label removed (stable): `outcome` [was DIR/old.yaml:21:5, now DIR/new.yaml:21:5]",
        ],
    },
    Case {
        name: "a_label_added_breaks_stable_only",
        edits: &[
            ("    labels: [outcome]\n    stability: stable\n", "    labels: [outcome, queue]\n    stability: stable\n"),
            ("    labels: [outcome]\n    buckets:", "    labels: [outcome, queue]\n    buckets:"),
        ],
        args: &[],
        exit: 1,
        lines: &[
            "BREAKING   app.jobs.total label added (stable): `queue` [was DIR/old.yaml:21:5, now DIR/new.yaml:21:5]",
            "compatible app.job.duration label added (beta): `queue` [was DIR/old.yaml:28:5, now DIR/new.yaml:28:5]",
        ],
    },
    Case {
        name: "closed_values_added_and_removed",
        edits: &[("values: [ok, failed]", "values: [ok, cancelled]")],
        args: &[],
        exit: 1,
        lines: &[
            "compatible app.jobs.total closed value added (stable): `outcome` = `cancelled` [was DIR/old.yaml:7:5, now DIR/new.yaml:7:5]",
            "BREAKING   app.jobs.total closed value removed (stable): `outcome` = `failed` [was DIR/old.yaml:7:5, now DIR/new.yaml:7:5]",
            "compatible app.job.duration closed value added (beta): `outcome` = `cancelled` [was DIR/old.yaml:7:5, now DIR/new.yaml:7:5]",
            "BREAKING   app.job.duration closed value removed (beta): `outcome` = `failed` [was DIR/old.yaml:7:5, now DIR/new.yaml:7:5]",
        ],
    },
    Case {
        name: "attribute_type_and_requirement",
        edits: &[(
            "    description: Queue name\n    free_form: Queues are configured per deployment.\n",
            "    description: Queue name\n    type: int\n    requirement_level: recommended\n    free_form: Queues are configured per deployment.\n",
        )],
        args: &[],
        exit: 1,
        lines: &[
            "BREAKING   app.queue.depth attribute type changed (alpha): `queue`: string → int [was DIR/old.yaml:8:3, now DIR/new.yaml:10:5]",
            "BREAKING   app.queue.depth requirement changed (alpha): `queue`: required → recommended [was DIR/old.yaml:8:3, now DIR/new.yaml:11:5]",
        ],
    },
    Case {
        name: "buckets_changed",
        edits: &[("buckets: [5, 50]", "buckets: [5, 50, 500]")],
        args: &[],
        exit: 1,
        lines: &[
            "BREAKING   app.job.duration histogram buckets changed (beta): [5.0, 50.0] → [5.0, 50.0, 500.0] [was DIR/old.yaml:29:5, now DIR/new.yaml:29:5]",
        ],
    },
    Case {
        name: "docs_changes_are_compatible",
        edits: &[
            ("description: Jobs waiting", "description: Jobs waiting in the queue"),
            ("description: How it ended", "description: How the job ended"),
        ],
        args: &[],
        exit: 0,
        lines: &[
            "compatible app.jobs.total label description changed (stable): `outcome` [was DIR/old.yaml:6:5, now DIR/new.yaml:6:5]",
            "compatible app.job.duration label description changed (beta): `outcome` [was DIR/old.yaml:6:5, now DIR/new.yaml:6:5]",
            "compatible app.queue.depth description changed (alpha) [was DIR/old.yaml:35:5, now DIR/new.yaml:35:5]",
        ],
    },
    Case {
        name: "removing_a_metric_never_deprecated_breaks",
        edits: &[(
            "  - name: app.queue.depth\n    instrument: gauge\n    type: i64\n    unit: \"{job}\"\n    description: Jobs waiting\n    labels: [queue]\n",
            "",
        )],
        args: &[],
        exit: 1,
        lines: &[
            "BREAKING   app.queue.depth metric removed (alpha): never deprecated: deprecate it first [was DIR/old.yaml:31:5]",
        ],
    },
    Case {
        name: "a_rename_goes_through_deprecation",
        edits: &[(
            "    labels: [queue]\n",
            "    labels: [queue]\n    deprecated: {since: 0.4.0, reason: one name per concept, renamed_to: app.queue.length}\n  \
             - name: app.queue.length\n    instrument: gauge\n    type: i64\n    unit: \"{job}\"\n    description: Jobs waiting\n    labels: [queue]\n",
        )],
        args: &[],
        exit: 0,
        lines: &[
            "compatible app.queue.depth metric deprecated (alpha): renamed to `app.queue.length` (since 0.4.0): one name per concept [was DIR/old.yaml:31:5, now DIR/new.yaml:37:5]",
            "compatible app.queue.length metric added (alpha) [now DIR/new.yaml:38:5]",
        ],
    },
    Case {
        name: "lowering_stability_breaks",
        edits: &[("    stability: stable\n", "    stability: beta\n")],
        args: &[],
        exit: 1,
        lines: &[
            "BREAKING   app.jobs.total stability changed (stable): stable → beta [was DIR/old.yaml:22:5, now DIR/new.yaml:22:5]",
        ],
    },
];

fn docs_gen(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_docs-gen")).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn base() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/base.yaml")).unwrap()
}

#[test]
fn each_kind_of_change_has_its_line_and_class() {
    let mut failures = Vec::new();
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("old.yaml"), dir.path().join("new.yaml"));
        let mut text = base();
        std::fs::write(&old, &text).unwrap();
        for (from, to) in case.edits {
            assert!(text.contains(from), "{}: {from:?} not in the baseline", case.name);
            text = text.replacen(from, to, 1);
        }
        std::fs::write(&new, &text).unwrap();
        let mut args = vec!["--catalog", new.to_str().unwrap(), "diff", "--baseline", old.to_str().unwrap()];
        args.extend(case.args);
        let (code, stdout, stderr) = docs_gen(&args);
        let d = dir.path().display().to_string();
        let got: Vec<String> = stdout.lines().skip(1).map(|l| l.replace(&d, "DIR")).collect();
        let (changes, summary) = got.split_at(got.len().saturating_sub(1));
        if code != Some(case.exit) || changes != case.lines {
            failures.push(format!(
                "--- {}: exit {code:?} (want {})\nwant:\n{}\ngot:\n{}\n{summary:?}{stderr}",
                case.name,
                case.exit,
                case.lines.join("\n"),
                changes.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn markdown_and_json_reports() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.yaml"), dir.path().join("new.yaml"));
    std::fs::write(&old, base()).unwrap();
    std::fs::write(
        &new,
        base()
            .replace("    unit: ms\n", "    unit: s\n")
            .replace("description: Jobs waiting", "description: Queued jobs"),
    )
    .unwrap();
    let args = |format: &'static str| {
        vec!["--catalog", new.to_str().unwrap(), "diff", "--baseline", old.to_str().unwrap(), "--format", format]
    };
    let (code, md, _) = docs_gen(&args("markdown").iter().map(|s| &**s).collect::<Vec<_>>());
    assert_eq!(code, Some(1));
    assert!(md.starts_with("### Metric catalog changes\n"), "{md}");
    assert!(md.contains("| ❌ breaking | `app.job.duration` | unit changed | beta | `ms` → `s` |"), "{md}");
    assert!(md.contains("| ✅ compatible | `app.queue.depth` | description changed | alpha |"), "{md}");
    let (code, json, _) = docs_gen(&args("json").iter().map(|s| &**s).collect::<Vec<_>>());
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["breaking"], true);
    let kinds: Vec<&str> = v["changes"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["unit changed", "Prometheus series renamed", "description changed"]);
    assert_eq!(v["changes"][0]["class"], "breaking");
    assert!(v["changes"][0]["old_at"].as_str().unwrap().ends_with("old.yaml:26:5"));
}

#[test]
fn a_baseline_that_does_not_load_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.yaml"), dir.path().join("new.yaml"));
    std::fs::write(&old, base().replace("instrument: gauge", "instrument: gauje")).unwrap();
    std::fs::write(&new, base()).unwrap();
    let (code, _, stderr) =
        docs_gen(&["--catalog", new.to_str().unwrap(), "diff", "--baseline", old.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("old.yaml:32:17: error: unknown instrument `gauje`"), "{stderr}");
    assert!(stderr.contains("the baseline"), "{stderr}");
    let (code, _, stderr) =
        docs_gen(&["--catalog", new.to_str().unwrap(), "diff", "--baseline", "no-such-revision-xyz"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("cannot read the baseline `no-such-revision-xyz`"), "{stderr}");
}

/// A git revision as the baseline: the workspace catalog against its own HEAD.
#[test]
fn a_git_revision_is_a_baseline() {
    let root = test_support::workspace();
    if !root.join(".git").exists() {
        eprintln!("skipped: not a git checkout");
        return;
    }
    let (code, stdout, stderr) = docs_gen(&["diff", "--baseline", "HEAD"]);
    assert!(matches!(code, Some(0) | Some(1)), "{stdout}{stderr}");
    // Tests run in docs-gen/: the catalog is named as it opens from there.
    assert!(stdout.starts_with("catalog diff: HEAD:metrics.yaml → ../metrics.yaml\n"), "{stdout}{stderr}");
}

/// A query of a deprecated metric is a warning, located, and the catalog still loads.
#[test]
fn querying_a_deprecated_metric_warns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.yaml");
    let text = base()
        .replace(
            "    stability: stable\n",
            "    stability: stable\n    queries:\n      - title: Waiting\n        expr: sum(app_queue_depth)\n",
        )
        .replace(
            "    labels: [queue]\n",
            "    labels: [queue]\n    deprecated: {since: 0.4.0, reason: Use the queue's own gauge.}\n",
        );
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("docs");
    let (code, _, stderr) = docs_gen(&[
        "--catalog",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--deploy",
        dir.path().join("deploy").to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:25:15: warning: this query uses `app.queue.depth`, deprecated since 0.4.0: Use the queue's own gauge.\n  help: rewrite or remove this query before `app.queue.depth` is removed",
            path.display()
        )),
        "{stderr}"
    );
    let reference = std::fs::read_to_string(out.join("METRICS.md")).unwrap();
    assert!(reference.contains("| Deprecated | since 0.4.0: Use the queue's own gauge. |"), "{reference}");
    assert!(reference.contains("**Deprecated metrics:**"), "{reference}");
}
