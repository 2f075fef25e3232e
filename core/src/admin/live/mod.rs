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

use alloc::collections::BTreeSet;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{AdminError, AuditRecord, Change, DryRun, Operation};
use crate::compile::{
    CompileError, CompileOptions, Parts, compile_checked, compile_parts, frame, patch, seal_parts,
};
use crate::format::trust::SigningKeyRef;
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
    snapshot: Compiled,
}

/// The payload [`LivePolicy::compile_signed`] last made, and what changed since.
#[derive(Debug, Clone, Default)]
struct Compiled {
    /// `None` before the first compile, and after a change that moves users' positions
    /// (a user added or removed) or changes the payload outside users' records (settings).
    parts: Option<Parts>,
    /// The users whose records changed since.
    changed: BTreeSet<String>,
    /// How many snapshots were patched rather than compiled in full.
    patched: u64,
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
            snapshot: Compiled::default(),
        })
    }

    /// The policy as it stands compiled and signed: what
    /// [`compile_signed`](crate::compile_signed) gives for [`policy`](Self::policy), byte for
    /// byte. The first time in full; after that, when only users' records changed (every
    /// operation but adding or removing a user and changing settings), the last payload with
    /// those records made again — at L, tens of milliseconds instead of hundreds (the
    /// payload's checksum is most of what is left).
    pub fn compile_signed(
        &mut self,
        options: &CompileOptions,
        key: SigningKeyRef<'_>,
    ) -> Result<Vec<u8>, CompileError> {
        let parts = match self.snapshot.parts.take() {
            Some(parts) if self.snapshot.changed.is_empty() => parts,
            // Past an eighth of the users (of a large organization), patching saves little
            // over compiling.
            Some(parts) if self.snapshot.changed.len() <= (self.policy.users.len() / 8).max(64) => {
                match self.patched(&parts) {
                    Some(patched) => {
                        self.snapshot.patched += 1;
                        patched
                    }
                    None => compile_parts(&self.policy)?,
                }
            }
            _ => compile_parts(&self.policy)?,
        };
        self.snapshot.changed.clear();
        let parts = self.snapshot.parts.insert(parts);
        seal_parts(&self.policy.organization.id, parts, options, key)
    }

    /// How many of the snapshots [`compile_signed`](Self::compile_signed) made were patched
    /// rather than compiled in full.
    pub fn patched_snapshots(&self) -> u64 {
        self.snapshot.patched
    }

    /// `parts` with the records of the users changed since made again; `None` when they
    /// cannot be patched.
    fn patched(&self, parts: &Parts) -> Option<Parts> {
        let mut changed = Vec::with_capacity(self.snapshot.changed.len());
        for id in &self.snapshot.changed {
            changed.push((self.user(id)?, self.assignments_of(id).collect()));
        }
        patch(parts, &self.frame, &changed)
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
        self.note_for_snapshot(change);
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

    /// Notes which users' records `change` changes for the next snapshot, or that it must be
    /// compiled in full.
    fn note_for_snapshot(&mut self, change: &Change) {
        let moves_users = match (&change.user_before, &change.user_after) {
            (Some(before), Some(after)) => before.id != after.id,
            (before, after) => before.is_some() != after.is_some(),
        };
        if moves_users || change.settings_after.is_some() {
            self.snapshot.parts = None;
            self.snapshot.changed.clear();
            return;
        }
        if self.snapshot.parts.is_none() {
            return;
        }
        let users = change.removed.iter().chain(&change.added).map(|a| &a.user);
        for user in users.chain(change.user_after.iter().map(|u| &u.id)) {
            if !self.snapshot.changed.contains(user) {
                self.snapshot.changed.insert(user.clone());
            }
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
