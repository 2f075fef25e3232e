//! Writes conformance vectors for the other runtimes (Node, workerd, Chromium, wasmtime):
//! random organizations as snapshots, random requests, and the decisions the naive reference
//! model gives — checked against the native engine before they are written.
//!
//! `cargo run -p rolegate-tests --bin rolegate-vectors -- OUT_DIR [ORGS] [REQUESTS_PER_ORG] [SEED]`

// A command-line harness: failing loudly is its error handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use rolegate_core::{CompileOptions, Snapshot, compile};
use rolegate_tests::{Reference, Rng, Shape, generate};
use serde_json::json;

fn arg(n: usize, default: u64) -> u64 {
    std::env::args()
        .nth(n)
        .map_or(default, |a| a.parse().expect("a number"))
}

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: rolegate-vectors OUT_DIR [ORGS] [REQUESTS] [SEED]"),
    );
    let (orgs, per_org, seed) = (arg(2, 100), arg(3, 120), arg(4, 2026));
    std::fs::create_dir_all(&out).unwrap();
    let mut index = Vec::new();
    let mut total = 0;
    for n in 0..orgs {
        let org_seed = seed.wrapping_mul(1_000_003).wrapping_add(n);
        let policy = generate::policy(&Shape::small(&mut Rng::new(org_seed)), org_seed);
        let bytes = compile(
            &policy,
            &CompileOptions {
                revision: policy.revision,
                issued_at: 1_700_000_000,
            },
        )
        .unwrap();
        let engine = Snapshot::decode(&bytes).unwrap();
        let reference = Reference::new(&policy, policy.revision);
        let requests = generate::requests(&policy, org_seed ^ 0xabcdef, per_org as usize);
        let mut cases = Vec::with_capacity(requests.len());
        for r in &requests {
            let request = r.as_request();
            let expected = reference.check(&request);
            assert_eq!(
                engine.check(&request),
                expected,
                "engine and reference disagree on {r:?}"
            );
            cases.push(json!({
                "user": r.user,
                "permission": r.permission,
                "scope": r.scope,
                "resource": r.resource.as_ref().map(|(t, id)| json!({"type": t, "id": id})),
                "decision": expected,
            }));
        }
        // A few console queries too, answered by the engine (the Rust tests hold them to the
        // reference).
        let mut queries = Vec::new();
        for user in policy.users.iter().take(2) {
            let scope = &policy.organization.id;
            queries.push(json!({
                "kind": "permissions", "user": user.id, "scope": scope,
                "answer": engine.effective_permissions(&user.id, scope, None).unwrap(),
            }));
            queries.push(json!({
                "kind": "directory", "user": user.id,
                "answer": engine.directory_entry(&user.id).unwrap(),
            }));
        }
        let name = format!("org-{n:04}");
        std::fs::write(out.join(format!("{name}.rgs")), &bytes).unwrap();
        std::fs::write(
            out.join(format!("{name}.json")),
            serde_json::to_vec(&json!({"organization": policy.organization.id, "revision": policy.revision, "cases": cases, "queries": queries})).unwrap(),
        )
        .unwrap();
        index.push(name);
        total += cases.len();
    }
    std::fs::write(
        out.join("index.json"),
        serde_json::to_vec(&json!({"orgs": index, "checks": total})).unwrap(),
    )
    .unwrap();
    println!(
        "wrote {} organizations, {total} checks to {}",
        orgs,
        out.display()
    );
}
