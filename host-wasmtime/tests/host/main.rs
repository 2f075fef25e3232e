//! rolegate-host's tests: one binary, a module per concern.

// Test code: a panic is how a failure is reported.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod basics;

use std::path::PathBuf;

use rolegate_host::{Engine, EngineConfig};

/// The demo organization's snapshot.
pub fn acme() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/acme-r1.rgs"
    ))
    .unwrap()
}

/// An engine with a private cache directory.
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
