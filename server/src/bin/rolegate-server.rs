//! `rolegate-server`: the control plane as a standalone binary, for deployments that want
//! the server without the rest of the CLI. `rolegate serve` (and `rolegate audit`,
//! `rolegate clients`, `rolegate import`) run the same commands.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rolegate_server::commands::{
    AuditCommand, ClientsCommand, CommandError, ExportArgs, ImportArgs, PasswordsCommand, ServeArgs,
};

#[derive(Debug, Parser)]
#[command(
    name = "rolegate-server",
    version,
    about = "The rolegate control plane"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The hash-chained audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// OAuth clients.
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// Import a policy file as one audited revision.
    Import(ImportArgs),
    /// Export an organization's policy as JSON (what import takes back).
    Export(ExportArgs),
    /// Console sign-in passwords.
    #[command(subcommand)]
    Passwords(PasswordsCommand),
}

fn run(cli: Cli) -> Result<ExitCode, CommandError> {
    match cli.command {
        None => cli.serve.run(),
        Some(Command::Audit(c)) => c.run(),
        Some(Command::Clients(c)) => c.run(),
        Some(Command::Import(a)) => a.run(),
        Some(Command::Export(a)) => a.run(),
        Some(Command::Passwords(c)) => c.run(),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rolegate-server: {e}");
            ExitCode::from(2)
        }
    }
}
