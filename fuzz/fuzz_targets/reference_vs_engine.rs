//! The engine against the naive reference on arbitrary organizations: the input seeds the
//! generator and picks the requests; every decision must be identical, reason included (the
//! same comparison the cross-runtime vectors are written with).
#![no_main]

use rolegate_tests::vectors::organization;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut seed = [0u8; 8];
    for (i, b) in data.iter().enumerate() {
        seed[i % 8] ^= b;
    }
    let org = organization(u64::from_le_bytes(seed), data.len() as u64, 64);
    if let Err(disagreement) = org.decisions() {
        panic!("engine and reference differ: {disagreement}");
    }
});
