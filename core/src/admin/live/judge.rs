//! Judging an operation on a live policy: the same rules, in the same order, as planning it
//! on a copy and compiling the result (`admin::plan`), but each rule looks up only what the
//! operation touches — the actor's and the target's assignments, the scope, the role — and
//! the compile rules are checked on the change alone, since everything else already passed
//! them. A differential test holds the two to the same verdict on every step.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::LivePolicy;
use super::index::Held;
use crate::admin::assignment_id::{assignment_id, same_grant};
use crate::admin::{AdminError, Change, Operation};
use crate::catalog::{ACCOUNT_OWNER, ORGANIZATION_ADMINISTRATOR, ORGANIZATION_OWNER};
use crate::compile::{CompileError, Item};
use crate::ids::{check_id, clip, text_fits};
use crate::limits::{MAX_ASSIGNMENTS, MAX_USERS};
use crate::model::{RoleKind, ScopeLevel};
use crate::policy::{Assignment, ResourceKey, Settings, User};
use crate::snapshot::index::Map;

/// An operation judged: the change it makes and every rule it breaks.
pub(super) struct Judged {
    pub(super) revision: u64,
    pub(super) change: Change,
    pub(super) violations: Vec<AdminError>,
}

struct Judge<'l> {
    live: &'l LivePolicy,
    revision: u64,
    change: Change,
    violations: Vec<AdminError>,
}

pub(super) fn judge(live: &LivePolicy, actor: &str, operation: &Operation) -> Judged {
    let mut j = Judge {
        live,
        revision: live.policy.revision,
        change: Change::default(),
        violations: Vec::new(),
    };
    // Who asks comes first: a refused actor learns nothing about what they asked about.
    if j.may_act(actor, operation)
        && let Some(revision) = live.policy.revision.checked_add(1)
    {
        j.revision = revision;
        j.edit(operation);
        j.protect(operation);
        j.within_own_power(actor, operation);
        j.compile_rules(operation);
    } else if j.violations.is_empty() {
        j.violations.push(AdminError::RevisionExhausted {
            revision: live.policy.revision,
        });
    }
    Judged {
        revision: j.revision,
        change: j.change,
        violations: j.violations,
    }
}

impl Judge<'_> {
    // ---- who may act ----

    fn may_act(&mut self, actor: &str, operation: &Operation) -> bool {
        let live = self.live;
        let active = live.user(actor).is_some_and(|u| u.active);
        let org = &live.policy.organization.id;
        let held = || live.assignments_of(actor).filter(|_| active);
        let manager = held().any(|a| {
            &a.scope == org
                && (a.role == ORGANIZATION_OWNER || a.role == ORGANIZATION_ADMINISTRATOR)
        });
        let owns_account = match operation {
            Operation::TransferOwnership { account, .. } => {
                held().any(|a| a.role == ACCOUNT_OWNER && &a.scope == account)
            }
            _ => false,
        };
        if !manager && !owns_account {
            self.violations.push(AdminError::NotAuthorized {
                actor: clip(actor),
                operation: operation.describe(),
            });
            return false;
        }
        true
    }

    // ---- what changes ----

    fn unknown(&mut self, item: Item, id: &str) {
        self.violations
            .push(AdminError::Unknown { item, id: clip(id) });
    }

    fn require_user(&mut self, user: &str) -> bool {
        let known = self.live.user(user).is_some();
        if !known {
            self.unknown(Item::User, user);
        }
        known
    }

    fn require_scope(&mut self, scope: &str) -> bool {
        let known = self.live.frame.scope(scope).is_some();
        if !known {
            self.unknown(Item::Scope, scope);
        }
        known
    }

    fn add(&mut self, mut a: Assignment) {
        a.id = assignment_id(&self.live.policy.organization.id, self.revision, &a);
        self.change.added.push(a);
    }

    /// Removes the assignments of `user` that `pick` selects, in id order.
    fn remove_where(&mut self, user: &str, pick: impl Fn(&Assignment) -> bool) {
        let mut removed: Vec<Assignment> = self
            .live
            .assignments_of(user)
            .filter(|a| pick(a))
            .cloned()
            .collect();
        removed.sort_by(|x, y| x.id.cmp(&y.id));
        self.change.removed.extend(removed);
    }

    fn edit(&mut self, operation: &Operation) {
        match operation {
            Operation::Assign {
                user,
                scope,
                roles,
                resources,
            } => self.assign(user, scope, roles, resources),
            Operation::Unassign {
                user,
                scope,
                resource,
            } => {
                if self.require_user(user) & self.require_scope(scope) {
                    self.remove_where(user, |a| {
                        &a.scope == scope && resource.as_ref().is_none_or(|r| a.resource == *r)
                    });
                    if self.change.removed.is_empty() {
                        self.violations.push(AdminError::NothingToRemove {
                            user: clip(user),
                            what: "assignments".into(),
                            scope: clip(scope),
                        });
                    }
                }
            }
            Operation::RemoveRole {
                user,
                scope,
                role,
                resource,
            } => {
                if self.require_user(user) & self.require_scope(scope) {
                    self.remove_where(user, |a| {
                        &a.scope == scope
                            && &a.role == role
                            && (resource.is_none() || a.resource == *resource)
                    });
                    if self.change.removed.is_empty() {
                        self.violations.push(AdminError::NothingToRemove {
                            user: clip(user),
                            what: format!("role `{}`", clip(role)),
                            scope: clip(scope),
                        });
                    }
                }
            }
            Operation::TransferOwnership { account, to } => self.transfer(account, to),
            Operation::AddUser { user } => {
                if self.live.user(&user.id).is_some() {
                    self.violations.push(AdminError::UserExists {
                        user: clip(&user.id),
                    });
                    return;
                }
                self.identity_free(user);
                self.change.user_after = Some(user.clone());
            }
            Operation::UpdateUser {
                user,
                name,
                email,
                external_id,
                active,
            } => {
                let Some(before) = self.live.user(user).cloned() else {
                    self.unknown(Item::User, user);
                    return;
                };
                let mut after = before.clone();
                if let Some(name) = name {
                    after.name.clone_from(name);
                }
                if let Some(email) = email {
                    after.email.clone_from(email);
                }
                if let Some(external_id) = external_id {
                    after.external_id.clone_from(external_id);
                }
                if let Some(active) = active {
                    after.active = *active;
                }
                self.identity_free(&after);
                self.change.user_before = Some(before);
                self.change.user_after = Some(after);
            }
            Operation::RemoveUser { user } => {
                let Some(before) = self.live.user(user).cloned() else {
                    self.unknown(Item::User, user);
                    return;
                };
                self.change.user_before = Some(before);
                self.remove_where(user, |_| true);
            }
            Operation::UpdateSettings { settings } => {
                self.change.settings_before = Some(self.live.policy.settings.clone());
                self.change.settings_after = Some(settings.clone());
            }
        }
    }

    fn assign(&mut self, user: &str, scope: &str, roles: &[String], resources: &[ResourceKey]) {
        let ok = self.require_user(user) & self.require_scope(scope);
        if roles.is_empty() {
            self.violations
                .push(AdminError::NoRoles { user: clip(user) });
        }
        let mut uses_resources = false;
        for (i, role) in roles.iter().enumerate() {
            if roles.get(..i).is_some_and(|earlier| earlier.contains(role)) {
                self.violations
                    .push(AdminError::DuplicateRole { role: clip(role) });
                continue;
            }
            let Some(r) = self.live.frame.role(role) else {
                self.unknown(Item::Role, role);
                continue;
            };
            let bound: Vec<Option<ResourceKey>> =
                if r.kind == RoleKind::ResourceBased && !resources.is_empty() {
                    uses_resources = true;
                    resources.iter().cloned().map(Some).collect()
                } else {
                    alloc::vec![None]
                };
            for resource in bound {
                let a = Assignment {
                    id: String::new(),
                    user: user.into(),
                    role: role.clone(),
                    scope: scope.into(),
                    resource,
                };
                if self.live.assignments_of(user).any(|x| same_grant(x, &a)) {
                    self.violations.push(AdminError::AlreadyAssigned {
                        user: clip(user),
                        role: clip(role),
                        scope: clip(scope),
                    });
                } else if ok {
                    self.add(a);
                }
            }
        }
        if !resources.is_empty() && !uses_resources {
            self.violations
                .push(AdminError::UnexpectedResources { user: clip(user) });
        }
    }

    fn transfer(&mut self, account: &str, to: &str) {
        let to_known = self.require_user(to);
        let is_account = self
            .live
            .frame
            .scope(account)
            .is_some_and(|s| s.level == ScopeLevel::Account);
        if !is_account {
            if self.require_scope(account) {
                self.violations.push(AdminError::NotAnAccount {
                    scope: clip(account),
                });
            }
            return;
        }
        if self
            .live
            .index
            .owners
            .get(account)
            .is_some_and(|holders| holders.contains_key(to))
        {
            self.violations.push(AdminError::AlreadyOwner {
                account: clip(account),
                user: clip(to),
            });
            return;
        }
        if to_known {
            let holders: Vec<String> = self
                .live
                .index
                .owners
                .get(account)
                .map(|h| h.keys().cloned().collect())
                .unwrap_or_default();
            let mut removed: Vec<Assignment> = holders
                .iter()
                .flat_map(|u| self.live.assignments_of(u))
                .filter(|a| a.scope == account && a.role == ACCOUNT_OWNER)
                .cloned()
                .collect();
            removed.sort_by(|x, y| x.id.cmp(&y.id));
            self.change.removed.extend(removed);
            self.add(Assignment {
                id: String::new(),
                user: to.into(),
                role: ACCOUNT_OWNER.into(),
                scope: account.into(),
                resource: None,
            });
        }
    }

    /// No other user has `user`'s email or external id.
    fn identity_free(&mut self, user: &User) {
        let index = &self.live.index;
        if let Some(taken) = index
            .emails
            .get(&user.email)
            .and_then(|ids| ids.iter().find(|id| **id != user.id))
        {
            self.violations.push(AdminError::IdentityTaken {
                field: "email",
                value: clip(&user.email),
                user: clip(taken),
            });
        }
        if let Some(external_id) = &user.external_id
            && let Some(taken) = index.external_ids.get(external_id)
            && *taken != user.id
        {
            self.violations.push(AdminError::IdentityTaken {
                field: "external id",
                value: clip(external_id),
                user: clip(taken),
            });
        }
    }

    // ---- the Owners ----

    fn protect(&mut self, operation: &Operation) {
        if !matches!(operation, Operation::TransferOwnership { .. }) {
            for a in &self.change.removed {
                if a.role == ACCOUNT_OWNER {
                    self.violations.push(AdminError::AccountOwnerProtected {
                        account: clip(&a.scope),
                        user: clip(&a.user),
                    });
                }
            }
        }
        let live = self.live;
        let org = &live.policy.organization.id;
        let is_org_owner = |a: &Assignment| a.role == ORGANIZATION_OWNER && &a.scope == org;
        // Only a change to an Organization Owner's assignment, or to whether one is there
        // and active, can leave the organization without one.
        let user_changed = self
            .change
            .user_before
            .as_ref()
            .is_some_and(|u| live.index.org_owners.contains_key(&u.id));
        if !user_changed
            && !self.change.removed.iter().any(is_org_owner)
            && !self.change.added.iter().any(is_org_owner)
        {
            return;
        }
        // Whether a user is active after the change.
        let active_after = |user: &str| match (&self.change.user_before, &self.change.user_after) {
            (Some(b), None) if b.id == user => false,
            (_, Some(u)) if u.id == user => u.active,
            _ => live.user(user).is_some_and(|u| u.active),
        };
        // Whether `user` holds the Organization Owner role after the change.
        let owner_after = |user: &str| {
            let held = live.index.org_owners.get(user).copied().unwrap_or(0) as usize;
            let mine = |a: &&Assignment| is_org_owner(a) && a.user == user;
            held + self.change.added.iter().filter(mine).count()
                > self.change.removed.iter().filter(mine).count()
        };
        // Stops at the first owner left: almost always one of the first looked at, so a
        // change to one of thousands of owners costs microseconds, not a pass over them all.
        let remaining = live
            .index
            .org_owners
            .keys()
            .map(String::as_str)
            .chain(
                self.change
                    .added
                    .iter()
                    .filter(|a| is_org_owner(a))
                    .map(|a| a.user.as_str()),
            )
            .any(|u| owner_after(u) && active_after(u));
        if !remaining {
            let last = live
                .index
                .org_owners
                .keys()
                .filter(|u| live.user(u).is_some_and(|x| x.active))
                .min();
            if let Some(last) = last {
                self.violations
                    .push(AdminError::LastOrganizationOwner { user: clip(last) });
            }
        }
    }

    // ---- no one beyond their own power ----

    /// The actor's permissions at `scope` (unbound assignments only, as the snapshot's
    /// effective permissions for a request naming no resource), as grant words.
    fn effective(&self, actor: &str, scope: &str) -> Vec<u64> {
        let frame = &self.live.frame;
        let mut union = alloc::vec![0u64; frame.grant_words];
        let Some(s) = frame.find_scope(scope) else {
            return union;
        };
        if !self.live.user(actor).is_some_and(|u| u.active) {
            return union;
        }
        let chain = frame.chain(s);
        for a in self.live.assignments_of(actor) {
            let Some(at) = frame.find_scope(&a.scope) else {
                continue;
            };
            if a.resource.is_some() || !chain.contains(&at) {
                continue;
            }
            if let Some(r) = frame.find_role(&a.role) {
                let start = r as usize * frame.grant_words;
                let words = frame
                    .grants
                    .get(start..start + frame.grant_words)
                    .unwrap_or_default();
                for (acc, w) in union.iter_mut().zip(words) {
                    *acc |= w;
                }
            }
        }
        union
    }

    /// The first permission (in catalog order) of `role` that `held` lacks.
    fn lacks(&self, role: &str, held: &[u64]) -> Option<String> {
        let frame = &self.live.frame;
        let r = frame.find_role(role)?;
        (0..frame.permissions.len() as u32)
            .find(|&p| {
                frame.role_grants(r, p)
                    && held
                        .get(p as usize / 64)
                        .is_none_or(|w| (w >> (p % 64)) & 1 == 0)
            })
            .and_then(|p| frame.permissions.get(p as usize))
            .map(|&span| frame.text.get(span).to_string())
    }

    fn within_own_power(&mut self, actor: &str, operation: &Operation) {
        let mut refused = Vec::new();
        let changes = self
            .change
            .added
            .iter()
            .map(|a| ("grant", a))
            .chain(self.change.removed.iter().map(|a| ("remove", a)));
        for (verb, a) in changes {
            let held = self.effective(actor, &a.scope);
            if let Some(permission) = self.lacks(&a.role, &held) {
                refused.push(AdminError::MorePowerful {
                    actor: clip(actor),
                    verb,
                    role: clip(&a.role),
                    scope: clip(&a.scope),
                    permission,
                });
            }
        }
        if let Operation::UpdateUser { user, .. } = operation {
            let mut theirs: Vec<&Assignment> = self.live.assignments_of(user).collect();
            theirs.sort_by(|x, y| x.id.cmp(&y.id));
            if let Some((a, permission)) = theirs.iter().find_map(|a| {
                let held = self.effective(actor, &a.scope);
                self.lacks(&a.role, &held).map(|p| (a, p))
            }) {
                refused.push(AdminError::MorePowerfulUser {
                    actor: clip(actor),
                    user: clip(user),
                    role: clip(&a.role),
                    scope: clip(&a.scope),
                    permission,
                });
            }
        }
        self.violations.extend(refused);
    }

    // ---- the compile rules, on the change alone ----

    fn rule(&mut self, e: CompileError) {
        self.violations.push(AdminError::Rule(e));
    }

    fn compile_rules(&mut self, operation: &Operation) {
        let live = self.live;
        if let Some(user) = self.change.user_after.clone() {
            self.user_rules(&user, matches!(operation, Operation::AddUser { .. }));
        }
        let assignments = live.policy.assignments.len() + self.change.added.len()
            - self.change.removed.len().min(live.policy.assignments.len());
        if assignments > MAX_ASSIGNMENTS {
            self.rule(CompileError::TooMany {
                what: "assignments",
                count: assignments,
                max: MAX_ASSIGNMENTS,
            });
        }
        let valid = self.added_assignment_rules();
        self.cap_rule(&valid);
        self.owner_rule(&valid);
    }

    fn user_rules(&mut self, user: &User, new: bool) {
        if new {
            let users = self.live.policy.users.len() + 1;
            if users > MAX_USERS {
                self.rule(CompileError::TooMany {
                    what: "users",
                    count: users,
                    max: MAX_USERS,
                });
            }
        }
        for (field, text) in [("name", &user.name), ("email", &user.email)] {
            if !text_fits(text) {
                self.rule(CompileError::TextTooLong {
                    item: Item::User,
                    id: clip(&user.id),
                    field,
                });
            }
        }
        if let Some(external_id) = &user.external_id {
            if !text_fits(external_id) {
                self.rule(CompileError::TextTooLong {
                    item: Item::User,
                    id: clip(&user.id),
                    field: "external id",
                });
            }
            if let Some(other) = self.live.index.external_ids.get(external_id)
                && *other != user.id
            {
                // The compiler names the two in id order.
                let (first, second) = if *other < user.id {
                    (other.as_str(), user.id.as_str())
                } else {
                    (user.id.as_str(), other.as_str())
                };
                self.rule(CompileError::DuplicateExternalId {
                    external_id: clip(external_id),
                    first: clip(first),
                    second: clip(second),
                });
            }
        }
        if new && let Err(problem) = check_id(&user.id) {
            self.rule(CompileError::InvalidId {
                item: Item::User,
                id: clip(&user.id),
                problem,
            });
        }
    }

    /// Each added assignment as the compiler resolves it; the ones it would keep.
    fn added_assignment_rules(&mut self) -> Vec<Assignment> {
        let live = self.live;
        let removed: Vec<String> = self.change.removed.iter().map(|a| a.id.clone()).collect();
        let mut valid: Vec<Assignment> = Vec::new();
        let added = self.change.added.clone();
        for (i, a) in added.iter().enumerate() {
            let taken = (live.index.assignment_at.contains_key(&a.id) && !removed.contains(&a.id))
                || added
                    .get(..i)
                    .is_some_and(|e| e.iter().any(|x| x.id == a.id));
            if taken {
                self.rule(CompileError::DuplicateId {
                    item: Item::Assignment,
                    id: a.id.clone(),
                });
                continue;
            }
            let (Some(role), Some(scope)) = (live.frame.role(&a.role), live.frame.scope(&a.scope))
            else {
                continue;
            };
            if !role.kind.assignable_at(role.lowest_level, scope.level) {
                self.rule(CompileError::LevelNotAllowed {
                    assignment: a.id.clone(),
                    role: role.id.to_string(),
                    kind: role.kind,
                    lowest_level: role.lowest_level,
                    scope: a.scope.clone(),
                    level: scope.level,
                });
                continue;
            }
            let resource_based = role.kind == RoleKind::ResourceBased;
            match (&a.resource, resource_based) {
                (None, false) => {}
                (None, true) => {
                    self.rule(CompileError::ResourceRequired {
                        assignment: a.id.clone(),
                        role: role.id.to_string(),
                    });
                    continue;
                }
                (Some(_), false) => {
                    self.rule(CompileError::ResourceNotAllowed {
                        assignment: a.id.clone(),
                        role: role.id.to_string(),
                    });
                    continue;
                }
                (Some(key), true) => {
                    if !role.resource_types.contains(&key.resource_type.as_str()) {
                        self.rule(CompileError::ResourceTypeNotOfRole {
                            assignment: a.id.clone(),
                            role: role.id.to_string(),
                            resource_type: clip(&key.resource_type),
                        });
                        continue;
                    }
                    let known = live.frame.find_resource(Some(crate::decide::ResourceRef {
                        resource_type: &key.resource_type,
                        id: &key.id,
                    })) != crate::snapshot::NONE;
                    if !known {
                        self.rule(CompileError::UnknownReference {
                            item: Item::Assignment,
                            id: a.id.clone(),
                            target: Item::Resource,
                            value: clip(&format!("{}:{}", key.resource_type, key.id)),
                        });
                        continue;
                    }
                }
            }
            valid.push(a.clone());
        }
        valid
    }

    /// At most the cap of built-in roles per user, for every user the change touches (every
    /// user, when the cap itself changes), in user-id order as the compiler reports.
    fn cap_rule(&mut self, added: &[Assignment]) {
        let live = self.live;
        let cap = self.change.settings_after.as_ref().map_or(
            live.policy.settings.max_built_in_roles_per_user,
            |s: &Settings| s.max_built_in_roles_per_user,
        );
        let built_in = |a: &Assignment| live.frame.role_kind(&a.role) == Some(RoleKind::BuiltIn);
        let removed_user = match (&self.change.user_before, &self.change.user_after) {
            (Some(b), None) => Some(b.id.clone()),
            _ => None,
        };
        let mut users: Vec<String> = if self.change.settings_after.is_some() {
            live.index.built_in.keys().cloned().collect()
        } else {
            self.change
                .added
                .iter()
                .chain(&self.change.removed)
                .filter(|a| built_in(a))
                .map(|a| a.user.clone())
                .collect()
        };
        users.sort_unstable();
        users.dedup();
        let mut broken = Vec::new();
        for user in users {
            if Some(&user) == removed_user.as_ref() {
                continue;
            }
            let mut held: Map<Held, u32> =
                live.index.built_in.get(&user).cloned().unwrap_or_default();
            for a in self
                .change
                .removed
                .iter()
                .filter(|a| a.user == user && built_in(a))
            {
                let key = (a.role.clone(), a.scope.clone(), a.resource.clone());
                if let Some(n) = held.get_mut(&key) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        held.remove(&key);
                    }
                }
            }
            for a in added.iter().filter(|a| a.user == user && built_in(a)) {
                *held
                    .entry((a.role.clone(), a.scope.clone(), a.resource.clone()))
                    .or_insert(0) += 1;
            }
            if held.len() > cap as usize {
                broken.push(CompileError::BuiltInCapExceeded {
                    user,
                    count: u32::try_from(held.len()).unwrap_or(u32::MAX),
                    cap,
                });
            }
        }
        for e in broken {
            self.rule(e);
        }
    }

    /// Every account the change touches keeps exactly one Owner (accounts in id order).
    fn owner_rule(&mut self, added: &[Assignment]) {
        let live = self.live;
        let touched = |a: &&Assignment| a.role == ACCOUNT_OWNER;
        let mut accounts: Vec<String> = added
            .iter()
            .filter(touched)
            .chain(self.change.removed.iter().filter(touched))
            .map(|a| a.scope.clone())
            .filter(|s| {
                live.frame
                    .scope(s)
                    .is_some_and(|v| v.level == ScopeLevel::Account)
            })
            .collect();
        accounts.sort_unstable();
        accounts.dedup();
        let mut broken = Vec::new();
        for account in accounts {
            let account = account.as_str();
            let mut holders: Map<String, u32> =
                live.index.owners.get(account).cloned().unwrap_or_default();
            for a in self
                .change
                .removed
                .iter()
                .filter(|a| a.role == ACCOUNT_OWNER && a.scope == account)
            {
                if let Some(n) = holders.get_mut(&a.user) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        holders.remove(&a.user);
                    }
                }
            }
            for a in added
                .iter()
                .filter(|a| a.role == ACCOUNT_OWNER && a.scope == account)
            {
                *holders.entry(a.user.clone()).or_insert(0) += 1;
            }
            if holders.len() != 1 {
                broken.push(CompileError::OwnerCount {
                    account: account.to_string(),
                    count: holders.len(),
                });
            }
        }
        for e in broken {
            self.rule(e);
        }
    }
}
