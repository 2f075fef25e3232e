//! Users and their assignments: every reference resolved, each assignment at a level its
//! role allows and with the resource its role needs, at most the cap of built-in roles per
//! user, exactly one Owner per account.

use alloc::vec::Vec;

use super::plan::{
    Plan, PlannedAssignment, PlannedRole, PlannedUser, ScopeAt, position, sort_key, sorted_by_id,
};
use super::problems::{Problems, register};
use super::{CompileError, Item};
use crate::catalog::ACCOUNT_OWNER;
use crate::ids::clip;
use crate::model::RoleKind;
use crate::policy::{Account, Assignment, Policy};
use crate::snapshot::index::{Map, new_map};

/// What resolving an assignment looks names up in.
pub(super) struct Lookups<'a, 'p> {
    pub(super) scopes: &'a Map<&'p str, ScopeAt>,
    pub(super) role_at: &'a Map<&'p str, u32>,
    pub(super) roles: &'a [PlannedRole<'p>],
    pub(super) resource_at: &'a Map<(&'p str, &'p str), u32>,
}

impl<'p> Plan<'p> {
    /// Every valid user, sorted by id, and their valid assignments: one list, grouped by user
    /// in user order, each user's sorted by id.
    pub(super) fn users(
        policy: &'p Policy,
        problems: &mut Problems,
        lookups: &Lookups<'_, 'p>,
    ) -> (Vec<PlannedUser<'p>>, Vec<PlannedAssignment<'p>>) {
        let (mut users, user_at) = planned_users(policy, problems);
        let mut seen: Map<&str, ()> = new_map(policy.assignments.len());
        let mut resolved: Vec<(usize, PlannedAssignment<'p>)> =
            Vec::with_capacity(policy.assignments.len());
        for a in &policy.assignments {
            if !problems.id(Item::Assignment, &a.id)
                || !register(&mut seen, &a.id, (), Item::Assignment, problems)
            {
                continue;
            }
            if let Some(found) = resolve(a, &user_at, lookups, problems) {
                resolved.push(found);
            }
        }
        drop(seen);
        let assignments = group_by_user(&mut users, &resolved);
        built_in_cap(
            &users,
            &assignments,
            lookups.roles,
            policy.settings.max_built_in_roles_per_user,
            problems,
        );
        (users, assignments)
    }

    /// Every account has exactly one Owner.
    pub(super) fn owners(
        accounts: &[&Account],
        role_at: &Map<&str, u32>,
        assignments: &[PlannedAssignment<'_>],
        problems: &mut Problems,
    ) {
        let mut owners: Map<&str, Vec<&str>> = new_map(accounts.len());
        if let Some(&owner) = role_at.get(ACCOUNT_OWNER) {
            // By the role's position: only Owner assignments are read further.
            for p in assignments.iter().filter(|p| p.role == owner) {
                let holders = owners.entry(p.assignment.scope.as_str()).or_default();
                if !holders.contains(&p.assignment.user.as_str()) {
                    holders.push(&p.assignment.user);
                }
            }
        }
        for account in accounts {
            let count = owners.get(account.id.as_str()).map_or(0, Vec::len);
            if count != 1 {
                problems.push(CompileError::OwnerCount {
                    account: account.id.clone(),
                    count,
                });
            }
        }
    }
}

/// The resolved assignments grouped by user (a counting sort on the user's position) and
/// each user's sorted by id; sets every user's range in the list.
fn group_by_user<'p>(
    users: &mut [PlannedUser<'p>],
    resolved: &[(usize, PlannedAssignment<'p>)],
) -> Vec<PlannedAssignment<'p>> {
    let mut ends = alloc::vec![0usize; users.len()];
    for (user, _) in resolved {
        if let Some(n) = ends.get_mut(*user) {
            *n += 1;
        }
    }
    let mut total = 0;
    for (u, n) in users.iter_mut().zip(ends.iter_mut()) {
        u.assignments = total..total + *n;
        total += *n;
        *n = u.assignments.start;
    }
    // `ends` now holds where each user's next assignment goes.
    let mut order = alloc::vec![0usize; total];
    for (i, (user, _)) in resolved.iter().enumerate() {
        if let Some(next) = ends.get_mut(*user)
            && let Some(slot) = order.get_mut(*next)
        {
            *slot = i;
            *next += 1;
        }
    }
    let mut grouped: Vec<PlannedAssignment<'p>> = order
        .iter()
        .filter_map(|&i| resolved.get(i).map(|(_, p)| *p))
        .collect();
    for u in users.iter() {
        if let Some(mine) = grouped.get_mut(u.assignments.clone()) {
            // Ids are unique by now (duplicates were refused above).
            mine.sort_unstable_by(|x, y| {
                x.key
                    .cmp(&y.key)
                    .then_with(|| x.assignment.id.cmp(&y.assignment.id))
            });
        }
    }
    grouped
}

/// The valid users, sorted by id, and each one's position.
fn planned_users<'p>(
    policy: &'p Policy,
    problems: &mut Problems,
) -> (Vec<PlannedUser<'p>>, Map<&'p str, usize>) {
    let sorted = sorted_by_id(&policy.users, |u| &u.id);
    let mut user_at: Map<&str, usize> = new_map(sorted.len());
    let mut external_ids: Map<&str, &str> = new_map(0);
    let mut users = Vec::with_capacity(sorted.len());
    for u in sorted {
        problems.text(Item::User, &u.id, "name", &u.name);
        problems.text(Item::User, &u.id, "email", &u.email);
        if let Some(external_id) = &u.external_id {
            problems.text(Item::User, &u.id, "external id", external_id);
            match external_ids.get(external_id.as_str()) {
                Some(first) => problems.push(CompileError::DuplicateExternalId {
                    external_id: clip(external_id),
                    first: clip(first),
                    second: clip(&u.id),
                }),
                None => {
                    external_ids.insert(external_id, &u.id);
                }
            }
        }
        if problems.id(Item::User, &u.id)
            && register(&mut user_at, &u.id, users.len(), Item::User, problems)
        {
            users.push(PlannedUser {
                user: u,
                assignments: 0..0,
            });
        }
    }
    (users, user_at)
}

/// An assignment with its references resolved — (the user's position, the planned
/// assignment) — or `None`, every broken rule reported.
fn resolve<'p>(
    a: &'p Assignment,
    user_at: &Map<&'p str, usize>,
    lookups: &Lookups<'_, 'p>,
    problems: &mut Problems,
) -> Option<(usize, PlannedAssignment<'p>)> {
    let unknown = |target: Item, value: &str| CompileError::UnknownReference {
        item: Item::Assignment,
        id: a.id.clone(),
        target,
        value: clip(value),
    };
    let user = user_at.get(a.user.as_str()).copied();
    let role = lookups.role_at.get(a.role.as_str()).copied();
    let scope = lookups.scopes.get(a.scope.as_str()).copied();
    if user.is_none() {
        problems.push(unknown(Item::User, &a.user));
    }
    if role.is_none() {
        problems.push(unknown(Item::Role, &a.role));
    }
    if scope.is_none() {
        problems.push(unknown(Item::Scope, &a.scope));
    }
    let (user, role, scope) = (user?, role?, scope?);
    let r = lookups.roles.get(role as usize).map(|p| p.role)?;
    if !r.kind.assignable_at(r.lowest_level, scope.level) {
        problems.push(CompileError::LevelNotAllowed {
            assignment: a.id.clone(),
            role: r.id.clone(),
            kind: r.kind,
            lowest_level: r.lowest_level,
            scope: a.scope.clone(),
            level: scope.level,
        });
        return None;
    }
    let resource = match (&a.resource, r.kind == RoleKind::ResourceBased) {
        (None, false) => None,
        (None, true) => {
            problems.push(CompileError::ResourceRequired {
                assignment: a.id.clone(),
                role: r.id.clone(),
            });
            return None;
        }
        (Some(_), false) => {
            problems.push(CompileError::ResourceNotAllowed {
                assignment: a.id.clone(),
                role: r.id.clone(),
            });
            return None;
        }
        (Some(key), true) => {
            if !r.resource_types.contains(&key.resource_type) {
                problems.push(CompileError::ResourceTypeNotOfRole {
                    assignment: a.id.clone(),
                    role: r.id.clone(),
                    resource_type: clip(&key.resource_type),
                });
                return None;
            }
            let found = lookups
                .resource_at
                .get(&(key.resource_type.as_str(), key.id.as_str()));
            let Some(&at) = found else {
                problems.push(unknown(
                    Item::Resource,
                    &alloc::format!("{}:{}", key.resource_type, key.id),
                ));
                return None;
            };
            Some(at)
        }
    };
    Some((
        user,
        PlannedAssignment {
            assignment: a,
            key: sort_key(&a.id),
            role,
            scope: scope.wire,
            resource,
        },
    ))
}

/// At most `cap` built-in roles per user. Duplicates of one (role, scope, resource) are one
/// role held, not several.
fn built_in_cap(
    users: &[PlannedUser<'_>],
    assignments: &[PlannedAssignment<'_>],
    roles: &[PlannedRole<'_>],
    cap: u32,
    problems: &mut Problems,
) {
    let mut held: Vec<(u32, u32, Option<u32>)> = Vec::new();
    for planned in users {
        let Some(mine) = assignments.get(planned.assignments.clone()) else {
            continue;
        };
        // Most users hold fewer assignments than the cap: nothing to count.
        if mine.len() <= cap as usize {
            continue;
        }
        held.clear();
        held.extend(
            mine.iter()
                .filter(|p| {
                    roles
                        .get(p.role as usize)
                        .is_some_and(|r| r.role.kind == RoleKind::BuiltIn)
                })
                .map(|p| (p.role, p.scope, p.resource)),
        );
        held.sort_unstable();
        held.dedup();
        if held.len() > cap as usize {
            problems.push(CompileError::BuiltInCapExceeded {
                user: planned.user.id.clone(),
                count: position(held.len()),
                cap,
            });
        }
    }
}
