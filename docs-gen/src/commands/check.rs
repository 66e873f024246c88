//! `docs-gen check`: whether the committed reference, rule files and dashboards are what the catalog
//! (and the verification record) generate now.

use super::Context;
use catalog_docs::outputs;
use catalog_docs::plan::Plan;
use catalog_docs::record::steady_path;
use std::process::ExitCode;

/// Exit 0 when every file is current, 1 when one is stale (each named, with the command that fixes
/// it), 2 on catalog errors.
pub fn run(cx: &Context) -> ExitCode {
    let (c, queries) = match cx.load() {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let record = match cx.read_record() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let inputs = match &record {
        Some(r) if r.steady_state.is_some() => {
            format!("{}, {} and {}", cx.shown, cx.record.display(), steady_path(&cx.record).display())
        }
        Some(_) => format!("{} and {}", cx.shown, cx.record.display()),
        None => cx.shown.clone(),
    };
    let plan = Plan::new(&c, &queries);
    let files = outputs::files(&plan, record.as_ref(), &cx.layout());
    let mut stale = 0;
    for orphan in outputs::stale_dashboards(&cx.deploy, &plan, &files) {
        stale += 1;
        eprintln!("error: {} is stale: the catalog no longer has its dashboard; delete it", orphan.display());
    }
    for (path, text) in &files {
        if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
            println!("{} is up to date with {inputs}", path.display());
        } else {
            stale += 1;
            eprintln!("error: {} is stale: it does not match {inputs}", path.display());
        }
    }
    if stale == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("  help: run `{}` and commit the result", cx.regenerate);
        ExitCode::from(1)
    }
}
