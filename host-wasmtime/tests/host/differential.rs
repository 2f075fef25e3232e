//! The host against the native core: the random differential (the same organizations and
//! requests `rolegate-vectors` writes for Node — 200 × 1,000 by default, more with
//! `ROLEGATE_DIFF_ORGS`), and the committed conformance vectors.

use std::path::PathBuf;

use rolegate_core::{Request, Snapshot};
use rolegate_host::Authorizer;
use rolegate_tests::vectors::{organization, readable_request};
use serde_json::Value;

use crate::engine;

#[test]
fn the_random_differential_decides_as_native() {
    let orgs: u64 = std::env::var("ROLEGATE_DIFF_ORGS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let engine = engine();
    let (mut checks, mut allowed) = (0usize, 0usize);
    for n in 0..orgs {
        let org = organization(2026, n, 1_000);
        let native = Snapshot::decode(&org.snapshot).unwrap();
        let host = Authorizer::unsigned(&engine, &org.snapshot).unwrap();
        let requests: Vec<Request<'_>> = org.requests.iter().map(|r| r.as_request()).collect();
        let batch = host.check_batch(&requests).unwrap();
        for (i, request) in requests.iter().enumerate() {
            let want = native.check(request);
            assert_eq!(batch[i], want.allowed, "org {n} request {i}");
            assert_eq!(host.check(request).unwrap(), want, "org {n} request {i}");
            checks += 1;
            allowed += usize::from(want.allowed);
        }
    }
    assert!(checks as u64 >= orgs * 1_000);
    assert!(allowed > checks / 10, "only {allowed} of {checks} allowed");
}

#[test]
fn the_conformance_vectors_hold_in_the_host() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/conformance/v1"
    ));
    let json = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
    };
    let engine = engine();
    let mut seen = 0;
    for org in json("manifest.json")["organizations"].as_array().unwrap() {
        let host = Authorizer::unsigned(
            &engine,
            &std::fs::read(dir.join(org["snapshot"].as_str().unwrap())).unwrap(),
        )
        .unwrap();
        for case in json(org["cases"].as_str().unwrap()).as_array().unwrap() {
            let request = readable_request(case).unwrap();
            assert_eq!(
                serde_json::to_value(host.check(&request).unwrap()).unwrap(),
                case["decision"],
                "{case}"
            );
            seen += 1;
        }
    }
    assert!(seen >= 3_000);
}
