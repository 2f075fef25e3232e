//! Assignments' identity: the id one gets when created, and when two grant the same thing.

use alloc::format;
use alloc::string::String;

use sha2::{Digest, Sha256};

use crate::policy::Assignment;

/// Whether two assignments grant the same role to the same user at the same scope (and
/// resource), whatever their ids.
pub(crate) fn same_grant(a: &Assignment, b: &Assignment) -> bool {
    a.user == b.user && a.role == b.role && a.scope == b.scope && a.resource == b.resource
}

/// A deterministic, Twilio-style assignment id (`RA` and 32 hex digits) for an assignment
/// created at `revision`: the core has no randomness, and replaying an audit log must give
/// the same ids.
pub fn assignment_id(organization: &str, revision: u64, a: &Assignment) -> String {
    let mut h = Sha256::new();
    for part in [organization, &a.user, &a.role, &a.scope] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    if let Some(r) = &a.resource {
        h.update(r.resource_type.as_bytes());
        h.update([0]);
        h.update(r.id.as_bytes());
    }
    h.update(revision.to_le_bytes());
    let digest: [u8; 32] = h.finalize().into();
    let mut id = String::from("RA");
    for b in digest.iter().take(16) {
        id.push_str(&format!("{b:02x}"));
    }
    id
}
