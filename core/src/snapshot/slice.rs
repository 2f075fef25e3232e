//! Per-user slices: a snapshot with only what one user's console needs — that user and their
//! assignments, every scope, the role and permission catalog, the resources — and nothing
//! about anyone else. It answers that user's checks exactly as the full snapshot does.

use alloc::vec::Vec;

use crate::format::envelope::Claims;
use crate::format::payload::seal_payload;
use crate::format::wire::{
    Named, Payload, WireAssignment, WireResource, WireRole, WireSubaccount, WireUser,
};
use crate::model::ScopeLevel;
use crate::snapshot::{NONE, Snapshot};

/// Why a slice could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SliceError {
    /// The user is not in the organization.
    #[error("unknown user `{0}`")]
    UnknownUser(alloc::string::String),
    /// The slice could not be encoded.
    #[error("the slice could not be encoded")]
    Encode,
}

impl SliceError {
    /// The stable code.
    pub const fn code(&self) -> crate::ffi::Code {
        match self {
            SliceError::UnknownUser(_) => crate::ffi::Code::UnknownUser,
            SliceError::Encode => crate::ffi::Code::Internal,
        }
    }
}

impl Snapshot {
    /// A snapshot of the same organization, revision and issue time holding only `user`,
    /// marked as that user's slice (so no signature over it can pass for the organization's
    /// snapshot). It is unsigned: sign it ([`crate::sign`]) for clients that require
    /// signatures, and have them expect it ([`crate::Trust::slice_of`]).
    pub fn slice(&self, user: &str) -> Result<Vec<u8>, SliceError> {
        let keep = self
            .find_user(user)
            .ok_or_else(|| SliceError::UnknownUser(crate::ids::clip(user)))?;
        let grants = self.grant_bytes();
        let text = |span| self.text.get(span);
        let payload = Payload {
            organization_name: self.organization_name(),
            accounts: self
                .scopes
                .iter()
                .filter(|s| s.level == ScopeLevel::Account)
                .map(|s| Named {
                    id: text(s.id),
                    name: text(s.name),
                })
                .collect(),
            subaccounts: self
                .scopes
                .iter()
                .filter(|s| s.level == ScopeLevel::Subaccount)
                // Accounts are scopes 1..=A, so an account's position is its scope index - 1.
                .map(|s| WireSubaccount {
                    id: text(s.id),
                    name: text(s.name),
                    account: s.parent.saturating_sub(1),
                })
                .collect(),
            permissions: self.permissions.iter().map(|&p| text(p)).collect(),
            resource_types: self.resource_types.iter().map(|&t| text(t)).collect(),
            resources: self
                .resources
                .iter()
                .map(|r| WireResource {
                    resource_type: r.resource_type,
                    id: text(r.id),
                    name: text(r.name),
                })
                .collect(),
            roles: self.wire_roles(&grants),
            users: self
                .users
                .get(keep as usize)
                .map(|u| self.wire_user(u))
                .into_iter()
                .collect(),
            built_in_cap: self.built_in_cap,
        };
        let claims = Claims {
            organization: self.organization(),
            revision: self.meta.revision,
            issued_at: self.meta.issued_at,
            slice_of: Some(self.user_id(keep)),
        };
        seal_payload(&payload, &claims).map_err(|_| SliceError::Encode)
    }

    /// Each role's grants as the wire writes them: one bit per catalog permission, packed
    /// into bytes (the decoded form packs them into words).
    fn grant_bytes(&self) -> Vec<Vec<u8>> {
        (0..self.roles.len() as u32)
            .map(|r| {
                (0..self.permissions.len().div_ceil(8))
                    .map(|byte| {
                        (0..8).fold(0u8, |acc, bit| {
                            let p = (byte * 8 + bit) as u32;
                            acc | (u8::from(self.role_grants(r, p)) << bit)
                        })
                    })
                    .collect()
            })
            .collect()
    }

    fn wire_roles<'s>(&'s self, grants: &'s [Vec<u8>]) -> Vec<WireRole<'s>> {
        self.roles
            .iter()
            .zip(grants)
            .map(|(r, grants)| {
                let view = self.role_view(r);
                WireRole {
                    id: view.id,
                    sid: view.sid,
                    name: view.name,
                    description: view.description,
                    kind: r.kind.wire_code(),
                    lowest_level: r.lowest_level.depth(),
                    allow: view.allow,
                    deny: view.deny,
                    resource_types: self
                        .role_resource_types
                        .get(r.resource_types.0 as usize..r.resource_types.1 as usize)
                        .unwrap_or_default()
                        .to_vec(),
                    grants,
                }
            })
            .collect()
    }

    fn wire_user<'s>(&'s self, u: &'s super::UserRec) -> WireUser<'s> {
        let text = |span| self.text.get(span);
        WireUser {
            id: text(u.id),
            name: text(u.name),
            email: text(u.email),
            active: u.active,
            assignments: self
                .assignment_slice(u)
                .iter()
                .map(|a| WireAssignment {
                    id: text(a.id),
                    role: a.role,
                    scope: a.scope,
                    resource: (a.resource != NONE).then_some(a.resource),
                })
                .collect(),
        }
    }
}
