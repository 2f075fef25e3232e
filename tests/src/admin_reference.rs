//! The admin rules as plainly as they can be written: an operation planned on a copy of the
//! policy, every rule checked on the copy, and the whole copy recompiled — the reference the
//! core's incremental `LivePolicy` is held to (`tests/tests/live.rs`), as `reference` is the
//! reference for decisions. Written against the core's public interface only.

// A reference model: clarity over the decision path's lints.
#![allow(clippy::indexing_slicing)]

use rolegate_core::catalog::{
    ACCOUNT_OWNER, ORGANIZATION_ADMINISTRATOR, ORGANIZATION_OWNER, default_roles,
};
use rolegate_core::ids::clip;
use rolegate_core::{
    AdminError, Assignment, Change, CompileOptions, Item, Operation, Policy, ResourceKey, RoleKind,
    Settings, Snapshot, User, assignment_id, compile_checked, compile_snapshot,
};

/// An operation planned on a copy: the copy after it, the change, and every broken rule.
#[derive(Debug)]
pub struct Planned {
    /// The policy after the operation (its revision bumped), whether or not it is accepted.
    pub after: Policy,
    /// What it changes.
    pub change: Change,
    /// Every rule it breaks; empty when it is accepted.
    pub violations: Vec<AdminError>,
}

/// Plans `operation` by `actor` on `policy`.
pub fn plan(policy: &Policy, actor: &str, operation: &Operation) -> Planned {
    let p = Plan::new(policy, actor, operation);
    Planned {
        after: p.after,
        change: p.change,
        violations: p.violations,
    }
}

struct Plan {
    after: Policy,
    change: Change,
    violations: Vec<AdminError>,
}

impl Plan {
    fn new(policy: &Policy, actor: &str, operation: &Operation) -> Plan {
        let mut plan = Plan {
            after: policy.clone(),
            change: Change::default(),
            violations: Vec::new(),
        };
        // The rules are judged on the policy as it stands: if it does not compile, say so.
        let before = match compile_snapshot(policy, &CompileOptions::default()) {
            Ok(s) => s,
            Err(e) => {
                plan.violations.push(AdminError::Rule(e));
                return plan;
            }
        };
        let before = &before;
        // Who asks comes first: a refused actor learns nothing about what they asked about.
        if !plan.may_act(before, actor, operation) {
            return plan;
        }
        let Some(revision) = policy.revision.checked_add(1) else {
            plan.violations.push(AdminError::RevisionExhausted {
                revision: policy.revision,
            });
            return plan;
        };
        plan.after.revision = revision;
        plan.edit(policy, operation);
        plan.protect(policy, operation);
        plan.within_own_power(before, actor, operation);
        let options = CompileOptions {
            revision: plan.after.revision,
            issued_at: 0,
        };
        if let Err(broken) = compile_checked(&plan.after, &options) {
            plan.violations
                .extend(broken.into_iter().map(AdminError::Rule));
        }
        plan
    }

    fn unknown(&mut self, item: Item, id: &str) {
        self.violations
            .push(AdminError::Unknown { item, id: clip(id) });
    }

    fn require_user(&mut self, policy: &Policy, user: &str) -> bool {
        let known = policy.users.iter().any(|u| u.id == user);
        if !known {
            self.unknown(Item::User, user);
        }
        known
    }

    fn require_scope(&mut self, policy: &Policy, scope: &str) -> bool {
        let known = policy.organization.id == scope
            || policy.accounts.iter().any(|a| a.id == scope)
            || policy.subaccounts.iter().any(|s| s.id == scope);
        if !known {
            self.unknown(Item::Scope, scope);
        }
        known
    }

    /// Removes the assignments `pick` selects, recording them.
    fn remove_where(&mut self, pick: impl Fn(&Assignment) -> bool) {
        let (removed, kept): (Vec<Assignment>, Vec<Assignment>) =
            std::mem::take(&mut self.after.assignments)
                .into_iter()
                .partition(|a| pick(a));
        self.after.assignments = kept;
        self.change.removed.extend(removed);
    }

    /// Adds an assignment, giving it its id.
    fn add(&mut self, mut a: Assignment) {
        a.id = assignment_id(&self.after.organization.id, self.after.revision, &a);
        self.change.added.push(a.clone());
        self.after.assignments.push(a);
    }
}

/// What an `update-user` operation changes; `None` keeps the field.
struct UserEdit<'a> {
    name: Option<&'a str>,
    email: Option<&'a str>,
    external_id: Option<Option<&'a str>>,
    active: Option<bool>,
}

fn same_grant(a: &Assignment, b: &Assignment) -> bool {
    a.user == b.user && a.role == b.role && a.scope == b.scope && a.resource == b.resource
}

impl Plan {
    /// Computes the changed policy and the change.
    fn edit(&mut self, policy: &Policy, operation: &Operation) {
        match operation {
            Operation::Assign {
                user,
                scope,
                roles,
                resources,
            } => self.assign(policy, user, scope, roles, resources),
            Operation::Unassign {
                user,
                scope,
                resource,
            } => self.unassign(policy, user, scope, resource.as_ref()),
            Operation::RemoveRole {
                user,
                scope,
                role,
                resource,
            } => self.remove_role(policy, user, scope, role, resource.as_ref()),
            Operation::TransferOwnership { account, to } => {
                self.transfer_ownership(policy, account, to);
            }
            Operation::AddUser { user } => self.add_user(policy, user),
            Operation::UpdateUser {
                user,
                name,
                email,
                external_id,
                active,
            } => self.update_user(
                user,
                UserEdit {
                    name: name.as_deref(),
                    email: email.as_deref(),
                    external_id: external_id.as_ref().map(Option::as_deref),
                    active: *active,
                },
            ),
            Operation::RemoveUser { user } => self.remove_user(user),
            Operation::UpdateSettings { settings } => self.update_settings(settings),
        }
    }

    fn assign(
        &mut self,
        policy: &Policy,
        user: &str,
        scope: &str,
        roles: &[String],
        resources: &[ResourceKey],
    ) {
        let ok = self.require_user(policy, user) & self.require_scope(policy, scope);
        if roles.is_empty() {
            self.violations
                .push(AdminError::NoRoles { user: clip(user) });
        }
        let mut uses_resources = false;
        let catalog = default_roles();
        for (i, role) in roles.iter().enumerate() {
            if roles.get(..i).is_some_and(|earlier| earlier.contains(role)) {
                self.violations
                    .push(AdminError::DuplicateRole { role: clip(role) });
                continue;
            }
            let Some(r) = catalog
                .iter()
                .chain(policy.roles.iter())
                .find(|r| &r.id == role)
            else {
                self.unknown(Item::Role, role);
                continue;
            };
            let bound: Vec<Option<ResourceKey>> =
                if r.kind == RoleKind::ResourceBased && !resources.is_empty() {
                    uses_resources = true;
                    resources.iter().cloned().map(Some).collect()
                } else {
                    vec![None]
                };
            for resource in bound {
                let a = Assignment {
                    id: String::new(),
                    user: user.into(),
                    role: role.clone(),
                    scope: scope.into(),
                    resource,
                };
                if policy.assignments.iter().any(|x| same_grant(x, &a)) {
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

    fn unassign(
        &mut self,
        policy: &Policy,
        user: &str,
        scope: &str,
        row: Option<&Option<ResourceKey>>,
    ) {
        if self.require_user(policy, user) & self.require_scope(policy, scope) {
            self.remove_where(|a| {
                a.user == user && a.scope == scope && row.is_none_or(|r| a.resource == *r)
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

    fn remove_role(
        &mut self,
        policy: &Policy,
        user: &str,
        scope: &str,
        role: &str,
        resource: Option<&ResourceKey>,
    ) {
        if self.require_user(policy, user) & self.require_scope(policy, scope) {
            self.remove_where(|a| {
                a.user == user
                    && a.scope == scope
                    && a.role == role
                    && (resource.is_none() || a.resource.as_ref() == resource)
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

    fn transfer_ownership(&mut self, policy: &Policy, account: &str, to: &str) {
        let to_known = self.require_user(policy, to);
        if !policy.accounts.iter().any(|a| a.id == account) {
            if self.require_scope(policy, account) {
                self.violations.push(AdminError::NotAnAccount {
                    scope: clip(account),
                });
            }
            return;
        }
        if policy
            .assignments
            .iter()
            .any(|a| a.scope == account && a.role == ACCOUNT_OWNER && a.user == to)
        {
            self.violations.push(AdminError::AlreadyOwner {
                account: clip(account),
                user: clip(to),
            });
            return;
        }
        if to_known {
            self.remove_where(|a| a.scope == account && a.role == ACCOUNT_OWNER);
            self.add(Assignment {
                id: String::new(),
                user: to.into(),
                role: ACCOUNT_OWNER.into(),
                scope: account.into(),
                resource: None,
            });
        }
    }

    fn add_user(&mut self, policy: &Policy, user: &User) {
        if policy.users.iter().any(|u| u.id == user.id) {
            self.violations.push(AdminError::UserExists {
                user: clip(&user.id),
            });
            return;
        }
        self.identity_free(policy, user);
        self.after.users.push(user.clone());
        self.change.user_after = Some(user.clone());
    }

    fn update_user(&mut self, user: &str, edit: UserEdit<'_>) {
        let Some(u) = self.after.users.iter_mut().find(|u| u.id == user) else {
            self.unknown(Item::User, user);
            return;
        };
        self.change.user_before = Some(u.clone());
        if let Some(name) = edit.name {
            u.name = name.into();
        }
        if let Some(email) = edit.email {
            u.email = email.into();
        }
        if let Some(external_id) = edit.external_id {
            u.external_id = external_id.map(String::from);
        }
        if let Some(active) = edit.active {
            u.active = active;
        }
        let after = u.clone();
        let before = self.after.clone();
        self.identity_free(&before, &after);
        self.change.user_after = Some(after);
    }

    /// A user's email and external id name them alone: no other user of `policy` may have
    /// either (an identity provider matches users on them).
    fn identity_free(&mut self, policy: &Policy, user: &User) {
        let others = || policy.users.iter().filter(|u| u.id != user.id);
        if let Some(taken) = others().find(|u| u.email == user.email) {
            self.violations.push(AdminError::IdentityTaken {
                field: "email",
                value: clip(&user.email),
                user: clip(&taken.id),
            });
        }
        if let Some(external_id) = &user.external_id
            && let Some(taken) = others().find(|u| u.external_id.as_ref() == Some(external_id))
        {
            self.violations.push(AdminError::IdentityTaken {
                field: "external id",
                value: clip(external_id),
                user: clip(&taken.id),
            });
        }
    }

    fn remove_user(&mut self, user: &str) {
        let Some(at) = self.after.users.iter().position(|u| u.id == user) else {
            self.unknown(Item::User, user);
            return;
        };
        self.change.user_before = Some(self.after.users.remove(at));
        self.remove_where(|a| a.user == user);
    }

    fn update_settings(&mut self, settings: &Settings) {
        self.change.settings_before = Some(self.after.settings.clone());
        self.after.settings = settings.clone();
        self.change.settings_after = Some(settings.clone());
    }
}

impl Plan {
    /// Whether `actor` may perform this kind of operation at all. An actor who is not in the
    /// organization is refused exactly like a member who may not manage it.
    fn may_act(&mut self, before: &Snapshot, actor: &str, operation: &Operation) -> bool {
        // A deactivated user holds their assignments but may use none of them.
        let held = if before.user(actor).is_some_and(|u| u.active) {
            before.user_assignments(actor).unwrap_or_default()
        } else {
            Vec::new()
        };
        let org = before.organization();
        let manager = held.iter().any(|a| {
            a.scope == org && (a.role == ORGANIZATION_OWNER || a.role == ORGANIZATION_ADMINISTRATOR)
        });
        // An account's current Owner may hand its ownership on; everything else is for
        // organization owners and administrators.
        let owns_account = match operation {
            Operation::TransferOwnership { account, .. } => held
                .iter()
                .any(|a| a.role == ACCOUNT_OWNER && a.scope == account),
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

    /// Nobody grants or removes a role that can do more than they can at its scope, nor
    /// edits a user who holds one.
    fn within_own_power(&mut self, before: &Snapshot, actor: &str, operation: &Operation) {
        let lacks = |a: &Assignment| {
            let held = before
                .effective_permissions(actor, &a.scope, None)
                .unwrap_or_default();
            before
                .role_permissions(&a.role)
                .unwrap_or_default()
                .into_iter()
                .find(|p| held.binary_search(p).is_err())
                .map(ToString::to_string)
        };
        let mut refused = Vec::new();
        let changes = self
            .change
            .added
            .iter()
            .map(|a| ("grant", a))
            .chain(self.change.removed.iter().map(|a| ("remove", a)));
        for (verb, a) in changes {
            if let Some(permission) = lacks(a) {
                refused.push(AdminError::MorePowerful {
                    actor: clip(actor),
                    verb,
                    role: clip(&a.role),
                    scope: clip(&a.scope),
                    permission,
                });
            }
        }
        // Renaming, re-emailing or deactivating a user is acting on who they are: as
        // far-reaching as their most powerful assignment (an email is often an identity).
        if let Operation::UpdateUser { user, .. } = operation {
            let theirs = before.user_assignments(user).unwrap_or_default();
            if let Some((a, permission)) = theirs.iter().find_map(|a| {
                let a = Assignment {
                    id: a.id.into(),
                    user: user.clone(),
                    role: a.role.into(),
                    scope: a.scope.into(),
                    resource: None,
                };
                lacks(&a).map(|p| (a, p))
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

    /// The Owners that assignment management must not take away.
    fn protect(&mut self, policy: &Policy, operation: &Operation) {
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
        // The organization keeps an active Organization Owner: removing the last one's
        // assignment, removing them, or deactivating them are all refused.
        let org = &policy.organization.id;
        let active_owner = |p: &Policy, a: &Assignment| {
            a.role == ORGANIZATION_OWNER
                && &a.scope == org
                && p.users.iter().any(|u| u.id == a.user && u.active)
        };
        let remaining = self
            .after
            .assignments
            .iter()
            .any(|a| active_owner(&self.after, a));
        if !remaining
            && let Some(last) = policy.assignments.iter().find(|a| active_owner(policy, a))
        {
            self.violations.push(AdminError::LastOrganizationOwner {
                user: clip(&last.user),
            });
        }
    }
}
