//! Writes the benchmark organizations for the non-Rust benchmarks (Node): for each size, the

// A command-line harness: failing loudly is its error handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! policy as JSON, its snapshot, and requests with the engine's decisions (already checked
//! against the oracle). `cargo run --release -p rolegate-bench --bin rolegate-bench-data -- OUT_DIR [S,M,L]`

use std::path::PathBuf;

use rolegate_bench::Dataset;
use rolegate_tests::{OwnedRequest, Shape};
use serde_json::json;

fn requests(data: &Dataset, owned: &[OwnedRequest]) -> Vec<serde_json::Value> {
    owned
        .iter()
        .map(|r| {
            json!({
                "user": r.user,
                "permission": r.permission,
                "scope": r.scope,
                "resource": r.resource.as_ref().map(|(t, id)| format!("{t}:{id}")),
                "allowed": data.snapshot.can(&r.as_request()),
            })
        })
        .collect()
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
        let mut all = requests(&data, &data.allowed);
        all.extend(requests(&data, &data.denied));
        std::fs::write(out.join(format!("{label}.json")), &data.json).unwrap();
        std::fs::write(out.join(format!("{label}.rgs")), &data.snapshot_bytes).unwrap();
        std::fs::write(
            out.join(format!("{label}.requests.json")),
            serde_json::to_vec(&all).unwrap(),
        )
        .unwrap();
        println!(
            "{label}: {} users, {} assignments, {} requests → {}",
            data.policy.users.len(),
            data.policy.assignments.len(),
            all.len(),
            out.display()
        );
    }
}
