//! Applying admin operations to a policy, with the organization's rules enforced.
//!
//! An operation is planned against a copy of the policy. Who may act is checked first: an
//! actor who may not manage the organization (or is not in it) is told exactly that and
//! nothing else. Then the change is computed and checked — that nobody grants, removes or
//! edits a role (or a user holding one) that can do more than they can there, the protected
//! Owners — and the changed policy must pass every compile rule. Only a plan with no
//! violation is applied, so a refused operation changes nothing.

mod edit;
mod error;
mod live;
mod operation;
mod plan;
mod rules;

pub use error::AdminError;
pub use live::{LivePolicy, ReplayError};
pub use operation::{AuditRecord, Change, DryRun, Operation};

use alloc::string::ToString;

use crate::policy::Policy;
use crate::snapshot::Snapshot;
use plan::Plan;

/// The result of an applied operation: the new policy (revision bumped), its audit record,
/// and the new policy compiled (issued at 0) — judged anyway, so a caller that answers
/// questions about it needs no second compile.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The policy after the operation.
    pub policy: Policy,
    /// What happened, for the audit log.
    pub record: AuditRecord,
    /// `policy` compiled at its revision, issued at 0.
    pub compiled: Snapshot,
}

/// Tries `operation` by `actor` on `policy` without changing anything: the change it would
/// make and every rule it would break.
pub fn dry_run(policy: &Policy, actor: &str, operation: &Operation) -> DryRun {
    dry_run_compiled(policy, None, actor, operation)
}

/// [`dry_run`] for a caller that keeps `policy` compiled at its revision (`compiled`), as a
/// server does: the rules are judged on it rather than on a fresh compile. A snapshot of
/// another organization or revision is not used.
pub fn dry_run_compiled(
    policy: &Policy,
    compiled: Option<&Snapshot>,
    actor: &str,
    operation: &Operation,
) -> DryRun {
    let plan = Plan::new(policy, compiled, actor, operation);
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
    apply_compiled(policy, None, actor, operation, at)
}

/// [`apply`] for a caller that keeps `policy` compiled at its revision (`compiled`): the
/// rules are judged on it rather than on a fresh compile. A snapshot of another organization
/// or revision is not used.
pub fn apply_compiled(
    policy: &Policy,
    compiled: Option<&Snapshot>,
    actor: &str,
    operation: &Operation,
    at: u64,
) -> Result<Applied, AdminError> {
    let plan = Plan::new(policy, compiled, actor, operation);
    if let Some(first) = plan.violations.into_iter().next() {
        return Err(first);
    }
    // A plan without violations has compiled `after`; compiling here only keeps that true
    // should a future rule return early without a violation.
    let compiled = match plan.compiled {
        Some(compiled) => compiled,
        None => crate::compile::compile_snapshot(
            &plan.after,
            &crate::compile::CompileOptions {
                revision: plan.after.revision,
                issued_at: 0,
            },
        )
        .map_err(AdminError::Rule)?,
    };
    Ok(Applied {
        compiled,
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
