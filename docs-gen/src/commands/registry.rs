//! `docs-gen registry`: an OpenTelemetry semantic-conventions registry (its `model/` directory)
//! read as a catalog (see [`catalog_model::registry`]): the metrics `--select` names, with the
//! attributes they use, written out as a catalog file to edit or build from, and checked as every
//! catalog is. Exit 0 when the catalog loads, 2 when the registry cannot be read or the catalog has
//! errors (printed, located in the written file).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The registry's `model/` directory (of a semantic-conventions checkout)
    #[arg(long, value_name = "DIR")]
    pub registry: PathBuf,
    /// Metrics to take, by name, `*` for any text (`http.server.*`); repeat for more; every
    /// metric without it
    #[arg(long, value_name = "PATTERN")]
    pub select: Vec<String>,
    /// The meter the catalog's recorders are created from
    #[arg(long, default_value = "semconv")]
    pub meter: String,
    /// Where to write the catalog [default: standard output]
    #[arg(long, value_name = "PATH")]
    pub write: Option<PathBuf>,
}

pub fn run(args: &Args) -> ExitCode {
    let started = Instant::now();
    let imported = match catalog_model::registry::import(&args.registry, &args.select, &args.meter) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let display = args.write.as_ref().map_or_else(|| "<registry selection>".to_owned(), |p| p.display().to_string());
    let loaded = catalog_docs::load_str(&display, &imported.catalog);
    let elapsed = started.elapsed();
    match &args.write {
        Some(path) => {
            if let Err(e) = catalog_model::write_if_changed(path, &imported.catalog) {
                eprintln!("error: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
        None => print!("{}", imported.catalog),
    }
    eprintln!(
        "registry: {} files read, {} metrics selected ({} refinements merged), in {:.2} s",
        imported.files,
        imported.metrics,
        imported.refinements,
        elapsed.as_secs_f64()
    );
    for l in &imported.left_out {
        eprintln!("left out: {l}");
    }
    match loaded {
        Ok((catalog, _)) => {
            for w in &catalog.warnings {
                eprintln!("{w}");
            }
            ExitCode::SUCCESS
        }
        Err(d) => {
            eprintln!("{d}");
            ExitCode::from(2)
        }
    }
}
