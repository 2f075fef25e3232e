//! users search|show, roles list|show and catalog: the directory, from a policy or a
//! snapshot.

use std::process::ExitCode;

use clap::Args;
use rolegate_core::{
    CompileOptions, DirectoryEntry, Policy, RoleFilter, RoleKind, ScopeLevel, Snapshot,
    compile_snapshot,
};

use crate::args::{Format, Source};
use crate::failure::Failure;
use crate::files::{read_policy, read_snapshot};
use crate::output::{print, print_json};
use crate::render::table;

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    source: Source,
    /// What to look for; empty lists everyone.
    #[arg(default_value = "")]
    query: String,
    #[command(flatten)]
    format: Format,
}

#[derive(Debug, Args)]
pub struct ShowUserArgs {
    #[command(flatten)]
    source: Source,
    /// The user's id.
    user: String,
    #[command(flatten)]
    format: Format,
}

#[derive(Debug, Args)]
pub struct ListRolesArgs {
    #[command(flatten)]
    source: Source,
    /// Only this kind: organization, general, built-in, resource-based.
    #[arg(long)]
    kind: Option<RoleKind>,
    /// Only roles granting a permission of this product (such as `messaging`).
    #[arg(long)]
    product: Option<String>,
    /// Only roles assignable at this level: organization, account, subaccount.
    #[arg(long)]
    level: Option<ScopeLevel>,
    #[command(flatten)]
    format: Format,
}

#[derive(Debug, Args)]
pub struct ShowRoleArgs {
    #[command(flatten)]
    source: Source,
    /// The role's id.
    role: String,
    #[command(flatten)]
    format: Format,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    format: Format,
}

/// The snapshot to answer from. Without a source, roles come from the default catalog.
pub fn load(source: &Source, catalog_ok: bool) -> Result<Snapshot, Failure> {
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

pub fn search(args: &SearchArgs) -> Result<ExitCode, Failure> {
    let snapshot = load(&args.source, false)?;
    let json = args.format.json;
    let hits = snapshot.search_users(&args.query);
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

pub fn show_user(args: &ShowUserArgs) -> Result<ExitCode, Failure> {
    let snapshot = load(&args.source, false)?;
    let json = args.format.json;
    let entry = snapshot.directory_entry(&args.user).ok_or_else(|| {
        Failure::new(format!(
            "unknown user `{}` in organization `{}`",
            rolegate_core::ids::clip(&args.user),
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

pub fn list_roles(args: &ListRolesArgs) -> Result<ExitCode, Failure> {
    let snapshot = load(&args.source, true)?;
    let json = args.format.json;
    let filter = RoleFilter {
        kind: args.kind,
        product: args.product.as_deref(),
        level: args.level,
    };
    let roles = snapshot.roles_matching(&filter);
    if json {
        print_json(&roles)?;
    } else {
        let rows: Vec<Vec<String>> = roles
            .iter()
            .map(|r| {
                vec![
                    r.name.to_string(),
                    r.id.to_string(),
                    r.sid.to_string(),
                    r.kind.to_string(),
                    r.lowest_level.to_string(),
                    r.allow.join(" "),
                ]
            })
            .collect();
        print(&table(
            &["role", "id", "sid", "kind", "lowest level", "allow"],
            &rows,
        ));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show_role(args: &ShowRoleArgs) -> Result<ExitCode, Failure> {
    let snapshot = load(&args.source, true)?;
    let json = args.format.json;
    let details = snapshot.role_details(&args.role).ok_or_else(|| {
        Failure::new(format!(
            "unknown role `{}`",
            rolegate_core::ids::clip(&args.role)
        ))
    })?;
    if json {
        print_json(&details)?;
    } else {
        let levels: Vec<&str> = details.assignable_at.iter().map(|l| l.as_str()).collect();
        let mut text = format!(
            "{} ({}, {})\n  {}\n  kind: {}; assignable at: {}\n  allow: {}\n  deny: {}\n",
            details.role.name,
            details.role.id,
            details.role.sid,
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

pub fn catalog(args: &CatalogArgs) -> Result<ExitCode, Failure> {
    let snapshot = load(&args.source, true)?;
    let permissions: Vec<&str> = snapshot.catalog().collect();
    if args.format.json {
        print_json(&permissions)?;
    } else {
        let mut text = String::new();
        for p in &permissions {
            text.push_str(p);
            text.push('\n');
        }
        print(&text);
    }
    Ok(ExitCode::SUCCESS)
}
