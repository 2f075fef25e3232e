//! The engine against the naive reference on arbitrary organizations: the input seeds the
//! generator and picks the requests; every decision must be identical, reason included.
#![no_main]

use rolegate_core::{CompileOptions, Snapshot, compile};
use rolegate_tests::{Reference, Rng, Shape, generate};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut seed = [0u8; 8];
    for (i, b) in data.iter().enumerate() {
        seed[i % 8] ^= b;
    }
    let seed = u64::from_le_bytes(seed);
    let policy = generate::policy(&Shape::small(&mut Rng::new(seed)), seed);
    let bytes = compile(
        &policy,
        &CompileOptions {
            revision: policy.revision,
            issued_at: 0,
        },
    )
    .unwrap();
    let engine = Snapshot::decode(&bytes).unwrap();
    let reference = Reference::new(&policy, policy.revision);
    let mut rng = Rng::new(seed ^ data.len() as u64);
    for _ in 0..64 {
        let owned = generate::request(&policy, &mut rng);
        let request = owned.as_request();
        assert_eq!(
            engine.check(&request),
            reference.check(&request),
            "{owned:?}"
        );
    }
});
