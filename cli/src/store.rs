//! Changing a policy file safely: one writer at a time (an exclusive lock on a lock file
//! beside the policy), the new policy written atomically, and the audit record appended and
//! flushed before the change is reported done.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use rolegate_core::{Applied, AuditRecord, DryRun, Operation, Policy, apply, dry_run};

use crate::args::ChangeArgs;
use crate::clock::now;
use crate::failure::Failure;
use crate::files::{read_policy, write_atomic};

/// The default audit log of a policy: `acme.json` → `acme.audit.jsonl`, beside it.
pub fn default_audit_log(policy: &Path) -> PathBuf {
    let stem = policy
        .file_stem()
        .map_or_else(|| "policy".into(), |s| s.to_string_lossy().into_owned());
    policy.with_file_name(format!("{stem}.audit.jsonl"))
}

/// Holds the policy's lock file; the lock goes when this does.
struct Lock(#[allow(dead_code)] File);

fn lock(policy: &Path) -> Result<Lock, Failure> {
    let mut name = policy.as_os_str().to_owned();
    name.push(".lock");
    let path = PathBuf::from(name);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Failure::in_file(&path, e))?;
    // Blocks until every other writer of this policy is done: no update is lost.
    file.lock().map_err(|e| Failure::in_file(&path, e))?;
    Ok(Lock(file))
}

/// What a change run produced.
pub enum Outcome {
    /// The operation was applied and recorded.
    Applied(Box<AuditRecord>),
    /// A dry run: what would happen.
    Tried(Box<DryRun>),
}

/// The audit log of a change: beside the policy, unless explicitly allowed elsewhere — an
/// audit trail that can be pointed anywhere (`/dev/null`) records nothing.
fn audit_log(args: &ChangeArgs) -> Result<PathBuf, Failure> {
    let Some(log) = &args.audit_log else {
        return Ok(default_audit_log(&args.policy));
    };
    let dir = |p: &Path| {
        let parent = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::canonicalize(parent).ok()
    };
    if !args.audit_log_anywhere && dir(log) != dir(&args.policy) {
        return Err(Failure::new(format!(
            "--audit-log `{}` is not in the policy's directory; add --audit-log-anywhere to allow it",
            log.display()
        )));
    }
    Ok(log.clone())
}

/// Runs the operation by `--actor` against the policy file: dry, or applied under the lock.
/// A refusal by the organization's rules exits with [`crate::failure::REFUSED`].
pub fn change(args: &ChangeArgs, operation: &Operation) -> Result<Outcome, Failure> {
    let policy_path = &args.policy;
    if args.dry_run {
        let policy = read_policy(policy_path)?;
        return Ok(Outcome::Tried(Box::new(dry_run(
            &policy,
            &args.actor,
            operation,
        ))));
    }
    let log = audit_log(args)?;
    let _lock = lock(policy_path)?;
    let policy = read_policy(policy_path)?;
    let Applied { policy, record, .. } = apply(&policy, &args.actor, operation, now())
        .map_err(|e| Failure::in_file(policy_path, format!("{e} ({})", e.code())).refused())?;
    write_policy(policy_path, &policy)?;
    append_audit(&log, &record)?;
    Ok(Outcome::Applied(Box::new(record)))
}

fn write_policy(path: &Path, policy: &Policy) -> Result<(), Failure> {
    let mut text = serde_json::to_string_pretty(policy)
        .map_err(|e| Failure::in_file(path, format!("could not render the policy: {e}")))?;
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

fn append_audit(path: &Path, record: &AuditRecord) -> Result<(), Failure> {
    let mut line = serde_json::to_string(record)
        .map_err(|e| Failure::in_file(path, format!("could not render the audit record: {e}")))?;
    line.push('\n');
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Failure::in_file(path, e))?;
    file.write_all(line.as_bytes())
        .and_then(|()| file.sync_data())
        .map_err(|e| Failure::in_file(path, e))
}
