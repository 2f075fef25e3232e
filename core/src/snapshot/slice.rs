//! Per-user slices: a snapshot with only what one user's console needs — that user and their
//! assignments, the scopes they reach (where they hold a role, everything below, and the way
//! up to the organization), the role and permission catalog, the resources their roles are
//! bound to — and nothing about anyone else. It allows exactly what the full snapshot allows
//! that user; a scope it leaves out, where the user can do nothing, is an unknown scope.

use alloc::vec::Vec;

use crate::format::envelope::Claims;
use crate::format::payload::seal_payload;
use crate::format::wire::{
    Named, Payload, PayloadHead, WireAssignment, WireResource, WireRole, WireSubaccount, WireUser,
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
        let rec = self
            .users
            .get(keep as usize)
            .ok_or_else(|| SliceError::UnknownUser(crate::ids::clip(user)))?;
        let reach = Reach::of(self, self.assignment_slice(rec));
        let grants = self.grant_bytes();
        let text = |span| self.text.get(span);
        let assignments: Vec<WireAssignment<'_>> = self
            .assignment_slice(rec)
            .iter()
            .map(|a| WireAssignment {
                id: text(a.id),
                role: a.role,
                scope: reach.scope(a.scope),
                resource: (a.resource != NONE).then(|| reach.resource(a.resource)),
            })
            .collect();
        let head = PayloadHead {
            organization_name: self.organization_name(),
            accounts: reach
                .accounts
                .iter()
                .filter_map(|&s| self.scopes.get(s as usize))
                .map(|s| Named {
                    id: text(s.id),
                    name: text(s.name),
                })
                .collect(),
            subaccounts: reach
                .subaccounts
                .iter()
                .filter_map(|&s| self.scopes.get(s as usize))
                .map(|s| WireSubaccount {
                    id: text(s.id),
                    name: text(s.name),
                    // Accounts are scopes 1..=A on the wire.
                    account: reach.scope(s.parent).saturating_sub(1),
                })
                .collect(),
            permissions: self.permissions.iter().map(|&p| text(p)).collect(),
            resource_types: self.resource_types.iter().map(|&t| text(t)).collect(),
            resources: reach
                .resources
                .iter()
                .filter_map(|&r| self.resources.get(r as usize))
                .map(|r| WireResource {
                    resource_type: r.resource_type,
                    id: text(r.id),
                    name: text(r.name),
                })
                .collect(),
            roles: self.wire_roles(&grants),
        };
        let payload = Payload {
            head,
            users: alloc::vec![WireUser {
                id: text(rec.id),
                name: text(rec.name),
                email: text(rec.email),
                active: rec.active,
                assignments: &assignments,
            }],
            built_in_cap: self.built_in_cap,
        };
        let claims = Claims {
            organization: self.organization(),
            revision: self.meta.revision,
            issued_at: self.meta.issued_at,
            slice_of: Some(self.user_id(keep)),
        };
        seal_payload(&payload, &claims, None).map_err(|_| SliceError::Encode)
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
}

/// The scopes and resources a user reaches, in full-snapshot order, and where each lands in
/// the slice's numbering.
struct Reach {
    accounts: Vec<u32>,
    subaccounts: Vec<u32>,
    resources: Vec<u32>,
    /// Full-snapshot scope index → slice scope index (`NONE` when left out).
    scope_at: Vec<u32>,
    /// Full-snapshot resource index → slice resource index.
    resource_at: Vec<u32>,
}

impl Reach {
    fn of(snapshot: &Snapshot, assignments: &[super::AssignmentRec]) -> Reach {
        let n = snapshot.scopes.len();
        let mut kept = alloc::vec![false; n];
        if let Some(org) = kept.get_mut(0) {
            *org = true;
        }
        // Where the user holds a role, and the way up to the organization.
        for a in assignments {
            for s in snapshot.chain(a.scope) {
                if let Some(k) = kept.get_mut(s as usize) {
                    *k = true;
                }
            }
        }
        // Everything below a scope held: a role there applies there too.
        let held: Vec<bool> = (0..n)
            .map(|s| assignments.iter().any(|a| a.scope == s as u32))
            .collect();
        for (i, scope) in snapshot.scopes.iter().enumerate() {
            let below_held = scope
                .chain
                .iter()
                .any(|&c| c != NONE && held.get(c as usize).copied().unwrap_or(false));
            if below_held && let Some(k) = kept.get_mut(i) {
                *k = true;
            }
        }
        let level = |i: usize| snapshot.scopes.get(i).map(|s| s.level);
        let accounts: Vec<u32> = (0..n)
            .filter(|&i| kept.get(i) == Some(&true) && level(i) == Some(ScopeLevel::Account))
            .map(|i| i as u32)
            .collect();
        let subaccounts: Vec<u32> = (0..n)
            .filter(|&i| kept.get(i) == Some(&true) && level(i) == Some(ScopeLevel::Subaccount))
            .map(|i| i as u32)
            .collect();
        let mut scope_at = alloc::vec![NONE; n];
        if let Some(org) = scope_at.get_mut(0) {
            *org = 0;
        }
        for (new, &old) in accounts.iter().chain(&subaccounts).enumerate() {
            if let Some(slot) = scope_at.get_mut(old as usize) {
                *slot = new as u32 + 1;
            }
        }
        let mut resources: Vec<u32> = assignments
            .iter()
            .map(|a| a.resource)
            .filter(|&r| r != NONE)
            .collect();
        resources.sort_unstable();
        resources.dedup();
        let mut resource_at = alloc::vec![NONE; snapshot.resources.len()];
        for (new, &old) in resources.iter().enumerate() {
            if let Some(slot) = resource_at.get_mut(old as usize) {
                *slot = new as u32;
            }
        }
        Reach {
            accounts,
            subaccounts,
            resources,
            scope_at,
            resource_at,
        }
    }

    fn scope(&self, full: u32) -> u32 {
        self.scope_at.get(full as usize).copied().unwrap_or(NONE)
    }

    fn resource(&self, full: u32) -> u32 {
        self.resource_at.get(full as usize).copied().unwrap_or(NONE)
    }
}
