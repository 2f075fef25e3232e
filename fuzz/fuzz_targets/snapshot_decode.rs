//! Any bytes: a snapshot or a typed error, never a panic; a snapshot answers.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = rolegate_core::Snapshot::decode(data) {
        common::exercise(&s, data);
    }
});
