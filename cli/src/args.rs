//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// rolegate: role-based access control for organizations, accounts and subaccounts.
#[derive(Debug, Parser)]
#[command(name = "rolegate", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a policy and compile it into a snapshot.
    Compile {
        /// The policy, as JSON.
        policy: PathBuf,
        /// Where to write the snapshot.
        #[arg(short, long)]
        output: PathBuf,
        /// The revision to stamp [default: the policy's `revision`].
        #[arg(long)]
        revision: Option<u64>,
        /// Seconds since the Unix epoch to stamp [default: now].
        #[arg(long)]
        issued_at: Option<u64>,
    },
    /// List every rule a policy breaks (exit 0 when none).
    Validate {
        /// The policy, as JSON.
        policy: PathBuf,
    },
    /// Show a snapshot's organization, revision, counts and sizes.
    Inspect {
        /// The snapshot.
        snapshot: PathBuf,
        #[command(flatten)]
        format: Format,
    },
    /// May this user do this here? Exit 0 on Allow, 1 on Deny, 2 on bad input.
    Check(Question),
    /// A decision, every assignment behind it, and what would grant it.
    Explain(Question),
    /// A user's effective permissions at a scope.
    Permissions {
        #[command(flatten)]
        snapshot: SnapshotArg,
        /// The user's id.
        #[arg(long)]
        user: String,
        /// The scope's id.
        #[arg(long)]
        scope: String,
        #[command(flatten)]
        resource: ResourceArg,
        #[command(flatten)]
        format: Format,
    },
    /// Every user who may do a permission at a scope.
    WhoCan {
        #[command(flatten)]
        snapshot: SnapshotArg,
        /// The permission, `product/resource/action`.
        #[arg(long)]
        permission: String,
        /// The scope's id.
        #[arg(long)]
        scope: String,
        #[command(flatten)]
        resource: ResourceArg,
        #[command(flatten)]
        format: Format,
    },
    /// Every scope where a user has a permission.
    Scopes {
        #[command(flatten)]
        snapshot: SnapshotArg,
        /// The user's id.
        #[arg(long)]
        user: String,
        /// The permission, `product/resource/action`.
        #[arg(long)]
        permission: String,
        #[command(flatten)]
        resource: ResourceArg,
        #[command(flatten)]
        format: Format,
    },
    /// Compile the embedded demo organization and answer a dozen representative questions.
    Demo {
        #[command(flatten)]
        format: Format,
    },
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
    #[arg(long, value_name = "TYPE:ID")]
    pub resource: Option<String>,
}

#[derive(Debug, Args)]
pub struct Format {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct Question {
    #[command(flatten)]
    pub snapshot: SnapshotArg,
    /// The user's id.
    #[arg(long)]
    pub user: String,
    /// The permission, `product/resource/action`.
    #[arg(long)]
    pub permission: String,
    /// The scope's id: the organization, an account or a subaccount.
    #[arg(long)]
    pub scope: String,
    #[command(flatten)]
    pub resource: ResourceArg,
    #[command(flatten)]
    pub format: Format,
}
