//! Helpers shared by the test modules.

use rolegate_core::{CompileOptions, Policy, Snapshot, compile_snapshot};

/// The demo organization, as a policy.
pub fn acme() -> Policy {
    serde_json::from_str(include_str!("../../examples/policies/acme.json")).unwrap()
}

/// Compile options stamping the policy's own revision and a fixed time.
pub fn options(policy: &Policy) -> CompileOptions {
    CompileOptions {
        revision: policy.revision,
        issued_at: 1_700_000_000,
    }
}

/// Compiles a policy the generators promise is valid.
pub fn snapshot(policy: &Policy) -> Snapshot {
    compile_snapshot(policy, &options(policy)).unwrap()
}
