//! `docs-gen diff --baseline OLD`: every change from an older catalog to this one, classified under
//! each metric's stability level ([`crate::diff`]).

use super::{Context, places};
use std::path::Path;
use std::process::ExitCode;

/// The options of `diff`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The old catalog: a file, a git revision (`HEAD~1`, `origin/main`: the catalog's path at
    /// that revision), or `REV:PATH`
    #[arg(long, value_name = "OLD")]
    pub baseline: String,
    /// `text`, `markdown` (for a pull-request comment) or `json`
    #[arg(long, default_value = "text", value_parser = ["text", "markdown", "json"])]
    pub format: String,
    /// Let breaking changes of `alpha` metrics through (never those of `beta` or `stable` ones)
    #[arg(long)]
    pub allow_alpha: bool,
}

/// Exit 0 when nothing breaks, 1 when something does, 2 on catalog errors or an unreadable
/// baseline.
pub fn run(cx: &Context, args: &Args) -> ExitCode {
    let (new, _) = match cx.load() {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let (old_display, old_text) = match baseline(&cx.catalog, &args.baseline) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("error: cannot read the baseline `{}`: {e}", args.baseline);
            return ExitCode::from(2);
        }
    };
    let old = match catalog_docs::load_str(&old_display, &old_text) {
        Ok((c, _)) => c,
        Err(d) => {
            eprintln!("{d}");
            eprintln!("error: the baseline `{old_display}` has catalog errors; the diff needs two catalogs that load");
            return ExitCode::from(2);
        }
    };
    let new_text = std::fs::read_to_string(&cx.catalog).unwrap_or_default();
    let policy = crate::diff::Policy { allow_alpha: args.allow_alpha };
    let mut changes = crate::diff::diff(&old, &new, policy);
    let old_at = places(&old_display, &old_text, changes.iter().map(|c| c.old_path.as_deref()));
    let new_at = places(&cx.shown, &new_text, changes.iter().map(|c| c.new_path.as_deref()));
    for ((c, old_at), new_at) in changes.iter_mut().zip(old_at).zip(new_at) {
        c.old_at = old_at;
        c.new_at = new_at;
    }
    let report = match args.format.as_str() {
        "markdown" => crate::diff::markdown(&changes, &old_display, &cx.shown),
        "json" => crate::diff::json(&changes, &old_display, &cx.shown),
        _ => crate::diff::text(&changes, &old_display, &cx.shown),
    };
    print!("{report}");
    if crate::diff::fails(&changes) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// The baseline's name and text: a file if `old` is one, else `git show REV:PATH` with `PATH` the
/// catalog's path in its repository (or the `PATH` of `REV:PATH`).
fn baseline(catalog: &Path, old: &str) -> Result<(String, String), String> {
    if Path::new(old).is_file() {
        return std::fs::read_to_string(old).map(|t| (old.to_owned(), t)).map_err(|e| e.to_string());
    }
    let dir = catalog.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let git = |args: &[&str]| -> Result<String, String> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!("not a file, and git says: {}", String::from_utf8_lossy(&out.stderr).trim()))
        }
    };
    let spec = if old.contains(':') {
        old.to_owned()
    } else {
        let top = git(&["rev-parse", "--show-toplevel"])?;
        let absolute = std::fs::canonicalize(catalog).map_err(|e| e.to_string())?;
        let top = std::fs::canonicalize(top.trim()).map_err(|e| e.to_string())?;
        let rel = absolute.strip_prefix(&top).map_err(|_| "the catalog is not inside its git repository".to_owned())?;
        format!("{old}:{}", rel.display())
    };
    git(&["show", &spec]).map(|text| (spec.clone(), text))
}
