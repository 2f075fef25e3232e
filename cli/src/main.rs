//! `rolegate`: compile policies into snapshots, inspect them and ask them questions.
//!
//! Exit status: 0 success (and Allow), 1 Deny, 2 bad input. Errors are one line on stderr
//! naming the file, the item and the value at fault.

mod admin_cmd;
mod args;
mod ask;
mod build;
mod deltas;
mod demo;
mod directory_cmd;
mod failure;
mod files;
mod guest;
mod inspect;
mod keys;
mod output;
mod render;
mod store;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, RolesCommand, UsersCommand};
use crate::failure::{BAD_INPUT, Failure};

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Compile {
            policy,
            output,
            revision,
            issued_at,
        } => build::run_compile(&policy, &output, revision, issued_at),
        Command::Validate { policy } => build::run_validate(&policy),
        Command::Inspect { snapshot, format } => inspect::run(&snapshot, format.json),
        Command::Check(q) => ask::check(&q),
        Command::Explain(q) => ask::explain(&q),
        Command::Permissions {
            snapshot,
            user,
            scope,
            resource,
            format,
        } => ask::permissions(&snapshot.path, &user, &scope, &resource, format.json),
        Command::WhoCan {
            snapshot,
            permission,
            scope,
            resource,
            format,
        } => ask::who_can(&snapshot.path, &permission, &scope, &resource, format.json),
        Command::Scopes {
            snapshot,
            user,
            permission,
            resource,
            format,
        } => ask::scopes(&snapshot.path, &user, &permission, &resource, format.json),
        Command::Demo { format } => demo::run(format.json),
        Command::Assign {
            change,
            user,
            scope,
            roles,
            resources,
        } => admin_cmd::assign(&change, &user, &scope, &roles, &resources),
        Command::Unassign {
            change,
            user,
            scope,
            role,
            resource,
        } => admin_cmd::unassign(&change, &user, &scope, role.as_deref(), resource.as_deref()),
        Command::TransferOwner {
            change,
            account,
            to,
        } => admin_cmd::transfer(&change, &account, &to),
        Command::Keygen { key_id, output } => keys::keygen(&key_id, &output),
        Command::Sign {
            snapshot,
            key,
            output,
        } => keys::run_sign(&snapshot, &key, &output),
        Command::Verify {
            snapshot,
            trust,
            format,
        } => {
            let trust = keys::trust(
                &trust.keys,
                trust.organization.as_deref(),
                trust.min_revision,
                trust.max_age,
            )?;
            keys::run_verify(&snapshot, &trust, format.json)
        }
        Command::Diff { old, new, output } => deltas::run_diff(&old, &new, &output),
        Command::ApplyDelta {
            base,
            delta,
            output,
        } => deltas::run_apply(&base, &delta, &output),
        Command::Slice {
            snapshot,
            user,
            key,
            output,
        } => deltas::run_slice(&snapshot, &user, key.as_deref(), &output),
        Command::Users(users) => match users {
            UsersCommand::Add {
                change,
                id,
                name,
                email,
            } => admin_cmd::add_user(&change, &id, &name, &email),
            UsersCommand::Rename {
                change,
                id,
                name,
                email,
            } => admin_cmd::rename_user(&change, &id, &name, email.as_deref()),
            UsersCommand::Remove { change, id } => admin_cmd::remove_user(&change, &id),
            UsersCommand::Search {
                source,
                query,
                format,
            } => directory_cmd::search(&source, &query, format.json),
            UsersCommand::Show {
                source,
                user,
                format,
            } => directory_cmd::show(&source, &user, format.json),
        },
        Command::Roles(roles) => match roles {
            RolesCommand::List {
                source,
                kind,
                product,
                level,
                format,
            } => directory_cmd::list_roles(
                &source,
                kind.as_deref(),
                product.as_deref(),
                level.as_deref(),
                format.json,
            ),
            RolesCommand::Show {
                source,
                role,
                format,
            } => directory_cmd::show_role(&source, &role, format.json),
        },
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("rolegate: {failure}");
            ExitCode::from(BAD_INPUT)
        }
    }
}
