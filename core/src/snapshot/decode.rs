//! Snapshot bytes → [`Snapshot`]. Trusts nothing: every index is range-checked, every id
//! checked, the scope tree is built from parent indexes that can only point upward, and
//! every table is bounded by the limits before anything is allocated for it.

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::format::envelope::{Opened, open};
use crate::format::reader::Reader;
use crate::format::wire::{Payload, WireRole, WireUser};
use crate::ids::{check_id, check_resource_type, clip, text_fits};
use crate::limits::{
    MAX_ASSIGNMENTS, MAX_PATTERNS_PER_ROLE, MAX_PERMISSIONS, MAX_RESOURCE_TYPES, MAX_RESOURCES,
    MAX_ROLES, MAX_SCOPES, MAX_USERS,
};
use crate::model::RoleKind;
use crate::model::ScopeLevel;
use crate::permission::{validate_pattern, validate_permission};
use crate::snapshot::DecodeError;
use crate::snapshot::index::{IdIndex, hash_key};
use crate::snapshot::text::{Span, Text};
use crate::snapshot::{AssignmentRec, NONE, ResourceRec, RoleRec, ScopeRec, Snapshot, UserRec};

impl Snapshot {
    /// Decodes and validates snapshot bytes.
    ///
    /// Any byte string gives either a snapshot or a [`DecodeError`]: never a panic, and never
    /// an allocation out of proportion to the input.
    pub fn decode(bytes: &[u8]) -> Result<Snapshot, DecodeError> {
        let opened = open(bytes)?;
        let mut reader = Reader::new(opened.envelope.payload, "payload");
        let payload = Payload::read(&mut reader)?;
        reader.finish()?;
        // A slice holds its own user and no one else, or it is not that user's slice.
        if let Some(user) = opened.envelope.slice_of
            && !matches!(payload.users.as_slice(), [only] if only.id == user)
        {
            return Err(DecodeError::InvalidText {
                what: "slice user",
                value: crate::ids::clip(user),
            });
        }
        Builder::new(&opened, &payload)?.build(&opened, payload)
    }
}

fn limit(what: &'static str, count: usize, max: usize) -> Result<(), DecodeError> {
    if count > max {
        Err(DecodeError::TooMany { what, count, max })
    } else {
        Ok(())
    }
}

fn index_in(what: &'static str, index: u32, len: usize) -> Result<usize, DecodeError> {
    let i = index as usize;
    if i < len {
        Ok(i)
    } else {
        Err(DecodeError::IndexOutOfRange { what, index, len })
    }
}

fn to_u32(n: usize) -> u32 {
    // Every table is bounded by a limit far below u32::MAX before it is built.
    u32::try_from(n).unwrap_or(NONE)
}

struct Builder {
    text: Text,
}

impl Builder {
    fn new(opened: &Opened<'_>, payload: &Payload<'_>) -> Result<Builder, DecodeError> {
        limit(
            "scopes",
            1 + payload.accounts.len() + payload.subaccounts.len(),
            MAX_SCOPES,
        )?;
        limit("users", payload.users.len(), MAX_USERS)?;
        limit("permissions", payload.permissions.len(), MAX_PERMISSIONS)?;
        limit("roles", payload.roles.len(), MAX_ROLES)?;
        limit("resources", payload.resources.len(), MAX_RESOURCES)?;
        limit(
            "resource types",
            payload.resource_types.len(),
            MAX_RESOURCE_TYPES,
        )?;
        // Every string comes from the payload, so its length bounds the arena.
        Ok(Builder {
            text: Text::with_capacity(opened.envelope.payload.len()),
        })
    }

    fn id(&mut self, what: &'static str, id: &str) -> Result<Span, DecodeError> {
        check_id(id).map_err(|_| DecodeError::InvalidText {
            what,
            value: clip(id),
        })?;
        self.push(what, id)
    }

    fn text(&mut self, what: &'static str, text: &str) -> Result<Span, DecodeError> {
        if !text_fits(text) {
            return Err(DecodeError::InvalidText {
                what,
                value: clip(text),
            });
        }
        self.push(what, text)
    }

    fn push(&mut self, what: &'static str, s: &str) -> Result<Span, DecodeError> {
        self.text.push(s).ok_or(DecodeError::TooMany {
            what,
            count: s.len(),
            max: u32::MAX as usize,
        })
    }

    fn build(mut self, opened: &Opened<'_>, p: Payload<'_>) -> Result<Snapshot, DecodeError> {
        let (scopes, scope_index) = self.scopes(opened.envelope.organization, &p)?;
        let (permissions, permission_index) = self.permissions(&p.permissions)?;
        let resource_types = self.resource_types(&p.resource_types)?;
        let (resources, resource_index) = self.resources(&p, resource_types.len())?;
        let roles = self.roles(&p.roles, permissions.len(), resource_types.len())?;
        let (users, assignments, user_index) = self.users(&p.users, &scopes, &roles, &resources)?;
        let mut text = self.text;
        text.shrink_to_fit();
        Ok(Snapshot {
            meta: opened.meta(),
            text,
            scopes,
            permissions,
            resource_types,
            resources,
            roles: roles.records,
            patterns: roles.patterns,
            role_resource_types: roles.resource_types,
            grants: roles.grants,
            grant_words: roles.words,
            users,
            assignments,
            user_index,
            scope_index,
            permission_index,
            role_index: roles.index,
            resource_index,
            built_in_cap: p.built_in_cap,
        })
    }

    fn scopes(
        &mut self,
        organization: &str,
        p: &Payload<'_>,
    ) -> Result<(Vec<ScopeRec>, IdIndex), DecodeError> {
        let total = 1 + p.accounts.len() + p.subaccounts.len();
        let mut scopes = Vec::with_capacity(total);
        scopes.push(ScopeRec {
            id: self.id("organization id", organization)?,
            name: self.text("organization name", p.organization_name)?,
            parent: NONE,
            level: ScopeLevel::Organization,
            chain: [0, NONE, NONE],
        });
        for a in &p.accounts {
            let i = to_u32(scopes.len());
            scopes.push(ScopeRec {
                id: self.id("account id", a.id)?,
                name: self.text("account name", a.name)?,
                parent: 0,
                level: ScopeLevel::Account,
                chain: [i, 0, NONE],
            });
        }
        for s in &p.subaccounts {
            let i = to_u32(scopes.len());
            // Subaccounts can only name an account, so the tree is two levels below the root.
            let account = index_in("subaccount account", s.account, p.accounts.len())?;
            let parent = to_u32(1 + account);
            scopes.push(ScopeRec {
                id: self.id("subaccount id", s.id)?,
                name: self.text("subaccount name", s.name)?,
                parent,
                level: ScopeLevel::Subaccount,
                chain: [i, parent, 0],
            });
        }
        let ids: Vec<Span> = scopes.iter().map(|s| s.id).collect();
        let index = self.unique_index("scope id", &ids)?;
        Ok((scopes, index))
    }

    fn permissions(&mut self, list: &[&str]) -> Result<(Vec<Span>, IdIndex), DecodeError> {
        let mut spans = Vec::with_capacity(list.len());
        for &permission in list {
            validate_permission(permission).map_err(|_| DecodeError::InvalidText {
                what: "permission",
                value: clip(permission),
            })?;
            spans.push(self.push("permission", permission)?);
        }
        let index = self.unique_index("permission", &spans)?;
        Ok((spans, index))
    }

    /// An index over `spans`, refusing duplicates.
    fn unique_index(&self, what: &'static str, spans: &[Span]) -> Result<IdIndex, DecodeError> {
        let text = &self.text;
        let at = |j: u32| spans.get(j as usize).map_or("", |&s| text.get(s));
        let mut index = IdIndex::with_capacity(spans.len());
        for (i, &span) in spans.iter().enumerate() {
            let id = text.get(span);
            index
                .insert(
                    hash_key(id),
                    to_u32(i),
                    |j| at(j) == id,
                    |&j| hash_key(at(j)),
                )
                .map_err(|_| DecodeError::DuplicateId {
                    what,
                    id: id.to_string(),
                })?;
        }
        Ok(index)
    }

    fn resource_types(&mut self, list: &[&str]) -> Result<Vec<Span>, DecodeError> {
        let mut spans: Vec<Span> = Vec::with_capacity(list.len());
        for (i, &t) in list.iter().enumerate() {
            check_resource_type(t).map_err(|_| DecodeError::InvalidText {
                what: "resource type",
                value: clip(t),
            })?;
            if list.get(..i).unwrap_or_default().contains(&t) {
                return Err(DecodeError::DuplicateId {
                    what: "resource type",
                    id: t.to_string(),
                });
            }
            spans.push(self.push("resource type", t)?);
        }
        Ok(spans)
    }

    fn resources(
        &mut self,
        p: &Payload<'_>,
        type_count: usize,
    ) -> Result<(Vec<ResourceRec>, IdIndex), DecodeError> {
        let mut records = Vec::with_capacity(p.resources.len());
        for r in &p.resources {
            index_in("resource type", r.resource_type, type_count)?;
            records.push(ResourceRec {
                resource_type: r.resource_type,
                id: self.id("resource id", r.id)?,
                name: self.text("resource name", r.name)?,
            });
        }
        let text = &self.text;
        let key = |j: u32| {
            records
                .get(j as usize)
                .map(|r| (r.resource_type, text.get(r.id)))
        };
        let mut index = IdIndex::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            let k = (r.resource_type, text.get(r.id));
            index
                .insert(
                    hash_key(&k),
                    to_u32(i),
                    |j| key(j) == Some(k),
                    |&j| hash_key(&key(j).unwrap_or((NONE, ""))),
                )
                .map_err(|_| DecodeError::DuplicateId {
                    what: "resource",
                    id: k.1.to_string(),
                })?;
        }
        Ok((records, index))
    }

    fn roles(
        &mut self,
        list: &[WireRole<'_>],
        permission_count: usize,
        type_count: usize,
    ) -> Result<Roles, DecodeError> {
        let words = permission_count.div_ceil(64);
        let grant_bytes = permission_count.div_ceil(8);
        let mut roles = Roles {
            records: Vec::with_capacity(list.len()),
            patterns: Vec::new(),
            resource_types: Vec::new(),
            grants: alloc::vec![0; words * list.len()],
            words,
            index: IdIndex::default(),
        };
        for (r, w) in list.iter().enumerate() {
            let invalid = |reason: &'static str| DecodeError::InvalidRole {
                role: clip(w.id),
                reason,
            };
            let kind = RoleKind::from_wire_code(w.kind).ok_or_else(|| invalid("unknown kind"))?;
            let lowest_level = ScopeLevel::from_depth(w.lowest_level)
                .ok_or_else(|| invalid("unknown lowest level"))?;
            if !kind.permits_lowest_level(lowest_level) {
                return Err(invalid("its kind does not allow its lowest level"));
            }
            if w.allow.len() + w.deny.len() > MAX_PATTERNS_PER_ROLE {
                return Err(invalid("too many patterns"));
            }
            if (kind == RoleKind::ResourceBased) == w.resource_types.is_empty() {
                return Err(invalid(
                    "resource types must be given exactly for resource-based roles",
                ));
            }
            if w.grants.len() != grant_bytes {
                return Err(invalid("grant bitset has the wrong length"));
            }
            let start = to_u32(roles.patterns.len());
            for &pattern in w.allow.iter().chain(&w.deny) {
                validate_pattern(pattern).map_err(|_| invalid("invalid pattern"))?;
                roles.patterns.push(self.push("pattern", pattern)?);
            }
            let types_start = to_u32(roles.resource_types.len());
            for &t in &w.resource_types {
                index_in("role resource type", t, type_count)?;
                roles.resource_types.push(t);
            }
            for (byte_at, &byte) in w.grants.iter().enumerate() {
                for bit in 0..8 {
                    if (byte >> bit) & 1 == 0 {
                        continue;
                    }
                    let p = byte_at * 8 + bit;
                    if p >= permission_count {
                        return Err(invalid("grant bitset names a permission past the catalog"));
                    }
                    if let Some(word) = roles.grants.get_mut(r * words + p / 64) {
                        *word |= 1 << (p % 64);
                    }
                }
            }
            roles.records.push(RoleRec {
                id: self.id("role id", w.id)?,
                sid: self.id("role sid", w.sid)?,
                name: self.text("role name", w.name)?,
                description: self.text("role description", w.description)?,
                kind,
                lowest_level,
                patterns: (
                    start,
                    start + to_u32(w.allow.len()),
                    to_u32(roles.patterns.len()),
                ),
                resource_types: (types_start, to_u32(roles.resource_types.len())),
            });
        }
        let ids: Vec<Span> = roles.records.iter().map(|r| r.id).collect();
        roles.index = self.unique_index("role id", &ids)?;
        let sids: Vec<Span> = roles.records.iter().map(|r| r.sid).collect();
        self.unique_index("role sid", &sids)?;
        Ok(roles)
    }

    fn users(
        &mut self,
        list: &[WireUser<'_>],
        scopes: &[ScopeRec],
        roles: &Roles,
        resources: &[ResourceRec],
    ) -> Result<(Vec<UserRec>, Vec<AssignmentRec>, IdIndex), DecodeError> {
        let total: usize = list.iter().map(|u| u.assignments.len()).sum();
        limit("assignments", total, MAX_ASSIGNMENTS)?;
        let mut users = Vec::with_capacity(list.len());
        let mut assignments = Vec::with_capacity(total);
        for (u, w) in list.iter().enumerate() {
            let first = to_u32(assignments.len());
            let mut previous: Option<&str> = None;
            for a in &w.assignments {
                if previous.is_some_and(|p| p >= a.id) {
                    return Err(DecodeError::UnsortedAssignments { user: clip(w.id) });
                }
                previous = Some(a.id);
                let invalid = |reason: &'static str| DecodeError::InvalidAssignment {
                    assignment: clip(a.id),
                    reason,
                };
                let role = roles
                    .records
                    .get(index_in("assignment role", a.role, roles.records.len())?)
                    .ok_or_else(|| invalid("role out of range"))?;
                let scope = scopes
                    .get(index_in("assignment scope", a.scope, scopes.len())?)
                    .ok_or_else(|| invalid("scope out of range"))?;
                if !role.kind.assignable_at(role.lowest_level, scope.level) {
                    return Err(invalid("its role is not assignable at its scope's level"));
                }
                let resource = match (role.kind, a.resource) {
                    (RoleKind::ResourceBased, Some(r)) => {
                        let i = index_in("assignment resource", r, resources.len())?;
                        let t = resources.get(i).map_or(NONE, |x| x.resource_type);
                        let (from, to) = role.resource_types;
                        let allowed = roles
                            .resource_types
                            .get(from as usize..to as usize)
                            .unwrap_or_default();
                        if !allowed.contains(&t) {
                            return Err(invalid("its resource is not of a type its role takes"));
                        }
                        r
                    }
                    (RoleKind::ResourceBased, None) => {
                        return Err(invalid("a resource-based role needs a resource"));
                    }
                    (_, Some(_)) => {
                        return Err(invalid("only resource-based roles take a resource"));
                    }
                    (_, None) => NONE,
                };
                assignments.push(AssignmentRec {
                    id: self.id("assignment id", a.id)?,
                    user: to_u32(u),
                    role: a.role,
                    scope: a.scope,
                    resource,
                });
            }
            users.push(UserRec {
                id: self.id("user id", w.id)?,
                name: self.text("user name", w.name)?,
                email: self.text("user email", w.email)?,
                active: w.active,
                assignments: (first, to_u32(assignments.len())),
            });
        }
        let ids: Vec<Span> = users.iter().map(|u| u.id).collect();
        let index = self.unique_index("user id", &ids)?;
        Ok((users, assignments, index))
    }
}

struct Roles {
    records: Vec<RoleRec>,
    patterns: Vec<Span>,
    resource_types: Vec<u32>,
    grants: Vec<u64>,
    words: usize,
    index: IdIndex,
}
