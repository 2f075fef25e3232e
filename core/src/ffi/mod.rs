//! The runtime boundary, defined once (after Cedar's `ffi`): everything the wasm shims, the
//! wasmtime host and the JS package must agree on lives here, and they translate from it.
//!
//! - [`Code`]: every stable code of every error enum and deny reason — text, number and the
//!   reverse lookups;
//! - the index-based decision API ([`can_at`], [`decide_at`], [`grant_of`], the `*_index`
//!   lookups) with one "unknown" sentinel, [`UNKNOWN`];
//! - the messages besides `check` ([`Query`], [`Answer`]) and how a snapshot answers them;
//! - [`load`]: how every runtime turns bytes and trust settings into a snapshot;
//! - the plain ABI's version and how a response's (pointer, length) travels as one `i64`.
//!
//! [`Request`](crate::Request) and [`Trust`](crate::Trust) carry serde themselves: they
//! are their own wire form.

mod code;
mod indexed;
mod messages;

pub use code::Code;
pub use indexed::{
    NameKind, UNKNOWN, can_at, check_at, decide_at, decided_from_number, decided_to_number,
    denial_of, grant_of, index_of, permission_index, resource_index, scope_index, user_index,
};
pub use messages::{Answer, Query, answer};

use crate::format::{Trust, TrustError};
use crate::snapshot::Snapshot;

/// The plain ABI this core speaks (the exports of `rolegate-wasm`'s `abi` guest, read by
/// `rolegate-host`). Version 2: one code numbering, input ranges confined to live buffers,
/// the string-based check exports removed.
pub const ABI_VERSION: i32 = 2;

/// Turns snapshot bytes into a snapshot, as every runtime must: verified against `trust` at
/// time `now` (seconds since the Unix epoch) before anything is decoded.
pub fn load(bytes: &[u8], trust: &Trust, now: u64) -> Result<Snapshot, TrustError> {
    Snapshot::decode_trusted(bytes, trust, now)
}

/// A response in guest memory as one `i64`: `(ptr << 32) | len`. Always non-negative for
/// memories under 2 GiB (hosts cap guest memory below that), so it never looks like a status.
pub const fn pack(ptr: u32, len: u32) -> i64 {
    ((ptr as i64) << 32) | len as i64
}

/// The (pointer, length) [`pack`] encoded, or the [`Code`] of a negative status; `Err(None)`
/// for a negative number that is no status.
pub fn unpack(result: i64) -> Result<(u32, u32), Option<Code>> {
    if result < 0 {
        return Err(i32::try_from(result).ok().and_then(Code::from_status));
    }
    Ok(((result >> 32) as u32, result as u32))
}
