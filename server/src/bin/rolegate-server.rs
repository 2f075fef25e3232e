//! `rolegate-server`: the control plane as a standalone binary (the `rolegate serve`
//! subcommand calls the same library).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "rolegate-server", about = "The rolegate control plane")]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Database: postgres://…, sqlite:…, or a SQLite file path.
    #[arg(long = "db")]
    db: Option<String>,
    /// Load the demo organization and create an OAuth client for its owner.
    #[arg(long)]
    demo: bool,
    /// Also write snapshots and deltas into this directory.
    #[arg(long)]
    publish_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Walk an organization's audit chain.
    VerifyAudit {
        #[arg(long = "db")]
        db: String,
        #[arg(long = "org")]
        org: String,
    },
    /// Create an OAuth client acting as a user of an organization.
    CreateClient {
        #[arg(long = "db")]
        db: String,
        #[arg(long = "org")]
        org: String,
        #[arg(long)]
        actor: String,
        #[arg(long, default_value = "client")]
        name: String,
    },
    /// Import a policy file as one audited revision.
    Import {
        #[arg(long = "db")]
        db: String,
        #[arg(long)]
        policy: PathBuf,
        #[arg(long, default_value = "import")]
        actor: String,
    },
}

async fn run(args: Args) -> Result<ExitCode, String> {
    match args.command {
        None => {
            let options = rolegate_server::ServeOptions {
                listen: args.listen,
                db_url: args.db,
                demo: args.demo,
                publish_dir: args.publish_dir,
                ..Default::default()
            };
            rolegate_server::serve(options)
                .await
                .map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::VerifyAudit { db, org }) => {
            let report = rolegate_server::verify_audit(&db, &org)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "{}",
                serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
            );
            Ok(if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Some(Command::CreateClient {
            db,
            org,
            actor,
            name,
        }) => {
            let c = rolegate_server::create_client(&db, &org, &actor, &name)
                .await
                .map_err(|e| e.to_string())?;
            println!("client_id: {}", c.client_id);
            println!("client_secret: {}", c.client_secret);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Import { db, policy, actor }) => {
            let text = std::fs::read_to_string(&policy)
                .map_err(|e| format!("{}: {e}", policy.display()))?;
            let parsed: rolegate_server::Policy =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", policy.display()))?;
            let revision = rolegate_server::import_policy(&db, &parsed, &actor)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "imported `{}` at revision {revision}",
                parsed.organization.id
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rolegate-server: {e}");
            ExitCode::from(2)
        }
    }
}
