//! Below [`crate::resolve`], which calls it: the `slos:` section resolved into [`Slo`]s, the default tiers
//! applied and every rule a catalog can check without PromQL checked, each at its place: the name,
//! the objective, the period, the SLI's shape, the tiers' windows against the period and the scrape
//! interval, a tier that can never fire, and a minimum event rate too low for the budget to hold an
//! event. (The SLI's series, labels and bucket boundary are the PromQL stage's.)
//!
//! The default tiers are the SRE workbook's multiwindow, multi-burn-rate table for 30 days, scaled
//! to the period as Pyrra scales its windows (each window times period/30d, rounded to the minute),
//! with the burn rates kept, so that each tier spends the same share of the budget before it fires
//! whatever the period.

use crate::diag::Ctxt;
use crate::diag::message::{Alerting, Slo as Msg};
use crate::model::{Sli, SliSelector, Slo, Tier, Window};
use crate::notation;
use crate::parse;
use crate::source::join_key;
use std::collections::BTreeSet;

/// The default period.
pub const DEFAULT_PERIOD: &str = "30d";

/// The scrape interval when the catalog states none: Prometheus's default.
pub const DEFAULT_SCRAPE_INTERVAL: &str = "1m";

/// A default tier: name, long and short window at a 30-day period (seconds), burn rate, severity.
pub struct DefaultTier {
    pub name: &'static str,
    pub long: u64,
    pub short: u64,
    pub burn: f64,
    pub severity: &'static str,
}

/// The SRE workbook's table (chapter 5, "Alerting on SLOs", table 5-8) at a 30-day period: 2 % of
/// the budget in 1 h, 5 % in 6 h page; 10 % in 1 d and in 3 d open a ticket.
pub const DEFAULT_TIERS: [DefaultTier; 4] = [
    DefaultTier { name: "page", long: 3600, short: 300, burn: 14.4, severity: "critical" },
    DefaultTier { name: "page_slow", long: 6 * 3600, short: 1800, burn: 6.0, severity: "critical" },
    DefaultTier { name: "ticket", long: 86_400, short: 2 * 3600, burn: 3.0, severity: "warning" },
    DefaultTier { name: "ticket_slow", long: 3 * 86_400, short: 6 * 3600, burn: 1.0, severity: "warning" },
];

const THIRTY_DAYS: u64 = 30 * 86_400;

/// A 30-day window scaled to `period`, rounded to the minute (as Pyrra rounds).
pub fn scaled(secs_at_30d: u64, period: u64) -> u64 {
    let exact = secs_at_30d as f64 * period as f64 / THIRTY_DAYS as f64;
    ((exact / 60.0).round() * 60.0) as u64
}

/// Resolves every SLO; an SLO with an error is still returned (its errors reported), so that the
/// PromQL stage checks its SLI too.
pub fn build(slos: Vec<(String, parse::Slo)>, scrape_interval: Option<&str>, cx: &mut Ctxt) -> Vec<Slo> {
    let scrape = match scrape_interval {
        None => Some(Window::of_secs(60)),
        Some(text) => match notation::duration_secs(text).filter(|s| *s > 0) {
            Some(secs) => Some(Window { secs, text: text.to_owned() }),
            None => {
                cx.error("document.scrape_interval", Msg::Duration { got: text.to_owned() });
                None
            }
        },
    };
    let mut names = BTreeSet::new();
    slos.into_iter()
        .map(|(at, s)| {
            if !names.insert(s.name.clone()) {
                cx.error(&join_key(&at, "name"), Msg::Duplicate { name: s.name.clone() });
            }
            build_slo(at, s, scrape.as_ref(), cx)
        })
        .collect()
}

fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
}

fn valid_label(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with("__")
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `task-success` → `TaskSuccessBudgetBurn`.
fn default_alert(name: &str) -> String {
    let mut out: String = name
        .split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect();
    out.push_str("BudgetBurn");
    out
}

fn build_slo(at: String, s: parse::Slo, scrape: Option<&Window>, cx: &mut Ctxt) -> Slo {
    let field = |k: &str| join_key(&at, k);
    if !valid_name(&s.name) {
        cx.error(&field("name"), Msg::Name { name: s.name.clone() });
    }
    let objective_ok = s.objective > 0.0 && s.objective < 100.0 && s.objective.is_finite();
    if !objective_ok {
        cx.error(&field("objective"), Msg::Objective { got: s.objective });
    }
    let period_text = s.period.clone().unwrap_or_else(|| DEFAULT_PERIOD.to_owned());
    let period = match notation::duration_secs(&period_text) {
        Some(secs) if secs > 0 && secs.is_multiple_of(86_400) => Window { secs, text: notation::format_duration(secs) },
        _ => {
            cx.error(&field("period"), Msg::Period { got: period_text.clone() });
            Window::of_secs(THIRTY_DAYS)
        }
    };
    let sli = build_sli(&field("sli"), s.sli, cx);
    let alert = s.alert.clone().unwrap_or_else(|| default_alert(&s.name));
    if crate::ident::exact_type_ident(&alert).as_deref() != Some(alert.as_str()) {
        cx.error(&field(if s.alert.is_some() { "alert" } else { "name" }), Alerting::Name { name: alert.clone() });
    }
    for key in s.labels.keys() {
        if !valid_label(key) {
            cx.error_at_key(&join_key(&field("labels"), key), Msg::LabelName { got: key.clone() });
        }
    }
    for (key, text) in &s.annotations {
        if !valid_label(key) {
            cx.error_at_key(&join_key(&field("annotations"), key), Msg::LabelName { got: key.clone() });
        }
        if let Err(got) = notation::check_template(text) {
            cx.error(&join_key(&field("annotations"), key), Alerting::UnsupportedTemplate { got });
        }
    }
    if let Some(r) = s.min_event_rate
        && !(r > 0.0 && r.is_finite())
    {
        cx.error(&field("min_event_rate"), Msg::MinRate { got: r });
    }
    let tiers = build_tiers(&field("tiers"), s.tiers, &period, scrape, cx);
    let mut slo = Slo {
        at: at.clone(),
        name: s.name,
        title: s.title,
        description: s.description,
        objective: s.objective,
        period,
        sli,
        alert,
        alert_declared: s.alert.is_some(),
        tiers,
        min_event_rate: s.min_event_rate.filter(|r| *r > 0.0 && r.is_finite()),
        labels: s.labels,
        annotations: s.annotations,
    };
    if slo.tiers.is_empty() {
        cx.error_at_key(&field("tiers"), Msg::NoTier { name: slo.name.clone() });
    }
    if objective_ok {
        check_reachable(&mut slo, cx);
    }
    slo
}

/// Each tier can fire (its threshold is below all events bad), and at the minimum event rate the
/// budget over the shortest window holds at least one event.
fn check_reachable(slo: &mut Slo, cx: &mut Ctxt) {
    let budget = slo.budget();
    for t in &slo.tiers {
        if t.burn * budget >= 1.0 {
            // At the burn where the catalog writes one, else at the objective that makes the
            // default burn unreachable.
            let at = if t.burn_written { join_key(&t.at, "burn") } else { join_key(&slo.at, "objective") };
            cx.error(
                &at,
                Msg::NeverFires {
                    tier: t.name.clone(),
                    burn: t.burn,
                    budget_percent: budget * 100.0,
                    max_burn: 1.0 / budget,
                    min_objective: 100.0 * (1.0 - 1.0 / t.burn),
                },
            );
        }
    }
    let (Some(rate), Some(shortest)) = (slo.min_event_rate, slo.tiers.iter().map(|t| &t.short).min_by_key(|w| w.secs))
    else {
        return;
    };
    let events = rate * shortest.secs as f64;
    let allowed = events * budget;
    if allowed < 1.0 {
        cx.error(
            &join_key(&slo.at, "min_event_rate"),
            Msg::TooFewEvents {
                rate,
                window: shortest.text.clone(),
                events,
                budget_percent: budget * 100.0,
                allowed,
                min_rate: 1.0 / (budget * shortest.secs as f64),
                max_objective: 100.0 * (1.0 - 1.0 / events),
            },
        );
    }
}

fn build_sli(at: &str, sli: parse::Sli, cx: &mut Ctxt) -> Sli {
    let sel = |key: &str, v: Option<String>| v.map(|selector| SliSelector { at: join_key(at, key), selector });
    let mut given = Vec::new();
    for (key, present) in [
        ("good", sli.good.is_some()),
        ("bad", sli.bad.is_some()),
        ("total", sli.total.is_some()),
        ("latency", sli.latency.is_some()),
        ("threshold", sli.threshold.is_some()),
    ] {
        if present {
            given.push(key);
        }
    }
    let ratio = [sli.good.is_some(), sli.bad.is_some(), sli.total.is_some()].iter().filter(|b| **b).count();
    match (sli.latency, sli.threshold) {
        (Some(histogram), Some(threshold)) if ratio == 0 => {
            Sli::Latency { histogram: SliSelector { at: join_key(at, "latency"), selector: histogram }, threshold }
        }
        (None, None) if ratio == 2 => {
            Sli::Ratio { good: sel("good", sli.good), bad: sel("bad", sli.bad), total: sel("total", sli.total) }
        }
        _ => {
            cx.error_at_key(at, Msg::SliShape { given });
            Sli::Ratio { good: None, bad: None, total: None }
        }
    }
}

fn build_tiers(
    at: &str,
    mut given: std::collections::BTreeMap<String, parse::Tier>,
    period: &Window,
    scrape: Option<&Window>,
    cx: &mut Ctxt,
) -> Vec<Tier> {
    let mut tiers = Vec::new();
    let window = |tier_at: &str, key: &str, text: Option<String>, default: u64, cx: &mut Ctxt| -> Option<Window> {
        match text {
            None => Some(Window::of_secs(default)),
            Some(text) => match notation::duration_secs(&text).filter(|s| *s > 0) {
                Some(secs) => Some(Window { secs, text }),
                None => {
                    cx.error(&join_key(tier_at, key), Msg::Duration { got: text });
                    None
                }
            },
        }
    };
    let defaults = DEFAULT_TIERS.iter().map(|d| (d.name.to_owned(), Some(d)));
    let own: Vec<(String, Option<&DefaultTier>)> = given
        .keys()
        .filter(|k| !DEFAULT_TIERS.iter().any(|d| d.name == k.as_str()))
        .map(|k| (k.clone(), None))
        .collect();
    for (name, default) in defaults.chain(own) {
        let tier_at = join_key(at, &name);
        let spec = given.remove(&name).unwrap_or_default();
        if spec.enabled == Some(false) {
            continue;
        }
        if default.is_none() {
            let missing: Vec<&'static str> = [
                ("long", spec.long.is_none()),
                ("short", spec.short.is_none()),
                ("burn", spec.burn.is_none()),
                ("severity", spec.severity.is_none()),
            ]
            .into_iter()
            .filter(|(_, m)| *m)
            .map(|(k, _)| k)
            .collect();
            if !missing.is_empty() {
                let suggestion = crate::diag::did_you_mean(&name, DEFAULT_TIERS.iter().map(|d| d.name));
                cx.error_at_key(&tier_at, Msg::UnknownTier { name: name.clone(), missing, suggestion });
                continue;
            }
        }
        let (long_written, short_written) = (spec.long.is_some(), spec.short.is_some());
        let long = window(&tier_at, "long", spec.long, default.map_or(0, |d| scaled(d.long, period.secs)), cx);
        let short = window(&tier_at, "short", spec.short, default.map_or(0, |d| scaled(d.short, period.secs)), cx);
        let burn = spec.burn.or(default.map(|d| d.burn)).unwrap_or(1.0);
        if !(burn > 0.0 && burn.is_finite()) {
            cx.error(&join_key(&tier_at, "burn"), Msg::Burn { got: burn });
        }
        if let Some(f) = &spec.for_duration
            && !notation::is_duration(f)
        {
            cx.error(&join_key(&tier_at, "for"), Alerting::Duration { got: f.clone() });
        }
        let (Some(long), Some(short)) = (long, short) else { continue };
        // Where a window is written, the error points at it; a default one at the tier (or, for
        // a tier not written at all, at the period that scaled it).
        let place = |key: &str, written: bool| match written {
            true => join_key(&tier_at, key),
            false => at.rsplit_once('.').map_or_else(|| at.to_owned(), |(slo, _)| join_key(slo, "period")),
        };
        if long.secs > period.secs {
            cx.error(
                &place("long", long_written),
                Msg::LongerThanPeriod { tier: name.clone(), window: long.text.clone(), period: period.text.clone() },
            );
        }
        if short.secs >= long.secs {
            cx.error(
                &place("short", short_written),
                Msg::ShortNotShorter { tier: name.clone(), short: short.text.clone(), long: long.text.clone() },
            );
        }
        if let Some(scrape) = scrape
            && short.secs < 2 * scrape.secs
        {
            cx.error(
                &place("short", short_written),
                Msg::UnderScrapes { tier: name.clone(), window: short.text.clone(), scrape: scrape.text.clone() },
            );
        }
        tiers.push(Tier {
            burn_written: spec.burn.is_some(),
            at: tier_at,
            severity: spec.severity.or(default.map(|d| d.severity.to_owned())).unwrap_or_default(),
            name,
            long,
            short,
            burn,
            for_duration: spec.for_duration,
        });
    }
    tiers
}
