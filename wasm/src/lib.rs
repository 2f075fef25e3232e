//! # rolegate-wasm
//!
//! rolegate-core compiled to WebAssembly, as thin shims with no logic of their own; what they
//! speak is defined once, in `rolegate_core::ffi`:
//!
//! - feature `bindgen`: the wasm-bindgen exports behind the npm package `rolegate`
//!   (`npm/`), for browsers, Node and edge functions — JS conversion only (structured
//!   answers in the compact `values` encoding the package reads);
//! - feature `abi`: a plain, versioned core-wasm ABI (no JS glue) for hosts such as
//!   `rolegate-host` on wasmtime — guest memory only.

#![no_std]

extern crate alloc;
// Native builds (tests, clippy, the fuzzer's harness) link std for its allocator and panic
// handler; the wasm builds bring their own.
#[cfg(not(target_arch = "wasm32"))]
extern crate std;
// The ABI guest is a bare cdylib: std brings its allocator and panic handler (abort).
#[cfg(all(feature = "abi", target_arch = "wasm32"))]
extern crate std;

#[cfg(all(feature = "abi", target_arch = "wasm32"))]
mod abi;
#[cfg(feature = "bindgen")]
mod bindgen;
#[cfg(any(feature = "bindgen", test))]
mod values;

#[cfg(feature = "bindgen")]
pub use bindgen::Authorizer;
