//! Patching a compiled payload. Admin operations change users' records only — assignments,
//! names, emails, the active flag — except adding or removing a user and changing settings.
//! A user's record is not referred to by anything else in the payload (no offsets, no
//! counts of assignments outside it), and while no user comes or goes every user keeps its
//! position. So the payload after such changes is the one before with the changed records
//! encoded again and spliced in: at L, copying 27 MB instead of resolving and laying out
//! 500,000 assignments (a differential test holds the result to a full compile, byte for
//! byte, over random operation sequences).

use alloc::vec::Vec;
use core::ops::Range;

use super::Parts;
use crate::decide::ResourceRef;
use crate::format::payload::append;
use crate::format::reader::Reader;
use crate::format::wire::{WireAssignment, WireUser};
use crate::policy::{Assignment, User};
use crate::snapshot::{NONE, Snapshot};

/// `parts` with the records of the `changed` users (each with every assignment it now
/// holds) made again, their roles, scopes and resources numbered as in `frame` — the
/// organization compiled without its users, so numbered as a full compile numbers them.
/// `None` when that cannot be done (a user `parts` lacks, a name `frame` lacks): compile in
/// full then, which says what is wrong.
pub(crate) fn patch(
    parts: &Parts,
    frame: &Snapshot,
    changed: &[(&User, Vec<&Assignment>)],
) -> Option<Parts> {
    let mut edits: Vec<(usize, Vec<u8>)> = Vec::with_capacity(changed.len());
    for (user, assignments) in changed {
        let at = position(parts, &user.id)?;
        edits.push((at, record(frame, user, assignments)?));
    }
    edits.sort_unstable_by_key(|(at, _)| *at);
    edits.dedup_by_key(|(at, _)| *at);
    splice(parts, &edits)
}

/// Where the record of user `id` is: users are in id order, and a record starts with its id.
fn position(parts: &Parts, id: &str) -> Option<usize> {
    parts
        .users
        .binary_search_by(|range| {
            let at = parts.payload.get(range.clone()).unwrap_or_default();
            Reader::new(at, "payload").str().unwrap_or_default().cmp(id)
        })
        .ok()
}

/// The user's record, as the compiler writes it: assignments sorted by id.
fn record(frame: &Snapshot, user: &User, assignments: &[&Assignment]) -> Option<Vec<u8>> {
    let mut wire = Vec::with_capacity(assignments.len());
    for a in assignments {
        let resource = match &a.resource {
            None => None,
            Some(key) => {
                let found = frame.find_resource(Some(ResourceRef {
                    resource_type: &key.resource_type,
                    id: &key.id,
                }));
                if found == NONE {
                    return None;
                }
                Some(found)
            }
        };
        wire.push(WireAssignment {
            id: &a.id,
            role: frame.find_role(&a.role)?,
            scope: frame.find_scope(&a.scope)?,
            resource,
        });
    }
    wire.sort_unstable_by(|x, y| x.id.cmp(y.id));
    let mut out = Vec::new();
    let user = WireUser {
        id: &user.id,
        name: &user.name,
        email: &user.email,
        active: user.active,
        assignments: &wire,
    };
    append(&mut out, &user).ok()?;
    Some(out)
}

/// `parts` with the record of each user at the positions of `edits` (ascending) replaced,
/// copying the spans between them once and moving every other user's range by what the
/// records before it grew or shrank.
fn splice(parts: &Parts, edits: &[(usize, Vec<u8>)]) -> Option<Parts> {
    let old = &parts.payload;
    let grown: usize = edits.iter().map(|(_, r)| r.len()).sum();
    let mut payload = Vec::with_capacity(old.len().saturating_add(grown));
    let mut users = Vec::with_capacity(parts.users.len());
    let (mut from, mut next) = (0, 0);
    for (at, record) in edits {
        let replaced = parts.users.get(*at)?;
        let base = payload.len();
        payload.extend_from_slice(old.get(from..replaced.start)?);
        moved(&mut users, parts.users.get(next..*at)?, from, base)?;
        let start = payload.len();
        payload.extend_from_slice(record);
        users.push(start..payload.len());
        (from, next) = (replaced.end, at + 1);
    }
    let base = payload.len();
    payload.extend_from_slice(old.get(from..)?);
    moved(&mut users, parts.users.get(next..)?, from, base)?;
    Some(Parts { payload, users })
}

/// Pushes `ranges`, which were in the span of the old payload starting at `from`, as they
/// are in the new one, where that span starts at `base`.
fn moved(
    users: &mut Vec<Range<usize>>,
    ranges: &[Range<usize>],
    from: usize,
    base: usize,
) -> Option<()> {
    for r in ranges {
        let start = r.start.checked_sub(from)?.checked_add(base)?;
        let end = r.end.checked_sub(from)?.checked_add(base)?;
        users.push(start..end);
    }
    Some(())
}
