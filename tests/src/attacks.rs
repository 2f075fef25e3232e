//! Hostile inputs shared by every runtime's attack tests: a delta "zip bomb" — about 50 KB
//! of copies of a whole base payload, which would rebuild about 1 GiB. The host test builds
//! it in-process; `rolegate-vectors` writes it beside the vectors for Node.

use rolegate_core::{CompileOptions, Snapshot, compile};

use crate::generate::{Shape, policy};

/// A base snapshot with a payload of about 100 KiB.
pub fn bomb_base() -> Vec<u8> {
    let shape = Shape {
        accounts: 10,
        subaccounts: 40,
        users: 400,
        assignments: 2_000,
        custom_roles: 2,
        billing_groups: 4,
        cap: 25,
    };
    let p = policy(&shape, 50);
    compile(
        &p,
        &CompileOptions {
            revision: p.revision,
            issued_at: 1_700_000_000,
        },
    )
    .unwrap_or_default()
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A well-formed delta (format 2) on `base` whose `copies` operations each copy the whole
/// base payload: tiny to send, enormous to rebuild. Its target checksum is zeros, so even a
/// reader that rebuilt it all would refuse it at the end — after the damage.
pub fn delta_bomb(base: &[u8], copies: usize) -> Vec<u8> {
    let Ok(meta) = Snapshot::peek(base) else {
        return Vec::new();
    };
    let mut out = b"\x89RGD".to_vec();
    varint(&mut out, u64::from(rolegate_core::DELTA_FORMAT));
    varint(&mut out, meta.organization.len() as u64);
    out.extend_from_slice(meta.organization.as_bytes());
    varint(&mut out, meta.revision);
    out.extend_from_slice(&meta.checksum);
    varint(&mut out, meta.revision + 1); // the revision it claims to rebuild
    varint(&mut out, meta.issued_at);
    out.push(0); // the organization's snapshot, not a slice
    out.extend_from_slice(&[0; 32]); // target checksum
    out.push(0); // no signature
    varint(&mut out, copies as u64);
    for _ in 0..copies {
        out.push(0); // copy
        varint(&mut out, 0);
        varint(&mut out, meta.payload_bytes as u64);
    }
    out
}
