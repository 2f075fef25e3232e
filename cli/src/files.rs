//! Reading policies and snapshots, and writing files so that a reader never sees half of one.

use std::fs;
use std::io::Write;
use std::path::Path;

use rolegate_core::{Policy, Snapshot};

use crate::failure::Failure;

/// Reads and parses a policy file. Errors name the JSON path and position at fault.
pub fn read_policy(path: &Path) -> Result<Policy, Failure> {
    let text = fs::read_to_string(path).map_err(|e| Failure::in_file(path, e))?;
    parse_policy(&text).map_err(|e| Failure::in_file(path, e))
}

/// Parses a policy from JSON text.
pub fn parse_policy(text: &str) -> Result<Policy, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let policy: Policy = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            inner.to_string()
        } else {
            format!("at `{path}`: {inner}")
        }
    })?;
    de.end().map_err(|e| e.to_string())?;
    Ok(policy)
}

/// Reads and decodes a snapshot file.
pub fn read_snapshot(path: &Path) -> Result<Snapshot, Failure> {
    let bytes = fs::read(path).map_err(|e| Failure::in_file(path, e))?;
    Snapshot::decode(&bytes).map_err(|e| Failure::in_file(path, e))
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, flushed to disk, then
/// renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::in_file(path, e);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Failure::in_file(path, "not a file name"))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Ok(d) = fs::File::open(dir) {
            // Persist the rename itself; not every platform can sync a directory.
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(fail)
}
