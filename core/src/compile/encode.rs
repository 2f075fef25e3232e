//! Laying a checked plan out as the snapshot payload.

use alloc::string::String;
use alloc::vec::Vec;

use super::plan::Plan;
use super::{CompileError, CompileOptions};
use crate::format::envelope::Claims;
use crate::format::payload::{SealError, seal_payload};
use crate::format::trust::SigningKeyRef;
use crate::format::wire::{
    Named, Payload, WireAssignment, WireResource, WireRole, WireSubaccount, WireUser,
};
use crate::limits::MAX_SNAPSHOT_BYTES;

impl Plan<'_> {
    /// The snapshot bytes of the plan, stamped with `options`.
    pub(super) fn encode(
        &self,
        options: &CompileOptions,
        key: Option<SigningKeyRef<'_>>,
    ) -> Result<Vec<u8>, CompileError> {
        let claims = Claims {
            organization: &self.policy.organization.id,
            revision: options.revision,
            issued_at: options.issued_at,
            slice_of: None,
        };
        let assignments = self.wire_assignments();
        let payload = self.payload(&assignments);
        seal_payload(&payload, &claims, key, self.size_hint()).map_err(|e| match e {
            SealError::Serialize => CompileError::Encode("the payload could not be serialized"),
            SealError::TooLarge(count) => CompileError::TooMany {
                what: "snapshot bytes",
                count,
                max: MAX_SNAPSHOT_BYTES,
            },
        })
    }

    /// About the payload's size, erring high: the buffer it is written into is allocated
    /// once (pages never written are never touched), instead of doubled and copied on the way.
    fn size_hint(&self) -> usize {
        const PER_ITEM: usize = 48;
        let texts = |id: &str, name: &str| id.len() + name.len() + 8;
        let users: usize = self
            .users
            .iter()
            .map(|u| texts(&u.user.id, &u.user.name) + u.user.email.len())
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

    fn payload<'a>(&'a self, assignments: &'a [WireAssignment<'a>]) -> Payload<'a> {
        Payload {
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
            users: self.wire_users(assignments),
            built_in_cap: self.policy.settings.max_built_in_roles_per_user,
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

    fn wire_users<'a>(&'a self, assignments: &'a [WireAssignment<'a>]) -> Vec<WireUser<'a>> {
        self.users
            .iter()
            .map(|u| WireUser {
                id: &u.user.id,
                name: &u.user.name,
                email: &u.user.email,
                active: u.user.active,
                assignments: assignments.get(u.assignments.clone()).unwrap_or_default(),
            })
            .collect()
    }
}
