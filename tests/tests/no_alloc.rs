//! "A check allocates nothing": counted by an allocator that tallies this thread's
//! allocations.

use rolegate_core::Request;
use rolegate_tests::{Rng, Shape, generate};

use crate::common::snapshot;

#[test]
fn check_and_can_allocate_nothing() {
    let policy = generate::policy(&Shape::small(&mut Rng::new(9)), 9);
    let engine = snapshot(&policy);
    let requests = generate::requests(&policy, 3, 2_000);
    let borrowed: Vec<Request<'_>> = requests.iter().map(|r| r.as_request()).collect();
    let mut allowed = 0;
    let counted = allocation_counter::measure(|| {
        for r in &borrowed {
            allowed += usize::from(engine.check(r).allowed);
            allowed += usize::from(engine.can(r));
        }
    });
    assert_eq!(counted.count_total, 0);
    assert!(
        allowed > 0,
        "no request was allowed: the test would prove little"
    );
    // The counter does count: a query that builds a list allocates.
    let counted = allocation_counter::measure(|| {
        let _ = engine.effective_permissions(&policy.users[0].id, &policy.organization.id, None);
    });
    assert!(counted.count_total > 0);
}
