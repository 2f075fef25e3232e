//! Laying a checked plan out as the snapshot payload.

use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

use super::plan::{Plan, PlannedUser};
use super::{CompileError, CompileOptions, Parts};
use crate::format::envelope::Claims;
use crate::format::payload::{SealError, append, seal_after_room, with_room};
use crate::format::trust::SigningKeyRef;
use crate::format::wire::{
    Named, PayloadHead, WireAssignment, WireResource, WireRole, WireSubaccount, WireUser,
};
use crate::limits::MAX_SNAPSHOT_BYTES;

impl Plan<'_> {
    /// The snapshot bytes of the plan, stamped with `options`.
    pub(super) fn encode(
        &self,
        options: &CompileOptions,
        key: Option<SigningKeyRef<'_>>,
    ) -> Result<Vec<u8>, CompileError> {
        let claims = claims(&self.policy.organization.id, options);
        let (mut out, room) = with_room(&claims, key, self.size_hint());
        self.write_payload(&mut out, |_| {})?;
        seal_after_room(out, room, &claims, key).map_err(sealing)
    }

    /// The payload, and where each user's record lies in it.
    pub(super) fn parts(&self) -> Result<Parts, CompileError> {
        let mut payload = Vec::with_capacity(self.size_hint());
        let mut users = Vec::with_capacity(self.users.len());
        self.write_payload(&mut payload, |record| users.push(record))?;
        Ok(Parts { payload, users })
    }

    /// Appends the payload to `out` (a [`Payload`](crate::format::wire::Payload), written
    /// field by field), telling `record` where each user's record lies.
    fn write_payload(
        &self,
        out: &mut Vec<u8>,
        mut record: impl FnMut(Range<usize>),
    ) -> Result<(), CompileError> {
        let assignments = self.wire_assignments();
        append(out, &self.payload_head()).map_err(sealing)?;
        // A sequence's length, as postcard writes it: a varint, as it writes a usize.
        append(out, &self.users.len()).map_err(sealing)?;
        for u in &self.users {
            let start = out.len();
            append(out, &wire_user(u, &assignments)).map_err(sealing)?;
            record(start..out.len());
        }
        append(out, &self.policy.settings.max_built_in_roles_per_user).map_err(sealing)
    }

    /// About the payload's size, erring high: the buffer it is written into is allocated
    /// once (pages never written are never touched), instead of doubled and copied on the way.
    fn size_hint(&self) -> usize {
        const PER_ITEM: usize = 48;
        let users: usize = self
            .users
            .iter()
            .map(|u| u.user.id.len() + u.user.name.len() + u.user.email.len() + 8)
            .sum();
        let assignments: usize = self
            .assignments
            .iter()
            .map(|p| p.assignment.id.len() + 16)
            .sum();
        users
            + assignments
            + PER_ITEM * (self.scopes.accounts.len() + self.scopes.subaccounts.len())
            + PER_ITEM * (self.resources.list.len() + self.roles.len())
            + 64 * self.permissions.len()
            + 4096
    }

    fn payload_head(&self) -> PayloadHead<'_> {
        PayloadHead {
            organization_name: &self.policy.organization.name,
            accounts: self
                .scopes
                .accounts
                .iter()
                .map(|a| Named {
                    id: &a.id,
                    name: &a.name,
                })
                .collect(),
            subaccounts: self
                .scopes
                .subaccounts
                .iter()
                .map(|(s, account)| WireSubaccount {
                    id: &s.id,
                    name: &s.name,
                    account: *account,
                })
                .collect(),
            permissions: self.permissions.clone(),
            resource_types: self.resources.types.clone(),
            resources: self
                .resources
                .list
                .iter()
                .map(|(r, t)| WireResource {
                    resource_type: *t,
                    id: &r.id,
                    name: &r.name,
                })
                .collect(),
            roles: self.wire_roles(),
        }
    }

    fn wire_roles(&self) -> Vec<WireRole<'_>> {
        self.roles
            .iter()
            .map(|p| WireRole {
                id: &p.role.id,
                sid: &p.sid,
                name: &p.role.name,
                description: &p.role.description,
                kind: p.role.kind.wire_code(),
                lowest_level: p.role.lowest_level.depth(),
                allow: p.role.allow.iter().map(String::as_str).collect(),
                deny: p.role.deny.iter().map(String::as_str).collect(),
                resource_types: p.types.clone(),
                grants: &p.grants,
            })
            .collect()
    }

    /// Every assignment as written, in the plan's order (grouped by user).
    fn wire_assignments(&self) -> Vec<WireAssignment<'_>> {
        self.assignments
            .iter()
            .map(|p| WireAssignment {
                id: &p.assignment.id,
                role: p.role,
                scope: p.scope,
                resource: p.resource,
            })
            .collect()
    }
}

fn wire_user<'a>(u: &PlannedUser<'a>, assignments: &'a [WireAssignment<'a>]) -> WireUser<'a> {
    WireUser {
        id: &u.user.id,
        name: &u.user.name,
        email: &u.user.email,
        active: u.user.active,
        assignments: assignments.get(u.assignments.clone()).unwrap_or_default(),
    }
}

/// What the envelope of `organization`'s snapshot claims, stamped with `options`.
pub(super) fn claims<'a>(organization: &'a str, options: &CompileOptions) -> Claims<'a> {
    Claims {
        organization,
        revision: options.revision,
        issued_at: options.issued_at,
        slice_of: None,
    }
}

pub(super) fn sealing(e: SealError) -> CompileError {
    match e {
        SealError::Serialize => CompileError::Encode("the payload could not be serialized"),
        SealError::TooLarge(count) => CompileError::TooMany {
            what: "snapshot bytes",
            count,
            max: MAX_SNAPSHOT_BYTES,
        },
    }
}
