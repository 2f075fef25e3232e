//! An admin operation in the core at scale: on the S, M and L organizations, an Organization
//! Owner grants and takes away roles, renames and deactivates users — each operation judged
//! and applied by a `LivePolicy` (incremental: it touches what the operation changes), beside
//! the full path it replaced (kept as `rolegate_tests::admin_reference`): plan the operation
//! on a copy of the organization, check the rules and recompile it.
//!
//! `rolegate-bench-admin OUT_DIR [SIZES] [OPS]` writes `OUT_DIR/admin-results.json`.

// A command-line harness: failing loudly is its error handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::time::Instant;

use rolegate_bench::timing::{percentile, shape};
use rolegate_core::{Assignment, LivePolicy, Operation, Policy};
use rolegate_tests::generate::{self, Rng};
use serde_json::{Value, json};

const OWNER: &str = "US0000000000000000000000000000ad01";

/// The operations: grant a role at an account, take it back, rename, deactivate, reactivate.
fn operations(policy: &Policy, n: usize) -> Vec<Operation> {
    let mut rng = Rng::new(0xad);
    let mut ops = Vec::with_capacity(n);
    let held: std::collections::HashSet<(&str, &str, &str)> = policy
        .assignments
        .iter()
        .map(|a| (a.user.as_str(), a.scope.as_str(), a.role.as_str()))
        .collect();
    let mut built_in: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for a in &policy.assignments {
        *built_in.entry(a.user.as_str()).or_default() += 1;
    }
    while ops.len() < n {
        let user = rng.pick(&policy.users).unwrap().id.clone();
        let scope = rng.pick(&policy.accounts).unwrap().id.clone();
        let role = ["studio-viewer", "voice-viewer", "monitor-viewer"][rng.below(3)].to_string();
        // Only grants that are new and within the built-in cap: every operation is accepted.
        if user == OWNER
            || held.contains(&(user.as_str(), scope.as_str(), role.as_str()))
            || built_in.get(user.as_str()).copied().unwrap_or(0) >= 20
        {
            continue;
        }
        ops.push(Operation::Assign {
            user: user.clone(),
            scope: scope.clone(),
            roles: vec![role.clone()],
            resources: vec![],
        });
        ops.push(Operation::RemoveRole {
            user: user.clone(),
            scope,
            role,
            resource: None,
        });
        ops.push(Operation::UpdateUser {
            user: user.clone(),
            name: Some(format!("Renamed {}", ops.len())),
            email: None,
            external_id: None,
            active: Some(false),
        });
        ops.push(Operation::UpdateUser {
            user,
            name: None,
            email: None,
            external_id: None,
            active: Some(true),
        });
    }
    ops.truncate(n);
    ops
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "target/bench-data".into()));
    let sizes = args.next().unwrap_or_else(|| "S,M,L".into());
    let count: usize = args.next().map_or(2000, |n| n.parse().unwrap());
    std::fs::create_dir_all(&out).unwrap();
    let mut rows = Vec::new();
    for size in sizes.split(',') {
        let shape = shape(size);
        let mut policy = generate::policy(&shape, 0x5eed);
        let org = policy.organization.id.clone();
        policy.users.push(rolegate_core::User::new(
            OWNER,
            "Bench Owner",
            "bench.owner@bench.example",
        ));
        policy.assignments.push(Assignment {
            id: "RA0000000000000000000000000000ad01".into(),
            user: OWNER.into(),
            role: "organization-owner".into(),
            scope: org,
            resource: None,
        });
        let ops = operations(&policy, count);

        let started = Instant::now();
        let mut live = LivePolicy::new(policy.clone()).unwrap();
        let index_ms = started.elapsed().as_secs_f64() * 1e3;
        let mut us = Vec::with_capacity(ops.len());
        for op in &ops {
            let started = Instant::now();
            live.apply(OWNER, op, 1).unwrap();
            us.push(started.elapsed().as_secs_f64() * 1e6);
        }
        // By kind (the operations cycle grant, take back, rename + deactivate, reactivate).
        let kinds = ["grant", "take back", "rename + deactivate", "reactivate"];
        let by_kind: Vec<Value> = kinds
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let mut mine: Vec<f64> = us.iter().skip(k).step_by(4).copied().collect();
                mine.sort_by(f64::total_cmp);
                json!({"kind": name, "p50_us": percentile(&mine, 0.5), "p99_us": percentile(&mine, 0.99)})
            })
            .collect();
        us.sort_by(f64::total_cmp);

        // The plain path, a few times: planning on a copy and recompiling.
        let plain_n = if size == "L" { 5 } else { 20 };
        let mut plain = Vec::with_capacity(plain_n);
        let mut p = policy.clone();
        for op in ops.iter().take(plain_n) {
            let started = Instant::now();
            let planned = rolegate_tests::admin_reference::plan(&p, OWNER, op);
            assert!(planned.violations.is_empty(), "{:?}", planned.violations);
            p = planned.after;
            plain.push(started.elapsed().as_secs_f64() * 1e6);
        }
        plain.sort_by(f64::total_cmp);
        let (p50, p99, full) = (
            percentile(&us, 0.5),
            percentile(&us, 0.99),
            percentile(&plain, 0.5),
        );
        println!(
            "{size}: live p50 {p50:.1} µs, p99 {p99:.1} µs over {} ops (indexing once: {index_ms:.0} ms); \
             plan + recompile p50 {:.1} ms ({:.0}× the live p50)",
            us.len(),
            full / 1e3,
            full / p50
        );
        rows.push(json!({
            "size": size, "users": policy.users.len(), "assignments": policy.assignments.len(),
            "ops": us.len(), "live_p50_us": p50, "live_p99_us": p99, "live_max_us": us[us.len() - 1],
            "index_ms": index_ms, "plain_runs": plain.len(), "plain_p50_us": full, "by_kind": by_kind,
        }));
    }
    let body: Value = json!({ "results": rows });
    std::fs::write(
        out.join("admin-results.json"),
        serde_json::to_string_pretty(&body).unwrap(),
    )
    .unwrap();
}
