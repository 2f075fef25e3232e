//! `rolegate`: compile policies into snapshots, inspect them, ask them questions, and change
//! policies under the organization's rules.
//!
//! Exit status: 0 success (and Allow); 1 Deny (and a dry run that would be refused); 2 bad
//! input (a file that does not parse, a snapshot that does not decode or is not trusted, an
//! unknown name); 3 a well-formed change the organization's rules refuse. Errors are one
//! line on stderr naming the file, the item and the value at fault.

#![forbid(unsafe_code)]

mod args;
mod clock;
mod commands;
mod failure;
mod files;
#[cfg(feature = "wasm-engine")]
mod guest;
mod output;
mod render;
mod store;

use std::process::ExitCode;

use clap::Parser as _;

use crate::commands::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version: clap's own output, exit 0.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // One line, like every other error: clap's first, without its `error: ` label.
            let text = e.render().to_string();
            let line = text.lines().next().unwrap_or_default();
            eprintln!(
                "rolegate: {}",
                output::printable(line.strip_prefix("error: ").unwrap_or(line))
            );
            return ExitCode::from(failure::BAD_INPUT);
        }
    };
    match cli.command.run() {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("rolegate: {failure}");
            ExitCode::from(failure.status)
        }
    }
}
