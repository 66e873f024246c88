//! The small notations of Prometheus and promtool that a catalog writes as text: durations
//! (`for: 2m`), promtool's values notation for alert test input (`0+10x20`), and the one Go
//! template annotations may use (`{{ $labels.KEY }}`). Pure string rules, no PromQL parser.

use std::collections::BTreeMap;

/// `30s`, `2m`, `1h30m`: one or more number-and-unit pairs, as Prometheus writes durations.
pub fn is_duration(s: &str) -> bool {
    let units = ["ms", "s", "m", "h", "d", "w", "y"];
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        match units.iter().find(|u| rest.starts_with(*u)) {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

/// A Prometheus duration in whole seconds (`1h30m` → 5400); `None` when it is not one, or has
/// milliseconds left over, or overflows.
pub fn duration_secs(s: &str) -> Option<u64> {
    if !is_duration(s) {
        return None;
    }
    let mut total: u64 = 0;
    let mut millis: u64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit, secs) =
            [("ms", 0), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800), ("y", 31_536_000)]
                .into_iter()
                .find(|(u, _)| rest.starts_with(u))?;
        rest = &rest[unit.len()..];
        if unit == "ms" {
            millis = millis.checked_add(n)?;
        } else {
            total = total.checked_add(n.checked_mul(secs)?)?;
        }
    }
    if !millis.is_multiple_of(1000) {
        return None;
    }
    total.checked_add(millis / 1000)
}

/// Whole seconds as a Prometheus duration in days, hours, minutes and seconds (`2d19h12m`, `5m`,
/// `0s`): no weeks or years, whose lengths readers have to look up.
pub fn format_duration(secs: u64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = secs;
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

/// Annotations may use `{{ $labels.KEY }}` and nothing else of Go's templates: the alert unit tests
/// expect the text rendered, and only that template can be rendered here without Prometheus.
/// `Err` holds the first template that is not that one.
pub fn check_template(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(rest[start..].to_owned());
        };
        let inner = after[..end].trim();
        let ok = inner.strip_prefix("$labels.").is_some_and(|k| {
            !k.is_empty()
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !k.starts_with(|c: char| c.is_ascii_digit())
        });
        if !ok {
            return Err(format!("{{{{{}}}}}", &after[..end]));
        }
        rest = &after[end + 2..];
    }
    Ok(())
}

/// Renders the `{{ $labels.KEY }}` templates of an annotation with an alert's labels (a missing
/// label renders empty, as Prometheus does).
pub fn render_template(text: &str, labels: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let key = after[..end].trim().trim_start_matches("$labels.");
        out.push_str(labels.get(key).map_or("", String::as_str));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// promtool's expanding notation for input values: space-separated items, each `_` (no sample),
/// `stale`, a number, `_xN`, `AxN`, `A+BxN` or `A-BxN`.
pub fn check_series_values(values: &str) -> Result<(), String> {
    let number = |s: &str| {
        let t = s.trim_start_matches(['+', '-']);
        t.eq_ignore_ascii_case("inf") || t.eq_ignore_ascii_case("nan") || t.parse::<f64>().is_ok()
    };
    let mut items = 0;
    for item in values.split_whitespace() {
        items += 1;
        if item == "_" || item == "stale" || number(item) {
            continue;
        }
        let bad = || format!("`{item}` is not `_`, `stale`, a number, `AxN`, `A+BxN` or `A-BxN`");
        let (head, times) = item.rsplit_once('x').ok_or_else(bad)?;
        if times.is_empty() || !times.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        if head == "_" || number(head) {
            continue;
        }
        // `A+B` or `A-B`: the operator is the last sign that does not start the item.
        let split = head.char_indices().skip(1).filter(|(_, c)| *c == '+' || *c == '-').last();
        match split {
            Some((i, _)) if number(&head[..i]) && number(&head[i + 1..]) => {}
            _ => return Err(bad()),
        }
    }
    if items == 0 { Err("no values".into()) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_in_seconds_and_back() {
        use super::{duration_secs, format_duration};
        assert_eq!(duration_secs("1h30m"), Some(5400));
        assert_eq!(duration_secs("30d"), Some(2_592_000));
        assert_eq!(duration_secs("1500ms"), None);
        assert_eq!(duration_secs("2000ms"), Some(2));
        assert_eq!(duration_secs("5 m"), None);
        assert_eq!(duration_secs("99999999999999999999y"), None);
        assert_eq!(format_duration(2_592_000), "30d");
        assert_eq!(format_duration(241_920), "2d19h12m");
        assert_eq!(format_duration(300), "5m");
        assert_eq!(format_duration(0), "0s");
        for secs in [1, 59, 61, 3600, 86_401, 241_920] {
            assert_eq!(duration_secs(&format_duration(secs)), Some(secs));
        }
    }

    #[test]
    fn durations() {
        for ok in ["30s", "2m", "1h30m", "500ms", "1d"] {
            assert!(super::is_duration(ok), "{ok}");
        }
        for bad in ["", "2", "m", "2 minutes", "1.5m"] {
            assert!(!super::is_duration(bad), "{bad}");
        }
    }

    #[test]
    fn templates() {
        use std::collections::BTreeMap;
        assert_eq!(super::check_template("on {{ $labels.channel }} now"), Ok(()));
        assert_eq!(super::check_template("{{ $value }}"), Err("{{ $value }}".into()));
        assert_eq!(super::check_template("open {{ $labels.x"), Err("{{ $labels.x".into()));
        let labels: BTreeMap<String, String> = [("channel".to_owned(), "a".to_owned())].into();
        assert_eq!(super::render_template("on {{ $labels.channel }}, {{ $labels.y }}.", &labels), "on a, .");
    }
}
