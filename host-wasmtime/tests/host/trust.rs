//! Signatures, rollback, freshness and deltas in the wasmtime host: the shared signed
//! fixtures, and a Syncer that trusts only signed snapshots and prefers deltas, against nginx.

use std::time::Duration;

use rolegate_core::{Trust, TrustedKey};
use rolegate_host::{Authorizer, Source, SyncConfig, SyncError, SyncOutcome, Syncer};
use rolegate_tests::{SignedCase, signed_cases, signed_fixture, signed_key};

use crate::engine;
use crate::nginx::Nginx;

fn fixture(name: &str) -> Vec<u8> {
    signed_fixture(name)
}

fn key(id: &str) -> TrustedKey {
    signed_key(id).unwrap()
}

#[test]
fn the_signed_fixtures_decide_as_the_native_core_says() {
    let engine = engine();
    for case in signed_cases() {
        match &case {
            SignedCase::Delta {
                delta,
                base,
                expect,
            } => {
                let base = Authorizer::unsigned(&engine, &fixture(base)).unwrap();
                match base.apply_delta(&fixture(delta)) {
                    Ok(bytes) => assert_eq!(bytes, fixture(expect), "{case:?}"),
                    Err(e) => assert_eq!(e.code(), expect, "{case:?}"),
                }
            }
            SignedCase::Load {
                file,
                trust,
                now,
                expect,
                revision,
            } => match Authorizer::with_trust(&engine, &fixture(file), trust.clone(), *now) {
                Ok(a) => {
                    assert_eq!(expect, "ok", "{case:?}");
                    assert_eq!(Some(a.revision()), *revision);
                }
                Err(e) => assert_eq!(e.code(), expect, "{case:?}"),
            },
        }
    }
}

#[test]
fn a_trusting_syncer_takes_deltas_and_refuses_what_it_must() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache.rgs");
    let mut nginx = Nginx::start(&dir.path().join("nginx"));
    let config = SyncConfig {
        cache_path: Some(cache.clone()),
        timeout: Duration::from_secs(2),
        trust: Trust {
            keys: vec![key("test-2026"), key("test-2027")],
            ..Trust::default()
        },
        ..SyncConfig::new(Source::Http(nginx.url("acme.rgs")))
    };
    let syncer = Syncer::new(&engine(), config.clone());

    // Unsigned and tampered snapshots are refused and never persisted.
    nginx.publish("acme.rgs", &fixture("acme-r2-unsigned.rgs"));
    assert!(
        matches!(syncer.sync_now().unwrap_err(), SyncError::Refused(e) if e.code() == "unsigned")
    );
    nginx.publish("acme.rgs", &fixture("acme-r2-tampered.rgs"));
    assert!(
        matches!(syncer.sync_now().unwrap_err(), SyncError::Refused(e) if e.code() == "bad-signature")
    );
    assert!(!cache.exists(), "nothing unverified reaches the disk");

    nginx.publish("acme.rgs", &fixture("acme-r2-test-2026.rgs"));
    assert_eq!(
        syncer.sync_now().unwrap(),
        SyncOutcome::Updated { revision: 2 }
    );
    assert_eq!(
        std::fs::read(&cache).unwrap(),
        fixture("acme-r2-test-2026.rgs")
    );

    // With a delta published beside it, the syncer takes the delta (rebuilt in the guest,
    // then verified: it carries the new snapshot's signature by the rotated-in key).
    nginx.publish("acme.rgs", &fixture("acme-r3-test-2027.rgs"));
    nginx.publish("acme.rgs.delta-2", &fixture("acme-r2-to-r3.rgd"));
    let before = nginx.statuses(0).len();
    assert_eq!(
        syncer.sync_now().unwrap(),
        SyncOutcome::Updated { revision: 3 }
    );
    assert_eq!(
        nginx.statuses(before + 1)[before..],
        [200],
        "one request: the delta"
    );
    assert_eq!(
        std::fs::read(&cache).unwrap(),
        fixture("acme-r3-test-2027.rgs")
    );

    // Restart, then an older (validly signed) snapshot is offered: still refused.
    drop(syncer);
    nginx.publish("acme.rgs", &fixture("acme-r2-test-2026.rgs"));
    let restarted = Syncer::new(&engine(), config);
    assert_eq!(restarted.status().revision, Some(3));
    assert!(crate::refused_with(
        &restarted.sync_now().unwrap_err(),
        "stale-revision"
    ));
    assert_eq!(
        std::fs::read(&cache).unwrap(),
        fixture("acme-r3-test-2027.rgs")
    );
    nginx.stop();
}

#[test]
fn freshness_is_enforced_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("acme.rgs");
    std::fs::write(&source, fixture("acme-r2-test-2026.rgs")).unwrap();
    // The fixtures were issued in 2023: a day's maximum age refuses them outright.
    let strict = SyncConfig {
        trust: Trust {
            keys: vec![key("test-2026")],
            max_age: Some(86_400),
            ..Trust::default()
        },
        ..SyncConfig::new(Source::File(source.clone()))
    };
    let syncer = Syncer::new(&engine(), strict);
    assert!(
        matches!(syncer.sync_now().unwrap_err(), SyncError::Refused(e) if e.code() == "expired")
    );
    assert!(syncer.authorizer().is_none());

    // A snapshot served from the cache outlives the limit: reported, and with
    // deny_when_expired no authorizer is handed out.
    let cache = dir.path().join("cache.rgs");
    std::fs::write(&cache, fixture("acme-r2-test-2026.rgs")).unwrap();
    let lenient = SyncConfig {
        cache_path: Some(cache.clone()),
        trust: Trust {
            keys: vec![key("test-2026")],
            max_age: Some(86_400),
            ..Trust::default()
        },
        ..SyncConfig::new(Source::File(dir.path().join("missing.rgs")))
    };
    let reporting = Syncer::new(&engine(), lenient.clone());
    assert_eq!(reporting.status().revision, Some(2));
    assert!(reporting.status().expired);
    assert!(reporting.authorizer().is_some());
    let denying = Syncer::new(
        &engine(),
        SyncConfig {
            deny_when_expired: true,
            ..lenient
        },
    );
    assert!(denying.status().expired);
    assert!(denying.authorizer().is_none());
}
