//! The plain ABI's messages and status codes, shared by the guest (feature `abi`) and the
//! wasmtime host (`rolegate-host`). Requests and responses are postcard in linear memory.
//!
//! ABI version 1 — the guest exports:
//!
//! | export | signature | does |
//! |---|---|---|
//! | `rolegate_abi_version` | `() -> i32` | [`ABI_VERSION`] |
//! | `rolegate_alloc` | `(len: i32) -> i32` | a buffer of `len` bytes for the host to write into; 0 if it cannot |
//! | `rolegate_free` | `(ptr: i32, len: i32) -> i32` | frees a buffer `rolegate_alloc` returned; [`BAD_REQUEST`] for any other |
//! | `rolegate_trust` | `(ptr: i32, len: i32) -> i32` | sets the [`WireTrust`] the next verified load checks; 0 or a status |
//! | `rolegate_load` | `(ptr: i32, len: i32, now: i64) -> i32` | decodes snapshot bytes and makes them current; with `now` ≥ 0, first checks them against the trust set (at that time); 0 or a status |
//! | `rolegate_apply_delta` | `(base_ptr: i32, base_len: i32, delta_ptr: i32, delta_len: i32) -> i64` | the snapshot a delta rebuilds from its base, or a delta status |
//! | `rolegate_can` | `(ptr: i32, len: i32) -> i32` | a postcard [`WireRequest`] → 1 Allow, 0 Deny, or a status |
//! | `rolegate_check` | `(ptr: i32, len: i32) -> i64` | a [`WireRequest`] → a postcard `Decision` |
//! | `rolegate_check_batch` | `(ptr: i32, len: i32) -> i64` | a postcard `Vec<WireRequest>` → one byte (1/0) per request |
//! | `rolegate_query` | `(ptr: i32, len: i32) -> i64` | a postcard [`Query`] → a postcard [`Answer`] |
//! | `rolegate_index` | `(kind: i32, ptr: i32, len: i32) -> i32` | the index of a name ([`INDEX_USER`], …; a resource as `type\0id`); -1 when unknown |
//! | `rolegate_can_at` | `(user: i32, permission: i32, scope: i32, resource: i32) -> i32` | `can` on indexes (-1 for unknown / no resource) |
//! | `rolegate_decide_at` | `(user: i32, permission: i32, scope: i32, resource: i32) -> i64` | `check` on indexes: the granting assignment's index, or a [`DENY_UNKNOWN_PERMISSION`]… code |
//! | `rolegate_grant` | `(assignment: i32) -> i64` | a postcard `Grant` for an assignment index |
//! | `rolegate_check_batch_at` | `(ptr: i32, len: i32) -> i64` | little-endian `u32` quadruples → one byte (1/0) per quadruple |
//!
//! The `_at` exports let a host resolve each name once and then pass four numbers per check
//! instead of encoding strings: indexes are only meaningful for the snapshot that gave them.
//!
//! An `i64` result is `(ptr << 32) | len` of a response in guest memory, valid until the
//! next call, or a negative status. Statuses are negative `i32`s (below).

use alloc::vec::Vec;
use rolegate_core::{
    Decision, DecodeError, Explanation, Holder, QueryError, ResourceRef, ScopeView,
};
use serde::{Deserialize, Serialize};

/// The ABI this crate speaks.
pub const ABI_VERSION: i32 = 1;

/// `rolegate_index` kinds.
pub const INDEX_USER: i32 = 0;
/// A permission.
pub const INDEX_PERMISSION: i32 = 1;
/// A scope.
pub const INDEX_SCOPE: i32 = 2;
/// A resource, given as `type\0id`.
pub const INDEX_RESOURCE: i32 = 3;

/// `rolegate_decide_at`'s deny reasons.
pub const DENY_UNKNOWN_PERMISSION: i64 = -101;
/// The scope is unknown.
pub const DENY_UNKNOWN_SCOPE: i64 = -102;
/// The user is unknown.
pub const DENY_UNKNOWN_USER: i64 = -103;
/// No assignment grants it.
pub const DENY_NO_MATCHING_ASSIGNMENT: i64 = -104;

/// No snapshot has been loaded into this instance.
pub const NO_SNAPSHOT: i32 = -1;
/// The request bytes are not a valid request (or lie outside guest memory).
pub const BAD_REQUEST: i32 = -2;
/// The guest could not allocate.
pub const OUT_OF_MEMORY: i32 = -3;
/// Snapshot statuses: the [`DecodeError::code`]s, in this order, from -10 down.
pub const SNAPSHOT_CODES: [&str; 7] = [
    "snapshot-too-large",
    "snapshot-bad-magic",
    "snapshot-unsupported-format",
    "snapshot-malformed",
    "snapshot-checksum-mismatch",
    "snapshot-too-many",
    "snapshot-invalid",
];
/// Trust statuses: the [`TrustError::code`](rolegate_core::TrustError::code)s that are not
/// snapshot codes, in this order, from -30 down.
pub const TRUST_CODES: [&str; 6] = [
    "unsigned",
    "unknown-key",
    "bad-signature",
    "wrong-organization",
    "stale-revision",
    "expired",
];
/// Delta statuses: the [`DeltaError::code`](rolegate_core::DeltaError::code)s that are not
/// snapshot codes, in this order, from -40 down.
pub const DELTA_CODES: [&str; 5] = [
    "delta-bad-magic",
    "delta-unsupported-format",
    "delta-wrong-base",
    "delta-malformed",
    "delta-wrong-organization",
];
/// Query statuses: the [`QueryError::code`]s, in this order, from -20 down.
pub const QUERY_CODES: [&str; 3] = ["unknown-user", "unknown-scope", "unknown-permission"];

fn status_of(code: &str, codes: &[&str], base: i32) -> i32 {
    codes
        .iter()
        .position(|c| *c == code)
        .map_or(BAD_REQUEST, |i| base - i as i32)
}

/// The status for a decode error.
pub fn decode_status(e: &DecodeError) -> i32 {
    status_of(e.code(), &SNAPSHOT_CODES, -10)
}

/// The status for any code: snapshot, trust or delta.
pub fn code_status(code: &str) -> i32 {
    [
        (&SNAPSHOT_CODES[..], -10),
        (&TRUST_CODES[..], -30),
        (&DELTA_CODES[..], -40),
    ]
    .iter()
    .find_map(|(codes, base)| {
        codes
            .iter()
            .position(|c| *c == code)
            .map(|i| base - i as i32)
    })
    .unwrap_or(BAD_REQUEST)
}

/// The status for a query error.
pub fn query_status(e: &QueryError) -> i32 {
    status_of(e.code(), &QUERY_CODES, -20)
}

/// The stable code of a status, for errors on the host side.
pub fn status_code(status: i32) -> &'static str {
    let at = |codes: &[&'static str], base: i32| codes.get((base - status) as usize).copied();
    match status {
        NO_SNAPSHOT => "no-snapshot",
        BAD_REQUEST => "bad-request",
        OUT_OF_MEMORY => "out-of-memory",
        -16..=-10 => at(&SNAPSHOT_CODES, -10).unwrap_or("unknown-status"),
        -22..=-20 => at(&QUERY_CODES, -20).unwrap_or("unknown-status"),
        -35..=-30 => at(&TRUST_CODES, -30).unwrap_or("unknown-status"),
        -44..=-40 => at(&DELTA_CODES, -40).unwrap_or("unknown-status"),
        _ => "unknown-status",
    }
}

/// Trust settings on the wire (see [`rolegate_core::Trust`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireTrust<'a> {
    /// (key id, public key) pairs.
    #[serde(borrow)]
    pub keys: Vec<(&'a str, [u8; 32])>,
    /// The only organization accepted.
    pub organization: Option<&'a str>,
    /// The lowest revision accepted.
    pub min_revision: Option<u64>,
    /// The oldest accepted, in seconds.
    pub max_age: Option<u64>,
}

impl WireTrust<'_> {
    /// The core trust settings.
    pub fn trust(&self) -> rolegate_core::Trust {
        rolegate_core::Trust {
            keys: self
                .keys
                .iter()
                .map(|(id, public)| rolegate_core::TrustedKey {
                    id: (*id).into(),
                    public: *public,
                })
                .collect(),
            organization: self.organization.map(Into::into),
            min_revision: self.min_revision,
            max_age: self.max_age,
        }
    }
}

/// A request on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRequest<'a> {
    /// User id.
    pub user: &'a str,
    /// Permission.
    pub permission: &'a str,
    /// Scope id.
    pub scope: &'a str,
    /// The resource, for resource-based roles.
    #[serde(borrow)]
    pub resource: Option<ResourceRef<'a>>,
}

impl<'a> WireRequest<'a> {
    /// The core request.
    pub fn request(&self) -> rolegate_core::Request<'a> {
        rolegate_core::Request {
            user: self.user,
            permission: self.permission,
            scope: self.scope,
            resource: self.resource,
        }
    }
}

/// A question besides check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Query<'a> {
    /// [`rolegate_core::Snapshot::explain`].
    Explain(#[serde(borrow)] WireRequest<'a>),
    /// [`rolegate_core::Snapshot::effective_permissions`].
    Permissions {
        /// User id.
        user: &'a str,
        /// Scope id.
        scope: &'a str,
        /// Resource.
        #[serde(borrow)]
        resource: Option<ResourceRef<'a>>,
    },
    /// [`rolegate_core::Snapshot::who_can`].
    WhoCan {
        /// Permission.
        permission: &'a str,
        /// Scope id.
        scope: &'a str,
        /// Resource.
        #[serde(borrow)]
        resource: Option<ResourceRef<'a>>,
    },
    /// [`rolegate_core::Snapshot::scopes_with`].
    ScopesWith {
        /// User id.
        user: &'a str,
        /// Permission.
        permission: &'a str,
        /// Resource.
        #[serde(borrow)]
        resource: Option<ResourceRef<'a>>,
    },
    /// The loaded snapshot's organization and revision.
    Meta,
}

/// The answer to a [`Query`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer<'a> {
    /// For [`Query::Explain`].
    Explanation(#[serde(borrow)] Explanation<'a>),
    /// For [`Query::Permissions`].
    Permissions(#[serde(borrow)] Vec<&'a str>),
    /// For [`Query::WhoCan`].
    Holders(#[serde(borrow)] Vec<Holder<'a>>),
    /// For [`Query::ScopesWith`].
    Scopes(#[serde(borrow)] Vec<ScopeView<'a>>),
    /// For [`Query::Meta`].
    Meta {
        /// Organization id.
        organization: &'a str,
        /// Revision.
        revision: u64,
        /// When it was issued, in seconds since the Unix epoch.
        issued_at: u64,
    },
}

/// What `rolegate_check` answers: the decision, postcard-encoded.
pub type CheckAnswer<'a> = Decision<'a>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_to_codes() {
        for (i, code) in SNAPSHOT_CODES.iter().enumerate() {
            assert_eq!(status_code(-10 - i as i32), *code);
        }
        for (i, code) in QUERY_CODES.iter().enumerate() {
            assert_eq!(status_code(-20 - i as i32), *code);
        }
        for code in SNAPSHOT_CODES
            .iter()
            .chain(&TRUST_CODES)
            .chain(&DELTA_CODES)
        {
            assert_eq!(status_code(code_status(code)), *code);
        }
        assert_eq!(status_code(NO_SNAPSHOT), "no-snapshot");
        assert_eq!(status_code(-99), "unknown-status");
    }
}
