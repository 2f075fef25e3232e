//! The checked policy, sorted, with every reference resolved to a position: the
//! organization's scopes, the permission catalog and the resources.

use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

use super::problems::{Problems, register};
use super::users::Lookups;
use super::{CompileError, Item};
use crate::catalog;
use crate::ids::{check_resource_type, clip};
use crate::limits::{
    MAX_ASSIGNMENTS, MAX_PERMISSIONS, MAX_RESOURCE_TYPES, MAX_RESOURCES, MAX_ROLES, MAX_SCOPES,
    MAX_USERS,
};
use crate::model::ScopeLevel;
use crate::permission::validate_permission;
use crate::policy::{Account, Assignment, Policy, Resource, Role, Subaccount, User};
use crate::snapshot::index::{Map, new_map};

/// A scope's position in the wire numbering and its level.
#[derive(Clone, Copy)]
pub(super) struct ScopeAt {
    pub(super) wire: u32,
    pub(super) level: ScopeLevel,
}

/// The checked policy, sorted, with every reference resolved to a position.
pub(super) struct Plan<'p> {
    pub(super) policy: &'p Policy,
    pub(super) scopes: Scopes<'p>,
    pub(super) permissions: Vec<&'p str>,
    pub(super) resources: Resources<'p>,
    pub(super) roles: Vec<PlannedRole<'p>>,
    pub(super) users: Vec<PlannedUser<'p>>,
    /// Every valid assignment, grouped by user in user order, each user's sorted by id.
    pub(super) assignments: Vec<PlannedAssignment<'p>>,
}

/// Accounts by id, subaccounts by id with their account's position, and every scope id's
/// wire position and level.
pub(super) struct Scopes<'p> {
    pub(super) accounts: Vec<&'p Account>,
    pub(super) subaccounts: Vec<(&'p Subaccount, u32)>,
    pub(super) at: Map<&'p str, ScopeAt>,
}

/// Resource types sorted, resources by (type, id) with their type's position, and each
/// resource's position.
pub(super) struct Resources<'p> {
    pub(super) types: Vec<&'p str>,
    pub(super) list: Vec<(&'p Resource, u32)>,
    pub(super) at: Map<(&'p str, &'p str), u32>,
}

pub(super) struct PlannedRole<'p> {
    pub(super) role: &'p Role,
    /// Its Twilio SID: the policy's, or derived from the id.
    pub(super) sid: String,
    /// One bit per catalog permission.
    pub(super) grants: Vec<u8>,
    /// Positions of its resource types.
    pub(super) types: Vec<u32>,
}

pub(super) struct PlannedUser<'p> {
    pub(super) user: &'p User,
    /// Where its assignments are in [`Plan::assignments`].
    pub(super) assignments: Range<usize>,
}

#[derive(Clone, Copy)]
pub(super) struct PlannedAssignment<'p> {
    pub(super) assignment: &'p Assignment,
    /// [`sort_key`] of its id.
    pub(super) key: u64,
    pub(super) role: u32,
    pub(super) scope: u32,
    pub(super) resource: Option<u32>,
}

/// The first eight bytes of `id`, big-endian, zero-padded. Ordering by it and then by the
/// whole id is ordering by id; at L (100,000 users, 500,000 assignments) most comparisons are
/// then settled on a number in a register, instead of on two strings far apart in memory —
/// which was a third of the compile.
pub(super) fn sort_key(id: &str) -> u64 {
    let mut bytes = [0u8; 8];
    for (to, from) in bytes.iter_mut().zip(id.bytes()) {
        *to = from;
    }
    u64::from_be_bytes(bytes)
}

/// `items` sorted by id (stable: of equal ids, the first stays first), through [`sort_key`].
pub(super) fn sorted_by_id<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<&T> {
    let mut keyed: Vec<(u64, &T)> = items.iter().map(|t| (sort_key(id(t)), t)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| id(a.1).cmp(id(b.1))));
    keyed.into_iter().map(|(_, t)| t).collect()
}

pub(super) fn position(n: usize) -> u32 {
    // The limits keep every table far below u32::MAX.
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<'p> Plan<'p> {
    pub(super) fn new(
        policy: &'p Policy,
        all_roles: &'p [Role],
        problems: &mut Problems,
    ) -> Plan<'p> {
        problems.limit(
            "scopes",
            1 + policy.accounts.len() + policy.subaccounts.len(),
            MAX_SCOPES,
        );
        problems.limit("users", policy.users.len(), MAX_USERS);
        problems.limit("roles", all_roles.len(), MAX_ROLES);
        problems.limit("resources", policy.resources.len(), MAX_RESOURCES);
        problems.limit("assignments", policy.assignments.len(), MAX_ASSIGNMENTS);

        let scopes = Self::scopes(policy, problems);
        let permissions = Self::permissions(policy, problems);
        let resources = Self::resources(policy, all_roles, problems);
        let (roles, role_at) = Self::roles(all_roles, &permissions, &resources.types, problems);
        let lookups = Lookups {
            scopes: &scopes.at,
            role_at: &role_at,
            roles: &roles,
            resource_at: &resources.at,
        };
        let (users, assignments) = Self::users(policy, problems, &lookups);
        Self::owners(&scopes.accounts, &role_at, &assignments, problems);
        Plan {
            policy,
            scopes,
            permissions,
            resources,
            roles,
            users,
            assignments,
        }
    }

    fn scopes(policy: &'p Policy, problems: &mut Problems) -> Scopes<'p> {
        let org = &policy.organization;
        let mut scopes: Map<&str, ScopeAt> =
            new_map(1 + policy.accounts.len() + policy.subaccounts.len());
        if problems.id(Item::Organization, &org.id) {
            scopes.insert(
                &org.id,
                ScopeAt {
                    wire: 0,
                    level: ScopeLevel::Organization,
                },
            );
        }
        problems.text(Item::Organization, &org.id, "name", &org.name);

        let accounts = sorted_by_id(&policy.accounts, |a| &a.id);
        let mut account_pos: Map<&str, u32> = new_map(accounts.len());
        let mut kept = Vec::with_capacity(accounts.len());
        for a in accounts {
            problems.text(Item::Account, &a.id, "name", &a.name);
            if !problems.id(Item::Account, &a.id) {
                continue;
            }
            let at = ScopeAt {
                wire: position(1 + kept.len()),
                level: ScopeLevel::Account,
            };
            if register(&mut scopes, &a.id, at, Item::Account, problems) {
                account_pos.insert(&a.id, position(kept.len()));
                kept.push(a);
            }
        }
        let accounts = kept;

        let subs = sorted_by_id(&policy.subaccounts, |s| &s.id);
        let mut subaccounts = Vec::with_capacity(subs.len());
        for s in subs {
            problems.text(Item::Subaccount, &s.id, "name", &s.name);
            if !problems.id(Item::Subaccount, &s.id) {
                continue;
            }
            let Some(&account) = account_pos.get(s.account.as_str()) else {
                problems.push(if policy.subaccounts.iter().any(|x| x.id == s.account) {
                    CompileError::NestedSubaccount {
                        subaccount: s.id.clone(),
                        parent: s.account.clone(),
                    }
                } else {
                    CompileError::UnknownReference {
                        item: Item::Subaccount,
                        id: s.id.clone(),
                        target: Item::Account,
                        value: clip(&s.account),
                    }
                });
                continue;
            };
            let at = ScopeAt {
                wire: position(1 + accounts.len() + subaccounts.len()),
                level: ScopeLevel::Subaccount,
            };
            if register(&mut scopes, &s.id, at, Item::Subaccount, problems) {
                subaccounts.push((s, account));
            }
        }
        Scopes {
            accounts,
            subaccounts,
            at: scopes,
        }
    }

    fn permissions(policy: &'p Policy, problems: &mut Problems) -> Vec<&'p str> {
        // Bounded before anything else: the duplicate checks below must not see a million.
        problems.limit(
            "permissions",
            catalog::PERMISSIONS.len() + policy.permissions.len(),
            MAX_PERMISSIONS,
        );
        let mut all: Vec<&str> = catalog::PERMISSIONS.to_vec();
        let mut seen: Map<&str, bool> = new_map(all.len() + policy.permissions.len());
        for &p in catalog::PERMISSIONS {
            seen.insert(p, false);
        }
        for p in policy.permissions.iter().take(MAX_PERMISSIONS) {
            match (validate_permission(p), seen.get(p.as_str())) {
                // Declaring a permission the default catalog has is harmless: a policy
                // translated from elsewhere may list every permission it uses.
                (Ok(()), Some(false)) => {}
                (Ok(()), Some(true)) => problems.push(CompileError::DuplicatePermission {
                    permission: p.clone(),
                }),
                (Ok(()), None) => {
                    seen.insert(p, true);
                    all.push(p);
                }
                (Err(problem), _) => problems.push(CompileError::InvalidPermission {
                    permission: clip(p),
                    problem,
                }),
            }
        }
        all.sort_unstable();
        all
    }

    fn resources(
        policy: &'p Policy,
        all_roles: &'p [Role],
        problems: &mut Problems,
    ) -> Resources<'p> {
        let mut types: Vec<&str> = Vec::new();
        let declared = all_roles
            .iter()
            .flat_map(|r| r.resource_types.iter())
            .chain(policy.resources.iter().map(|r| &r.resource_type));
        for t in declared {
            if types.contains(&t.as_str()) {
                continue;
            }
            match check_resource_type(t) {
                Ok(()) => types.push(t),
                Err(problem) => problems.push(CompileError::InvalidResourceType {
                    resource_type: clip(t),
                    problem,
                }),
            }
        }
        problems.limit("resource types", types.len(), MAX_RESOURCE_TYPES);
        types.sort_unstable();

        let mut sorted: Vec<&Resource> = policy.resources.iter().collect();
        sorted.sort_by(|a, b| (&a.resource_type, &a.id).cmp(&(&b.resource_type, &b.id)));
        let mut resources = Vec::with_capacity(sorted.len());
        let mut at: Map<(&str, &str), u32> = new_map(sorted.len());
        for r in sorted {
            problems.text(Item::Resource, &r.id, "name", &r.name);
            let Some(t) = types.iter().position(|&t| t == r.resource_type) else {
                continue;
            };
            if !problems.id(Item::Resource, &r.id) {
                continue;
            }
            let key = (r.resource_type.as_str(), r.id.as_str());
            if at.contains_key(&key) {
                problems.push(CompileError::DuplicateId {
                    item: Item::Resource,
                    id: r.id.clone(),
                });
                continue;
            }
            at.insert(key, position(resources.len()));
            resources.push((r, position(t)));
        }
        Resources {
            types,
            list: resources,
            at,
        }
    }
}
