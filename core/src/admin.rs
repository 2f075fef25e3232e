//! Applying admin operations to a policy, with the organization's rules enforced.
//!
//! An operation is planned against a copy of the policy: the change is computed, then checked
//! — who may act, that nobody grants or removes a role that can do more than they can there,
//! the protected Owners — and the changed policy must pass every compile rule. Only a plan
//! with no violation is applied, so a refused operation changes nothing.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use crate::admin_error::AdminError;
use crate::admin_op::{AuditRecord, Change, DryRun, Operation};
use crate::catalog::{ACCOUNT_OWNER, ORGANIZATION_ADMINISTRATOR, ORGANIZATION_OWNER};
use crate::compile::{CompileOptions, compile_snapshot, validate};
use crate::compile_error::Item;
use crate::policy::{Assignment, Policy, ResourceKey};
use crate::snapshot::Snapshot;

/// The result of an applied operation: the new policy (revision bumped) and its audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The policy after the operation.
    pub policy: Policy,
    /// What happened, for the audit log.
    pub record: AuditRecord,
}

/// Tries `operation` by `actor` on `policy` without changing anything: the change it would
/// make and every rule it would break.
pub fn dry_run(policy: &Policy, actor: &str, operation: &Operation) -> DryRun {
    let plan = Plan::new(policy, actor, operation);
    DryRun {
        revision: plan.after.revision,
        change: plan.change,
        violations: plan.violations,
    }
}

/// Applies `operation` by `actor` to `policy`, at time `at` (seconds since the Unix epoch;
/// the caller's clock). Returns the new policy and its audit record, or the first reason the
/// operation is refused — in which case nothing changed.
pub fn apply(
    policy: &Policy,
    actor: &str,
    operation: &Operation,
    at: u64,
) -> Result<Applied, AdminError> {
    let plan = Plan::new(policy, actor, operation);
    if let Some(first) = plan.violations.into_iter().next() {
        return Err(first);
    }
    Ok(Applied {
        record: AuditRecord {
            revision: plan.after.revision,
            at,
            actor: actor.to_string(),
            operation: operation.clone(),
            change: plan.change,
        },
        policy: plan.after,
    })
}

/// A deterministic, Twilio-style assignment id (`RA` and 32 hex digits) for an assignment
/// created at `revision`: the core has no randomness, and replaying an audit log must give
/// the same ids.
fn assignment_id(policy: &Policy, revision: u64, a: &Assignment) -> String {
    let mut h = Sha256::new();
    for part in [&policy.organization.id, &a.user, &a.role, &a.scope] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    if let Some(r) = &a.resource {
        h.update(r.resource_type.as_bytes());
        h.update([0]);
        h.update(r.id.as_bytes());
    }
    h.update(revision.to_le_bytes());
    let digest: [u8; 32] = h.finalize().into();
    let mut id = String::from("RA");
    for b in digest.iter().take(16) {
        id.push_str(&format!("{b:02x}"));
    }
    id
}

fn same_grant(a: &Assignment, b: &Assignment) -> bool {
    a.user == b.user && a.role == b.role && a.scope == b.scope && a.resource == b.resource
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
        plan.after.revision = policy.revision.saturating_add(1);
        // The rules are judged on the policy as it stands: if it does not compile, say so.
        let before = match compile_snapshot(policy, &CompileOptions::default()) {
            Ok(s) => s,
            Err(e) => {
                plan.violations.push(AdminError::Rule(e));
                return plan;
            }
        };
        plan.edit(policy, operation);
        if plan.may_act(&before, actor, operation) {
            plan.protect(policy, operation);
            plan.within_own_power(&before, actor);
        }
        plan.violations
            .extend(validate(&plan.after).into_iter().map(AdminError::Rule));
        plan
    }

    fn unknown(&mut self, item: Item, id: &str) {
        self.violations.push(AdminError::Unknown {
            item,
            id: id.to_string(),
        });
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
            core::mem::take(&mut self.after.assignments)
                .into_iter()
                .partition(|a| pick(a));
        self.after.assignments = kept;
        self.change.removed.extend(removed);
    }

    fn add(&mut self, mut a: Assignment) {
        a.id = assignment_id(&self.after, self.after.revision, &a);
        self.change.added.push(a.clone());
        self.after.assignments.push(a);
    }

    /// Computes the changed policy and the change.
    fn edit(&mut self, policy: &Policy, operation: &Operation) {
        match operation {
            Operation::Assign {
                user,
                scope,
                roles,
                resources,
            } => {
                let ok = self.require_user(policy, user) & self.require_scope(policy, scope);
                if roles.is_empty() {
                    self.violations
                        .push(AdminError::NoRoles { user: user.clone() });
                }
                let mut uses_resources = false;
                let catalog = crate::catalog::default_roles();
                for role in roles {
                    let Some(r) = catalog
                        .iter()
                        .chain(policy.roles.iter())
                        .find(|r| &r.id == role)
                    else {
                        self.unknown(Item::Role, role);
                        continue;
                    };
                    let bound: Vec<Option<ResourceKey>> = if r.kind
                        == crate::role::RoleKind::ResourceBased
                        && !resources.is_empty()
                    {
                        uses_resources = true;
                        resources.iter().cloned().map(Some).collect()
                    } else {
                        alloc::vec![None]
                    };
                    for resource in bound {
                        let a = Assignment {
                            id: String::new(),
                            user: user.clone(),
                            role: role.clone(),
                            scope: scope.clone(),
                            resource,
                        };
                        if policy.assignments.iter().any(|x| same_grant(x, &a)) {
                            self.violations.push(AdminError::AlreadyAssigned {
                                user: user.clone(),
                                role: role.clone(),
                                scope: scope.clone(),
                            });
                        } else if ok {
                            self.add(a);
                        }
                    }
                }
                if !resources.is_empty() && !uses_resources {
                    self.violations
                        .push(AdminError::UnexpectedResources { user: user.clone() });
                }
            }
            Operation::Unassign { user, scope } => {
                if self.require_user(policy, user) & self.require_scope(policy, scope) {
                    self.remove_where(|a| &a.user == user && &a.scope == scope);
                    if self.change.removed.is_empty() {
                        self.violations.push(AdminError::NothingToRemove {
                            user: user.clone(),
                            what: "assignments".into(),
                            scope: scope.clone(),
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
                if self.require_user(policy, user) & self.require_scope(policy, scope) {
                    self.remove_where(|a| {
                        &a.user == user
                            && &a.scope == scope
                            && &a.role == role
                            && (resource.is_none() || &a.resource == resource)
                    });
                    if self.change.removed.is_empty() {
                        self.violations.push(AdminError::NothingToRemove {
                            user: user.clone(),
                            what: format!("role `{role}`"),
                            scope: scope.clone(),
                        });
                    }
                }
            }
            Operation::TransferOwnership { account, to } => {
                let to_known = self.require_user(policy, to);
                if !policy.accounts.iter().any(|a| &a.id == account) {
                    if self.require_scope(policy, account) {
                        self.violations.push(AdminError::NotAnAccount {
                            scope: account.clone(),
                        });
                    }
                    return;
                }
                if policy
                    .assignments
                    .iter()
                    .any(|a| &a.scope == account && a.role == ACCOUNT_OWNER && &a.user == to)
                {
                    self.violations.push(AdminError::AlreadyOwner {
                        account: account.clone(),
                        user: to.clone(),
                    });
                    return;
                }
                if to_known {
                    self.remove_where(|a| &a.scope == account && a.role == ACCOUNT_OWNER);
                    self.add(Assignment {
                        id: String::new(),
                        user: to.clone(),
                        role: ACCOUNT_OWNER.into(),
                        scope: account.clone(),
                        resource: None,
                    });
                }
            }
            Operation::AddUser { user } => {
                if policy.users.iter().any(|u| u.id == user.id) {
                    self.violations.push(AdminError::UserExists {
                        user: user.id.clone(),
                    });
                    return;
                }
                self.after.users.push(user.clone());
                self.change.user_after = Some(user.clone());
            }
            Operation::RenameUser { user, name, email } => {
                let Some(u) = self.after.users.iter_mut().find(|u| &u.id == user) else {
                    self.unknown(Item::User, user);
                    return;
                };
                self.change.user_before = Some(u.clone());
                u.name = name.clone();
                if let Some(e) = email {
                    u.email = e.clone();
                }
                self.change.user_after = Some(u.clone());
            }
            Operation::RemoveUser { user } => {
                let Some(at) = self.after.users.iter().position(|u| &u.id == user) else {
                    self.unknown(Item::User, user);
                    return;
                };
                self.change.user_before = Some(self.after.users.remove(at));
                self.remove_where(|a| &a.user == user);
            }
        }
    }

    /// Whether `actor` may perform this kind of operation at all.
    fn may_act(&mut self, before: &Snapshot, actor: &str, operation: &Operation) -> bool {
        let Some(held) = before.user_assignments(actor) else {
            self.violations.push(AdminError::UnknownActor {
                actor: actor.to_string(),
            });
            return false;
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
                actor: actor.to_string(),
                operation: operation.describe(),
            });
            return false;
        }
        true
    }

    /// Nobody grants or removes a role that can do more than they can at its scope.
    fn within_own_power(&mut self, before: &Snapshot, actor: &str) {
        let changes = self
            .change
            .added
            .iter()
            .map(|a| ("grant", a))
            .chain(self.change.removed.iter().map(|a| ("remove", a)));
        let mut refused = Vec::new();
        for (verb, a) in changes {
            let held = before
                .effective_permissions(actor, &a.scope, None)
                .unwrap_or_default();
            let missing = before
                .role_permissions(&a.role)
                .unwrap_or_default()
                .into_iter()
                .find(|p| held.binary_search(p).is_err());
            if let Some(permission) = missing {
                refused.push(AdminError::MorePowerful {
                    actor: actor.to_string(),
                    verb,
                    role: a.role.clone(),
                    scope: a.scope.clone(),
                    permission: permission.to_string(),
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
                        account: a.scope.clone(),
                        user: a.user.clone(),
                    });
                }
            }
        }
        let org = &policy.organization.id;
        let is_org_owner = |a: &Assignment| a.role == ORGANIZATION_OWNER && &a.scope == org;
        let remaining = self.after.assignments.iter().any(is_org_owner);
        if !remaining && let Some(last) = policy.assignments.iter().find(|a| is_org_owner(a)) {
            self.violations.push(AdminError::LastOrganizationOwner {
                user: last.user.clone(),
            });
        }
    }
}
