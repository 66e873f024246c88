//! Errors in the user's catalog: located, collected, sorted, and worded from one table
//! ([`message`]).
//!
//! Every check reports through [`Ctxt`], which resolves a YAML path such as `metrics[3].labels[1]`
//! to `metrics.yaml:LINE:COL` through the [`SourceMap`]. Nothing stops at the first error: a stage
//! collects all of them, and the loader stops only between stages.
//!
//! A leaf of the crate: it knows positions ([`crate::source`]) and nothing of the model. A message
//! carries whatever it names, the candidates of a did-you-mean included, so no message needs to
//! look anything up (as serde_derive's `internals/ctxt.rs` collects what its checks report).

pub mod message;

pub use message::Message;

use crate::source::SourceMap;
use std::fmt;

/// One located error with an optional hint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: error: {}", self.file, self.line, self.col, self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// The most errors a stage reports; past it, errors are only counted. A broken generated catalog
/// can have an error per metric, and each may search every name for a did-you-mean.
pub const MAX_ERRORS: usize = 100;

/// All errors of a catalog, sorted by position, and how many more were found but not kept (past
/// [`MAX_ERRORS`]). Its `Display` is what users read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>, pub usize);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let n = self.0.len() + self.1;
        if self.1 > 0 {
            writeln!(f, "... and {} more (only the first {} are shown)", self.1, self.0.len())?;
        }
        write!(f, "{n} error{} in the catalog", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

/// The error collector. Checks call [`Ctxt::error`] with a path into the YAML document; the
/// collector turns it into a located [`Diagnostic`]. [`Ctxt::finish`] must be called: dropping a
/// collector with unread errors is a bug in this crate, and panics in debug builds (as serde_derive's
/// `Ctxt` does).
pub struct Ctxt<'a> {
    file: &'a str,
    map: &'a SourceMap<'a>,
    errors: Option<Vec<Diagnostic>>,
    /// Errors past [`MAX_ERRORS`], counted but neither located nor worded.
    omitted: usize,
    /// What is allowed but worth saying, e.g. a query of a deprecated metric.
    warnings: Vec<Diagnostic>,
}

impl<'a> Ctxt<'a> {
    pub fn new(file: &'a str, map: &'a SourceMap<'a>) -> Self {
        Ctxt { file, map, errors: Some(Vec::new()), omitted: 0, warnings: Vec::new() }
    }

    /// The catalog's file as diagnostics name it.
    pub fn file(&self) -> &'a str {
        self.file
    }

    /// Whether further errors are only counted; checks may skip costly hints then.
    pub fn is_full(&self) -> bool {
        self.errors.as_ref().is_some_and(|e| e.len() >= MAX_ERRORS)
    }

    /// Counts the error instead of keeping it when the collector is full.
    fn counted(&mut self) -> bool {
        let full = self.is_full();
        if full {
            self.omitted += 1;
        }
        full
    }

    /// Reports `message` at the value found at `path` (or its nearest ancestor).
    pub fn error(&mut self, path: &str, message: impl Into<Message>) {
        if self.counted() {
            return;
        }
        let (line, col) = self.map.value(path);
        self.push(line, col, message.into());
    }

    /// Reports `message` at the key of the mapping entry at `path` (e.g. an unknown field).
    pub fn error_at_key(&mut self, path: &str, message: impl Into<Message>) {
        if self.counted() {
            return;
        }
        let (line, col) = self.map.key(path);
        self.push(line, col, message.into());
    }

    /// A warning at the value at `path`: the catalog loads, and the warning is shown.
    pub fn warn(&mut self, path: &str, message: impl Into<Message>) {
        let (line, col) = self.map.value(path);
        let (message, help) = message.into().text();
        self.warnings.push(Diagnostic { file: self.file.to_owned(), line, col, message, help });
    }

    /// Reports `message` at an explicit 1-based position.
    pub fn error_at(&mut self, line: usize, col: usize, message: impl Into<Message>) {
        if self.counted() {
            return;
        }
        self.push(line, col, message.into());
    }

    fn push(&mut self, line: usize, col: usize, message: Message) {
        let (message, help) = message.text();
        self.errors.as_mut().expect("Ctxt used after finish").push(Diagnostic {
            file: self.file.to_owned(),
            line,
            col,
            message,
            help,
        });
    }

    /// The line of the value at `path`, for messages that refer to another place.
    pub fn line_of(&self, path: &str) -> usize {
        self.map.value(path).0
    }

    pub fn has_errors(&self) -> bool {
        self.errors.as_ref().is_some_and(|e| !e.is_empty())
    }

    /// Ends the stage: the sorted, de-duplicated errors, or, when there were none, the warnings
    /// worded as users read them (`metrics.yaml:12:9: warning: ...`).
    pub fn finish(mut self) -> Result<Vec<String>, Diagnostics> {
        let mut errors = self.errors.take().expect("Ctxt finished twice");
        errors.sort();
        errors.dedup();
        if !errors.is_empty() {
            return Err(Diagnostics(errors, self.omitted));
        }
        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.sort();
        warnings.dedup();
        Ok(warnings.iter().map(|w| w.to_string().replacen(": error: ", ": warning: ", 1)).collect())
    }
}

impl Drop for Ctxt<'_> {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.as_ref().is_some_and(|e| !e.is_empty()) {
            debug_assert!(false, "catalog_model::diag::Ctxt dropped without finish()");
        }
    }
}

/// The closest candidate to `got`, when it is close enough to be a likely misspelling (of equally
/// close ones, the last).
pub fn did_you_mean<'c>(got: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<String> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    // A large catalog's series (100,000 of them) are searched on all cores; the best of each chunk,
    // then the best of those, is the best of one pass with the same ties.
    let chunks: Vec<&[&str]> = candidates.chunks(8192).collect();
    let best = crate::parallel::map_parallel(&chunks, || (), |_, chunk| closest(got, chunk));
    best.into_iter().flatten().max_by(|a, b| a.0.total_cmp(&b.0)).map(|(_, c)| c.to_owned())
}

fn closest<'c>(got: &str, candidates: &[&'c str]) -> Option<(f64, &'c str)> {
    candidates
        .iter()
        .map(|&c| (strsim::jaro_winkler(got, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

#[cfg(test)]
mod tests {
    use super::{closest, did_you_mean};

    #[test]
    fn did_you_mean_over_many_candidates_is_one_pass() {
        let names: Vec<String> = (0..20_000).map(|i| format!("series_{i:05}_total")).collect();
        let mut candidates: Vec<&str> = names.iter().map(String::as_str).collect();
        // Two equally close candidates in different chunks: the later one wins, as in one pass.
        candidates[100] = "abce";
        candidates[17_000] = "abcf";
        for got in ["series_12345_totl", "abcd", "nothing like it"] {
            let one_pass = closest(got, &candidates).map(|(_, c)| c.to_owned());
            assert_eq!(did_you_mean(got, candidates.iter().copied()), one_pass, "{got}");
        }
        assert_eq!(did_you_mean("abcd", candidates.iter().copied()).as_deref(), Some("abcf"));
        assert_eq!(did_you_mean("lables", ["name", "labels"]).as_deref(), Some("labels"));
    }
}
