//! Every command: its arguments and what it does, one module per group.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::failure::Failure;

mod admin;
mod ask;
mod compile;
mod deltas;
mod demo;
mod directory;
mod inspect;
mod keys;

/// rolegate: role-based access control for organizations, accounts and subaccounts.
#[derive(Debug, Parser)]
#[command(name = "rolegate", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a policy and compile it into a snapshot (every broken rule, one line each).
    Compile(compile::CompileArgs),
    /// List every rule a policy breaks (exit 0 when none).
    Validate(compile::ValidateArgs),
    /// Show a snapshot's organization, revision, counts and sizes.
    Inspect(inspect::InspectArgs),
    /// May this user do this here? Exit 0 on Allow, 1 on Deny, 2 on bad input.
    Check(ask::Question),
    /// A decision, every assignment behind it, and what would grant it.
    Explain(ask::Question),
    /// A user's effective permissions at a scope.
    Permissions(ask::PermissionsArgs),
    /// Every user who may do a permission at a scope.
    WhoCan(ask::WhoCanArgs),
    /// Every scope where a user has a permission.
    Scopes(ask::ScopesArgs),
    /// Every permission of a snapshot's (or policy's, or the default) catalog.
    Catalog(directory::CatalogArgs),
    /// Compile the embedded demo organization and answer a dozen representative questions.
    Demo(demo::DemoArgs),
    /// Give a user one or more roles at a scope.
    Assign(admin::AssignArgs),
    /// Delete a user's assignments at a scope, or with --role just that role.
    Unassign(admin::UnassignArgs),
    /// Make another user the Owner of an account.
    TransferOwner(admin::TransferArgs),
    /// Show or change the organization's settings (audited, like every change).
    #[command(subcommand)]
    Settings(admin::SettingsCommand),
    /// Make an ed25519 signing key (a JSON key file, readable by its owner only); prints its
    /// public part.
    Keygen(keys::KeygenArgs),
    /// Sign a snapshot with a secret key file.
    Sign(keys::SignArgs),
    /// Check a snapshot's signature, organization, revision and age. Exit 0 when trusted.
    Verify(keys::VerifyArgs),
    /// Write a delta from one snapshot to a newer one.
    Diff(deltas::DiffArgs),
    /// Rebuild a snapshot from its base and a delta.
    ApplyDelta(deltas::ApplyArgs),
    /// Write a snapshot holding one user only (for that user's console).
    Slice(deltas::SliceArgs),
    /// Manage and look up users.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Browse the role catalog.
    #[command(subcommand)]
    Roles(RolesCommand),
    /// Run the control plane: organizations in a database, the /v1 API, signed snapshots
    /// published on every change.
    #[cfg(feature = "server")]
    Serve(rolegate_server::commands::ServeArgs),
    /// A control-plane database's hash-chained audit log.
    #[cfg(feature = "server")]
    #[command(subcommand)]
    Audit(rolegate_server::commands::AuditCommand),
    /// A control-plane database's OAuth clients.
    #[cfg(feature = "server")]
    #[command(subcommand)]
    Clients(rolegate_server::commands::ClientsCommand),
    /// Store a policy file in a control-plane database as one audited revision.
    #[cfg(feature = "server")]
    Import(rolegate_server::commands::ImportArgs),
    /// Export an organization's policy from a control-plane database as JSON.
    #[cfg(feature = "server")]
    Export(rolegate_server::commands::ExportArgs),
    /// A control-plane database's console sign-in passwords.
    #[cfg(feature = "server")]
    #[command(subcommand)]
    Passwords(rolegate_server::commands::PasswordsCommand),
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a managed user.
    Add(admin::AddUserArgs),
    /// Change a user's name (and email).
    Rename(admin::RenameUserArgs),
    /// Remove a user and every assignment they hold.
    Remove(admin::RemoveUserArgs),
    /// Deactivate a user: every decision for them is Deny; their assignments stay.
    Deactivate(admin::UserActiveArgs),
    /// Reactivate a deactivated user.
    Activate(admin::UserActiveArgs),
    /// Search users by name, email, id, role name or scope name (case-insensitive).
    Search(directory::SearchArgs),
    /// One user's role assignments, grouped by scope.
    Show(directory::ShowUserArgs),
}

#[derive(Debug, Subcommand)]
pub enum RolesCommand {
    /// List roles, optionally filtered.
    List(directory::ListRolesArgs),
    /// One role's details, with its permissions expanded.
    Show(directory::ShowRoleArgs),
}

impl Command {
    /// Runs the command: its exit status, or why it failed.
    pub fn run(self) -> Result<ExitCode, Failure> {
        match self {
            Command::Compile(a) => compile::compile(&a),
            Command::Validate(a) => compile::validate(&a),
            Command::Inspect(a) => inspect::run(&a),
            Command::Check(q) => ask::check(&q),
            Command::Explain(q) => ask::explain(&q),
            Command::Permissions(a) => ask::permissions(&a),
            Command::WhoCan(a) => ask::who_can(&a),
            Command::Scopes(a) => ask::scopes(&a),
            Command::Catalog(a) => directory::catalog(&a),
            Command::Demo(a) => demo::run(&a),
            Command::Assign(a) => admin::assign(&a),
            Command::Unassign(a) => admin::unassign(&a),
            Command::TransferOwner(a) => admin::transfer(&a),
            Command::Settings(c) => admin::settings(&c),
            Command::Keygen(a) => keys::keygen(&a),
            Command::Sign(a) => keys::sign(&a),
            Command::Verify(a) => keys::verify(&a),
            Command::Diff(a) => deltas::diff(&a),
            Command::ApplyDelta(a) => deltas::apply(&a),
            Command::Slice(a) => deltas::slice(&a),
            Command::Users(UsersCommand::Add(a)) => admin::add_user(&a),
            Command::Users(UsersCommand::Rename(a)) => admin::rename_user(&a),
            Command::Users(UsersCommand::Deactivate(a)) => admin::set_active(&a, false),
            Command::Users(UsersCommand::Activate(a)) => admin::set_active(&a, true),
            Command::Users(UsersCommand::Remove(a)) => admin::remove_user(&a),
            Command::Users(UsersCommand::Search(a)) => directory::search(&a),
            Command::Users(UsersCommand::Show(a)) => directory::show_user(&a),
            Command::Roles(RolesCommand::List(a)) => directory::list_roles(&a),
            Command::Roles(RolesCommand::Show(a)) => directory::show_role(&a),
            #[cfg(feature = "server")]
            Command::Serve(a) => a.run().map_err(server_failure),
            #[cfg(feature = "server")]
            Command::Audit(c) => c.run().map_err(server_failure),
            #[cfg(feature = "server")]
            Command::Clients(c) => c.run().map_err(server_failure),
            #[cfg(feature = "server")]
            Command::Import(a) => a.run().map_err(server_failure),
            #[cfg(feature = "server")]
            Command::Export(a) => a.run().map_err(server_failure),
            #[cfg(feature = "server")]
            Command::Passwords(c) => c.run().map_err(server_failure),
        }
    }
}

#[cfg(feature = "server")]
fn server_failure(e: rolegate_server::commands::CommandError) -> Failure {
    Failure::new(e.to_string())
}
