//! Snapshot bytes → [`Snapshot`]. Trusts nothing: every index is range-checked, every id
//! checked, the scope tree is built from parent indexes that can only point upward, and
//! every table is bounded by the limits before anything is allocated for it.
//!
//! The payload is read in one pass, straight into the snapshot's tables (field for field
//! what [`Payload`](crate::format::wire::Payload) serializes, in its order): no intermediate
//! copy of the payload is built, and each id is hashed into its index while it is still in
//! cache. Every table is preallocated no larger than the bytes left to read could fill.

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::format::envelope::{Opened, open};
use crate::format::reader::Reader;
use crate::ids::{check_id, check_resource_type, clip, text_fits};
use crate::limits::{
    MAX_ASSIGNMENTS, MAX_ID_LEN, MAX_PATTERNS_PER_ROLE, MAX_PERMISSIONS, MAX_RESOURCE_TYPES,
    MAX_RESOURCES, MAX_ROLES, MAX_SCOPES, MAX_USERS,
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
        Snapshot::decode_opened(&open(bytes)?)
    }

    /// Decodes the payload of an opened envelope (parsed, its checksum verified).
    pub(crate) fn decode_opened(opened: &Opened<'_>) -> Result<Snapshot, DecodeError> {
        let payload = opened.envelope.payload;
        let mut reader = Reader::new(payload, "payload");
        // Every string comes from the payload, so its length bounds the arena.
        let mut builder = Builder {
            text: Text::with_capacity(payload.len()),
        };
        let snapshot = builder.read(opened, &mut reader)?;
        reader.finish()?;
        // A slice holds its own user and no one else, or it is not that user's slice.
        if let Some(user) = opened.envelope.slice_of
            && !(snapshot.users.len() == 1 && snapshot.user_id(0) == user)
        {
            return Err(DecodeError::InvalidText {
                what: "slice user",
                value: clip(user),
            });
        }
        Ok(snapshot)
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

/// A table for `n` records announced by the input, preallocated no larger than the bytes
/// left to read: a count that promises more than the input holds costs nothing until the
/// records are really there.
fn table<T>(n: usize, r: &Reader<'_>) -> Vec<T> {
    Vec::with_capacity(n.min(r.rest().len() / core::mem::size_of::<T>().max(1)))
}

/// Whether `id` is a valid id (see [`check_id`]): printable ASCII, the ids every snapshot in
/// practice holds, is checked a byte at a time; anything else as `check_id` says.
#[inline]
fn id_is_valid(id: &str) -> bool {
    let printable =
        !id.is_empty() && id.len() <= MAX_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic());
    printable || check_id(id).is_ok()
}

struct Builder {
    text: Text,
}

impl Builder {
    fn id(&mut self, what: &'static str, id: &str) -> Result<Span, DecodeError> {
        if !id_is_valid(id) {
            return Err(DecodeError::InvalidText {
                what,
                value: clip(id),
            });
        }
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

    #[inline]
    fn push(&mut self, what: &'static str, s: &str) -> Result<Span, DecodeError> {
        self.text.push(s).ok_or(DecodeError::TooMany {
            what,
            count: s.len(),
            max: u32::MAX as usize,
        })
    }

    /// Reads the payload's fields in wire order, building each table as it goes.
    fn read(&mut self, opened: &Opened<'_>, r: &mut Reader<'_>) -> Result<Snapshot, DecodeError> {
        let (scopes, scope_index) = self.scopes(opened.envelope.organization, r)?;
        let (permissions, permission_index) = self.permissions(r)?;
        let resource_types = self.resource_types(r)?;
        let (resources, resource_index) = self.resources(r, resource_types.len())?;
        let roles = self.roles(r, permissions.len(), resource_types.len())?;
        let (users, assignments, user_index) = self.users(r, &scopes, &roles, &resources)?;
        let built_in_cap = r.u32()?;
        let mut text = core::mem::take(&mut self.text);
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
            built_in_cap,
        })
    }

    /// The organization's name, then its accounts and subaccounts (wire `Named` and
    /// `WireSubaccount`).
    fn scopes(
        &mut self,
        organization: &str,
        r: &mut Reader<'_>,
    ) -> Result<(Vec<ScopeRec>, IdIndex), DecodeError> {
        let organization_name = r.str()?;
        let accounts = r.len()?;
        limit("scopes", 1 + accounts, MAX_SCOPES)?;
        let mut scopes: Vec<ScopeRec> = table(1 + accounts, r);
        scopes.push(ScopeRec {
            id: self.id("organization id", organization)?,
            name: self.text("organization name", organization_name)?,
            parent: NONE,
            level: ScopeLevel::Organization,
            chain: [0, NONE, NONE],
        });
        for _ in 0..accounts {
            let (id, name) = (r.str()?, r.str()?);
            let i = to_u32(scopes.len());
            scopes.push(ScopeRec {
                id: self.id("account id", id)?,
                name: self.text("account name", name)?,
                parent: 0,
                level: ScopeLevel::Account,
                chain: [i, 0, NONE],
            });
        }
        let subaccounts = r.len()?;
        limit("scopes", 1 + accounts + subaccounts, MAX_SCOPES)?;
        scopes.reserve(subaccounts.min(r.rest().len() / core::mem::size_of::<ScopeRec>()));
        for _ in 0..subaccounts {
            let (id, name, account) = (r.str()?, r.str()?, r.u32()?);
            let i = to_u32(scopes.len());
            // Subaccounts can only name an account, so the tree is two levels below the root.
            let account = index_in("subaccount account", account, accounts)?;
            let parent = to_u32(1 + account);
            scopes.push(ScopeRec {
                id: self.id("subaccount id", id)?,
                name: self.text("subaccount name", name)?,
                parent,
                level: ScopeLevel::Subaccount,
                chain: [i, parent, 0],
            });
        }
        let index = self.unique_index("scope id", scopes.iter().map(|s| s.id))?;
        Ok((scopes, index))
    }

    fn permissions(&mut self, r: &mut Reader<'_>) -> Result<(Vec<Span>, IdIndex), DecodeError> {
        let n = r.len()?;
        limit("permissions", n, MAX_PERMISSIONS)?;
        let mut spans = table(n, r);
        for _ in 0..n {
            let permission = r.str()?;
            validate_permission(permission).map_err(|_| DecodeError::InvalidText {
                what: "permission",
                value: clip(permission),
            })?;
            spans.push(self.push("permission", permission)?);
        }
        let index = self.unique_index("permission", spans.iter().copied())?;
        Ok((spans, index))
    }

    /// An index over the strings at `spans`, refusing duplicates.
    fn unique_index(
        &self,
        what: &'static str,
        spans: impl Iterator<Item = Span>,
    ) -> Result<IdIndex, DecodeError> {
        let text = &self.text;
        let all: Vec<Span> = spans.collect();
        let at = |j: u32| all.get(j as usize).map_or("", |&s| text.get(s));
        let mut index = IdIndex::with_capacity(all.len());
        for (i, &span) in all.iter().enumerate() {
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

    fn resource_types(&mut self, r: &mut Reader<'_>) -> Result<Vec<Span>, DecodeError> {
        let n = r.len()?;
        limit("resource types", n, MAX_RESOURCE_TYPES)?;
        let mut spans: Vec<Span> = table(n, r);
        let mut seen: Vec<&str> = Vec::with_capacity(spans.capacity());
        for _ in 0..n {
            let t = r.str()?;
            check_resource_type(t).map_err(|_| DecodeError::InvalidText {
                what: "resource type",
                value: clip(t),
            })?;
            if seen.contains(&t) {
                return Err(DecodeError::DuplicateId {
                    what: "resource type",
                    id: t.to_string(),
                });
            }
            seen.push(t);
            spans.push(self.push("resource type", t)?);
        }
        Ok(spans)
    }

    fn resources(
        &mut self,
        r: &mut Reader<'_>,
        type_count: usize,
    ) -> Result<(Vec<ResourceRec>, IdIndex), DecodeError> {
        let n = r.len()?;
        limit("resources", n, MAX_RESOURCES)?;
        let mut records: Vec<ResourceRec> = table(n, r);
        for _ in 0..n {
            let (resource_type, id, name) = (r.u32()?, r.str()?, r.str()?);
            index_in("resource type", resource_type, type_count)?;
            records.push(ResourceRec {
                resource_type,
                id: self.id("resource id", id)?,
                name: self.text("resource name", name)?,
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

    /// The roles (wire `WireRole`).
    fn roles(
        &mut self,
        r: &mut Reader<'_>,
        permission_count: usize,
        type_count: usize,
    ) -> Result<Roles, DecodeError> {
        let n = r.len()?;
        limit("roles", n, MAX_ROLES)?;
        let words = permission_count.div_ceil(64);
        let grant_bytes = permission_count.div_ceil(8);
        let mut roles = Roles {
            records: table(n, r),
            patterns: Vec::new(),
            resource_types: Vec::new(),
            // `words` words per role, grown role by role: each role's grant bitset is on the
            // wire, so the input pays for every word.
            grants: Vec::new(),
            words,
            index: IdIndex::default(),
        };
        for role in 0..n {
            let (id, sid, name, description) = (r.str()?, r.str()?, r.str()?, r.str()?);
            let (kind, lowest_level) = (r.u8()?, r.u8()?);
            let invalid = |reason: &'static str| DecodeError::InvalidRole {
                role: clip(id),
                reason,
            };
            let kind = RoleKind::from_wire_code(kind).ok_or_else(|| invalid("unknown kind"))?;
            let lowest_level = ScopeLevel::from_depth(lowest_level)
                .ok_or_else(|| invalid("unknown lowest level"))?;
            if !kind.permits_lowest_level(lowest_level) {
                return Err(invalid("its kind does not allow its lowest level"));
            }
            let start = to_u32(roles.patterns.len());
            let allow = r.len()?;
            if allow > MAX_PATTERNS_PER_ROLE {
                return Err(invalid("too many patterns"));
            }
            self.patterns(r, allow, &mut roles.patterns, &invalid)?;
            let deny = r.len()?;
            if allow + deny > MAX_PATTERNS_PER_ROLE {
                return Err(invalid("too many patterns"));
            }
            self.patterns(r, deny, &mut roles.patterns, &invalid)?;
            let types_start = to_u32(roles.resource_types.len());
            let types = r.len()?;
            for _ in 0..types {
                let t = r.u32()?;
                index_in("role resource type", t, type_count)?;
                roles.resource_types.push(t);
            }
            if (kind == RoleKind::ResourceBased) == (types == 0) {
                return Err(invalid(
                    "resource types must be given exactly for resource-based roles",
                ));
            }
            let bits = r.bytes()?;
            if bits.len() != grant_bytes {
                return Err(invalid("grant bitset has the wrong length"));
            }
            roles.grants.resize((role + 1) * words, 0);
            for (byte_at, &byte) in bits.iter().enumerate() {
                for bit in 0..8 {
                    if (byte >> bit) & 1 == 0 {
                        continue;
                    }
                    let p = byte_at * 8 + bit;
                    if p >= permission_count {
                        return Err(invalid("grant bitset names a permission past the catalog"));
                    }
                    if let Some(word) = roles.grants.get_mut(role * words + p / 64) {
                        *word |= 1 << (p % 64);
                    }
                }
            }
            roles.records.push(RoleRec {
                id: self.id("role id", id)?,
                sid: self.id("role sid", sid)?,
                name: self.text("role name", name)?,
                description: self.text("role description", description)?,
                kind,
                lowest_level,
                patterns: (start, start + to_u32(allow), to_u32(roles.patterns.len())),
                resource_types: (types_start, to_u32(roles.resource_types.len())),
            });
        }
        roles.index = self.unique_index("role id", roles.records.iter().map(|r| r.id))?;
        self.unique_index("role sid", roles.records.iter().map(|r| r.sid))?;
        Ok(roles)
    }

    /// `n` patterns of one role, into `into`.
    fn patterns(
        &mut self,
        r: &mut Reader<'_>,
        n: usize,
        into: &mut Vec<Span>,
        invalid: &dyn Fn(&'static str) -> DecodeError,
    ) -> Result<(), DecodeError> {
        for _ in 0..n {
            let pattern = r.str()?;
            validate_pattern(pattern).map_err(|_| invalid("invalid pattern"))?;
            into.push(self.push("pattern", pattern)?);
        }
        Ok(())
    }

    /// The users (wire `WireUser`) and their assignments (`WireAssignment`), each user's id
    /// hashed into the index as it is read.
    fn users(
        &mut self,
        r: &mut Reader<'_>,
        scopes: &[ScopeRec],
        roles: &Roles,
        resources: &[ResourceRec],
    ) -> Result<(Vec<UserRec>, Vec<AssignmentRec>, IdIndex), DecodeError> {
        let n = r.len()?;
        limit("users", n, MAX_USERS)?;
        let mut users: Vec<UserRec> = table(n, r);
        let mut index = IdIndex::with_capacity(users.capacity());
        // An assignment takes about 40 bytes on the wire: a first guess, grown if short.
        let mut assignments: Vec<AssignmentRec> = Vec::with_capacity(r.rest().len() / 40);
        for u in 0..n {
            self.user(
                r,
                to_u32(u),
                &mut users,
                &mut assignments,
                &mut index,
                (scopes, roles, resources),
            )?;
        }
        assignments.shrink_to_fit();
        Ok((users, assignments, index))
    }

    /// One user and their assignments, appended to `users` and `assignments`, their id to
    /// `index`. Not inlined: a WebAssembly JIT that starts on baseline code swaps in optimised
    /// code between calls, so the loop over users runs optimised after its first few.
    #[inline(never)]
    fn user(
        &mut self,
        r: &mut Reader<'_>,
        u: u32,
        users: &mut Vec<UserRec>,
        assignments: &mut Vec<AssignmentRec>,
        index: &mut IdIndex,
        (scopes, roles, resources): (&[ScopeRec], &Roles, &[ResourceRec]),
    ) -> Result<(), DecodeError> {
        let (id, name, email, active) = (r.str()?, r.str()?, r.str()?, r.bool()?);
        let count = r.len()?;
        limit("assignments", assignments.len() + count, MAX_ASSIGNMENTS)?;
        let first = to_u32(assignments.len());
        let mut previous: Option<&str> = None;
        for _ in 0..count {
            let assignment = r.str()?;
            let (role, scope, resource) = (r.u32()?, r.u32()?, r.option(Reader::u32)?);
            if previous.is_some_and(|p| p >= assignment) {
                return Err(DecodeError::UnsortedAssignments { user: clip(id) });
            }
            previous = Some(assignment);
            let rec = self.assignment(
                assignment,
                (u, role, scope, resource),
                scopes,
                roles,
                resources,
            )?;
            assignments.push(rec);
        }
        users.push(UserRec {
            id: self.id("user id", id)?,
            name: self.text("user name", name)?,
            email: self.text("user email", email)?,
            active,
            assignments: (first, to_u32(assignments.len())),
        });
        let text = &self.text;
        let at = |j: u32| users.get(j as usize).map_or("", |x| text.get(x.id));
        index
            .insert(hash_key(id), u, |j| at(j) == id, |&j| hash_key(at(j)))
            .map_err(|_| DecodeError::DuplicateId {
                what: "user id",
                id: id.to_string(),
            })
    }

    /// One assignment of user `user`: (user, role, scope, resource) as the wire has them,
    /// checked against the model's rules.
    #[inline]
    fn assignment(
        &mut self,
        id: &str,
        (user, role, scope, resource): (u32, u32, u32, Option<u32>),
        scopes: &[ScopeRec],
        roles: &Roles,
        resources: &[ResourceRec],
    ) -> Result<AssignmentRec, DecodeError> {
        let invalid = |reason: &'static str| DecodeError::InvalidAssignment {
            assignment: clip(id),
            reason,
        };
        let role_rec = roles
            .records
            .get(index_in("assignment role", role, roles.records.len())?)
            .ok_or_else(|| invalid("role out of range"))?;
        let scope_rec = scopes
            .get(index_in("assignment scope", scope, scopes.len())?)
            .ok_or_else(|| invalid("scope out of range"))?;
        if !role_rec
            .kind
            .assignable_at(role_rec.lowest_level, scope_rec.level)
        {
            return Err(invalid("its role is not assignable at its scope's level"));
        }
        let resource = match (role_rec.kind, resource) {
            (RoleKind::ResourceBased, Some(r)) => {
                let i = index_in("assignment resource", r, resources.len())?;
                let t = resources.get(i).map_or(NONE, |x| x.resource_type);
                let (from, to) = role_rec.resource_types;
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
        Ok(AssignmentRec {
            id: self.id("assignment id", id)?,
            user,
            role,
            scope,
            resource,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printable_fast_path_agrees_with_check_id() {
        let cases = [
            "",
            "US1",
            "a b",
            "a\tb",
            "a\u{0}b",
            "é",
            "a\u{a0}b",
            "a\u{2028}b",
            "~!",
            "x\u{7f}",
        ];
        for id in cases.iter().map(|s| s.to_string()).chain([
            "x".repeat(64),
            "x".repeat(65),
            "é".repeat(32),
            "é".repeat(33),
        ]) {
            assert_eq!(id_is_valid(&id), check_id(&id).is_ok(), "{id:?}");
        }
    }
}
