//! users search|show and roles list|show: the directory, from a policy or a snapshot.

use std::process::ExitCode;

use rolegate_core::{
    CompileOptions, DirectoryEntry, Policy, RoleFilter, RoleKind, ScopeLevel, Snapshot,
    compile_snapshot,
};

use crate::args::Source;
use crate::failure::Failure;
use crate::files::{read_policy, read_snapshot};
use crate::output::{print, print_json};
use crate::render::table;

/// The snapshot to answer from. Without a source, roles come from the default catalog.
fn load(source: &Source, catalog_ok: bool) -> Result<Snapshot, Failure> {
    let compile = |policy: &Policy, origin: &str| {
        compile_snapshot(
            policy,
            &CompileOptions {
                revision: policy.revision,
                issued_at: 0,
            },
        )
        .map_err(|e| Failure::new(format!("{origin}: {e}")))
    };
    match (&source.policy, &source.snapshot) {
        (Some(p), _) => compile(&read_policy(p)?, &p.display().to_string()),
        (None, Some(s)) => read_snapshot(s),
        (None, None) if catalog_ok => {
            let empty: Policy = serde_json::from_str(
                r#"{"organization": {"id": "OR00000000000000000000000000000000", "name": "Default catalog"}}"#,
            )
            .map_err(|e| Failure::new(e.to_string()))?;
            compile(&empty, "default catalog")
        }
        (None, None) => Err(Failure::new("give --policy FILE or --snapshot FILE")),
    }
}

fn entry_rows(entry: &DirectoryEntry<'_>) -> Vec<Vec<String>> {
    entry
        .rows
        .iter()
        .map(|row| {
            let roles: Vec<&str> = row.roles.iter().map(|r| r.name).collect();
            vec![
                row.scope.name.to_string(),
                row.scope.level.to_string(),
                roles.join(", "),
                row.resource
                    .map_or(String::new(), |r| format!("{} ({})", r.name, r.id)),
            ]
        })
        .collect()
}

fn summary(entry: &DirectoryEntry<'_>) -> String {
    entry
        .rows
        .iter()
        .map(|row| {
            let roles: Vec<&str> = row.roles.iter().map(|r| r.name).collect();
            match row.resource {
                Some(r) => format!("{} on {}", roles.join(", "), r.name),
                None => format!("{} @ {}", roles.join(", "), row.scope.name),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn search(source: &Source, query: &str, json: bool) -> Result<ExitCode, Failure> {
    let snapshot = load(source, false)?;
    let hits = snapshot.search_users(query);
    if json {
        print_json(&hits)?;
    } else {
        let rows: Vec<Vec<String>> = hits
            .iter()
            .map(|h| {
                let matched: Vec<String> = h
                    .matched
                    .iter()
                    .map(|m| {
                        serde_json::to_value(m).map_or_else(
                            |_| String::new(),
                            |v| v.as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect();
                vec![
                    h.user.name.to_string(),
                    h.user.email.to_string(),
                    h.user.id.to_string(),
                    matched.join(","),
                    summary(h),
                ]
            })
            .collect();
        print(&table(
            &["user", "email", "id", "matched", "assignments"],
            &rows,
        ));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(source: &Source, user: &str, json: bool) -> Result<ExitCode, Failure> {
    let snapshot = load(source, false)?;
    let entry = snapshot.directory_entry(user).ok_or_else(|| {
        Failure::new(format!(
            "unknown user `{user}` in organization `{}`",
            snapshot.organization()
        ))
    })?;
    if json {
        print_json(&entry)?;
    } else {
        let mut text = format!(
            "{} <{}> {}\n",
            entry.user.name, entry.user.email, entry.user.id
        );
        text.push_str(&table(
            &["scope", "level", "roles", "resource"],
            &entry_rows(&entry),
        ));
        print(&text);
    }
    Ok(ExitCode::SUCCESS)
}

fn parse<T: serde::de::DeserializeOwned>(
    flag: &str,
    value: Option<&str>,
) -> Result<Option<T>, Failure> {
    value
        .map(|v| {
            serde_json::from_value(serde_json::Value::String(v.to_string())).map_err(|_| {
                Failure::new(format!("{flag} `{v}` is not one of the accepted values"))
            })
        })
        .transpose()
}

pub fn list_roles(
    source: &Source,
    kind: Option<&str>,
    product: Option<&str>,
    level: Option<&str>,
    json: bool,
) -> Result<ExitCode, Failure> {
    let snapshot = load(source, true)?;
    let filter = RoleFilter {
        kind: parse::<RoleKind>("--kind", kind)?,
        product,
        level: parse::<ScopeLevel>("--level", level)?,
    };
    let roles = snapshot.find_roles(&filter);
    if json {
        print_json(&roles)?;
    } else {
        let rows: Vec<Vec<String>> = roles
            .iter()
            .map(|r| {
                vec![
                    r.name.to_string(),
                    r.id.to_string(),
                    r.kind.to_string(),
                    r.lowest_level.to_string(),
                    r.allow.join(" "),
                ]
            })
            .collect();
        print(&table(
            &["role", "id", "kind", "lowest level", "allow"],
            &rows,
        ));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show_role(source: &Source, role: &str, json: bool) -> Result<ExitCode, Failure> {
    let snapshot = load(source, true)?;
    let details = snapshot
        .role_details(role)
        .ok_or_else(|| Failure::new(format!("unknown role `{role}`")))?;
    if json {
        print_json(&details)?;
    } else {
        let levels: Vec<&str> = details.assignable_at.iter().map(|l| l.as_str()).collect();
        let mut text = format!(
            "{} ({})\n  {}\n  kind: {}; assignable at: {}\n  allow: {}\n  deny: {}\n",
            details.role.name,
            details.role.id,
            details.role.description,
            details.role.kind,
            levels.join(", "),
            details.role.allow.join(" "),
            details.role.deny.join(" "),
        );
        if !details.role.resource_types.is_empty() {
            text.push_str(&format!(
                "  resource types: {}\n",
                details.role.resource_types.join(", ")
            ));
        }
        text.push_str(&format!("  {} permissions:\n", details.permissions.len()));
        for p in &details.permissions {
            text.push_str(&format!("    {p}\n"));
        }
        print(&text);
    }
    Ok(ExitCode::SUCCESS)
}
