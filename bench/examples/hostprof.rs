#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
use rolegate_bench::BenchRequest;
use rolegate_core::{Request, Snapshot};
use rolegate_host::{Authorizer, Engine, EngineConfig};
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = &args[0];
    let size = &args[1];
    let what = args.get(2).map_or("can", String::as_str);
    let n: usize = args.get(3).map_or(5_000_000, |s| s.parse().unwrap());
    let bytes = std::fs::read(format!("{dir}/{size}.rgs")).unwrap();
    let reqs: Vec<BenchRequest> =
        serde_json::from_slice(&std::fs::read(format!("{dir}/{size}.requests.json")).unwrap())
            .unwrap();
    let requests: Vec<Request<'_>> = reqs.iter().map(BenchRequest::as_request).collect();
    let engine = Engine::new(EngineConfig {
        cache_dir: None,
        ..EngineConfig::default()
    })
    .unwrap();
    let host = Authorizer::unsigned(&engine, &bytes).unwrap();
    let native = Snapshot::decode(&bytes).unwrap();
    let m = requests.len();
    let start = Instant::now();
    let mut c = 0usize;
    match what {
        "can" => {
            for i in 0..n {
                c += usize::from(host.can(black_box(&requests[i % m])).unwrap());
            }
        }
        "check" => {
            for i in 0..n {
                c += usize::from(host.check(black_box(&requests[i % m])).unwrap().allowed);
            }
        }
        "native" => {
            for i in 0..n {
                c += usize::from(native.can(black_box(&requests[i % m])));
            }
        }
        "instantiate" => {
            for _ in 0..n {
                engine.instantiate().unwrap();
            }
        }
        "load" => {
            for _ in 0..n {
                black_box(Authorizer::unsigned(&engine, &bytes).unwrap());
            }
        }
        _ => panic!(),
    }
    let ns = start.elapsed().as_secs_f64() * 1e9 / n as f64;
    println!("{size} {what}: {ns:.1} ns per call ({c})");
}
