//! The wasmtime path: the same questions answered by rolegate-host's sandboxed guest.

use rolegate_host::{Authorizer, Engine, EngineConfig, HostError};

use crate::failure::Failure;

/// An authorizer running the snapshot in a wasmtime guest. The compiled guest is cached
/// under `~/.cache/rolegate`; where that cannot be written, it is compiled each time.
pub fn authorizer(snapshot: &[u8]) -> Result<Authorizer, Failure> {
    let engine = match Engine::new(EngineConfig::default()) {
        Err(HostError::Cache { .. }) => Engine::new(EngineConfig {
            cache_dir: None,
            ..EngineConfig::default()
        }),
        other => other,
    }
    .map_err(|e| Failure::new(format!("wasmtime engine: {e}")))?;
    // The CLI reads snapshots from local files the user names, exactly as the native path
    // does (`rolegate verify` is how a file is trusted).
    Authorizer::unsigned(&engine, snapshot)
        .map_err(|e| Failure::new(format!("wasmtime guest: {e}")))
}
