//! The compiler on any JSON: every policy it accepts compiles to a snapshot that decodes, and
//! `validate` agrees with `compile` on whether there is a problem.
#![no_main]

use rolegate_core::{CompileOptions, Policy, Snapshot, compile, validate};

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(policy) = serde_json::from_slice::<Policy>(data) else {
        return;
    };
    let problems = validate(&policy);
    match compile(
        &policy,
        &CompileOptions {
            revision: 1,
            issued_at: 0,
        },
    ) {
        Ok(bytes) => {
            assert!(
                problems.is_empty(),
                "compiled a policy that breaks {problems:?}"
            );
            let s = Snapshot::decode(&bytes).expect("a compiled snapshot decodes");
            common::exercise(&s, data);
        }
        Err(first) => assert_eq!(problems.first(), Some(&first)),
    }
});
