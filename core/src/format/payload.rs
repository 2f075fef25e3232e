//! Sealing a payload into snapshot bytes: the one way the compiler and slices do it.

use alloc::vec::Vec;

use crate::format::envelope::{Claims, seal};
use crate::format::trust::{SigningKeyRef, seal_signing};
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
    let bytes = postcard::to_allocvec(payload).map_err(|_| SealError::Serialize)?;
    let sealed = match key {
        Some(key) => seal_signing(claims, &bytes, key),
        None => seal(claims, &bytes),
    };
    if sealed.len() > MAX_SNAPSHOT_BYTES {
        return Err(SealError::TooLarge(sealed.len()));
    }
    Ok(sealed)
}
