//! Delta application: any bytes as a delta to the demo snapshot, and the demo's own delta
//! (r1 → r2) to any base. A result always has a matching payload hash and decodes or is a
//! typed error; nothing panics.
#![no_main]

use std::sync::OnceLock;

use rolegate_core::{CompileOptions, Policy, Snapshot, apply_delta, compile, diff};

#[path = "common.rs"]
mod common;

fn delta() -> &'static Vec<u8> {
    static DELTA: OnceLock<Vec<u8>> = OnceLock::new();
    DELTA.get_or_init(|| {
        let policy: Policy =
            serde_json::from_str(include_str!("../../examples/policies/acme.json")).unwrap();
        let r2 = compile(
            &policy,
            &CompileOptions {
                revision: 2,
                issued_at: 9,
            },
        )
        .unwrap();
        diff(common::ACME, &r2).unwrap()
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(bytes) = apply_delta(common::ACME, data)
        && let Ok(s) = Snapshot::decode(&bytes)
    {
        common::exercise(&s, data);
    }
    if let Ok(bytes) = apply_delta(data, delta()) {
        assert!(
            Snapshot::peek(&bytes).is_ok(),
            "a rebuilt snapshot's envelope does not parse"
        );
    }
});
