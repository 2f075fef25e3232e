//! Admin operations, exhaustively: a small organization with a few users of each role, every
//! operation by every actor on every target, each accepted exactly when a plainly written rule
//! table — independent of the engine — says it should be.

use rolegate_core::{
    AdminError, Operation, Policy, ResourceKey, Settings, User, apply, dry_run, validate,
};

const ORG: &str = "ORsmall";
const A1: &str = "ACone";
const A2: &str = "ACtwo";
const S1: &str = "ACone-sub";
const BG: &str = "BGone";

/// (user, [(role, scope)]) of the small organization.
const PEOPLE: &[(&str, &[(&str, &str)])] = &[
    ("USorg-owner", &[("organization-owner", ORG)]),
    ("USorg-admin", &[("organization-administrator", ORG)]),
    ("USbilling", &[("organization-billing-viewer", ORG)]),
    ("USowner-one", &[("owner", A1)]),
    ("USowner-two", &[("owner", A2)]),
    ("USdeveloper", &[("developer", A1)]),
    ("USstudio", &[("studio-admin", S1)]),
    ("USgroup", &[("billing-group-viewer", ORG)]),
    ("USplain", &[]),
];

const ROLES: &[&str] = &[
    "organization-owner",
    "organization-administrator",
    "organization-billing-viewer",
    "owner",
    "administrator",
    "developer",
    "studio-admin",
    "numbers-purchaser",
    "billing-group-viewer",
];

const SCOPES: &[&str] = &[ORG, A1, S1, A2];

fn small_org() -> Policy {
    let mut assignments = Vec::new();
    let mut users = Vec::new();
    for (n, (user, held)) in PEOPLE.iter().enumerate() {
        users.push(serde_json::json!({"id": user, "name": format!("User {n}"), "email": format!("u{n}@example.com")}));
        for (i, (role, scope)) in held.iter().enumerate() {
            let mut a = serde_json::json!({"id": format!("RA{n}-{i}"), "user": user, "role": role, "scope": scope});
            if *role == "billing-group-viewer" {
                a["resource"] = serde_json::json!({"type": "billing-group", "id": BG});
            }
            assignments.push(a);
        }
    }
    serde_json::from_value(serde_json::json!({
        "revision": 10,
        "organization": {"id": ORG, "name": "Small"},
        "accounts": [{"id": A1, "name": "One"}, {"id": A2, "name": "Two"}],
        "subaccounts": [{"id": S1, "name": "One Sub", "account": A1}],
        "users": users,
        "resources": [{"type": "billing-group", "id": BG, "name": "Group"}],
        "assignments": assignments,
    }))
    .unwrap()
}

// ---- The rule table, written from the rules, not from the engine. ----

fn level(scope: &str) -> &'static str {
    match scope {
        ORG => "organization",
        A1 | A2 => "account",
        _ => "subaccount",
    }
}

fn levels_of(role: &str) -> &'static [&'static str] {
    match role {
        "organization-owner"
        | "organization-administrator"
        | "organization-billing-viewer"
        | "billing-group-viewer" => &["organization"],
        "owner" | "administrator" | "developer" => &["account"],
        "numbers-purchaser" => &["organization", "account"],
        "studio-admin" => &["organization", "account", "subaccount"],
        other => panic!("no level rule for {other}"),
    }
}

fn manager(actor: &str) -> bool {
    actor == "USorg-owner" || actor == "USorg-admin"
}

/// An Organization Administrator lacks only deleting the organization and transferring
/// ownership; the roles that grant those are beyond them.
fn within_power(actor: &str, role: &str) -> bool {
    actor == "USorg-owner" || !matches!(role, "organization-owner" | "owner")
}

fn holds(user: &str, role: &str, scope: &str) -> bool {
    PEOPLE
        .iter()
        .any(|(u, held)| *u == user && held.iter().any(|&(r, s)| r == role && s == scope))
}

fn held_at(user: &str, scope: &str) -> Vec<&'static str> {
    PEOPLE
        .iter()
        .filter(|(u, _)| *u == user)
        .flat_map(|(_, held)| held.iter().filter(|(_, s)| *s == scope).map(|(r, _)| *r))
        .collect()
}

fn roles_of(user: &str) -> Vec<&'static str> {
    PEOPLE
        .iter()
        .filter(|(u, _)| *u == user)
        .flat_map(|(_, h)| h.iter().map(|(r, _)| *r))
        .collect()
}

fn owner_of(account: &str) -> &'static str {
    if account == A1 {
        "USowner-one"
    } else {
        "USowner-two"
    }
}

fn expected(actor: &str, op: &Operation) -> bool {
    match op {
        Operation::Assign {
            user, scope, roles, ..
        } => {
            let role = roles[0].as_str();
            manager(actor)
                && within_power(actor, role)
                && levels_of(role).contains(&level(scope))
                && !holds(user, role, scope)
                && role != "owner" // every account already has its one Owner
        }
        Operation::Unassign { user, scope, .. } => {
            let held = held_at(user, scope);
            manager(actor)
                && !held.is_empty()
                && !held.contains(&"owner")
                && held.iter().all(|r| within_power(actor, r))
                && !held.contains(&"organization-owner") // the only Organization Owner
        }
        Operation::RemoveRole {
            user, scope, role, ..
        } => {
            manager(actor)
                && holds(user, role, scope)
                && role != "owner"
                && role != "organization-owner"
                && within_power(actor, role)
        }
        Operation::TransferOwnership { account, to } => {
            (account == A1 || account == A2)
                && to != owner_of(account)
                && (actor == "USorg-owner" || actor == owner_of(account))
        }
        Operation::AddUser { user } => manager(actor) && !PEOPLE.iter().any(|(u, _)| *u == user.id),
        // Renaming or deactivating acts on who the user is: as far as their most powerful
        // role reaches. The only Organization Owner stays active.
        Operation::UpdateUser { user, active, .. } => {
            manager(actor)
                && roles_of(user).iter().all(|r| within_power(actor, r))
                && !(*active == Some(false) && roles_of(user).contains(&"organization-owner"))
        }
        Operation::UpdateSettings { settings } => {
            // Nobody in the small organization holds more than one built-in role.
            manager(actor) && settings.max_built_in_roles_per_user >= 1
        }
        Operation::RemoveUser { user } => {
            let held = roles_of(user);
            manager(actor)
                && !held.contains(&"owner")
                && !held.contains(&"organization-owner")
                && held.iter().all(|r| within_power(actor, r))
        }
    }
}

fn operations() -> Vec<Operation> {
    let users: Vec<&str> = PEOPLE.iter().map(|(u, _)| *u).collect();
    let mut ops = Vec::new();
    for user in &users {
        for scope in SCOPES {
            for role in ROLES {
                let resources = if *role == "billing-group-viewer" {
                    vec![ResourceKey {
                        resource_type: "billing-group".into(),
                        id: BG.into(),
                    }]
                } else {
                    vec![]
                };
                ops.push(Operation::Assign {
                    user: user.to_string(),
                    scope: scope.to_string(),
                    roles: vec![role.to_string()],
                    resources,
                });
                ops.push(Operation::RemoveRole {
                    user: user.to_string(),
                    scope: scope.to_string(),
                    role: role.to_string(),
                    resource: None,
                });
            }
            ops.push(Operation::Unassign {
                user: user.to_string(),
                scope: scope.to_string(),
                resource: None,
            });
            ops.push(Operation::TransferOwnership {
                account: scope.to_string(),
                to: user.to_string(),
            });
        }
        ops.push(Operation::UpdateUser {
            user: user.to_string(),
            name: Some("Renamed".into()),
            email: None,
            external_id: None,
            active: None,
        });
        ops.push(Operation::UpdateUser {
            user: user.to_string(),
            name: None,
            email: None,
            external_id: Some(Some(format!("ext-{user}"))),
            active: Some(false),
        });
        ops.push(Operation::RemoveUser {
            user: user.to_string(),
        });
        ops.push(Operation::AddUser {
            user: User::new(user.to_string(), "Again", "again@example.com"),
        });
    }
    ops.push(Operation::AddUser {
        user: User::new("USnew", "New", "new@example.com"),
    });
    for cap in [0, 1, 30] {
        ops.push(Operation::UpdateSettings {
            settings: Settings {
                max_built_in_roles_per_user: cap,
            },
        });
    }
    ops
}

#[test]
fn every_operation_is_accepted_exactly_when_the_rule_table_says() {
    let policy = small_org();
    assert_eq!(validate(&policy), vec![]);
    let mut accepted = 0;
    let mut refused = 0;
    let mut disagreements = Vec::new();
    for actor in PEOPLE.iter().map(|(u, _)| *u) {
        for op in operations() {
            let want = expected(actor, &op);
            let result = apply(&policy, actor, &op, 1_800_000_000);
            let tried = dry_run(&policy, actor, &op);
            // A dry run agrees with the real thing, change included.
            assert_eq!(
                tried.violations.is_empty(),
                result.is_ok(),
                "{actor} {op:?}"
            );
            match &result {
                Ok(applied) => {
                    accepted += 1;
                    assert_eq!(applied.policy.revision, policy.revision + 1);
                    assert_eq!(applied.record.revision, policy.revision + 1);
                    assert_eq!(applied.record.change, tried.change);
                    assert_eq!(validate(&applied.policy), vec![]);
                }
                Err(_) => refused += 1,
            }
            if want != result.is_ok() {
                disagreements.push(format!(
                    "{actor} {op:?}: table says {want}, engine says {result:?}"
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    // Both answers occur often: the table is not trivially all-yes or all-no.
    assert!(
        accepted > 100 && refused > 1000,
        "accepted {accepted}, refused {refused}"
    );
}

#[test]
fn refusals_name_the_rule() {
    let policy = small_org();
    let err = |actor: &str, op: Operation| apply(&policy, actor, &op, 0).unwrap_err();
    assert!(matches!(
        err(
            "USdeveloper",
            Operation::Unassign {
                user: "USstudio".into(),
                scope: S1.into(),
                resource: None,
            }
        ),
        AdminError::NotAuthorized { .. }
    ));
    assert!(matches!(
        err(
            "USorg-admin",
            Operation::Assign {
                user: "USplain".into(),
                scope: ORG.into(),
                roles: vec!["organization-owner".into()],
                resources: vec![]
            }
        ),
        AdminError::MorePowerful { verb: "grant", .. }
    ));
    assert!(matches!(
        err(
            "USorg-owner",
            Operation::Unassign {
                user: "USowner-one".into(),
                scope: A1.into(),
                resource: None,
            }
        ),
        AdminError::AccountOwnerProtected { .. }
    ));
    assert!(matches!(
        err(
            "USorg-owner",
            Operation::RemoveUser {
                user: "USorg-owner".into()
            }
        ),
        AdminError::LastOrganizationOwner { .. }
    ));
    assert!(matches!(
        err(
            "USorg-owner",
            Operation::Assign {
                user: "USplain".into(),
                scope: S1.into(),
                roles: vec!["developer".into()],
                resources: vec![]
            }
        ),
        AdminError::Rule(rolegate_core::CompileError::LevelNotAllowed { .. })
    ));
    assert!(matches!(
        err(
            "USghost",
            Operation::UpdateUser {
                user: "USplain".into(),
                name: Some("x".into()),
                email: None,
                external_id: None,
                active: None,
            }
        ),
        AdminError::NotAuthorized { .. }
    ));
}

#[test]
fn a_second_organization_owner_can_be_removed_but_not_the_last() {
    let policy = small_org();
    let two = apply(
        &policy,
        "USorg-owner",
        &Operation::Assign {
            user: "USplain".into(),
            scope: ORG.into(),
            roles: vec!["organization-owner".into()],
            resources: vec![],
        },
        0,
    )
    .unwrap()
    .policy;
    let one = apply(
        &two,
        "USplain",
        &Operation::RemoveRole {
            user: "USorg-owner".into(),
            scope: ORG.into(),
            role: "organization-owner".into(),
            resource: None,
        },
        0,
    )
    .unwrap()
    .policy;
    let last = apply(
        &one,
        "USplain",
        &Operation::Unassign {
            user: "USplain".into(),
            scope: ORG.into(),
            resource: None,
        },
        0,
    );
    assert_eq!(
        last.unwrap_err(),
        AdminError::LastOrganizationOwner {
            user: "USplain".into()
        }
    );
}

#[test]
fn transferring_ownership_moves_the_owner_assignment() {
    let policy = small_org();
    let applied = apply(
        &policy,
        "USowner-one",
        &Operation::TransferOwnership {
            account: A1.into(),
            to: "USdeveloper".into(),
        },
        0,
    )
    .unwrap();
    let owners: Vec<&str> = applied
        .policy
        .assignments
        .iter()
        .filter(|a| a.role == "owner" && a.scope == A1)
        .map(|a| a.user.as_str())
        .collect();
    assert_eq!(owners, ["USdeveloper"]);
    assert_eq!(applied.record.change.removed.len(), 1);
    assert_eq!(applied.record.change.added.len(), 1);
}

/// Deleting one row of a user's Role Assignments tab: the organization's plain row and each
/// resource's row are apart, as the console shows them.
#[test]
fn unassign_deletes_one_row_of_a_scope() {
    let acme = crate::common::acme();
    let org = acme.organization.id.clone();
    let (olivia, gary) = (
        "US47bc17dc1a2f164967f55325d866c75c",
        "US03b083fd0aadc8883198881ba88111ab",
    );
    let emea = ResourceKey {
        resource_type: "billing-group".into(),
        id: "BG7d81d267f4e09cbd3c8fb2765b28554b".into(),
    };
    // Gary's billing-group roles are two resource rows at the organization.
    let before = acme
        .assignments
        .iter()
        .filter(|a| a.user == gary && a.scope == org)
        .count();
    assert_eq!(before, 2);
    let one_row = Operation::Unassign {
        user: gary.into(),
        scope: org.clone(),
        resource: Some(Some(emea.clone())),
    };
    let applied = apply(&acme, olivia, &one_row, 0).unwrap();
    assert_eq!(applied.record.change.removed.len(), 1);
    assert_eq!(applied.record.change.removed[0].resource, Some(emea));
    // The plain row: Gary has none at the organization, so nothing to remove.
    let plain = Operation::Unassign {
        user: gary.into(),
        scope: org.clone(),
        resource: Some(None),
    };
    assert!(matches!(
        apply(&acme, olivia, &plain, 0).unwrap_err(),
        AdminError::NothingToRemove { .. }
    ));
    // Without a row, the whole scope.
    let all = Operation::Unassign {
        user: gary.into(),
        scope: org,
        resource: None,
    };
    assert_eq!(
        apply(&acme, olivia, &all, 0)
            .unwrap()
            .record
            .change
            .removed
            .len(),
        2
    );
}
