//! The indexes a live policy keeps beside its users and assignments, so each rule looks up
//! what it needs instead of scanning the organization: positions by id, each user's
//! assignments, emails and external ids, account Owners, Organization Owners, and each
//! user's distinct built-in roles. Every index is updated as a change is applied.

use alloc::string::String;
use alloc::vec::Vec;

use crate::catalog::{ACCOUNT_OWNER, ORGANIZATION_OWNER};
use crate::model::RoleKind;
use crate::policy::{Assignment, Policy, ResourceKey, User};
use crate::snapshot::Snapshot;
use crate::snapshot::index::{Map, new_map};

/// A built-in role held: (role, scope, resource). Duplicates are one role held, as the
/// compiler counts them.
pub(super) type Held = (String, String, Option<ResourceKey>);

#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    /// Position of each user in `policy.users`.
    pub(super) user_at: Map<String, usize>,
    /// Position of each assignment in `policy.assignments`.
    pub(super) assignment_at: Map<String, usize>,
    /// Each user's assignment ids.
    pub(super) by_user: Map<String, Vec<String>>,
    /// The users with each email (an imported policy may share one).
    pub(super) emails: Map<String, Vec<String>>,
    /// The user with each external id.
    pub(super) external_ids: Map<String, String>,
    /// The users holding each account's Owner role, by assignment count.
    pub(super) owners: Map<String, Map<String, u32>>,
    /// The users holding Organization Owner at the organization, by assignment count.
    pub(super) org_owners: Map<String, u32>,
    /// Each user's built-in roles held, by assignment count.
    pub(super) built_in: Map<String, Map<Held, u32>>,
}

/// Adds `n` (±1) to a count in `map`, dropping it at zero.
fn bump<K: core::hash::Hash + Eq>(map: &mut Map<K, u32>, key: K, add: bool) {
    if add {
        *map.entry(key).or_insert(0) += 1;
    } else if let Some(n) = map.get_mut(&key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(&key);
        }
    }
}

impl Index {
    pub(super) fn build(policy: &Policy, frame: &Snapshot) -> Index {
        let mut index = Index {
            user_at: new_map(policy.users.len()),
            assignment_at: new_map(policy.assignments.len()),
            by_user: new_map(policy.users.len()),
            emails: new_map(policy.users.len()),
            external_ids: new_map(0),
            owners: new_map(policy.accounts.len()),
            org_owners: new_map(1),
            built_in: new_map(policy.users.len()),
        };
        for (at, u) in policy.users.iter().enumerate() {
            index.user_at.insert(u.id.clone(), at);
            index.add_identity(u);
        }
        for (at, a) in policy.assignments.iter().enumerate() {
            index.assignment_at.insert(a.id.clone(), at);
            index.add_assignment(policy, frame, a);
        }
        index
    }

    pub(super) fn add_identity(&mut self, u: &User) {
        self.emails
            .entry(u.email.clone())
            .or_default()
            .push(u.id.clone());
        if let Some(e) = &u.external_id {
            self.external_ids.insert(e.clone(), u.id.clone());
        }
    }

    pub(super) fn remove_identity(&mut self, u: &User) {
        if let Some(users) = self.emails.get_mut(&u.email) {
            users.retain(|x| *x != u.id);
            if users.is_empty() {
                self.emails.remove(&u.email);
            }
        }
        if let Some(e) = &u.external_id
            && self.external_ids.get(e) == Some(&u.id)
        {
            self.external_ids.remove(e);
        }
    }

    /// Records assignment `a` (already at its position) in the per-user indexes.
    pub(super) fn add_assignment(&mut self, policy: &Policy, frame: &Snapshot, a: &Assignment) {
        self.by_user
            .entry(a.user.clone())
            .or_default()
            .push(a.id.clone());
        self.count(policy, frame, a, true);
    }

    pub(super) fn remove_assignment(&mut self, policy: &Policy, frame: &Snapshot, a: &Assignment) {
        if let Some(ids) = self.by_user.get_mut(&a.user) {
            ids.retain(|x| *x != a.id);
            if ids.is_empty() {
                self.by_user.remove(&a.user);
            }
        }
        self.count(policy, frame, a, false);
    }

    fn count(&mut self, policy: &Policy, frame: &Snapshot, a: &Assignment, add: bool) {
        if a.role == ACCOUNT_OWNER {
            let holders = self.owners.entry(a.scope.clone()).or_default();
            bump(holders, a.user.clone(), add);
        }
        if a.role == ORGANIZATION_OWNER && a.scope == policy.organization.id {
            bump(&mut self.org_owners, a.user.clone(), add);
        }
        if frame.role_kind(&a.role) == Some(RoleKind::BuiltIn) {
            let held = self.built_in.entry(a.user.clone()).or_default();
            bump(
                held,
                (a.role.clone(), a.scope.clone(), a.resource.clone()),
                add,
            );
        }
    }
}
