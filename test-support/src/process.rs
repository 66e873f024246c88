//! The workspace's programs for end-to-end tests: the workload example and the `docs-gen` binary,
//! built on demand in the test's profile; and the lines a workload prints.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The workload example next to this test binary (`target/debug/deps/it-HASH` →
/// `target/debug/examples/tasker_workload`), made current by `cargo test --workspace --no-run`
/// first. That is the README's test command without running anything: within it (and in CI) every
/// unit is already fresh and this takes half a second, where `cargo build --example` resolves
/// features for one package, compiled a dozen crates again, 15 s on 2 cores, before the
/// Prometheus tests could start. Run alone (`cargo test --test it against_prometheus`), it builds
/// what the whole test command would, once; a binary left from an older build would test old code.
pub fn workload_binary() -> Result<PathBuf, String> {
    built(&["test", "--workspace", "--no-run"], &["examples", "tasker_workload"])
}

/// The `docs-gen` binary (a test of this package does not get another package's binary from
/// cargo), built as `cargo run -p docs-gen` builds it: those artifacts are the ones CI's
/// `cargo run -p docs-gen -- check` then finds current.
pub fn docs_gen_binary() -> Result<PathBuf, String> {
    built(&["build", "-p", "docs-gen", "--bin", "docs-gen"], &["docs-gen"])
}

/// Runs `cargo ARGS` (a build) in this test's profile and returns `PATH` under the profile
/// directory.
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
    cargo.args(args).arg("--quiet").current_dir(crate::fs::workspace());
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            cargo.arg("--release");
        }
        Some(other) => {
            cargo.args(["--profile", other]);
        }
    }
    let what = format!("cargo {}", args.join(" "));
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

/// A child process that is killed and reaped when dropped, however the test ends (a failed
/// assertion included). It derefs to the [`Child`]; a struct holding several drops them in the
/// order of its fields.
#[derive(Debug)]
pub struct Reaped(pub std::process::Child);

impl std::ops::Deref for Reaped {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for Reaped {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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
