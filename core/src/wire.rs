//! The snapshot's wire structs. The compiler writes them, the decoder reads them (borrowing
//! every string from the input), and nothing else sees them.
//!
//! Field order is the wire format: changing it changes [`FORMAT_VERSION`](crate::FORMAT_VERSION).

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// The first bytes of every snapshot. The leading non-ASCII byte catches text-mode damage.
pub(crate) const MAGIC: [u8; 4] = *b"\x89RGS";

/// Read first and alone, so a reader rejects an unknown format before reading any further.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Header {
    pub(crate) magic: [u8; 4],
    pub(crate) format: u16,
}

/// Everything after the header.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Envelope<'a> {
    pub(crate) organization: &'a str,
    pub(crate) revision: u64,
    pub(crate) issued_at: u64,
    /// SHA-256 of `payload`.
    pub(crate) checksum: [u8; 32],
    #[serde(borrow)]
    pub(crate) signature: Option<SignatureSlot<'a>>,
    pub(crate) payload: &'a [u8],
}

/// Reserved for signed snapshots: who signed and the signature bytes.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SignatureSlot<'a> {
    pub(crate) key_id: &'a str,
    pub(crate) signature: &'a [u8],
}

/// The compiled policy. Scopes are numbered organization (0), then accounts, then
/// subaccounts; every list is sorted by id so equal policies give equal bytes.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Payload<'a> {
    pub(crate) organization_name: &'a str,
    #[serde(borrow)]
    pub(crate) accounts: Vec<Named<'a>>,
    #[serde(borrow)]
    pub(crate) subaccounts: Vec<WireSubaccount<'a>>,
    #[serde(borrow)]
    pub(crate) permissions: Vec<&'a str>,
    #[serde(borrow)]
    pub(crate) resource_types: Vec<&'a str>,
    #[serde(borrow)]
    pub(crate) resources: Vec<WireResource<'a>>,
    #[serde(borrow)]
    pub(crate) roles: Vec<WireRole<'a>>,
    #[serde(borrow)]
    pub(crate) users: Vec<WireUser<'a>>,
    pub(crate) built_in_cap: u32,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Named<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireSubaccount<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    /// Position in `accounts`.
    pub(crate) account: u32,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireResource<'a> {
    /// Position in `resource_types`.
    pub(crate) resource_type: u32,
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireRole<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) description: &'a str,
    pub(crate) kind: u8,
    pub(crate) lowest_level: u8,
    #[serde(borrow)]
    pub(crate) allow: Vec<&'a str>,
    #[serde(borrow)]
    pub(crate) deny: Vec<&'a str>,
    /// Positions in `resource_types`.
    pub(crate) resource_types: Vec<u32>,
    /// The permissions the role grants, one bit per catalog permission, little-endian bit
    /// order. Authoritative: the patterns above are for people.
    pub(crate) grants: &'a [u8],
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireUser<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) email: &'a str,
    /// Sorted by id.
    #[serde(borrow)]
    pub(crate) assignments: Vec<WireAssignment<'a>>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireAssignment<'a> {
    pub(crate) id: &'a str,
    pub(crate) role: u32,
    pub(crate) scope: u32,
    /// Position in `resources`.
    pub(crate) resource: Option<u32>,
}
