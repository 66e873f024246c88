//! The integration tests of docs-gen, one binary: the `docs-gen` binary's commands (generate and
//! check, diff, live-check, verify against a real Prometheus), the committed generated files, and
//! the architecture of the workspace (which stage may import which).

mod architecture;
mod cli;
mod diff;
mod live_check;
mod reference_current;
mod registry;
mod verify;
mod verify_targets;
