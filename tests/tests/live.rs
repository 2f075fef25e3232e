//! The live policy against the reference: on random organizations, random sequences of
//! operations by random actors — right and wrong, authorized or not — judged incrementally by
//! [`LivePolicy`] and by planning on a copy and recompiling (`admin_reference`), must give
//! the same verdict (accepted, and the same broken rules), the same change and the same
//! policy, on every step. A third copy replays each accepted change, as another server would;
//! [`apply`] and [`dry_run`] (a live policy made for the one operation) agree too.

use std::collections::BTreeMap;

use rolegate_core::catalog::{self, ACCOUNT_OWNER, ORGANIZATION_ADMINISTRATOR, ORGANIZATION_OWNER};
use rolegate_core::{
    Assignment, AuditRecord, Change, CompileOptions, LivePolicy, Operation, Policy, ResourceKey,
    RoleKind, Settings, SigningKeyRef, User, apply, compile_signed, dry_run,
};
use rolegate_tests::admin_reference;
use rolegate_tests::generate::{self, Rng, Shape};

/// A policy with its users and assignments in id order, so two policies that hold the same
/// things compare equal whatever order they keep them in.
fn normal(mut p: Policy) -> Policy {
    p.users.sort_by(|a, b| a.id.cmp(&b.id));
    p.assignments.sort_by(|a, b| a.id.cmp(&b.id));
    p
}

fn normal_change(mut c: Change) -> Change {
    c.added.sort_by(|a, b| a.id.cmp(&b.id));
    c.removed.sort_by(|a, b| a.id.cmp(&b.id));
    c
}

/// The codes of the broken rules, as a multiset.
fn codes(violations: &[rolegate_core::AdminError]) -> Vec<String> {
    let mut codes: Vec<String> = violations.iter().map(|v| v.code().to_string()).collect();
    codes.sort();
    codes
}

/// An organization with an Organization Owner and Administrator to act as.
fn organization(seed: u64) -> Policy {
    let mut rng = Rng::new(seed);
    let mut shape = Shape::small(&mut rng);
    shape.users = shape.users.max(6);
    let mut p = generate::policy(&shape, seed);
    let org = p.organization.id.clone();
    for (i, role) in [ORGANIZATION_OWNER, ORGANIZATION_ADMINISTRATOR]
        .into_iter()
        .enumerate()
    {
        let user = p.users[i].id.clone();
        p.users[i].active = true;
        p.assignments.push(Assignment {
            id: format!("RAmanager{i}"),
            user,
            role: role.into(),
            scope: org.clone(),
            resource: None,
        });
    }
    p
}

/// A random operation on `p`: mostly about what exists, sometimes about what does not.
fn operation(p: &Policy, rng: &mut Rng) -> Operation {
    let mut roles: Vec<String> = catalog::default_role_ids().map(String::from).collect();
    roles.extend(p.roles.iter().map(|r| r.id.clone()));
    roles.push("no-such-role".into());
    let mut scopes: Vec<String> = vec![p.organization.id.clone()];
    scopes.extend(p.accounts.iter().map(|a| a.id.clone()));
    scopes.extend(p.subaccounts.iter().map(|s| s.id.clone()));
    scopes.push("ACnowhere".into());
    let user = |rng: &mut Rng| {
        if rng.chance(5) {
            "USnobody".to_string()
        } else {
            rng.pick(&p.users).map(|u| u.id.clone()).unwrap_or_default()
        }
    };
    let resource = |rng: &mut Rng| {
        if rng.chance(10) {
            ResourceKey {
                resource_type: "billing-group".into(),
                id: "BGnowhere".into(),
            }
        } else {
            rng.pick(&p.resources)
                .map(|r| ResourceKey {
                    resource_type: r.resource_type.clone(),
                    id: r.id.clone(),
                })
                .unwrap_or(ResourceKey {
                    resource_type: "billing-group".into(),
                    id: "BGnone".into(),
                })
        }
    };
    // Assignments that exist, to remove or edit.
    let existing = |rng: &mut Rng| rng.pick(&p.assignments).cloned();
    match rng.below(12) {
        0..=2 => {
            let n = 1 + rng.below(3);
            let picked: Vec<String> = (0..n).filter_map(|_| rng.pick(&roles).cloned()).collect();
            let resources = if rng.chance(40) {
                (0..1 + rng.below(2)).map(|_| resource(rng)).collect()
            } else {
                vec![]
            };
            Operation::Assign {
                user: user(rng),
                scope: rng.pick(&scopes).cloned().unwrap_or_default(),
                roles: picked,
                resources,
            }
        }
        3 => match existing(rng) {
            Some(a) => Operation::Unassign {
                user: a.user,
                scope: a.scope,
                resource: match rng.below(3) {
                    0 => None,
                    1 => Some(None),
                    _ => Some(a.resource),
                },
            },
            None => Operation::Unassign {
                user: user(rng),
                scope: p.organization.id.clone(),
                resource: None,
            },
        },
        4 | 5 => match existing(rng) {
            Some(a) => Operation::RemoveRole {
                user: a.user,
                scope: a.scope,
                role: a.role,
                resource: if rng.chance(50) { a.resource } else { None },
            },
            None => Operation::RemoveRole {
                user: user(rng),
                scope: p.organization.id.clone(),
                role: "developer".into(),
                resource: None,
            },
        },
        6 => Operation::TransferOwnership {
            account: rng.pick(&scopes).cloned().unwrap_or_default(),
            to: user(rng),
        },
        7 => {
            let n = rng.below(1000);
            let taken = rng.chance(20);
            Operation::AddUser {
                user: User {
                    external_id: rng.chance(50).then(|| format!("ext-{}", rng.below(8))),
                    active: !rng.chance(10),
                    ..User::new(
                        if rng.chance(10) {
                            p.users[0].id.clone()
                        } else {
                            format!("USadded{n}")
                        },
                        format!("Added {n}"),
                        if taken {
                            p.users[0].email.clone()
                        } else {
                            format!("added{n}@example.com")
                        },
                    )
                },
            }
        }
        8 | 9 => Operation::UpdateUser {
            user: user(rng),
            name: rng.chance(50).then(|| "Renamed".to_string()),
            email: rng.chance(20).then(|| {
                rng.pick(&p.users)
                    .map(|u| u.email.clone())
                    .unwrap_or_default()
            }),
            external_id: if rng.chance(40) {
                Some(rng.chance(70).then(|| format!("ext-{}", rng.below(8))))
            } else {
                None
            },
            active: rng.chance(60).then(|| rng.chance(50)),
        },
        10 => Operation::RemoveUser { user: user(rng) },
        _ => Operation::UpdateSettings {
            settings: Settings {
                max_built_in_roles_per_user: rng.below(4) as u32,
            },
        },
    }
}

fn actor(p: &Policy, rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=4 => p.users[0].id.clone(), // the Organization Owner
        5..=6 => p.users[1].id.clone(), // the Organization Administrator
        7 => "USstranger".into(),
        _ => rng.pick(&p.users).map(|u| u.id.clone()).unwrap_or_default(),
    }
}

#[test]
fn live_policy_judges_exactly_as_planning_and_recompiling() {
    let mut steps = 0;
    let mut accepted = 0;
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    for seed in 0..40u64 {
        let mut full = organization(seed);
        let mut live = LivePolicy::new(full.clone()).unwrap();
        let mut replica = LivePolicy::new(full.clone()).unwrap();
        let mut rng = Rng::new(seed ^ 0xa11ce);
        for step in 0..120 {
            let actor = actor(&full, &mut rng);
            let op = operation(&full, &mut rng);
            let context = format!("seed {seed} step {step}: {actor} {op:?}");
            let planned = admin_reference::plan(&full, &actor, &op);
            let judged = live.dry_run(&actor, &op);
            assert_eq!(dry_run(&full, &actor, &op), judged, "{context}");
            assert_eq!(
                codes(&judged.violations),
                codes(&planned.violations),
                "{context}"
            );
            assert_eq!(judged.revision, planned.after.revision, "{context}");
            if planned.violations.is_empty() {
                assert_eq!(
                    normal_change(judged.change.clone()),
                    normal_change(planned.change.clone()),
                    "{context}"
                );
            }
            for v in &planned.violations {
                *by_code.entry(v.code().to_string()).or_default() += 1;
            }
            let plain = apply(&full, &actor, &op, 7);
            let incremental = live.apply(&actor, &op, 7);
            match (plain, incremental) {
                (Ok(applied), Ok(record)) => {
                    accepted += 1;
                    assert!(planned.violations.is_empty(), "{context}");
                    assert_eq!(applied.record.change, record.change, "{context}");
                    // The reference's copy, `apply`'s (in the written order) and the live
                    // policy hold the same.
                    assert_eq!(
                        normal(planned.after.clone()),
                        normal(applied.policy.clone()),
                        "{context}"
                    );
                    full = applied.policy;
                    assert_eq!(
                        normal(live.policy().clone()),
                        normal(full.clone()),
                        "{context}"
                    );
                    replica.replay(&record).unwrap();
                }
                (Err(a), Err(b)) => {
                    assert_eq!(a.code(), b.code(), "{context}: {a} / {b}");
                    assert!(!planned.violations.is_empty(), "{context}");
                }
                (a, b) => panic!("{context}: apply {a:?}, live {b:?}"),
            }
            steps += 1;
        }
        assert_eq!(normal(replica.into_policy()), normal(full.clone()));
    }
    // The sequences met the rules, not just the happy path.
    assert!(accepted > steps / 5, "{accepted} of {steps} accepted");
    for code in [
        "not-authorized",
        "unknown-user",
        "unknown-scope",
        "unknown-role",
        "already-assigned",
        "nothing-to-remove",
        "account-owner-protected",
        "level-not-allowed",
        "identity-taken",
        "built-in-cap-exceeded",
        "user-exists",
    ] {
        assert!(by_code.contains_key(code), "no {code} among {by_code:?}");
    }
}

#[test]
fn a_replay_for_another_revision_or_missing_assignment_is_refused() {
    let p = organization(7);
    let mut live = LivePolicy::new(p.clone()).unwrap();
    let record = AuditRecord {
        revision: p.revision + 2,
        at: 0,
        actor: "x".into(),
        operation: Operation::RemoveUser { user: "x".into() },
        change: Change::default(),
    };
    assert!(live.replay(&record).is_err());
    let missing = AuditRecord {
        revision: p.revision + 1,
        change: Change {
            removed: vec![Assignment {
                id: "RAnowhere".into(),
                user: "x".into(),
                role: ACCOUNT_OWNER.into(),
                scope: "x".into(),
                resource: None,
            }],
            ..Change::default()
        },
        ..record
    };
    assert!(live.replay(&missing).is_err());
    assert_eq!(live.revision(), p.revision, "nothing changed");
    // Kinds are what the catalog says.
    assert!(
        catalog::default_roles()
            .iter()
            .any(|r| r.kind == RoleKind::BuiltIn)
    );
}

/// The snapshot a live policy makes, patched change by change, is byte for byte what a full
/// compile of its policy gives — on the server that applied each change and on one that
/// replayed it — through assignments granted and taken away, users renamed, deactivated,
/// added and removed (which compile in full again), on random sequences.
#[test]
fn a_patched_snapshot_is_the_full_compile_byte_for_byte() {
    let secret = [9u8; 32];
    let key = SigningKeyRef {
        id: "k",
        secret: &secret,
    };
    let (mut patched, mut compared) = (0, 0);
    for seed in 0..24u64 {
        let mut live = LivePolicy::new(organization(seed)).unwrap();
        let mut replica = live.clone();
        let mut rng = Rng::new(seed ^ 0x5eed);
        for step in 0..80 {
            let actor = actor(live.policy(), &mut rng);
            let op = operation(live.policy(), &mut rng);
            let Ok(record) = live.apply(&actor, &op, 7) else {
                continue;
            };
            replica.replay(&record).unwrap();
            // Not after every change: patches then cover several changes at once.
            if step % 3 == 0 {
                continue;
            }
            let options = CompileOptions {
                revision: live.revision(),
                issued_at: 1_700_000_000 + step,
            };
            let full = compile_signed(live.policy(), &options, key).unwrap();
            let context = format!("seed {seed} step {step}: {op:?}");
            assert_eq!(
                live.compile_signed(&options, key).unwrap(),
                full,
                "{context}"
            );
            assert_eq!(
                replica.compile_signed(&options, key).unwrap(),
                full,
                "{context}"
            );
            compared += 1;
        }
        patched += live.patched_snapshots();
    }
    // Most were patches, not full compiles.
    assert!(patched * 2 > compared, "{patched} patched of {compared}");
}
