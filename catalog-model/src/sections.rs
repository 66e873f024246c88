//! Stage 1, the shape: each section of the document and each item of a list deserialized on its own
//! from its located node (serde, with `#[serde(deny_unknown_fields)]` on every struct of
//! [`crate::parse`]), so that a mistake in one item does not hide the mistakes in the next. Items
//! with shape errors are reported at the exact path serde stopped at and left out, named in
//! [`Broken`], so that references to them are not reported again.

use crate::diag::Ctxt;
use crate::diag::message::Source;
use crate::parse::{self, Broken, Parsed, RawCatalog, Scalar};
use crate::source::{join_index, join_key};
use marked_yaml::Node;
use serde::de::DeserializeOwned;

/// The top-level sections a catalog may have.
const SECTIONS: &[&str] = &[
    "document",
    "domains",
    "labels",
    "value_maps",
    "metrics",
    "example_queries",
    "dashboards",
    "verification",
    "troubleshooting",
    "next_steps",
    "slos",
];

/// The sections of the top-level map: unknown keys and sections of the wrong kind are reported at
/// them; `metrics` is required.
pub(crate) fn top_level<'n>(root: &'n Node, cx: &mut Ctxt) -> RawCatalog<'n> {
    let mut raw = RawCatalog::default();
    let Some(top) = root.as_mapping() else {
        // The parser refuses any other top level (`TopLevelMustBeMapping`); kept so this never panics.
        cx.error("", Source::Yaml { error: format!("invalid type: {}, expected a map", kind(root)) });
        return raw;
    };
    let mut has_metrics = false;
    for (key, value) in top.iter() {
        let name = key.as_str();
        let list = |cx: &mut Ctxt| -> Vec<&'n Node> {
            match value {
                Node::Sequence(s) => s.iter().collect(),
                Node::Scalar(s) if s.is_empty() && s.may_coerce() => Vec::new(),
                other => {
                    cx.error(name, Source::Yaml { error: format!("invalid type: {}, expected a list", kind(other)) });
                    Vec::new()
                }
            }
        };
        let map = |cx: &mut Ctxt| -> Vec<(String, &'n Node)> {
            match value {
                Node::Mapping(m) => {
                    let mut items: Vec<_> = m.iter().map(|(k, v)| (k.as_str().to_owned(), v)).collect();
                    items.sort_by(|a, b| a.0.cmp(&b.0));
                    items
                }
                Node::Scalar(s) if s.is_empty() && s.may_coerce() => Vec::new(),
                other => {
                    cx.error(name, Source::Yaml { error: format!("invalid type: {}, expected a map", kind(other)) });
                    Vec::new()
                }
            }
        };
        match name {
            "document" => raw.document = Some(value),
            "domains" => raw.domains = list(cx),
            "labels" => raw.labels = map(cx),
            "value_maps" => raw.value_maps = map(cx),
            "metrics" => {
                has_metrics = true;
                raw.metrics = list(cx);
            }
            "example_queries" => raw.example_queries = list(cx),
            "dashboards" => raw.dashboards = list(cx),
            "verification" => raw.verification = list(cx),
            "troubleshooting" => raw.troubleshooting = list(cx),
            "next_steps" => raw.next_steps = list(cx),
            "slos" => raw.slos = list(cx),
            _ => {
                // serde's wording, so that the did-you-mean hint reads it like any other.
                let expected = SECTIONS.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
                let error = format!("unknown field `{name}`, expected one of {expected}");
                cx.error_at_key(name, Source::Yaml { error });
            }
        }
    }
    if !has_metrics {
        cx.error_at_key("", Source::Yaml { error: "missing field `metrics`".into() });
    }
    raw
}

/// How serde names a node's kind in its `invalid type` messages.
fn kind(node: &Node) -> &'static str {
    match node {
        Node::Scalar(_) => "string",
        Node::Sequence(_) => "sequence",
        Node::Mapping(_) => "map",
    }
}

/// serde names the Rust type it expected (`expected struct Metric`); users wrote YAML. And it quotes
/// a string of the wrong type whole, which for a catalog given as one long string is the catalog.
pub(crate) fn plain_serde(message: &str) -> String {
    let message = match message.find("expected struct ") {
        Some(i) => {
            let after = &message[i + "expected struct ".len()..];
            let end = after.find(|c: char| !c.is_alphanumeric()).unwrap_or(after.len());
            format!("{}expected a map{}", &message[..i], &after[end..])
        }
        None => message.to_owned(),
    };
    shorten_quoted(&message)
}

/// Longest string serde's `invalid type: string "..."` keeps whole.
const MAX_QUOTED_CHARS: usize = 80;

/// `invalid type: string "<4,000 characters>", expected ...` → the first characters, `…` and the
/// length.
fn shorten_quoted(message: &str) -> String {
    const OPEN: &str = "invalid type: string \"";
    const CLOSE: &str = "\", expected ";
    let (Some(start), Some(end)) = (message.find(OPEN), message.rfind(CLOSE)) else { return message.to_owned() };
    let quoted = &message[start + OPEN.len()..end.max(start + OPEN.len())];
    let chars = quoted.chars().count();
    if chars <= MAX_QUOTED_CHARS {
        return message.to_owned();
    }
    let kept: String = quoted.chars().take(60).collect();
    format!("{}{kept}…\" ({chars} characters){}", &message[..start + OPEN.len()], &message[end + 1..])
}

/// Deserializes every section item on its own. Items with shape errors (all reported) are left out
/// and named in [`Broken`].
pub(crate) fn sections(raw: RawCatalog, cx: &mut Ctxt) -> Parsed {
    let mut broken = Broken::default();
    let document = match raw.document {
        Some(document) => item::<parse::Document>("document".into(), document, cx).unwrap_or_default(),
        None => parse::Document::default(),
    };
    let mut domains = Vec::new();
    for (i, v) in raw.domains.into_iter().enumerate() {
        let id = string_field(v, "id");
        let at = join_index("domains", i);
        match item::<parse::Domain>(at.clone(), v, cx) {
            Some(d) => domains.push((at, d)),
            None => match id {
                Some(id) => broken.domains.push(id),
                None => broken.domain_without_id = true,
            },
        }
    }
    let mut labels = Vec::new();
    for (id, v) in raw.labels {
        let at = join_key("labels", &id);
        match item::<parse::Label>(at.clone(), v, cx) {
            Some(mut l) => {
                retype_label_values(&mut l, v);
                labels.push((at, id, l))
            }
            None => broken.labels.push(id),
        }
    }
    let mut value_maps = Vec::new();
    for (id, v) in raw.value_maps {
        let at = join_key("value_maps", &id);
        match item::<parse::ValueMap>(at.clone(), v, cx) {
            Some(m) => value_maps.push((at, id, m)),
            None => broken.value_maps.push(id),
        }
    }
    let mut metrics = Vec::new();
    for (i, v) in raw.metrics.into_iter().enumerate() {
        let name = string_field(v, "name");
        let at = join_index("metrics", i);
        match item::<parse::Metric>(at.clone(), v, cx) {
            Some(m) => metrics.push((at, m)),
            None => broken.metrics.extend(name),
        }
    }
    Parsed {
        document,
        domains,
        labels,
        value_maps,
        metrics,
        examples: list("example_queries", raw.example_queries, cx),
        dashboards: list("dashboards", raw.dashboards, cx),
        verification: list("verification", raw.verification, cx),
        troubleshooting: list::<parse::Troubleshooting>("troubleshooting", raw.troubleshooting, cx)
            .into_iter()
            .map(|(_, t)| t)
            .collect(),
        next_steps: list("next_steps", raw.next_steps, cx),
        slos: list("slos", raw.slos, cx),
        broken,
    }
}

/// The string at `key` of a mapping, to name an item that failed its shape check.
fn string_field(v: &Node, key: &str) -> Option<String> {
    v.as_mapping()?.get_scalar(key).map(|s| s.as_str().to_owned())
}

/// The items of a list section that pass their shape check, with their paths.
fn list<T: DeserializeOwned>(key: &str, values: Vec<&Node>, cx: &mut Ctxt) -> Vec<(String, T)> {
    values
        .into_iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let at = join_index(key, i);
            item::<T>(at.clone(), v, cx).map(|t| (at, t))
        })
        .collect()
}

/// `path` followed by the segments serde stopped at, in the source map's spelling.
fn join_path(mut path: String, segments: &serde_path_to_error::Path) -> String {
    for segment in segments.iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => path = join_index(&path, *index),
            serde_path_to_error::Segment::Map { key } => path = join_key(&path, key),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    path
}

/// Deserializes one item; a shape error is reported at the exact path serde stopped at.
fn item<T: DeserializeOwned>(at: String, node: &Node, cx: &mut Ctxt) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(marked_yaml::spanned_serde::NodeDeserializer::new(node)) {
        Ok(t) => Some(t),
        Err(e) => {
            let scalar = scalar_at(node, e.path());
            let path = join_path(at, e.path());
            let message = plain_serde(&serde_message(e.inner(), scalar));
            // Unknown fields point at their key, missing ones at the key of the item that lacks
            // them (named, as the message cannot show where the field should have been); other
            // shape errors at the offending value.
            if message.starts_with("unknown field") {
                cx.error_at_key(&path, Source::Yaml { error: message });
            } else if message.starts_with("missing field") {
                let error = if path.is_empty() { message } else { format!("`{path}` is {message}") };
                cx.error_at_key(&path, Source::Yaml { error });
            } else {
                cx.error(&path, Source::Yaml { error: message });
            }
            None
        }
    }
}

/// The scalar at the end of `path` under `node`, if there is one there.
fn scalar_at<'n>(mut node: &'n Node, path: &serde_path_to_error::Path) -> Option<&'n str> {
    for segment in path.iter() {
        node = match segment {
            serde_path_to_error::Segment::Seq { index } => node.as_sequence()?.get_node(*index)?,
            serde_path_to_error::Segment::Map { key } => node.as_mapping()?.get_node(key)?,
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => node,
        };
    }
    node.as_scalar().map(|s| s.as_str())
}

/// marked-yaml's own errors in serde's wording, as the rest of the loader's messages are.
fn serde_message(e: &marked_yaml::Error, scalar: Option<&str>) -> String {
    use marked_yaml::Error as E;
    let found = match scalar {
        Some(text) => format!("string {text:?}"),
        None => "string".to_owned(),
    };
    match e {
        E::NotBoolean(_) => format!("invalid type: {found}, expected a boolean"),
        E::IntegerParseFailure(..) => format!("invalid type: {found}, expected an integer"),
        E::FloatParseFailure(..) => format!("invalid type: {found}, expected a number"),
        E::UnknownFieldError(field, expected, _) => {
            let expected = expected.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>();
            match expected.as_slice() {
                [] => format!("unknown field `{field}`, there are no fields"),
                [one] => format!("unknown field `{field}`, expected {one}"),
                [a, b] => format!("unknown field `{field}`, expected {a} or {b}"),
                all => format!("unknown field `{field}`, expected one of {}", all.join(", ")),
            }
        }
        other => other.to_string(),
    }
}

/// The YAML type of a plain (unquoted) scalar under YAML 1.2's core schema, for label values,
/// whose type the catalog checks (`200` is an int, `"200"` a string, `1.0` a float). marked-yaml
/// hands every scalar over as text and leaves typing to the reader; the core schema is these few
/// patterns, so they are kept here rather than taken from a second YAML crate.
fn plain_scalar(text: &str) -> Scalar {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits(unsigned, 10) {
        return text.parse::<i64>().map_or_else(|_| Scalar::Other(text.to_owned()), Scalar::Int);
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(n) = text.strip_prefix(prefix)
            && digits(n, radix)
        {
            return i64::from_str_radix(n, radix).map_or_else(|_| Scalar::Other(text.to_owned()), Scalar::Int);
        }
    }
    let is_float = {
        let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
            None => (unsigned, None),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let mantissa_ok = (whole.is_empty() || digits(whole, 10))
            && (fraction.is_empty() || digits(fraction, 10))
            && !(whole.is_empty() && fraction.is_empty());
        mantissa_ok && exponent.is_none_or(|e| digits(e, 10))
    };
    let special = matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN");
    let other = matches!(text, "true" | "True" | "TRUE" | "false" | "False" | "FALSE");
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        Scalar::Other("null".into())
    } else if is_float || special || other {
        Scalar::Other(text.to_owned())
    } else {
        Scalar::String(text.to_owned())
    }
}

/// Gives the plain scalars among a label's `values` their YAML type (see [`plain_scalar`]).
fn retype_label_values(label: &mut parse::Label, node: &Node) {
    let (Some(values), Some(nodes)) =
        (label.values.as_mut(), node.as_mapping().and_then(|m| m.get_node("values")).and_then(Node::as_sequence))
    else {
        return;
    };
    for (value, node) in values.iter_mut().zip(nodes.iter()) {
        let (scalar, node) = match value {
            parse::LabelValue::Scalar(s) => (s, Some(node)),
            parse::LabelValue::Named { value, .. } => (value, node.as_mapping().and_then(|m| m.get_node("value"))),
        };
        if let Some(Node::Scalar(n)) = node
            && n.may_coerce()
        {
            *scalar = plain_scalar(n.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_scalars_take_their_core_schema_type() {
        use super::{Scalar, plain_scalar};
        assert_eq!(plain_scalar("200"), Scalar::Int(200));
        assert_eq!(plain_scalar("-7"), Scalar::Int(-7));
        assert_eq!(plain_scalar("0x1F"), Scalar::Int(31));
        assert_eq!(plain_scalar("0o17"), Scalar::Int(15));
        assert_eq!(plain_scalar("99999999999999999999"), Scalar::Other("99999999999999999999".into()));
        for float in ["1.0", "1.1", ".5", "1e3", "-2.5E-3", ".inf", "-.Inf", ".nan"] {
            assert_eq!(plain_scalar(float), Scalar::Other(float.into()), "{float}");
        }
        for other in ["true", "False"] {
            assert_eq!(plain_scalar(other), Scalar::Other(other.into()));
        }
        assert_eq!(plain_scalar("~"), Scalar::Other("null".into()));
        for string in ["GET", "_OTHER", "1.1.1", "0x", "e5", ".", "yes", "1_000", "v1"] {
            assert_eq!(plain_scalar(string), Scalar::String(string.into()), "{string}");
        }
    }

    #[test]
    fn long_strings_of_the_wrong_type_are_shortened() {
        let long = "x".repeat(5_000);
        assert_eq!(
            super::plain_serde(&format!("invalid type: string \"{long}\", expected struct RawCatalog")),
            format!("invalid type: string \"{}…\" (5000 characters), expected a map", "x".repeat(60))
        );
        let short = "invalid type: string \"just a string\", expected a map";
        assert_eq!(super::plain_serde(short), short);
        // Characters, not bytes: a cut never splits one.
        let wide = "é".repeat(81);
        assert_eq!(
            super::plain_serde(&format!("invalid type: string \"{wide}\", expected a sequence")),
            format!("invalid type: string \"{}…\" (81 characters), expected a sequence", "é".repeat(60))
        );
    }
}
