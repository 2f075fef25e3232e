//! The plain ABI guest (feature `abi`): the exports `rolegate-host` calls through wasmtime.
//! Messages, codes, sentinels and the answer packing are `rolegate_core::ffi`'s; this file
//! holds only guest memory and the `unsafe` it needs.
//!
//! ABI version 2 — the guest exports (statuses are negative [`Code`] statuses; an `i64`
//! answer is [`ffi::pack`]ed `(ptr, len)` of a response valid until the next call):
//!
//! | export | signature | does |
//! |---|---|---|
//! | `rolegate_abi_version` | `() -> i32` | [`ffi::ABI_VERSION`] |
//! | `rolegate_alloc` | `(len) -> i32` | a buffer of `len` bytes for the host to write into; 0 if it cannot |
//! | `rolegate_free` | `(ptr, len) -> i32` | frees a buffer `rolegate_alloc` returned; 0 or a status |
//! | `rolegate_trust` | `(ptr, len) -> i32` | sets the postcard [`Trust`] loads check; 0 or a status |
//! | `rolegate_load` | `(ptr, len, now: i64) -> i32` | [`ffi::load`]s snapshot bytes at time `now` and makes them current; 0 or a status |
//! | `rolegate_apply_delta` | `(base_ptr, base_len, delta_ptr, delta_len) -> i64` | the snapshot a delta rebuilds, or a status |
//! | `rolegate_query` | `(ptr, len) -> i64` | a postcard [`ffi::Query`] → a postcard [`ffi::Answer`] |
//! | `rolegate_index` | `(kind, ptr, len) -> i64` | a name's index ([`ffi::NameKind`]; [`ffi::UNKNOWN`] when unknown) |
//! | `rolegate_can_at` | `(user, permission, scope, resource) -> i32` | 1 Allow, 0 Deny |
//! | `rolegate_decide_at` | `(user, permission, scope, resource) -> i64` | [`ffi::decided_to_number`] |
//! | `rolegate_grant` | `(assignment) -> i64` | a postcard `Grant` |
//! | `rolegate_check_batch_at` | `(ptr, len) -> i64` | little-endian `u32` quadruples → one byte (1/0) each |
//!
//! The guest trusts nothing the host passes: every input range must lie inside one live
//! buffer from `rolegate_alloc` (never the guest's heap or its response), every message is
//! parsed exactly, every `free` is checked against what `alloc` handed out.

#![allow(unsafe_code)]

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cell::RefCell;

use rolegate_core::ffi::{self, Code, NameKind};
use rolegate_core::{Snapshot, Trust};
use serde::Serialize;

/// Everything the guest remembers between calls.
struct Guest {
    snapshot: Option<Snapshot>,
    /// What loads check. Fails closed until the host sets it.
    trust: Trust,
    /// The last response; valid until the next call.
    response: Vec<u8>,
    /// Live buffers from `rolegate_alloc`: address → length.
    buffers: BTreeMap<usize, usize>,
}

struct Global(RefCell<Guest>);

// SAFETY: wasm32-unknown-unknown has one thread, so the guest state is never reached from two
// threads; the `RefCell` catches any re-entrant use within that thread.
unsafe impl Sync for Global {}

static GUEST: Global = Global(RefCell::new(Guest {
    snapshot: None,
    trust: Trust {
        keys: Vec::new(),
        allow_unsigned: false,
        organization: None,
        min_revision: None,
        max_age: None,
    },
    response: Vec::new(),
    buffers: BTreeMap::new(),
}));

/// Runs `f` on the guest state; a status if the state is already in use (never, unless an
/// export re-enters another).
fn with_guest<R>(f: impl FnOnce(&mut Guest) -> R, busy: R) -> R {
    match GUEST.0.try_borrow_mut() {
        Ok(mut g) => f(&mut g),
        Err(_) => busy,
    }
}

const fn status(code: Code) -> i32 {
    code.status()
}

const fn status64(code: Code) -> i64 {
    code.status() as i64
}

/// The host's bytes at `ptr..ptr+len`, if that range lies inside one live buffer that
/// `rolegate_alloc` handed out.
fn input(buffers: &BTreeMap<usize, usize>, ptr: i32, len: i32) -> Option<&'static [u8]> {
    let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
    let end = ptr.checked_add(len)?;
    let (&start, &size) = buffers.range(..=ptr).next_back()?;
    if end > start.checked_add(size)? {
        return None;
    }
    // SAFETY: `ptr..end` lies inside a live allocation of `size` bytes at `start` (checked
    // above against the table of buffers `rolegate_alloc` leaked and `rolegate_free` has not
    // reclaimed), which is non-null. Any byte pattern is a valid `u8`. Only the host writes
    // to that buffer, and never during a call; the guest never writes to it, and the slice
    // is used only within the export that asked for it, before any `rolegate_free`.
    Some(unsafe { core::slice::from_raw_parts(ptr as *const u8, len) })
}

/// Parses exactly one postcard `T` from the host's bytes.
fn message<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) => Some(value),
        _ => None,
    }
}

/// Packs the response buffer as an answer.
fn packed(response: &[u8]) -> i64 {
    ffi::pack(response.as_ptr() as u32, response.len() as u32)
}

/// Stores `value` as the response; the packed answer, or a status.
fn respond<T: Serialize>(response: &mut Vec<u8>, value: &T) -> i64 {
    response.clear();
    match postcard::to_extend(value, core::mem::take(response)) {
        Ok(bytes) => {
            *response = bytes;
            packed(response)
        }
        Err(_) => status64(Code::OutOfMemory),
    }
}

#[cfg(feature = "faults")]
mod faults {
    //! A deliberately faulty guest, for the host's fault-containment tests: names that are
    //! one of these users misbehave when resolved; everything else is answered correctly.

    /// Traps.
    pub const TRAP: &str = "!trap";
    /// Never returns (until the host's fuel runs out).
    pub const LOOP: &str = "!loop";
    /// Allocates until the host's memory cap refuses.
    pub const OOM: &str = "!oom";
    /// Answers with an impossible value.
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
    ffi::ABI_VERSION
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
    with_guest(
        |g| {
            core::mem::forget(buffer);
            g.buffers.insert(ptr as usize, len);
            ptr as i32
        },
        0,
    )
}

/// Frees a buffer `rolegate_alloc` returned, given its length; anything else is refused.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_free(ptr: i32, len: i32) -> i32 {
    with_guest(
        |g| {
            let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
            if g.buffers.get(&ptr) != Some(&len) {
                return status(Code::BadRange);
            }
            g.buffers.remove(&ptr);
            // SAFETY: `ptr` and `len` are exactly a pointer and capacity `rolegate_alloc`
            // leaked from a `Vec<u8>` (checked against the table, then removed from it, so
            // never twice).
            drop(unsafe { Vec::from_raw_parts(ptr as *mut u8, 0, len) });
            0
        },
        status(Code::Internal),
    )
}

/// Sets the trust settings (a postcard [`Trust`]) loads check. 0 or a status.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_trust(ptr: i32, len: i32) -> i32 {
    with_guest(
        |g| {
            let Some(bytes) = input(&g.buffers, ptr, len) else {
                return status(Code::BadRange);
            };
            let Some(trust) = message::<Trust>(bytes) else {
                return status(Code::BadRequest);
            };
            g.trust = trust;
            0
        },
        status(Code::Internal),
    )
}

/// Loads snapshot bytes the trust settings accept at time `now` (seconds since the Unix
/// epoch) and makes them current. 0, or a status (the previous snapshot stays current).
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_load(ptr: i32, len: i32, now: i64) -> i32 {
    with_guest(
        |g| {
            let Some(bytes) = input(&g.buffers, ptr, len) else {
                return status(Code::BadRange);
            };
            let Ok(now) = u64::try_from(now) else {
                return status(Code::BadArgument);
            };
            match ffi::load(bytes, &g.trust, now) {
                Ok(snapshot) => {
                    g.snapshot = Some(snapshot);
                    0
                }
                Err(e) => status(e.code()),
            }
        },
        status(Code::Internal),
    )
}

/// The snapshot `delta` rebuilds from `base` (both host buffers), or a status. Not
/// trusted: load the result to verify it.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_apply_delta(
    base_ptr: i32,
    base_len: i32,
    delta_ptr: i32,
    delta_len: i32,
) -> i64 {
    with_guest(
        |g| {
            let (Some(base), Some(delta)) = (
                input(&g.buffers, base_ptr, base_len),
                input(&g.buffers, delta_ptr, delta_len),
            ) else {
                return status64(Code::BadRange);
            };
            match rolegate_core::apply_delta(base, delta) {
                Ok(bytes) => {
                    g.response = bytes;
                    packed(&g.response)
                }
                Err(e) => status64(e.code()),
            }
        },
        status64(Code::Internal),
    )
}

/// The postcard `Answer` to a postcard `Query`, or a status.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_query(ptr: i32, len: i32) -> i64 {
    with_guest(
        |g| {
            let Some(bytes) = input(&g.buffers, ptr, len) else {
                return status64(Code::BadRange);
            };
            let Some(query) = message::<ffi::Query<'_>>(bytes) else {
                return status64(Code::BadRequest);
            };
            let Some(snapshot) = &g.snapshot else {
                return status64(Code::NoSnapshot);
            };
            match ffi::answer(snapshot, &query) {
                Ok(answer) => respond(&mut g.response, &answer),
                Err(code) => status64(code),
            }
        },
        status64(Code::Internal),
    )
}

/// The index of a user, permission, scope or resource (`type\0id`) in the loaded snapshot
/// ([`ffi::UNKNOWN`] when it has none), or a status.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_index(kind: i32, ptr: i32, len: i32) -> i64 {
    with_guest(
        |g| {
            let Some(bytes) = input(&g.buffers, ptr, len) else {
                return status64(Code::BadRange);
            };
            let (Ok(name), Some(kind)) = (core::str::from_utf8(bytes), NameKind::from_number(kind))
            else {
                return status64(Code::BadRequest);
            };
            #[cfg(feature = "faults")]
            if kind == NameKind::User
                && let Some(garbage) = faults::trigger(name)
            {
                return garbage;
            }
            let Some(snapshot) = &g.snapshot else {
                return status64(Code::NoSnapshot);
            };
            match ffi::index_of(snapshot, kind, name) {
                Ok(index) => i64::from(index),
                Err(code) => status64(code),
            }
        },
        status64(Code::Internal),
    )
}

/// `can` on indexes: 1 Allow, 0 Deny, or a status.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_can_at(user: i32, permission: i32, scope: i32, resource: i32) -> i32 {
    with_guest(
        |g| match &g.snapshot {
            Some(s) => i32::from(ffi::can_at(
                s,
                user as u32,
                permission as u32,
                scope as u32,
                resource as u32,
            )),
            None => status(Code::NoSnapshot),
        },
        status(Code::Internal),
    )
}

/// `check` on indexes: the granting assignment's index, or the denial's status.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_decide_at(user: i32, permission: i32, scope: i32, resource: i32) -> i64 {
    with_guest(
        |g| match &g.snapshot {
            Some(s) => ffi::decided_to_number(ffi::decide_at(
                s,
                user as u32,
                permission as u32,
                scope as u32,
                resource as u32,
            )),
            None => status64(Code::NoSnapshot),
        },
        status64(Code::Internal),
    )
}

/// The postcard `Grant` of assignment number `assignment`.
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_grant(assignment: i32) -> i64 {
    with_guest(
        |g| {
            let Some(snapshot) = &g.snapshot else {
                return status64(Code::NoSnapshot);
            };
            match ffi::grant_of(snapshot, assignment as u32) {
                Some(grant) => respond(&mut g.response, &grant),
                None => status64(Code::UnknownAssignment),
            }
        },
        status64(Code::Internal),
    )
}

/// One byte (1 Allow, 0 Deny) per little-endian `u32` quadruple (user, permission, scope,
/// resource).
#[unsafe(no_mangle)]
pub extern "C" fn rolegate_check_batch_at(ptr: i32, len: i32) -> i64 {
    with_guest(
        |g| {
            let Some(bytes) = input(&g.buffers, ptr, len) else {
                return status64(Code::BadRange);
            };
            if !bytes.len().is_multiple_of(16) {
                return status64(Code::BadRequest);
            }
            let Some(snapshot) = &g.snapshot else {
                return status64(Code::NoSnapshot);
            };
            let word = |q: &[u8], at: usize| {
                q.get(at..at + 4)
                    .and_then(|w| <[u8; 4]>::try_from(w).ok())
                    .map_or(ffi::UNKNOWN, u32::from_le_bytes)
            };
            g.response.clear();
            g.response.extend(bytes.chunks_exact(16).map(|q| {
                u8::from(ffi::can_at(
                    snapshot,
                    word(q, 0),
                    word(q, 4),
                    word(q, 8),
                    word(q, 12),
                ))
            }));
            packed(&g.response)
        },
        status64(Code::Internal),
    )
}
