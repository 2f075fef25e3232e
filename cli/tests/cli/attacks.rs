//! What an attacker, a careless caller or a newcomer tries through the CLI, each pinned: a
//! refused actor learns nothing, ids in errors are clipped, settings change only through an
//! audited operation, secret keys stay private, trust is never reported unchecked, output
//! never carries terminal escapes, and a first policy translated from elsewhere compiles.

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::admin::{ADAM, DANA, OLIVIA, Org, PAUL, ok};
use crate::*;

#[test]
fn a_refused_actor_is_told_not_authorized_and_nothing_else() {
    let org = Org::new();
    let (dana, olivia, paul) = (org.user(DANA), org.user(OLIVIA), org.user(PAUL));
    let before = org.bytes();
    // Olivia already holds organization-owner: a manager would hear "already holds".
    for actor in [dana.as_str(), "USghost0000000000000000000000000000"] {
        let o = org.run(
            &[
                "assign",
                "--user",
                &olivia,
                "--scope",
                &org.org(),
                "--role",
                "organization-owner",
            ],
            actor,
        );
        assert_refused(&o, "not authorized");
        let err = stderr(&o);
        assert!(!err.contains(&olivia) && !err.contains("already"), "{err}");
        // Unknown users and scopes are not revealed either.
        let o = org.run(
            &["unassign", "--user", "USnobody", "--scope", "ACnowhere"],
            actor,
        );
        assert_refused(&o, "not authorized");
        assert!(!stderr(&o).contains("USnobody") && !stderr(&o).contains("unknown"));
    }
    // A refused dry run shows no one's email or assignments.
    let o = org.run(
        &["users", "remove", "--id", &paul, "--dry-run", "--json"],
        &dana,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["violations"][0]["code"], "not-authorized");
    assert_eq!(v["violations"].as_array().unwrap().len(), 1);
    assert_eq!(v["change"]["removed"], serde_json::json!([]));
    assert!(v["change"].get("user_before").is_none(), "{v}");
    assert!(!stdout(&o).contains("@acme.example"));
    assert_eq!(org.bytes(), before, "nothing changed");
}

#[test]
fn ids_quoted_in_errors_are_clipped() {
    let org = Org::new();
    let long = format!("US{}", "x".repeat(10_000));
    let o = org.run(
        &[
            "assign",
            "--user",
            &long,
            "--scope",
            &org.org(),
            "--role",
            "developer",
        ],
        &org.user(OLIVIA),
    );
    assert_refused(&o, "unknown user");
    assert!(stderr(&o).len() < 400, "{} bytes", stderr(&o).len());
}

#[test]
fn the_same_role_twice_is_its_own_error() {
    let org = Org::new();
    let o = org.run(
        &[
            "assign",
            "--user",
            &org.user(DANA),
            "--scope",
            &org.account(0),
            "--role",
            "studio-admin",
            "--role",
            "studio-admin",
        ],
        &org.user(OLIVIA),
    );
    assert_refused(&o, "role `studio-admin` is named more than once");
}

#[test]
fn one_resource_syntax_everywhere() {
    let org = Org::new();
    let bare = org.group(0).replace("billing-group:", "");
    let o = org.run(
        &[
            "assign",
            "--user",
            &org.user(DANA),
            "--scope",
            &org.org(),
            "--role",
            "billing-group-viewer",
            "--resource",
            &bare,
        ],
        &org.user(OLIVIA),
    );
    assert_bad_input(&o, "is not of the form TYPE:ID");
    ok(&org.run(
        &[
            "assign",
            "--user",
            &org.user(DANA),
            "--scope",
            &org.org(),
            "--role",
            "billing-group-viewer",
            "--resource",
            &org.group(0),
        ],
        &org.user(OLIVIA),
    ));
}

#[test]
fn settings_change_through_an_audited_operation() {
    let org = Org::new();
    let show = || {
        let o = rolegate(&["settings", "show", "--policy", s(&org.policy), "--json"]);
        ok(&o);
        serde_json::from_slice::<Value>(&o.stdout).unwrap()["max_built_in_roles_per_user"].clone()
    };
    assert_eq!(show(), 25);
    let revision = org.json["revision"].as_u64().unwrap();
    ok(&org.run(
        &["settings", "set", "--max-built-in-roles-per-user", "30"],
        &org.user(ADAM),
    ));
    assert_eq!(show(), 30);
    let lines = org.audit_lines();
    let last = lines.last().unwrap();
    assert_eq!(last["operation"]["op"], "update-settings");
    assert_eq!(
        last["change"]["settings_before"]["max_built_in_roles_per_user"],
        25
    );
    assert_eq!(
        last["change"]["settings_after"]["max_built_in_roles_per_user"],
        30
    );
    assert_eq!(last["revision"], revision + 1);
    // A developer may not; a cap below what someone holds breaks the cap rule.
    let before = org.bytes();
    assert_refused(
        &org.run(
            &["settings", "set", "--max-built-in-roles-per-user", "40"],
            &org.user(DANA),
        ),
        "not authorized",
    );
    assert_refused(
        &org.run(
            &["settings", "set", "--max-built-in-roles-per-user", "0"],
            &org.user(OLIVIA),
        ),
        "built-in roles; the limit is 0",
    );
    assert_eq!(org.bytes(), before);
}

#[test]
fn an_administrator_cannot_rename_an_organization_owner() {
    let org = Org::new();
    let before = org.bytes();
    let o = org.run(
        &[
            "users",
            "rename",
            "--id",
            &org.user(OLIVIA),
            "--name",
            "Olivia",
            "--email",
            "attacker@evil.example",
        ],
        &org.user(ADAM),
    );
    assert_refused(&o, "cannot edit user");
    assert_eq!(org.bytes(), before);
    // The Owner renames herself.
    ok(&org.run(
        &[
            "users",
            "rename",
            "--id",
            &org.user(OLIVIA),
            "--name",
            "Olivia O.",
        ],
        &org.user(OLIVIA),
    ));
}

#[test]
fn the_audit_log_stays_beside_the_policy_unless_asked() {
    let org = Org::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let log = elsewhere.path().join("audit.jsonl");
    let args = [
        "assign",
        "--user",
        &org.user(DANA),
        "--scope",
        &org.account(0),
        "--role",
        "studio-viewer",
        "--audit-log",
        s(&log),
    ];
    assert_bad_input(&org.run(&args, &org.user(OLIVIA)), "--audit-log-anywhere");
    let mut allowed = args.to_vec();
    allowed.push("--audit-log-anywhere");
    ok(&org.run(&allowed, &org.user(OLIVIA)));
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 1);
}

#[test]
fn secret_keys_are_private_to_their_owner() {
    let dir = Workdir::new();
    let key = dir.path("ops.key.json");
    ok(&rolegate(&["keygen", "--key-id", "ops", "-o", s(&key)]));
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Never over an existing file.
    assert_bad_input(
        &rolegate(&["keygen", "--key-id", "ops", "-o", s(&key)]),
        "exists",
    );
    let snapshot = dir.compile(std::path::Path::new(ACME));
    let signed = dir.path("signed.rgs");
    ok(&rolegate(&[
        "sign",
        s(&snapshot),
        "--key",
        s(&key),
        "-o",
        s(&signed),
    ]));
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_bad_input(
        &rolegate(&["sign", s(&snapshot), "--key", s(&key), "-o", s(&signed)]),
        "readable by others",
    );
}

#[test]
fn trust_is_never_reported_unchecked() {
    let dir = Workdir::new();
    let key = dir.path("ops.key.json");
    ok(&rolegate(&["keygen", "--key-id", "ops", "-o", s(&key)]));
    let snapshot = dir.compile(std::path::Path::new(ACME));
    let signed = dir.path("signed.rgs");
    ok(&rolegate(&[
        "sign",
        s(&snapshot),
        "--key",
        s(&key),
        "-o",
        s(&signed),
    ]));
    // Without --trust, verify refuses to call anything trusted.
    assert_bad_input(&rolegate(&["verify", s(&signed)]), "no-trusted-keys");
    let o = rolegate(&["verify", s(&signed), "--allow-unsigned"]);
    ok(&o);
    assert!(stdout(&o).contains("NOT checked"), "{}", stdout(&o));
    let o = rolegate(&["verify", s(&signed), "--trust", s(&key)]);
    ok(&o);
    assert!(stdout(&o).contains("signed by ops (verified)"));
    // inspect only claims.
    let o = rolegate(&["inspect", s(&signed)]);
    assert!(
        stdout(&o).contains("claimed, not verified"),
        "{}",
        stdout(&o)
    );
    // A slice is signed only from a snapshot that verified.
    let user = id(&acme(), "users", 0);
    let slice = dir.path("slice.rgs");
    let o = rolegate(&[
        "slice",
        s(&signed),
        "--user",
        &user,
        "--key",
        s(&key),
        "-o",
        s(&slice),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let other = dir.path("other.key.json");
    ok(&rolegate(&["keygen", "--key-id", "ops", "-o", s(&other)]));
    assert_bad_input(
        &rolegate(&[
            "slice",
            s(&signed),
            "--user",
            &user,
            "--key",
            s(&key),
            "--trust",
            s(&other),
            "-o",
            s(&slice),
        ]),
        "bad-signature",
    );
    ok(&rolegate(&[
        "slice",
        s(&signed),
        "--user",
        &user,
        "--key",
        s(&key),
        "--trust",
        s(&key),
        "-o",
        s(&slice),
    ]));
}

#[test]
fn terminal_escapes_in_names_never_reach_the_terminal() {
    let dir = Workdir::new();
    let mut p = acme();
    p["users"][0]["name"] = "Olivia \u{1b}]52;c;aGVsbG8=\u{7}\u{1b}[2J".into();
    let policy = dir.write_json("escapes.json", &p);
    let o = rolegate(&["users", "search", "--policy", s(&policy), "olivia"]);
    ok(&o);
    let out = stdout(&o);
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("\\u{1b}"), "{out}");
}

#[test]
fn a_newcomers_first_policy_compiles() {
    let dir = Workdir::new();
    let mut p = acme();
    // Every permission it uses listed, catalog ones included; lowest_level left out where
    // the kind says it.
    p["permissions"]
        .as_array_mut()
        .unwrap()
        .extend(["messaging/services/read".into(), "iam/users/read".into()]);
    p["roles"].as_array_mut().unwrap().push(serde_json::json!({
        "id": "auditor", "name": "Auditor", "kind": "organization", "allow": ["iam/**"]
    }));
    let policy = dir.write_json("first.json", &p);
    ok(&rolegate(&["validate", s(&policy)]));
    let out = dir.compile(&policy);
    let o = rolegate(&["roles", "show", "--snapshot", s(&out), "auditor", "--json"]);
    ok(&o);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["role"]["lowest_level"], "organization");
    // A built-in role still needs its level, said plainly.
    p["roles"].as_array_mut().unwrap().push(serde_json::json!({
        "id": "viewer-2", "name": "Viewer 2", "kind": "built-in", "allow": ["iam/**"]
    }));
    let policy = dir.write_json("builtin.json", &p);
    assert_bad_input(&rolegate(&["validate", s(&policy)]), "needs `lowest_level`");
    // Every broken rule at once, not only the first.
    let mut p = acme();
    p["assignments"][0]["role"] = "no-such-role".into();
    p["assignments"][1]["scope"] = "ACnowhere".into();
    let policy = dir.write_json("broken.json", &p);
    let o = rolegate(&["compile", s(&policy), "-o", s(&dir.path("x.rgs"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).lines().count() >= 2, "{}", stderr(&o));
    // The catalog is listed.
    let o = rolegate(&["catalog", "--snapshot", s(&out), "--json"]);
    ok(&o);
    let catalog: Vec<String> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(catalog.contains(&"messaging/services/read".to_string()));
    assert!(
        catalog.windows(2).all(|w| w[0] < w[1]),
        "sorted, no duplicates"
    );
}
