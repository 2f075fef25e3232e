//! Writes cross-runtime vectors (see `rolegate_tests::vectors`).
//!
//! ```text
//! rolegate-vectors OUT_DIR [ORGS] [REQUESTS_PER_ORG] [SEED]     the random differential
//! rolegate-vectors --conformance OUT_DIR                        the committed conformance set
//! ```

// A command-line harness: failing loudly is its error handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use rolegate_core::{CompileOptions, compile};
use rolegate_tests::vectors::{Organization, compact, organization, readable};
use serde_json::json;

/// The conformance set's version: bump it when its meaning changes.
const CONFORMANCE_VERSION: u32 = 1;

fn arg(n: usize, default: u64) -> u64 {
    std::env::args()
        .nth(n)
        .map_or(default, |a| a.parse().expect("a number"))
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--conformance") {
        let out = PathBuf::from(
            std::env::args()
                .nth(2)
                .expect("usage: rolegate-vectors --conformance OUT_DIR"),
        );
        conformance(&out);
        return;
    }
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: rolegate-vectors OUT_DIR [ORGS] [REQUESTS] [SEED]"),
    );
    let (orgs, per_org, seed) = (arg(2, 200), arg(3, 1_000) as usize, arg(4, 2026));
    std::fs::create_dir_all(&out).unwrap();
    let mut total = 0;
    for n in 0..orgs {
        let org = organization(seed, n, per_org);
        let decisions = org.decisions().unwrap();
        let cases: Vec<_> = org
            .requests
            .iter()
            .zip(&decisions)
            .map(|(r, d)| compact(r, d))
            .collect();
        let name = format!("org-{n:05}");
        std::fs::write(out.join(format!("{name}.rgs")), &org.snapshot).unwrap();
        let body = json!({"organization": org.policy.organization.id, "revision": org.policy.revision, "cases": cases});
        std::fs::write(
            out.join(format!("{name}.json")),
            serde_json::to_vec(&body).unwrap(),
        )
        .unwrap();
        total += cases.len();
    }
    let index = json!({"orgs": orgs, "checks": total, "seed": seed});
    std::fs::write(out.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    // The delta bomb every runtime must refuse cheaply (see rolegate_tests::attacks).
    let base = rolegate_tests::attacks::bomb_base();
    std::fs::write(out.join("bomb-base.rgs"), &base).unwrap();
    std::fs::write(
        out.join("bomb.rgd"),
        rolegate_tests::attacks::delta_bomb(&base, 10_000),
    )
    .unwrap();
    println!(
        "wrote {orgs} organizations, {total} checks to {}",
        out.display()
    );
}

/// The committed set: the demo organization and ten generated ones, 300 requests each, with
/// policies and readable decisions.
fn conformance(out: &Path) {
    std::fs::create_dir_all(out).unwrap();
    let mut orgs = Vec::new();
    let acme = {
        let policy: rolegate_core::Policy =
            serde_json::from_str(include_str!("../../../examples/policies/acme.json")).unwrap();
        let snapshot = compile(
            &policy,
            &CompileOptions {
                revision: policy.revision,
                issued_at: 1_700_000_000,
            },
        )
        .unwrap();
        let requests = rolegate_tests::generate::requests(&policy, 7, 300);
        Organization {
            policy,
            snapshot,
            requests,
        }
    };
    let all = std::iter::once(("acme".to_string(), acme)).chain((0..10).map(|n| {
        (
            format!("generated-{n:02}"),
            organization(CONFORMANCE_VERSION as u64, n, 300),
        )
    }));
    for (name, org) in all {
        let decisions = org.decisions().unwrap();
        let cases: Vec<_> = org
            .requests
            .iter()
            .zip(&decisions)
            .map(|(r, d)| readable(r, d))
            .collect();
        std::fs::write(
            out.join(format!("{name}.policy.json")),
            serde_json::to_string_pretty(&org.policy).unwrap() + "\n",
        )
        .unwrap();
        std::fs::write(out.join(format!("{name}.rgs")), &org.snapshot).unwrap();
        std::fs::write(
            out.join(format!("{name}.cases.json")),
            serde_json::to_string_pretty(&cases).unwrap() + "\n",
        )
        .unwrap();
        orgs.push(json!({"name": name, "policy": format!("{name}.policy.json"), "snapshot": format!("{name}.rgs"), "cases": format!("{name}.cases.json"), "count": cases.len()}));
    }
    let manifest = json!({
        "version": CONFORMANCE_VERSION,
        "snapshot_format": rolegate_core::FORMAT_VERSION,
        "description": "Policies, snapshots, requests and the reference model's full decisions; every runtime must give exactly these.",
        "organizations": orgs,
    });
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap() + "\n",
    )
    .unwrap();
    println!("wrote the conformance vectors to {}", out.display());
}
