//! Native check latency (allowed and denied) against the oracle floor, and snapshot decode
//! time, on the S and M organizations. `cargo bench -p rolegate-bench --bench core`.

// Test code: a panic is how a failure is reported.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rolegate_bench::Dataset;
use rolegate_core::{Request, Snapshot};
use rolegate_tests::{OwnedRequest, Shape};

fn requests(owned: &[OwnedRequest]) -> Vec<Request<'_>> {
    owned.iter().map(OwnedRequest::as_request).collect()
}

fn bench_dataset(c: &mut Criterion, data: &Dataset) {
    eprintln!(
        "{}: {} users, {} assignments; JSON {} B, snapshot {} B ({:.3}× JSON, {:.1} B/assignment)",
        data.name,
        data.policy.users.len(),
        data.policy.assignments.len(),
        data.json.len(),
        data.snapshot_bytes.len(),
        data.size_ratio(),
        data.bytes_per_assignment(),
    );
    let mut group = c.benchmark_group(data.name);
    for (kind, owned) in [("allowed", &data.allowed), ("denied", &data.denied)] {
        let reqs = requests(owned);
        let n = reqs.len();
        let mut i = 0;
        group.bench_function(format!("check/{kind}"), |b| {
            b.iter(|| {
                i = (i + 1) % n;
                black_box(data.snapshot.check(black_box(&reqs[i])))
            })
        });
        group.bench_function(format!("can/{kind}"), |b| {
            b.iter(|| {
                i = (i + 1) % n;
                black_box(data.snapshot.can(black_box(&reqs[i])))
            })
        });
        group.bench_function(format!("oracle/{kind}"), |b| {
            b.iter(|| {
                i = (i + 1) % n;
                black_box(data.oracle.can(black_box(&reqs[i])))
            })
        });
    }
    group.sample_size(20);
    group.bench_function("decode", |b| {
        b.iter(|| black_box(Snapshot::decode(black_box(&data.snapshot_bytes)).unwrap()))
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    for (name, shape) in [("S", Shape::S), ("M", Shape::M)] {
        let data = Dataset::new(name, &shape, 1024);
        bench_dataset(c, &data);
    }
}

criterion_group!(core, benches);
criterion_main!(core);
