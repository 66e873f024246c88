//! What a scraper asks for: the format from `Accept`, gzip from `Accept-Encoding`.
//!
//! Kept here rather than taken from a crate: the two headers are read for four tokens
//! (`application/openmetrics-text`, `text/plain`, `gzip` and their wildcards) and their `q`, and the
//! crates that parse them whole (`headers`, `mime`) would add more code than this.

use super::exposition::Format;

/// The format to answer in: OpenMetrics when the client prefers it (Prometheus asks for
/// `application/openmetrics-text;version=1.0.0` first), the text format otherwise, including when
/// `Accept` is missing, unreadable or names only formats this endpoint does not have.
pub fn format(accept: Option<&str>) -> Format {
    let Some(accept) = accept else { return Format::Text };
    let (mut openmetrics, mut text) = (0.0f32, 0.0f32);
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let (mut q, mut version) = (1.0f32, None);
        for param in parts {
            if let Some((k, v)) = param.split_once('=') {
                let v = v.trim().trim_matches('"');
                match k.trim().to_ascii_lowercase().as_str() {
                    "q" => q = v.parse().ok().filter(|q: &f32| (0.0..=1.0).contains(q)).unwrap_or(0.0),
                    "version" => version = Some(v.to_owned()),
                    _ => {}
                }
            }
        }
        match media.as_str() {
            // 0.0.1 is the draft Prometheus also asks for; this endpoint's 1.0.0 text reads the same.
            "application/openmetrics-text" if matches!(version.as_deref(), None | Some("1.0.0") | Some("0.0.1")) => {
                openmetrics = openmetrics.max(q)
            }
            "text/plain" | "text/*" | "*/*" => text = text.max(q),
            _ => {}
        }
    }
    if openmetrics > 0.0 && openmetrics >= text { Format::OpenMetrics } else { Format::Text }
}

/// Whether to gzip the answer: `gzip` (or `*`) accepted with a non-zero `q`, and not refused.
pub fn gzip(accept_encoding: Option<&str>) -> bool {
    let Some(header) = accept_encoding else { return false };
    let (mut gzip, mut any) = (None, None);
    for coding in header.split(',') {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("").to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .map_or(1.0, |(_, v)| v.trim().parse::<f32>().unwrap_or(0.0));
        match name.as_str() {
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => any = Some(q),
            _ => {}
        }
    }
    gzip.or(any).is_some_and(|q| q > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_gets_openmetrics_and_everyone_else_text() {
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,\
                          text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(format(Some(prometheus)), Format::OpenMetrics);
        for (accept, want) in [
            (None, Format::Text),
            (Some("*/*"), Format::Text),
            (Some("text/plain"), Format::Text),
            (Some("application/json"), Format::Text),
            (Some("garbage;;;,=,"), Format::Text),
            (Some("application/openmetrics-text"), Format::OpenMetrics),
            (Some("Application/OpenMetrics-Text; Version=1.0.0"), Format::OpenMetrics),
            (Some("application/openmetrics-text;version=2.0.0"), Format::Text),
            (Some("application/openmetrics-text;q=0"), Format::Text),
            (Some("application/openmetrics-text;q=0.4,text/plain;q=0.5"), Format::Text),
            (Some("text/plain;q=0.5,application/openmetrics-text;q=0.5"), Format::OpenMetrics),
        ] {
            assert_eq!(format(accept), want, "{accept:?}");
        }
    }

    #[test]
    fn gzip_only_when_accepted() {
        for (header, want) in [
            (None, false),
            (Some("gzip"), true),
            (Some("gzip, deflate, br"), true),
            (Some("deflate"), false),
            (Some("gzip;q=0"), false),
            (Some("*"), true),
            (Some("*;q=0, gzip"), true),
            (Some("gzip;q=0, *"), false),
            (Some("identity"), false),
        ] {
            assert_eq!(gzip(header), want, "{header:?}");
        }
    }
}
