//! Snapshot size against the JSON policy it came from: deterministic, so a test rather than
//! a benchmark. Budget: at most 0.35× the compact JSON.

use rolegate_core::compile;
use rolegate_tests::{Shape, generate};

use crate::common::options;

#[test]
fn snapshots_are_at_most_035_of_the_json_policy() {
    for (name, shape) in [("S", Shape::S), ("M", Shape::M)] {
        let policy = generate::policy(&shape, 0x5eed);
        let json = serde_json::to_vec(&policy).unwrap().len();
        let snapshot = compile(&policy, &options(&policy)).unwrap().len();
        let ratio = snapshot as f64 / json as f64;
        assert!(
            ratio <= 0.35,
            "{name}: snapshot {snapshot} B is {ratio:.3}× the {json} B JSON"
        );
        assert_eq!(
            policy.assignments.len(),
            shape.assignments,
            "{name}: generator fell short"
        );
    }
}
