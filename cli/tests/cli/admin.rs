//! The seed's user-management flows, as a new user would walk them through the CLI.

use std::path::PathBuf;

use serde_json::Value;

use crate::*;

/// The demo organization in a scratch directory, with names for its people and places.
pub struct Org {
    pub dir: Workdir,
    pub policy: PathBuf,
    pub json: Value,
}

impl Org {
    pub fn new() -> Org {
        let dir = Workdir::new();
        let json = acme();
        let policy = dir.write_json("acme.json", &json);
        Org { dir, policy, json }
    }
    pub fn user(&self, i: usize) -> String {
        id(&self.json, "users", i)
    }
    pub fn account(&self, i: usize) -> String {
        id(&self.json, "accounts", i)
    }
    pub fn subaccount(&self, i: usize) -> String {
        id(&self.json, "subaccounts", i)
    }
    pub fn org(&self) -> String {
        self.json["organization"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
    pub fn group(&self, i: usize) -> String {
        format!(
            "billing-group:{}",
            self.json["resources"][i]["id"].as_str().unwrap()
        )
    }
    /// Runs a change command as `actor`.
    pub fn run(&self, command: &[&str], actor: &str) -> std::process::Output {
        let mut args: Vec<&str> = command.to_vec();
        args.extend(["--policy", s(&self.policy), "--actor", actor]);
        rolegate(&args)
    }
    pub fn show(&self, user: &str) -> Value {
        let o = rolegate(&["users", "show", "--policy", s(&self.policy), user, "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    }
    pub fn search(&self, query: &str) -> Vec<String> {
        let o = rolegate(&[
            "users",
            "search",
            "--policy",
            s(&self.policy),
            query,
            "--json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let hits: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
        hits.iter()
            .map(|h| h["user"]["id"].as_str().unwrap().to_string())
            .collect()
    }
    pub fn bytes(&self) -> (Vec<u8>, Option<Vec<u8>>) {
        (
            std::fs::read(&self.policy).unwrap(),
            std::fs::read(self.audit()).ok(),
        )
    }
    pub fn audit(&self) -> PathBuf {
        self.dir.path("acme.audit.jsonl")
    }
    pub fn audit_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(self.audit())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

/// The roles in a user's rows at `scope` (rows without a resource).
fn roles_at(entry: &Value, scope: &str) -> Vec<String> {
    entry["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["scope"]["id"] == scope && r["resource"].is_null())
        .flat_map(|r| {
            r["roles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["id"].as_str().unwrap().to_string())
        })
        .collect()
}

pub fn ok(o: &std::process::Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
}

// Acme's people, by position in the policy.
pub const OLIVIA: usize = 0; // Organization Owner
pub const ADAM: usize = 1; // Organization Administrator
pub const PAUL: usize = 3; // Owner of Production and Staging
pub const DANA: usize = 5; // Developer
pub const SAM: usize = 6;
const NORA: usize = 7;
const GARY: usize = 8;
const CORA: usize = 9;

#[test]
fn an_administrator_manages_assignments_at_every_scope() {
    let org = Org::new();
    let adam = org.user(ADAM);
    let (sam, cora, nora) = (org.user(SAM), org.user(CORA), org.user(NORA));
    let (staging, production_us) = (org.account(1), org.subaccount(1));

    ok(&org.run(
        &[
            "assign",
            "--user",
            &sam,
            "--scope",
            &org.org(),
            "--role",
            "monitor-viewer",
        ],
        &adam,
    ));
    ok(&org.run(
        &[
            "assign",
            "--user",
            &cora,
            "--scope",
            &staging,
            "--role",
            "developer",
            "--role",
            "verify-admin",
        ],
        &adam,
    ));
    ok(&org.run(
        &[
            "assign",
            "--user",
            &nora,
            "--scope",
            &production_us,
            "--role",
            "studio-viewer",
        ],
        &adam,
    ));

    assert_eq!(roles_at(&org.show(&sam), &org.org()), ["monitor-viewer"]);
    assert_eq!(
        roles_at(&org.show(&cora), &staging),
        ["developer", "verify-admin"]
    );
    let nora_entry = org.show(&nora);
    assert!(roles_at(&nora_entry, &production_us).contains(&"studio-viewer".to_string()));

    // The decisions follow: compile and ask.
    let snapshot = org.dir.path("acme.rgs");
    ok(&rolegate(&["compile", s(&org.policy), "-o", s(&snapshot)]));
    let o = rolegate(&[
        "check",
        "--snapshot",
        s(&snapshot),
        "--user",
        &cora,
        "--permission",
        "verify/services/manage",
        "--scope",
        &staging,
    ]);
    ok(&o);

    // Every change is in the audit log, with the actor and a rising revision.
    let audit = org.audit_lines();
    assert_eq!(audit.len(), 3);
    for (i, record) in audit.iter().enumerate() {
        assert_eq!(record["actor"], adam.as_str());
        assert_eq!(record["revision"], 2 + i as u64);
        assert_eq!(record["operation"]["op"], "assign");
    }
}

#[test]
fn search_finds_users_by_each_of_five_fields() {
    let org = Org::new();
    let (olivia, gary, dana, cora) = (
        org.user(OLIVIA),
        org.user(GARY),
        org.user(DANA),
        org.user(CORA),
    );
    assert_eq!(org.search("OKAFOR"), [olivia]); // name, any case
    assert_eq!(org.search("gary@acme"), [gary]); // email
    assert_eq!(org.search(&dana[2..14]), std::slice::from_ref(&dana)); // id
    let campaign = org.search("campaign manager"); // role name
    assert_eq!(campaign, [cora]);
    let eu = org.search("production eu"); // scope name
    assert_eq!(eu, [dana]);
    assert_eq!(org.search("").len(), 10);
    assert!(org.search("nobody-matches-this").is_empty());
}

#[test]
fn edit_removes_one_role_and_delete_removes_a_scope() {
    let org = Org::new();
    let (adam, cora) = (org.user(ADAM), org.user(CORA));
    let staging = org.account(1);
    ok(&org.run(
        &[
            "assign",
            "--user",
            &cora,
            "--scope",
            &staging,
            "--role",
            "developer",
            "--role",
            "voice-viewer",
            "--role",
            "studio-admin",
        ],
        &adam,
    ));
    ok(&org.run(
        &[
            "unassign",
            "--user",
            &cora,
            "--scope",
            &staging,
            "--role",
            "voice-viewer",
        ],
        &adam,
    ));
    assert_eq!(
        roles_at(&org.show(&cora), &staging),
        ["developer", "studio-admin"]
    );
    ok(&org.run(&["unassign", "--user", &cora, "--scope", &staging], &adam));
    assert!(roles_at(&org.show(&cora), &staging).is_empty());
    // Her other assignments are untouched.
    assert_eq!(org.show(&cora)["rows"].as_array().unwrap().len(), 2);
    // Nothing left to delete is its own error.
    let o = org.run(&["unassign", "--user", &cora, "--scope", &staging], &adam);
    assert_refused(&o, "holds no assignments");
}

#[test]
fn resource_based_assignments_are_separate_rows() {
    let org = Org::new();
    let (olivia, sam) = (org.user(OLIVIA), org.user(SAM));
    ok(&org.run(
        &[
            "assign",
            "--user",
            &sam,
            "--scope",
            &org.org(),
            "--role",
            "billing-group-viewer",
            "--role",
            "monitor-viewer",
            "--resource",
            &org.group(0),
            "--resource",
            &org.group(1),
        ],
        &olivia,
    ));
    let entry = org.show(&sam);
    let rows = entry["rows"].as_array().unwrap();
    let at_org: Vec<&Value> = rows
        .iter()
        .filter(|r| r["scope"]["id"] == org.org().as_str())
        .collect();
    assert_eq!(at_org.len(), 3, "{entry:#}");
    assert!(at_org[0]["resource"].is_null());
    assert_eq!(at_org[0]["roles"][0]["id"], "monitor-viewer");
    let groups: Vec<&str> = at_org[1..]
        .iter()
        .map(|r| r["resource"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(groups.len(), 2);
    assert!(groups.contains(&"EMEA billing") && groups.contains(&"Americas billing"));
}

#[test]
fn a_developer_is_refused_and_nothing_changes() {
    let org = Org::new();
    ok(&org.run(
        &[
            "assign",
            "--user",
            &org.user(SAM),
            "--scope",
            &org.org(),
            "--role",
            "monitor-viewer",
        ],
        &org.user(ADAM),
    ));
    let before = org.bytes();
    let dana = org.user(DANA);
    let o = org.run(
        &[
            "assign",
            "--user",
            &dana,
            "--scope",
            &org.account(1),
            "--role",
            "voice-admin",
        ],
        &dana,
    );
    assert_refused(
        &o,
        &format!("user `{dana}` may not create role assignments"),
    );
    assert_eq!(org.bytes(), before, "the policy or audit log changed");
    let o = org.run(
        &["users", "rename", "--id", &org.user(SAM), "--name", "Sam"],
        &dana,
    );
    assert_refused(&o, "not authorized");
    assert_eq!(org.bytes(), before);
}

#[test]
fn a_26th_built_in_role_is_refused() {
    let org = Org::new();
    let (adam, sam) = (org.user(ADAM), org.user(SAM));
    let roles = [
        "studio-admin",
        "studio-viewer",
        "messaging-services-configurator",
        "messaging-services-viewer",
        "messaging-user",
        "voice-admin",
        "voice-viewer",
        "conversations-admin",
        "conversations-viewer",
        "verify-admin",
        "verify-viewer",
        "monitor-viewer",
        "numbers-configuration-editor",
    ];
    let mut held = 0;
    for scope in [org.org(), org.account(0)] {
        let mut args = vec!["assign", "--user", &sam, "--scope", &scope];
        for role in roles.iter().take(25 - held) {
            args.extend(["--role", role]);
        }
        ok(&org.run(&args, &adam));
        held += roles.len().min(25 - held);
    }
    assert_eq!(held, 25);
    let before = org.bytes();
    let o = org.run(
        &[
            "assign",
            "--user",
            &sam,
            "--scope",
            &org.account(1),
            "--role",
            "studio-viewer",
        ],
        &adam,
    );
    assert_refused(
        &o,
        &format!("user `{sam}` holds 26 built-in roles; the limit is 25"),
    );
    assert_eq!(org.bytes(), before);
}

#[test]
fn owners_are_protected() {
    let org = Org::new();
    let (olivia, adam, paul) = (org.user(OLIVIA), org.user(ADAM), org.user(PAUL));
    let production = org.account(0);

    // An account's Owner assignment is not deleted by assignment management, by anyone.
    let o = org.run(
        &[
            "unassign",
            "--user",
            &paul,
            "--scope",
            &production,
            "--role",
            "owner",
        ],
        &olivia,
    );
    assert_refused(
        &o,
        "cannot be removed here; transfer the account's ownership instead",
    );
    let o = org.run(
        &["unassign", "--user", &paul, "--scope", &production],
        &olivia,
    );
    assert_refused(&o, "transfer the account's ownership instead");

    // The last Organization Owner stays.
    let o = org.run(
        &["unassign", "--user", &olivia, "--scope", &org.org()],
        &olivia,
    );
    assert_refused(&o, "is the last Organization Owner");

    // An administrator cannot create an Organization Owner.
    let o = org.run(
        &[
            "assign",
            "--user",
            &adam,
            "--scope",
            &org.org(),
            "--role",
            "organization-owner",
        ],
        &adam,
    );
    assert_refused(&o, "cannot grant role `organization-owner`");

    // Ownership moves only by transfer, recorded in the audit log.
    let dana = org.user(DANA);
    ok(&org.run(
        &["transfer-owner", "--account", &production, "--to", &dana],
        &paul,
    ));
    assert_eq!(roles_at(&org.show(&dana), &production), ["owner"]);
    assert!(roles_at(&org.show(&paul), &production).is_empty());
    let last = org.audit_lines().pop().unwrap();
    assert_eq!(last["operation"]["op"], "transfer-ownership");
    assert_eq!(last["change"]["removed"][0]["user"], paul.as_str());
}

#[test]
fn dry_run_shows_the_change_and_every_broken_rule_and_changes_nothing() {
    let org = Org::new();
    let adam = org.user(ADAM);
    let before = org.bytes();
    let o = org.run(
        &[
            "assign",
            "--user",
            &adam,
            "--scope",
            &org.account(0),
            "--role",
            "organization-owner",
            "--dry-run",
            "--json",
        ],
        &adam,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["accepted"], false);
    assert_eq!(v["change"]["added"][0]["role"], "organization-owner");
    let violations: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["message"].as_str().unwrap())
        .collect();
    assert!(
        v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["code"] == "more-powerful")
    );
    // Two rules at once: beyond the administrator's power, and not at an account.
    assert!(
        violations.iter().any(|x| x.contains("cannot grant")),
        "{violations:?}"
    );
    assert!(
        violations
            .iter()
            .any(|x| x.contains("cannot be assigned at the account level")),
        "{violations:?}"
    );
    assert_eq!(org.bytes(), before);

    let o = org.run(
        &[
            "assign",
            "--user",
            &org.user(SAM),
            "--scope",
            &org.org(),
            "--role",
            "monitor-viewer",
            "--dry-run",
        ],
        &adam,
    );
    ok(&o);
    assert!(stdout(&o).contains("would be accepted"));
    assert_eq!(org.bytes(), before);
}

#[test]
fn users_are_added_renamed_and_removed_with_their_assignments() {
    let org = Org::new();
    let olivia = org.user(OLIVIA);
    ok(&org.run(
        &[
            "users",
            "add",
            "--id",
            "USnewcomer",
            "--name",
            "Nia Newcomer",
            "--email",
            "nia@acme.example",
        ],
        &olivia,
    ));
    ok(&org.run(
        &[
            "assign",
            "--user",
            "USnewcomer",
            "--scope",
            &org.org(),
            "--role",
            "studio-viewer",
        ],
        &olivia,
    ));
    ok(&org.run(
        &[
            "users",
            "rename",
            "--id",
            "USnewcomer",
            "--name",
            "Nia Nakamura-Newcomer",
        ],
        &olivia,
    ));
    assert_eq!(org.search("nakamura-newcomer"), ["USnewcomer"]);
    ok(&org.run(&["users", "remove", "--id", "USnewcomer"], &olivia));
    assert!(org.search("newcomer").is_empty());
    let policy: Value =
        serde_json::from_str(&std::fs::read_to_string(&org.policy).unwrap()).unwrap();
    assert!(
        !policy["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["user"] == "USnewcomer")
    );
    // An account owner cannot be removed before ownership moves.
    let o = org.run(&["users", "remove", "--id", &org.user(PAUL)], &olivia);
    assert_refused(&o, "transfer the account's ownership instead");
}

#[test]
fn roles_are_listed_filtered_and_shown() {
    let o = rolegate(&["roles", "list", "--kind", "resource-based", "--json"]);
    ok(&o);
    let roles: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = roles.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["billing-group-admin", "billing-group-viewer"]);

    let org = Org::new();
    let o = rolegate(&[
        "roles",
        "list",
        "--policy",
        s(&org.policy),
        "--product",
        "campaigns",
        "--level",
        "subaccount",
        "--json",
    ]);
    let roles: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = roles.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["campaign-manager"]);

    let o = rolegate(&[
        "roles",
        "show",
        "--policy",
        s(&org.policy),
        "campaign-manager",
        "--json",
    ]);
    let role: Value = serde_json::from_slice(&o.stdout).unwrap();
    let perms: Vec<&str> = role["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        perms,
        [
            "campaigns/audiences/read",
            "campaigns/campaigns/launch",
            "campaigns/campaigns/read",
            "messaging/messages/send",
            "messaging/services/read"
        ]
    );
    assert_bad_input(
        &rolegate(&["roles", "list", "--kind", "mega"]),
        "invalid value 'mega' for '--kind <KIND>'",
    );
}
