//! Many `rolegate assign` processes on one policy file at once: every acknowledged change is
//! in the final file and in the audit log, each at its own revision.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::*;

#[test]
fn concurrent_assigns_lose_no_update() {
    let dir = Workdir::new();
    let json = acme();
    let policy = dir.write_json("acme.json", &json);
    let adam = id(&json, "users", 1);
    let org = json["organization"]["id"].as_str().unwrap().to_string();
    let roles = [
        "studio-viewer",
        "voice-viewer",
        "verify-viewer",
        "monitor-viewer",
    ];
    let mut jobs = Vec::new();
    for u in 0..8 {
        for role in &roles[..2 + u % 3] {
            jobs.push((id(&json, "users", u), role.to_string()));
        }
    }
    let children: Vec<_> = jobs
        .iter()
        .map(|(user, role)| {
            Command::new(env!("CARGO_BIN_EXE_rolegate"))
                .args([
                    "assign",
                    "--policy",
                    s(&policy),
                    "--actor",
                    &adam,
                    "--user",
                    user,
                ])
                .args(["--scope", &org, "--role", role, "--json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut acknowledged = Vec::new();
    for (child, job) in children.into_iter().zip(&jobs) {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{job:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let record: Value = serde_json::from_slice(&out.stdout).unwrap();
        acknowledged.push(record);
    }
    assert!(acknowledged.len() >= 20);

    let final_policy: Value =
        serde_json::from_str(&std::fs::read_to_string(&policy).unwrap()).unwrap();
    assert_eq!(final_policy["revision"], 1 + acknowledged.len() as u64);
    let ids: BTreeSet<&str> = final_policy["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    for record in &acknowledged {
        let added = record["change"]["added"][0]["id"].as_str().unwrap();
        assert!(
            ids.contains(added),
            "acknowledged {added} is missing from the policy"
        );
    }
    for (user, role) in &jobs {
        let held = final_policy["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| {
                a["user"] == user.as_str()
                    && a["role"] == role.as_str()
                    && a["scope"] == org.as_str()
            });
        assert!(held, "{user} lost {role}");
    }

    let audit = std::fs::read_to_string(dir.path("acme.audit.jsonl")).unwrap();
    let revisions: BTreeSet<u64> = audit
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["revision"]
                .as_u64()
                .unwrap()
        })
        .collect();
    let expected: BTreeSet<u64> = (2..2 + acknowledged.len() as u64).collect();
    assert_eq!(
        revisions, expected,
        "each change once, each at its own revision"
    );
    assert_eq!(audit.lines().count(), acknowledged.len());
}
