//! The commands of the `docs-gen` binary, one module each with one entry point, `run`: [`generate`]
//! (the default), [`check`], [`diff`], [`live_check`], [`verify`], [`registry`] (which reads no
//! catalog: it writes one). Each takes the [`Context`] the
//! global options resolve to (which catalog, where its generated files go, the command that
//! regenerates them) and returns the process's exit code: 0 when all is well, 1 when the command
//! found what it looks for (a stale file, a breaking change, a drift, a failed query), 2 when it
//! could not do its work (the catalog has errors, a file or a server cannot be read).

pub mod check;
pub mod diff;
pub mod generate;
pub mod live_check;
pub mod registry;
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
    /// How the generated files name it: relative to its project (see [`project_root`]), so that a
    /// committed reference reads the same in every checkout.
    pub display: String,
    /// How diagnostics and reports name it: relative to the current directory (with `..` when
    /// both are in one project), else its absolute path, so that `file:LINE:COL` opens from where
    /// the command ran.
    pub shown: String,
    /// The directory of the reference.
    pub out: PathBuf,
    /// The directory of the rule files and dashboards.
    pub deploy: PathBuf,
    /// The verification record.
    pub record: PathBuf,
    /// The command that regenerates the files, run from the catalog's project root.
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

/// The file name docs-gen looks for when `--catalog` is not given.
pub const DEFAULT_CATALOG: &str = "metrics.yaml";

impl Context {
    /// Resolves the global options. Without `--catalog`, the catalog is the `metrics.yaml` of the
    /// current directory or of its nearest parent inside the same project (see [`find_catalog`]),
    /// never one elsewhere: a service's directory without a catalog is an error, not the catalog of
    /// the checkout docs-gen was built in. The reference goes to `docs/` beside the catalog, the
    /// rule files and dashboards to `deploy/` beside it, the record to `verification.json` beside
    /// the reference. The paths the generated files show are relative to the catalog's project
    /// root, so they do not depend on where the checkout lives or from where the command was run.
    pub fn resolve(given: Given, cwd: &Path) -> Result<Context, String> {
        let catalog = match given.catalog {
            Some(p) => normalize(&cwd.join(p)),
            None => find_catalog(cwd)?,
        };
        let beside = catalog.parent().map(Path::to_path_buf).unwrap_or_else(|| cwd.to_path_buf());
        let root = project_root(&beside);
        // The files go beside their catalog, so that another catalog never overwrites this one's.
        let default_out = beside.join("docs");
        let out = given.out.map(|p| cwd.join(p)).unwrap_or_else(|| default_out.clone());
        let default_deploy = beside.join("deploy");
        let deploy = given.deploy.map(|p| cwd.join(p)).unwrap_or_else(|| default_deploy.clone());
        let record = given.record.map(|p| cwd.join(p)).unwrap_or_else(|| out.join(record::RECORD_FILE));
        // The command that regenerates what `check` compares, run from the project root, so that
        // the reference's header does not depend on how the paths were typed or where from.
        let mut regenerate = tool_command(&root);
        let mut args = Vec::new();
        if catalog != root.join(DEFAULT_CATALOG) {
            args.push(format!("--catalog {}", relative(&root, &catalog)));
        }
        if normalize(&out) != normalize(&default_out) {
            args.push(format!("--out {}", relative(&root, &out)));
        }
        if normalize(&deploy) != normalize(&default_deploy) {
            args.push(format!("--deploy {}", relative(&root, &deploy)));
        }
        if record != out.join(record::RECORD_FILE) {
            args.push(format!("--record {}", relative(&root, &record)));
        }
        if !args.is_empty() {
            if regenerate.starts_with("cargo ") {
                regenerate.push_str(" --");
            }
            regenerate.push_str(&format!(" {}", args.join(" ")));
        }
        let display = relative(&root, &catalog);
        let shown = shown(cwd, &root, &catalog);
        Ok(Context { catalog, display, shown, out, deploy, record, regenerate })
    }

    /// Loads the catalog with every check, printing its warnings (located as [`Context::shown`]);
    /// on errors, prints them and gives the exit code 2. The catalog it returns is named
    /// [`Context::display`], as the generated files name it.
    pub fn load(&self) -> Result<(Catalog, Queries), ExitCode> {
        match catalog_docs::load(&self.catalog, &self.shown) {
            Ok((mut c, queries)) => {
                for w in &c.warnings {
                    eprintln!("{w}");
                }
                c.source = self.display.clone();
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

/// `path` relative to `root` when inside it, else absolute.
fn relative(root: &Path, path: &Path) -> String {
    let path = normalize(path);
    path.strip_prefix(normalize(root)).unwrap_or(&path).display().to_string()
}

/// How messages name `catalog` to a user in `cwd`: relative to `cwd` (with `..` when `cwd` is
/// elsewhere in the catalog's project), else absolute.
fn shown(cwd: &Path, root: &Path, catalog: &Path) -> String {
    let cwd = normalize(cwd);
    if cwd.starts_with(normalize(root)) || catalog.starts_with(&cwd) {
        outputs::relative_between(&cwd, catalog)
    } else {
        catalog.display().to_string()
    }
}

/// The catalog when `--catalog` is not given: `metrics.yaml` in `cwd` or in the nearest parent
/// directory, looking no further up than the project `cwd` is in (the first directory with a
/// `.git` or a workspace's `Cargo.toml`), so that a directory without a catalog is an error rather
/// than a silent default to some other project's catalog.
pub fn find_catalog(cwd: &Path) -> Result<PathBuf, String> {
    let cwd = normalize(cwd);
    let mut searched = Vec::new();
    for dir in cwd.ancestors() {
        let candidate = dir.join(DEFAULT_CATALOG);
        if candidate.is_file() {
            return Ok(candidate);
        }
        searched.push(dir.to_path_buf());
        if dir.join(".git").exists() || is_workspace_root(dir) {
            break;
        }
    }
    let last = searched.last().cloned().unwrap_or_else(|| cwd.clone());
    let mut message = format!(
        "error: no catalog given and no {DEFAULT_CATALOG} in {}{}",
        cwd.display(),
        if last != cwd { format!(" or its parents up to {}", last.display()) } else { String::new() }
    );
    // YAML files here are likely what the user meant.
    let mut here: Vec<String> = std::fs::read_dir(&cwd)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
        .collect();
    here.sort();
    match here.first() {
        Some(first) => message.push_str(&format!(
            "\n  help: pass the catalog with --catalog PATH; this directory has {} (e.g. --catalog {first})",
            here.join(", ")
        )),
        None => {
            message.push_str("\n  help: pass the catalog with --catalog PATH, or run docs-gen where the catalog is")
        }
    }
    Err(message)
}

/// The root of the project a catalog's directory is in: the nearest parent directory whose
/// `Cargo.toml` declares a workspace, else the nearest with a `Cargo.toml`, else the directory
/// itself. The generated files name paths relative to it.
pub fn project_root(dir: &Path) -> PathBuf {
    let dir = normalize(dir);
    if let Some(workspace) = dir.ancestors().find(|d| is_workspace_root(d)) {
        return workspace.to_path_buf();
    }
    dir.ancestors().find(|d| d.join("Cargo.toml").is_file()).unwrap_or(&dir).to_path_buf()
}

/// Whether `dir` holds a `Cargo.toml` with a `[workspace]` table.
fn is_workspace_root(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .is_some_and(|manifest| manifest.contains_key("workspace"))
}

/// How to run docs-gen from `root`: `cargo run -p docs-gen` in a workspace that has the docs-gen
/// package (this repository, or a fork of it), the installed `docs-gen` binary anywhere else. It
/// depends only on the checkout's files, so every clone writes the same header.
fn tool_command(root: &Path) -> String {
    let member = std::fs::read_to_string(root.join("docs-gen/Cargo.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|manifest| manifest.get("package")?.get("name")?.as_str().map(|n| n == "docs-gen"))
        .unwrap_or(false);
    if member { "cargo run -p docs-gen".to_owned() } else { "docs-gen".to_owned() }
}
