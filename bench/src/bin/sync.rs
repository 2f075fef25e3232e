//! Write-to-decision latency: how long after an administrator's write through the `/v1` API
//! the enforcement points decide differently. One in-process `rolegate serve` (SQLite) holds
//! the M organization; a wasmtime host `Syncer` and an npm `SnapshotLoader` (in a Node child,
//! `bench/node/sync.mjs`) each watch it with long polls and, beside them, poll it with
//! `If-None-Match` every `POLL_MS`. Each write alternately grants and takes away one role; the
//! clock starts just before the write is sent and stops when the decision has flipped.
//!
//! With `WATCHERS` > 0, that many more clients watch the organization's deltas with long
//! polls the whole time (as a fleet of enforcement points would), and the server is set to
//! hold them all.
//!
//! `rolegate-bench-sync OUT_DIR [WRITES] [SIZE] [WATCHERS]` writes
//! `OUT_DIR/sync-results.json` (M, no crowd) or `OUT_DIR/sync-results-{SIZE}[-{WATCHERS}].json`.

// A command-line harness: failing loudly is its error handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rolegate_bench::api::Client;
use rolegate_bench::timing::{percentile, shape};
use rolegate_core::{Assignment, Request, Trust, TrustedKey, User};
use rolegate_host::{ClientCredentials, Engine, EngineConfig, Source, SyncConfig, Syncer};
use rolegate_tests::generate;
use serde_json::{Value, json};

/// The polling interval the ETag rows use.
const POLL_MS: u64 = 1000;
/// The administrator the writes are made as, and the user they change.
const ADMIN: &str = "US0000000000000000000000000000ad01";
const SUBJECT: &str = "US00000000000000000000000000005b01";
const PERMISSION: &str = "voice/calls/create";

fn summary(name: &str, runtime: &str, mode: &str, mut ms: Vec<f64>) -> Value {
    ms.sort_by(f64::total_cmp);
    println!(
        "{name:>24}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} writes",
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms[ms.len() - 1],
        ms.len()
    );
    json!({
        "name": name, "runtime": runtime, "mode": mode, "writes": ms.len(),
        "p50_ms": percentile(&ms, 0.5), "p99_ms": percentile(&ms, 0.99), "max_ms": ms[ms.len() - 1],
    })
}

fn unhex(text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// A crowd of `n` clients watching `org_url`'s deltas with long polls until `stop`; how
/// many answers they got.
fn crowd(
    runtime: &tokio::runtime::Runtime,
    n: usize,
    org_url: &str,
    bearer: &str,
    from: u64,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> Vec<tokio::task::JoinHandle<usize>> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(n)
        .build()
        .unwrap();
    (0..n)
        .map(|_| {
            let (http, org_url, bearer, stop) = (
                http.clone(),
                org_url.to_string(),
                bearer.to_string(),
                stop.clone(),
            );
            runtime.spawn(async move {
                let (mut base, mut answers) = (from, 0);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let Ok(r) = http
                        .get(format!("{org_url}/snapshot.delta-{base}?wait=20"))
                        .header("Authorization", &bearer)
                        .send()
                        .await
                    else {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    };
                    let revision = r
                        .headers()
                        .get("x-rolegate-revision")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok());
                    let ok = r.status().is_success();
                    let _ = r.bytes().await;
                    match revision {
                        Some(rev) if ok && rev > base => {
                            base = rev;
                            answers += 1;
                        }
                        _ if !ok => tokio::time::sleep(Duration::from_millis(200)).await,
                        _ => {}
                    }
                }
                answers
            })
        })
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "target/bench-data".into()));
    let writes: usize = args.next().map_or(200, |n| n.parse().unwrap());
    let size = args.next().unwrap_or_else(|| "M".into());
    let watchers: usize = args.next().map_or(0, |n| n.parse().unwrap());
    std::fs::create_dir_all(&out).unwrap();
    let shape = shape(&size);

    // The organization, with an Organization Owner to write as and a user to change.
    let mut policy = generate::policy(&shape, 0x5eed);
    let org = policy.organization.id.clone();
    let scope = policy.accounts[0].id.clone();
    for (id, name) in [(ADMIN, "Bench Admin"), (SUBJECT, "Bench Subject")] {
        policy.users.push(User::new(
            id,
            name,
            format!("{}@bench.example", name.to_lowercase().replace(' ', ".")),
        ));
    }
    policy.assignments.push(Assignment {
        id: "RA0000000000000000000000000000ad01".into(),
        user: ADMIN.into(),
        role: "organization-owner".into(),
        scope: org.clone(),
        resource: None,
    });

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = tempfile::tempdir().unwrap();
    let server = runtime
        .block_on(rolegate_server::start(rolegate_server::ServeOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            db_url: Some(db.path().join("bench.db").display().to_string()),
            max_watchers: watchers + 1024,
            ..Default::default()
        }))
        .unwrap();
    runtime.block_on(server.import(&policy, "bench")).unwrap();
    let base = server.url();
    // The same client's credentials sign in the enforcement points below.
    let client = runtime
        .block_on(server.create_client(&org, ADMIN, "bench"))
        .unwrap();
    let Client {
        http,
        org_url,
        bearer,
    } = Client::login(&base, &org, &client.client_id, &client.client_secret);
    let keys: Value = http
        .get(format!("{org_url}/keys"))
        .header("Authorization", &bearer)
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let key = &keys["keys"][0];
    let trust = Trust {
        organization: Some(org.clone()),
        ..Trust::signed_by(vec![TrustedKey {
            id: key["id"].as_str().unwrap().into(),
            public: unhex(key["public_key_hex"].as_str().unwrap()),
        }])
    };

    // The enforcement points: host watching and polling; npm in a Node child, the same two.
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let credentials = ClientCredentials {
        token_url: format!("{base}/v1/token"),
        client_id: client.client_id.clone(),
        client_secret: client.client_secret.clone(),
    };
    let syncer = |watch: Option<Duration>| {
        Arc::new(Syncer::start(
            &engine,
            SyncConfig {
                trust: trust.clone(),
                credentials: Some(credentials.clone()),
                watch,
                interval: Duration::from_millis(POLL_MS),
                ..SyncConfig::new(Source::Http(format!("{org_url}/snapshot")))
            },
        ))
    };
    let host_watch = syncer(Some(Duration::from_secs(30)));
    let host_poll = syncer(None);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node/sync.mjs");
    let mut node = Command::new("node")
        .arg(&script)
        .args([
            format!("{org_url}/snapshot"),
            format!("{base}/v1/token"),
            client.client_id.clone(),
            client.client_secret.clone(),
            serde_json::to_string(&keys["keys"]).unwrap(),
            org.clone(),
            SUBJECT.into(),
            PERMISSION.into(),
            scope.clone(),
            POLL_MS.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node");
    let mut to_node = node.stdin.take().unwrap();
    let mut from_node = BufReader::new(node.stdout.take().unwrap()).lines();
    assert_eq!(from_node.next().unwrap().unwrap(), "ready");
    let start = server.store().clone();
    let first = runtime.block_on(start.revision(&org)).unwrap().unwrap();
    for s in [&host_watch, &host_poll] {
        assert!(s.wait_for_revision(first, Duration::from_secs(60)));
    }

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let crowd = crowd(&runtime, watchers, &org_url, &bearer, first, stop.clone());
    if watchers > 0 {
        // Let the crowd connect.
        std::thread::sleep(Duration::from_secs(3));
    }

    let allowed = |s: &Syncer| {
        s.authorizer()
            .unwrap()
            .can(&Request::new(SUBJECT, PERMISSION, &scope))
            .unwrap()
    };
    let mut times: [Vec<f64>; 4] = Default::default();
    let mut write_ms = Vec::new();
    for i in 0..writes {
        let grant = i % 2 == 0;
        writeln!(to_node, "go {}", u8::from(grant)).unwrap();
        assert_eq!(from_node.next().unwrap().unwrap(), "armed");
        let t0 = Instant::now();
        let mut response = if grant {
            http.post(format!("{org_url}/users/{SUBJECT}/assignments"))
                .header("Authorization", &bearer)
                .send_json(json!({"scope": scope, "roles": ["developer"]}))
        } else {
            http.delete(format!(
                "{org_url}/users/{SUBJECT}/scopes/{scope}/roles/developer"
            ))
            .header("Authorization", &bearer)
            .call()
        }
        .unwrap();
        let body: Value = response.body_mut().read_json().unwrap();
        assert!(response.status().is_success(), "{body}");
        write_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        let revision = body["revision"].as_u64().unwrap();
        for (k, s) in [&host_watch, &host_poll].into_iter().enumerate() {
            assert!(s.wait_for_revision(revision, Duration::from_secs(60)));
            assert_eq!(allowed(s), grant, "write {i}");
            times[k].push(t0.elapsed().as_secs_f64() * 1e3);
        }
        // Node's two times, measured from its own clock started just before the write.
        let line = from_node.next().unwrap().unwrap();
        let mut parts = line.split(' ').map(|v| v.parse::<f64>().unwrap());
        times[2].push(parts.next().unwrap());
        times[3].push(parts.next().unwrap());
    }
    drop(to_node);
    let _ = node.wait();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let crowd_answers: usize = crowd
        .into_iter()
        .map(|t| runtime.block_on(t).unwrap_or(0))
        .sum();

    println!(
        "write-to-decision latency, {size} organization, {writes} writes, {watchers} more \
         watchers ({crowd_answers} answers to them):"
    );
    let [hw, hp, nw, np] = times;
    let rows = vec![
        summary("API write acknowledged", "HTTP", "—", write_ms),
        summary("host Syncer, watch", "Rust (wasmtime)", "watch", hw),
        summary("npm SnapshotLoader, watch", "Node (npm)", "watch", nw),
        summary("host Syncer, ETag polling", "Rust (wasmtime)", "poll", hp),
        summary("npm SnapshotLoader, ETag polling", "Node (npm)", "poll", np),
    ];
    let snapshot = runtime.block_on(start.latest_snapshot(&org)).unwrap();
    let name = match (size.as_str(), watchers) {
        ("M", 0) => "sync-results.json".to_string(),
        (size, 0) => format!("sync-results-{size}.json"),
        (size, n) => format!("sync-results-{size}-{n}.json"),
    };
    std::fs::write(
        out.join(name),
        serde_json::to_string_pretty(&json!({
            "organization": { "size": size, "users": policy.users.len(), "assignments": policy.assignments.len(),
                "snapshot_bytes": snapshot.map(|s| s.bytes.len()) },
            "writes": writes,
            "poll_ms": POLL_MS,
            "watchers": watchers,
            "watcher_answers": crowd_answers,
            "rows": rows,
        }))
        .unwrap(),
    )
    .unwrap();
    drop((host_watch, host_poll));
    runtime.block_on(server.stop()).unwrap();
}
