//! The control plane's commands, defined once for both binaries: `rolegate serve`,
//! `rolegate audit verify`, `rolegate clients create`, `rolegate passwords set` and
//! `rolegate import`, `rolegate export` (and the same
//! under `rolegate-server`). Each runs to completion on its own tokio runtime, so a
//! synchronous caller such as the `rolegate` CLI needs no async code of its own.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::engine::Policy;
use crate::serve::{
    ServeOptions, create_client, export_policy, import_policy, serve, set_password, verify_audit,
};

/// Why a command failed: one line for stderr.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CommandError(String);

impl CommandError {
    fn new(message: impl std::fmt::Display) -> CommandError {
        CommandError(message.to_string())
    }
}

/// `serve`: run the control plane until Ctrl-C.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Database: postgres://…, sqlite:…, or a SQLite file path [default: rolegate.db, or a
    /// fresh temporary file with --demo].
    #[arg(long = "db", value_name = "URL")]
    pub db: Option<String>,
    /// Load the demo organization (the one `rolegate demo` uses) and print an OAuth client
    /// acting as its Organization Owner.
    #[arg(long)]
    pub demo: bool,
    /// Also write every published snapshot and delta into this directory (atomically), for a
    /// plain web server or CDN.
    #[arg(long, value_name = "DIR")]
    pub publish_dir: Option<PathBuf>,
    /// The built management console to serve under /console/ [default: the repository's
    /// console/dist, when built].
    #[arg(long, value_name = "DIR")]
    pub console_dir: Option<PathBuf>,
    /// Mark console session cookies `Secure` (when served over HTTPS).
    #[arg(long)]
    pub secure_cookies: bool,
}

/// `passwords …`: console sign-in passwords.
#[derive(Debug, Clone, Subcommand)]
pub enum PasswordsCommand {
    /// Set a user's console password, read from standard input (one line); signs the user
    /// out everywhere.
    Set(SetPasswordArgs),
}

/// `passwords set`'s arguments.
#[derive(Debug, Clone, Args)]
pub struct SetPasswordArgs {
    #[command(flatten)]
    pub target: DatabaseOrg,
    /// The user (US…).
    #[arg(long, value_name = "US")]
    pub user: String,
}

/// `audit …`: the hash-chained audit log.
#[derive(Debug, Clone, Subcommand)]
pub enum AuditCommand {
    /// Walk an organization's audit chain; exit 0 when every link holds, 1 when one breaks.
    Verify(DatabaseOrg),
}

/// `clients …`: OAuth clients.
#[derive(Debug, Clone, Subcommand)]
pub enum ClientsCommand {
    /// Create an OAuth client acting as a user of an organization; prints its id and secret
    /// (the secret is shown once and stored only as a hash).
    Create(CreateClientArgs),
}

/// A database and one of its organizations.
#[derive(Debug, Clone, Args)]
pub struct DatabaseOrg {
    /// Database: postgres://…, sqlite:…, or a SQLite file path.
    #[arg(long = "db", value_name = "URL")]
    pub db: String,
    /// The organization (OR…).
    #[arg(long = "org", value_name = "OR")]
    pub org: String,
}

/// `clients create`'s arguments.
#[derive(Debug, Clone, Args)]
pub struct CreateClientArgs {
    #[command(flatten)]
    pub target: DatabaseOrg,
    /// The user (US…) the client acts as; the organization's rules apply to it.
    #[arg(long, value_name = "US")]
    pub actor: String,
    /// A name to recognise the client by.
    #[arg(long, default_value = "client")]
    pub name: String,
}

/// `export`'s arguments.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub target: DatabaseOrg,
    /// Write the policy here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl ExportArgs {
    /// Prints (or writes) the organization's policy as JSON: what `import` takes back.
    pub fn run(self) -> Result<ExitCode, CommandError> {
        let policy = runtime()?
            .block_on(export_policy(&self.target.db, &self.target.org))
            .map_err(CommandError::new)?;
        let mut text = serde_json::to_string_pretty(&policy).map_err(CommandError::new)?;
        text.push('\n');
        match &self.output {
            Some(path) => std::fs::write(path, text)
                .map_err(|e| CommandError::new(format!("{}: {e}", path.display())))?,
            None => print!("{text}"),
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// `import`'s arguments.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Database: postgres://…, sqlite:…, or a SQLite file path.
    #[arg(long = "db", value_name = "URL")]
    pub db: String,
    /// The policy file (JSON) to store as the organization's next revision.
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Who the audit log says made the import.
    #[arg(long, default_value = "import")]
    pub actor: String,
}

fn runtime() -> Result<tokio::runtime::Runtime, CommandError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::new(format!("could not start the runtime: {e}")))
}

impl ServeArgs {
    /// Serves until Ctrl-C.
    pub fn run(self) -> Result<ExitCode, CommandError> {
        let options = ServeOptions {
            listen: self.listen,
            db_url: self.db,
            demo: self.demo,
            publish_dir: self.publish_dir,
            console_dir: self.console_dir,
            secure_cookies: self.secure_cookies,
            ..Default::default()
        };
        runtime()?
            .block_on(serve(options))
            .map_err(CommandError::new)?;
        Ok(ExitCode::SUCCESS)
    }
}

impl AuditCommand {
    /// Prints the report; exit 1 when the chain is broken.
    pub fn run(self) -> Result<ExitCode, CommandError> {
        let AuditCommand::Verify(target) = self;
        let report = runtime()?
            .block_on(verify_audit(&target.db, &target.org))
            .map_err(CommandError::new)?;
        let text = serde_json::to_string_pretty(&report).map_err(CommandError::new)?;
        println!("{text}");
        Ok(if report.ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    }
}

impl ClientsCommand {
    /// Prints the new client's id and secret.
    pub fn run(self) -> Result<ExitCode, CommandError> {
        let ClientsCommand::Create(args) = self;
        let client = runtime()?
            .block_on(create_client(
                &args.target.db,
                &args.target.org,
                &args.actor,
                &args.name,
            ))
            .map_err(CommandError::new)?;
        println!("client_id: {}", client.client_id);
        println!("client_secret: {}", client.client_secret);
        Ok(ExitCode::SUCCESS)
    }
}

impl PasswordsCommand {
    /// Reads the password from standard input and stores its hash.
    pub fn run(self) -> Result<ExitCode, CommandError> {
        let PasswordsCommand::Set(args) = self;
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| CommandError::new(format!("could not read the password: {e}")))?;
        let password = line.trim_end_matches(['\r', '\n']).to_string();
        runtime()?
            .block_on(set_password(
                &args.target.db,
                &args.target.org,
                &args.user,
                password,
            ))
            .map_err(CommandError::new)?;
        println!("password set for `{}`", args.user);
        Ok(ExitCode::SUCCESS)
    }
}

impl ImportArgs {
    /// Imports the policy as one audited revision; prints the new revision.
    pub fn run(self) -> Result<ExitCode, CommandError> {
        let path = self.policy.display();
        let text = std::fs::read_to_string(&self.policy)
            .map_err(|e| CommandError::new(format!("{path}: {e}")))?;
        let policy: Policy =
            serde_json::from_str(&text).map_err(|e| CommandError::new(format!("{path}: {e}")))?;
        let revision = runtime()?
            .block_on(import_policy(&self.db, &policy, &self.actor))
            .map_err(CommandError::new)?;
        println!(
            "imported `{}` at revision {revision}",
            policy.organization.id
        );
        Ok(ExitCode::SUCCESS)
    }
}
