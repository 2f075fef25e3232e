//! # rolegate-wasm
//!
//! rolegate-core compiled to WebAssembly, as thin shims with no logic of their own:
//!
//! - feature `bindgen`: the wasm-bindgen exports behind the npm package `rolegate`
//!   (`npm/`), for browsers, Node and edge functions;
//! - feature `abi`: a plain, versioned core-wasm ABI (no JS glue) for hosts such as
//!   `rolegate-host` on wasmtime; [`protocol`] is its messages, shared with the host;

#![no_std]

extern crate alloc;
// Native test builds need std's test harness.
#[cfg(test)]
extern crate std;
// The ABI guest is a bare cdylib: std brings its allocator and panic handler (abort).
#[cfg(all(feature = "abi", target_arch = "wasm32"))]
extern crate std;

#[cfg(all(feature = "abi", target_arch = "wasm32"))]
mod abi;
#[cfg(feature = "bindgen")]
mod bindgen;
pub mod protocol;

#[cfg(feature = "bindgen")]
pub use bindgen::Authorizer;
