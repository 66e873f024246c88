//! `docs-gen` (or `docs-gen generate`): writes the catalog's reference, rule files and dashboards,
//! and removes the dashboards it wrote earlier for dashboards the catalog no longer has.

use super::Context;
use catalog_docs::outputs;
use catalog_docs::plan::Plan;
use std::process::ExitCode;

/// Writes every file that is not current; exit 0, or 2 on catalog errors or a file that cannot be
/// written.
pub fn run(cx: &Context) -> ExitCode {
    let (c, queries) = match cx.load() {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let record = match cx.read_record() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let plan = Plan::new(&c, &queries);
    let files = outputs::files(&plan, record.as_ref(), &cx.layout());
    for stale in outputs::stale_dashboards(&cx.deploy, &plan, &files) {
        match std::fs::remove_file(&stale) {
            Ok(()) => println!("removed {} (the catalog no longer has its dashboard)", stale.display()),
            Err(e) => eprintln!("warning: cannot remove {}: {e}", stale.display()),
        }
    }
    for (path, text) in &files {
        match catalog_model::write_if_changed(path, text) {
            Ok(true) => println!("wrote {}", path.display()),
            Ok(false) => println!("{} is up to date", path.display()),
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}
