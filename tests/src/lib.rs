//! # rolegate-tests
//!
//! The shared harness that keeps rolegate honest: a naive [`Reference`] evaluator written
//! straight from the design's rules, and generators of random valid organizations and
//! requests ([`generate`]). The integration tests in `tests/` compare the engine with the
//! reference; the benchmarks use the same generators for their S, M and L organizations.

#![forbid(unsafe_code)]

pub mod admin_reference;
pub mod attacks;
pub mod generate;
pub mod pg;
mod reference;
mod signed;
pub mod vectors;

pub use generate::{OwnedRequest, Rng, Shape};
pub use reference::{Reference, glob};
pub use signed::{SignedCase, hex, signed_cases, signed_dir, signed_fixture, signed_key, unhex};
