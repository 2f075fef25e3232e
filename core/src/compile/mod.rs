//! Policy → snapshot bytes: check every rule, then lay the policy out read-optimised.
//!
//! Every list is sorted by id on the way out, so the same policy in any order compiles to the
//! same bytes. `plan` checks the organization's structure and resolves every reference,
//! `roles` and `users` the rules about roles and assignments, `encode` lays the plan out.

mod encode;
mod error;
mod patch;
mod plan;
mod problems;
mod roles;
mod users;

pub use error::{CompileError, Item};
pub(crate) use patch::patch;

use alloc::vec::Vec;
use core::ops::Range;

use crate::catalog;
use crate::format::trust::SigningKeyRef;
use crate::policy::{Policy, Role};
use crate::snapshot::Snapshot;
use plan::Plan;
use problems::Problems;

/// What the compiler stamps on a snapshot besides the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CompileOptions {
    /// The policy revision. Hosts refuse to move to a lower one.
    pub revision: u64,
    /// Seconds since the Unix epoch. The core has no clock: the caller says what time it is.
    pub issued_at: u64,
}

/// Checks every rule and compiles `policy` into snapshot bytes. On failure, the first broken
/// rule; [`validate`] lists them all.
pub fn compile(policy: &Policy, options: &CompileOptions) -> Result<Vec<u8>, CompileError> {
    compile_with(policy, options, None)
}

/// [`compile`], signed with `key`: what [`sign`](crate::sign) of the compiled bytes gives,
/// with the payload hashed once instead of three times (a publisher's largest cost after
/// the compile itself).
pub fn compile_signed(
    policy: &Policy,
    options: &CompileOptions,
    key: SigningKeyRef<'_>,
) -> Result<Vec<u8>, CompileError> {
    compile_with(policy, options, Some(key))
}

fn compile_with(
    policy: &Policy,
    options: &CompileOptions,
    key: Option<SigningKeyRef<'_>>,
) -> Result<Vec<u8>, CompileError> {
    let roles = all_roles(policy);
    let mut problems = Problems::default();
    let plan = Plan::new(policy, &roles, &mut problems);
    if let Some(first) = problems.into_first() {
        return Err(first);
    }
    plan.encode(options, key)
}

/// A compiled payload kept to be patched (see [`patch`]): its bytes, and where each user's
/// record lies in them, users in snapshot order.
#[derive(Debug, Clone)]
pub(crate) struct Parts {
    pub(crate) payload: Vec<u8>,
    pub(crate) users: Vec<Range<usize>>,
}

/// Checks every rule and compiles `policy` into the parts of a snapshot's payload.
pub(crate) fn compile_parts(policy: &Policy) -> Result<Parts, CompileError> {
    let roles = all_roles(policy);
    let mut problems = Problems::default();
    let plan = Plan::new(policy, &roles, &mut problems);
    if let Some(first) = problems.into_first() {
        return Err(first);
    }
    plan.parts()
}

/// The snapshot bytes of `organization`'s payload `parts`, stamped with `options`, signed
/// with `key`: what [`compile_signed`] gives for the policy the parts were compiled from.
pub(crate) fn seal_parts(
    organization: &str,
    parts: &Parts,
    options: &CompileOptions,
    key: SigningKeyRef<'_>,
) -> Result<Vec<u8>, CompileError> {
    crate::format::payload::seal_bytes(
        &parts.payload,
        &encode::claims(organization, options),
        Some(key),
    )
    .map_err(encode::sealing)
}

/// Compiles `policy` and decodes the result: a ready [`Snapshot`].
pub fn compile_snapshot(
    policy: &Policy,
    options: &CompileOptions,
) -> Result<Snapshot, CompileError> {
    let bytes = compile(policy, options)?;
    Snapshot::decode(&bytes).map_err(CompileError::Decode)
}

/// The ready [`Snapshot`] of `policy`, or every rule it breaks (in policy order): one pass
/// where [`validate`] then [`compile_snapshot`] would check the rules twice.
pub fn compile_checked(
    policy: &Policy,
    options: &CompileOptions,
) -> Result<Snapshot, Vec<CompileError>> {
    let roles = all_roles(policy);
    let mut problems = Problems::default();
    let plan = Plan::new(policy, &roles, &mut problems);
    let all = problems.into_all();
    if !all.is_empty() {
        return Err(all);
    }
    let bytes = plan.encode(options, None).map_err(|e| alloc::vec![e])?;
    Snapshot::decode(&bytes).map_err(|e| alloc::vec![CompileError::Decode(e)])
}

/// What admin operations never change — roles and their grants, the permission catalog,
/// the scopes and the resources — compiled without `policy`'s users and assignments (so
/// without the rule that every account has one Owner). Judging a change looks roles, scopes
/// and permissions up here instead of compiling the whole policy.
pub(crate) fn frame(policy: &Policy) -> Result<Snapshot, CompileError> {
    let empty = Policy {
        revision: policy.revision,
        organization: policy.organization.clone(),
        accounts: policy.accounts.clone(),
        subaccounts: policy.subaccounts.clone(),
        users: Vec::new(),
        permissions: policy.permissions.clone(),
        roles: policy.roles.clone(),
        resources: policy.resources.clone(),
        assignments: Vec::new(),
        settings: policy.settings.clone(),
    };
    let roles = all_roles(&empty);
    let mut problems = Problems::default();
    let plan = Plan::new(&empty, &roles, &mut problems);
    if let Some(first) = problems
        .into_all()
        .into_iter()
        .find(|e| !matches!(e, CompileError::OwnerCount { .. }))
    {
        return Err(first);
    }
    let bytes = plan.encode(
        &CompileOptions {
            revision: policy.revision,
            issued_at: 0,
        },
        None,
    )?;
    Snapshot::decode(&bytes).map_err(CompileError::Decode)
}

/// Every rule `policy` breaks, in policy order; empty when it compiles.
pub fn validate(policy: &Policy) -> Vec<CompileError> {
    let roles = all_roles(policy);
    let mut problems = Problems::default();
    let _ = Plan::new(policy, &roles, &mut problems);
    problems.into_all()
}

/// The default catalog followed by the policy's own roles.
fn all_roles(policy: &Policy) -> Vec<Role> {
    let mut roles = catalog::default_roles();
    roles.extend(policy.roles.iter().cloned());
    roles
}
