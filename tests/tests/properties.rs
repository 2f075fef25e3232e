//! Properties of the model: default deny, monotonic grants, order and duplicates do not
//! matter, no upward or sideways leak, organizations are isolated.

use proptest::prelude::*;
use rolegate_core::{Assignment, Reason, Request, User, compile};
use rolegate_tests::{Reference, Rng, Shape, generate};

use crate::common::{options, snapshot};

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// A user without assignments may do nothing anywhere; unknown names are denied with
    /// their own reasons.
    #[test]
    fn default_deny(seed in any::<u64>()) {
        let mut policy = generate::policy(&Shape::small(&mut Rng::new(seed)), seed);
        policy.users.push(User::new("USnobody", "Nobody", "nobody@example.com"));
        let engine = snapshot(&policy);
        let reference = Reference::new(&policy, policy.revision);
        for permission in reference.permissions() {
            for scope in reference.scopes() {
                let d = engine.check(&Request::new("USnobody", permission, scope));
                prop_assert!(!d.allowed);
                prop_assert_eq!(d.reason, Reason::NoMatchingAssignment);
                let d = engine.check(&Request::new("USnobody", permission, scope).on("billing-group", "BGnone"));
                prop_assert!(!d.allowed);
            }
        }
        let known_user = &policy.users[0].id;
        let scope = &policy.organization.id;
        prop_assert_eq!(engine.check(&Request::new("USghost", "iam/users/read", scope)).reason, Reason::UnknownUser);
        prop_assert_eq!(engine.check(&Request::new(known_user, "iam/users/raed", scope)).reason, Reason::UnknownPermission);
        prop_assert_eq!(engine.check(&Request::new(known_user, "iam/users/read", "ACghost")).reason, Reason::UnknownScope);
        prop_assert_eq!(engine.check(&Request::new(known_user, "", "")).reason, Reason::UnknownPermission);
    }

    /// Adding assignments never turns an Allow into a Deny.
    #[test]
    fn granting_is_monotonic(seed in any::<u64>(), extra in 1usize..8) {
        let shape = Shape::small(&mut Rng::new(seed));
        let smaller = generate::policy(&shape, seed);
        let larger = generate::policy(&Shape { assignments: shape.assignments + extra, ..shape }, seed);
        // Same seed, so the larger policy starts with the smaller one's assignments.
        prop_assume!(larger.assignments.starts_with(&smaller.assignments));
        prop_assume!(larger.assignments.len() > smaller.assignments.len());
        let before = snapshot(&smaller);
        let after = snapshot(&larger);
        let reference = Reference::new(&smaller, smaller.revision);
        for user in &smaller.users {
            for permission in reference.permissions() {
                for scope in reference.scopes() {
                    let request = Request::new(&user.id, permission, scope);
                    if before.can(&request) {
                        prop_assert!(after.can(&request), "{:?} lost access", request);
                    }
                }
            }
        }
    }

    /// Shuffling every list changes nothing: not the snapshot bytes, not a decision.
    #[test]
    fn order_does_not_matter(seed in any::<u64>()) {
        let policy = generate::policy(&Shape::small(&mut Rng::new(seed)), seed);
        let mut shuffled = policy.clone();
        let mut rng = Rng::new(!seed);
        rng.shuffle(&mut shuffled.accounts);
        rng.shuffle(&mut shuffled.subaccounts);
        rng.shuffle(&mut shuffled.users);
        rng.shuffle(&mut shuffled.permissions);
        rng.shuffle(&mut shuffled.roles);
        rng.shuffle(&mut shuffled.resources);
        rng.shuffle(&mut shuffled.assignments);
        prop_assert_eq!(compile(&policy, &options(&policy)).unwrap(), compile(&shuffled, &options(&shuffled)).unwrap());
        let (a, b) = (snapshot(&policy), snapshot(&shuffled));
        for owned in generate::requests(&policy, seed, 64) {
            let request = owned.as_request();
            prop_assert_eq!(a.check(&request), b.check(&request));
        }
    }

    /// Repeating assignments (under new ids) changes no Allow or Deny, nor the rules' verdict.
    #[test]
    fn duplicates_do_not_matter(seed in any::<u64>(), copies in 1usize..6) {
        let policy = generate::policy(&Shape::small(&mut Rng::new(seed)), seed);
        let mut duplicated = policy.clone();
        let mut rng = Rng::new(seed ^ 0xd0d0);
        for n in 0..copies {
            if let Some(a) = rng.pick(&policy.assignments) {
                duplicated.assignments.push(Assignment { id: format!("RAcopy{n}"), ..a.clone() });
            }
        }
        let (a, b) = (snapshot(&policy), snapshot(&duplicated));
        for owned in generate::requests(&policy, seed, 64) {
            let request = owned.as_request();
            prop_assert_eq!(a.can(&request), b.can(&request));
        }
    }

    /// One assignment at scope S reaches exactly S and the scopes below it: never upward,
    /// never sideways.
    #[test]
    fn no_upward_or_sideways_leak(seed in any::<u64>()) {
        let mut policy = generate::policy(&Shape::small(&mut Rng::new(seed)), seed);
        let mut rng = Rng::new(seed);
        // Any assignment but an account's Owner, which stays unique.
        let candidates: Vec<Assignment> = policy.assignments.iter().filter(|a| a.role != "owner").cloned().collect();
        let Some(held) = rng.pick(&candidates).cloned() else { return Ok(()) };
        policy.users.push(User::new("USsolo", "Solo", "solo@example.com"));
        policy.assignments.push(Assignment { id: "RAsolo".into(), user: "USsolo".into(), ..held.clone() });
        let engine = snapshot(&policy);
        let reference = Reference::new(&policy, policy.revision);
        let resource = held.resource.as_ref();
        for permission in reference.permissions() {
            let granted = reference.role_grants(&held.role, permission);
            for scope in reference.scopes() {
                let mut request = Request::new("USsolo", permission, scope);
                if let Some(r) = resource {
                    request = request.on(&r.resource_type, &r.id);
                }
                let below = reference.reaches(&held.scope, scope);
                prop_assert_eq!(engine.can(&request), granted && below, "{} at {}", permission, scope);
            }
        }
    }
}

/// A snapshot knows one organization: another's users, scopes and assignments mean nothing
/// to it.
#[test]
fn organizations_are_isolated() {
    let first = generate::policy(&Shape::small(&mut Rng::new(1)), 1);
    let second = generate::policy(&Shape::small(&mut Rng::new(2)), 2);
    let engine = snapshot(&first);
    for a in &second.assignments {
        let d = engine.check(&Request::new(&a.user, "iam/users/read", &a.scope));
        assert!(!d.allowed);
        assert_eq!(d.reason, Reason::UnknownScope);
        let d = engine.check(&Request::new(
            &a.user,
            "iam/users/read",
            &first.organization.id,
        ));
        assert_eq!(d.reason, Reason::UnknownUser);
    }
    assert!(!second.assignments.is_empty());
}
