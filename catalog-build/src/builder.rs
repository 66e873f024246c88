//! The generator a build script calls: [`Builder`], in the manner of `prost_build::Config`.

use std::path::{Path, PathBuf};

/// Generates a catalog's typed recorders (and, if asked, its Markdown reference) from a build
/// script, in the manner of `prost_build::Config`:
///
/// ```no_run
/// // build.rs
/// fn main() {
///     catalog_build::Builder::new("metrics.yaml")   // relative to the crate's Cargo.toml
///         .generate_or_exit();                       // located errors, exit 1; never a panic
/// }
/// ```
///
/// The crate includes them by the catalog's file name, as `tonic::include_proto!` does:
/// `catalog_runtime::include_catalog!("http.yaml");`. (The recorders are written to
/// `OUT_DIR/{stem}.rs`, `http.yaml` → `http.rs`, see [`Builder::rust_file`]; `OUT_DIR/http.yaml.rs`
/// includes that file, so that the macro needs no naming rule.) The generated code needs `catalog-runtime`
/// (the recorders' machinery; its default feature `bound-instruments` makes `bind()` use
/// OpenTelemetry's bound instruments) and `opentelemetry` (with its `metrics` feature) in the
/// including crate.
#[derive(Debug, Clone)]
pub struct Builder {
    catalog: PathBuf,
    out_dir: Option<PathBuf>,
    rust_file: Option<String>,
    #[cfg(feature = "reference")]
    reference_file: Option<String>,
    #[cfg(feature = "reference")]
    record: Option<PathBuf>,
    cargo_directives: bool,
    /// The semantic-conventions registry the catalog is made from, and the selection.
    registry: Option<(PathBuf, Vec<String>)>,
}

impl Builder {
    /// A builder for the catalog at `catalog`, relative to the crate's directory
    /// (`CARGO_MANIFEST_DIR`) when it is relative. Errors name it as it is written here.
    pub fn new(catalog: impl AsRef<Path>) -> Builder {
        Builder {
            catalog: catalog.as_ref().to_path_buf(),
            out_dir: None,
            rust_file: None,
            #[cfg(feature = "reference")]
            reference_file: None,
            #[cfg(feature = "reference")]
            record: None,
            cargo_directives: true,
            registry: None,
        }
    }

    /// Makes the catalog from an OpenTelemetry semantic-conventions registry rather than reading
    /// it: the metrics of the registry's `model/` directory `model_dir` (relative to the crate's
    /// directory) that `select` names (`"http.server.*"`; every metric when empty), converted as
    /// `docs-gen registry` converts them. The catalog is written to the output directory under the
    /// name given to [`Builder::new`], which `include_catalog!` then takes; what the conversion
    /// left out is printed as a cargo warning.
    ///
    /// ```no_run
    /// // build.rs
    /// fn main() {
    ///     catalog_build::Builder::new("http.yaml")
    ///         .from_registry("semantic-conventions/model", &["http.server.*"])
    ///         .generate_or_exit();
    /// }
    /// ```
    pub fn from_registry(mut self, model_dir: impl AsRef<Path>, select: &[&str]) -> Builder {
        self.registry = Some((model_dir.as_ref().to_path_buf(), select.iter().map(|s| s.to_string()).collect()));
        self
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
    /// With it, the build also runs the catalog's PromQL and dashboard checks. (Feature
    /// `reference`.)
    #[cfg(feature = "reference")]
    pub fn reference_file(mut self, name: impl Into<String>) -> Builder {
        self.reference_file = Some(name.into());
        self
    }

    /// Renders each query's expected output into the reference from this verification record
    /// (written by `docs-gen verify`; relative to the crate's directory; a missing file means no
    /// record yet). (Feature `reference`.)
    #[cfg(feature = "reference")]
    pub fn verification_record(mut self, path: impl AsRef<Path>) -> Builder {
        self.record = Some(path.as_ref().to_path_buf());
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
        let out_dir = match (&self.out_dir, std::env::var_os("OUT_DIR")) {
            (Some(dir), _) => resolve(dir),
            (None, Some(dir)) => PathBuf::from(dir),
            (None, None) => return Err("error: no output directory: call `out_dir`, or run in a build script".into()),
        };
        let catalog_path = match &self.registry {
            None => resolve(&self.catalog),
            Some((dir, select)) => {
                let dir = resolve(dir);
                let stem = self.catalog.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                let imported =
                    catalog_model::registry::import(&dir, select, &stem).map_err(|e| format!("error: {e}"))?;
                for l in &imported.left_out {
                    println!("cargo:warning=left out of {}: {l}", self.catalog.display());
                }
                let name = self.catalog.file_name().map_or_else(|| "metrics.yaml".into(), |n| n.to_owned());
                let path = out_dir.join(name);
                catalog_model::write_if_changed(&path, &imported.catalog)
                    .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
                path
            }
        };
        if self.cargo_directives {
            // A registry's directory: cargo looks at every file under it.
            let watched = self.registry.as_ref().map_or_else(|| catalog_path.clone(), |(dir, _)| resolve(dir));
            println!("cargo:rerun-if-changed={}", watched.display());
        }
        let display = self.catalog.display().to_string();
        let mut files = Vec::new();
        #[cfg(feature = "reference")]
        let c = match &self.reference_file {
            Some(name) => {
                let (c, queries) = catalog_docs::load(&catalog_path, &display).map_err(|d| d.to_string())?;
                let record = self.record(&resolve)?;
                let plan = catalog_docs::plan::Plan::new(&c, &queries);
                let layout = catalog_docs::outputs::Layout {
                    catalog: &display,
                    reference: out_dir.join(name),
                    deploy: None,
                    regenerate: None,
                };
                files.extend(catalog_docs::outputs::files(&plan, record.as_ref(), &layout));
                c
            }
            None => catalog_model::load(&catalog_path, &display).map_err(|d| d.to_string())?,
        };
        #[cfg(not(feature = "reference"))]
        let c = catalog_model::load(&catalog_path, &display).map_err(|d| d.to_string())?;
        // Cargo shows a build script's warnings under the build.
        for w in &c.warnings {
            println!("cargo:warning={w}");
        }
        let rust_file = out_dir.join(self.rust_file_name());
        // What `include_catalog!("http.yaml")` includes: `OUT_DIR/http.yaml.rs`, which includes the
        // recorders by their path, so that the macro is a plain `concat!` with no naming rule.
        if let Some(name) = self.catalog.file_name().map(|n| format!("{}.rs", n.to_string_lossy()))
            && name != self.rust_file_name()
        {
            let path = rust_file.display().to_string();
            let text = format!(
                "// @generated by catalog-build: what `catalog_runtime::include_catalog!({:?})` includes.\ninclude!({path:?});\n",
                name.trim_end_matches(".rs"),
            );
            files.insert(0, (out_dir.join(name), text));
        }
        files.insert(0, (rust_file, crate::emit::render(&c)));
        for (path, text) in &files {
            catalog_model::write_if_changed(path, text)
                .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
        }
        #[cfg(feature = "reference")]
        let reference_file = self.reference_file.as_ref().map(|name| out_dir.join(name));
        #[cfg(not(feature = "reference"))]
        let reference_file = None;
        Ok(Generated { rust_file: files[0].0.clone(), reference_file })
    }

    /// The verification record, if one is set and written yet.
    #[cfg(feature = "reference")]
    fn record(&self, resolve: &impl Fn(&Path) -> PathBuf) -> Result<Option<catalog_docs::Record>, String> {
        let Some(path) = &self.record else { return Ok(None) };
        let path = resolve(path);
        if self.cargo_directives {
            // While a rerun-if-changed file is missing, cargo reruns the script on every build:
            // watch its directory until the record exists.
            let watched = if path.exists() { path.clone() } else { path.parent().unwrap_or(&path).to_path_buf() };
            println!("cargo:rerun-if-changed={}", watched.display());
        }
        catalog_docs::Record::read(&path).map_err(|e| format!("error: {e}"))
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

/// The files [`Builder::generate`] wrote (or found already current). (Beside them, the file that
/// `include_catalog!` includes, `OUT_DIR/{catalog file name}.rs`.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub rust_file: PathBuf,
    pub reference_file: Option<PathBuf>,
}
