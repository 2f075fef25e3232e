//! Any payload behind a valid envelope (the checksum stops random bytes at the door; this
//! reaches the payload decoder and its validation).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let sealed = rolegate_core::testing::seal_payload("ORfuzz", 1, data);
    if let Ok(s) = rolegate_core::Snapshot::decode(&sealed) {
        common::exercise(&s, data);
    }
});
