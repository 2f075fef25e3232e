//! The snapshot's wire structs. The compiler writes them with serde + postcard; the decoder
//! reads them by hand with [`Reader`] — the header and envelope below, the payload streamed
//! straight into the snapshot's tables (`snapshot::decode`) — borrowing every string from
//! the input.
//!
//! Field order is the wire format: changing it changes [`FORMAT_VERSION`](crate::FORMAT_VERSION).

use alloc::vec::Vec;
use serde::Serialize;

/// The first bytes of every snapshot. The leading non-ASCII byte catches text-mode damage.
pub(crate) const MAGIC: [u8; 4] = *b"\x89RGS";

/// Read first and alone, so a reader rejects an unknown format before reading any further.
#[derive(Debug, Serialize)]
pub(crate) struct Header {
    pub(crate) magic: [u8; 4],
    pub(crate) format: u16,
}

/// Everything after the header.
#[derive(Debug, Serialize)]
pub(crate) struct Envelope<'a> {
    pub(crate) organization: &'a str,
    pub(crate) revision: u64,
    pub(crate) issued_at: u64,
    /// What the snapshot is: the organization's (`None`) or one user's slice.
    pub(crate) slice_of: Option<&'a str>,
    /// The first 32 bytes of the SHA-512 of `payload` (SHA-512 because ed25519 needs it anyway).
    pub(crate) checksum: [u8; 32],
    pub(crate) signature: Option<SignatureSlot<'a>>,
    pub(crate) payload: &'a [u8],
}

/// Reserved for signed snapshots: who signed and the signature bytes.
#[derive(Debug, Serialize)]
pub(crate) struct SignatureSlot<'a> {
    pub(crate) key_id: &'a str,
    pub(crate) signature: &'a [u8],
}

/// The compiled policy. Scopes are numbered organization (0), then accounts, then
/// subaccounts; every list is sorted by id so equal policies give equal bytes.
///
/// Postcard writes a struct as its fields one after the other, with nothing around them, so
/// the payload is its head's fields, then the users (a length, then each user's record),
/// then the cap — which lets a compiler write the users one by one, note where each record
/// lies, and later splice in a changed one (see `compile::parts`).
#[derive(Debug, Serialize)]
pub(crate) struct Payload<'a> {
    pub(crate) head: PayloadHead<'a>,
    pub(crate) users: Vec<WireUser<'a>>,
    pub(crate) built_in_cap: u32,
}

/// Everything in a payload before its users: what no admin operation changes.
#[derive(Debug, Serialize)]
pub(crate) struct PayloadHead<'a> {
    pub(crate) organization_name: &'a str,
    pub(crate) accounts: Vec<Named<'a>>,
    pub(crate) subaccounts: Vec<WireSubaccount<'a>>,
    pub(crate) permissions: Vec<&'a str>,
    pub(crate) resource_types: Vec<&'a str>,
    pub(crate) resources: Vec<WireResource<'a>>,
    pub(crate) roles: Vec<WireRole<'a>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Named<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
}

#[derive(Debug, Serialize)]
pub(crate) struct WireSubaccount<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    /// Position in `accounts`.
    pub(crate) account: u32,
}

#[derive(Debug, Serialize)]
pub(crate) struct WireResource<'a> {
    /// Position in `resource_types`.
    pub(crate) resource_type: u32,
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
}

#[derive(Debug, Serialize)]
pub(crate) struct WireRole<'a> {
    pub(crate) id: &'a str,
    /// Its Twilio SID.
    pub(crate) sid: &'a str,
    pub(crate) name: &'a str,
    pub(crate) description: &'a str,
    pub(crate) kind: u8,
    pub(crate) lowest_level: u8,
    pub(crate) allow: Vec<&'a str>,
    pub(crate) deny: Vec<&'a str>,
    /// Positions in `resource_types`.
    pub(crate) resource_types: Vec<u32>,
    /// The permissions the role grants, one bit per catalog permission, little-endian bit
    /// order. Authoritative: the patterns above are for people.
    pub(crate) grants: &'a [u8],
}

#[derive(Debug, Serialize)]
pub(crate) struct WireUser<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) email: &'a str,
    /// `false`: deactivated, every decision Deny.
    pub(crate) active: bool,
    /// Sorted by id.
    pub(crate) assignments: &'a [WireAssignment<'a>],
}

#[derive(Debug, Serialize)]
pub(crate) struct WireAssignment<'a> {
    pub(crate) id: &'a str,
    pub(crate) role: u32,
    pub(crate) scope: u32,
    /// Position in `resources`.
    pub(crate) resource: Option<u32>,
}

// ---- reading the header and envelope, by hand (see `reader`): field for field what serde
// writes above ----

use crate::format::reader::Reader;
use crate::snapshot::DecodeError;

type Read<T> = Result<T, DecodeError>;

impl Header {
    pub(crate) fn read(r: &mut Reader<'_>) -> Read<Header> {
        Ok(Header {
            magic: r.array()?,
            format: r.u16()?,
        })
    }
}

impl<'a> Envelope<'a> {
    pub(crate) fn read(r: &mut Reader<'a>) -> Read<Envelope<'a>> {
        Ok(Envelope {
            organization: r.str()?,
            revision: r.u64()?,
            issued_at: r.u64()?,
            slice_of: r.option(|r| r.str())?,
            checksum: r.array()?,
            signature: r.option(|r| {
                Ok(SignatureSlot {
                    key_id: r.str()?,
                    signature: r.bytes()?,
                })
            })?,
            payload: r.bytes()?,
        })
    }
}
