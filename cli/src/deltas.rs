//! `rolegate diff`, `rolegate apply-delta` and `rolegate slice`.

use std::path::Path;
use std::process::ExitCode;

use rolegate_core::{apply_delta, delta_info, diff, sign};

use crate::failure::Failure;
use crate::files::{read_snapshot, write_atomic};
use crate::keys::read_secret;
use crate::output::print;

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::in_file(path, e))
}

pub fn run_diff(old: &Path, new: &Path, output: &Path) -> Result<ExitCode, Failure> {
    let (old_bytes, new_bytes) = (read(old)?, read(new)?);
    let delta = diff(&old_bytes, &new_bytes)
        .map_err(|e| Failure::new(format!("{} → {}: {e}", old.display(), new.display())))?;
    write_atomic(output, &delta)?;
    let info = delta_info(&delta).map_err(|e| Failure::in_file(output, e))?;
    print(&format!(
        "delta {} → {}: revision {} → {}, {} bytes ({:.1} % of the new snapshot)\n",
        old.display(),
        new.display(),
        info.base_revision,
        info.revision,
        delta.len(),
        100.0 * delta.len() as f64 / new_bytes.len().max(1) as f64
    ));
    Ok(ExitCode::SUCCESS)
}

pub fn run_apply(base: &Path, delta: &Path, output: &Path) -> Result<ExitCode, Failure> {
    let rebuilt = apply_delta(&read(base)?, &read(delta)?)
        .map_err(|e| Failure::in_file(delta, format!("{e} ({})", e.code())))?;
    write_atomic(output, &rebuilt)?;
    print(&format!(
        "applied {} to {} → {}\n",
        delta.display(),
        base.display(),
        output.display()
    ));
    Ok(ExitCode::SUCCESS)
}

pub fn run_slice(
    snapshot: &Path,
    user: &str,
    key: Option<&Path>,
    output: &Path,
) -> Result<ExitCode, Failure> {
    let full = read_snapshot(snapshot)?;
    let mut bytes = full
        .slice(user)
        .map_err(|e| Failure::in_file(snapshot, e))?;
    if let Some(key) = key {
        let (key_id, secret) = read_secret(key)?;
        bytes = sign(&bytes, &key_id, &secret).map_err(|e| Failure::new(e.to_string()))?;
    }
    write_atomic(output, &bytes)?;
    print(&format!(
        "slice of {} for {user} → {}: {} bytes (the full snapshot is {})\n",
        snapshot.display(),
        output.display(),
        bytes.len(),
        full.meta().encoded_bytes
    ));
    Ok(ExitCode::SUCCESS)
}
