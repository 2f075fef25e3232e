//! The decoded, read-optimised snapshot and read-only views of its contents.

mod decode;
mod error;
pub(crate) mod index;
mod slice;
pub(crate) mod text;

pub use error::DecodeError;
pub use slice::SliceError;

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::decide::ResourceRef;
use crate::model::RoleKind;
use crate::model::ScopeLevel;
use crate::snapshot::index::{IdIndex, hash_key};
use crate::snapshot::text::{Span, Text};

/// "No such index" in the dense tables.
pub(crate) const NONE: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub(crate) struct ScopeRec {
    pub(crate) id: Span,
    pub(crate) name: Span,
    pub(crate) parent: u32,
    pub(crate) level: ScopeLevel,
    /// The scope, its parent and grandparent; `NONE` past the root. An assignment applies
    /// here exactly when its scope is one of these.
    pub(crate) chain: [u32; 3],
}

#[derive(Debug, Clone)]
pub(crate) struct RoleRec {
    pub(crate) id: Span,
    pub(crate) sid: Span,
    pub(crate) name: Span,
    pub(crate) description: Span,
    pub(crate) kind: RoleKind,
    pub(crate) lowest_level: ScopeLevel,
    /// Range in `patterns`: allow patterns then deny patterns.
    pub(crate) patterns: (u32, u32, u32),
    /// Range in `role_resource_types`.
    pub(crate) resource_types: (u32, u32),
}

#[derive(Debug, Clone)]
pub(crate) struct UserRec {
    pub(crate) id: Span,
    pub(crate) name: Span,
    pub(crate) email: Span,
    /// `false`: deactivated, every decision Deny.
    pub(crate) active: bool,
    /// Range in `assignments`.
    pub(crate) assignments: (u32, u32),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct AssignmentRec {
    pub(crate) id: Span,
    pub(crate) user: u32,
    pub(crate) role: u32,
    pub(crate) scope: u32,
    /// Position in `resources`, or `NONE`.
    pub(crate) resource: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct ResourceRec {
    pub(crate) resource_type: u32,
    pub(crate) id: Span,
    pub(crate) name: Span,
}

/// One organization's compiled policy, ready to answer questions.
///
/// Made by [`Snapshot::decode`] from snapshot bytes (which [`compile`](crate::compile())
/// writes). It owns all its data, borrows nothing from the bytes it came from, and never
/// changes: to move to a new revision, decode the new bytes and swap the whole value.
/// Checks take `&self`, so one snapshot serves any number of threads.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub(crate) meta: SnapshotMeta,
    pub(crate) text: Text,
    pub(crate) scopes: Vec<ScopeRec>,
    pub(crate) permissions: Vec<Span>,
    pub(crate) resource_types: Vec<Span>,
    pub(crate) resources: Vec<ResourceRec>,
    pub(crate) roles: Vec<RoleRec>,
    pub(crate) patterns: Vec<Span>,
    pub(crate) role_resource_types: Vec<u32>,
    /// `grant_words` words per role: bit `p` of role `r` is set when `r` grants permission `p`.
    pub(crate) grants: Vec<u64>,
    pub(crate) grant_words: usize,
    pub(crate) users: Vec<UserRec>,
    pub(crate) assignments: Vec<AssignmentRec>,
    pub(crate) user_index: IdIndex,
    pub(crate) scope_index: IdIndex,
    pub(crate) permission_index: IdIndex,
    pub(crate) role_index: IdIndex,
    pub(crate) resource_index: IdIndex,
    pub(crate) built_in_cap: u32,
}

/// What the envelope says about a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotMeta {
    /// The organization the snapshot is for.
    pub organization: alloc::string::String,
    /// Wire format version.
    pub format: u16,
    /// Monotonic policy revision.
    pub revision: u64,
    /// When it was compiled, in seconds since the Unix epoch (as the compiler was told).
    pub issued_at: u64,
    /// `None` for the organization's snapshot; for a per-user slice, its user.
    pub slice_of: Option<alloc::string::String>,
    /// The first 32 bytes of the payload's SHA-512, verified on decode.
    pub checksum: [u8; 32],
    /// Key id of the signature slot, when the snapshot carries one.
    pub key_id: Option<alloc::string::String>,
    /// Length of the encoded snapshot.
    pub encoded_bytes: usize,
    /// Length of the payload inside it.
    pub payload_bytes: usize,
}

/// Counts and sizes of a snapshot, for `rolegate inspect` and monitoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotStats {
    /// Accounts.
    pub accounts: usize,
    /// Subaccounts.
    pub subaccounts: usize,
    /// Users.
    pub users: usize,
    /// Roles in the catalog.
    pub roles: usize,
    /// Permissions in the catalog.
    pub permissions: usize,
    /// Role assignments.
    pub assignments: usize,
    /// Resources (such as billing groups).
    pub resources: usize,
    /// Approximate heap bytes the decoded snapshot holds.
    pub memory_bytes: usize,
}

/// A user, as the directory shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView<'s> {
    /// Id.
    pub id: &'s str,
    /// Display name.
    pub name: &'s str,
    /// Email address.
    pub email: &'s str,
    /// `false` when deactivated: every decision for them is Deny.
    pub active: bool,
}

/// A scope: the organization, an account or a subaccount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeView<'s> {
    /// Id.
    pub id: &'s str,
    /// Display name.
    pub name: &'s str,
    /// Organization, account or subaccount.
    pub level: ScopeLevel,
    /// The parent scope's id; `None` for the organization.
    pub parent: Option<&'s str>,
}

/// A role of the catalog, with its patterns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleView<'s> {
    /// Id.
    pub id: &'s str,
    /// Twilio SID (`IX…`).
    pub sid: &'s str,
    /// Display name.
    pub name: &'s str,
    /// What it is for.
    pub description: &'s str,
    /// Its kind.
    pub kind: RoleKind,
    /// The lowest level it may be assigned at.
    pub lowest_level: ScopeLevel,
    /// Allow patterns.
    pub allow: Vec<&'s str>,
    /// Deny patterns (role-local).
    pub deny: Vec<&'s str>,
    /// Resource types, for resource-based roles.
    pub resource_types: Vec<&'s str>,
}

/// A resource that resource-based roles are bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResourceView<'s> {
    /// Its type, such as `billing-group`.
    #[serde(rename = "type")]
    pub resource_type: &'s str,
    /// Id.
    pub id: &'s str,
    /// Display name.
    pub name: &'s str,
}

/// A role assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AssignmentView<'s> {
    /// Id.
    pub id: &'s str,
    /// The user's id.
    pub user: &'s str,
    /// The role's id.
    pub role: &'s str,
    /// The scope's id.
    pub scope: &'s str,
    /// The bound resource, for resource-based roles.
    pub resource: Option<ResourceRef<'s>>,
}

impl Snapshot {
    /// The organization's id.
    pub fn organization(&self) -> &str {
        self.scopes.first().map_or("", |s| self.text.get(s.id))
    }

    /// The organization's display name.
    pub fn organization_name(&self) -> &str {
        self.scopes.first().map_or("", |s| self.text.get(s.name))
    }

    /// The policy revision this snapshot was compiled at.
    pub fn revision(&self) -> u64 {
        self.meta.revision
    }

    /// What the envelope says.
    pub fn meta(&self) -> &SnapshotMeta {
        &self.meta
    }

    /// The per-user cap on built-in roles that this policy was compiled with.
    pub fn built_in_cap(&self) -> u32 {
        self.built_in_cap
    }

    /// Counts and sizes.
    pub fn stats(&self) -> SnapshotStats {
        let subaccounts = self
            .scopes
            .iter()
            .filter(|s| s.level == ScopeLevel::Subaccount)
            .count();
        let size_of = core::mem::size_of::<u64>();
        let memory_bytes = self.text.bytes()
            + self.scopes.capacity() * core::mem::size_of::<ScopeRec>()
            + self.permissions.capacity() * core::mem::size_of::<Span>()
            + self.resources.capacity() * core::mem::size_of::<ResourceRec>()
            + self.roles.capacity() * core::mem::size_of::<RoleRec>()
            + self.patterns.capacity() * core::mem::size_of::<Span>()
            + self.grants.capacity() * size_of
            + self.users.capacity() * core::mem::size_of::<UserRec>()
            + self.assignments.capacity() * core::mem::size_of::<AssignmentRec>()
            + self.user_index.bytes()
            + self.scope_index.bytes()
            + self.permission_index.bytes()
            + self.role_index.bytes()
            + self.resource_index.bytes();
        SnapshotStats {
            accounts: self.scopes.len().saturating_sub(1 + subaccounts),
            subaccounts,
            users: self.users.len(),
            roles: self.roles.len(),
            permissions: self.permissions.len(),
            assignments: self.assignments.len(),
            resources: self.resources.len(),
            memory_bytes,
        }
    }

    /// The permission catalog, sorted: every permission a check may name.
    pub fn catalog(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.permissions.iter().map(|&s| self.text.get(s))
    }

    /// Every scope: the organization first, then accounts, then subaccounts, each by id.
    pub fn scopes(&self) -> impl ExactSizeIterator<Item = ScopeView<'_>> + '_ {
        self.scopes.iter().map(|s| self.scope_view(s))
    }

    /// One scope by id.
    pub fn scope(&self, id: &str) -> Option<ScopeView<'_>> {
        let i = self.find_scope(id)?;
        self.scopes.get(i as usize).map(|s| self.scope_view(s))
    }

    /// Every resource (such as billing groups), by type then id.
    pub fn resources(&self) -> impl ExactSizeIterator<Item = ResourceView<'_>> + '_ {
        self.resources.iter().map(|r| self.resource_view(r))
    }

    pub(crate) fn resource_view(&self, r: &ResourceRec) -> ResourceView<'_> {
        ResourceView {
            resource_type: self
                .resource_types
                .get(r.resource_type as usize)
                .map_or("", |&t| self.text.get(t)),
            id: self.text.get(r.id),
            name: self.text.get(r.name),
        }
    }

    /// Every user, by id.
    pub fn users(&self) -> impl ExactSizeIterator<Item = UserView<'_>> + '_ {
        self.users.iter().map(|u| self.user_view(u))
    }

    /// One user by id.
    pub fn user(&self, id: &str) -> Option<UserView<'_>> {
        let i = self.find_user(id)?;
        self.users.get(i as usize).map(|u| self.user_view(u))
    }

    /// Every role of the catalog, by id.
    pub fn roles(&self) -> impl ExactSizeIterator<Item = RoleView<'_>> + '_ {
        self.roles.iter().map(|r| self.role_view(r))
    }

    /// A role's kind, without building its view.
    pub(crate) fn role_kind(&self, id: &str) -> Option<RoleKind> {
        let i = self.find_role(id)?;
        self.roles.get(i as usize).map(|r| r.kind)
    }

    /// One role by its Twilio SID.
    pub fn role_by_sid(&self, sid: &str) -> Option<RoleView<'_>> {
        self.roles
            .iter()
            .find(|r| self.text.get(r.sid) == sid)
            .map(|r| self.role_view(r))
    }

    /// One role by id.
    pub fn role(&self, id: &str) -> Option<RoleView<'_>> {
        let i = self.find_role(id)?;
        self.roles.get(i as usize).map(|r| self.role_view(r))
    }

    /// The permissions a role grants (its allow patterns minus its deny patterns, expanded
    /// over the catalog), sorted.
    pub fn role_permissions(&self, id: &str) -> Option<Vec<&str>> {
        let role = self.find_role(id)?;
        Some(
            (0..self.permissions.len() as u32)
                .filter(|&p| self.role_grants(role, p))
                .filter_map(|p| self.permissions.get(p as usize))
                .map(|&s| self.text.get(s))
                .collect(),
        )
    }

    /// A user's assignments, by id.
    pub fn user_assignments(&self, user: &str) -> Option<Vec<AssignmentView<'_>>> {
        let u = self.users.get(self.find_user(user)? as usize)?;
        Some(
            self.assignment_slice(u)
                .iter()
                .map(|a| self.assignment_view(a))
                .collect(),
        )
    }

    // ---- internal lookups, shared by evaluation and queries ----

    #[inline]
    pub(crate) fn find_user(&self, id: &str) -> Option<u32> {
        self.user_index.find(hash_key(id), |i| {
            self.users
                .get(i as usize)
                .is_some_and(|u| self.text.get(u.id) == id)
        })
    }

    #[inline]
    pub(crate) fn find_scope(&self, id: &str) -> Option<u32> {
        self.scope_index.find(hash_key(id), |i| {
            self.scopes
                .get(i as usize)
                .is_some_and(|s| self.text.get(s.id) == id)
        })
    }

    #[inline]
    pub(crate) fn find_permission(&self, permission: &str) -> Option<u32> {
        self.permission_index.find(hash_key(permission), |i| {
            self.permissions
                .get(i as usize)
                .is_some_and(|&s| self.text.get(s) == permission)
        })
    }

    pub(crate) fn find_role(&self, id: &str) -> Option<u32> {
        self.role_index.find(hash_key(id), |i| {
            self.roles
                .get(i as usize)
                .is_some_and(|r| self.text.get(r.id) == id)
        })
    }

    /// The resource a request names; `NONE` when it names none or one the snapshot lacks
    /// (which no resource-based assignment can then match).
    #[inline]
    pub(crate) fn find_resource(&self, resource: Option<ResourceRef<'_>>) -> u32 {
        let Some(r) = resource else { return NONE };
        let Some(t) = self
            .resource_types
            .iter()
            .position(|&s| self.text.get(s) == r.resource_type)
        else {
            return NONE;
        };
        let t = t as u32;
        self.resource_index
            .find(hash_key(&(t, r.id)), |i| {
                self.resources
                    .get(i as usize)
                    .is_some_and(|x| x.resource_type == t && self.text.get(x.id) == r.id)
            })
            .unwrap_or(NONE)
    }

    #[inline(always)]
    pub(crate) fn role_grants(&self, role: u32, permission: u32) -> bool {
        let word = role as usize * self.grant_words + (permission / 64) as usize;
        self.grants
            .get(word)
            .is_some_and(|w| (w >> (permission % 64)) & 1 == 1)
    }

    #[inline]
    pub(crate) fn chain(&self, scope: u32) -> [u32; 3] {
        self.scopes
            .get(scope as usize)
            .map_or([NONE; 3], |s| s.chain)
    }

    #[inline]
    pub(crate) fn assignment_slice(&self, user: &UserRec) -> &[AssignmentRec] {
        self.assignments
            .get(user.assignments.0 as usize..user.assignments.1 as usize)
            .unwrap_or_default()
    }

    pub(crate) fn scope_view(&self, s: &ScopeRec) -> ScopeView<'_> {
        ScopeView {
            id: self.text.get(s.id),
            name: self.text.get(s.name),
            level: s.level,
            parent: self
                .scopes
                .get(s.parent as usize)
                .map(|p| self.text.get(p.id)),
        }
    }

    pub(crate) fn user_view(&self, u: &UserRec) -> UserView<'_> {
        UserView {
            id: self.text.get(u.id),
            name: self.text.get(u.name),
            email: self.text.get(u.email),
            active: u.active,
        }
    }

    pub(crate) fn role_view(&self, r: &RoleRec) -> RoleView<'_> {
        let strings = |from: u32, to: u32| -> Vec<&str> {
            self.patterns
                .get(from as usize..to as usize)
                .unwrap_or_default()
                .iter()
                .map(|&s| self.text.get(s))
                .collect()
        };
        let (start, mid, end) = r.patterns;
        RoleView {
            id: self.text.get(r.id),
            sid: self.text.get(r.sid),
            name: self.text.get(r.name),
            description: self.text.get(r.description),
            kind: r.kind,
            lowest_level: r.lowest_level,
            allow: strings(start, mid),
            deny: strings(mid, end),
            resource_types: self
                .role_resource_types
                .get(r.resource_types.0 as usize..r.resource_types.1 as usize)
                .unwrap_or_default()
                .iter()
                .filter_map(|&t| self.resource_types.get(t as usize))
                .map(|&s| self.text.get(s))
                .collect(),
        }
    }

    pub(crate) fn resource_ref(&self, resource: u32) -> Option<ResourceRef<'_>> {
        let r = self.resources.get(resource as usize)?;
        Some(ResourceRef {
            resource_type: self
                .text
                .get(*self.resource_types.get(r.resource_type as usize)?),
            id: self.text.get(r.id),
        })
    }

    pub(crate) fn scope_id(&self, scope: u32) -> &str {
        self.scopes
            .get(scope as usize)
            .map_or("", |s| self.text.get(s.id))
    }

    pub(crate) fn role_id(&self, role: u32) -> &str {
        self.roles
            .get(role as usize)
            .map_or("", |r| self.text.get(r.id))
    }

    pub(crate) fn user_id(&self, user: u32) -> &str {
        self.users
            .get(user as usize)
            .map_or("", |u| self.text.get(u.id))
    }

    pub(crate) fn assignment_view(&self, a: &AssignmentRec) -> AssignmentView<'_> {
        AssignmentView {
            id: self.text.get(a.id),
            user: self.user_id(a.user),
            role: self.role_id(a.role),
            scope: self.scope_id(a.scope),
            resource: self.resource_ref(a.resource),
        }
    }
}
