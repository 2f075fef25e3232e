//! The plain ABI guest (feature `abi`): the exports `rolegate-host` calls through wasmtime.
//! See [`crate::protocol`] for the messages.
//!
//! This file is the one place in rolegate where `unsafe` is allowed: exporting symbols and
//! turning the host's (pointer, length) pairs into slices. The guest trusts nothing the host
//! passes — every range is checked against linear memory, every request parsed and refused
//! when malformed, every `free` checked against what `alloc` handed out.

#![allow(unsafe_code)]

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

use rolegate_core::Snapshot;
use serde::Serialize;

use crate::protocol::{
    ABI_VERSION, Answer, BAD_REQUEST, DENY_NO_MATCHING_ASSIGNMENT, DENY_UNKNOWN_PERMISSION,
    DENY_UNKNOWN_SCOPE, DENY_UNKNOWN_USER, INDEX_PERMISSION, INDEX_RESOURCE, INDEX_SCOPE,
    INDEX_USER, NO_SNAPSHOT, OUT_OF_MEMORY, Query, WireRequest, WireTrust, code_status,
    decode_status, query_status,
};

/// Everything the guest remembers between calls.
struct Guest {
    snapshot: Option<Snapshot>,
    /// What verified loads check.
    trust: rolegate_core::Trust,
    /// The last response; valid until the next call.
    response: Vec<u8>,
    /// Live buffers from `rolegate_alloc`: address → length.
    buffers: BTreeMap<usize, usize>,
}

struct Global(UnsafeCell<Guest>);

// SAFETY: wasm32-unknown-unknown has one thread; the host calls one export at a time per
// instance, and no export calls another, so `Guest` is never reached from two places at once.
unsafe impl Sync for Global {}

static GUEST: Global = Global(UnsafeCell::new(Guest {
    snapshot: None,
    trust: rolegate_core::Trust {
        keys: Vec::new(),
        organization: None,
        min_revision: None,
        max_age: None,
    },
    response: Vec::new(),
    buffers: BTreeMap::new(),
}));

fn guest() -> &'static mut Guest {
    // SAFETY: see `impl Sync for Global`: each export takes this reference once, at its
    // start, and holds no other.
    unsafe { &mut *GUEST.0.get() }
}

/// The host's bytes at `ptr..ptr+len`, if that range lies inside linear memory.
fn input(ptr: i32, len: i32) -> Option<&'static [u8]> {
    let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
    let end = ptr.checked_add(len)?;
    let memory = core::arch::wasm32::memory_size(0).checked_mul(65_536)?;
    if ptr == 0 || end > memory {
        return None;
    }
    // SAFETY: the range is inside linear memory (checked above) and non-null; any byte
    // pattern is a valid `u8`; the host wrote it before the call and nothing in the guest
    // writes to it while the slice lives (the call only reads it).
    Some(unsafe { core::slice::from_raw_parts(ptr as *const u8, len) })
}

/// Parses exactly one postcard `T` from the host's bytes.
fn request<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) => Some(value),
        _ => None,
    }
}

/// Stores `value` as the response; `(ptr << 32) | len`, or a status.
fn respond<T: Serialize>(g: &mut Guest, value: &T) -> i64 {
    g.response.clear();
    match postcard::to_extend(value, core::mem::take(&mut g.response)) {
        Ok(bytes) => {
            g.response = bytes;
            ((g.response.as_ptr() as u32 as i64) << 32) | g.response.len() as u32 as i64
        }
        Err(_) => i64::from(OUT_OF_MEMORY),
    }
}

#[cfg(feature = "faults")]
mod faults {
    //! A deliberately faulty guest, for the host's fault-containment tests: requests whose
    //! user is one of these ids misbehave; every other request is answered correctly.

    /// Traps.
    pub const TRAP: &str = "!trap";
    /// Never returns (until the host's fuel runs out).
    pub const LOOP: &str = "!loop";
    /// Allocates until the host's memory cap refuses.
    pub const OOM: &str = "!oom";
    /// Answers with a pointer outside memory, or an impossible value.
    pub const GARBAGE: &str = "!garbage";

    /// Misbehaves for the special users; returns `Some(garbage)` for GARBAGE.
    pub fn trigger(user: &str) -> Option<i64> {
        match user {
            TRAP => core::arch::wasm32::unreachable(),
            LOOP => {
                let mut n = 0u64;
                loop {
                    n = core::hint::black_box(n.wrapping_add(1));
                }
            }
            OOM => loop {
                // Reserve without touching: only the memory cap can stop this.
                core::mem::forget(core::hint::black_box(alloc::vec::Vec::<u8>::with_capacity(
                    1 << 20,
                )));
            },
            GARBAGE => Some(0x7fff_fff0_0000_0100),
            _ => None,
        }
    }
}

/// The ABI version.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_abi_version() -> i32 {
    ABI_VERSION
}

/// A buffer of `len` bytes for the host to write a request or snapshot into; 0 if it cannot.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_alloc(len: i32) -> i32 {
    let Ok(len) = usize::try_from(len) else {
        return 0;
    };
    if len == 0 {
        return 0;
    }
    let mut buffer: Vec<u8> = Vec::new();
    if buffer.try_reserve_exact(len).is_err() {
        return 0;
    }
    let ptr = buffer.as_mut_ptr();
    core::mem::forget(buffer);
    guest().buffers.insert(ptr as usize, len);
    ptr as i32
}

/// Frees a buffer `rolegate_alloc` returned, given its length; anything else is refused.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_free(ptr: i32, len: i32) -> i32 {
    let g = guest();
    let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
    if g.buffers.get(&ptr) != Some(&len) {
        return BAD_REQUEST;
    }
    g.buffers.remove(&ptr);
    // SAFETY: `ptr` and `len` are exactly a pointer and capacity `rolegate_alloc` leaked from
    // a `Vec<u8>` (checked against the table, then removed from it, so never twice).
    drop(unsafe { Vec::from_raw_parts(ptr as *mut u8, 0, len) });
    0
}

/// Sets the trust settings (a postcard `WireTrust`) verified loads check. 0 or a status.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_trust(ptr: i32, len: i32) -> i32 {
    let Some(trust) = input(ptr, len).and_then(request::<WireTrust<'_>>) else {
        return BAD_REQUEST;
    };
    guest().trust = trust.trust();
    0
}

/// Decodes snapshot bytes and makes them current; with `now` ≥ 0, first checks them against
/// the trust settings at that time. 0, or a snapshot or trust status (the previous snapshot
/// stays current).
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_load(ptr: i32, len: i32, now: i64) -> i32 {
    let Some(bytes) = input(ptr, len) else {
        return BAD_REQUEST;
    };
    let g = guest();
    let decoded = match u64::try_from(now) {
        Ok(now) => {
            Snapshot::decode_trusted(bytes, &g.trust, now).map_err(|e| code_status(e.code()))
        }
        Err(_) => Snapshot::decode(bytes).map_err(|e| decode_status(&e)),
    };
    match decoded {
        Ok(snapshot) => {
            g.snapshot = Some(snapshot);
            0
        }
        Err(status) => status,
    }
}

/// The snapshot `delta` rebuilds from `base` (both host buffers), or a delta status. Not
/// trusted: load the result to verify it.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_apply_delta(
    base_ptr: i32,
    base_len: i32,
    delta_ptr: i32,
    delta_len: i32,
) -> i64 {
    let (Some(base), Some(delta)) = (input(base_ptr, base_len), input(delta_ptr, delta_len)) else {
        return i64::from(BAD_REQUEST);
    };
    match rolegate_core::apply_delta(base, delta) {
        Ok(bytes) => {
            let g = guest();
            g.response = bytes;
            ((g.response.as_ptr() as u32 as i64) << 32) | g.response.len() as u32 as i64
        }
        Err(e) => i64::from(code_status(e.code())),
    }
}

/// Allow (1) or Deny (0) for a postcard `WireRequest`, or a status.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_can(ptr: i32, len: i32) -> i32 {
    let Some(req) = input(ptr, len).and_then(request::<WireRequest<'_>>) else {
        return BAD_REQUEST;
    };
    #[cfg(feature = "faults")]
    if faults::trigger(req.user).is_some() {
        return 7;
    }
    match &guest().snapshot {
        Some(s) => i32::from(s.can(&req.request())),
        None => NO_SNAPSHOT,
    }
}

/// The postcard `Decision` for a postcard `WireRequest`.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_check(ptr: i32, len: i32) -> i64 {
    let Some(req) = input(ptr, len).and_then(request::<WireRequest<'_>>) else {
        return i64::from(BAD_REQUEST);
    };
    #[cfg(feature = "faults")]
    if let Some(garbage) = faults::trigger(req.user) {
        return garbage;
    }
    let g = guest();
    let Some(snapshot) = g.snapshot.take() else {
        return i64::from(NO_SNAPSHOT);
    };
    let result = respond(g, &snapshot.check(&req.request()));
    g.snapshot = Some(snapshot);
    result
}

/// One byte (1 Allow, 0 Deny) per request of a postcard `Vec<WireRequest>`.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_check_batch(ptr: i32, len: i32) -> i64 {
    let Some(requests) = input(ptr, len).and_then(request::<Vec<WireRequest<'_>>>) else {
        return i64::from(BAD_REQUEST);
    };
    #[cfg(feature = "faults")]
    for r in &requests {
        if let Some(garbage) = faults::trigger(r.user) {
            return garbage;
        }
    }
    let g = guest();
    let Some(snapshot) = &g.snapshot else {
        return i64::from(NO_SNAPSHOT);
    };
    g.response.clear();
    g.response.extend(
        requests
            .iter()
            .map(|r| u8::from(snapshot.can(&r.request()))),
    );
    ((g.response.as_ptr() as u32 as i64) << 32) | g.response.len() as u32 as i64
}

/// The postcard `Answer` to a postcard `Query`, or a status.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_query(ptr: i32, len: i32) -> i64 {
    let Some(query) = input(ptr, len).and_then(request::<Query<'_>>) else {
        return i64::from(BAD_REQUEST);
    };
    let g = guest();
    let Some(s) = g.snapshot.take() else {
        return i64::from(NO_SNAPSHOT);
    };
    let answer = match query {
        Query::Explain(r) => Ok(Answer::Explanation(s.explain(&r.request()))),
        Query::Permissions {
            user,
            scope,
            resource,
        } => s
            .effective_permissions(user, scope, resource)
            .map(Answer::Permissions),
        Query::WhoCan {
            permission,
            scope,
            resource,
        } => s.who_can(permission, scope, resource).map(Answer::Holders),
        Query::ScopesWith {
            user,
            permission,
            resource,
        } => s
            .scopes_with(user, permission, resource)
            .map(Answer::Scopes),
        Query::Meta => Ok(Answer::Meta {
            organization: s.organization(),
            revision: s.revision(),
            issued_at: s.meta().issued_at,
        }),
    };
    let result = match answer {
        Ok(a) => respond(g, &a),
        Err(e) => i64::from(query_status(&e)),
    };
    g.snapshot = Some(s);
    result
}

/// The index of a user, permission, scope or resource (`type\0id`) in the loaded snapshot;
/// -1 when it has none.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_index(kind: i32, ptr: i32, len: i32) -> i32 {
    let Some(name) = input(ptr, len).and_then(|b| core::str::from_utf8(b).ok()) else {
        return BAD_REQUEST;
    };
    #[cfg(feature = "faults")]
    if kind == INDEX_USER && faults::trigger(name).is_some() {
        return -7;
    }
    let Some(s) = &guest().snapshot else {
        return NO_SNAPSHOT;
    };
    let index = match kind {
        INDEX_USER => s.user_index(name),
        INDEX_PERMISSION => s.permission_index(name),
        INDEX_SCOPE => s.scope_index(name),
        INDEX_RESOURCE => match name.split_once('\0') {
            Some((t, id)) => Some(s.resource_index(t, id)),
            None => return BAD_REQUEST,
        },
        _ => return BAD_REQUEST,
    };
    // Indexes are bounded far below i32::MAX by the snapshot limits; NO_RESOURCE is -1.
    index.map_or(-1, |i| i as i32)
}

/// `can` on indexes: 1 Allow, 0 Deny.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_can_at(user: i32, permission: i32, scope: i32, resource: i32) -> i32 {
    match &guest().snapshot {
        Some(s) => i32::from(s.can_at(
            user as u32,
            permission as u32,
            scope as u32,
            resource as u32,
        )),
        None => NO_SNAPSHOT,
    }
}

/// `check` on indexes: the granting assignment's index, or a `DENY_*` code.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_decide_at(user: i32, permission: i32, scope: i32, resource: i32) -> i64 {
    use rolegate_core::Reason;
    let Some(s) = &guest().snapshot else {
        return i64::from(NO_SNAPSHOT);
    };
    match s.decide_at(
        user as u32,
        permission as u32,
        scope as u32,
        resource as u32,
    ) {
        Ok(assignment) => i64::from(assignment),
        Err(Reason::UnknownPermission) => DENY_UNKNOWN_PERMISSION,
        Err(Reason::UnknownScope) => DENY_UNKNOWN_SCOPE,
        Err(Reason::UnknownUser) => DENY_UNKNOWN_USER,
        Err(_) => DENY_NO_MATCHING_ASSIGNMENT,
    }
}

/// The postcard `Grant` of assignment number `assignment`.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_grant(assignment: i32) -> i64 {
    let g = guest();
    let Some(snapshot) = g.snapshot.take() else {
        return i64::from(NO_SNAPSHOT);
    };
    let result = match snapshot.grant_of(assignment as u32) {
        Some(grant) => respond(g, &grant),
        None => i64::from(BAD_REQUEST),
    };
    g.snapshot = Some(snapshot);
    result
}

/// One byte (1 Allow, 0 Deny) per little-endian `u32` quadruple (user, permission, scope,
/// resource).
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_check_batch_at(ptr: i32, len: i32) -> i64 {
    let Some(bytes) = input(ptr, len) else {
        return i64::from(BAD_REQUEST);
    };
    if !bytes.len().is_multiple_of(16) {
        return i64::from(BAD_REQUEST);
    }
    let g = guest();
    let Some(snapshot) = &g.snapshot else {
        return i64::from(NO_SNAPSHOT);
    };
    let word = |q: &[u8], at: usize| {
        q.get(at..at + 4)
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map_or(u32::MAX, u32::from_le_bytes)
    };
    g.response.clear();
    g.response.extend(
        bytes
            .chunks_exact(16)
            .map(|q| u8::from(snapshot.can_at(word(q, 0), word(q, 4), word(q, 8), word(q, 12)))),
    );
    ((g.response.as_ptr() as u32 as i64) << 32) | g.response.len() as u32 as i64
}
