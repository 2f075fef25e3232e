//! The snapshot envelope: header (magic, format), then organization, revision, issued-at,
//! payload checksum, signature slot and the payload itself.

use alloc::string::ToString;
use alloc::vec::Vec;
use sha2::{Digest, Sha512};

use crate::format::reader::Reader;
use crate::format::wire::{Envelope, Header, MAGIC};
use crate::limits::MAX_SNAPSHOT_BYTES;
use crate::snapshot::DecodeError;

/// The snapshot wire format this build writes and reads.
pub const FORMAT_VERSION: u16 = 2;

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

/// Wraps an encoded payload, unsigned.
pub(crate) fn seal(organization: &str, revision: u64, issued_at: u64, payload: &[u8]) -> Vec<u8> {
    seal_signed(organization, revision, issued_at, payload, None)
}

/// Wraps an encoded payload with a signature (key id, signature bytes). Written by hand, as
/// the envelope is read (see `reader`): postcard's layout, without postcard's serializer in
/// the wasm builds that re-seal deltas.
pub(crate) fn seal_signed(
    organization: &str,
    revision: u64,
    issued_at: u64,
    payload: &[u8],
    signature: Option<(&str, &[u8])>,
) -> Vec<u8> {
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
    let mut out = Vec::with_capacity(payload.len() + organization.len() + 128);
    out.extend_from_slice(&MAGIC);
    varint(&mut out, u64::from(FORMAT_VERSION));
    bytes(&mut out, organization.as_bytes());
    varint(&mut out, revision);
    varint(&mut out, issued_at);
    out.extend_from_slice(&checksum(payload));
    match signature {
        Some((key_id, signature)) => {
            out.push(1);
            bytes(&mut out, key_id.as_bytes());
            bytes(&mut out, signature);
        }
        None => out.push(0),
    }
    bytes(&mut out, payload);
    out
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
