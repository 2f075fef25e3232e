//! assign, unassign, transfer-owner, settings and users add|rename|remove: admin operations
//! on a policy file.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use rolegate_core::{Assignment, Operation, ResourceKey, Settings, User};
use serde_json::json;

use crate::args::{ChangeArgs, Format, Source, resource_key};
use crate::failure::Failure;
use crate::output::{print, print_json};
use crate::store::{Outcome, change};

#[derive(Debug, Args)]
pub struct AssignArgs {
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
    /// For resource-based roles: a resource as TYPE:ID; repeat for several.
    #[arg(long = "resource", value_name = "TYPE:ID", value_parser = resource_key)]
    resources: Vec<ResourceKey>,
}

#[derive(Debug, Args)]
pub struct UnassignArgs {
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
    /// Only the assignments bound to this resource: with --role, that role's; without,
    /// the resource's whole row.
    #[arg(long, value_name = "TYPE:ID", value_parser = resource_key)]
    resource: Option<ResourceKey>,
}

#[derive(Debug, Args)]
pub struct TransferArgs {
    #[command(flatten)]
    change: ChangeArgs,
    /// The account.
    #[arg(long)]
    account: String,
    /// The new Owner.
    #[arg(long)]
    to: String,
}

#[derive(Debug, Args)]
pub struct AddUserArgs {
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
    /// The identity provider's id for the user (SCIM externalId).
    #[arg(long)]
    external_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct RenameUserArgs {
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
}

/// `users deactivate` / `users activate`.
#[derive(Debug, Args)]
pub struct UserActiveArgs {
    #[command(flatten)]
    change: ChangeArgs,
    /// The user's id.
    #[arg(long)]
    id: String,
}

#[derive(Debug, Args)]
pub struct RemoveUserArgs {
    #[command(flatten)]
    change: ChangeArgs,
    /// The user's id.
    #[arg(long)]
    id: String,
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// The organization's settings.
    Show {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        format: Format,
    },
    /// Change settings: an operation like any other — authorized, audited, revision + 1.
    Set {
        #[command(flatten)]
        change: ChangeArgs,
        /// Most built-in roles one user may hold across all scopes.
        #[arg(long, value_name = "N")]
        max_built_in_roles_per_user: u32,
    },
}

pub fn assign(args: &AssignArgs) -> Result<ExitCode, Failure> {
    run(
        &args.change,
        Operation::Assign {
            user: args.user.clone(),
            scope: args.scope.clone(),
            roles: args.roles.clone(),
            resources: args.resources.clone(),
        },
    )
}

pub fn unassign(args: &UnassignArgs) -> Result<ExitCode, Failure> {
    let operation = match &args.role {
        Some(role) => Operation::RemoveRole {
            user: args.user.clone(),
            scope: args.scope.clone(),
            role: role.clone(),
            resource: args.resource.clone(),
        },
        // With `--resource`, only that resource's row; otherwise every assignment there.
        None => Operation::Unassign {
            user: args.user.clone(),
            scope: args.scope.clone(),
            resource: args.resource.clone().map(Some),
        },
    };
    run(&args.change, operation)
}

pub fn transfer(args: &TransferArgs) -> Result<ExitCode, Failure> {
    run(
        &args.change,
        Operation::TransferOwnership {
            account: args.account.clone(),
            to: args.to.clone(),
        },
    )
}

pub fn add_user(args: &AddUserArgs) -> Result<ExitCode, Failure> {
    run(
        &args.change,
        Operation::AddUser {
            user: User {
                external_id: args.external_id.clone(),
                ..User::new(args.id.clone(), args.name.clone(), args.email.clone())
            },
        },
    )
}

pub fn rename_user(args: &RenameUserArgs) -> Result<ExitCode, Failure> {
    run(
        &args.change,
        Operation::UpdateUser {
            user: args.id.clone(),
            name: Some(args.name.clone()),
            email: args.email.clone(),
            external_id: None,
            active: None,
        },
    )
}

/// Deactivates (`active` false) or reactivates a user.
pub fn set_active(args: &UserActiveArgs, active: bool) -> Result<ExitCode, Failure> {
    run(
        &args.change,
        Operation::UpdateUser {
            user: args.id.clone(),
            name: None,
            email: None,
            external_id: None,
            active: Some(active),
        },
    )
}

pub fn remove_user(args: &RemoveUserArgs) -> Result<ExitCode, Failure> {
    run(
        &args.change,
        Operation::RemoveUser {
            user: args.id.clone(),
        },
    )
}

pub fn settings(command: &SettingsCommand) -> Result<ExitCode, Failure> {
    match command {
        SettingsCommand::Show { source, format } => {
            let snapshot = crate::commands::directory::load(source, false)?;
            let cap = snapshot.built_in_cap();
            if format.json {
                print_json(&json!({ "max_built_in_roles_per_user": cap }))?;
            } else {
                print(&format!("max built-in roles per user  {cap}\n"));
            }
            Ok(ExitCode::SUCCESS)
        }
        SettingsCommand::Set {
            change,
            max_built_in_roles_per_user,
        } => run(
            change,
            Operation::UpdateSettings {
                settings: Settings {
                    max_built_in_roles_per_user: *max_built_in_roles_per_user,
                },
            },
        ),
    }
}

fn describe(a: &Assignment) -> String {
    let mut s = format!("{} {} at {} for {}", a.id, a.role, a.scope, a.user);
    if let Some(r) = &a.resource {
        s.push_str(&format!(" on {}:{}", r.resource_type, r.id));
    }
    s
}

fn change_lines(change: &rolegate_core::Change) -> String {
    let mut text = String::new();
    for a in &change.removed {
        text.push_str(&format!("  - {}\n", describe(a)));
    }
    for a in &change.added {
        text.push_str(&format!("  + {}\n", describe(a)));
    }
    if let Some(u) = &change.user_before {
        text.push_str(&format!("  - user {} {} <{}>\n", u.id, u.name, u.email));
    }
    if let Some(u) = &change.user_after {
        text.push_str(&format!("  + user {} {} <{}>\n", u.id, u.name, u.email));
    }
    if let Some(s) = &change.settings_before {
        text.push_str(&format!(
            "  - max built-in roles per user {}\n",
            s.max_built_in_roles_per_user
        ));
    }
    if let Some(s) = &change.settings_after {
        text.push_str(&format!(
            "  + max built-in roles per user {}\n",
            s.max_built_in_roles_per_user
        ));
    }
    text
}

/// Runs an operation and reports it. Exit 0 when applied (or, dry, when it would be), 1 when
/// a dry run would be refused, 3 when an applied run is refused by a rule (2 for bad input).
fn run(args: &ChangeArgs, operation: Operation) -> Result<ExitCode, Failure> {
    let outcome = change(args, &operation)?;
    match outcome {
        Outcome::Applied(record) => {
            if args.format.json {
                print_json(&record)?;
            } else {
                print(&format!(
                    "{}: {} by {}, now at revision {}\n{}",
                    args.policy.display(),
                    operation.describe(),
                    record.actor,
                    record.revision,
                    change_lines(&record.change)
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Tried(tried) => {
            let violations: Vec<String> =
                tried.violations.iter().map(ToString::to_string).collect();
            if args.format.json {
                let violations: Vec<_> = tried
                    .violations
                    .iter()
                    .map(|v| json!({ "code": v.code(), "message": v.to_string() }))
                    .collect();
                print_json(&json!({
                    "accepted": violations.is_empty(),
                    "revision": tried.revision,
                    "change": tried.change,
                    "violations": violations,
                }))?;
            } else {
                let verdict = if violations.is_empty() {
                    "would be accepted"
                } else {
                    "would be refused"
                };
                let mut text = format!(
                    "dry run: {} by {} {verdict} (revision {})\n{}",
                    operation.describe(),
                    args.actor,
                    tried.revision,
                    change_lines(&tried.change)
                );
                for v in &violations {
                    text.push_str(&format!("  ! {v}\n"));
                }
                print(&text);
            }
            Ok(if violations.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
