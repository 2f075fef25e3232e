//! The organization's rules about who may change what: only Organization Owners and
//! Administrators manage (an account's Owner may hand its ownership on), nobody grants,
//! removes or edits beyond their own power, and the Owners stay.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::plan::Plan;
use super::{AdminError, Operation};
use crate::catalog::{ACCOUNT_OWNER, ORGANIZATION_ADMINISTRATOR, ORGANIZATION_OWNER};
use crate::ids::clip;
use crate::policy::{Assignment, Policy};
use crate::snapshot::Snapshot;

impl Plan {
    /// Whether `actor` may perform this kind of operation at all. An actor who is not in the
    /// organization is refused exactly like a member who may not manage it.
    pub(super) fn may_act(
        &mut self,
        before: &Snapshot,
        actor: &str,
        operation: &Operation,
    ) -> bool {
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
    pub(super) fn within_own_power(
        &mut self,
        before: &Snapshot,
        actor: &str,
        operation: &Operation,
    ) {
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
    pub(super) fn protect(&mut self, policy: &Policy, operation: &Operation) {
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
