//! The commands of the `docs-gen` binary, one module each with one entry point, `run`: [`generate`]
//! (the default), [`check`], [`diff`], [`live_check`], [`verify`]. Each takes the [`Context`] the
//! global options resolve to (which catalog, where its generated files go, the command that
//! regenerates them) and returns the process's exit code: 0 when all is well, 1 when the command
//! found what it looks for (a stale file, a breaking change, a drift, a failed query), 2 when it
//! could not do its work (the catalog has errors, a file or a server cannot be read).

pub mod check;
pub mod diff;
pub mod generate;
pub mod live_check;
pub mod verify;

use catalog_docs::outputs::{self, normalize};
use catalog_docs::record::{self, Record};
use catalog_model::model::Catalog;
use catalog_promql::Queries;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The catalog a command works on and where its generated files go.
#[derive(Debug, Clone)]
pub struct Context {
    /// The catalog file.
    pub catalog: PathBuf,
    /// How diagnostics and headers name it: relative to the workspace when inside it.
    pub display: String,
    /// The directory of the reference.
    pub out: PathBuf,
    /// The directory of the rule files and dashboards.
    pub deploy: PathBuf,
    /// The verification record.
    pub record: PathBuf,
    /// The command that regenerates the files, in the workspace's terms wherever it runs.
    pub regenerate: String,
}

/// The global options as given (relative paths are relative to `cwd`).
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub catalog: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub deploy: Option<PathBuf>,
    pub record: Option<PathBuf>,
}

impl Context {
    /// Resolves the global options: the catalog defaults to `metrics.yaml` at `root`, the reference
    /// to `docs/` beside the catalog, the rule files and dashboards to `deploy/` beside it, the
    /// record to `verification.json` beside the reference.
    pub fn resolve(given: Given, root: &Path, cwd: &Path) -> Context {
        let catalog = given.catalog.map(|p| cwd.join(p)).unwrap_or_else(|| root.join("metrics.yaml"));
        // The files go beside their catalog, so that another catalog never overwrites this one's.
        let beside = catalog.parent().unwrap_or(root).to_path_buf();
        let default_out = beside.join("docs");
        let out = given.out.map(|p| cwd.join(p)).unwrap_or_else(|| default_out.clone());
        let default_deploy = beside.join("deploy");
        let deploy = given.deploy.map(|p| cwd.join(p)).unwrap_or_else(|| default_deploy.clone());
        let record = given.record.map(|p| cwd.join(p)).unwrap_or_else(|| out.join(record::RECORD_FILE));
        // The command that regenerates what `check` compares, in the workspace's terms wherever it
        // runs, so that the reference's header does not depend on how the paths were typed.
        let mut regenerate = String::from("cargo run -p docs-gen");
        let mut args = Vec::new();
        if catalog != root.join("metrics.yaml") {
            args.push(format!("--catalog {}", relative(root, &catalog)));
        }
        if normalize(&out) != normalize(&default_out) {
            args.push(format!("--out {}", relative(root, &out)));
        }
        if normalize(&deploy) != normalize(&default_deploy) {
            args.push(format!("--deploy {}", relative(root, &deploy)));
        }
        if record != out.join(record::RECORD_FILE) {
            args.push(format!("--record {}", relative(root, &record)));
        }
        if !args.is_empty() {
            regenerate.push_str(&format!(" -- {}", args.join(" ")));
        }
        let display = relative(root, &catalog);
        Context { catalog, display, out, deploy, record, regenerate }
    }

    /// Loads the catalog with every check, printing its warnings; on errors, prints them and gives
    /// the exit code 2.
    pub fn load(&self) -> Result<(Catalog, Queries), ExitCode> {
        match catalog_docs::load(&self.catalog, &self.display) {
            Ok((c, queries)) => {
                for w in &c.warnings {
                    eprintln!("{w}");
                }
                Ok((c, queries))
            }
            Err(diagnostics) => {
                eprintln!("{diagnostics}");
                Err(ExitCode::from(2))
            }
        }
    }

    /// The verification record, if there is one; an unreadable one is an error (exit 2).
    pub fn read_record(&self) -> Result<Option<Record>, ExitCode> {
        Record::read(&self.record).map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(2)
        })
    }

    /// Where the files of [`generate`] and [`check`] go.
    pub fn layout(&self) -> outputs::Layout<'_> {
        outputs::Layout {
            catalog: &self.display,
            reference: self.out.join(catalog_docs::REFERENCE_FILE),
            deploy: Some(self.deploy.clone()),
            regenerate: Some(&self.regenerate),
        }
    }
}

/// `file:LINE:COL` of each catalog path in `text` (`None` where a path is `None`).
pub fn places<'p>(file: &str, text: &str, paths: impl IntoIterator<Item = Option<&'p str>>) -> Vec<Option<String>> {
    let at = catalog_model::locate(text, paths);
    at.into_iter().map(|at| at.map(|(line, col)| format!("{file}:{line}:{col}"))).collect()
}

/// A path as the reference and diagnostics show it: relative to the workspace root when inside it.
fn relative(root: &Path, path: &Path) -> String {
    let path = normalize(path);
    path.strip_prefix(normalize(root)).unwrap_or(&path).display().to_string()
}
