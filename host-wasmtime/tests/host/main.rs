//! rolegate-host's tests: one binary, a module per concern.

// Test code: a panic is how a failure is reported.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod abi;
mod basics;
mod concurrency;
mod differential;
mod faults;
mod nginx;
mod sync;
mod trust;

use std::path::PathBuf;

use rolegate_core::{CompileOptions, Policy, compile};
use rolegate_host::{Engine, EngineConfig, HostError, SyncError};

/// The demo organization's snapshot (revision 1).
pub fn acme() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/acme-r1.rgs"
    ))
    .unwrap()
}

/// The demo organization's policy.
pub fn acme_policy() -> Policy {
    serde_json::from_str(include_str!("../../../examples/policies/acme.json")).unwrap()
}

/// The demo organization compiled at `revision`.
pub fn acme_at(revision: u64) -> Vec<u8> {
    compile(
        &acme_policy(),
        &CompileOptions {
            revision,
            issued_at: 1_700_000_000 + revision,
        },
    )
    .unwrap()
}

/// An engine with a shared cache directory.
/// Whether a pull was refused by the guest with this code.
pub fn refused_with(e: &SyncError, code: &str) -> bool {
    matches!(e, SyncError::Refused(HostError::Snapshot { code: c }) if c.as_str() == code)
}

pub fn engine() -> Engine {
    Engine::new(EngineConfig {
        cache_dir: Some(cache_dir()),
        ..EngineConfig::default()
    })
    .unwrap()
}

pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wasmtime-cache")
}
