//! The questions: check, explain, permissions, who-can, scopes.

use std::process::ExitCode;

use clap::Args;
use rolegate_core::{Request, Snapshot};
use serde_json::json;

use crate::args::{Format, ResourceArg, SnapshotArg};
use crate::failure::Failure;
use crate::files::read_snapshot;
use crate::output::{print, print_json};
use crate::render;

/// Which engine answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineKind {
    /// The core, natively.
    Native,
    /// The core as a sandboxed wasm guest in wasmtime (rolegate-host; feature `wasm-engine`).
    Wasm,
}

#[derive(Debug, Args)]
pub struct Question {
    /// Which engine answers: the native core or the wasmtime guest.
    #[arg(long, value_enum, default_value = "native")]
    engine: EngineKind,
    #[command(flatten)]
    snapshot: SnapshotArg,
    /// The user's id.
    #[arg(long)]
    user: String,
    /// The permission, `product/resource/action`.
    #[arg(long)]
    permission: String,
    /// The scope's id: the organization, an account or a subaccount.
    #[arg(long)]
    scope: String,
    #[command(flatten)]
    resource: ResourceArg,
    #[command(flatten)]
    format: Format,
}

#[derive(Debug, Args)]
pub struct PermissionsArgs {
    #[command(flatten)]
    snapshot: SnapshotArg,
    /// The user's id.
    #[arg(long)]
    user: String,
    /// The scope's id.
    #[arg(long)]
    scope: String,
    #[command(flatten)]
    resource: ResourceArg,
    #[command(flatten)]
    format: Format,
}

#[derive(Debug, Args)]
pub struct WhoCanArgs {
    #[command(flatten)]
    snapshot: SnapshotArg,
    /// The permission, `product/resource/action`.
    #[arg(long)]
    permission: String,
    /// The scope's id.
    #[arg(long)]
    scope: String,
    #[command(flatten)]
    resource: ResourceArg,
    #[command(flatten)]
    format: Format,
}

#[derive(Debug, Args)]
pub struct ScopesArgs {
    #[command(flatten)]
    snapshot: SnapshotArg,
    /// The user's id.
    #[arg(long)]
    user: String,
    /// The permission, `product/resource/action`.
    #[arg(long)]
    permission: String,
    #[command(flatten)]
    resource: ResourceArg,
    #[command(flatten)]
    format: Format,
}

fn request(q: &Question) -> Request<'_> {
    Request {
        user: &q.user,
        permission: &q.permission,
        scope: &q.scope,
        resource: q.resource.as_ref(),
    }
}

/// The snapshot file's bytes, decoded: bytes for the wasmtime guest, the snapshot for naming
/// things in text.
fn read(q: &Question) -> Result<(Vec<u8>, Snapshot), Failure> {
    let path = &q.snapshot.path;
    let bytes = std::fs::read(path).map_err(|e| Failure::in_file(path, e))?;
    let snapshot = Snapshot::decode(&bytes).map_err(|e| Failure::in_file(path, e))?;
    Ok((bytes, snapshot))
}

/// Exit 0 on Allow, 1 on Deny.
fn exit_for(allowed: bool) -> ExitCode {
    if allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub fn check(q: &Question) -> Result<ExitCode, Failure> {
    let (bytes, snapshot) = read(q)?;
    let request = request(q);
    if q.engine == EngineKind::Wasm {
        return wasm::check(q, &bytes, &snapshot, &request);
    }
    let decision = snapshot.check(&request);
    if q.format.json {
        print_json(&decision)?;
    } else {
        print(&render::decision(&snapshot, &decision));
    }
    Ok(exit_for(decision.allowed))
}

pub fn explain(q: &Question) -> Result<ExitCode, Failure> {
    let (bytes, snapshot) = read(q)?;
    let request = request(q);
    if q.engine == EngineKind::Wasm {
        return wasm::explain(q, &bytes, &snapshot, &request);
    }
    let explanation = snapshot.explain(&request);
    if q.format.json {
        print_json(&explanation)?;
    } else {
        print(&render::explanation(&snapshot, &explanation));
    }
    Ok(exit_for(explanation.decision.allowed))
}

/// The same questions answered by the sandboxed wasmtime guest, checked against the core.
#[cfg(feature = "wasm-engine")]
mod wasm {
    use super::*;

    fn disagree() -> Failure {
        Failure::new("the wasmtime guest and the native core disagree")
    }

    pub fn check(
        q: &Question,
        bytes: &[u8],
        snapshot: &Snapshot,
        request: &Request<'_>,
    ) -> Result<ExitCode, Failure> {
        let decision = crate::guest::authorizer(bytes)?
            .check(request)
            .map_err(|e| Failure::new(format!("wasmtime guest: {e}")))?;
        if q.format.json {
            print_json(&decision)?;
        } else {
            let native = snapshot.check(request);
            if decision != native {
                return Err(disagree());
            }
            print(&format!(
                "{}  (answered by the wasmtime guest)\n",
                render::decision(snapshot, &native).trim_end()
            ));
        }
        Ok(exit_for(decision.allowed))
    }

    pub fn explain(
        q: &Question,
        bytes: &[u8],
        snapshot: &Snapshot,
        request: &Request<'_>,
    ) -> Result<ExitCode, Failure> {
        let explanation = crate::guest::authorizer(bytes)?
            .explain(request)
            .map_err(|e| Failure::new(format!("wasmtime guest: {e}")))?;
        if q.format.json {
            print_json(&explanation)?;
        } else {
            let native = snapshot.explain(request);
            if explanation.decision != native.decision {
                return Err(disagree());
            }
            print(&format!(
                "{}  (answered by the wasmtime guest)\n",
                render::explanation(snapshot, &native).trim_end()
            ));
        }
        Ok(exit_for(explanation.decision.allowed))
    }
}

#[cfg(not(feature = "wasm-engine"))]
mod wasm {
    use super::*;

    fn unavailable() -> Failure {
        Failure::new("this rolegate was built without the wasmtime engine (feature `wasm-engine`)")
    }

    pub fn check(
        _: &Question,
        _: &[u8],
        _: &Snapshot,
        _: &Request<'_>,
    ) -> Result<ExitCode, Failure> {
        Err(unavailable())
    }

    pub fn explain(
        _: &Question,
        _: &[u8],
        _: &Snapshot,
        _: &Request<'_>,
    ) -> Result<ExitCode, Failure> {
        Err(unavailable())
    }
}

fn query_failure(snapshot: &Snapshot, e: rolegate_core::QueryError) -> Failure {
    Failure::new(format!("{e} in organization `{}`", snapshot.organization()))
}

pub fn permissions(args: &PermissionsArgs) -> Result<ExitCode, Failure> {
    let (user, scope, json) = (&args.user, &args.scope, args.format.json);
    let snapshot = read_snapshot(&args.snapshot.path)?;
    let list = snapshot
        .effective_permissions(user, scope, args.resource.as_ref())
        .map_err(|e| query_failure(&snapshot, e))?;
    if json {
        print_json(&json!({ "user": user, "scope": scope, "permissions": list }))?;
    } else {
        let mut text = format!(
            "{} at {}: {} permissions\n",
            render::user_name(&snapshot, user),
            render::scope_name(&snapshot, scope),
            list.len()
        );
        for p in &list {
            text.push_str(&format!("  {p}\n"));
        }
        print(&text);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn who_can(args: &WhoCanArgs) -> Result<ExitCode, Failure> {
    let snapshot = read_snapshot(&args.snapshot.path)?;
    let json = args.format.json;
    let holders = snapshot
        .who_can(&args.permission, &args.scope, args.resource.as_ref())
        .map_err(|e| query_failure(&snapshot, e))?;
    if json {
        print_json(&holders)?;
    } else {
        let rows: Vec<Vec<String>> = holders
            .iter()
            .map(|h| {
                vec![
                    h.user.name.to_string(),
                    h.user.id.to_string(),
                    render::reason(&snapshot, &rolegate_core::Reason::Granted(h.grant)),
                ]
            })
            .collect();
        print(&render::table(&["user", "id", "through"], &rows));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn scopes(args: &ScopesArgs) -> Result<ExitCode, Failure> {
    let snapshot = read_snapshot(&args.snapshot.path)?;
    let json = args.format.json;
    let scopes = snapshot
        .scopes_with(&args.user, &args.permission, args.resource.as_ref())
        .map_err(|e| query_failure(&snapshot, e))?;
    if json {
        print_json(&scopes)?;
    } else {
        let rows: Vec<Vec<String>> = scopes
            .iter()
            .map(|s| vec![s.name.to_string(), s.level.to_string(), s.id.to_string()])
            .collect();
        print(&render::table(&["scope", "level", "id"], &rows));
    }
    Ok(ExitCode::SUCCESS)
}
