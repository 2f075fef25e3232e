//! # rolegate-bench
//!
//! Benchmarks of rolegate against a hand-written oracle floor (and, later, its peers), on
//! organizations made by `rolegate-tests`' generators. `cargo bench -p rolegate-bench`.
//! This crate is a harness: it may index and unwrap freely, since a broken harness should
//! stop loudly.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

mod dataset;
mod oracle;

pub use dataset::Dataset;
pub use oracle::Oracle;
