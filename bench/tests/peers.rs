//! The benchmark's translations are honest: on random organizations (unknown names and
//! resources included), Cedar and Casbin, given each organization the way the benchmark gives
//! it to them, decide every request exactly as the reference model does — so a zero in
//! BENCHMARKS.md's mismatch column means the peers did the same work.

// Test code: a panic is how a failure is reported.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rolegate_bench::peers::{CasbinPeer, CedarPeer, casbin_rules, cedar_entities, cedar_policies};
use rolegate_bench::{BenchRequest, Translation};
use rolegate_tests::{Reference, Rng, Shape, generate};

#[test]
fn cedar_and_casbin_decide_as_the_reference() {
    let (mut checks, mut allowed) = (0, 0);
    for seed in 0..12u64 {
        let policy = generate::policy(&Shape::small(&mut Rng::new(seed)), seed);
        let reference = Reference::new(&policy, policy.revision);
        let requests: Vec<BenchRequest> = generate::requests(&policy, seed, 150)
            .into_iter()
            .map(|r| BenchRequest {
                allowed: reference.check(&r.as_request()).allowed,
                user: r.user,
                permission: r.permission,
                scope: r.scope,
                resource: r.resource.map(|(t, id)| format!("{t}:{id}")),
            })
            .collect();
        let t = Translation::new(&policy);
        let entities = cedar_entities(&t, policy.users.iter().map(|u| u.id.clone()));
        let cedar = CedarPeer::load(&cedar_policies(&t), &entities.to_string());
        let (policies, groupings) = casbin_rules(&t);
        let casbin = CasbinPeer::load(policies, groupings);
        for r in &requests {
            assert_eq!(
                cedar.allows(&cedar.request(&t, r)),
                r.allowed,
                "Cedar, seed {seed}: {r:?}"
            );
            assert_eq!(
                casbin.allows(&CasbinPeer::args(&t, r)),
                r.allowed,
                "Casbin, seed {seed}: {r:?}"
            );
            checks += 1;
            allowed += usize::from(r.allowed);
        }
    }
    // Both answers occur often enough for the comparison to mean something.
    assert!(
        allowed > checks / 10 && allowed < checks * 9 / 10,
        "{allowed} of {checks} allowed"
    );
}
