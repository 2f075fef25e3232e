//! The host against the native core on generated organizations: 100,000+ checks.

use rolegate_core::{CompileOptions, Request, Snapshot, compile};
use rolegate_host::Authorizer;
use rolegate_tests::{Rng, Shape, generate};

use crate::engine;

#[test]
fn one_hundred_thousand_generated_checks_decide_as_native() {
    let engine = engine();
    let mut checks = 0;
    let mut allowed = 0;
    for seed in 0..100u64 {
        let policy = generate::policy(&Shape::small(&mut Rng::new(seed)), seed);
        let bytes = compile(
            &policy,
            &CompileOptions {
                revision: policy.revision,
                issued_at: 0,
            },
        )
        .unwrap();
        let native = Snapshot::decode(&bytes).unwrap();
        let host = Authorizer::new(&engine, &bytes).unwrap();
        let owned = generate::requests(&policy, seed ^ 0x5eed, 1_000);
        let requests: Vec<Request<'_>> = owned.iter().map(|r| r.as_request()).collect();
        let batch = host.check_batch(&requests).unwrap();
        for (i, request) in requests.iter().enumerate() {
            let want = native.check(request);
            assert_eq!(batch[i], want.allowed, "seed {seed} request {i}");
            if i % 4 == 0 {
                // The full decision for a quarter; `can` for the rest of them.
                assert_eq!(
                    host.check(request).unwrap(),
                    want,
                    "seed {seed} request {i}"
                );
            } else {
                assert_eq!(
                    host.can(request).unwrap(),
                    want.allowed,
                    "seed {seed} request {i}"
                );
            }
            checks += 1;
            allowed += usize::from(want.allowed);
        }
    }
    assert!(checks >= 100_000);
    assert!(allowed > checks / 10, "only {allowed} of {checks} allowed");
}
