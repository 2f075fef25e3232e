//! The compiled engine against the naive reference, on the whole decision.

use proptest::prelude::*;
use rolegate_core::{Request, ffi};
use rolegate_tests::{Reference, Rng, Shape, generate};

use crate::common::snapshot;

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// 10,000 random organizations, 16 random requests each: identical decisions, reasons
    /// included, and `can` agrees with `check`.
    #[test]
    fn engine_equals_reference(seed in any::<u64>()) {
        let policy = generate::policy(&Shape::small(&mut Rng::new(seed)), seed);
        let engine = snapshot(&policy);
        let reference = Reference::new(&policy, policy.revision);
        for owned in generate::requests(&policy, seed.rotate_left(17), 16) {
            let request = owned.as_request();
            let decision = engine.check(&request);
            prop_assert_eq!(decision, reference.check(&request), "{:?}", owned);
            prop_assert_eq!(engine.can(&request), decision.allowed);
            // The index-based path hosts use agrees too.
            let resource = request.resource.map_or(ffi::UNKNOWN, |r| ffi::resource_index(&engine, r.resource_type, r.id));
            let (u, p, s) = (ffi::user_index(&engine, request.user), ffi::permission_index(&engine, request.permission), ffi::scope_index(&engine, request.scope));
            prop_assert_eq!(ffi::can_at(&engine, u, p, s, resource), decision.allowed);
            prop_assert_eq!(ffi::check_at(&engine, u, p, s, resource), decision);
            let decided = ffi::decide_at(&engine, u, p, s, resource);
            prop_assert_eq!(ffi::decided_from_number(ffi::decided_to_number(decided)), Some(decided));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every (user, permission, scope) of small organizations, with and without each resource.
    #[test]
    fn engine_equals_reference_exhaustively(seed in any::<u64>()) {
        let policy = generate::policy(&Shape::small(&mut Rng::new(seed)), seed);
        let engine = snapshot(&policy);
        let reference = Reference::new(&policy, policy.revision);
        let mut resources: Vec<Option<(&str, &str)>> = vec![None];
        resources.extend(policy.resources.iter().map(|r| Some((r.resource_type.as_str(), r.id.as_str()))));
        for user in &policy.users {
            for permission in reference.permissions() {
                for scope in reference.scopes() {
                    for resource in &resources {
                        let mut request = Request::new(&user.id, permission, scope);
                        if let Some((t, id)) = resource {
                            request = request.on(t, id);
                        }
                        prop_assert_eq!(engine.check(&request), reference.check(&request));
                    }
                }
            }
        }
    }

    /// The console queries list exactly what `check` allows.
    #[test]
    fn queries_agree_with_check(seed in any::<u64>()) {
        let policy = generate::policy(&Shape::small(&mut Rng::new(seed)), seed);
        let engine = snapshot(&policy);
        let reference = Reference::new(&policy, policy.revision);
        let resource = policy.resources.first().map(|r| (r.resource_type.as_str(), r.id.as_str()));
        for user in &policy.users {
            for scope in reference.scopes() {
                for res in [None, resource] {
                    let on = res.map(|(t, id)| rolegate_core::ResourceRef { resource_type: t, id });
                    let mut expected: Vec<&str> = reference
                        .permissions()
                        .into_iter()
                        .filter(|p| reference.check(&Request { user: &user.id, permission: p, scope, resource: on }).allowed)
                        .collect();
                    expected.sort_unstable();
                    prop_assert_eq!(engine.effective_permissions(&user.id, scope, on).unwrap(), expected);
                }
            }
            for permission in reference.permissions() {
                let expected: Vec<&str> = reference
                    .scopes()
                    .into_iter()
                    .filter(|s| reference.check(&Request::new(&user.id, permission, s)).allowed)
                    .collect();
                let mut got: Vec<&str> = engine.scopes_with(&user.id, permission, None).unwrap().iter().map(|s| s.id).collect();
                let mut want = expected;
                got.sort_unstable();
                want.sort_unstable();
                prop_assert_eq!(got, want);
            }
        }
        for permission in reference.permissions() {
            for scope in reference.scopes() {
                let mut expected: Vec<(&str, rolegate_core::Grant<'_>)> = policy
                    .users
                    .iter()
                    .filter_map(|u| match reference.check(&Request::new(&u.id, permission, scope)).reason {
                        rolegate_core::Reason::Granted(g) => Some((u.id.as_str(), g)),
                        _ => None,
                    })
                    .collect();
                expected.sort_by(|a, b| a.0.cmp(b.0));
                let got: Vec<(&str, rolegate_core::Grant<'_>)> = engine
                    .who_can(permission, scope, None)
                    .unwrap()
                    .into_iter()
                    .map(|h| (h.user.id, h.grant))
                    .collect();
                prop_assert_eq!(got, expected);
            }
        }
    }
}
