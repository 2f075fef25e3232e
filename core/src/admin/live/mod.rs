//! A live policy: an organization's policy kept with the indexes its admin rules need, so a
//! server judges and applies each change in time proportional to what it changes, not to the
//! size of the organization.
//!
//! [`apply`](crate::apply) plans an operation on a copy of the policy and compiles the
//! result — simple and obviously right, and what the CLI does, but hundreds of milliseconds
//! on a 500,000-assignment organization. [`LivePolicy`] gives the same verdict (a
//! differential test holds it to that on random operation sequences) by judging the change
//! against its indexes, then edits the policy in place.

mod index;
mod judge;

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{AdminError, AuditRecord, Change, DryRun, Operation};
use crate::compile::{CompileError, CompileOptions, compile_checked, frame};
use crate::policy::{Assignment, Policy, User};
use crate::snapshot::Snapshot;
use index::Index;

/// An organization's policy, indexed for judging changes. Owns its policy; the policy's
/// order of users and assignments is not kept (snapshots do not depend on it).
#[derive(Debug, Clone)]
pub struct LivePolicy {
    policy: Policy,
    /// Roles, permissions, scopes and resources compiled: what no admin operation changes.
    frame: Snapshot,
    index: Index,
}

/// Why a change committed elsewhere could not be replayed: the live policy is not the one
/// the change was made on (reload it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The record is not for the next revision.
    #[error("the change is for revision {record}, not revision {expected}")]
    Revision {
        /// The live policy's next revision.
        expected: u64,
        /// The record's.
        record: u64,
    },
    /// The change removes or edits something this policy does not have.
    #[error("the change names `{0}`, which this policy does not have")]
    Missing(String),
}

impl LivePolicy {
    /// Indexes `policy`, which must pass every compile rule (each is checked, once).
    pub fn new(policy: Policy) -> Result<LivePolicy, Vec<CompileError>> {
        compile_checked(
            &policy,
            &CompileOptions {
                revision: policy.revision,
                issued_at: 0,
            },
        )?;
        let frame = frame(&policy).map_err(|e| alloc::vec![e])?;
        let index = Index::build(&policy, &frame);
        Ok(LivePolicy {
            policy,
            frame,
            index,
        })
    }

    /// The policy as it stands.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The policy's revision.
    pub fn revision(&self) -> u64 {
        self.policy.revision
    }

    /// Takes the policy back.
    pub fn into_policy(self) -> Policy {
        self.policy
    }

    fn user(&self, id: &str) -> Option<&User> {
        self.index
            .user_at
            .get(id)
            .and_then(|&at| self.policy.users.get(at))
    }

    fn assignments_of<'s>(&'s self, user: &str) -> impl Iterator<Item = &'s Assignment> + 's {
        self.index
            .by_user
            .get(user)
            .into_iter()
            .flatten()
            .filter_map(|id| self.index.assignment_at.get(id))
            .filter_map(|&at| self.policy.assignments.get(at))
    }

    /// Tries `operation` by `actor` without changing anything: the change it would make and
    /// every rule it would break — as [`dry_run`](crate::dry_run) on the same policy.
    pub fn dry_run(&self, actor: &str, operation: &Operation) -> DryRun {
        let judged = judge::judge(self, actor, operation);
        DryRun {
            revision: judged.revision,
            change: judged.change,
            violations: judged.violations,
        }
    }

    /// Applies `operation` by `actor` at time `at` (the caller's clock), as
    /// [`apply`](crate::apply) would: the audit record, or the first reason it is refused —
    /// in which case nothing changed.
    pub fn apply(
        &mut self,
        actor: &str,
        operation: &Operation,
        at: u64,
    ) -> Result<AuditRecord, AdminError> {
        let judged = judge::judge(self, actor, operation);
        if let Some(first) = judged.violations.into_iter().next() {
            return Err(first);
        }
        self.commit(judged.revision, &judged.change);
        Ok(AuditRecord {
            revision: judged.revision,
            at,
            actor: actor.to_string(),
            operation: operation.clone(),
            change: judged.change,
        })
    }

    /// Applies a change judged and committed elsewhere (another server on the same database),
    /// after checking that it fits this policy.
    pub fn replay(&mut self, record: &AuditRecord) -> Result<(), ReplayError> {
        let expected = self.policy.revision.saturating_add(1);
        if record.revision != expected {
            return Err(ReplayError::Revision {
                expected,
                record: record.revision,
            });
        }
        let change = &record.change;
        for a in &change.removed {
            if !self.index.assignment_at.contains_key(&a.id) {
                return Err(ReplayError::Missing(a.id.clone()));
            }
        }
        if let Some(u) = &change.user_before
            && self.user(&u.id).is_none()
        {
            return Err(ReplayError::Missing(u.id.clone()));
        }
        self.commit(record.revision, change);
        Ok(())
    }

    /// Edits the policy and its indexes by `change`, now at `revision`.
    fn commit(&mut self, revision: u64, change: &Change) {
        self.policy.revision = revision;
        for a in &change.removed {
            self.remove_assignment(&a.id);
        }
        match (&change.user_before, &change.user_after) {
            (Some(before), None) => self.remove_user(&before.id),
            (None, Some(after)) => {
                self.index
                    .user_at
                    .insert(after.id.clone(), self.policy.users.len());
                self.index.add_identity(after);
                self.policy.users.push(after.clone());
            }
            (Some(_), Some(after)) => {
                if let Some(&at) = self.index.user_at.get(&after.id)
                    && let Some(slot) = self.policy.users.get_mut(at)
                {
                    let before = core::mem::replace(slot, after.clone());
                    // Only when the identity moved: a remove and insert in a large hash map
                    // leaves a tombstone, and enough of them make an insert rehash the whole
                    // table in place (milliseconds at 100,000 users) — most edits are a name
                    // or the active flag.
                    if before.email != after.email || before.external_id != after.external_id {
                        self.index.remove_identity(&before);
                        self.index.add_identity(after);
                    }
                }
            }
            (None, None) => {}
        }
        for a in &change.added {
            self.index
                .assignment_at
                .insert(a.id.clone(), self.policy.assignments.len());
            self.policy.assignments.push(a.clone());
            self.index.add_assignment(&self.policy, &self.frame, a);
        }
        if let Some(settings) = &change.settings_after {
            self.policy.settings = settings.clone();
        }
    }

    /// Removes an assignment by swapping the last one into its place.
    fn remove_assignment(&mut self, id: &str) {
        let Some(at) = self.index.assignment_at.remove(id) else {
            return;
        };
        if at >= self.policy.assignments.len() {
            return;
        }
        let removed = self.policy.assignments.swap_remove(at);
        if let Some(moved) = self.policy.assignments.get(at) {
            self.index.assignment_at.insert(moved.id.clone(), at);
        }
        self.index
            .remove_assignment(&self.policy, &self.frame, &removed);
    }

    fn remove_user(&mut self, id: &str) {
        let Some(at) = self.index.user_at.remove(id) else {
            return;
        };
        if at >= self.policy.users.len() {
            return;
        }
        let removed = self.policy.users.swap_remove(at);
        if let Some(moved) = self.policy.users.get(at) {
            self.index.user_at.insert(moved.id.clone(), at);
        }
        self.index.remove_identity(&removed);
        self.index.by_user.remove(id);
    }
}
