//! The snapshot envelope: header (magic, format), then organization, revision, issued-at,
//! payload checksum, signature slot and the payload itself.

use alloc::string::ToString;
use alloc::vec::Vec;
use serde::Deserialize;
use sha2::{Digest, Sha512};

use crate::decode_error::DecodeError;
use crate::limits::MAX_SNAPSHOT_BYTES;
use crate::wire::{Envelope, Header, MAGIC};

/// The snapshot wire format this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;

/// The envelope of a snapshot that parsed and whose checksum matched.
#[derive(Debug)]
pub(crate) struct Opened<'a> {
    pub(crate) envelope: Envelope<'a>,
    pub(crate) encoded_bytes: usize,
}

pub(crate) fn checksum(payload: &[u8]) -> [u8; 32] {
    let full: [u8; 64] = Sha512::digest(payload).into();
    let mut out = [0u8; 32];
    out.copy_from_slice(full.get(..32).unwrap_or(&[0; 32]));
    out
}

/// Wraps an encoded payload.
pub(crate) fn seal(
    organization: &str,
    revision: u64,
    issued_at: u64,
    payload: &[u8],
) -> Result<Vec<u8>, postcard::Error> {
    let mut out = postcard::to_allocvec(&Header {
        magic: MAGIC,
        format: FORMAT_VERSION,
    })?;
    let envelope = Envelope {
        organization,
        revision,
        issued_at,
        checksum: checksum(payload),
        signature: None,
        payload,
    };
    out.extend_from_slice(&postcard::to_allocvec(&envelope)?);
    Ok(out)
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
    let (header, rest) = take::<Header>(bytes, "header")?;
    if header.format != FORMAT_VERSION {
        return Err(DecodeError::UnsupportedFormat {
            found: header.format,
            supported: FORMAT_VERSION,
        });
    }
    let envelope: Envelope<'_> = take_exact(rest, "envelope")?;
    if let Err(_problem) = crate::ids::check_id(envelope.organization) {
        return Err(DecodeError::InvalidText {
            what: "organization id",
            value: crate::ids::clip(envelope.organization),
        });
    }
    Ok(Opened {
        envelope,
        encoded_bytes: bytes.len(),
    })
}

/// Parses one `T` from the front of `bytes`.
pub(crate) fn take<'a, T: Deserialize<'a>>(
    bytes: &'a [u8],
    part: &'static str,
) -> Result<(T, &'a [u8]), DecodeError> {
    postcard::take_from_bytes(bytes).map_err(|e| DecodeError::Malformed {
        part,
        reason: describe(&e),
    })
}

/// Parses exactly one `T` from `bytes`: trailing bytes are an error.
pub(crate) fn take_exact<'a, T: Deserialize<'a>>(
    bytes: &'a [u8],
    part: &'static str,
) -> Result<T, DecodeError> {
    let (value, rest) = take(bytes, part)?;
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(DecodeError::TrailingBytes {
            part,
            count: rest.len(),
        })
    }
}

fn describe(e: &postcard::Error) -> &'static str {
    use postcard::Error as E;
    match e {
        E::DeserializeUnexpectedEnd => "unexpected end of input",
        E::DeserializeBadVarint => "bad variable-length integer",
        E::DeserializeBadBool => "bad boolean",
        E::DeserializeBadChar => "bad character",
        E::DeserializeBadUtf8 => "text is not UTF-8",
        E::DeserializeBadOption => "bad option tag",
        E::DeserializeBadEnum => "bad enum tag",
        E::DeserializeBadEncoding => "bad encoding",
        E::DeserializeBadCrc => "bad checksum",
        _ => "unexpected bytes",
    }
}

impl crate::snapshot::Snapshot {
    /// Reads a snapshot's envelope without decoding the payload: cheap, for deciding whether
    /// a download is worth decoding (organization, revision).
    pub fn peek(bytes: &[u8]) -> Result<crate::SnapshotMeta, DecodeError> {
        let opened = open(bytes)?;
        Ok(opened.meta())
    }
}

impl Opened<'_> {
    pub(crate) fn meta(&self) -> crate::SnapshotMeta {
        crate::SnapshotMeta {
            organization: self.envelope.organization.to_string(),
            format: FORMAT_VERSION,
            revision: self.envelope.revision,
            issued_at: self.envelope.issued_at,
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

/// Size probe (temporary).
pub fn probe_verify(key: &[u8; 32], msg: &[u8], sig: &[u8; 64]) -> bool {
    match ed25519_dalek::VerifyingKey::from_bytes(key) {
        Ok(k) => k.verify_strict(msg, &ed25519_dalek::Signature::from_bytes(sig)).is_ok(),
        Err(_) => false,
    }
}
