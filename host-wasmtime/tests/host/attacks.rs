//! The trust chain under attack, in the wasmtime host: each test pins one hardening and
//! fails on the code before it.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rolegate_core::{Snapshot, Trust, TrustedKey, public_key, sign};
use rolegate_host::{Authorizer, Source, SyncConfig, Syncer};
use rolegate_tests::attacks::{bomb_base, delta_bomb};

use crate::{acme_at, engine};

const SECRET: [u8; 32] = [7; 32];

fn keys() -> Trust {
    Trust::signed_by(vec![TrustedKey {
        id: "k".into(),
        public: public_key(&SECRET),
    }])
}

/// The resident set of this process, in bytes (Linux).
fn resident() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

#[test]
fn a_delta_bomb_is_refused_without_growing_a_serving_instance() {
    let base = bomb_base();
    let host = Authorizer::unsigned(&engine(), &base).unwrap();
    let bomb = delta_bomb(&base, 10_000);
    let user = Snapshot::decode(&base)
        .unwrap()
        .users()
        .next()
        .unwrap()
        .id
        .to_string();
    let request = rolegate_core::Request::new(&user, "iam/users/read", "ORnowhere");
    host.can(&request).unwrap();
    let before = resident();
    let started = Instant::now();
    let e = host.apply_delta(&bomb).unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.code(), "delta-too-large", "{e:?}");
    // The bomb never reached a serving instance: the pool still answers, and this process
    // grew by far less than the gigabyte the bomb asks for.
    host.can(&request).unwrap();
    let grown = resident().saturating_sub(before);
    assert!(grown < 64 << 20, "resident memory grew by {grown} bytes");
    eprintln!(
        "host: a {}-byte delta bomb refused in {took:?}, resident memory +{} KiB",
        bomb.len(),
        grown / 1024
    );
    // With keys it is refused on its envelope: unsigned.
    let trusting = Authorizer::with_trust(
        &engine(),
        &sign(&base, "k", &SECRET).unwrap(),
        keys(),
        1_700_000_100,
    )
    .unwrap();
    let signed_base_bomb = delta_bomb(&trusting.snapshot_bytes(), 10_000);
    assert_eq!(
        trusting.apply_delta(&signed_base_bomb).unwrap_err().code(),
        "unsigned"
    );
}

#[test]
fn a_host_refuses_a_signed_slice_as_its_snapshot() {
    let full = sign(&acme_at(5), "k", &SECRET).unwrap();
    let user = Snapshot::decode(&full)
        .unwrap()
        .users()
        .next()
        .unwrap()
        .id
        .to_string();
    let slice = sign(
        &Snapshot::decode(&full).unwrap().slice(&user).unwrap(),
        "k",
        &SECRET,
    )
    .unwrap();
    let e = Authorizer::with_trust(&engine(), &slice, keys(), 1_800_000_000).unwrap_err();
    assert_eq!(e.code(), "wrong-kind");
    let host = Authorizer::with_trust(&engine(), &full, keys(), 1_800_000_000).unwrap();
    assert_eq!(host.replace(&slice).unwrap_err().code(), "wrong-kind");
    assert_eq!(host.revision(), 5);
}

/// A server whose snapshot answers come from a script — (delay, body) in order — and whose
/// every other path is 404: slow and fast answers, in an order an attacker (or a stale CDN
/// edge) chooses.
struct Scripted {
    port: u16,
}

impl Scripted {
    fn start(script: Vec<(Duration, Vec<u8>)>) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let script = Arc::new(Mutex::new(script.into_iter()));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let script = script.clone();
                std::thread::spawn(move || {
                    let mut line = String::new();
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    reader.read_line(&mut line).unwrap_or(0);
                    while let Ok(n) = reader.read_line(&mut String::new()) {
                        if n <= 2 {
                            break;
                        }
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                    let answer = if path == "/acme.rgs" {
                        script.lock().unwrap().next()
                    } else {
                        None
                    };
                    let (status, body) = match answer {
                        Some((delay, body)) => {
                            std::thread::sleep(delay);
                            ("200 OK", body)
                        }
                        None => ("404 Not Found", Vec::new()),
                    };
                    let head = format!(
                        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(&body);
                });
            }
        });
        Scripted { port }
    }
}

#[test]
fn racing_pulls_never_commit_an_older_revision() {
    let signed = |r| sign(&acme_at(r), "k", &SECRET).unwrap();
    let server = Scripted::start(vec![
        (Duration::ZERO, signed(10)),
        (Duration::from_millis(700), signed(11)),
        (Duration::ZERO, signed(12)),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("last-good.rgs");
    let syncer = Arc::new(Syncer::new(
        &engine(),
        SyncConfig {
            trust: keys(),
            cache_path: Some(cache.clone()),
            ..SyncConfig::new(Source::Http(format!(
                "http://127.0.0.1:{}/acme.rgs",
                server.port
            )))
        },
    ));
    syncer.sync_now().unwrap();
    assert_eq!(syncer.status().revision, Some(10));
    // A webhook's sync_now races the periodic pull: the slow answer (r11) and the fast one
    // (r12) arrive in the worst order.
    let slow = {
        let s = syncer.clone();
        std::thread::spawn(move || s.sync_now())
    };
    std::thread::sleep(Duration::from_millis(150));
    let fast = {
        let s = syncer.clone();
        std::thread::spawn(move || s.sync_now())
    };
    let _ = slow.join().unwrap();
    let _ = fast.join().unwrap();
    assert_eq!(syncer.status().revision, Some(12));
    assert_eq!(std::fs::read(&cache).unwrap(), signed(12), "persisted r12");
}

#[test]
fn a_client_that_only_sees_not_modified_reports_itself_stale() {
    // Fresh when loaded; then the source never changes: every pull succeeds with "nothing
    // new", yet once the snapshot outlives its maximum age the syncer is not healthy.
    let engine = engine();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let policy = crate::acme_policy();
    let fresh = rolegate_core::compile(
        &policy,
        &rolegate_core::CompileOptions {
            revision: 3,
            issued_at: now,
        },
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("acme.rgs");
    std::fs::write(&source, fresh).unwrap();
    let syncer = Syncer::new(
        &engine,
        SyncConfig {
            trust: Trust {
                max_age: Some(2),
                ..Trust::unsigned()
            },
            ..SyncConfig::new(Source::File(source))
        },
    );
    syncer.sync_now().unwrap();
    assert!(syncer.status().healthy());
    std::thread::sleep(Duration::from_millis(3_200));
    assert_eq!(
        syncer.sync_now().unwrap(),
        rolegate_host::SyncOutcome::Unchanged
    );
    let status = syncer.status();
    assert_eq!(status.failures, 0);
    assert!(status.expired && !status.healthy(), "{status:?}");
}
