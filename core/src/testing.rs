//! Helpers for tests and fuzzers (feature `testing`): reach the payload decoder past the
//! checksum, which otherwise stops almost every corrupted snapshot at the door.

use alloc::vec::Vec;

use crate::format::envelope::{parse, seal, seal_signed};
use crate::snapshot::DecodeError;

/// Re-seals `snapshot` after `edit` has changed its payload: same organization, revision
/// and issue time, fresh checksum.
pub fn reseal(snapshot: &[u8], edit: impl FnOnce(&mut Vec<u8>)) -> Result<Vec<u8>, DecodeError> {
    let opened = parse(snapshot)?;
    let mut payload = opened.envelope.payload.to_vec();
    edit(&mut payload);
    Ok(seal(
        opened.envelope.organization,
        opened.envelope.revision,
        opened.envelope.issued_at,
        &payload,
    ))
}

/// Seals arbitrary payload bytes into a snapshot envelope, for fuzzing the payload decoder.
pub fn seal_payload(organization: &str, revision: u64, payload: &[u8]) -> Vec<u8> {
    seal(organization, revision, 0, payload)
}

/// Like [`reseal`], but keeps the signature slot as it was: a tampered payload behind a
/// valid-looking envelope.
pub fn reseal_keeping_signature(
    snapshot: &[u8],
    edit: impl FnOnce(&mut Vec<u8>),
) -> Result<Vec<u8>, DecodeError> {
    let opened = parse(snapshot)?;
    let mut payload = opened.envelope.payload.to_vec();
    edit(&mut payload);
    let e = &opened.envelope;
    Ok(seal_signed(
        e.organization,
        e.revision,
        e.issued_at,
        &payload,
        e.signature.as_ref().map(|s| (s.key_id, s.signature)),
    ))
}
