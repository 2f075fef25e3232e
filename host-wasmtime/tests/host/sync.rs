//! The Syncer against a real nginx on 127.0.0.1 and against a local file.

use std::time::{Duration, Instant};

use rolegate_core::{CompileOptions, Request, Snapshot, Trust, compile};
use rolegate_host::{Source, SyncConfig, SyncError, SyncOutcome, Syncer};

use crate::nginx::Nginx;
use crate::refused_with;
use crate::{acme_at, acme_policy, engine};

fn config(source: Source, cache: &std::path::Path) -> SyncConfig {
    SyncConfig {
        cache_path: Some(cache.to_path_buf()),
        timeout: Duration::from_secs(2),
        // These tests are about pulling, not signatures (trust.rs is).
        trust: Trust::unsigned(),
        ..SyncConfig::new(source)
    }
}

/// The demo organization's answer for Paul on voice at Production EU: the question every
/// scenario asks to show the served snapshot still answers.
fn still_answers(syncer: &Syncer) {
    let native = Snapshot::decode(&acme_at(1)).unwrap();
    let paul = native.users().find(|u| u.name == "Paul Park").unwrap().id;
    let eu = native
        .scopes()
        .find(|s| s.name == "Production EU")
        .unwrap()
        .id;
    let request = Request::new(paul, "voice/calls/create", eu);
    assert!(
        syncer
            .authorizer()
            .expect("a snapshot is served")
            .can(&request)
            .unwrap()
    );
}

#[test]
fn http_sync_against_nginx() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache").join("acme.rgs");
    let mut nginx = Nginx::start(&dir.path().join("nginx"));
    nginx.publish("acme.rgs", &acme_at(1));
    let syncer = Syncer::new(
        &engine(),
        config(Source::Http(nginx.url("acme.rgs")), &cache),
    );
    assert!(
        syncer.authorizer().is_none(),
        "nothing served before the first pull"
    );

    assert_eq!(
        syncer.sync_now().unwrap(),
        SyncOutcome::Updated { revision: 1 }
    );
    still_answers(&syncer);
    assert_eq!(
        std::fs::read(&cache).unwrap(),
        acme_at(1),
        "the good snapshot is on disk"
    );

    // It asks for a delta from revision 1 (none is published: 404), then for the full
    // snapshot with its ETag: 304, the snapshot is kept and nothing is downloaded again.
    assert_eq!(syncer.sync_now().unwrap(), SyncOutcome::Unchanged);
    assert_eq!(nginx.statuses(3), [200, 404, 304]);

    // A new revision swaps.
    nginx.publish("acme.rgs", &acme_at(2));
    assert_eq!(
        syncer.sync_now().unwrap(),
        SyncOutcome::Updated { revision: 2 }
    );
    assert_eq!(syncer.status().revision, Some(2));

    // Corrupt bytes: refused, reported, the old snapshot answers, nothing persisted.
    let mut corrupt = acme_at(3);
    let at = corrupt.len() - 5;
    corrupt[at] ^= 0x40;
    nginx.publish("acme.rgs", &corrupt);
    let e = syncer.sync_now().unwrap_err();
    assert!(matches!(e, SyncError::Refused(_)), "{e}");
    assert!(
        syncer
            .status()
            .last_error
            .unwrap()
            .contains("snapshot-checksum-mismatch")
    );
    assert_eq!(syncer.status().revision, Some(2));
    still_answers(&syncer);
    assert_eq!(std::fs::read(&cache).unwrap(), acme_at(2));

    // A lower revision: refused, reported, not persisted.
    nginx.publish("acme.rgs", &acme_at(1));
    let e = syncer.sync_now().unwrap_err();
    assert!(refused_with(&e, "stale-revision"), "{e}");
    assert_eq!(syncer.status().revision, Some(2));
    assert_eq!(std::fs::read(&cache).unwrap(), acme_at(2));

    // Another organization: refused.
    let mut other = acme_policy();
    for a in &mut other.assignments {
        if a.scope == other.organization.id {
            a.scope = "ORother".into();
        }
    }
    other.organization.id = "ORother".into();
    nginx.publish(
        "acme.rgs",
        &compile(
            &other,
            &CompileOptions {
                revision: 9,
                issued_at: 0,
            },
        )
        .unwrap(),
    );
    assert!(refused_with(
        &syncer.sync_now().unwrap_err(),
        "wrong-organization"
    ));

    // The server goes down: reported, still answering.
    nginx.publish("acme.rgs", &acme_at(3));
    nginx.stop();
    let e = syncer.sync_now().unwrap_err();
    assert!(matches!(e, SyncError::Fetch { .. }), "{e}");
    let status = syncer.status();
    assert_eq!(status.revision, Some(2));
    assert!(status.failures >= 1 && status.last_error.is_some());
    assert!(status.age.is_some());
    still_answers(&syncer);
    drop(syncer);

    // Restart with the server still down: the persisted snapshot serves before any pull.
    let restarted = Syncer::new(
        &engine(),
        config(Source::Http(nginx.url("acme.rgs")), &cache),
    );
    assert_eq!(restarted.status().revision, Some(2));
    still_answers(&restarted);
    assert!(restarted.sync_now().is_err());
    assert_eq!(restarted.status().revision, Some(2));

    // The server comes back: the newer revision arrives.
    nginx.restart();
    assert_eq!(
        restarted.sync_now().unwrap(),
        SyncOutcome::Updated { revision: 3 }
    );
}

#[test]
fn restart_never_goes_back_to_an_older_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("acme.rgs");
    let source = dir.path().join("published.rgs");
    std::fs::write(&source, acme_at(4)).unwrap();
    let syncer = Syncer::new(&engine(), config(Source::File(source.clone()), &cache));
    assert_eq!(
        syncer.sync_now().unwrap(),
        SyncOutcome::Updated { revision: 4 }
    );
    drop(syncer);
    // Someone publishes an older snapshot while we are down.
    std::fs::write(&source, acme_at(2)).unwrap();
    let restarted = Syncer::new(&engine(), config(Source::File(source), &cache));
    assert_eq!(restarted.status().revision, Some(4));
    assert!(refused_with(
        &restarted.sync_now().unwrap_err(),
        "stale-revision"
    ));
    assert_eq!(std::fs::read(&cache).unwrap(), acme_at(4));
}

#[test]
fn file_sync_watches_for_changes_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("acme.rgs");
    std::fs::write(&source, acme_at(1)).unwrap();
    let syncer = Syncer::start(
        &engine(),
        SyncConfig {
            interval: Duration::from_millis(50),
            trust: Trust::unsigned(),
            ..SyncConfig::new(Source::File(source.clone()))
        },
    );
    assert_eq!(syncer.status().revision, Some(1));
    assert_eq!(
        syncer.sync_now().unwrap(),
        SyncOutcome::Unchanged,
        "an unchanged file is not re-read"
    );
    // Replace the file; the background thread notices.
    let tmp = dir.path().join("acme.rgs.tmp");
    std::fs::write(&tmp, acme_at(7)).unwrap();
    std::fs::rename(&tmp, &source).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while syncer.status().revision != Some(7) {
        assert!(
            Instant::now() < deadline,
            "the syncer did not pick up the new file: {:?}",
            syncer.status()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    still_answers(&syncer);
}

#[test]
fn watching_a_plain_web_server_falls_back_to_polling() {
    // nginx ignores `?after=&wait=` and answers at once without `Rolegate-Watch`: the syncer
    // notices, polls every `interval` with `If-None-Match`, and still picks up new revisions.
    let dir = tempfile::tempdir().unwrap();
    let nginx = Nginx::start(&dir.path().join("nginx"));
    nginx.publish("acme.rgs", &acme_at(1));
    let syncer = Syncer::start(
        &engine(),
        SyncConfig {
            watch: Some(Duration::from_secs(30)),
            interval: Duration::from_millis(50),
            ..config(
                Source::Http(nginx.url("acme.rgs")),
                &dir.path().join("cache.rgs"),
            )
        },
    );
    assert!(syncer.wait_for_revision(1, Duration::from_secs(10)));
    nginx.publish("acme.rgs", &acme_at(2));
    assert!(
        syncer.wait_for_revision(2, Duration::from_secs(10)),
        "{:?}",
        syncer.status()
    );
    let status = syncer.status();
    assert!(!status.watching, "{status:?}");
    assert!(status.healthy(), "{status:?}");
    still_answers(&syncer);
}
