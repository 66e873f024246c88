//! The tasker-metrics catalog compiler.
//!
//! `metrics.yaml` is parsed ([`parse`]), resolved into a validated [`model::Catalog`] ([`model`],
//! [`check`], [`promql`]), and emitted as typed Rust recorders ([`emit_rust`]) and the Markdown
//! metrics reference ([`emit_markdown`]). build.rs and the `docs-gen` binary both go through
//! [`load()`], so they cannot disagree.
//!
//! [`verify`] runs every query of the catalog against a live Prometheus server ([`prometheus_api`])
//! and writes the [`record`] the reference renders its expected outputs from (cargo feature `cli`,
//! on by default; a build script needs none of it).
//!
//! A crate generates its recorders from its own catalog with [`Builder`], from its build.rs:
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     docs_gen::Builder::new("http.yaml").generate_or_exit();
//! }
//! ```
//!
//! and includes them where it wants them:
//!
//! ```ignore
//! include!(concat!(env!("OUT_DIR"), "/http.rs"));
//! ```

// The examples are whole build scripts, `fn main` included, as a user writes them.
#![allow(clippy::needless_doctest_main)]

pub mod check;
pub mod diag;
pub mod ident;
pub mod load;
pub mod model;
mod parallel;
pub mod parse;
pub mod prometheus;
#[cfg(feature = "cli")]
pub mod prometheus_api;
pub mod promql;
pub mod record;
pub mod source;
#[cfg(feature = "cli")]
pub mod verify;

pub use diag::{Diagnostic, Diagnostics};
pub use load::{load, load_bytes, load_str};
pub use model::Catalog;
pub use record::Record;
pub mod emit_markdown;
pub mod emit_rust;

use std::io;
use std::path::{Path, PathBuf};

/// The file name of the reference the docs-gen binary writes into its output directory.
pub const REFERENCE_FILE: &str = "METRICS.md";

/// Writes `contents` to `path` unless it already holds exactly that. The text goes to a temporary
/// file beside it first and is renamed into place, so no reader ever sees a half-written file.
/// Returns whether the file changed.
pub fn write_if_changed(path: &Path, contents: &str) -> io::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    Ok(true)
}

/// Generates a catalog's typed recorders (and, if asked, its Markdown reference) from a build
/// script, in the manner of `prost_build::Config`:
///
/// ```no_run
/// // build.rs
/// fn main() {
///     docs_gen::Builder::new("metrics.yaml")        // relative to the crate's Cargo.toml
///         .bound_instruments(true)                   // needs opentelemetry's bound instruments
///         .reference_file("METRICS.md")              // also the reference, e.g. for rustdoc
///         .generate_or_exit();                       // located errors, exit 1; never a panic
/// }
/// ```
///
/// The recorders go to `OUT_DIR/{stem}.rs` (`http.yaml` → `http.rs`; see [`Builder::rust_file`]):
/// `include!(concat!(env!("OUT_DIR"), "/http.rs"));`. The generated code needs only
/// `opentelemetry` (with its `metrics` feature) in the including crate; with
/// [`Builder::bound_instruments`], also its `experimental_metrics_bound_instruments` feature.
#[derive(Debug, Clone)]
pub struct Builder {
    catalog: PathBuf,
    out_dir: Option<PathBuf>,
    rust_file: Option<String>,
    reference_file: Option<String>,
    record: Option<PathBuf>,
    options: emit_rust::Options,
    cargo_directives: bool,
}

impl Builder {
    /// A builder for the catalog at `catalog`, relative to the crate's directory
    /// (`CARGO_MANIFEST_DIR`) when it is relative. Errors name it as it is written here.
    pub fn new(catalog: impl AsRef<Path>) -> Builder {
        Builder {
            catalog: catalog.as_ref().to_path_buf(),
            out_dir: None,
            rust_file: None,
            reference_file: None,
            record: None,
            options: emit_rust::Options { bound_instruments: false },
            cargo_directives: true,
        }
    }

    /// Where the files go; default `OUT_DIR`.
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Builder {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The name of the generated Rust file; default the catalog's file name without its extension,
    /// made a Rust-friendly name, plus `.rs` (`metrics.yaml` → `metrics.rs`).
    pub fn rust_file(mut self, name: impl Into<String>) -> Builder {
        self.rust_file = Some(name.into());
        self
    }

    /// Also writes the Markdown reference under this name (e.g. for
    /// `#[doc = include_str!(concat!(env!("OUT_DIR"), "/METRICS.md"))]`); default: not written.
    pub fn reference_file(mut self, name: impl Into<String>) -> Builder {
        self.reference_file = Some(name.into());
        self
    }

    /// Renders each query's expected output into the reference from this verification record
    /// (written by `docs-gen verify`; relative to the crate's directory; a missing file means no
    /// record yet).
    pub fn verification_record(mut self, path: impl AsRef<Path>) -> Builder {
        self.record = Some(path.as_ref().to_path_buf());
        self
    }

    /// Whether `bind()` tables hold OpenTelemetry's bound instruments (experimental in
    /// opentelemetry 0.33: the crate must enable its `experimental_metrics_bound_instruments`
    /// feature) or, by default, pre-built attribute arrays on the unbound instruments. A crate can
    /// pass one of its own features: `.bound_instruments(std::env::var_os("CARGO_FEATURE_FAST").is_some())`.
    pub fn bound_instruments(mut self, on: bool) -> Builder {
        self.options.bound_instruments = on;
        self
    }

    /// Whether to print `cargo:rerun-if-changed` for the catalog and the record; default yes.
    pub fn cargo_directives(mut self, on: bool) -> Builder {
        self.cargo_directives = on;
        self
    }

    /// The Rust file's name this builder writes.
    pub fn rust_file_name(&self) -> String {
        self.rust_file.clone().unwrap_or_else(|| {
            let stem = self.catalog.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let stem: String = stem.chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).collect();
            format!("{}.rs", if stem.is_empty() { "metrics" } else { &stem })
        })
    }

    /// Loads the catalog and writes the files. On catalog errors nothing is written and the
    /// diagnostics (located `file:LINE:COL`, sorted, with hints) are the error.
    pub fn generate(&self) -> Result<Generated, String> {
        let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
        let resolve = |p: &Path| match &manifest {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_path_buf(),
        };
        let catalog_path = resolve(&self.catalog);
        let out_dir = match (&self.out_dir, std::env::var_os("OUT_DIR")) {
            (Some(dir), _) => resolve(dir),
            (None, Some(dir)) => PathBuf::from(dir),
            (None, None) => return Err("error: no output directory: call `out_dir`, or run in a build script".into()),
        };
        if self.cargo_directives {
            println!("cargo:rerun-if-changed={}", catalog_path.display());
        }
        let display = self.catalog.display().to_string();
        let c = load(&catalog_path, &display).map_err(|d| d.to_string())?;
        let record = match &self.record {
            Some(path) => {
                let path = resolve(path);
                if self.cargo_directives {
                    // While a rerun-if-changed file is missing, cargo reruns the script on every
                    // build: watch its directory until the record exists.
                    let watched =
                        if path.exists() { path.clone() } else { path.parent().unwrap_or(&path).to_path_buf() };
                    println!("cargo:rerun-if-changed={}", watched.display());
                }
                Record::read(&path).map_err(|e| format!("error: {e}"))?
            }
            None => None,
        };
        let rust = emit_rust::render_with_options(&c, self.options);
        let mut files = vec![(out_dir.join(self.rust_file_name()), rust)];
        if let Some(name) = &self.reference_file {
            files.push((out_dir.join(name), emit_markdown::render_with(&c, record.as_ref(), None)));
        }
        for (path, text) in &files {
            write_if_changed(path, text).map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
        }
        Ok(Generated { rust_file: files[0].0.clone(), reference_file: files.get(1).map(|(p, _)| p.clone()) })
    }

    /// [`Builder::generate`] for build scripts: on an error, prints it and exits with status 1
    /// (cargo shows it under the failed build script), rather than panicking with a backtrace.
    pub fn generate_or_exit(&self) -> Generated {
        self.generate().unwrap_or_else(|message| {
            eprintln!("{message}");
            std::process::exit(1)
        })
    }
}

/// The files [`Builder::generate`] wrote (or found already current).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub rust_file: PathBuf,
    pub reference_file: Option<PathBuf>,
}
