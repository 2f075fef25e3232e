//! `rolegate compile` and `rolegate validate`.

use std::path::Path;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use rolegate_core::{CompileOptions, Snapshot, compile, validate};

use crate::failure::Failure;
use crate::files::{read_policy, write_atomic};
use crate::output::print;

/// Seconds since the Unix epoch, by this machine's clock.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub fn run_compile(
    policy_path: &Path,
    output: &Path,
    revision: Option<u64>,
    issued_at: Option<u64>,
) -> Result<ExitCode, Failure> {
    let policy = read_policy(policy_path)?;
    let options = CompileOptions {
        revision: revision.unwrap_or(policy.revision),
        issued_at: issued_at.unwrap_or_else(now),
    };
    let bytes = compile(&policy, &options).map_err(|e| Failure::in_file(policy_path, e))?;
    let meta = Snapshot::peek(&bytes).map_err(|e| Failure::in_file(output, e))?;
    write_atomic(output, &bytes)?;
    print(&format!(
        "compiled {} → {}: organization {}, revision {}, {} bytes\n",
        policy_path.display(),
        output.display(),
        meta.organization,
        meta.revision,
        bytes.len()
    ));
    Ok(ExitCode::SUCCESS)
}

pub fn run_validate(policy_path: &Path) -> Result<ExitCode, Failure> {
    let policy = read_policy(policy_path)?;
    let problems = validate(&policy);
    if problems.is_empty() {
        print(&format!("{}: ok\n", policy_path.display()));
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        eprintln!("rolegate: {}: {p}", policy_path.display());
    }
    Ok(ExitCode::from(crate::failure::BAD_INPUT))
}
