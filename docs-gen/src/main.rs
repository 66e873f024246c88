//! `docs-gen`: regenerates the metrics reference from the catalog, checks that it is current, or
//! verifies the catalog's queries against a live Prometheus server.
//!
//! `cargo run -p docs-gen` writes docs/METRICS.md; `cargo run -p docs-gen -- check` exits 0 when it
//! is up to date, 1 when it is stale, 2 when the catalog has errors. `verify --prometheus URL`
//! exits 0 when every query that must return data did, 1 otherwise, 2 on catalog errors or when
//! the server cannot be reached; it writes docs/verification.json, which the reference renders.

use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The catalog compiler allocates heavily; see the workspace's Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    Diff(DiffArgs),
    /// Run every query of the catalog against a Prometheus server and record what each returned.
    /// Exit 0 when every query that must return data did, 1 otherwise, 2 on catalog errors or an
    /// unreachable server
    Verify(VerifyArgs),
    /// Compare what a running service emits (a Prometheus exposition, a scrape, or OTLP exports)
    /// with the catalog: undeclared families, labels and values, type, unit and bucket drift,
    /// overflow series, and coverage. Exit 0 when clean, 1 on violations or coverage below the
    /// minimum, 2 when the source cannot be read
    LiveCheck(LiveCheckArgs),
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["exposition", "scrape", "otlp"])))]
struct LiveCheckArgs {
    /// A Prometheus exposition in a file (text format 0.0.4 or OpenMetrics); `-` reads standard input
    #[arg(long, value_name = "FILE")]
    exposition: Option<PathBuf>,
    /// Scrape this /metrics endpoint, e.g. http://127.0.0.1:9464/metrics
    #[arg(long, value_name = "URL")]
    scrape: Option<String>,
    /// Receive OTLP/gRPC metric exports on this address, e.g. 127.0.0.1:4317 (port 0: any free
    /// port; the address is printed as `otlp: listening on ADDR`)
    #[arg(long, value_name = "ADDR")]
    otlp: Option<std::net::SocketAddr>,
    /// With --otlp: check after this many export requests
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    exports: u32,
    /// With --otlp: the longest wait for them, in seconds (1 to 3600); what arrived by then is checked
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = seconds)]
    timeout: f64,
    /// `text` or `json`
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// Fail (exit 1) when fewer than PERCENT of the metrics with status `instrumented` were seen
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    min_coverage: Option<f64>,
    /// Fail (exit 1) when fewer than PERCENT of the closed values of their labels were seen
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    min_value_coverage: Option<f64>,
    /// Attribute keys the service drops at export (its telemetry.toml `drop_labels`): not missing
    #[arg(long, value_delimiter = ',', value_name = "KEY,...")]
    drop_labels: Vec<String>,
    /// A family of another meter to pass over: a name, or a prefix ending in `*` (repeatable)
    #[arg(long, value_name = "NAME")]
    ignore: Vec<String>,
}

fn percent(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{s}` is not a percentage: write a number from 0 to 100")),
    }
}

fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(t) if (1.0..=3600.0).contains(&t) => Ok(t),
        _ => Err(format!("`{s}` is out of range: write a number of seconds from 1 to 3600")),
    }
}

#[derive(Args)]
struct DiffArgs {
    /// The old catalog: a file, a git revision (`HEAD~1`, `origin/main`: the catalog's path at
    /// that revision), or `REV:PATH`
    #[arg(long, value_name = "OLD")]
    baseline: String,
    /// `text`, `markdown` (for a pull-request comment) or `json`
    #[arg(long, default_value = "text", value_parser = ["text", "markdown", "json"])]
    format: String,
    /// Let breaking changes of `alpha` metrics through (never those of `beta` or `stable` ones)
    #[arg(long)]
    allow_alpha: bool,
}

#[derive(Args)]
struct VerifyArgs {
    /// Base URL of the Prometheus server, e.g. http://127.0.0.1:9090
    #[arg(long, value_name = "URL")]
    prometheus: String,
    /// What ran before the queries (e.g. "3 mathematical_sequence tasks"), kept in the record
    #[arg(long, value_name = "TEXT", required_unless_present = "no_record")]
    workload: Option<String>,
    /// Only report; write no record
    #[arg(long)]
    no_record: bool,
    /// The server scraped the steady-state profile (correlation ids dropped, the workload spread
    /// over many scrapes): write the record's steady-state file (`verification.steady.json`)
    #[arg(long)]
    steady_state: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let cwd = std::env::current_dir().unwrap_or_default();
    let catalog = cli.catalog.map(|p| cwd.join(p)).unwrap_or_else(|| root.join("metrics.yaml"));
    // The reference goes beside its catalog, so that another catalog never overwrites this one's.
    let default_out = catalog.parent().unwrap_or(&root).join("docs");
    let out = cli.out.map(|p| cwd.join(p)).unwrap_or_else(|| default_out.clone());
    let default_deploy = catalog.parent().unwrap_or(&root).join("deploy");
    let deploy = cli.deploy.map(|p| cwd.join(p)).unwrap_or_else(|| default_deploy.clone());
    let record_path = cli.record.map(|p| cwd.join(p)).unwrap_or_else(|| out.join(docs_gen::record::RECORD_FILE));
    // The command that regenerates what `check` compares, in the workspace's terms wherever it runs,
    // so that the reference's header does not depend on how the paths were typed.
    let mut fix = String::from("cargo run -p docs-gen");
    let mut args = Vec::new();
    if catalog != root.join("metrics.yaml") {
        args.push(format!("--catalog {}", relative(&root, &catalog)));
    }
    if normalize(&out) != normalize(&default_out) {
        args.push(format!("--out {}", relative(&root, &out)));
    }
    if normalize(&deploy) != normalize(&default_deploy) {
        args.push(format!("--deploy {}", relative(&root, &deploy)));
    }
    if record_path != out.join(docs_gen::record::RECORD_FILE) {
        args.push(format!("--record {}", relative(&root, &record_path)));
    }
    if !args.is_empty() {
        fix.push_str(&format!(" -- {}", args.join(" ")));
    }
    let display = relative(&root, &catalog);
    let c = match docs_gen::load(&catalog, &display) {
        Ok(c) => c,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return ExitCode::from(2);
        }
    };
    for w in &c.warnings {
        eprintln!("{w}");
    }
    let command = cli.command.unwrap_or(Command::Generate);
    if let Command::Diff(args) = &command {
        return diff(&c, &catalog, &display, args);
    }
    if let Command::LiveCheck(args) = &command {
        return live_check(&c, &catalog, &display, args);
    }
    if let Command::Verify(args) = command {
        return verify(&c, &args, &record_path);
    }
    let record = match docs_gen::Record::read(&record_path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let inputs = match &record {
        Some(r) if r.steady_state.is_some() => format!(
            "{display}, {} and {}",
            record_path.display(),
            docs_gen::record::steady_path(&record_path).display()
        ),
        Some(_) => format!("{display} and {}", record_path.display()),
        None => display.clone(),
    };
    let reference_path = out.join(docs_gen::REFERENCE_FILE);
    let deploy_link = relative_between(&out, &deploy);
    let reference = docs_gen::emit::markdown::render_full(&c, record.as_ref(), Some(&fix), Some(&deploy_link));
    let rules_dir = deploy.join("prometheus");
    let layout = docs_gen::emit::rules::Layout {
        catalog: display.clone(),
        regenerate: fix.clone(),
        reference: match &c.document.reference_url {
            Some(url) => url.trim().to_owned(),
            None => relative_between(&rules_dir, &reference_path),
        },
    };
    let mut files = vec![(reference_path, reference)];
    use docs_gen::emit::rules::{self, Layout};
    if let Some(text) = rules::render_rules(&c, &layout) {
        files.push((deploy.join(Layout::rule_file(&c)), text));
    }
    if let Some(text) = rules::render_tests(&c, &layout) {
        files.push((deploy.join(Layout::test_file(&c)), text));
    }
    let dashboards_dir = deploy.join("grafana");
    let dashboard_reference = match &c.document.reference_url {
        Some(url) => url.trim().to_owned(),
        None => relative_between(&dashboards_dir, &files[0].0),
    };
    for d in 0..c.dashboards.len() {
        let text = docs_gen::emit::grafana::render(&c, d, &dashboard_reference);
        files.push((deploy.join(docs_gen::emit::grafana::file(&c, d)), text));
    }
    match command {
        Command::Generate => {
            for orphan in orphans(&deploy, &c, &files) {
                match std::fs::remove_file(&orphan) {
                    Ok(()) => println!("removed {} (the catalog no longer has its dashboard)", orphan.display()),
                    Err(e) => eprintln!("warning: cannot remove {}: {e}", orphan.display()),
                }
            }
            for (path, text) in &files {
                match docs_gen::write_if_changed(path, text) {
                    Ok(true) => println!("wrote {}", path.display()),
                    Ok(false) => println!("{} is up to date", path.display()),
                    Err(e) => {
                        eprintln!("error: cannot write {}: {e}", path.display());
                        return ExitCode::from(2);
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Command::Check => {
            let mut stale = 0;
            for orphan in orphans(&deploy, &c, &files) {
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
                eprintln!("  help: run `{fix}` and commit the result");
                ExitCode::from(1)
            }
        }
        Command::Verify(_) | Command::Diff(_) | Command::LiveCheck(_) => unreachable!("handled above"),
    }
}

/// `docs-gen diff --baseline OLD`: loads the baseline, diffs, prints the report.
fn diff(new: &docs_gen::Catalog, path: &Path, display: &str, args: &DiffArgs) -> ExitCode {
    let (old_display, old_text) = match baseline(path, &args.baseline) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("error: cannot read the baseline `{}`: {e}", args.baseline);
            return ExitCode::from(2);
        }
    };
    let old = match docs_gen::load_str(&old_display, &old_text) {
        Ok(c) => c,
        Err(d) => {
            eprintln!("{d}");
            eprintln!("error: the baseline `{old_display}` has catalog errors; the diff needs two catalogs that load");
            return ExitCode::from(2);
        }
    };
    let new_text = std::fs::read_to_string(path).unwrap_or_default();
    let policy = docs_gen::diff::Policy { allow_alpha: args.allow_alpha };
    let mut changes = docs_gen::diff::diff(&old, new, policy);
    let old_at = places(&old_display, &old_text, changes.iter().map(|c| c.old_path.as_deref()));
    let new_at = places(display, &new_text, changes.iter().map(|c| c.new_path.as_deref()));
    for ((c, old_at), new_at) in changes.iter_mut().zip(old_at).zip(new_at) {
        c.old_at = old_at;
        c.new_at = new_at;
    }
    let report = match args.format.as_str() {
        "markdown" => docs_gen::diff::markdown(&changes, &old_display, display),
        "json" => docs_gen::diff::json(&changes, &old_display, display),
        _ => docs_gen::diff::text(&changes, &old_display, display),
    };
    print!("{report}");
    if docs_gen::diff::fails(&changes) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// `docs-gen live-check`: reads the source, checks it, prints the report.
fn live_check(c: &docs_gen::Catalog, path: &Path, display: &str, args: &LiveCheckArgs) -> ExitCode {
    use docs_gen::live::{self, Checker, Gate, Naming, Options};
    let options = Options { drop_labels: args.drop_labels.clone(), ignore: args.ignore.clone() };
    let gate = Gate { metrics: args.min_coverage, values: args.min_value_coverage };
    let started;
    let mut report = if let Some(address) = args.otlp {
        let receiver = match live::otlp::listen(address) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let address = receiver.address();
        println!("otlp: listening on {address}");
        let requests = receiver.collect(args.exports as usize, std::time::Duration::from_secs_f64(args.timeout));
        if requests.is_empty() {
            eprintln!("error: no OTLP export arrived at {address} within {} s", args.timeout);
            eprintln!("  help: point the service's OTLP exporter at http://{address} (OTEL_EXPORTER_OTLP_ENDPOINT)");
            return ExitCode::from(2);
        }
        if requests.len() < args.exports as usize {
            eprintln!(
                "note: {} of {} export requests arrived within {} s; checking those",
                requests.len(),
                args.exports,
                args.timeout
            );
        }
        started = std::time::Instant::now();
        let mut checker = Checker::new(c, Naming::OpenTelemetry, &format!("OTLP at {address}"), options);
        for (n, r) in requests.iter().enumerate() {
            live::otlp::check_request(&mut checker, r, n as u64 + 1);
        }
        checker.finish()
    } else {
        let (source, text) = match (&args.exposition, &args.scrape) {
            (Some(file), _) if file.as_os_str() == "-" => {
                let mut text = String::new();
                match std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
                    Ok(_) => ("<stdin>".to_owned(), text),
                    Err(e) => {
                        eprintln!("error: cannot read standard input: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            (Some(file), _) => match std::fs::read_to_string(file) {
                Ok(text) => (file.display().to_string(), text),
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", file.display());
                    return ExitCode::from(2);
                }
            },
            (None, Some(url)) => match live::scrape(url) {
                Ok(text) => (url.clone(), text),
                Err(e) => {
                    eprintln!("error: cannot scrape {url}: {e}");
                    return ExitCode::from(2);
                }
            },
            (None, None) => unreachable!("clap requires a source"),
        };
        started = std::time::Instant::now();
        let mut checker = Checker::new(c, Naming::Prometheus, &source, options);
        if let Err(e) = live::check_exposition(&mut checker, &text) {
            eprintln!("{source}:{}:{}: error: {}", e.line, e.col, e.message);
            eprintln!("  help: live-check reads the Prometheus text format (0.0.4) and OpenMetrics text");
            return ExitCode::from(2);
        }
        checker.finish()
    };
    let elapsed = started.elapsed();
    let catalog_text = std::fs::read_to_string(path).unwrap_or_default();
    let declared_at = places(display, &catalog_text, report.findings.iter().map(|f| f.declared_path.as_deref()));
    for (f, at) in report.findings.iter_mut().zip(declared_at) {
        f.declared_at = at;
    }
    match args.format.as_str() {
        "json" => print!("{}", report.json(gate)),
        _ => print!("{}", report.text(gate)),
    }
    eprintln!("live-check: checked {} metric families in {:.1} ms", report.families, elapsed.as_secs_f64() * 1e3);
    if report.passes(gate) { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// `file:LINE:COL` of each catalog path in `text` (`None` where a path is `None`).
fn places<'p>(file: &str, text: &str, paths: impl IntoIterator<Item = Option<&'p str>>) -> Vec<Option<String>> {
    let at = docs_gen::catalog::load::locate(text, paths);
    at.into_iter().map(|at| at.map(|(line, col)| format!("{file}:{line}:{col}"))).collect()
}

/// The baseline's name and text: a file if `old` is one, else `git show REV:PATH` with `PATH` the
/// catalog's path in its repository (or the `PATH` of `REV:PATH`).
fn baseline(catalog: &Path, old: &str) -> Result<(String, String), String> {
    if Path::new(old).is_file() {
        return std::fs::read_to_string(old).map(|t| (old.to_owned(), t)).map_err(|e| e.to_string());
    }
    let dir = catalog.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let git = |args: &[&str]| -> Result<String, String> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!("not a file, and git says: {}", String::from_utf8_lossy(&out.stderr).trim()))
        }
    };
    let spec = if old.contains(':') {
        old.to_owned()
    } else {
        let top = git(&["rev-parse", "--show-toplevel"])?;
        let absolute = std::fs::canonicalize(catalog).map_err(|e| e.to_string())?;
        let top = std::fs::canonicalize(top.trim()).map_err(|e| e.to_string())?;
        let rel = absolute.strip_prefix(&top).map_err(|_| "the catalog is not inside its git repository".to_owned())?;
        format!("{old}:{}", rel.display())
    };
    git(&["show", &spec]).map(|text| (spec.clone(), text))
}

/// Dashboards docs-gen wrote for this catalog earlier that it no longer generates: JSON files in
/// `deploy/grafana` whose uid starts with the meter's and that carry the `docs-gen` tag.
fn orphans(deploy: &Path, c: &docs_gen::Catalog, files: &[(PathBuf, String)]) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(deploy.join("grafana")) else { return Vec::new() };
    let prefix = format!("{}-", docs_gen::emit::rules::slug(&c.meter_name));
    let mut out: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&prefix)))
        .filter(|p| !files.iter().any(|(f, _)| f == p))
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("\"docs-gen\"")))
        .collect();
    out.sort();
    out
}

/// The path of `to` relative to the directory `from`, `/`-separated, for links between generated
/// files: `deploy/prometheus` → `docs/METRICS.md` is `../../docs/METRICS.md`.
fn relative_between(from: &Path, to: &Path) -> String {
    let (from, to) = (normalize(from), normalize(to));
    let (a, b): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".into(); a.len() - common];
    parts.extend(b[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

/// Runs every query against the server, prints the report, writes the record.
fn verify(c: &docs_gen::Catalog, args: &VerifyArgs, record_path: &Path) -> ExitCode {
    use docs_gen::verify;
    let api = docs_gen::verify::api::PrometheusApi::new(&args.prometheus);
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
    let checked = match verify::run(verify::targets_dropping(c, &dropped), |expr| api.query(expr)) {
        Ok(checked) => checked,
        Err(e) => {
            eprintln!("error: Prometheus stopped answering: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", verify::report(&checked, &format!("Prometheus {version} at {}", api.base())));
    if let Some(workload) = args.workload.as_ref().filter(|_| !args.no_record) {
        let record = verify::record(&checked, docs_gen::record::now_rfc3339(), version, workload.trim().to_owned());
        let record_path =
            if args.steady_state { docs_gen::record::steady_path(record_path) } else { record_path.to_path_buf() };
        let record_path = record_path.as_path();
        if let Err(e) = docs_gen::write_if_changed(record_path, &record.to_json()) {
            eprintln!("error: cannot write {}: {e}", record_path.display());
            return ExitCode::from(2);
        }
        println!("wrote {}; run `cargo run -p docs-gen` to render it into the reference", record_path.display());
    }
    if checked.iter().any(|c| c.failed()) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// A path as the reference and diagnostics show it: relative to the workspace root when inside it.
fn relative(root: &Path, path: &Path) -> String {
    let path = normalize(path);
    path.strip_prefix(normalize(root)).unwrap_or(&path).display().to_string()
}

/// `a/./b/../c` → `a/c`, without touching the file system (the path may not exist yet).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
