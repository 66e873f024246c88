//! The one sanitizer that turns catalog spellings into Rust identifiers, used by the model (which
//! keeps each name's spelling and its identifier side by side) and by nothing else.
//!
//! heck does the casing; keywords get a raw `r#` (or a trailing `_` where Rust allows no raw form);
//! names that start with a digit get a prefix (`V` for types and variants, `_` for fields). A name
//! that leaves nothing usable, or no identifier Rust accepts (`x²`: `²` is numeric to Unicode but
//! no identifier character), gives `None`, and the caller reports it.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords of every edition, which a field or module name cannot be without `r#`.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// `UpperCamelCase` for types and enum variants: `half-open` → `HalfOpen`, `5xx` → `V5xx`,
/// `Self` → `Self_`; digits on both sides of a separator keep it as `_` (`1.0` → `V1_0`, not
/// `V10`, which reads as version ten).
pub fn type_ident(text: &str) -> Option<String> {
    let mut camel = String::new();
    for word in words(text)?.split(' ') {
        if camel.ends_with(|c: char| c.is_ascii_digit()) && word.starts_with(|c: char| c.is_ascii_digit()) {
            camel.push('_');
        }
        camel.push_str(&word.to_upper_camel_case());
    }
    let ident = if camel.starts_with(|c: char| c.is_ascii_digit()) { format!("V{camel}") } else { camel };
    finish(ident)
}

/// `snake_case` for fields, methods and modules: `claim-method` → `claim_method`, `type` → `r#type`,
/// `2xx` → `_2xx`.
pub fn field_ident(text: &str) -> Option<String> {
    let snake = words(text)?.to_snake_case();
    let ident = if snake.starts_with(|c: char| c.is_ascii_digit()) { format!("_{snake}") } else { snake };
    finish(ident)
}

/// A variant name the catalog chose (`Http11`), taken as it is written: `None` unless it is an
/// identifier Rust accepts as a type or variant name without change.
pub fn exact_type_ident(text: &str) -> Option<String> {
    let ok = text.starts_with(|c: char| c.is_alphabetic())
        && text.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&text)
        && !NOT_RAW.contains(&text);
    (ok && is_ident(text)).then(|| text.to_owned())
}

/// Keeps only characters that can be part of an identifier, turning the rest into separators.
fn words(text: &str) -> Option<String> {
    let cleaned: String = text.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    let trimmed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if trimmed.is_empty() { None } else { Some(trimmed) }
}

fn finish(ident: String) -> Option<String> {
    let ident = if NOT_RAW.contains(&ident.as_str()) {
        format!("{ident}_")
    } else if KEYWORDS.contains(&ident.as_str()) {
        format!("r#{ident}")
    } else {
        ident
    };
    is_ident(ident.strip_prefix("r#").unwrap_or(&ident)).then_some(ident)
}

/// Whether `text` is an identifier to Rust: an XID start character (or `_`) and XID continue
/// characters, by the Unicode tables of unicode-ident, which rustc's lexer and proc-macro2 use, so
/// that what passes here is an identifier to the code generator too. (Keywords are the callers'.)
fn is_ident(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c))
        && chars.all(unicode_ident::is_xid_continue)
        && text != "_"
}

/// The identifier without a raw prefix, for building longer names (`r#type` → `type`).
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizer_table() {
        let types: &[(&str, Option<&str>)] = &[
            ("success", Some("Success")),
            ("half-open", Some("HalfOpen")),
            ("half_open", Some("HalfOpen")),
            ("Half-Open", Some("HalfOpen")),
            ("claim_failed", Some("ClaimFailed")),
            ("5xx", Some("V5xx")),
            ("1.0", Some("V1_0")),
            ("2", Some("V2")),
            ("http/1.1", Some("Http1_1")),
            ("tls 1.3", Some("Tls1_3")),
            ("v1 beta", Some("V1Beta")),
            ("self", Some("Self_")),
            ("tasks.requests.total", Some("TasksRequestsTotal")),
            ("shop_circuit_breaker_state", Some("ShopCircuitBreakerState")),
            ("ünïcode", Some("Ünïcode")),
            ("--", None),
            ("", None),
            ("x²", None),
            ("²", None),
        ];
        for (text, want) in types {
            assert_eq!(type_ident(text).as_deref(), *want, "type_ident({text:?})");
        }
        let fields: &[(&str, Option<&str>)] = &[
            ("correlation_id", Some("correlation_id")),
            ("claim-method", Some("claim_method")),
            ("type", Some("r#type")),
            ("match", Some("r#match")),
            ("self", Some("self_")),
            ("crate", Some("crate_")),
            ("2xx", Some("_2xx")),
            ("tasks.requests.total", Some("tasks_requests_total")),
            ("/", None),
            ("_", None),
            ("jobs²", None),
        ];
        for (text, want) in fields {
            assert_eq!(field_ident(text).as_deref(), *want, "field_ident({text:?})");
        }
        for (text, want) in [("Http11", Some("Http11")), ("Other", Some("Other")), ("V1_0", Some("V1_0"))] {
            assert_eq!(exact_type_ident(text).as_deref(), want, "exact_type_ident({text:?})");
        }
        for bad in ["1x", "Self", "a-b", "", "_x", "x²"] {
            assert_eq!(exact_type_ident(bad), None, "exact_type_ident({bad:?})");
        }
        assert_eq!(unraw("r#type"), "type");
        assert_eq!(unraw("plain"), "plain");
    }
}
