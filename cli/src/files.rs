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

/// Writes `bytes` to `path` atomically: a uniquely named temporary file beside it, flushed
/// to disk, renamed over the target, the directory synced. A file it replaces keeps its mode.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::in_file(path, e);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    if let Ok(meta) = fs::metadata(path) {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    if let Ok(d) = fs::File::open(dir) {
        // Persist the rename itself; not every platform can sync a directory.
        let _ = d.sync_all();
    }
    Ok(())
}

/// Writes a secret to a new file that only its owner can read: created with mode 0600 from
/// the start (no moment when it is readable), never over an existing file.
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::in_file(path, e);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(fail)
}
