//! What the tests that run servers share: whether Prometheus is installed, a Prometheus server
//! started on loopback for one scrape job (killed and its data removed on drop), a small client of
//! its HTTP API, a plain scrape of an endpoint, and a log kept in memory.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const SKIP: &str = "skipped: prometheus not installed (apt-get install -y prometheus)";

/// Whether `prometheus` and `promtool` can be run. Without them the tests say so and pass, except
/// under `CI=true`, where they fail.
pub fn prometheus_installed() -> bool {
    if runs("prometheus") && runs("promtool") {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{SKIP}");
    }
    eprintln!("{SKIP}");
    false
}

/// Whether `program --version` can be run, i.e. it is on PATH.
fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0").local_addr().unwrap().port()
}

/// A temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(what: &str) -> TempDir {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("tasker-{what}-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A Prometheus server scraping one target every second; killed and reaped on drop.
pub struct Prometheus {
    child: Option<Child>,
    pub api: Api,
    pub log: PathBuf,
}

impl Prometheus {
    /// Starts Prometheus with its data in `dir`, scraping `target` as job `job`, and waits until it
    /// is ready (at most 25 s, and not past `deadline`).
    pub fn start(dir: &std::path::Path, job: &str, target: &str, deadline: Instant) -> Result<Prometheus, String> {
        Prometheus::start_with_rules(dir, job, target, &[], deadline)
    }

    /// [`Prometheus::start`] with rule files loaded (`rule_files:`), evaluated every second.
    pub fn start_with_rules(
        dir: &std::path::Path,
        job: &str,
        target: &str,
        rules: &[&std::path::Path],
        deadline: Instant,
    ) -> Result<Prometheus, String> {
        let port = free_port();
        let config = dir.join("prometheus.yml");
        let rule_files: String = rules.iter().map(|r| format!("  - '{}'\n", r.display())).collect();
        let rule_files = if rules.is_empty() { String::new() } else { format!("rule_files:\n{rule_files}") };
        fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n{rule_files}\
                 scrape_configs:\n  - job_name: {job}\n    static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        let log = dir.join("prometheus.log");
        let out = File::create(&log).map_err(|e| e.to_string())?;
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--log.level=warn")
            .stdin(Stdio::null())
            .stdout(out.try_clone().map_err(|e| e.to_string())?)
            .stderr(out)
            .spawn()
            .map_err(|e| format!("cannot start prometheus: {e}"))?;
        let mut prometheus = Prometheus { child: Some(child), api: Api::new(&format!("http://127.0.0.1:{port}")), log };
        let t = Instant::now();
        let ready_by = deadline.min(t + Duration::from_secs(25));
        loop {
            if let Some(status) = prometheus.exited() {
                return Err(format!("prometheus exited before it was ready: {status}"));
            }
            if prometheus.api.get("/-/ready", &[]).is_ok_and(|(code, _)| code == 200) {
                break;
            }
            if Instant::now() >= ready_by {
                return Err(format!("prometheus not ready after {:.1} s", t.elapsed().as_secs_f64()));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        eprintln!("prometheus on 127.0.0.1:{port} ready after {:.1} s", t.elapsed().as_secs_f64());
        Ok(prometheus)
    }

    /// Its exit status, if it has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    /// The last lines of its log, for a failing test.
    pub fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A series' labels, `__name__` included.
pub type Labels = BTreeMap<String, String>;

/// A rule as `/api/v1/rules` reports it.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub kind: String,
    pub state: String,
    pub health: String,
    pub last_error: String,
    pub for_seconds: f64,
}

/// Prometheus's HTTP API, over plain HTTP with short timeouts.
pub struct Api {
    pub base: String,
    agent: ureq::Agent,
}

impl Api {
    pub fn new(base: &str) -> Api {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_connect(Some(Duration::from_secs(2)))
            .timeout_global(Some(Duration::from_secs(15)))
            .build()
            .into();
        Api { base: base.to_owned(), agent }
    }

    /// GET a path of the server; the status code and the body.
    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<(u16, String), String> {
        let url = format!("{}{path}", self.base);
        let mut response =
            self.agent.get(&url).query_pairs(query.iter().copied()).call().map_err(|e| format!("GET {url}: {e}"))?;
        let code = response.status().as_u16();
        let body = response.body_mut().read_to_string().map_err(|e| format!("GET {url}: reading the body: {e}"))?;
        Ok((code, body))
    }

    pub fn get_url(&self, url: &str) -> Result<(u16, String), String> {
        let mut response = self.agent.get(url).call().map_err(|e| format!("GET {url}: {e}"))?;
        let code = response.status().as_u16();
        let body = response.body_mut().read_to_string().map_err(|e| format!("GET {url}: reading the body: {e}"))?;
        Ok((code, body))
    }

    /// The `data` of a successful API answer.
    fn data(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, String> {
        let (code, body) = self.get(path, query)?;
        let what = format!("GET {path} {query:?}");
        let mut json: Value =
            serde_json::from_str(&body).map_err(|e| format!("{what}: HTTP {code}, not JSON ({e}): {body}"))?;
        if code != 200 || json["status"] != "success" {
            return Err(format!("{what}: HTTP {code}: {body}"));
        }
        Ok(json["data"].take())
    }

    /// An instant query's vector: each series' labels and value.
    pub fn query(&self, expr: &str) -> Result<Vec<(Labels, f64)>, String> {
        self.vector(expr, &[("query", expr)])
    }

    /// An instant query evaluated at `time` (seconds since the epoch, as Prometheus prints it).
    pub fn query_at(&self, expr: &str, time: &str) -> Result<Vec<(Labels, f64)>, String> {
        self.vector(expr, &[("query", expr), ("time", time)])
    }

    fn vector(&self, expr: &str, params: &[(&str, &str)]) -> Result<Vec<(Labels, f64)>, String> {
        let data = self.data("/api/v1/query", params)?;
        if data["resultType"] != "vector" {
            return Err(format!("`{expr}` gave a {} result, not a vector", data["resultType"]));
        }
        let result = data["result"].as_array().ok_or_else(|| format!("`{expr}`: no result array"))?;
        result
            .iter()
            .map(|s| {
                let value = s["value"][1]
                    .as_str()
                    .and_then(|v| v.parse::<f64>().ok())
                    .ok_or_else(|| format!("`{expr}`: bad sample {s}"))?;
                Ok((labels(&s["metric"]), value))
            })
            .collect()
    }

    /// The newest sample's timestamp of the series `selector` selects (`timestamp()`: an instant
    /// query's own timestamp is the query's time, not the sample's), in seconds.
    pub fn sample_time(&self, selector: &str) -> Result<Option<String>, String> {
        let data = self.data("/api/v1/query", &[("query", &format!("timestamp({selector})"))])?;
        Ok(data["result"].as_array().and_then(|r| r.first()).and_then(|s| s["value"][1].as_str().map(str::to_owned)))
    }

    /// Every rule of every loaded group: (name, type `alerting`/`recording`, state for alerting rules,
    /// health, last error, `for` in seconds).
    pub fn rules(&self) -> Result<Vec<Rule>, String> {
        let data = self.data("/api/v1/rules", &[])?;
        let mut out = Vec::new();
        for g in data["groups"].as_array().cloned().unwrap_or_default() {
            for r in g["rules"].as_array().cloned().unwrap_or_default() {
                let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                out.push(Rule {
                    name: s(&r["name"]),
                    kind: s(&r["type"]),
                    state: s(&r["state"]),
                    health: s(&r["health"]),
                    last_error: s(&r["lastError"]),
                    for_seconds: r["duration"].as_f64().unwrap_or(0.0),
                });
            }
        }
        Ok(out)
    }

    /// The active alerts: (alert name, state `pending`/`firing`, labels).
    pub fn alerts(&self) -> Result<Vec<(String, String, Labels)>, String> {
        let data = self.data("/api/v1/alerts", &[])?;
        Ok(data["alerts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|a| {
                let l = labels(&a["labels"]);
                (l.get("alertname").cloned().unwrap_or_default(), a["state"].as_str().unwrap_or_default().to_owned(), l)
            })
            .collect())
    }

    /// The label sets of the series matching `selector`, over all the stored time.
    pub fn series(&self, selector: &str) -> Result<Vec<Labels>, String> {
        let data = self.data("/api/v1/series", &[("match[]", selector)])?;
        let list = data.as_array().ok_or_else(|| format!("series `{selector}`: not a list: {data}"))?;
        Ok(list.iter().map(labels).collect())
    }

    /// The targets' scrape health: (job, health, last error) of each active target.
    pub fn targets(&self) -> Result<Vec<(String, String, String)>, String> {
        let data = self.data("/api/v1/targets", &[])?;
        let active = data["activeTargets"].as_array().cloned().unwrap_or_default();
        Ok(active
            .iter()
            .map(|t| {
                let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                (s(&t["labels"]["job"]), s(&t["health"]), s(&t["lastError"]))
            })
            .collect())
    }
}

fn labels(v: &Value) -> Labels {
    v.as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default()
}

/// A child's exit status as text.
pub fn describe(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit {code}"),
        None => status.to_string(),
    }
}

/// `GET /metrics` of the endpoint at `address`, as curl sends it; the body.
pub fn scrape(address: std::net::SocketAddr) -> String {
    let mut s = std::net::TcpStream::connect(address).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    raw.split_once("\r\n\r\n").unwrap().1.to_owned()
}

/// A log file in memory, for a tracing subscriber's writer.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    /// What was written since the last call.
    pub fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.lock().unwrap())).unwrap()
    }
}

/// The workload example next to this test binary (`target/debug/deps/prometheus_e2e-HASH` →
/// `target/debug/examples/tasker_workload`). `cargo build --example` runs first in any case (a
/// no-op when it is current): `cargo test --test prometheus_e2e` alone does not build examples, and
/// a binary left from an older build would test old code.
pub fn workload_binary() -> Result<PathBuf, String> {
    built(&["--example", "tasker_workload"], &["examples", "tasker_workload"])
}

/// The `docs-gen` binary, built the same way: a test of this package does not get another
/// package's binary from cargo.
pub fn docs_gen_binary() -> Result<PathBuf, String> {
    built(&["-p", "docs-gen", "--bin", "docs-gen"], &["docs-gen"])
}

/// Runs `cargo build ARGS` in this test's profile and returns `PATH` under the profile directory.
fn built(args: &[&str], path: &[&str]) -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("cannot derive the target directory from {}", exe.display()))?;
    let mut bin = profile_dir.to_path_buf();
    bin.extend(path);
    bin.set_extension(std::env::consts::EXE_EXTENSION);
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.arg("build").arg("--quiet").args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            cargo.arg("--release");
        }
        Some(other) => {
            cargo.args(["--profile", other]);
        }
    }
    let what = format!("cargo build {}", args.join(" "));
    let t = Instant::now();
    let status = cargo.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("`{what}` failed: {status}"));
    }
    if !bin.exists() {
        return Err(format!("{} does not exist after `{what}`", bin.display()));
    }
    eprintln!("e2e: {} (built or checked in {:.1} s)", bin.display(), t.elapsed().as_secs_f64());
    Ok(bin)
}

/// How waiting for a workload's line ended without it.
pub enum NoLine {
    /// `by` passed.
    Late,
    /// Its stdout closed: the workload ended.
    Ended,
}

/// Waits for a line of a workload's stdout (read on a thread into `lines`) starting with
/// `prefix`, echoing each line.
pub fn wait_line(lines: &std::sync::mpsc::Receiver<String>, prefix: &str, by: Instant) -> Result<String, NoLine> {
    use std::sync::mpsc::RecvTimeoutError;
    loop {
        let left = by.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(NoLine::Late);
        }
        match lines.recv_timeout(left.min(Duration::from_millis(500))) {
            Ok(line) => {
                eprintln!("workload: {line}");
                if line.starts_with(prefix) {
                    return Ok(line);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Err(NoLine::Ended),
        }
    }
}
