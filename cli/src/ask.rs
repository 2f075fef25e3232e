//! The questions: check, explain, permissions, who-can, scopes.

use std::process::ExitCode;

use rolegate_core::{Request, ResourceRef, Snapshot};
use serde_json::json;

use crate::args::{EngineKind, Question, ResourceArg};
use crate::failure::Failure;
use crate::files::read_snapshot;
use crate::output::{print, print_json};
use crate::render;

/// Parses `--resource TYPE:ID`.
pub fn parse_resource(arg: &ResourceArg) -> Result<Option<ResourceRef<'_>>, Failure> {
    let Some(text) = &arg.resource else {
        return Ok(None);
    };
    match text.split_once(':') {
        Some((t, id)) if !t.is_empty() && !id.is_empty() => Ok(Some(ResourceRef {
            resource_type: t,
            id,
        })),
        _ => Err(Failure::new(format!(
            "--resource `{text}` is not of the form TYPE:ID (e.g. billing-group:BG…)"
        ))),
    }
}

fn request<'a>(q: &'a Question) -> Result<Request<'a>, Failure> {
    Ok(Request {
        user: &q.user,
        permission: &q.permission,
        scope: &q.scope,
        resource: parse_resource(&q.resource)?,
    })
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
    let snapshot = read_snapshot(&q.snapshot.path)?;
    let request = request(q)?;
    if q.engine == EngineKind::Wasm {
        // The snapshot was read above (and decoded natively, to name things in text output);
        // the decision itself comes from the sandboxed guest.
        let bytes =
            std::fs::read(&q.snapshot.path).map_err(|e| Failure::in_file(&q.snapshot.path, e))?;
        let host = crate::guest::authorizer(&bytes)?;
        let decision = host
            .check(&request)
            .map_err(|e| Failure::new(format!("wasmtime guest: {e}")))?;
        if q.format.json {
            print_json(&decision)?;
        } else {
            let native = snapshot.check(&request);
            if decision != native {
                return Err(Failure::new(
                    "the wasmtime guest and the native core disagree",
                ));
            }
            print(&format!(
                "{}  (answered by the wasmtime guest)\n",
                render::decision(&snapshot, &native).trim_end()
            ));
        }
        return Ok(exit_for(decision.allowed));
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
    let snapshot = read_snapshot(&q.snapshot.path)?;
    let request = request(q)?;
    if q.engine == EngineKind::Wasm {
        let bytes =
            std::fs::read(&q.snapshot.path).map_err(|e| Failure::in_file(&q.snapshot.path, e))?;
        let explanation = crate::guest::authorizer(&bytes)?
            .explain(&request)
            .map_err(|e| Failure::new(format!("wasmtime guest: {e}")))?;
        if q.format.json {
            print_json(&explanation)?;
        } else {
            let native = snapshot.explain(&request);
            if explanation.decision != native.decision {
                return Err(Failure::new(
                    "the wasmtime guest and the native core disagree",
                ));
            }
            print(&format!(
                "{}  (answered by the wasmtime guest)\n",
                render::explanation(&snapshot, &native).trim_end()
            ));
        }
        return Ok(exit_for(explanation.decision.allowed));
    }
    let explanation = snapshot.explain(&request);
    if q.format.json {
        print_json(&explanation)?;
    } else {
        print(&render::explanation(&snapshot, &explanation));
    }
    Ok(exit_for(explanation.decision.allowed))
}

fn query_failure(snapshot: &Snapshot, e: rolegate_core::QueryError) -> Failure {
    Failure::new(format!("{e} in organization `{}`", snapshot.organization()))
}

pub fn permissions(
    snapshot: &std::path::Path,
    user: &str,
    scope: &str,
    resource: &ResourceArg,
    json: bool,
) -> Result<ExitCode, Failure> {
    let snapshot = read_snapshot(snapshot)?;
    let list = snapshot
        .effective_permissions(user, scope, parse_resource(resource)?)
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

pub fn who_can(
    snapshot: &std::path::Path,
    permission: &str,
    scope: &str,
    resource: &ResourceArg,
    json: bool,
) -> Result<ExitCode, Failure> {
    let snapshot = read_snapshot(snapshot)?;
    let holders = snapshot
        .who_can(permission, scope, parse_resource(resource)?)
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

pub fn scopes(
    snapshot: &std::path::Path,
    user: &str,
    permission: &str,
    resource: &ResourceArg,
    json: bool,
) -> Result<ExitCode, Failure> {
    let snapshot = read_snapshot(snapshot)?;
    let scopes = snapshot
        .scopes_with(user, permission, parse_resource(resource)?)
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
