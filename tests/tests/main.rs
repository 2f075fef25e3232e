//! rolegate-tests: the engine against the reference, its properties, its wire format and its
//! rules. One binary; one module per concern.

// Test code: a panic is how a failure is reported.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod admin;
mod attacks;
mod catalog_doc;
mod codes;
mod common;
mod conformance;
mod corruption;
mod differential;
mod golden;
mod identity;
mod live;
mod no_alloc;
mod properties;
mod rules;
mod signed_fixtures;
mod sizes;
mod trust;
