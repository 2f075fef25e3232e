//! The committed conformance vectors (`tests/conformance/v1`), natively: each policy compiles
//! to exactly its snapshot, and the snapshot and the reference model both give exactly the
//! recorded decisions. Node, workerd, Chromium and the wasmtime host check the same files.
//! Rewrite them with `cargo run -p rolegate-tests --bin rolegate-vectors -- --conformance
//! tests/conformance/v1` after a deliberate change.

use std::path::PathBuf;

use rolegate_core::{CompileOptions, Policy, Snapshot, compile};
use rolegate_tests::Reference;
use rolegate_tests::vectors::readable_request;
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/conformance/v1"))
}

fn read_json(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir().join(name)).unwrap()).unwrap()
}

#[test]
fn conformance_vectors_hold_natively() {
    let manifest = read_json("manifest.json");
    assert_eq!(manifest["version"], 1);
    assert_eq!(manifest["snapshot_format"], rolegate_core::FORMAT_VERSION);
    let mut cases_seen = 0;
    for org in manifest["organizations"].as_array().unwrap() {
        let policy: Policy =
            serde_json::from_value(read_json(org["policy"].as_str().unwrap())).unwrap();
        let bytes = std::fs::read(dir().join(org["snapshot"].as_str().unwrap())).unwrap();
        let options = CompileOptions {
            revision: policy.revision,
            issued_at: 1_700_000_000,
        };
        assert!(
            compile(&policy, &options).unwrap() == bytes,
            "{} does not compile to its snapshot",
            org["name"]
        );
        let snapshot = Snapshot::decode(&bytes).unwrap();
        let reference = Reference::new(&policy, policy.revision);
        for case in read_json(org["cases"].as_str().unwrap())
            .as_array()
            .unwrap()
        {
            let request = readable_request(case).unwrap();
            let want = &case["decision"];
            assert_eq!(
                &serde_json::to_value(snapshot.check(&request)).unwrap(),
                want,
                "{case}"
            );
            assert_eq!(
                &serde_json::to_value(reference.check(&request)).unwrap(),
                want,
                "{case}"
            );
            cases_seen += 1;
        }
    }
    assert!(cases_seen >= 3_000, "{cases_seen} cases");
}
