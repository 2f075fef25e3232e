//! `rolegate diff`, `rolegate apply-delta` and `rolegate slice`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use rolegate_core::{Snapshot, apply_delta, delta_info, diff as diff_snapshots, sign};

use crate::args::TrustArgs;
use crate::clock::now;
use crate::commands::keys::{read_secret, trust};
use crate::failure::Failure;
use crate::files::write_atomic;
use crate::output::print;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The snapshot clients have.
    old: PathBuf,
    /// The snapshot they should get.
    new: PathBuf,
    /// Where to write the delta.
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The base snapshot.
    base: PathBuf,
    /// The delta.
    delta: PathBuf,
    /// Where to write the rebuilt snapshot.
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Debug, Args)]
pub struct SliceArgs {
    /// The full snapshot.
    snapshot: PathBuf,
    /// The user.
    #[arg(long)]
    user: String,
    /// Sign the slice with this secret key file. The full snapshot must then be trusted
    /// first (--trust …): a slice is never signed from bytes nobody checked.
    #[arg(long, requires = "keys")]
    key: Option<PathBuf>,
    #[command(flatten)]
    trust: TrustArgs,
    /// Where to write the slice.
    #[arg(short, long)]
    output: PathBuf,
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::in_file(path, e))
}

pub fn diff(args: &DiffArgs) -> Result<ExitCode, Failure> {
    let (old, new, output) = (&args.old, &args.new, &args.output);
    let (old_bytes, new_bytes) = (read(old)?, read(new)?);
    let delta = diff_snapshots(&old_bytes, &new_bytes)
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

pub fn apply(args: &ApplyArgs) -> Result<ExitCode, Failure> {
    let (base, delta, output) = (&args.base, &args.delta, &args.output);
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

pub fn slice(args: &SliceArgs) -> Result<ExitCode, Failure> {
    let (snapshot, user, output) = (&args.snapshot, &args.user, &args.output);
    let raw = read(snapshot)?;
    // Signing vouches for the content: only a snapshot that verified may be sliced and signed.
    let full = match &args.key {
        Some(_) => Snapshot::decode_trusted(&raw, &trust(&args.trust)?, now())
            .map_err(|e| Failure::in_file(snapshot, format!("{e} ({})", e.code())))?,
        None => Snapshot::decode(&raw).map_err(|e| Failure::in_file(snapshot, e))?,
    };
    let mut bytes = full
        .slice(user)
        .map_err(|e| Failure::in_file(snapshot, e))?;
    if let Some(key) = &args.key {
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
