//! One generated organization, ready to benchmark: its policy as JSON and as a snapshot, the
//! decoded snapshot, the oracle, and requests known to be allowed and denied.

use rolegate_core::{CompileOptions, Policy, Reason, Snapshot, compile};
use rolegate_tests::{OwnedRequest, Shape, generate};

use crate::oracle::Oracle;

/// A benchmark organization.
#[derive(Debug)]
pub struct Dataset {
    /// Its name: S, M or L.
    pub name: &'static str,
    /// The policy.
    pub policy: Policy,
    /// The policy as compact JSON.
    pub json: Vec<u8>,
    /// The compiled snapshot.
    pub snapshot_bytes: Vec<u8>,
    /// The decoded snapshot.
    pub snapshot: Snapshot,
    /// The oracle over the same policy.
    pub oracle: Oracle,
    /// Requests the engine allows.
    pub allowed: Vec<OwnedRequest>,
    /// Requests with known names that no assignment grants: the full-scan path.
    pub denied: Vec<OwnedRequest>,
}

impl Dataset {
    /// Generates the organization of `shape` and `per_kind` allowed and denied requests,
    /// checking that the oracle agrees with the engine on every one.
    pub fn new(name: &'static str, shape: &Shape, per_kind: usize) -> Dataset {
        let policy = generate::policy(shape, 0x5eed);
        let json = serde_json::to_vec(&policy).unwrap();
        let snapshot_bytes = compile(
            &policy,
            &CompileOptions {
                revision: policy.revision,
                issued_at: 0,
            },
        )
        .unwrap();
        let snapshot = Snapshot::decode(&snapshot_bytes).unwrap();
        let oracle = Oracle::new(&policy);
        let mut allowed = Vec::new();
        let mut denied = Vec::new();
        let mut rng = rolegate_tests::Rng::new(42);
        let mut tries = 0;
        while (allowed.len() < per_kind || denied.len() < per_kind) && tries < per_kind * 1000 {
            tries += 1;
            let owned = generate::request(&policy, &mut rng);
            let request = owned.as_request();
            let decision = snapshot.check(&request);
            assert_eq!(
                oracle.can(&request),
                decision.allowed,
                "oracle disagrees on {owned:?}"
            );
            match decision.reason {
                Reason::Granted(_) if allowed.len() < per_kind => allowed.push(owned),
                Reason::NoMatchingAssignment if denied.len() < per_kind => denied.push(owned),
                _ => {}
            }
        }
        Dataset {
            name,
            policy,
            json,
            snapshot_bytes,
            snapshot,
            oracle,
            allowed,
            denied,
        }
    }

    /// Snapshot bytes per assignment.
    pub fn bytes_per_assignment(&self) -> f64 {
        self.snapshot_bytes.len() as f64 / self.policy.assignments.len() as f64
    }

    /// Snapshot size over compact JSON size.
    pub fn size_ratio(&self) -> f64 {
        self.snapshot_bytes.len() as f64 / self.json.len() as f64
    }
}
