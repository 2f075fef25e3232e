//! Where a publish's time goes, stage by stage, on the S, M and L organizations: a copy of
//! the policy, compiling it to snapshot bytes and signing them (apart, and in one), the
//! SHA-256 of all the bytes, the delta against the previous revision, decoding (what a reader
//! or slice needs, off the publish path) — and what the publisher runs: a `LivePolicy`
//! patching its last compile after a change to one user.
//!
//! `rolegate-bench-publish OUT_DIR [SIZES] [ROUNDS]` writes `OUT_DIR/publish-results.json`.

// A command-line harness: failing loudly is its error handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::time::Instant;

use rolegate_bench::timing::shape;
use rolegate_core::{
    AuditRecord, Change, CompileOptions, LivePolicy, Operation, SigningKeyRef, Snapshot, compile,
    compile_signed, diff, sign,
};
use rolegate_tests::generate;
use serde_json::{Value, json};

/// The median of `rounds` runs of `f`, in milliseconds, and its last result.
fn median<T>(rounds: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(rounds);
    let mut last = None;
    for _ in 0..rounds {
        let started = Instant::now();
        last = Some(f());
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], last.unwrap())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "target/bench-data".into()));
    let sizes = args.next().unwrap_or_else(|| "S,M,L".into());
    let rounds: usize = args.next().map_or(5, |n| n.parse().unwrap());
    std::fs::create_dir_all(&out).unwrap();
    let secret = [7u8; 32];
    let mut rows = Vec::new();
    for size in sizes.split(',') {
        let shape = shape(size);
        let policy = generate::policy(&shape, 0x5eed);
        let options = |revision| CompileOptions {
            revision,
            issued_at: 1_700_000_000,
        };
        let (clone_ms, _) = median(rounds, || policy.clone());
        let key = SigningKeyRef {
            id: "bench",
            secret: &secret,
        };
        let (compile_ms, unsigned) = median(rounds, || compile(&policy, &options(1)).unwrap());
        let (sign_ms, _) = median(rounds, || sign(&unsigned, "bench", &secret).unwrap());
        // What the publisher runs: both in one, the payload hashed once.
        let (signed_ms, old) = median(rounds, || {
            compile_signed(&policy, &options(1), key).unwrap()
        });
        let (sha_ms, _) = median(rounds, || {
            use sha2::{Digest, Sha256};
            Sha256::digest(&old)
        });
        // The next revision: one user renamed, as a typical write changes a little.
        let mut next = policy.clone();
        let middle = next.users.len() / 2;
        next.users[middle].name = "Renamed User".into();
        let new = compile_signed(&next, &options(2), key).unwrap();
        let (diff_ms, delta) = median(rounds, || diff(&old, &new).unwrap());
        let (decode_ms, _) = median(rounds, || Snapshot::decode(&new).unwrap());
        // The publisher: its live policy follows each change (here, one user renamed, as
        // another server's audit record) and patches its last compile.
        let mut live = LivePolicy::new(policy.clone()).unwrap();
        live.compile_signed(&options(policy.revision), key).unwrap();
        let mut user = policy.users[middle].clone();
        let (patch_ms, patched) = median(rounds, || {
            let mut renamed = user.clone();
            renamed.name = format!("Renamed {}", live.revision());
            let change = Change {
                user_before: Some(user.clone()),
                user_after: Some(renamed.clone()),
                ..Change::default()
            };
            let operation = Operation::UpdateUser {
                user: user.id.clone(),
                name: Some(renamed.name.clone()),
                email: None,
                external_id: None,
                active: None,
            };
            let revision = live.revision() + 1;
            let at = 0;
            let actor = "bench".into();
            live.replay(&AuditRecord {
                revision,
                at,
                actor,
                operation,
                change,
            })
            .unwrap();
            user = renamed;
            live.compile_signed(&options(revision), key).unwrap()
        });
        assert_eq!(
            patched,
            compile_signed(live.policy(), &options(live.revision()), key).unwrap()
        );
        assert_eq!(live.patched_snapshots(), rounds as u64);
        let total = clone_ms + signed_ms + sha_ms + diff_ms;
        let patched_total = patch_ms + diff_ms;
        println!(
            "{size}: clone {clone_ms:.1} ms, compile {compile_ms:.1} ms, sign {sign_ms:.1} ms, \
             compile signed {signed_ms:.1} ms, sha256 {sha_ms:.1} ms, diff {diff_ms:.1} ms \
             ({} B delta of {} B), decode {decode_ms:.1} ms; publish path {total:.1} ms; \
             patched compile signed {patch_ms:.1} ms, publisher's path {patched_total:.1} ms",
            delta.len(),
            new.len()
        );
        rows.push(json!({
            "size": size, "users": policy.users.len(), "assignments": policy.assignments.len(),
            "snapshot_bytes": new.len(), "delta_bytes": delta.len(),
            "clone_ms": clone_ms, "compile_ms": compile_ms, "sign_ms": sign_ms,
            "compile_signed_ms": signed_ms, "sha256_ms": sha_ms,
            "diff_ms": diff_ms, "decode_ms": decode_ms, "publish_path_ms": total,
            "patch_ms": patch_ms, "patched_path_ms": patched_total,
        }));
    }
    let body: Value = json!({ "rounds": rounds, "results": rows });
    std::fs::write(
        out.join("publish-results.json"),
        serde_json::to_string_pretty(&body).unwrap(),
    )
    .unwrap();
}
