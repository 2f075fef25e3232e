//! The wasmtime host beside the native core, in one run: single checks (`can` and the full
//! `check`), batches of 1,000, instantiation, and engine start from the compiled-module cache.
//! `cargo bench -p rolegate-bench --bench host`.

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
use rolegate_core::Request;
use rolegate_host::{Authorizer, Engine, EngineConfig};
use rolegate_tests::{OwnedRequest, Shape};

fn engine_config(dir: &std::path::Path) -> EngineConfig {
    EngineConfig {
        cache_dir: Some(dir.to_path_buf()),
        ..EngineConfig::default()
    }
}

fn benches(c: &mut Criterion) {
    let cache = tempfile::tempdir().unwrap();
    let engine = Engine::new(engine_config(cache.path())).unwrap();
    for (name, shape) in [("S", Shape::S), ("M", Shape::M)] {
        let data = Dataset::new(name, &shape, 1024);
        let host = Authorizer::unsigned(&engine, &data.snapshot_bytes).unwrap();
        let mut owned: Vec<OwnedRequest> = data.allowed.clone();
        owned.extend(data.denied.iter().cloned());
        let requests: Vec<Request<'_>> = owned.iter().map(OwnedRequest::as_request).collect();
        for r in &requests {
            assert_eq!(host.can(r).unwrap(), data.snapshot.can(r));
        }
        let n = requests.len();
        let mut group = c.benchmark_group(format!("host/{name}"));
        let mut i = 0;
        group.bench_function("native/can", |b| {
            b.iter(|| {
                i = (i + 1) % n;
                black_box(data.snapshot.can(black_box(&requests[i])))
            })
        });
        group.bench_function("wasmtime/can", |b| {
            b.iter(|| {
                i = (i + 1) % n;
                black_box(host.can(black_box(&requests[i])).unwrap())
            })
        });
        group.bench_function("native/check", |b| {
            b.iter(|| {
                i = (i + 1) % n;
                black_box(data.snapshot.check(black_box(&requests[i])).allowed)
            })
        });
        group.bench_function("wasmtime/check", |b| {
            b.iter(|| {
                i = (i + 1) % n;
                black_box(host.check(black_box(&requests[i])).unwrap().allowed)
            })
        });
        let batch = &requests[..1000];
        group.throughput(criterion::Throughput::Elements(1000));
        group.bench_function("native/batch-1000", |b| {
            b.iter(|| black_box(batch.iter().filter(|r| data.snapshot.can(r)).count()))
        });
        group.bench_function("wasmtime/batch-1000", |b| {
            b.iter(|| black_box(host.check_batch(black_box(batch)).unwrap().len()))
        });
        group.finish();
    }

    let mut group = c.benchmark_group("host/start");
    group.bench_function("instantiate", |b| b.iter(|| engine.instantiate().unwrap()));
    group.sample_size(10);
    group.bench_function("engine-from-cache", |b| {
        b.iter(|| black_box(Engine::new(engine_config(cache.path())).unwrap()))
    });
    group.bench_function("engine-compile", |b| {
        b.iter(|| {
            black_box(
                Engine::new(EngineConfig {
                    cache_dir: None,
                    ..EngineConfig::default()
                })
                .unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(host, benches);
criterion_main!(host);
