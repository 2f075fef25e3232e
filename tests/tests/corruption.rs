//! Damaged snapshots: every truncation, every bit flip of the first KiB, bit flips behind a
//! valid checksum, and random bytes. Each gives a typed error or a valid snapshot — and the
//! test binary would abort on a panic.

use std::collections::BTreeSet;

use proptest::prelude::*;
use rolegate_core::testing::{reseal, seal_payload};
use rolegate_core::{DecodeError, Request, Snapshot};

use crate::golden::fixture;

fn variant(e: &DecodeError) -> &'static str {
    match e {
        DecodeError::TooLarge { .. } => "too-large",
        DecodeError::BadMagic => "bad-magic",
        DecodeError::UnsupportedFormat { .. } => "unsupported-format",
        DecodeError::Malformed { .. } => "malformed",
        DecodeError::TrailingBytes { .. } => "trailing-bytes",
        DecodeError::ChecksumMismatch => "checksum",
        DecodeError::TooMany { .. } => "too-many",
        DecodeError::IndexOutOfRange { .. } => "index",
        DecodeError::InvalidText { .. } => "text",
        DecodeError::DuplicateId { .. } => "duplicate",
        DecodeError::InvalidRole { .. } => "role",
        DecodeError::InvalidAssignment { .. } => "assignment",
        DecodeError::UnsortedAssignments { .. } => "unsorted",
        _ => "other",
    }
}

/// Asks a decoded snapshot a few questions: whatever it decoded to, it must answer.
fn exercise(snapshot: &Snapshot) {
    let users: Vec<&str> = snapshot.users().map(|u| u.id).take(4).collect();
    let scopes: Vec<&str> = snapshot.scopes().map(|s| s.id).take(4).collect();
    let permissions: Vec<&str> = snapshot.catalog().take(8).collect();
    for u in &users {
        for s in &scopes {
            for p in &permissions {
                let d = snapshot.check(&Request::new(u, p, s).on("billing-group", "BG1"));
                assert_eq!(
                    d.allowed,
                    snapshot.can(&Request::new(u, p, s).on("billing-group", "BG1"))
                );
            }
        }
    }
}

#[test]
fn every_truncation_is_a_typed_error() {
    let bytes = fixture();
    for len in 0..bytes.len() {
        assert!(
            Snapshot::decode(&bytes[..len]).is_err(),
            "truncated to {len} bytes decoded"
        );
    }
}

#[test]
fn every_bit_flip_of_the_first_kib_is_caught() {
    let bytes = fixture();
    let mut kinds = BTreeSet::new();
    for i in 0..bytes.len().min(1024) {
        for bit in 0..8 {
            let mut damaged = bytes.clone();
            damaged[i] ^= 1 << bit;
            match Snapshot::decode(&damaged) {
                Ok(s) => exercise(&s),
                Err(e) => {
                    kinds.insert(variant(&e));
                }
            }
        }
    }
    // Damage to the payload is caught by the checksum; damage to the header and envelope by
    // the parser.
    for expected in ["bad-magic", "unsupported-format", "checksum", "malformed"] {
        assert!(
            kinds.contains(expected),
            "no {expected} error among {kinds:?}"
        );
    }
}

#[test]
fn bit_flips_behind_a_valid_checksum_are_typed_errors_or_valid_snapshots() {
    let bytes = fixture();
    let payload_len = Snapshot::peek(&bytes).unwrap().payload_bytes;
    let mut kinds = BTreeSet::new();
    let mut decoded = 0;
    for i in 0..payload_len.min(1024) {
        for bit in 0..8 {
            let damaged = reseal(&bytes, |p| p[i] ^= 1 << bit).unwrap();
            match Snapshot::decode(&damaged) {
                Ok(s) => {
                    decoded += 1;
                    exercise(&s);
                }
                Err(e) => {
                    kinds.insert(variant(&e));
                }
            }
        }
    }
    // The payload validation, not only the parser, must be doing work.
    for expected in ["malformed", "text", "index"] {
        assert!(
            kinds.contains(expected),
            "no {expected} error among {kinds:?}"
        );
    }
    // Flips inside names give valid snapshots with other names: some must decode.
    assert!(decoded > 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert!(Snapshot::decode(&bytes).is_err());
    }

    #[test]
    fn random_payloads_behind_a_valid_envelope_never_panic(payload in proptest::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(s) = Snapshot::decode(&seal_payload("OR1", 1, &payload)) {
            exercise(&s);
        }
    }

    #[test]
    fn random_edits_behind_a_valid_checksum_never_panic(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
    ) {
        let bytes = fixture();
        let damaged = reseal(&bytes, |p| {
            for (at, value) in &edits {
                let n = p.len();
                p[at % n] = *value;
            }
            if cut % 4 == 0 {
                p.truncate(cut % (p.len() + 1));
            }
        }).unwrap();
        if let Ok(s) = Snapshot::decode(&damaged) {
            exercise(&s);
        }
    }
}
