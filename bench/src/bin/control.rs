//! The control plane at scale, measured: importing the L organization (wall time and peak
//! memory of `rolegate-server import`), publishing at S, M and L (from an acknowledged write
//! to its signed snapshot and delta being served; their sizes), 16 concurrent API writers on
//! the L organization on SQLite and on PostgreSQL (acknowledged writes per second, write
//! latency, nothing lost, the audit chain verified), and two replicas on one PostgreSQL (a
//! write through one seen by a watcher on the other; 16 writers split over both).
//!
//! `rolegate-bench-control OUT_DIR [SIZES] [SECONDS] [PARTS]` writes
//! `OUT_DIR/control-results.json`; PARTS is any of `import,publish,writers,replicas` (all by
//! default), and a part not run keeps its figures from an earlier run.
//! PostgreSQL comes from a throwaway cluster (`initdb`/`pg_ctl` of Debian's `postgresql`).

// A command-line harness: failing loudly is its error handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rolegate_bench::api::Client;
use rolegate_bench::timing::{percentile, shape};
use rolegate_core::{Assignment, Policy, User};
use rolegate_server::{ServeOptions, Server};
use rolegate_tests::generate::{self, Rng};
use rolegate_tests::pg::Cluster;
use serde_json::{Value, json};

const OWNER: &str = "US0000000000000000000000000000ad01";

/// The organization of `size`, with an Organization Owner to write as.
fn organization(size: &str) -> Policy {
    let mut p = generate::policy(&shape(size), 0x5eed);
    let org = p.organization.id.clone();
    p.users
        .push(User::new(OWNER, "Bench Owner", "bench.owner@bench.example"));
    p.assignments.push(Assignment {
        id: "RA0000000000000000000000000000ad01".into(),
        user: OWNER.into(),
        role: "organization-owner".into(),
        scope: org,
        resource: None,
    });
    p
}

fn start(runtime: &tokio::runtime::Runtime, db_url: &str) -> Server {
    runtime
        .block_on(rolegate_server::start(ServeOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            db_url: Some(db_url.to_string()),
            ..Default::default()
        }))
        .unwrap()
}

/// Peak resident memory of a running process, in KiB (its high-water mark so far).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// `rolegate-server import` of the L organization: wall time and peak memory.
fn import(out: &Path, server_bin: &Path, db_url: &str, label: &str) -> Value {
    let policy = organization("L");
    let file = out.join("L.policy.json");
    std::fs::write(&file, serde_json::to_vec(&policy).unwrap()).unwrap();
    let started = Instant::now();
    let mut child = Command::new(server_bin)
        .args(["import", "--db", db_url, "--policy"])
        .arg(&file)
        .spawn()
        .expect("rolegate-server (cargo build --release -p rolegate-server)");
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "import failed");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "import of L ({label}): {seconds:.1} s, peak {:.0} MiB ({} users, {} assignments)",
        peak as f64 / 1024.0,
        policy.users.len(),
        policy.assignments.len()
    );
    json!({"database": label, "seconds": seconds, "peak_mib": peak as f64 / 1024.0,
           "users": policy.users.len(), "assignments": policy.assignments.len()})
}

/// From an acknowledged write to its signed snapshot, and the delta to it, being served.
fn publish(runtime: &tokio::runtime::Runtime, size: &str, writes: usize) -> Value {
    let policy = organization(size);
    let org = policy.organization.id.clone();
    let db = tempfile::tempdir().unwrap();
    let server = start(runtime, &db.path().join("bench.db").display().to_string());
    runtime.block_on(server.import(&policy, "bench")).unwrap();
    let c = Client::new(runtime, &server, &org, OWNER);
    let first = runtime
        .block_on(server.store().revision(&org))
        .unwrap()
        .unwrap();
    let (status, _, snapshot_bytes) = c.get(&format!("/snapshot?after={}&wait=120", first - 1));
    assert_eq!(status, 200);
    let user = policy.users[policy.users.len() / 2].id.clone();
    let scope = policy.accounts[0].id.clone();
    let mut ms = Vec::new();
    let mut delta_bytes = 0;
    for i in 0..writes {
        let (status, revision) = c.toggle(&user, &scope, "studio-viewer", i % 2 == 0);
        assert!(status < 300, "write {i}: {status}");
        let acked = Instant::now();
        let (status, served, _) = c.get(&format!("/snapshot?after={}&wait=60", revision - 1));
        assert!(status == 200 && served >= revision, "{status} {served}");
        let (status, _, len) = c.get(&format!("/snapshot.delta-{}", revision - 1));
        ms.push(acked.elapsed().as_secs_f64() * 1e3);
        if status == 200 {
            delta_bytes = delta_bytes.max(len);
        }
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "publish at {size}: p50 {:.0} ms, p99 {:.0} ms from commit to snapshot and delta \
         served; snapshot {snapshot_bytes} B, delta {delta_bytes} B",
        percentile(&ms, 0.5),
        percentile(&ms, 0.99)
    );
    runtime.block_on(server.stop()).unwrap();
    json!({"size": size, "writes": writes, "p50_ms": percentile(&ms, 0.5),
           "p99_ms": percentile(&ms, 0.99), "snapshot_bytes": snapshot_bytes,
           "delta_bytes": delta_bytes})
}

/// `n` writers for `seconds` through `clients` (round robin), each toggling roles of its own
/// users: acknowledged writes per second, latency, and whether every one is in the audit log.
fn writers(
    runtime: &tokio::runtime::Runtime,
    clients: Vec<Arc<Client>>,
    policy: &Policy,
    db_url: &str,
    n: usize,
    seconds: u64,
    label: &str,
) -> Value {
    let org = policy.organization.id.clone();
    let start_revision = runtime.block_on(async {
        let store = rolegate_server::Store::open(db_url).await.unwrap();
        let r = store.revision(&org).await.unwrap().unwrap();
        store.close().await;
        r
    });
    let scopes: Vec<String> = policy.accounts.iter().map(|a| a.id.clone()).collect();
    let until = Instant::now() + Duration::from_secs(seconds);
    let handles: Vec<_> = (0..n)
        .map(|w| {
            let c = clients[w % clients.len()].clone();
            // Each writer its own users, so writers never contend on one user's roles.
            let users: Vec<String> = policy
                .users
                .iter()
                .skip(w)
                .step_by(n)
                .take(200)
                .map(|u| u.id.clone())
                .collect();
            let scopes = scopes.clone();
            std::thread::spawn(move || {
                let mut rng = Rng::new(w as u64);
                let mut ms = Vec::new();
                let mut revisions = Vec::new();
                while Instant::now() < until {
                    let user = rng.pick(&users).unwrap();
                    let scope = rng.pick(&scopes).unwrap();
                    for grant in [true, false] {
                        let t0 = Instant::now();
                        let (status, revision) = c.toggle(user, scope, "monitor-viewer", grant);
                        match status {
                            200 | 201 => {
                                ms.push(t0.elapsed().as_secs_f64() * 1e3);
                                revisions.push(revision);
                            }
                            // Already held, or not held: the generated data's own.
                            409 => {}
                            other => panic!("write refused: {other}"),
                        }
                    }
                }
                (ms, revisions)
            })
        })
        .collect();
    let started = Instant::now();
    let mut ms = Vec::new();
    let mut revisions = Vec::new();
    for h in handles {
        let (m, r) = h.join().unwrap();
        ms.extend(m);
        revisions.extend(r);
    }
    let elapsed = started.elapsed().as_secs_f64();
    ms.sort_by(f64::total_cmp);
    revisions.sort_unstable();
    let distinct = {
        let mut d = revisions.clone();
        d.dedup();
        d.len()
    };
    let report = runtime
        .block_on(rolegate_server::verify_audit(db_url, &org))
        .unwrap();
    let contiguous = report.revision == start_revision + revisions.len() as u64;
    let per_second = revisions.len() as f64 / elapsed;
    println!(
        "{n} writers on {label}: {per_second:.0} acknowledged writes/s, p50 {:.1} ms, p99 {:.1} ms; \
         {} writes, {} lost, audit chain {}",
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        revisions.len(),
        if distinct == revisions.len() && contiguous {
            0
        } else {
            1
        },
        if report.ok() { "verified" } else { "BROKEN" }
    );
    json!({"database": label, "writers": n, "seconds": elapsed, "writes": revisions.len(),
           "writes_per_second": per_second, "p50_ms": percentile(&ms, 0.5),
           "p99_ms": percentile(&ms, 0.99), "lost": revisions.len() - distinct + usize::from(!contiguous),
           "audit_verified": report.ok()})
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "target/bench-data".into()));
    let sizes = args.next().unwrap_or_else(|| "S,M,L".into());
    let seconds: u64 = args.next().map_or(20, |n| n.parse().unwrap());
    let parts = args
        .next()
        .unwrap_or_else(|| "import,publish,writers,replicas".into());
    let run = |part: &str| parts.split(',').any(|p| p == part);
    std::fs::create_dir_all(&out).unwrap();
    let server_bin =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/rolegate-server");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let pg = Arc::new(Cluster::durable());
    let file = out.join("control-results.json");
    let mut results: Value = std::fs::read(&file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| json!({}));

    // Import of L (which the writers then write to).
    let sqlite = tempfile::tempdir().unwrap();
    let sqlite_url = sqlite.path().join("l.db").display().to_string();
    let pg_url = pg.database();
    if run("import") || run("writers") {
        results["import"] = json!([
            import(&out, &server_bin, &sqlite_url, "SQLite"),
            import(&out, &server_bin, &pg_url, "PostgreSQL"),
        ]);
    }
    if run("publish") {
        results["publish"] = Value::Array(
            sizes
                .split(',')
                .map(|s| publish(&runtime, s, if s == "L" { 10 } else { 20 }))
                .collect(),
        );
    }
    // 16 writers on L, on each database.
    if run("writers") {
        let policy = organization("L");
        let org = policy.organization.id.clone();
        let mut rows = Vec::new();
        for (url, label) in [(&sqlite_url, "SQLite"), (&pg_url, "PostgreSQL")] {
            let server = start(&runtime, url);
            let client = Arc::new(Client::new(&runtime, &server, &org, OWNER));
            rows.push(writers(
                &runtime,
                vec![client],
                &policy,
                url,
                16,
                seconds,
                label,
            ));
            runtime.block_on(server.stop()).unwrap();
        }
        results["writers"] = Value::Array(rows);
    }
    if run("replicas") {
        results["replicas"] = replicas(&runtime, &pg, seconds);
    }
    std::fs::write(&file, serde_json::to_string_pretty(&results).unwrap()).unwrap();
}

/// Two replicas on one PostgreSQL database, with the M organization: a write through one
/// seen by a watcher on the other; 16 writers split over both.
fn replicas(runtime: &tokio::runtime::Runtime, pg: &Cluster, seconds: u64) -> Value {
    let m = organization("M");
    let m_org = m.organization.id.clone();
    let url = pg.database();
    let a = start(runtime, &url);
    runtime.block_on(a.import(&m, "bench")).unwrap();
    let b = start(runtime, &url);
    let (ca, cb) = (
        Arc::new(Client::new(runtime, &a, &m_org, OWNER)),
        Arc::new(Client::new(runtime, &b, &m_org, OWNER)),
    );
    let first = runtime
        .block_on(a.store().revision(&m_org))
        .unwrap()
        .unwrap();
    assert_eq!(
        cb.get(&format!("/snapshot?after={}&wait=60", first - 1)).0,
        200
    );
    let user = m.users[7].id.clone();
    let scope = m.accounts[0].id.clone();
    let mut ms = Vec::new();
    for i in 0..50 {
        let revision = runtime
            .block_on(b.store().revision(&m_org))
            .unwrap()
            .unwrap();
        let watcher = {
            let cb = cb.clone();
            std::thread::spawn(move || cb.get(&format!("/snapshot?after={revision}&wait=60")))
        };
        std::thread::sleep(Duration::from_millis(50));
        let t0 = Instant::now();
        let (status, written) = ca.toggle(&user, &scope, "studio-viewer", i % 2 == 0);
        assert!(status < 300);
        let (status, seen, _) = watcher.join().unwrap();
        assert!(status == 200 && seen >= written);
        ms.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "two replicas: a write through A seen by a watcher on B after p50 {:.0} ms, p99 {:.0} ms",
        percentile(&ms, 0.5),
        percentile(&ms, 0.99)
    );
    let split = writers(
        runtime,
        vec![ca, cb],
        &m,
        &url,
        16,
        seconds.min(10),
        "PostgreSQL, two replicas",
    );
    runtime.block_on(a.stop()).unwrap();
    runtime.block_on(b.stop()).unwrap();
    json!({"size": "M", "write_to_other_replica_p50_ms": percentile(&ms, 0.5),
        "write_to_other_replica_p99_ms": percentile(&ms, 0.99), "writers": split})
}
