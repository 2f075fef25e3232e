//! Fault containment with a purpose-built faulty guest (`rolegate-wasm` built with feature
//! `faults`): requests from the users `!trap`, `!loop`, `!oom` and `!garbage` misbehave;
//! every other request is answered correctly. Each fault is an error; the host survives,
//! discards the instance, and the next 1,000 checks are right.

use rolegate_core::{Request, Snapshot};
use rolegate_host::{Authorizer, Engine, EngineConfig, HostError, Limits};

use crate::{acme, cache_dir};

const FAULTY_GUEST: &str = concat!(env!("OUT_DIR"), "/rolegate_guest_faulty.wasm");

fn faulty_engine() -> Engine {
    Engine::from_file(
        FAULTY_GUEST,
        EngineConfig {
            cache_dir: Some(cache_dir()),
            limits: Limits {
                fuel_per_call: 2_000_000,
                memory_bytes: 64 << 20,
                ..Limits::default()
            },
            ..EngineConfig::default()
        },
    )
    .unwrap()
}

/// The next 1,000 checks after a fault, on every (user, permission, scope) in turn.
fn next_thousand_are_right(host: &Authorizer, native: &Snapshot) {
    let users: Vec<_> = native.users().collect();
    let scopes: Vec<_> = native.scopes().collect();
    let permissions: Vec<_> = native.catalog().collect();
    for i in 0..1_000 {
        let request = Request::new(
            users[i % users.len()].id,
            permissions[(i / 7) % permissions.len()],
            scopes[(i / 3) % scopes.len()].id,
        );
        let want = native.check(&request);
        assert_eq!(
            host.check(&request).unwrap(),
            want,
            "check {i} after a fault"
        );
        assert_eq!(host.can(&request).unwrap(), want.allowed);
    }
}

#[test]
fn each_fault_is_an_error_and_the_host_carries_on() {
    let native = Snapshot::decode(&acme()).unwrap();
    let host = Authorizer::unsigned(&faulty_engine(), &acme()).unwrap();
    let scope = native.organization();
    next_thousand_are_right(&host, &native);

    let trap = host
        .can(&Request::new("!trap", "iam/users/read", scope))
        .unwrap_err();
    assert!(matches!(trap, HostError::Trap(_)), "{trap:?}");
    next_thousand_are_right(&host, &native);

    let endless = host
        .check(&Request::new("!loop", "iam/users/read", scope))
        .unwrap_err();
    assert!(
        matches!(endless, HostError::OutOfFuel { fuel: 2_000_000 }),
        "{endless:?}"
    );
    next_thousand_are_right(&host, &native);

    let hoard = host
        .can(&Request::new("!oom", "iam/users/read", scope))
        .unwrap_err();
    assert!(
        matches!(hoard, HostError::MemoryLimit { bytes } if bytes == 64 << 20),
        "{hoard:?}"
    );
    next_thousand_are_right(&host, &native);

    let pointer = host
        .check(&Request::new("!garbage", "iam/users/read", scope))
        .unwrap_err();
    assert!(matches!(pointer, HostError::BadResponse(_)), "{pointer:?}");
    let value = host
        .can(&Request::new("!garbage", "iam/users/read", scope))
        .unwrap_err();
    assert!(matches!(value, HostError::BadResponse(_)), "{value:?}");
    next_thousand_are_right(&host, &native);

    // Faults inside a batch fail the batch, not the host.
    let batch = [
        Request::new("!trap", "iam/users/read", scope),
        Request::new("x", "y", "z"),
    ];
    assert!(host.check_batch(&batch).is_err());
    next_thousand_are_right(&host, &native);
}

#[test]
fn a_snapshot_too_big_for_the_memory_cap_is_refused() {
    let engine = Engine::new(EngineConfig {
        cache_dir: Some(cache_dir()),
        limits: Limits {
            memory_bytes: 2 << 20,
            ..Limits::default()
        },
        ..EngineConfig::default()
    })
    .unwrap();
    let shape = rolegate_tests::Shape {
        users: 5_000,
        assignments: 25_000,
        ..rolegate_tests::Shape::S
    };
    let policy = rolegate_tests::generate::policy(&shape, 3);
    let bytes = rolegate_core::compile(&policy, &rolegate_core::CompileOptions::default()).unwrap();
    let e = Authorizer::unsigned(&engine, &bytes).unwrap_err();
    assert!(
        matches!(e, HostError::MemoryLimit { .. } | HostError::BadResponse(_)),
        "{e:?}"
    );
    // The small one still fits.
    assert!(Authorizer::unsigned(&engine, &acme()).is_ok());
}
