//! `rolegate inspect`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use crate::args::Format;
use crate::failure::Failure;
use crate::files::read_snapshot;
use crate::output::{print, print_json};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The snapshot.
    snapshot: PathBuf,
    #[command(flatten)]
    format: Format,
}

pub fn run(args: &InspectArgs) -> Result<ExitCode, Failure> {
    let json = args.format.json;
    let snapshot = read_snapshot(&args.snapshot)?;
    let meta = snapshot.meta();
    let stats = snapshot.stats();
    let checksum: String = meta.checksum.iter().map(|b| format!("{b:02x}")).collect();
    if json {
        print_json(&json!({
            "organization": { "id": snapshot.organization(), "name": snapshot.organization_name() },
            "format": meta.format,
            "revision": meta.revision,
            "issued_at": meta.issued_at,
            "checksum": checksum,
            // What the signature slot claims; `rolegate verify --trust` checks it.
            "key_id_claimed": meta.key_id,
            "counts": {
                "accounts": stats.accounts,
                "subaccounts": stats.subaccounts,
                "users": stats.users,
                "roles": stats.roles,
                "permissions": stats.permissions,
                "assignments": stats.assignments,
                "resources": stats.resources,
            },
            "bytes": {
                "snapshot": meta.encoded_bytes,
                "payload": meta.payload_bytes,
                "memory": stats.memory_bytes,
            },
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    print(&format!(
        "organization  {} ({})
format        {}
revision      {}
issued at     {} (unix seconds)
checksum      sha512[..32]:{}
signature     {}
accounts      {}
subaccounts   {}
users         {}
roles         {}
permissions   {}
assignments   {}
resources     {}
bytes         {} snapshot, {} payload, ~{} in memory
",
        snapshot.organization_name(),
        snapshot.organization(),
        meta.format,
        meta.revision,
        meta.issued_at,
        checksum,
        meta.key_id.as_deref().map_or_else(
            || "none".to_owned(),
            |k| format!("key {k} (claimed, not verified: use `rolegate verify --trust`)")
        ),
        stats.accounts,
        stats.subaccounts,
        stats.users,
        stats.roles,
        stats.permissions,
        stats.assignments,
        stats.resources,
        meta.encoded_bytes,
        meta.payload_bytes,
        stats.memory_bytes,
    ));
    Ok(ExitCode::SUCCESS)
}
