//! Writes the benchmark organizations every runtime measures: for each size, the policy as
//! JSON, its snapshot, and requests (half allowed, half denied) with the reference model's
//! decisions — each also asserted to be the engine's.
//!
//! `cargo run --release -p rolegate-bench --bin rolegate-bench-data -- OUT_DIR [S,M,L]`

// A command-line harness: failing loudly is its error handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use rolegate_bench::peers::{CASBIN_MODEL, cedar_entities, cedar_policies};
use rolegate_bench::{BenchRequest, Dataset, Translation};
use rolegate_tests::{Reference, Shape};
use serde_json::json;

/// The organization restated for the Node peers, from the same translation the Rust peers
/// use: Cedar's policies and entities, Casbin's model, and the shared role, assignment and
/// per-request domain tables CASL and Casbin are built from.
fn peers_json(data: &Dataset, requests: &[BenchRequest]) -> serde_json::Value {
    let t = Translation::new(&data.policy);
    let users = data.policy.users.iter().map(|u| u.id.clone());
    let mut resource_roles: Vec<&String> = t.resource_roles.iter().collect();
    resource_roles.sort();
    json!({
        "cedar_policies": cedar_policies(&t),
        "cedar_entities": cedar_entities(&t, users),
        "casbin_model": CASBIN_MODEL,
        "role_permissions": t.role_permissions,
        "resource_roles": resource_roles,
        "held": t.held,
        "domains": requests.iter().map(|r| {
            let d = t.domains(r);
            json!({ "scopes": d.scopes, "resources": d.resources })
        }).collect::<Vec<_>>(),
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "target/bench-data".into()));
    let sizes = args.next().unwrap_or_else(|| "S,M".into());
    std::fs::create_dir_all(&out).unwrap();
    for name in sizes.split(',') {
        let (label, shape) = match name {
            "S" => ("S", Shape::S),
            "M" => ("M", Shape::M),
            "L" => ("L", Shape::L),
            other => panic!("unknown size {other}: use S, M or L"),
        };
        let data = Dataset::new(label, &shape, 1024);
        let reference = Reference::new(&data.policy, data.policy.revision);
        // Allowed and denied alternate, so any run of them (a batch) is half each.
        let requests: Vec<BenchRequest> = data
            .allowed
            .iter()
            .zip(&data.denied)
            .flat_map(|(a, d)| [a, d])
            .map(|r| {
                let request = r.as_request();
                let expected = reference.check(&request);
                assert_eq!(data.snapshot.check(&request), expected, "{r:?}");
                BenchRequest {
                    user: r.user.clone(),
                    permission: r.permission.clone(),
                    scope: r.scope.clone(),
                    resource: r.resource.as_ref().map(|(t, id)| format!("{t}:{id}")),
                    allowed: expected.allowed,
                }
            })
            .collect();
        std::fs::write(out.join(format!("{label}.json")), &data.json).unwrap();
        std::fs::write(out.join(format!("{label}.rgs")), &data.snapshot_bytes).unwrap();
        std::fs::write(
            out.join(format!("{label}.requests.json")),
            serde_json::to_vec(&requests).unwrap(),
        )
        .unwrap();
        std::fs::write(
            out.join(format!("{label}.peers.json")),
            serde_json::to_vec(&peers_json(&data, &requests)).unwrap(),
        )
        .unwrap();
        println!(
            "{label}: {} users, {} assignments, {} requests → {}",
            data.policy.users.len(),
            data.policy.assignments.len(),
            requests.len(),
            out.display()
        );
    }
}
