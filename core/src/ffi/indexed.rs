//! Decisions on names resolved to indexes, for runtimes that pay to pass strings across a
//! boundary (wasm): resolve each name once, then pass four numbers per check. An index is
//! only meaningful for the snapshot that handed it out.

use crate::decide::{Decision, Grant, Reason, ResourceRef};
use crate::ffi::Code;
use crate::snapshot::{NONE, Snapshot};

/// "Unknown" (a name the snapshot does not have) and "no resource": one sentinel for every
/// kind of index, in every runtime. Across an `i32` ABI it has the bit pattern of `-1`.
pub const UNKNOWN: u32 = NONE;

/// What kind of name [`index_of`] resolves. The numbers are the ABI's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A user id.
    User = 0,
    /// A permission.
    Permission = 1,
    /// A scope id.
    Scope = 2,
    /// A resource, given as `type\0id`.
    Resource = 3,
}

impl NameKind {
    /// The kind an ABI number stands for.
    pub const fn from_number(n: i32) -> Option<NameKind> {
        match n {
            0 => Some(NameKind::User),
            1 => Some(NameKind::Permission),
            2 => Some(NameKind::Scope),
            3 => Some(NameKind::Resource),
            _ => None,
        }
    }
}

/// The index of a user, or [`UNKNOWN`].
pub fn user_index(snapshot: &Snapshot, id: &str) -> u32 {
    snapshot.find_user(id).unwrap_or(UNKNOWN)
}

/// The index of a permission, or [`UNKNOWN`].
pub fn permission_index(snapshot: &Snapshot, permission: &str) -> u32 {
    snapshot.find_permission(permission).unwrap_or(UNKNOWN)
}

/// The index of a scope, or [`UNKNOWN`].
pub fn scope_index(snapshot: &Snapshot, id: &str) -> u32 {
    snapshot.find_scope(id).unwrap_or(UNKNOWN)
}

/// The index of a resource, or [`UNKNOWN`] (which then matches no resource-based assignment).
pub fn resource_index(snapshot: &Snapshot, resource_type: &str, id: &str) -> u32 {
    snapshot.find_resource(Some(ResourceRef { resource_type, id }))
}

/// The index of a name of `kind`; a resource is `type\0id` (anything else is
/// [`Code::BadRequest`]).
pub fn index_of(snapshot: &Snapshot, kind: NameKind, name: &str) -> Result<u32, Code> {
    Ok(match kind {
        NameKind::User => user_index(snapshot, name),
        NameKind::Permission => permission_index(snapshot, name),
        NameKind::Scope => scope_index(snapshot, name),
        NameKind::Resource => {
            let (t, id) = name.split_once('\0').ok_or(Code::BadRequest)?;
            resource_index(snapshot, t, id)
        }
    })
}

/// [`Snapshot::can`] on indexes: an index this snapshot did not hand out is Deny; `resource`
/// is [`UNKNOWN`] for none.
#[inline]
pub fn can_at(snapshot: &Snapshot, user: u32, permission: u32, scope: u32, resource: u32) -> bool {
    (permission as usize) < snapshot.permissions.len()
        && (scope as usize) < snapshot.scopes.len()
        && snapshot
            .first_grant(user, permission, scope, resource)
            .is_some()
}

/// [`Snapshot::check`] on indexes, without building the reason: the index of the granting
/// assignment (for [`grant_of`]), or the denial's code — with `check`'s precedence:
/// permission, then scope, then user.
#[inline]
pub fn decide_at(
    snapshot: &Snapshot,
    user: u32,
    permission: u32,
    scope: u32,
    resource: u32,
) -> Result<u32, Code> {
    if permission as usize >= snapshot.permissions.len() {
        Err(Code::UnknownPermission)
    } else if scope as usize >= snapshot.scopes.len() {
        Err(Code::UnknownScope)
    } else {
        let chain = snapshot.chain(scope);
        let rec = snapshot.users.get(user as usize).ok_or(Code::UnknownUser)?;
        if !rec.active {
            return Err(Code::UserInactive);
        }
        let (first, _) = rec.assignments;
        snapshot
            .assignment_slice(rec)
            .iter()
            .position(|a| snapshot.applies(a, permission, chain, resource))
            .map(|at| first + at as u32)
            .ok_or(Code::NoMatchingAssignment)
    }
}

/// What assignment number `assignment` grants (see [`decide_at`]).
pub fn grant_of(snapshot: &Snapshot, assignment: u32) -> Option<Grant<'_>> {
    snapshot
        .assignments
        .get(assignment as usize)
        .map(|a| snapshot.grant(a))
}

/// [`Snapshot::check`] on indexes: the whole decision.
pub fn check_at(
    snapshot: &Snapshot,
    user: u32,
    permission: u32,
    scope: u32,
    resource: u32,
) -> Decision<'_> {
    let reason = match decide_at(snapshot, user, permission, scope, resource) {
        Ok(assignment) => {
            grant_of(snapshot, assignment).map_or(Reason::NoMatchingAssignment, Reason::Granted)
        }
        Err(code) => Reason::denied_by(code).unwrap_or(Reason::NoMatchingAssignment),
    };
    Decision::new(snapshot.revision(), reason)
}

/// [`decide_at`]'s result as one number: the assignment index (≥ 0), or the denial's
/// negative status.
pub const fn decided_to_number(result: Result<u32, Code>) -> i64 {
    match result {
        Ok(assignment) => assignment as i64,
        Err(code) => code.status() as i64,
    }
}

/// The deny reason of a negative [`decided_to_number`]; `None` for any other number. (A few
/// comparisons, so runtimes that only need denials need not carry the whole code table.)
pub const fn denial_of(number: i64) -> Option<Reason<'static>> {
    const PERMISSION: i64 = Code::UnknownPermission.status() as i64;
    const SCOPE: i64 = Code::UnknownScope.status() as i64;
    const USER: i64 = Code::UnknownUser.status() as i64;
    const NO_MATCH: i64 = Code::NoMatchingAssignment.status() as i64;
    const INACTIVE: i64 = Code::UserInactive.status() as i64;
    match number {
        PERMISSION => Some(Reason::UnknownPermission),
        SCOPE => Some(Reason::UnknownScope),
        USER => Some(Reason::UnknownUser),
        NO_MATCH => Some(Reason::NoMatchingAssignment),
        INACTIVE => Some(Reason::UserInactive),
        _ => None,
    }
}

/// The result [`decided_to_number`] encoded; `None` for a number it cannot have written.
pub fn decided_from_number(number: i64) -> Option<Result<u32, Code>> {
    if number >= 0 {
        u32::try_from(number).ok().map(Ok)
    } else {
        let code = Code::from_status(i32::try_from(number).ok()?)?;
        Reason::denied_by(code).map(|_| Err(code))
    }
}
