//! # rolegate-bench
//!
//! Benchmarks of rolegate against a hand-written oracle floor and against its peers (Cedar,
//! Casbin; in Node also CASL and cedar-wasm), on organizations made by `rolegate-tests`'
//! generators. `bash scripts/bench.sh` runs the whole comparison and writes `BENCHMARKS.md`;
//! `cargo bench -p rolegate-bench` runs the detailed rolegate-only benches.
//! This crate is a harness: it may index and unwrap freely, since a broken harness should
//! stop loudly.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod api;
mod dataset;
mod oracle;
pub mod peers;
mod requests;
pub mod timing;
mod translate;

pub use dataset::Dataset;
pub use oracle::Oracle;
pub use requests::BenchRequest;
pub use translate::{Domains, Translation};
