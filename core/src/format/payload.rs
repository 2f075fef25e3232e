//! Sealing a payload into snapshot bytes: the one way the compiler and slices do it.

use alloc::vec::Vec;

use crate::format::envelope::{Claims, checksum, head_room, seal_with, write_head};
use crate::format::trust::{SigningKeyRef, signature_of};
use crate::format::wire::Payload;
use crate::limits::MAX_SNAPSHOT_BYTES;

/// Why a payload could not be sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SealError {
    /// The payload could not be serialized (it exceeds postcard's or memory's limits).
    Serialize,
    /// The sealed snapshot would be larger than [`MAX_SNAPSHOT_BYTES`].
    TooLarge(usize),
}

/// The snapshot bytes of `payload`: postcard-encoded and sealed in an envelope, signed with
/// `key` if given.
pub(crate) fn seal_payload(
    payload: &Payload<'_>,
    claims: &Claims<'_>,
    key: Option<SigningKeyRef<'_>>,
) -> Result<Vec<u8>, SealError> {
    let (mut out, room) = with_room(claims, key, 0);
    append(&mut out, payload)?;
    seal_after_room(out, room, claims, key)
}

/// The snapshot bytes of an encoded payload, sealed as [`seal_payload`] seals.
pub(crate) fn seal_bytes(
    payload: &[u8],
    claims: &Claims<'_>,
    key: Option<SigningKeyRef<'_>>,
) -> Result<Vec<u8>, SealError> {
    let (mut out, room) = with_room(claims, key, payload.len());
    out.extend_from_slice(payload);
    seal_after_room(out, room, claims, key)
}

/// A buffer holding room for the envelope's head, with capacity for `size_hint` bytes of
/// payload after it (more costs only address space; less, a reallocation); and the room.
///
/// The payload is written after the room, the head then in front of it, and the room that
/// was not needed dropped: a snapshot's bytes — 27 MB at L — are written once and moved
/// once, instead of grown by doubling and then copied into a second buffer.
pub(crate) fn with_room(
    claims: &Claims<'_>,
    key: Option<SigningKeyRef<'_>>,
    size_hint: usize,
) -> (Vec<u8>, usize) {
    let room = head_room(claims, key.map(|k| k.id));
    let mut out = Vec::with_capacity(room.saturating_add(size_hint));
    out.resize(room, 0);
    (out, room)
}

/// Seals the payload written after `room` bytes of `out` (see [`with_room`]).
pub(crate) fn seal_after_room(
    mut out: Vec<u8>,
    room: usize,
    claims: &Claims<'_>,
    key: Option<SigningKeyRef<'_>>,
) -> Result<Vec<u8>, SealError> {
    let body = out.get(room..).unwrap_or_default();
    let (sum, body_len) = (checksum(body), body.len());
    let signature = key.map(|k| (k.id, signature_of(claims, &sum, k)));
    let signature = signature.as_ref().map(|(id, s)| (*id, s.as_slice()));
    let mut head = Vec::with_capacity(room);
    write_head(&mut head, claims, &sum, signature, body_len);
    let start = room.checked_sub(head.len());
    let sealed = match start.and_then(|start| out.get_mut(start..room).map(|r| (start, r))) {
        Some((start, room)) => {
            room.copy_from_slice(&head);
            out.drain(..start);
            out
        }
        // Not reached (`head_room` bounds the head); sealed the plain way if it were.
        None => seal_with(claims, out.get(room..).unwrap_or_default(), &sum, signature),
    };
    if sealed.len() > MAX_SNAPSHOT_BYTES {
        return Err(SealError::TooLarge(sealed.len()));
    }
    Ok(sealed)
}

/// Appends `value`, postcard-encoded, to `out`.
pub(crate) fn append<T: serde::Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), SealError> {
    postcard::serialize_with_flavor(value, Append(out)).map_err(|_| SealError::Serialize)
}

/// A postcard output that appends to a vector.
struct Append<'a>(&'a mut Vec<u8>);

impl postcard::ser_flavors::Flavor for Append<'_> {
    type Output = ();

    #[inline]
    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.push(data);
        Ok(())
    }

    #[inline]
    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}
