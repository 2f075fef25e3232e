//! A planned operation: the policy after it, what it changes, and every rule it breaks.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use super::{AdminError, Change, Operation};
use crate::compile::{CompileOptions, Item, compile_checked, compile_snapshot};
use crate::ids::clip;
use crate::policy::{Assignment, Policy};
use crate::snapshot::Snapshot;

pub(super) struct Plan {
    pub(super) after: Policy,
    pub(super) change: Change,
    pub(super) violations: Vec<AdminError>,
    /// `after` compiled at its revision, when it breaks no rule.
    pub(super) compiled: Option<Snapshot>,
}

impl Plan {
    /// Plans `operation` on `policy`, judging the rules on `compiled` when it is `policy`
    /// compiled at its revision (a caller that keeps one saves a compile), else on a fresh
    /// compile.
    pub(super) fn new(
        policy: &Policy,
        compiled: Option<&Snapshot>,
        actor: &str,
        operation: &Operation,
    ) -> Plan {
        let mut plan = Plan {
            after: policy.clone(),
            change: Change::default(),
            violations: Vec::new(),
            compiled: None,
        };
        let fresh;
        let before = match compiled {
            Some(s)
                if s.organization() == policy.organization.id
                    && s.revision() == policy.revision =>
            {
                s
            }
            // The rules are judged on the policy as it stands: if it does not compile, say so.
            _ => match compile_snapshot(policy, &CompileOptions::default()) {
                Ok(s) => {
                    fresh = s;
                    &fresh
                }
                Err(e) => {
                    plan.violations.push(AdminError::Rule(e));
                    return plan;
                }
            },
        };
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
        match compile_checked(&plan.after, &options) {
            Ok(snapshot) => plan.compiled = Some(snapshot),
            Err(broken) => plan
                .violations
                .extend(broken.into_iter().map(AdminError::Rule)),
        }
        plan
    }

    pub(super) fn unknown(&mut self, item: Item, id: &str) {
        self.violations
            .push(AdminError::Unknown { item, id: clip(id) });
    }

    pub(super) fn require_user(&mut self, policy: &Policy, user: &str) -> bool {
        let known = policy.users.iter().any(|u| u.id == user);
        if !known {
            self.unknown(Item::User, user);
        }
        known
    }

    pub(super) fn require_scope(&mut self, policy: &Policy, scope: &str) -> bool {
        let known = policy.organization.id == scope
            || policy.accounts.iter().any(|a| a.id == scope)
            || policy.subaccounts.iter().any(|s| s.id == scope);
        if !known {
            self.unknown(Item::Scope, scope);
        }
        known
    }

    /// Removes the assignments `pick` selects, recording them.
    pub(super) fn remove_where(&mut self, pick: impl Fn(&Assignment) -> bool) {
        let (removed, kept): (Vec<Assignment>, Vec<Assignment>) =
            core::mem::take(&mut self.after.assignments)
                .into_iter()
                .partition(|a| pick(a));
        self.after.assignments = kept;
        self.change.removed.extend(removed);
    }

    /// Adds an assignment, giving it its id.
    pub(super) fn add(&mut self, mut a: Assignment) {
        a.id = assignment_id(&self.after, self.after.revision, &a);
        self.change.added.push(a.clone());
        self.after.assignments.push(a);
    }
}

/// A deterministic, Twilio-style assignment id (`RA` and 32 hex digits) for an assignment
/// created at `revision`: the core has no randomness, and replaying an audit log must give
/// the same ids.
pub(super) fn assignment_id(policy: &Policy, revision: u64, a: &Assignment) -> String {
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
