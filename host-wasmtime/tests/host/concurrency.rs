//! Eight threads checking while the snapshot swaps back and forth: every decision is what
//! one of the two snapshots says — never a torn mixture, never an error.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rolegate_core::{CompileOptions, Request, Snapshot, compile};
use rolegate_host::Authorizer;

use crate::{acme_policy, engine};

#[test]
fn eight_threads_see_one_snapshot_or_the_other() {
    // Two revisions that disagree: B drops Paul's Owner of Staging for Dana's.
    let a_policy = acme_policy();
    let mut b_policy = a_policy.clone();
    let staging = a_policy.accounts[1].id.clone();
    for asg in &mut b_policy.assignments {
        if asg.role == "owner" && asg.scope == staging {
            asg.user = a_policy.users[5].id.clone();
        }
    }
    let a = compile(
        &a_policy,
        &CompileOptions {
            revision: 10,
            issued_at: 0,
        },
    )
    .unwrap();
    let b = compile(
        &b_policy,
        &CompileOptions {
            revision: 11,
            issued_at: 0,
        },
    )
    .unwrap();
    let (na, nb) = (Snapshot::decode(&a).unwrap(), Snapshot::decode(&b).unwrap());

    // Every (user, permission, scope): the answers of A and of B.
    let mut requests = Vec::new();
    for user in na.users() {
        for scope in na.scopes() {
            for permission in [
                "voice/calls/create",
                "iam/ownership/transfer",
                "billing/invoices/read",
                "studio/flows/update",
            ] {
                requests.push((
                    user.id.to_owned(),
                    permission.to_owned(),
                    scope.id.to_owned(),
                ));
            }
        }
    }
    let differ = requests
        .iter()
        .filter(|(u, p, s)| {
            let r = Request::new(u, p, s);
            na.check(&r) != nb.check(&r)
        })
        .count();
    assert!(differ > 10, "the two snapshots must disagree somewhere");

    let host = Authorizer::unsigned(&engine(), &a).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let checked = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(requests);
    let snapshots = Arc::new((na, nb));
    let workers: Vec<_> = (0..8)
        .map(|t| {
            let (host, stop, checked, requests, snapshots) = (
                host.clone(),
                stop.clone(),
                checked.clone(),
                requests.clone(),
                snapshots.clone(),
            );
            std::thread::spawn(move || {
                let mut i = t * 97;
                while !stop.load(Ordering::Relaxed) {
                    let (u, p, s) = &requests[i % requests.len()];
                    let r = Request::new(u, p, s);
                    let got = host.check(&r).expect("no errors while swapping");
                    let (a, b) = (snapshots.0.check(&r), snapshots.1.check(&r));
                    let is_a = got == a && got.revision == 10;
                    let is_b = got == b && got.revision == 11;
                    assert!(is_a || is_b, "torn decision {got:?} for {r:?}");
                    checked.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    for swap in 0..40 {
        let info = host.replace(if swap % 2 == 0 { &b } else { &a }).unwrap();
        assert_eq!(info.revision, if swap % 2 == 0 { 11 } else { 10 });
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    assert!(
        checked.load(Ordering::Relaxed) > 1_000,
        "{} checks",
        checked.load(Ordering::Relaxed)
    );
}
