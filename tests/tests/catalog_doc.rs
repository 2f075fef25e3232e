//! `docs/ROLES.md` is the default catalog as a table; this keeps the two in step.
//! Rewrite it with `ROLEGATE_BLESS=1 cargo test -p rolegate-tests catalog_doc`.

use rolegate_core::{CompileOptions, Policy, catalog, compile_snapshot};

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/ROLES.md");

fn render() -> String {
    let policy: Policy =
        serde_json::from_str(r#"{"organization": {"id": "OR1", "name": "Catalog"}}"#).unwrap();
    let snapshot = compile_snapshot(&policy, &CompileOptions::default()).unwrap();
    let mut out = String::from(
        "# The default role catalog\n\n\
         Every policy starts with these roles and permissions; policies add custom ones \
         (see `examples/policies/acme.json`). Patterns: `*` matches one segment, a trailing \
         `**` the rest. A role's deny patterns remove permissions from its own allow patterns \
         only. SIDs are Twilio's where Twilio publishes one (the general roles but Owner), else \
         derived from the id. Generated from `rolegate-core`'s catalog; a test keeps it in step.\n\n\
         | role | id | SID | kind | lowest level | assignable at | allow | deny | permissions granted |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for id in catalog::default_role_ids() {
        let role = snapshot.role(id).unwrap();
        let levels: Vec<&str> = [
            rolegate_core::ScopeLevel::Organization,
            rolegate_core::ScopeLevel::Account,
            rolegate_core::ScopeLevel::Subaccount,
        ]
        .into_iter()
        .filter(|&l| role.kind.assignable_at(role.lowest_level, l))
        .map(|l| l.as_str())
        .collect();
        let code = |items: &[&str]| {
            items
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut kind = role.kind.to_string();
        if !role.resource_types.is_empty() {
            kind = format!("{kind} ({})", role.resource_types.join(", "));
        }
        out.push_str(&format!(
            "| {} | `{}` | `{}` | {} | {} | {} | {} | {} | {} |\n",
            role.name,
            role.id,
            role.sid,
            kind,
            role.lowest_level,
            levels.join(", "),
            code(&role.allow),
            code(&role.deny),
            snapshot.role_permissions(id).unwrap().len(),
        ));
    }
    out.push_str("\n## Permissions\n\n| product | permission |\n|---|---|\n");
    for p in catalog::PERMISSIONS {
        let product = p.split('/').next().unwrap();
        out.push_str(&format!("| {product} | `{p}` |\n"));
    }
    out
}

#[test]
fn roles_doc_matches_the_catalog() {
    let rendered = render();
    if std::env::var_os("ROLEGATE_BLESS").is_some() {
        std::fs::write(DOC, &rendered).unwrap();
    }
    let on_disk = std::fs::read_to_string(DOC).unwrap_or_default();
    assert!(
        on_disk == rendered,
        "docs/ROLES.md is out of date with the catalog"
    );
}
