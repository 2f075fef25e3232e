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
    /// Give a user one or more roles at a scope.
    Assign {
        #[command(flatten)]
        change: ChangeArgs,
        /// The user receiving the roles.
        #[arg(long)]
        user: String,
        /// The organization, an account or a subaccount.
        #[arg(long)]
        scope: String,
        /// A role id; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// For resource-based roles: a resource as TYPE:ID (or ID for a billing group); repeat
        /// for several.
        #[arg(long = "resource", value_name = "TYPE:ID")]
        resources: Vec<String>,
    },
    /// Delete a user's assignments at a scope, or with --role just that role.
    Unassign {
        #[command(flatten)]
        change: ChangeArgs,
        /// The user.
        #[arg(long)]
        user: String,
        /// The scope.
        #[arg(long)]
        scope: String,
        /// Remove only this role (the console's "edit").
        #[arg(long)]
        role: Option<String>,
        /// With --role, for a resource-based role: only the assignment on this resource.
        #[arg(long, value_name = "TYPE:ID")]
        resource: Option<String>,
    },
    /// Make another user the Owner of an account.
    TransferOwner {
        #[command(flatten)]
        change: ChangeArgs,
        /// The account.
        #[arg(long)]
        account: String,
        /// The new Owner.
        #[arg(long)]
        to: String,
    },
    /// Make an ed25519 signing key (a JSON key file); prints its public part.
    Keygen {
        /// The key id snapshots will name.
        #[arg(long)]
        key_id: String,
        /// Where to write the secret key file.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Sign a snapshot (or slice) with a secret key file.
    Sign {
        /// The snapshot.
        snapshot: PathBuf,
        /// The secret key file.
        #[arg(long)]
        key: PathBuf,
        /// Where to write the signed snapshot.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Check a snapshot's signature, organization, revision and age. Exit 0 when trusted.
    Verify {
        /// The snapshot.
        snapshot: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
        #[command(flatten)]
        format: Format,
    },
    /// Write a delta from one snapshot to a newer one.
    Diff {
        /// The snapshot clients have.
        old: PathBuf,
        /// The snapshot they should get.
        new: PathBuf,
        /// Where to write the delta.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Rebuild a snapshot from its base and a delta.
    ApplyDelta {
        /// The base snapshot.
        base: PathBuf,
        /// The delta.
        delta: PathBuf,
        /// Where to write the rebuilt snapshot.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Write a snapshot holding one user only (for that user's console).
    Slice {
        /// The full snapshot.
        snapshot: PathBuf,
        /// The user.
        #[arg(long)]
        user: String,
        /// Sign the slice with this secret key file.
        #[arg(long)]
        key: Option<PathBuf>,
        /// Where to write the slice.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Manage and look up users.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Browse the role catalog.
    #[command(subcommand)]
    Roles(RolesCommand),
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a managed user.
    Add {
        #[command(flatten)]
        change: ChangeArgs,
        /// The new user's id (such as US…).
        #[arg(long)]
        id: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Email address.
        #[arg(long)]
        email: String,
    },
    /// Change a user's name (and email).
    Rename {
        #[command(flatten)]
        change: ChangeArgs,
        /// The user's id.
        #[arg(long)]
        id: String,
        /// The new name.
        #[arg(long)]
        name: String,
        /// The new email.
        #[arg(long)]
        email: Option<String>,
    },
    /// Remove a user and every assignment they hold.
    Remove {
        #[command(flatten)]
        change: ChangeArgs,
        /// The user's id.
        #[arg(long)]
        id: String,
    },
    /// Search users by name, email, id, role name or scope name (case-insensitive).
    Search {
        #[command(flatten)]
        source: Source,
        /// What to look for; empty lists everyone.
        #[arg(default_value = "")]
        query: String,
        #[command(flatten)]
        format: Format,
    },
    /// One user's role assignments, grouped by scope.
    Show {
        #[command(flatten)]
        source: Source,
        /// The user's id.
        user: String,
        #[command(flatten)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum RolesCommand {
    /// List roles, optionally filtered.
    List {
        #[command(flatten)]
        source: Source,
        /// Only this kind: organization, general, built-in, resource-based.
        #[arg(long)]
        kind: Option<String>,
        /// Only roles granting a permission of this product (such as `messaging`).
        #[arg(long)]
        product: Option<String>,
        /// Only roles assignable at this level: organization, account, subaccount.
        #[arg(long)]
        level: Option<String>,
        #[command(flatten)]
        format: Format,
    },
    /// One role's details, with its permissions expanded.
    Show {
        #[command(flatten)]
        source: Source,
        /// The role's id.
        role: String,
        #[command(flatten)]
        format: Format,
    },
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
    /// The audit log to append to [default: POLICY's name with `.audit.jsonl`].
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
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
    #[arg(long, value_name = "TYPE:ID")]
    pub resource: Option<String>,
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
    /// A trusted key file (public or secret); repeat for several (key rotation). With none,
    /// signatures are not required.
    #[arg(long = "trust", value_name = "KEY_FILE")]
    pub keys: Vec<PathBuf>,
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

/// Which engine answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineKind {
    /// The core, natively.
    Native,
    /// The core as a sandboxed wasm guest in wasmtime (rolegate-host).
    Wasm,
}

#[derive(Debug, Args)]
pub struct Question {
    /// Which engine answers: the native core or the wasmtime guest.
    #[arg(long, value_enum, default_value = "native")]
    pub engine: EngineKind,
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
