//! A table of bad SLOs and the exact diagnostics each must give: the `minimal.yaml` fixture with a
//! good `slos:` section ([`SLOS`]) appended, then one edit. The line numbers refer to the fixture
//! after the edit (the section starts at line 167).

/// Two good SLOs on the fixture's metrics: a ratio of counter series, and a latency SLI at a
/// bucket boundary (`buckets: [5, 50, 500]`).
const SLOS: &str = "\
slos:
  - name: jobs-ok
    title: Jobs succeed
    description: Jobs that finish ok.
    objective: 99.5
    sli:
      good: app_jobs_completed_total{outcome=\"ok\"}
      total: app_jobs_completed_total
  - name: jobs-fast
    title: Jobs are fast
    description: Jobs that take 50 ms at most.
    objective: 99
    sli:
      latency: app_job_duration_milliseconds
      threshold: 50
";

struct Case {
    name: &'static str,
    /// `(from, to)` edits of the fixture with [`SLOS`] appended; each `from` must occur.
    edits: &'static [(&'static str, &'static str)],
    /// The whole diagnostic output, line by line.
    expect: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case { name: "good", edits: &[], expect: &["(loaded without errors)"] },
    Case {
        name: "threshold_off_the_boundaries",
        edits: &[("      threshold: 50\n", "      threshold: 100\n")],
        expect: &[
            "metrics.yaml:181:18: error: the threshold 100 ms is not a bucket boundary of `app.job.duration`, so no `le` series counts the events under it",
            "  help: the nearest boundaries are 50 and 500: use one of them, or add 100 to the metric's `buckets`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "unknown_series",
        edits: &[("      total: app_jobs_completed_total\n", "      total: app_jobs_total\n")],
        expect: &[
            "metrics.yaml:174:14: error: the query names `app_jobs_total`, which no metric of the catalog produces",
            "  help: did you mean `app_jobs_completed_total`?",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "value_not_allowed",
        edits: &[("{outcome=\"ok\"}", "{outcome=\"success\"}")],
        expect: &[
            "metrics.yaml:173:13: error: `success` is not an allowed value of label `outcome`",
            "  help: allowed values: ok, failed, timed_out",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "regex_matcher",
        edits: &[("{outcome=\"ok\"}", "{outcome=~\"ok|timed_out\"}")],
        expect: &[
            "metrics.yaml:173:13: error: `app_jobs_completed_total{outcome=~\"ok|timed_out\"}` is not a selector of events: `outcome` is not an equality matcher",
            "  help: write a series name with equality matchers, e.g. `http_requests_total{code=\"500\"}`: the rules take `rate()` of it over each window",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "a_gauge_counts_no_events",
        edits: &[("      total: app_jobs_completed_total\n", "      total: breaker_state\n")],
        expect: &[
            "metrics.yaml:174:14: error: `breaker_state` is a gauge's series: an SLI counts events",
            "  help: use a counter's `_total` series, or a histogram's `latency` with a `threshold`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "latency_names_a_bucket_series",
        edits: &[("latency: app_job_duration_milliseconds\n", "latency: app_job_duration_milliseconds_bucket\n")],
        expect: &[
            "metrics.yaml:180:16: error: `app_job_duration_milliseconds_bucket` is no histogram of the catalog",
            "  help: did you mean `app_job_duration_milliseconds`? Name the histogram as Prometheus does, without `_bucket`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "objective_100",
        edits: &[("    objective: 99.5\n", "    objective: 100\n")],
        expect: &[
            "metrics.yaml:171:16: error: objective 100 is not between 0 and 100 % exclusive",
            "  help: an objective of 100 % leaves no error budget, so any one bad event would page; write the share of good events you promise, e.g. `99.9`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "objective_0",
        edits: &[("    objective: 99.5\n", "    objective: 0\n")],
        expect: &[
            "metrics.yaml:171:16: error: objective 0 is not between 0 and 100 % exclusive",
            "  help: write the share of good events you promise, in percent, e.g. `99.5` (not a ratio such as `0.995`)",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "window_longer_than_the_period",
        edits: &[(
            "    objective: 99.5\n",
            "    objective: 99.5\n    period: 28d\n    tiers:\n      ticket_slow: {long: 35d}\n",
        )],
        expect: &[
            "metrics.yaml:174:27: error: tier `ticket_slow`: the long window `35d` is longer than the SLO's period `28d`",
            "  help: a burn rate is judged within the period: use a window of at most `28d`, or lengthen the period",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "every_tier_switched_off",
        edits: &[(
            "    objective: 99.5\n",
            "    objective: 99.5\n    tiers:\n      page: {enabled: false}\n      page_slow: {enabled: false}\n      ticket: {enabled: false}\n      ticket_slow: {enabled: false}\n",
        )],
        expect: &[
            "metrics.yaml:172:5: error: every tier of SLO `jobs-ok` is switched off",
            "  help: keep at least one tier (an SLO without alerts is a dashboard, not an objective), or remove the SLO",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "unknown_tier",
        edits: &[("    objective: 99.5\n", "    objective: 99.5\n    tiers:\n      pager: {severity: sev1}\n")],
        expect: &[
            "metrics.yaml:173:7: error: tier `pager` is none of the default tiers, and does not give `long`, `short`, `burn`",
            "  help: did you mean `page`? A new tier gives `long`, `short`, `burn` and `severity`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "a_tier_that_can_never_fire",
        edits: &[("    objective: 99\n", "    objective: 90\n")],
        expect: &[
            "metrics.yaml:178:16: error: tier `page` can never fire: burn 14.4 × error budget 10 % is 144 % of events bad, and no more than all of them can be",
            "  help: lower its burn below 10 (`tiers.page.burn`), raise the objective above 93.0556 %, or switch the tier off (`enabled: false`)",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "period_of_one_day_scales_the_short_window_under_the_scrapes",
        edits: &[("    objective: 99\n", "    objective: 99\n    period: 1d\n")],
        expect: &[
            "metrics.yaml:179:13: error: tier `page_slow`: the short window `1m` holds fewer than two scrapes at the scrape interval `1m`",
            "  help: `rate()` needs two samples in its window: use a window of at least twice `1m` (`document.scrape_interval`), or a longer period, whose default windows scale with it",
            "metrics.yaml:179:13: error: tier `page`: the short window `0s` holds fewer than two scrapes at the scrape interval `1m`",
            "  help: `rate()` needs two samples in its window: use a window of at least twice `1m` (`document.scrape_interval`), or a longer period, whose default windows scale with it",
            "2 errors in the catalog",
        ],
    },
    Case {
        name: "period_not_in_days",
        edits: &[("    objective: 99\n", "    objective: 99\n    period: 36h\n")],
        expect: &[
            "metrics.yaml:179:13: error: period `36h` is not a whole number of days",
            "  help: write the days the objective holds over, e.g. `28d` or `30d` (the default)",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "min_event_rate_too_low_for_the_budget",
        edits: &[("    objective: 99\n", "    objective: 99\n    min_event_rate: 0.1\n")],
        expect: &[
            "metrics.yaml:179:21: error: at the minimum event rate 0.1/s the shortest window `5m` sees 30 events, of which the error budget (1 %) allows 0.3: a single bad event would fire the tiers",
            "  help: raise `min_event_rate` to at least 0.3333, lower the objective to at most 96.6667 %, or lengthen the short windows",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "sli_with_three_counts",
        edits: &[(
            "      total: app_jobs_completed_total\n",
            "      total: app_jobs_completed_total\n      bad: app_jobs_completed_total{outcome=\"failed\"}\n",
        )],
        expect: &[
            "metrics.yaml:172:5: error: the SLI gives `good`, `bad`, `total`",
            "  help: an SLI is a ratio of events: give exactly two of `good`, `bad` and `total` (counter selectors), or `latency` (a histogram) with `threshold`",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "duplicate_name",
        edits: &[("  - name: jobs-fast\n", "  - name: jobs-ok\n")],
        expect: &[
            "metrics.yaml:175:11: error: SLO `jobs-ok` is declared twice",
            "  help: SLO names are unique in a catalog: their rules are told apart by the `slo` label",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "alert_name_of_another_alert",
        edits: &[("  - name: jobs-fast\n", "  - name: jobs-fast\n    alert: BreakerOpen\n")],
        expect: &[
            "metrics.yaml:176:12: error: alert `BreakerOpen` is declared twice",
            "  help: alert names are unique in a catalog: Alertmanager routes and silences match on them",
            "1 error in the catalog",
        ],
    },
    Case {
        name: "bad_name",
        edits: &[("  - name: jobs-ok\n", "  - name: Jobs_OK\n")],
        expect: &[
            "metrics.yaml:168:11: error: invalid SLO name `Jobs_OK`",
            "  help: use lowercase letters, digits and `-`, starting with a letter, e.g. `task-success`: it is the `slo` label of the SLO's rules",
            "1 error in the catalog",
        ],
    },
];

fn input(edits: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(test_support::fixture("good/minimal.yaml")).unwrap();
    assert_eq!(text.lines().count(), 166, "the fixture changed length: renumber the expectations");
    text.push_str(SLOS);
    for (from, to) in edits {
        assert!(text.contains(from), "edit target {from:?} not in the fixture with its SLOs");
        text = text.replacen(from, to, 1);
    }
    text
}

#[test]
fn each_bad_slo_gives_its_exact_diagnostics() {
    let mut failures = Vec::new();
    for case in CASES {
        let got = crate::bad_catalogs::diagnostics(input(case.edits).as_bytes());
        let want = case.expect.join("\n");
        if got != want {
            failures.push(format!("--- {}\nwant:\n{want}\ngot:\n{got}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
