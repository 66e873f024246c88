//! `docs-gen`: regenerates the metrics reference from the catalog, or checks that it is current.
//!
//! `cargo run -p docs-gen` writes docs/METRICS.md; `cargo run -p docs-gen -- check` exits 0 when it
//! is up to date, 1 when it is stale, 2 when the catalog has errors.

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The workspace root, so that `cargo run -p docs-gen` works from any directory of the checkout.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

#[derive(Parser)]
#[command(version, about = "Compiles metrics.yaml into the Markdown metrics reference and checks it is current")]
struct Cli {
    /// The catalog to read [default: metrics.yaml at the workspace root]
    #[arg(long, global = true, value_name = "PATH")]
    catalog: Option<PathBuf>,
    /// The directory of the generated reference [default: docs/ at the workspace root]
    #[arg(long, global = true, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the reference (the default)
    Generate,
    /// Exit 0 when the reference is up to date, 1 when stale, 2 when the catalog has errors
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The command that regenerates what `check` compares, with the same arguments.
    let mut fix = String::from("cargo run -p docs-gen");
    if cli.catalog.is_some() || cli.out.is_some() {
        fix.push_str(" --");
    }
    if let Some(c) = &cli.catalog {
        fix.push_str(&format!(" --catalog {}", c.display()));
    }
    if let Some(o) = &cli.out {
        fix.push_str(&format!(" --out {}", o.display()));
    }
    let root = workspace_root();
    let catalog = cli.catalog.unwrap_or_else(|| root.join("metrics.yaml"));
    let out = cli.out.unwrap_or_else(|| root.join("docs"));
    let display = display_path(&catalog);
    let c = match docs_gen::load(&catalog, &display) {
        Ok(c) => c,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return ExitCode::from(2);
        }
    };
    let reference = docs_gen::emit_markdown::render(&c);
    let path = out.join(docs_gen::REFERENCE_FILE);
    match cli.command.unwrap_or(Command::Generate) {
        Command::Generate => match docs_gen::write_if_changed(&path, &reference) {
            Ok(true) => {
                println!("wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Ok(false) => {
                println!("{} is up to date", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                ExitCode::from(2)
            }
        },
        Command::Check => {
            if std::fs::read(&path).is_ok_and(|old| old == reference.as_bytes()) {
                println!("{} is up to date with {display}", path.display());
                ExitCode::SUCCESS
            } else {
                eprintln!("error: {} is stale: it does not match {display}", path.display());
                eprintln!("  help: run `{fix}` and commit the result");
                ExitCode::from(1)
            }
        }
    }
}

/// The catalog path as diagnostics show it: relative to the current directory when inside it.
fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    path.strip_prefix(&cwd).unwrap_or(path).display().to_string()
}
