//! Arguments several commands share, as clap sees them.

use std::path::PathBuf;

use clap::Args;
use rolegate_core::{ResourceKey, ResourceRef};

/// Parses `--resource TYPE:ID` — the one syntax every command takes.
pub fn resource_key(text: &str) -> Result<ResourceKey, String> {
    match text.split_once(':') {
        Some((t, id)) if !t.is_empty() && !id.is_empty() => Ok(ResourceKey {
            resource_type: t.into(),
            id: id.into(),
        }),
        _ => Err(format!(
            "`{text}` is not of the form TYPE:ID (e.g. billing-group:BG…)"
        )),
    }
}

/// Where directory questions are answered from: a policy, a snapshot, or (for roles) the
/// default catalog.
#[derive(Debug, Args)]
pub struct Source {
    /// A policy file (compiled in memory).
    #[arg(long, value_name = "FILE", conflicts_with = "snapshot")]
    pub policy: Option<PathBuf>,
    /// A snapshot file.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
}

/// What every change to a policy file takes.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// The policy file to change (rewritten atomically).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// The user making the change.
    #[arg(long, value_name = "USER")]
    pub actor: String,
    /// Show the change and every rule it would break; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The audit log to append to [default: POLICY's name with `.audit.jsonl`, beside it].
    /// It must be in the policy's directory unless --audit-log-anywhere is given.
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Allow an --audit-log outside the policy's directory.
    #[arg(long, requires = "audit_log")]
    pub audit_log_anywhere: bool,
    #[command(flatten)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct SnapshotArg {
    /// The snapshot file (from `rolegate compile`).
    #[arg(long = "snapshot", value_name = "FILE")]
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct ResourceArg {
    /// The resource acted on, as TYPE:ID (for resource-based roles), e.g. billing-group:BG….
    #[arg(long, value_name = "TYPE:ID", value_parser = resource_key)]
    pub resource: Option<ResourceKey>,
}

impl ResourceArg {
    /// The resource as a request names it.
    pub fn as_ref(&self) -> Option<ResourceRef<'_>> {
        self.resource.as_ref().map(|r| ResourceRef {
            resource_type: &r.resource_type,
            id: &r.id,
        })
    }
}

#[derive(Debug, Args)]
pub struct Format {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What a snapshot must satisfy to be trusted.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// A trusted key file (public or secret); repeat for several (key rotation).
    #[arg(long = "trust", value_name = "KEY_FILE")]
    pub keys: Vec<PathBuf>,
    /// Accept a snapshot without a signature; with no --trust, check no signature at all.
    #[arg(long)]
    pub allow_unsigned: bool,
    /// The only organization accepted.
    #[arg(long)]
    pub organization: Option<String>,
    /// Refuse revisions below this one.
    #[arg(long)]
    pub min_revision: Option<u64>,
    /// Refuse snapshots issued more than this many seconds ago.
    #[arg(long)]
    pub max_age: Option<u64>,
}
