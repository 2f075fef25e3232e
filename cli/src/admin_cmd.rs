//! assign, unassign, transfer-owner and users add|rename|remove: admin operations on a
//! policy file.

use std::process::ExitCode;

use rolegate_core::{Assignment, Operation, ResourceKey, User, catalog::BILLING_GROUP};
use serde_json::json;

use crate::args::ChangeArgs;
use crate::failure::Failure;
use crate::output::{print, print_json};
use crate::store::{Outcome, change};

/// Parses `TYPE:ID`, or a bare id taken as a billing group.
pub fn resource_key(text: &str) -> Result<ResourceKey, Failure> {
    let (resource_type, id) = text.split_once(':').unwrap_or((BILLING_GROUP, text));
    if resource_type.is_empty() || id.is_empty() {
        return Err(Failure::new(format!(
            "--resource `{text}` is not of the form TYPE:ID (e.g. billing-group:BG…)"
        )));
    }
    Ok(ResourceKey {
        resource_type: resource_type.into(),
        id: id.into(),
    })
}

pub fn assign(
    args: &ChangeArgs,
    user: &str,
    scope: &str,
    roles: &[String],
    resources: &[String],
) -> Result<ExitCode, Failure> {
    let resources = resources
        .iter()
        .map(|r| resource_key(r))
        .collect::<Result<_, _>>()?;
    run(
        args,
        Operation::Assign {
            user: user.into(),
            scope: scope.into(),
            roles: roles.to_vec(),
            resources,
        },
    )
}

pub fn unassign(
    args: &ChangeArgs,
    user: &str,
    scope: &str,
    role: Option<&str>,
    resource: Option<&str>,
) -> Result<ExitCode, Failure> {
    let operation = match role {
        Some(role) => Operation::RemoveRole {
            user: user.into(),
            scope: scope.into(),
            role: role.into(),
            resource: resource.map(resource_key).transpose()?,
        },
        None if resource.is_some() => {
            return Err(Failure::new(
                "--resource needs --role: name the role to remove",
            ));
        }
        None => Operation::Unassign {
            user: user.into(),
            scope: scope.into(),
        },
    };
    run(args, operation)
}

pub fn transfer(args: &ChangeArgs, account: &str, to: &str) -> Result<ExitCode, Failure> {
    run(
        args,
        Operation::TransferOwnership {
            account: account.into(),
            to: to.into(),
        },
    )
}

pub fn add_user(args: &ChangeArgs, id: &str, name: &str, email: &str) -> Result<ExitCode, Failure> {
    run(
        args,
        Operation::AddUser {
            user: User {
                id: id.into(),
                name: name.into(),
                email: email.into(),
            },
        },
    )
}

pub fn rename_user(
    args: &ChangeArgs,
    id: &str,
    name: &str,
    email: Option<&str>,
) -> Result<ExitCode, Failure> {
    run(
        args,
        Operation::RenameUser {
            user: id.into(),
            name: name.into(),
            email: email.map(Into::into),
        },
    )
}

pub fn remove_user(args: &ChangeArgs, id: &str) -> Result<ExitCode, Failure> {
    run(args, Operation::RemoveUser { user: id.into() })
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
    text
}

/// Runs an operation and reports it. Exit 0 when applied (or, dry, when it would be), 1 when
/// a dry run would be refused, 2 when an applied run is refused.
fn run(args: &ChangeArgs, operation: Operation) -> Result<ExitCode, Failure> {
    let outcome = change(
        &args.policy,
        args.audit_log.as_deref(),
        &args.actor,
        &operation,
        args.dry_run,
    )?;
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
