//! `rolegate`: compile policies into snapshots, inspect them and ask them questions.
//!
//! Exit status: 0 success (and Allow), 1 Deny, 2 bad input. Errors are one line on stderr
//! naming the file, the item and the value at fault.

mod args;
mod ask;
mod build;
mod demo;
mod failure;
mod files;
mod inspect;
mod output;
mod render;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
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
