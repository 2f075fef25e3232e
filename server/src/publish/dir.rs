//! `--publish-dir`: every published snapshot and its deltas as plain files, for any web
//! server or CDN. Each file is written atomically — a temporary file in the same directory,
//! fsync, rename, fsync of the directory — so a reader sees the old file or the new one,
//! never half of one, and a crash leaves no torn file behind.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("could not write `{path}`: {source}")]
pub struct DirError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub source: std::io::Error,
}

fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), DirError> {
    let path = dir.join(name);
    let fail = |source| DirError {
        path: path.clone(),
        source,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(&path).map_err(|e| fail(e.error))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(fail)?;
    Ok(())
}

/// Writes `{org}.rgs.delta-{base}` for each delta, then `{org}.rgs`, and removes the
/// organization's delta files that no longer lead to the current snapshot.
pub fn publish(
    dir: &Path,
    org: &str,
    snapshot: &[u8],
    deltas: &[(u64, &[u8])],
) -> Result<(), DirError> {
    std::fs::create_dir_all(dir).map_err(|source| DirError {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut keep = Vec::new();
    for (base, bytes) in deltas {
        let name = format!("{org}.rgs.delta-{base}");
        write_atomic(dir, &name, bytes)?;
        keep.push(name);
    }
    write_atomic(dir, &format!("{org}.rgs"), snapshot)?;
    let prefix = format!("{org}.rgs.delta-");
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) && !keep.contains(&name) {
                // A stale delta would still apply, to an older revision; best effort.
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    Ok(())
}
