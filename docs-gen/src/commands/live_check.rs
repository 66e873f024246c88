//! `docs-gen live-check`: what a running service emits (a Prometheus exposition, a scrape, or its
//! OTLP export), compared with the catalog ([`crate::live`]).

use super::{Context, places};
use crate::live::{self, Checker, Gate, Naming, Options};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The options of `live-check`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["exposition", "scrape", "otlp"])))]
pub struct Args {
    /// A Prometheus exposition in a file (text format 0.0.4 or OpenMetrics); `-` reads standard input
    #[arg(long, value_name = "FILE")]
    pub exposition: Option<PathBuf>,
    /// Scrape this /metrics endpoint, e.g. http://127.0.0.1:9464/metrics
    #[arg(long, value_name = "URL")]
    pub scrape: Option<String>,
    /// Receive OTLP/gRPC metric exports on this address, e.g. 127.0.0.1:4317 (port 0: any free
    /// port; the address is printed as `otlp: listening on ADDR`)
    #[arg(long, value_name = "ADDR")]
    pub otlp: Option<std::net::SocketAddr>,
    /// With --otlp: check after this many export requests
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub exports: u32,
    /// With --otlp: the longest wait for them, in seconds (1 to 3600); what arrived by then is checked
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = seconds)]
    pub timeout: f64,
    /// `text` or `json`
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    /// Fail (exit 1) when fewer than PERCENT of the metrics with status `instrumented` were seen
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    pub min_coverage: Option<f64>,
    /// Fail (exit 1) when fewer than PERCENT of the closed values of their labels were seen
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    pub min_value_coverage: Option<f64>,
    /// Attribute keys the service drops at export (its telemetry.toml `drop_labels`): not missing
    #[arg(long, value_delimiter = ',', value_name = "KEY,...")]
    pub drop_labels: Vec<String>,
    /// A family of another meter to pass over: a name, or a prefix ending in `*` (repeatable)
    #[arg(long, value_name = "NAME")]
    pub ignore: Vec<String>,
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

/// Reads the source, checks it, prints the report. Exit 0 when clean, 1 on a violation or coverage
/// below the minimum, 2 on catalog errors or a source that cannot be read.
pub fn run(cx: &Context, args: &Args) -> ExitCode {
    let (mut c, _) = match cx.load() {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    // The report names the catalog as the user can open it from here.
    c.source = cx.shown.clone();
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
        let requests = receiver.collect(args.exports as usize, Duration::from_secs_f64(args.timeout));
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
        started = Instant::now();
        let mut checker = Checker::new(&c, Naming::OpenTelemetry, &format!("OTLP at {address}"), options);
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
            // clap requires one source: without --otlp, one of these two.
            (None, None) => return ExitCode::from(2),
        };
        started = Instant::now();
        let mut checker = Checker::new(&c, Naming::Prometheus, &source, options);
        if let Err(e) = live::check_exposition(&mut checker, &text) {
            eprintln!("{source}:{}:{}: error: {}", e.line, e.col, e.message);
            eprintln!("  help: live-check reads the Prometheus text format (0.0.4) and OpenMetrics text");
            return ExitCode::from(2);
        }
        checker.finish()
    };
    let elapsed = started.elapsed();
    let catalog_text = std::fs::read_to_string(&cx.catalog).unwrap_or_default();
    let declared_at = places(&cx.shown, &catalog_text, report.findings.iter().map(|f| f.declared_path.as_deref()));
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
