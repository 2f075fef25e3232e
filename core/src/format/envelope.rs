//! The snapshot envelope: header (magic, format), then organization, revision, issued-at,
//! what the snapshot is (the organization's, or one user's slice), payload checksum,
//! signature slot and the payload itself.

use alloc::string::ToString;
use alloc::vec::Vec;
use sha2::{Digest, Sha512};

use crate::format::reader::Reader;
use crate::format::wire::{Envelope, Header, MAGIC};
use crate::limits::MAX_SNAPSHOT_BYTES;
use crate::snapshot::DecodeError;

/// The snapshot wire format this build writes and reads. Format 3 named what a snapshot is
/// (the organization's, or one user's slice) in the envelope and the signature; format 4
/// says whether each user is active.
pub const FORMAT_VERSION: u16 = 4;

/// Bytes hashed per call of the compression function (see [`checksum`]).
const CHECKSUM_CHUNK: usize = 64 << 10;

/// What an envelope claims about its payload — everything a signature covers besides the
/// payload's checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Claims<'a> {
    pub(crate) organization: &'a str,
    pub(crate) revision: u64,
    pub(crate) issued_at: u64,
    /// `None` for the organization's snapshot; the user, for a slice.
    pub(crate) slice_of: Option<&'a str>,
}

/// The envelope of a snapshot that parsed and whose checksum matched.
#[derive(Debug)]
pub(crate) struct Opened<'a> {
    pub(crate) envelope: Envelope<'a>,
    pub(crate) encoded_bytes: usize,
}

pub(crate) fn checksum(payload: &[u8]) -> [u8; 32] {
    // Hashed in chunks, each a call of the compression function: a WebAssembly JIT that
    // starts on baseline code (V8's Liftoff) swaps in its optimised code between calls, never
    // during one, so one call over a whole snapshot would hash all of it on baseline code.
    let mut hasher = Sha512::new();
    for chunk in payload.chunks(CHECKSUM_CHUNK) {
        hasher.update(chunk);
    }
    let full: [u8; 64] = hasher.finalize().into();
    let mut out = [0u8; 32];
    out.copy_from_slice(full.get(..32).unwrap_or(&[0; 32]));
    out
}

/// Wraps an encoded payload, unsigned (for tests that re-seal bytes they damaged).
#[cfg(feature = "testing")]
pub(crate) fn seal(claims: &Claims<'_>, payload: &[u8]) -> Vec<u8> {
    seal_signed(claims, payload, None)
}

/// Wraps an encoded payload with a signature (key id, signature bytes).
#[cfg(feature = "testing")]
pub(crate) fn seal_signed(
    claims: &Claims<'_>,
    payload: &[u8],
    signature: Option<(&str, &[u8])>,
) -> Vec<u8> {
    seal_with(claims, payload, &checksum(payload), signature)
}

/// Wraps an encoded payload, with its checksum already known (hashing a large snapshot's
/// payload is most of what sealing costs, so it is done once per publish).
pub(crate) fn seal_with(
    claims: &Claims<'_>,
    payload: &[u8],
    checksum: &[u8; 32],
    signature: Option<(&str, &[u8])>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + head_room(claims, signature.map(|s| s.0)));
    write_head(&mut out, claims, checksum, signature, payload.len());
    out.extend_from_slice(payload);
    out
}

/// The most bytes [`write_head`] writes for these claims and key id.
pub(crate) fn head_room(claims: &Claims<'_>, key_id: Option<&str>) -> usize {
    // Magic, format, two u64s, two option tags, the checksum, a 64-byte signature and four
    // length prefixes, each within 10 bytes.
    const FIXED: usize = 4 + 3 + 2 * 10 + 2 + 32 + 64 + 4 * 10;
    FIXED
        + claims.organization.len()
        + claims.slice_of.map_or(0, str::len)
        + key_id.map_or(0, str::len)
}

/// Writes everything an envelope holds before the payload's bytes: header, claims,
/// checksum, signature slot and the payload's length. Written by hand, as the envelope is
/// read (see `reader`): postcard's layout, without postcard's serializer in the wasm builds
/// that re-seal deltas.
pub(crate) fn write_head(
    out: &mut Vec<u8>,
    claims: &Claims<'_>,
    checksum: &[u8; 32],
    signature: Option<(&str, &[u8])>,
    payload_len: usize,
) {
    fn varint(out: &mut Vec<u8>, mut n: u64) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }
    fn bytes(out: &mut Vec<u8>, b: &[u8]) {
        varint(out, b.len() as u64);
        out.extend_from_slice(b);
    }
    out.extend_from_slice(&MAGIC);
    varint(out, u64::from(FORMAT_VERSION));
    bytes(out, claims.organization.as_bytes());
    varint(out, claims.revision);
    varint(out, claims.issued_at);
    match claims.slice_of {
        Some(user) => {
            out.push(1);
            bytes(out, user.as_bytes());
        }
        None => out.push(0),
    }
    out.extend_from_slice(checksum);
    match signature {
        Some((key_id, signature)) => {
            out.push(1);
            bytes(out, key_id.as_bytes());
            bytes(out, signature);
        }
        None => out.push(0),
    }
    varint(out, payload_len as u64);
}

/// Parses the envelope and verifies the payload checksum.
pub(crate) fn open(bytes: &[u8]) -> Result<Opened<'_>, DecodeError> {
    let opened = parse(bytes)?;
    if checksum(opened.envelope.payload) != opened.envelope.checksum {
        return Err(DecodeError::ChecksumMismatch);
    }
    Ok(opened)
}

/// Parses the envelope without looking at the payload.
pub(crate) fn parse(bytes: &[u8]) -> Result<Opened<'_>, DecodeError> {
    if bytes.len() > MAX_SNAPSHOT_BYTES {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: MAX_SNAPSHOT_BYTES,
        });
    }
    if !bytes.starts_with(&MAGIC) {
        return Err(DecodeError::BadMagic);
    }
    let mut header = Reader::new(bytes, "header");
    let Header { format, .. } = Header::read(&mut header)?;
    if format != FORMAT_VERSION {
        return Err(DecodeError::UnsupportedFormat {
            found: format,
            supported: FORMAT_VERSION,
        });
    }
    let mut r = Reader::new(header.rest(), "envelope");
    let envelope = Envelope::read(&mut r)?;
    r.finish()?;
    for (what, id) in [
        ("organization id", Some(envelope.organization)),
        ("slice user id", envelope.slice_of),
    ] {
        if let Some(id) = id
            && crate::ids::check_id(id).is_err()
        {
            return Err(DecodeError::InvalidText {
                what,
                value: crate::ids::clip(id),
            });
        }
    }
    Ok(Opened {
        envelope,
        encoded_bytes: bytes.len(),
    })
}

impl crate::snapshot::Snapshot {
    /// Reads a snapshot's envelope without decoding the payload: cheap, for deciding whether
    /// a download is worth decoding (organization, revision).
    pub fn peek(bytes: &[u8]) -> Result<crate::SnapshotMeta, DecodeError> {
        let opened = open(bytes)?;
        Ok(opened.meta())
    }

    /// The bytes of a snapshot before its payload — format, claims, the payload's checksum,
    /// the signature — parsed, not hashed. They name the payload by its checksum, so they
    /// stand for the whole snapshot wherever its checksum is checked: what a server hashes
    /// for a strong ETag instead of every byte (27 MB at L).
    pub fn head(bytes: &[u8]) -> Result<&[u8], DecodeError> {
        let opened = parse(bytes)?;
        let payload = opened.envelope.payload.len();
        bytes
            .get(..bytes.len().saturating_sub(payload))
            .ok_or(DecodeError::Malformed {
                part: "envelope",
                reason: "the payload is longer than the snapshot",
            })
    }
}

impl<'a> Envelope<'a> {
    /// What the envelope claims.
    pub(crate) fn claims(&self) -> Claims<'a> {
        Claims {
            organization: self.organization,
            revision: self.revision,
            issued_at: self.issued_at,
            slice_of: self.slice_of,
        }
    }
}

impl Opened<'_> {
    pub(crate) fn meta(&self) -> crate::SnapshotMeta {
        crate::SnapshotMeta {
            organization: self.envelope.organization.to_string(),
            format: FORMAT_VERSION,
            revision: self.envelope.revision,
            issued_at: self.envelope.issued_at,
            slice_of: self.envelope.slice_of.map(ToString::to_string),
            checksum: self.envelope.checksum,
            key_id: self
                .envelope
                .signature
                .as_ref()
                .map(|s| s.key_id.to_string()),
            encoded_bytes: self.encoded_bytes,
            payload_bytes: self.envelope.payload.len(),
        }
    }
}
