//! The `rolegate` binary as a user meets it: exit codes, JSON, and one clear line per error.

// Test code: a panic is how a failure is reported.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use crate::*;

#[test]
fn demo_prints_the_table() {
    let o = rolegate(&["demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Acme Corp"));
    let rows = out
        .lines()
        .filter(|l| l.contains("ALLOW") || l.contains("DENY"))
        .count();
    assert!(rows >= 12, "{out}");
    assert!(out.contains("unknown permission"));
}

#[test]
fn demo_json_matches_the_compiled_file() {
    let o = rolegate(&["demo", "--json"]);
    assert!(o.status.success());
    let answers: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let dir = Workdir::new();
    let snapshot = dir.compile(Path::new(ACME));
    // The embedded organization and the file are the same: every answer is reproduced.
    for a in &answers {
        let mut args = vec![
            "check".to_string(),
            "--json".into(),
            "--snapshot".into(),
            s(&snapshot).into(),
            "--user".into(),
            a["user"].as_str().unwrap().into(),
            "--permission".into(),
            a["permission"].as_str().unwrap().into(),
            "--scope".into(),
            a["scope"].as_str().unwrap().into(),
        ];
        if let Some(r) = a["resource"].as_object() {
            args.push("--resource".into());
            args.push(format!(
                "{}:{}",
                r["type"].as_str().unwrap(),
                r["id"].as_str().unwrap()
            ));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = rolegate(&args);
        let decision: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(decision, a["decision"]);
        let allowed = decision["allowed"].as_bool().unwrap();
        assert_eq!(o.status.code(), Some(if allowed { 0 } else { 1 }));
        // The wasmtime guest gives the same JSON, and so did the demo's wasmtime column.
        let mut wasm = args.clone();
        wasm.extend(["--engine", "wasm"]);
        let o = rolegate(&wasm);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap(),
            a["decision"]
        );
        assert_eq!(o.status.code(), Some(if allowed { 0 } else { 1 }));
        assert_eq!(a["wasmtime"], a["decision"]);
    }
}

#[test]
fn check_exits_0_on_allow_and_1_on_deny_with_the_reason_in_json() {
    let dir = Workdir::new();
    let snapshot = dir.compile(Path::new(ACME));
    let p = acme();
    let paul = id(&p, "users", 3);
    let (production, marketing, production_eu) = (
        id(&p, "accounts", 0),
        id(&p, "accounts", 2),
        id(&p, "subaccounts", 0),
    );

    let o = rolegate(&[
        "check",
        "--snapshot",
        s(&snapshot),
        "--user",
        &paul,
        "--permission",
        "voice/calls/create",
        "--scope",
        &production_eu,
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d["allowed"], true);
    assert_eq!(d["reason"]["kind"], "granted");
    assert_eq!(d["reason"]["role"], "owner");
    assert_eq!(d["reason"]["scope"], production.as_str());

    let o = rolegate(&[
        "check",
        "--snapshot",
        s(&snapshot),
        "--user",
        &paul,
        "--permission",
        "messaging/messages/send",
        "--scope",
        &marketing,
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d["allowed"], false);
    assert_eq!(d["reason"]["kind"], "no-matching-assignment");

    // explain says why not, and what would grant it.
    let o = rolegate(&[
        "explain",
        "--snapshot",
        s(&snapshot),
        "--user",
        &paul,
        "--permission",
        "messaging/messages/send",
        "--scope",
        &marketing,
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("do not reach here") && out.contains("Owner at Production"),
        "{out}"
    );
    assert!(out.contains("would be granted by"), "{out}");
}

#[test]
fn queries_answer_from_the_snapshot() {
    let dir = Workdir::new();
    let snapshot = dir.compile(Path::new(ACME));
    let p = acme();
    let nora = id(&p, "users", 7);
    let prod_us = id(&p, "subaccounts", 1);
    let o = rolegate(&[
        "permissions",
        "--snapshot",
        s(&snapshot),
        "--user",
        &nora,
        "--scope",
        &prod_us,
        "--json",
    ]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let perms: Vec<&str> = v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(
        perms,
        [
            "messaging/services/read",
            "phone-numbers/numbers/configure",
            "phone-numbers/numbers/read"
        ]
    );

    let o = rolegate(&[
        "who-can",
        "--snapshot",
        s(&snapshot),
        "--permission",
        "iam/ownership/transfer",
        "--scope",
        &id(&p, "accounts", 0),
        "--json",
    ]);
    let holders: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = holders
        .iter()
        .map(|h| h["user"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"Olivia Okafor") && names.contains(&"Paul Park"),
        "{names:?}"
    );

    let o = rolegate(&[
        "scopes",
        "--snapshot",
        s(&snapshot),
        "--user",
        &id(&p, "users", 5),
        "--permission",
        "studio/flows/update",
        "--json",
    ]);
    let scopes: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = scopes.iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Staging", "Production EU"]);
}

#[test]
fn inspect_reports_counts_and_sizes() {
    let dir = Workdir::new();
    let snapshot = dir.compile(Path::new(ACME));
    let o = rolegate(&["inspect", s(&snapshot), "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["organization"]["name"], "Acme Corp");
    assert_eq!(v["revision"], 1);
    assert_eq!(v["counts"]["users"], 10);
    assert_eq!(v["counts"]["subaccounts"], 3);
    assert_eq!(
        v["bytes"]["snapshot"],
        std::fs::metadata(&snapshot).unwrap().len()
    );
}

#[test]
fn malformed_json_names_file_and_position() {
    let dir = Workdir::new();
    let bad = dir.path("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"organization\": {\"id\": \"OR1\", \"name\": \"x\"},\n  \"users\": [,]\n}",
    )
    .unwrap();
    let o = rolegate(&["compile", s(&bad), "-o", s(&dir.path("out.rgs"))]);
    assert_bad_input(&o, "bad.json");
    assert!(stderr(&o).contains("line 3"), "{}", stderr(&o));
    assert!(!dir.path("out.rgs").exists());

    // A typo in a field name is refused, naming the field.
    let mut p = acme();
    p["users"][0]["mail"] = "x@example.com".into();
    let f = dir.write_json("typo.json", &p);
    let o = rolegate(&["compile", s(&f), "-o", s(&dir.path("out.rgs"))]);
    assert_bad_input(&o, "`mail`");
    assert!(stderr(&o).contains("users[0]"), "{}", stderr(&o));
}

#[test]
fn broken_rules_exit_2_each_on_its_line() {
    let dir = Workdir::new();
    let out = dir.path("out.rgs");

    let mut p = acme();
    p["assignments"][6]["role"] = "no-such-role".into();
    let f = dir.write_json("unknown-role.json", &p);
    assert_broken_rules(
        &rolegate(&["compile", s(&f), "-o", s(&out)]),
        "unknown role `no-such-role`",
    );

    // A 26th built-in role for one user.
    let mut p = acme();
    let user = id(&p, "users", 1);
    let org = p["organization"]["id"].as_str().unwrap().to_string();
    let mut scopes = vec![org];
    scopes.extend((0..3).map(|i| id(&p, "accounts", i)));
    let roles = [
        "studio-admin",
        "studio-viewer",
        "messaging-services-configurator",
        "messaging-services-viewer",
        "messaging-user",
        "numbers-configuration-editor",
        "numbers-configuration-viewer",
    ];
    let mut n = 0;
    'fill: for role in roles {
        for scope in &scopes {
            if n == 26 {
                break 'fill;
            }
            p["assignments"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({
                    "id": format!("RAcap{n}"), "user": user, "role": role, "scope": scope
                }));
            n += 1;
        }
    }
    let f = dir.write_json("cap.json", &p);
    assert_broken_rules(
        &rolegate(&["compile", s(&f), "-o", s(&out)]),
        "holds 26 built-in roles; the limit is 25",
    );

    // A role at a scope level it does not allow.
    let mut p = acme();
    let org = p["organization"]["id"].as_str().unwrap().to_string();
    p["assignments"][6]["scope"] = org.into();
    let f = dir.write_json("level.json", &p);
    assert_broken_rules(
        &rolegate(&["compile", s(&f), "-o", s(&out)]),
        "cannot be assigned at the organization level",
    );

    // A nested subaccount.
    let mut p = acme();
    let parent = id(&p, "subaccounts", 0);
    p["subaccounts"][1]["account"] = parent.clone().into();
    let f = dir.write_json("nested.json", &p);
    assert_broken_rules(
        &rolegate(&["compile", s(&f), "-o", s(&out)]),
        &format!("is under subaccount `{parent}`"),
    );

    assert!(!out.exists(), "a failed compile wrote a snapshot");
}

#[test]
fn damaged_snapshots_exit_2_with_one_line() {
    let dir = Workdir::new();
    let snapshot = dir.compile(Path::new(ACME));
    let bytes = std::fs::read(&snapshot).unwrap();
    let p = acme();
    let args = |f: &Path| {
        vec![
            "check".to_string(),
            "--snapshot".into(),
            s(f).into(),
            "--user".into(),
            id(&p, "users", 0),
            "--permission".into(),
            "iam/users/read".into(),
            "--scope".into(),
            id(&p, "accounts", 0),
        ]
    };
    let run = |f: &Path| {
        let a = args(f);
        rolegate(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let truncated = dir.path("truncated.rgs");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert_bad_input(
        &run(&truncated),
        "truncated.rgs: malformed snapshot envelope",
    );

    let random = dir.path("random.rgs");
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&random, noise).unwrap();
    assert_bad_input(&run(&random), "random.rgs: not a rolegate snapshot");

    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x10;
    let damaged = dir.path("damaged.rgs");
    std::fs::write(&damaged, flipped).unwrap();
    assert_bad_input(&run(&damaged), "checksum mismatch");

    assert_bad_input(&run(&dir.path("missing.rgs")), "missing.rgs");
}

#[test]
fn a_bad_resource_argument_is_bad_input() {
    let dir = Workdir::new();
    let snapshot = dir.compile(Path::new(ACME));
    let o = rolegate(&[
        "check",
        "--snapshot",
        s(&snapshot),
        "--user",
        "US1",
        "--permission",
        "iam/users/read",
        "--scope",
        "AC1",
        "--resource",
        "billing-group",
    ]);
    assert_bad_input(&o, "`billing-group` is not of the form TYPE:ID");
}

#[test]
fn validate_lists_every_problem() {
    let dir = Workdir::new();
    let mut p = acme();
    p["assignments"][6]["role"] = "no-such-role".into();
    p["assignments"][7]["user"] = "USghost".into();
    let f = dir.write_json("two.json", &p);
    let o = rolegate(&["validate", s(&f)]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(err.contains("no-such-role") && err.contains("USghost"));
    let o = rolegate(&["validate", ACME]);
    assert!(o.status.success());
}
