//! A real Prometheus server (Debian's `prometheus` package) started on loopback for one scrape job,
//! killed and its data removed on drop, with a small client of its HTTP API; and `promtool`.

use crate::net::free_port;
use crate::process::Reaped;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

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

/// A Prometheus server scraping one target every second; killed and reaped on drop.
pub struct Prometheus {
    child: Option<Reaped>,
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
            // Stores the exemplars of OpenMetrics scrapes (`/api/v1/query_exemplars`); changes
            // nothing else.
            .arg("--enable-feature=exemplar-storage")
            .arg("--log.level=warn")
            .stdin(Stdio::null())
            .stdout(out.try_clone().map_err(|e| e.to_string())?)
            .stderr(out)
            .spawn()
            .map_err(|e| format!("cannot start prometheus: {e}"))?;
        let mut prometheus =
            Prometheus { child: Some(Reaped(child)), api: Api::new(&format!("http://127.0.0.1:{port}")), log };
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

    /// The exemplars stored for the series `selector` matches between `start` and `end` (seconds
    /// since the epoch): each series' labels, and each of its exemplars' labels, value and
    /// timestamp.
    pub fn exemplars(&self, selector: &str, start: f64, end: f64) -> Result<Vec<ExemplarSeries>, String> {
        let (start, end) = (format!("{start:.3}"), format!("{end:.3}"));
        let data = self.data("/api/v1/query_exemplars", &[("query", selector), ("start", &start), ("end", &end)])?;
        let list = data.as_array().ok_or_else(|| format!("exemplars `{selector}`: not a list: {data}"))?;
        Ok(list
            .iter()
            .map(|s| ExemplarSeries {
                series: labels(&s["seriesLabels"]),
                exemplars: s["exemplars"]
                    .as_array()
                    .map(|e| {
                        e.iter()
                            .map(|e| StoredExemplar {
                                labels: labels(&e["labels"]),
                                value: e["value"].as_str().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN),
                                timestamp: e["timestamp"].as_f64().unwrap_or(f64::NAN),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
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

/// A series' exemplars as `/api/v1/query_exemplars` gives them.
#[derive(Debug, Clone)]
pub struct ExemplarSeries {
    pub series: Labels,
    pub exemplars: Vec<StoredExemplar>,
}

/// One stored exemplar.
#[derive(Debug, Clone)]
pub struct StoredExemplar {
    pub labels: Labels,
    pub value: f64,
    pub timestamp: f64,
}

fn labels(v: &Value) -> Labels {
    v.as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default()
}

/// Runs `promtool check metrics` on a text exposition when promtool is installed (CI installs it):
/// `Some(output)` when it rejects the text; skipped (with a note) where it is missing, except under
/// `CI=true`.
pub fn promtool_rejects(exposition: &str) -> Option<String> {
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("promtool not installed"),
        Err(_) => {
            eprintln!("note: promtool not installed (apt-get install -y prometheus): exposition not checked by it");
            return None;
        }
    };
    child.stdin.take().expect("piped").write_all(exposition.as_bytes()).expect("write to promtool");
    let out = child.wait_with_output().expect("promtool runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    // Exit 0: no problem; 3: lint findings only (names, not validity); 1: the text does not parse.
    match out.status.code() {
        Some(0) | Some(3) => None,
        _ => Some(format!("promtool check metrics: {:?}: {text}", out.status.code())),
    }
}

/// A child's exit status as text.
pub fn describe(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit {code}"),
        None => status.to_string(),
    }
}
