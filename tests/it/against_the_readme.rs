//! The README's "Adopting it in another service", followed as a new user would: its files, written
//! verbatim into a fresh crate outside the workspace, built, run, scraped and live-checked, then its
//! reference generated and checked with the commands the section gives. The only changes are the
//! ones a user of a checkout makes, each named below and each required to apply: path
//! dependencies for the version requirements (the crates are not published), a free port for the
//! example's `listen_address`, and the workspace's Cargo.lock (so that an offline build resolves
//! the versions this repository is tested with). When the section drifts from what works, this
//! fails.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use test_support::{Reaped, TempDir, docs_gen_binary, free_port, scrape, workspace};

const SECTION: &str = "## Adopting it in another service";

/// The files the section gives, by the name on each code block's first line (`# Cargo.toml`,
/// `// build.rs: …`, `// src/main.rs`).
fn files(readme: &str) -> BTreeMap<String, String> {
    let start = readme.find(SECTION).expect("the README has the adoption section");
    let rest = &readme[start + SECTION.len()..];
    let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let mut files = BTreeMap::new();
    for block in section.split("\n```").skip(1).step_by(2) {
        let Some((_lang, body)) = block.split_once('\n') else { continue };
        let first = body.lines().next().unwrap_or_default();
        let Some(label) = first.strip_prefix("# ").or_else(|| first.strip_prefix("// ")) else { continue };
        let name = label.split([' ', ':']).next().unwrap_or_default();
        if name.contains('.') && !name.contains(' ') {
            files.insert(name.to_owned(), format!("{body}\n"));
        }
    }
    files
}

/// `text` with `from` replaced by `to`, which must occur exactly once.
fn substitute(name: &str, text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "{name} in the README's adoption section no longer has `{from}`:\n{text}"
    );
    text.replace(from, to)
}

fn run(command: &mut Command) -> Output {
    let out = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    eprintln!(
        "{command:?}: {}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn a_new_service_from_the_adoption_section_serves_and_live_checks() {
    let root = workspace();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut files = files(&readme);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(names, ["Cargo.toml", "build.rs", "http.yaml", "src/main.rs", "telemetry.toml"]);

    let port = free_port();
    let path = |krate: &str| format!("{{ path = {:?} }}", root.join(krate).display().to_string());
    let manifest = &files["Cargo.toml"];
    let manifest = substitute(
        "Cargo.toml",
        manifest,
        "catalog-runtime = \"0.1\"",
        &format!("catalog-runtime = {}", path("catalog-runtime")),
    );
    let manifest = substitute(
        "Cargo.toml",
        &manifest,
        "catalog-build = \"0.1\"",
        &format!("catalog-build = {}", path("catalog-build")),
    );
    files.insert("Cargo.toml".into(), manifest);
    let toml = substitute("telemetry.toml", &files["telemetry.toml"], "127.0.0.1:9464", &format!("127.0.0.1:{port}"));
    files.insert("telemetry.toml".into(), toml);

    let dir = TempDir::new("adoption");
    let krate = dir.0.join("checkout");
    for (name, text) in &files {
        let file = krate.join(name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
    }
    std::fs::copy(root.join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();

    // `cargo run`, as two steps so that the service can be watched: the build, then the program.
    // The build shares this test's target directory: what the workspace's tests compiled with the
    // same features is reused, and the service's own crates are compiled fresh.
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).expect("target/debug/deps/it-HASH").to_path_buf();
    let started = Instant::now();
    let built = run(Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&krate));
    assert!(built.status.success(), "the README's service does not build");
    eprintln!("adoption: the service built in {:.1} s", started.elapsed().as_secs_f64());

    let service = Command::new(target.join("debug").join(format!("checkout{}", std::env::consts::EXE_SUFFIX)))
        .current_dir(&krate)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(dir.0.join("service.log")).unwrap())) // a panic, if any
        .spawn()
        .expect("the service starts");
    // Killed when the test ends, however it ends.
    let mut service = Reaped(service);
    let stdout = service.stdout.take().unwrap();
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    // The subscriber of main.rs writes the runtime's log to stdout, before the `serving` line.
    let mut log = Vec::new();
    let by = Instant::now() + Duration::from_secs(30);
    let url = loop {
        match lines.recv_timeout(by.saturating_duration_since(Instant::now())) {
            Ok(line) => match line.strip_prefix("serving ") {
                Some(url) => break url.to_owned(),
                None => log.push(line),
            },
            Err(_) => panic!(
                "the service printed no `serving` line; it printed:\n{}\n{}",
                log.join("\n"),
                std::fs::read_to_string(dir.0.join("service.log")).unwrap_or_default()
            ),
        }
    };
    assert_eq!(url, format!("http://127.0.0.1:{port}/metrics"));
    let log = log.join("\n");
    assert!(
        log.contains("INFO catalog_runtime::telemetry: OpenTelemetry metrics enabled"),
        "the runtime logged nothing through the README's subscriber:\n{log}"
    );

    // What it serves: the recording, under the seconds histogram's default boundaries (0.012 s is
    // above 0.01 and within 0.025), the int attribute as an int.
    let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let body = scrape(address).text();
    for (le, count) in [("0.01", 0), ("0.025", 1), ("+Inf", 1)] {
        let line = body
            .lines()
            .find(|l| {
                l.starts_with("http_server_request_duration_seconds_bucket{") && l.contains(&format!("le=\"{le}\""))
            })
            .unwrap_or_else(|| panic!("no bucket le=\"{le}\" in\n{body}"));
        for label in ["http_request_method=\"GET\"", "http_response_status_code=\"200\"", "http_route=\"/users/{id}\""]
        {
            assert!(line.contains(label), "{line}");
        }
        assert!(line.ends_with(&format!(" {count}")), "{line}");
    }

    // The commands the section gives, where it says to run them (`docs-gen` is this workspace's).
    let docs_gen = docs_gen_binary().unwrap_or_else(|e| panic!("{e}"));
    let live = run(Command::new(&docs_gen)
        .args(["live-check", "--catalog", "http.yaml", "--scrape", &url])
        .current_dir(&krate));
    assert_eq!(live.status.code(), Some(0), "live-check of the README's service");
    let report = String::from_utf8_lossy(&live.stdout);
    assert!(report.contains(&format!("live-check: {url} against http.yaml")), "{report}");
    assert!(report.contains("coverage: 1 of 1 instrumented metrics seen"), "{report}");

    let generated = run(Command::new(&docs_gen).args(["--catalog", "http.yaml"]).current_dir(&krate));
    assert_eq!(generated.status.code(), Some(0));
    let reference = std::fs::read_to_string(krate.join("docs/METRICS.md")).unwrap();
    assert!(
        reference.starts_with(
            "<!-- @generated by docs-gen from http.yaml. Do not edit: change http.yaml and run `docs-gen --catalog http.yaml`. -->\n"
        ),
        "{}",
        reference.lines().next().unwrap_or_default()
    );
    let check = run(Command::new(&docs_gen).args(["check", "--catalog", "http.yaml"]).current_dir(&krate));
    assert_eq!(check.status.code(), Some(0), "docs-gen check right after generating");
}
