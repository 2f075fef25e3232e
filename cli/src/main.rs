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

use clap::Parser;

use crate::commands::Cli;

fn main() -> ExitCode {
    match Cli::parse().command.run() {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("rolegate: {failure}");
            ExitCode::from(failure.status)
        }
    }
}
