//! Markdown text that any generated prose uses, the reference and the generated code's rustdoc
//! alike: a leaf, so that no emitter imports another for it.

/// Inline code safe for any text: a fence longer than any backtick run inside, padded when the
/// text starts or ends with a backtick.
pub fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn code_spans_survive_any_text() {
        assert_eq!(super::code("a"), "`a`");
        assert_eq!(super::code("a`b"), "``a`b``");
        assert_eq!(super::code("`a"), "`` `a ``");
    }
}
