//! # rolegate-wasm
//!
//! rolegate-core compiled to WebAssembly, as thin shims with no logic of their own:
//!
//! - feature `bindgen`: the wasm-bindgen exports behind the npm package `rolegate`
//!   (`npm/`), for browsers, Node and edge functions;
//! - [`batch`]: the packed request format `checkBatch` uses to cross the JS boundary once
//!   for many checks (plain Rust, tested natively).

#![no_std]

extern crate alloc;

pub mod batch;
#[cfg(feature = "bindgen")]
mod bindgen;

#[cfg(feature = "bindgen")]
pub use bindgen::Authorizer;
