//! What each operation changes: the edited policy and the [`Change`](super::Change), one
//! method per [`Operation`]. Rules about who may make the change are in `rules`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::plan::Plan;
use super::{AdminError, Operation};
use crate::catalog::{ACCOUNT_OWNER, default_roles};
use crate::ids::clip;
use crate::model::RoleKind;
use crate::policy::{Assignment, Policy, ResourceKey, Settings, User};

/// What an `update-user` operation changes; `None` keeps the field.
struct UserEdit<'a> {
    name: Option<&'a str>,
    email: Option<&'a str>,
    external_id: Option<Option<&'a str>>,
    active: Option<bool>,
}

pub(super) fn same_grant(a: &Assignment, b: &Assignment) -> bool {
    a.user == b.user && a.role == b.role && a.scope == b.scope && a.resource == b.resource
}

impl Plan {
    /// Computes the changed policy and the change.
    pub(super) fn edit(&mut self, policy: &Policy, operation: &Operation) {
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
                self.unknown(crate::compile::Item::Role, role);
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
            self.unknown(crate::compile::Item::User, user);
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
            self.unknown(crate::compile::Item::User, user);
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
