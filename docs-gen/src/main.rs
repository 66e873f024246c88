//! `docs-gen`: the catalog's tools. `docs-gen` alone writes the reference, the rule files and the
//! dashboards; `check`, `diff`, `live-check` and `verify` are described by `docs-gen --help`. Each
//! command is a module of the library with one entry point (`docs_gen::commands`); this file only
//! parses the command line and dispatches.

use clap::{Parser, Subcommand};
use docs_gen::commands::{self, Context, Given};
use std::path::PathBuf;
use std::process::ExitCode;

// The catalog compiler allocates heavily; see the workspace's Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    version,
    about = "The tools of a metric catalog: write its reference, rules and dashboards, check they are current, \
             diff two catalogs, check what a service emits, verify the queries against Prometheus",
    long_about = None,
    after_help = "Without --catalog, the catalog is metrics.yaml in the current directory or the nearest parent \
                  inside the same project; docs-gen never falls back to another project's catalog."
)]
struct Cli {
    /// The catalog to read [default: metrics.yaml here or in a parent directory of this project]
    #[arg(long, global = true, value_name = "PATH")]
    catalog: Option<PathBuf>,
    /// Where the files go when no command is given (the same as `generate`)
    #[command(flatten)]
    outputs: Outputs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Where generated files go, for the commands that write or compare them.
#[derive(clap::Args, Debug, Default, Clone)]
struct Outputs {
    /// The directory of the generated reference [default: docs/ beside the catalog]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The directory of the generated rule files and dashboards [default: deploy/ beside the catalog]
    #[arg(long, value_name = "DIR")]
    deploy: Option<PathBuf>,
    /// The verification record: read to render expected outputs
    /// [default: verification.json in the reference's directory]
    #[arg(long, value_name = "PATH")]
    record: Option<PathBuf>,
}

/// Where `verify` writes its record.
#[derive(clap::Args, Debug, Default, Clone)]
struct RecordPlace {
    /// The directory of the generated reference, beside which the record goes [default: docs/ beside the catalog]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The verification record to write [default: verification.json in the reference's directory]
    #[arg(long, value_name = "PATH")]
    record: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the reference, the rule files and the dashboards (the default)
    Generate(Outputs),
    /// Exit 0 when the generated files are up to date, 1 when stale, 2 when the catalog has errors
    Check(Outputs),
    /// Every change from a baseline catalog to this one, classified breaking or compatible under
    /// each metric's stability. Exit 0 when nothing breaks, 1 when something does, 2 on catalog
    /// errors or an unreadable baseline
    Diff(commands::diff::Args),
    /// Run every query of the catalog against a Prometheus server and record what each returned.
    /// Exit 0 when every query that must return data did, 1 otherwise, 2 on catalog errors or an
    /// unreachable server
    Verify {
        #[command(flatten)]
        args: commands::verify::Args,
        #[command(flatten)]
        place: RecordPlace,
    },
    /// Compare what a running service emits (a Prometheus exposition, a scrape, or OTLP exports)
    /// with the catalog: undeclared families, labels and values, type, unit and bucket drift,
    /// overflow series, and coverage. Exit 0 when clean, 1 on violations or coverage below the
    /// minimum, 2 when the source cannot be read
    LiveCheck(commands::live_check::Args),
    /// Read an OpenTelemetry semantic-conventions registry (its model/ directory, both syntaxes)
    /// as a catalog: the metrics --select names, with the attributes they use, written to --write
    /// (or standard output) and checked. Exit 0 when the catalog loads, 2 otherwise
    Registry(commands::registry::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let top = cli.outputs;
    let command = cli.command.unwrap_or_else(|| Command::Generate(Outputs::default()));
    // It writes a catalog rather than reading one.
    if let Command::Registry(args) = &command {
        return commands::registry::run(args);
    }
    // `--out`, `--deploy` and `--record` before the command name are taken as the command's own.
    let outputs = match &command {
        Command::Generate(o) | Command::Check(o) => Some(merge(o, &top)),
        Command::Verify { place, .. } if top.deploy.is_none() => {
            Some(merge(&Outputs { out: place.out.clone(), deploy: None, record: place.record.clone() }, &top))
        }
        _ if top.out.is_none() && top.deploy.is_none() && top.record.is_none() => None,
        _ => {
            eprintln!("error: --out, --deploy and --record apply to generate and check (--out and --record to verify)");
            return ExitCode::from(2);
        }
    };
    let outputs = outputs.unwrap_or_default();
    let cwd = std::env::current_dir().unwrap_or_default();
    let defaulted = cli.catalog.is_none();
    let given = Given { catalog: cli.catalog, out: outputs.out, deploy: outputs.deploy, record: outputs.record };
    let cx = match Context::resolve(given, &cwd) {
        Ok(cx) => cx,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    // A catalog found above the current directory may not be the one meant: say which it is.
    if defaulted && cx.catalog.parent() != Some(catalog_docs::outputs::normalize(&cwd).as_path()) {
        eprintln!("note: no --catalog given: using {}, the nearest metrics.yaml above this directory", cx.shown);
    }
    match command {
        Command::Generate(_) => commands::generate::run(&cx),
        Command::Check(_) => commands::check::run(&cx),
        Command::Diff(args) => commands::diff::run(&cx, &args),
        Command::Verify { args, .. } => commands::verify::run(&cx, &args),
        Command::LiveCheck(args) => commands::live_check::run(&cx, &args),
        Command::Registry(args) => commands::registry::run(&args),
    }
}

/// The command's own options, each falling back to the one given before the command's name.
fn merge(own: &Outputs, top: &Outputs) -> Outputs {
    Outputs {
        out: own.out.clone().or_else(|| top.out.clone()),
        deploy: own.deploy.clone().or_else(|| top.deploy.clone()),
        record: own.record.clone().or_else(|| top.record.clone()),
    }
}
