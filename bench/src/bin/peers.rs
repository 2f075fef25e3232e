//! rolegate natively and through wasmtime, beside Cedar (`cedar-policy`) and Casbin (the
//! `casbin` crate), on the organizations `rolegate-bench-data` wrote: every engine's
//! decisions against the reference model's first, then load time, single-check latency and
//! batch throughput. Writes `DIR/rust-results.json` for `bench/report.mjs`.
//!
//! `cargo run --release -p rolegate-bench --bin rolegate-bench-peers -- DIR [S,M,L]`

// A command-line harness: failing loudly is its error handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use rolegate_bench::peers::{CasbinPeer, CedarPeer, casbin_rules, cedar_entities, cedar_policies};
use rolegate_bench::timing::{once_ms, per_call};
use rolegate_bench::{BenchRequest, Translation};
use rolegate_core::{CompileOptions, Policy, Request, Snapshot, compile};
use rolegate_host::{Authorizer, Engine, EngineConfig};
use serde_json::{Value, json};

/// Requests per batch.
const BATCH: usize = 1000;

struct Org {
    name: String,
    json: Vec<u8>,
    policy: Policy,
    snapshot: Vec<u8>,
    requests: Vec<BenchRequest>,
}

fn read(dir: &Path, name: &str) -> Org {
    let json = std::fs::read(dir.join(format!("{name}.json"))).unwrap();
    let requests: Vec<BenchRequest> =
        serde_json::from_slice(&std::fs::read(dir.join(format!("{name}.requests.json"))).unwrap())
            .unwrap();
    Org {
        name: name.to_string(),
        policy: serde_json::from_slice(&json).unwrap(),
        json,
        snapshot: std::fs::read(dir.join(format!("{name}.rgs"))).unwrap(),
        requests,
    }
}

/// One engine's results on one organization.
struct Row {
    engine: &'static str,
    api: &'static str,
    load_ms: Option<f64>,
    single_ns: f64,
    batch_per_s: f64,
    batch_api: bool,
    mismatches: usize,
}

impl Row {
    fn json(&self, org: &str) -> Value {
        json!({
            "size": org, "runtime": "Rust", "engine": self.engine, "api": self.api,
            "load_ms": self.load_ms, "single_ns": self.single_ns, "batch_per_s": self.batch_per_s,
            "batch_api": self.batch_api, "mismatches": self.mismatches,
        })
    }
}

/// Measures an engine answering `allows(i)` for request `i`: its mismatches against the
/// reference, single-check latency cycling through every request, and (without a batch API)
/// throughput as a loop over 1,000 requests.
fn measure(
    org: &Org,
    engine: &'static str,
    api: &'static str,
    load_ms: Option<f64>,
    allows: impl Fn(usize) -> bool,
) -> Row {
    let n = org.requests.len();
    let mismatches = (0..n)
        .filter(|&i| allows(i) != org.requests[i].allowed)
        .count();
    let single_ns = per_call(|i| allows(i % n));
    let per_batch = per_call(|_| (0..BATCH).filter(|&i| allows(i % n)).count() > 0);
    eprintln!("  {engine} {api}: {single_ns:.0} ns, {mismatches} mismatches");
    Row {
        engine,
        api,
        load_ms,
        single_ns,
        batch_per_s: BATCH as f64 / (per_batch * 1e-9),
        batch_api: false,
        mismatches,
    }
}

fn rolegate_native(org: &Org, requests: &[Request<'_>]) -> Vec<Row> {
    let load = once_ms(|| Snapshot::decode(&org.snapshot).unwrap());
    let s = Snapshot::decode(&org.snapshot).unwrap();
    vec![
        measure(org, "rolegate native", "can", Some(load), |i| {
            s.can(&requests[i])
        }),
        measure(org, "rolegate native", "check", Some(load), |i| {
            s.check(&requests[i]).allowed
        }),
    ]
}

fn rolegate_wasmtime(org: &Org, requests: &[Request<'_>], engine: &Engine) -> Vec<Row> {
    let load = once_ms(|| Authorizer::unsigned(engine, &org.snapshot).unwrap());
    let host = Authorizer::unsigned(engine, &org.snapshot).unwrap();
    let can = measure(org, "rolegate wasmtime", "can", Some(load), |i| {
        host.can(&requests[i]).unwrap()
    });
    let mut check = measure(org, "rolegate wasmtime", "check", Some(load), |i| {
        host.check(&requests[i]).unwrap().allowed
    });
    // The batch API: one guest call per 1,000 requests, checked against the reference too.
    let n = requests.len();
    let batch: Vec<Request<'_>> = (0..BATCH).map(|i| requests[i % n]).collect();
    let answers = host.check_batch(&batch).unwrap();
    check.mismatches += (0..BATCH)
        .filter(|&i| answers[i] != org.requests[i % n].allowed)
        .count();
    let per_batch = per_call(|_| !host.check_batch(&batch).unwrap().is_empty());
    check.batch_per_s = BATCH as f64 / (per_batch * 1e-9);
    check.batch_api = true;
    vec![can, check]
}

fn cedar(org: &Org, t: &Translation) -> Row {
    let text = cedar_policies(t);
    let users = org.policy.users.iter().map(|u| u.id.clone());
    let entities = serde_json::to_string(&cedar_entities(t, users)).unwrap();
    let load = once_ms(|| CedarPeer::load(&text, &entities));
    let peer = CedarPeer::load(&text, &entities);
    let requests: Vec<_> = org.requests.iter().map(|r| peer.request(t, r)).collect();
    measure(org, "Cedar", "is_authorized", Some(load), |i| {
        peer.allows(&requests[i])
    })
}

fn casbin(org: &Org, t: &Translation) -> Row {
    let (policies, groupings) = casbin_rules(t);
    let load = once_ms(|| CasbinPeer::load(policies.clone(), groupings.clone()));
    let peer = CasbinPeer::load(policies, groupings);
    let args: Vec<_> = org
        .requests
        .iter()
        .map(|r| CasbinPeer::args(t, r))
        .collect();
    measure(org, "Casbin", "enforce", Some(load), |i| {
        peer.allows(&args[i])
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "target/bench-data".into()));
    let sizes = args.next().unwrap_or_else(|| "S,M,L".into());
    let engine = Engine::new(EngineConfig {
        cache_dir: None,
        ..EngineConfig::default()
    })
    .unwrap();
    let mut rows = Vec::new();
    let mut orgs = Vec::new();
    for name in sizes.split(',') {
        let org = read(&dir, name);
        eprintln!("{name}: {} requests", org.requests.len());
        let requests: Vec<Request<'_>> =
            org.requests.iter().map(BenchRequest::as_request).collect();
        let parse_ms = once_ms(|| serde_json::from_slice::<Policy>(&org.json).unwrap());
        let options = CompileOptions {
            revision: org.policy.revision,
            issued_at: 0,
        };
        let compile_ms = once_ms(|| {
            let policy: Policy = serde_json::from_slice(&org.json).unwrap();
            Snapshot::decode(&compile(&policy, &options).unwrap()).unwrap()
        });
        let decode_ms = once_ms(|| Snapshot::decode(&org.snapshot).unwrap());
        orgs.push(json!({
            "size": name,
            "users": org.policy.users.len(),
            "accounts": org.policy.accounts.len(),
            "subaccounts": org.policy.subaccounts.len(),
            "assignments": org.policy.assignments.len(),
            "requests": org.requests.len(),
            "allowed": org.requests.iter().filter(|r| r.allowed).count(),
            "json_bytes": org.json.len(),
            "snapshot_bytes": org.snapshot.len(),
            "json_parse_ms": parse_ms,
            "json_compile_ms": compile_ms,
            "snapshot_decode_ms": decode_ms,
        }));
        let mut measured = rolegate_native(&org, &requests);
        measured.extend(rolegate_wasmtime(&org, &requests, &engine));
        let t = Translation::new(&org.policy);
        measured.push(cedar(&org, &t));
        measured.push(casbin(&org, &t));
        rows.extend(measured.iter().map(|r| r.json(&org.name)));
    }
    let out = dir.join("rust-results.json");
    let results = json!({ "organizations": orgs, "rows": rows });
    std::fs::write(&out, serde_json::to_vec_pretty(&results).unwrap()).unwrap();
    eprintln!("→ {}", out.display());
}
