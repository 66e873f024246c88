//! What an SLO generates, worked out once for the rule file, its unit tests, the Sloth spec, the
//! dashboard and the reference: the error ratio over every window a tier uses (recording rules
//! named `slo:…`, as Sloth names them), the budget rules, one burn-rate alert per tier, and the
//! `promtool test rules` cases derived from the tiers' lines.
//!
//! The rules (per SLO, label `slo="NAME"` on every series):
//!
//! - `slo:sli_error:ratio_rate<W>`: bad events over all events in window W, for each window of
//!   the tiers and the period (the period's as a ratio of increases, so that the budget is
//!   weighted by events, where Sloth averages its 5-minute ratios);
//! - `slo:sli_events:rate<W>`: events per second over each short window, when the SLO has a
//!   minimum event rate (the alerts' guard);
//! - `slo:objective:ratio`, `slo:error_budget:ratio`, `slo:current_burn_rate:ratio`,
//!   `slo:period_burn_rate:ratio`, `slo:period_error_budget_remaining:ratio`, as Sloth names them;
//! - the alert: per tier, the error ratio over its long window and its short window both above
//!   burn × budget.
//!
//! The cases: for every tier, one where the error ratio is the smallest over its line the input's
//! integers can make (it fires, with every other tier whose line is lower), one just under it (it
//! stays quiet), and with a minimum event rate, one where every event is bad at half that rate
//! (nothing fires). Each evaluates when the tier's long window (and `for`) has passed.

use catalog_model::model::{Catalog, Sli, Slo, Window};
use catalog_promql::syntax::{parse, selector_name};
use promql_parser::parser::Expr;
use std::collections::BTreeMap;

/// One SLO's rules and tests.
pub struct SloPlan<'c> {
    pub slo: &'c Slo,
    /// The rule group, `<meter>.slo.<name>`.
    pub group: String,
    /// Recording rules, in evaluation order.
    pub records: Vec<Recording>,
    /// One alert per tier, in the SLO's tier order.
    pub alerts: Vec<TierAlert>,
    pub cases: Vec<Case>,
    /// The error ratio as PromQL with `$window` for the window, for the reference.
    pub error_ratio: String,
    /// Where the SLO cannot be written as a Sloth spec exactly, in words (empty: exact).
    pub sloth_differences: Vec<String>,
    events: Events,
}

/// A recording rule of an SLO.
pub struct Recording {
    pub record: String,
    pub expr: String,
    pub labels: BTreeMap<String, String>,
}

/// A tier's alerting rule.
pub struct TierAlert {
    pub tier: usize,
    pub expr: String,
    /// Every label of a firing alert but `alertname`.
    pub labels: BTreeMap<String, String>,
}

/// A derived `promtool test rules` case.
pub struct Case {
    /// The test's name, which promtool prints when it fails.
    pub name: String,
    /// Its verdict in a word: `fires`, `stays quiet`, `low traffic`.
    pub kind: CaseKind,
    /// The tier it is about.
    pub tier: usize,
    /// The input sample interval, seconds.
    pub interval: u64,
    /// `(series, values)` in promtool's notation.
    pub input: Vec<(String, String)>,
    /// When the rules are evaluated, seconds after the first sample.
    pub eval_secs: u64,
    /// The tiers expected to fire, by index, with their alert labels.
    pub fires: Vec<usize>,
    /// Bad and all events per interval.
    pub bad: f64,
    pub total: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    Fires,
    Quiet,
    LowTraffic,
}

/// The SLI's events as series selectors.
enum Events {
    BadTotal { bad: String, total: String },
    GoodTotal { good: String, total: String },
    GoodBad { good: String, bad: String },
}

/// `shop_orders_failed_total{region="eu"}` → the series' name and its matchers, sorted.
fn name_and_labels(selector: &str) -> Option<(String, BTreeMap<String, String>)> {
    let Ok(Expr::VectorSelector(vs)) = parse(selector) else { return None };
    let name = selector_name(&vs)?.to_owned();
    let labels = vs
        .matchers
        .matchers
        .iter()
        .filter(|m| m.name != "__name__")
        .map(|m| (m.name.clone(), m.value.clone()))
        .collect();
    Some((name, labels))
}

fn selector(name: &str, labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return name.to_owned();
    }
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={}", quote(v))).collect();
    format!("{name}{{{}}}", inner.join(", "))
}

/// A PromQL string literal.
fn quote(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A number as the rules write it: the shortest decimal that reads back the same.
pub fn num(v: f64) -> String {
    format!("{v}")
}

impl Events {
    fn of(sli: &Sli) -> Option<Events> {
        let sel = |s: &Option<catalog_model::model::SliSelector>| {
            s.as_ref().and_then(|s| name_and_labels(&s.selector)).map(|(n, l)| selector(&n, &l))
        };
        Some(match sli {
            Sli::Ratio { good, bad, total } => match (sel(good), sel(bad), sel(total)) {
                (None, Some(bad), Some(total)) => Events::BadTotal { bad, total },
                (Some(good), None, Some(total)) => Events::GoodTotal { good, total },
                (Some(good), Some(bad), None) => Events::GoodBad { good, bad },
                _ => return None,
            },
            Sli::Latency { histogram, threshold } => {
                let (name, labels) = name_and_labels(&histogram.selector)?;
                let mut bucket = labels.clone();
                // `le` as the exporters write it: Rust's shortest round-trip decimal, which is what
                // `prometheus_exposition::write::push_float` writes (`1000`, `0.25`).
                bucket.insert("le".into(), num(*threshold));
                Events::GoodTotal {
                    good: selector(&format!("{name}_bucket"), &bucket),
                    total: selector(&format!("{name}_count"), &labels),
                }
            }
        })
    }

    /// `sum(rate(S[W]))`, or 0 when no series exists yet (a counter of failures appears with the
    /// first failure; without `or vector(0)` the ratio would have no value until then).
    fn rate(s: &str, w: &str, or_zero: bool) -> String {
        if or_zero { format!("(sum(rate({s}[{w}])) or vector(0))") } else { format!("sum(rate({s}[{w}]))") }
    }

    /// The share of bad events over window `w`.
    fn error_ratio(&self, w: &str) -> String {
        match self {
            Events::BadTotal { bad, total } => {
                format!("{}\n/\n{}", Events::rate(bad, w, true), Events::rate(total, w, false))
            }
            Events::GoodTotal { good, total } => {
                format!("1 - (\n  {}\n  /\n  {}\n)", Events::rate(good, w, true), Events::rate(total, w, false))
            }
            Events::GoodBad { good, bad } => format!(
                "{}\n/\n({} + {})",
                Events::rate(bad, w, true),
                Events::rate(good, w, true),
                Events::rate(bad, w, true)
            ),
        }
    }

    /// All events per second over window `w`.
    fn event_rate(&self, w: &str) -> String {
        match self {
            Events::BadTotal { total, .. } | Events::GoodTotal { total, .. } => Events::rate(total, w, false),
            Events::GoodBad { good, bad } => {
                format!("{} + {}", Events::rate(good, w, true), Events::rate(bad, w, true))
            }
        }
    }

    /// The input series of a case with `bad` of `total` events bad per interval, over `steps`
    /// intervals. Where the total's selector also selects the good (or bad) series (the same
    /// counter, fewer matchers: `x` over `x{outcome="ok"}`), the total is that series and the rest:
    /// one more series that the total selects and the part does not (another value of a label the
    /// part matches on), so that the total's sum is all events.
    fn input(&self, catalog: &Catalog, bad: f64, total: f64, steps: u64) -> Vec<(String, String)> {
        let values = |per: f64| format!("0+{}x{steps}", num(per));
        let good = total - bad;
        let (part, part_per, whole, rest_per) = match self {
            Events::BadTotal { bad: b, total: t } => (b, bad, t, good),
            Events::GoodTotal { good: g, total: t } => (g, good, t, bad),
            Events::GoodBad { good: g, bad: b } => return vec![(g.clone(), values(good)), (b.clone(), values(bad))],
        };
        match rest_of(catalog, whole, part) {
            Some(rest) => vec![(part.clone(), values(part_per)), (rest, values(rest_per))],
            None => vec![(part.clone(), values(part_per)), (whole.clone(), values(total))],
        }
    }
}

/// When `whole` selects every series `part` selects (same name, a subset of its matchers): a series
/// `whole` selects and `part` does not, `part`'s labels with one changed: another allowed value of
/// a closed label, else `other`.
fn rest_of(catalog: &Catalog, whole: &str, part: &str) -> Option<String> {
    let (wn, wl) = name_and_labels(whole)?;
    let (pn, pl) = name_and_labels(part)?;
    if wn != pn || !wl.iter().all(|(k, v)| pl.get(k) == Some(v)) {
        return None;
    }
    let (key, value) = pl.iter().find(|(k, _)| !wl.contains_key(*k))?;
    let allowed = catalog
        .labels
        .iter()
        .filter(|l| l.prometheus_key == *key)
        .filter_map(|l| l.values())
        .flat_map(|vs| vs.iter().map(|v| v.value.clone()))
        .find(|v| v != value);
    let mut labels = pl.clone();
    labels.insert(
        key.clone(),
        allowed.unwrap_or_else(|| if value == "other" { "another".into() } else { "other".into() }),
    );
    Some(selector(&pn, &labels))
}

/// The plan of every SLO of a checked catalog.
pub fn plans(catalog: &Catalog) -> Vec<SloPlan<'_>> {
    catalog.slos.iter().filter_map(|s| plan(catalog, s)).collect()
}

fn record_name(kind: &str, w: &Window) -> String {
    format!("slo:{kind}:rate{}", w.text)
}

/// `slo:sli_error:ratio_rate5m`.
pub fn error_record(w: &Window) -> String {
    record_name("sli_error:ratio", w).replacen(":ratio:rate", ":ratio_rate", 1)
}

/// `slo:sli_events:rate5m`.
pub fn events_record(w: &Window) -> String {
    record_name("sli_events", w)
}

fn plan<'c>(catalog: &'c Catalog, slo: &'c Slo) -> Option<SloPlan<'c>> {
    let events = Events::of(&slo.sli)?;
    let mut labels = BTreeMap::new();
    labels.insert("slo".to_owned(), slo.name.clone());
    labels.extend(slo.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    let on = |record: &str| format!("{record}{{slo={}}}", quote(&slo.name));
    let budget = num(slo.budget());
    let mut records = Vec::new();
    let record = |records: &mut Vec<Recording>, record: String, expr: String| {
        records.push(Recording { record, expr, labels: labels.clone() })
    };
    for w in slo.windows() {
        record(&mut records, error_record(w), events.error_ratio(&w.text));
    }
    let guard = slo.min_event_rate.is_some();
    if guard {
        let mut shorts: Vec<&Window> = slo.tiers.iter().map(|t| &t.short).collect();
        shorts.sort_by_key(|w| w.secs);
        shorts.dedup_by_key(|w| w.secs);
        for w in shorts {
            record(&mut records, events_record(w), events.event_rate(&w.text));
        }
    }
    let shortest = slo.windows()[0].clone();
    record(&mut records, "slo:objective:ratio".into(), format!("vector({})", num(slo.objective_ratio())));
    record(&mut records, "slo:error_budget:ratio".into(), format!("vector({budget})"));
    record(&mut records, "slo:current_burn_rate:ratio".into(), format!("{} / {budget}", on(&error_record(&shortest))));
    record(&mut records, "slo:period_burn_rate:ratio".into(), format!("{} / {budget}", on(&error_record(&slo.period))));
    record(
        &mut records,
        "slo:period_error_budget_remaining:ratio".into(),
        format!("1 - {}", on("slo:period_burn_rate:ratio")),
    );
    let alerts: Vec<TierAlert> = slo
        .tiers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let line = format!("({} * {budget})", num(t.burn));
            let mut expr =
                format!("{} > {line}\nand\n{} > {line}", on(&error_record(&t.long)), on(&error_record(&t.short)));
            if let Some(r) = slo.min_event_rate {
                expr.push_str(&format!("\nand\n{} >= {}", on(&events_record(&t.short)), num(r)));
            }
            let mut l = labels.clone();
            l.insert("severity".into(), t.severity.clone());
            l.insert("slo_tier".into(), t.name.clone());
            TierAlert { tier: i, expr, labels: l }
        })
        .collect();
    let cases = cases(catalog, slo, &events);
    let error_ratio = events.error_ratio("$window");
    let sloth_differences = sloth_differences(slo);
    Some(SloPlan {
        slo,
        group: format!("{}.slo.{}", catalog.meter_name, slo.name),
        records,
        alerts,
        cases,
        error_ratio,
        sloth_differences,
        events,
    })
}

impl SloPlan<'_> {
    /// The SLI's bad and all events as Sloth's `error_query` and `total_query`, with its
    /// `{{.window}}` placeholder.
    pub fn sloth_queries(&self) -> (String, String) {
        let w = "{{.window}}";
        let error = match &self.events {
            Events::BadTotal { bad, .. } | Events::GoodBad { bad, .. } => Events::rate(bad, w, true),
            Events::GoodTotal { good, total } => {
                format!("{} - {}", Events::rate(total, w, false), Events::rate(good, w, true))
            }
        };
        (error, self.events.event_rate(w))
    }
}

/// What Sloth (v0.11+, `prometheus/v1` spec) cannot say of this SLO, which it would generate
/// differently.
fn sloth_differences(slo: &Slo) -> Vec<String> {
    let mut out = Vec::new();
    if slo.period.secs != 30 * 86_400 {
        out.push(format!(
            "the period is {}: Sloth's spec has no period field (`sloth generate --default-slo-period {}` sets it for every SLO of a run)",
            slo.period.text, slo.period.text
        ));
    }
    let defaults: Vec<(&str, u64, u64, f64)> = catalog_model::slos::DEFAULT_TIERS
        .iter()
        .map(|d| {
            let scale = |secs: u64| catalog_model::slos::scaled(secs, slo.period.secs);
            (d.name, scale(d.long), scale(d.short), d.burn)
        })
        .collect();
    let standard = slo.tiers.len() == 4
        && slo.tiers.iter().zip(&defaults).all(|(t, (name, long, short, burn))| {
            t.name == *name
                && t.long.secs == *long
                && t.short.secs == *short
                && t.burn == *burn
                && t.for_duration.is_none()
        });
    if !standard {
        out.push(
            "its tiers are not the workbook's four: Sloth always generates those (page: 1h/5m ×14.4 or 6h/30m ×6; ticket: 1d/2h ×3 or 3d/6h ×1)"
                .into(),
        );
    }
    let severities: Vec<&str> = slo.tiers.iter().map(|t| t.severity.as_str()).collect();
    if standard && (severities[0] != severities[1] || severities[2] != severities[3]) {
        out.push("its two page tiers (or two ticket tiers) have different severities: Sloth's page and ticket alerts are one rule each".into());
    }
    if let Some(r) = slo.min_event_rate {
        out.push(format!(
            "its alerts are guarded by a minimum event rate ({}/s), which Sloth has no field for",
            num(r)
        ));
    }
    out
}

/// The smallest number of events per interval, from `10^k` up, such that `line × n` is at least
/// 100 bad events and falls between two integers by a quarter at least: the cases' bad events,
/// the integers either side of the line, are then over and under it by far more than any rounding
/// of the ratio Prometheus computes.
fn events_per_interval(line: f64, at_least: f64) -> u64 {
    let mut n: u64 = 10;
    while (n as f64) * line < 100.0 || (n as f64) < at_least {
        n *= 10;
    }
    let start = n;
    while n < start * 2 {
        let frac = (line * n as f64).fract();
        if (0.25..=0.75).contains(&frac) {
            return n;
        }
        n += 1;
    }
    start
}

fn cases(catalog: &Catalog, slo: &Slo, events: &Events) -> Vec<Case> {
    let budget = slo.budget();
    let mut out = Vec::new();
    for (i, t) in slo.tiers.iter().enumerate() {
        let line = t.threshold(slo);
        // The guard holds for the firing and quiet cases by a factor of two.
        let min_total_rate = slo.min_event_rate.unwrap_or(0.0) * 2.0;
        let kinds: &[CaseKind] = if slo.min_event_rate.is_some() {
            &[CaseKind::Fires, CaseKind::Quiet, CaseKind::LowTraffic]
        } else {
            &[CaseKind::Fires, CaseKind::Quiet]
        };
        for &kind in kinds {
            // The tiers that may fire at this case's ratio (the one under test, and every tier
            // whose line is lower); the interval keeps five samples in each one's short window.
            let provisional_interval = interval_for(&t.short);
            let (bad, total) = match kind {
                CaseKind::Fires | CaseKind::Quiet => {
                    let n = events_per_interval(line, min_total_rate * provisional_interval as f64);
                    let over = (line * n as f64).floor() + 1.0;
                    let bad = if kind == CaseKind::Fires { over } else { over - 1.0 };
                    (bad, n as f64)
                }
                // Every event bad (ratio 1); how many an interval is set below, at the case's interval.
                CaseKind::LowTraffic => (1.0, 1.0),
            };
            let ratio = bad / total;
            let may_fire: Vec<usize> = slo
                .tiers
                .iter()
                .enumerate()
                .filter(|(j, u)| *j == i || u.threshold(slo) < ratio)
                .map(|(j, _)| j)
                .collect();
            // Nothing fires in the low-traffic case, whether a window holds enough samples for a
            // ratio or not: it keeps the tier's own interval.
            let interval = match kind {
                CaseKind::LowTraffic => provisional_interval,
                _ => may_fire.iter().map(|&j| interval_for(&slo.tiers[j].short)).min().unwrap_or(60),
            };
            // A smaller interval only raises the events per second of the firing and quiet cases
            // (the guard holds still); the low-traffic case is recomputed at it.
            let (bad, total) = match kind {
                CaseKind::LowTraffic => {
                    let per = slo.min_event_rate.unwrap_or_default() * interval as f64 / 2.0;
                    (per, per)
                }
                _ => (bad, total),
            };
            let for_secs = t.for_duration.as_deref().and_then(catalog_model::notation::duration_secs).unwrap_or(0);
            let step = interval.max(60);
            let eval = (t.long.secs + for_secs).div_ceil(step) * step;
            let steps = eval / interval;
            let fires: Vec<usize> = match kind {
                CaseKind::LowTraffic => Vec::new(),
                _ => may_fire
                    .iter()
                    .copied()
                    .filter(|&j| slo.tiers[j].threshold(slo) < ratio)
                    .filter(|&j| {
                        let f = slo.tiers[j]
                            .for_duration
                            .as_deref()
                            .and_then(catalog_model::notation::duration_secs)
                            .unwrap_or(0);
                        eval >= f + 2 * interval
                    })
                    .collect(),
            };
            let (verdict, side) = if kind == CaseKind::Fires { ("fires", "over") } else { ("stays quiet", "under") };
            let name = match kind {
                CaseKind::Fires | CaseKind::Quiet => format!(
                    "{} {} {verdict} at {}: {} of {} events bad every {} (burn {}× {side} its {}×)",
                    slo.alert,
                    t.name,
                    Window::of_secs(eval).text,
                    num(bad),
                    num(total),
                    Window::of_secs(interval).text,
                    short(ratio / budget),
                    num(t.burn)
                ),
                CaseKind::LowTraffic => format!(
                    "{} {} stays quiet at {}: every event bad, at {}/s, half the minimum event rate",
                    slo.alert,
                    t.name,
                    Window::of_secs(eval).text,
                    num(total / interval as f64)
                ),
            };
            out.push(Case {
                name,
                kind,
                tier: i,
                interval,
                input: events.input(catalog, bad, total, steps),
                eval_secs: eval,
                fires,
                bad,
                total,
            });
        }
    }
    out
}

/// Five samples in a short window at least: the input interval of a case, whole seconds, and
/// either whole minutes or a divisor of one (so that the evaluation times, whole multiples of it,
/// fall on the test file's one-minute evaluation steps).
fn interval_for(short: &Window) -> u64 {
    let raw = short.secs / 5;
    if raw >= 60 {
        raw / 60 * 60
    } else {
        [30, 20, 15, 12, 10, 6, 5, 4, 3, 2, 1].into_iter().find(|d| *d <= raw).unwrap_or(1)
    }
}

/// A burn rate to four significant digits.
fn short(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}
