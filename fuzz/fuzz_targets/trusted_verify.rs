//! Signed-envelope verification: any bytes as a snapshot under trusted keys, and any
//! signature in the slot of a real signed snapshot — only the real signature may pass.
#![no_main]

use std::sync::OnceLock;

use rolegate_core::{Snapshot, Trust, TrustedKey, public_key, sign};

#[path = "common.rs"]
mod common;

const SECRET: [u8; 32] = [26; 32];

fn trust() -> Trust {
    Trust {
        min_revision: Some(1),
        max_age: Some(1 << 40),
        ..Trust::signed_by(vec![TrustedKey {
            id: "k".into(),
            public: public_key(&SECRET),
        }])
    }
}

/// The demo snapshot signed by the trusted key, and where its 64 signature bytes sit (the
/// bytes a re-signing with another key changes).
fn genuine() -> &'static (Vec<u8>, usize) {
    static GENUINE: OnceLock<(Vec<u8>, usize)> = OnceLock::new();
    GENUINE.get_or_init(|| {
        let signed = sign(common::ACME, "k", &SECRET).unwrap();
        let other = sign(&signed, "k", &[9; 32]).unwrap();
        let at = signed.iter().zip(&other).position(|(a, b)| a != b).unwrap();
        (signed, at)
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let trust = trust();
    if let Ok(s) = Snapshot::decode_trusted(data, &trust, 1_700_000_000) {
        common::exercise(&s, data);
    }
    if let Some(signature) = data.get(..64) {
        let (signed, at) = genuine();
        let mut forged = signed.clone();
        forged[*at..*at + 64].copy_from_slice(signature);
        let accepted = Snapshot::decode_trusted(&forged, &trust, 1_700_000_000).is_ok();
        assert!(
            !accepted || &forged == signed,
            "a forged signature verified"
        );
    }
});
