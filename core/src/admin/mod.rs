//! Applying admin operations to a policy, with the organization's rules enforced.
//!
//! An operation is judged on the organization's [`LivePolicy`] — its policy indexed for the
//! rules. Who may act is checked first: an actor who may not manage the organization (or is
//! not in it) is told exactly that and nothing else. Then the change is computed and checked
//! — that nobody grants, removes or edits a role (or a user holding one) that can do more
//! than they can there, the protected Owners — and the change must keep every compile rule.
//! Only a change with no violation is applied, so a refused operation changes nothing.

mod assignment_id;
mod error;
mod live;
mod operation;

pub use assignment_id::assignment_id;
pub use error::AdminError;
pub use live::{LivePolicy, ReplayError};
pub use operation::{AuditRecord, Change, DryRun, Operation};

use alloc::vec::Vec;

use crate::policy::Policy;

/// The result of an applied operation: the new policy (revision bumped) and its audit record.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The policy after the operation, in the order it was written (the change's removals
    /// taken out, its additions at the end).
    pub policy: Policy,
    /// What happened, for the audit log.
    pub record: AuditRecord,
}

/// The policy indexed for judging; a policy that breaks a compile rule is judged as breaking
/// its first one.
fn live(policy: &Policy) -> Result<LivePolicy, AdminError> {
    LivePolicy::new(policy.clone()).map_err(|errors| {
        AdminError::Rule(
            errors
                .into_iter()
                .next()
                .unwrap_or(crate::compile::CompileError::Encode("no error")),
        )
    })
}

/// Tries `operation` by `actor` on `policy` without changing anything: the change it would
/// make and every rule it would break.
pub fn dry_run(policy: &Policy, actor: &str, operation: &Operation) -> DryRun {
    match live(policy) {
        Ok(live) => live.dry_run(actor, operation),
        Err(e) => DryRun {
            revision: policy.revision,
            change: Change::default(),
            violations: alloc::vec![e],
        },
    }
}

/// Applies `operation` by `actor` to `policy`, at time `at` (seconds since the Unix epoch;
/// the caller's clock). Returns the new policy and its audit record, or the first reason the
/// operation is refused — in which case nothing changed. (A caller that applies many
/// operations to one organization keeps a [`LivePolicy`] instead: this indexes the policy
/// each time.)
pub fn apply(
    policy: &Policy,
    actor: &str,
    operation: &Operation,
    at: u64,
) -> Result<Applied, AdminError> {
    let mut live = live(policy)?;
    let record = live.apply(actor, operation, at)?;
    Ok(Applied {
        policy: applied_in_order(policy, &record),
        record,
    })
}

/// `policy` changed by `record`, keeping its order (so a policy file's diff shows only what
/// changed).
fn applied_in_order(policy: &Policy, record: &AuditRecord) -> Policy {
    let change = &record.change;
    let mut after = policy.clone();
    after.revision = record.revision;
    let removed: Vec<&str> = change.removed.iter().map(|a| a.id.as_str()).collect();
    after
        .assignments
        .retain(|a| !removed.contains(&a.id.as_str()));
    match (&change.user_before, &change.user_after) {
        (Some(before), None) => after.users.retain(|u| u.id != before.id),
        (None, Some(user)) => after.users.push(user.clone()),
        (Some(_), Some(user)) => {
            if let Some(u) = after.users.iter_mut().find(|u| u.id == user.id) {
                *u = user.clone();
            }
        }
        (None, None) => {}
    }
    after.assignments.extend(change.added.iter().cloned());
    if let Some(settings) = &change.settings_after {
        after.settings = settings.clone();
    }
    after
}
