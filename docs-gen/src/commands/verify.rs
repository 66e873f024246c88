//! `docs-gen verify --prometheus URL`: every query of the catalog run against a live Prometheus
//! server, reported, and kept in the verification record the reference renders.

use super::Context;
use crate::verify;
use catalog_docs::record;
use std::process::ExitCode;

/// The options of `verify`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Base URL of the Prometheus server, e.g. http://127.0.0.1:9090
    #[arg(long, value_name = "URL")]
    pub prometheus: String,
    /// What ran before the queries (e.g. "3 mathematical_sequence tasks"), kept in the record
    #[arg(long, value_name = "TEXT", required_unless_present = "no_record")]
    pub workload: Option<String>,
    /// Only report; write no record
    #[arg(long)]
    pub no_record: bool,
    /// The server scraped the steady-state profile (correlation ids dropped, the workload spread
    /// over many scrapes): write the record's steady-state file (`verification.steady.json`)
    #[arg(long)]
    pub steady_state: bool,
}

/// Exit 0 when every query that must return data did, 1 otherwise, 2 on catalog errors or an
/// unreachable server.
pub fn run(cx: &Context, args: &Args) -> ExitCode {
    let (c, queries) = match cx.load() {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let api = verify::api::PrometheusApi::new(&args.prometheus);
    let version = match api.version() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: cannot reach Prometheus: {e}");
            return ExitCode::from(2);
        }
    };
    // In the steady state the catalog's correlation label is dropped at export: queries on it
    // return nothing, as they should.
    let dropped: Vec<&str> =
        c.document.correlation_label.as_deref().filter(|_| args.steady_state).into_iter().collect();
    let checked = match verify::run(verify::targets_dropping(&c, &queries, &dropped), |expr| api.query(expr)) {
        Ok(checked) => checked,
        Err(e) => {
            eprintln!("error: Prometheus stopped answering: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", verify::report(&checked, &format!("Prometheus {version} at {}", api.base())));
    if let Some(workload) = args.workload.as_ref().filter(|_| !args.no_record) {
        let record = verify::record(&checked, record::now_rfc3339(), version, workload.trim().to_owned());
        let path = if args.steady_state { record::steady_path(&cx.record) } else { cx.record.clone() };
        if let Err(e) = catalog_model::write_if_changed(&path, &record.to_json()) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        println!("wrote {}; run `{}` to render it into the reference", path.display(), cx.regenerate);
    }
    if checked.iter().any(|c| c.failed()) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
