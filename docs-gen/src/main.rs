//! `docs-gen`: the catalog's tools. `docs-gen` alone writes the reference, the rule files and the
//! dashboards; `check`, `diff`, `live-check` and `verify` are described by `docs-gen --help`. Each
//! command is a module of the library with one entry point (`docs_gen::commands`); this file only
//! parses the command line and dispatches.

use clap::{Parser, Subcommand};
use docs_gen::commands::{self, Context, Given};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The catalog compiler allocates heavily; see the workspace's Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(version, about = "Compiles metrics.yaml into the Markdown metrics reference and checks it is current")]
struct Cli {
    /// The catalog to read [default: metrics.yaml at the workspace root]
    #[arg(long, global = true, value_name = "PATH")]
    catalog: Option<PathBuf>,
    /// The directory of the generated reference [default: docs/ beside the catalog]
    #[arg(long, global = true, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The directory of the generated rule files and dashboards
    /// [default: deploy/ beside the catalog]
    #[arg(long, global = true, value_name = "DIR")]
    deploy: Option<PathBuf>,
    /// The verification record: read to render expected outputs, written by `verify`
    /// [default: verification.json in the reference's directory]
    #[arg(long, global = true, value_name = "PATH")]
    record: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the reference (the default)
    Generate,
    /// Exit 0 when the reference is up to date, 1 when stale, 2 when the catalog has errors
    Check,
    /// Every change from a baseline catalog to this one, classified breaking or compatible under
    /// each metric's stability. Exit 0 when nothing breaks, 1 when something does, 2 on catalog
    /// errors or an unreadable baseline
    Diff(commands::diff::Args),
    /// Run every query of the catalog against a Prometheus server and record what each returned.
    /// Exit 0 when every query that must return data did, 1 otherwise, 2 on catalog errors or an
    /// unreachable server
    Verify(commands::verify::Args),
    /// Compare what a running service emits (a Prometheus exposition, a scrape, or OTLP exports)
    /// with the catalog: undeclared families, labels and values, type, unit and bucket drift,
    /// overflow series, and coverage. Exit 0 when clean, 1 on violations or coverage below the
    /// minimum, 2 when the source cannot be read
    LiveCheck(commands::live_check::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The workspace root, so that `cargo run -p docs-gen` works from any directory of the checkout.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default();
    let cwd = std::env::current_dir().unwrap_or_default();
    let given = Given { catalog: cli.catalog, out: cli.out, deploy: cli.deploy, record: cli.record };
    let cx = Context::resolve(given, &root, &cwd);
    match cli.command.unwrap_or(Command::Generate) {
        Command::Generate => commands::generate::run(&cx),
        Command::Check => commands::check::run(&cx),
        Command::Diff(args) => commands::diff::run(&cx, &args),
        Command::Verify(args) => commands::verify::run(&cx, &args),
        Command::LiveCheck(args) => commands::live_check::run(&cx, &args),
    }
}
