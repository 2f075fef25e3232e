//! Publishing: the signed snapshot with a strong ETag and 304, the watch waking on a write,
//! deltas that rebuild the new snapshot from the old, `--publish-dir` files, per-user slices
//! and who may read them, and the last snapshot served with the database gone.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rolegate_core::{Snapshot, Trust, apply_delta};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::both;
use crate::harness::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Polls until the published revision is at least `revision`; returns its bytes.
async fn published(api: &Api, revision: u64) -> Vec<u8> {
    for _ in 0..200 {
        let (status, headers, bytes) = api.bytes("/snapshot", &[]).await;
        if status == StatusCode::OK {
            let r: u64 = headers["x-rolegate-revision"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            if r >= revision {
                return bytes;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("revision {revision} was not published");
}

pub async fn run(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(&db);
    opts.publish_dir = Some(dir.path().to_path_buf());
    let t = TestServer::with(opts).await;
    let api = &t.owner;
    let start = api.revision().await;

    // The keys, and a trust that requires the server's signature.
    let (status, keys) = api
        .send(reqwest::Method::GET, &format!("{}/v1/keys", api.base), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{keys}");
    let (_, org_keys) = api.get("/keys").await;
    assert_eq!(keys, org_keys);
    let trust = trust_of(api).await;
    // Signatures are required (the default): the published snapshot carries one.

    // The snapshot: signed, strong ETag of its bytes, revision header, 304.
    let old = published(api, start).await;
    let (status, headers, bytes) = api.bytes("/snapshot", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, old);
    assert_eq!(headers["content-type"], "application/octet-stream");
    let etag = headers["etag"].to_str().unwrap().to_string();
    // Strong: the SHA-256 of the snapshot's head, which names the payload by its checksum.
    let head = Snapshot::head(&bytes).unwrap();
    assert!(bytes.starts_with(head) && head.len() < 256 && bytes.len() > head.len());
    assert_eq!(etag, format!("\"{}\"", hex(&Sha256::digest(head))));
    assert_eq!(headers["x-rolegate-revision"], start.to_string().as_str());
    let snapshot = Snapshot::decode_trusted(&bytes, &trust, 0).unwrap();
    assert_eq!(snapshot.revision(), start);
    let (status, _, body) = api.bytes("/snapshot", &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());

    // The watch: nothing newer within the wait → 304; a write wakes it.
    let began = Instant::now();
    let (status, _, _) = api
        .bytes(&format!("/snapshot?after={start}&wait=1"), &[])
        .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(began.elapsed() >= Duration::from_millis(900));
    let watcher = {
        let api = api.clone();
        tokio::spawn(async move {
            let began = Instant::now();
            let r = api
                .bytes(&format!("/snapshot?after={start}&wait=30"), &[])
                .await;
            (r, began.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = api
        .post(
            &format!("/users/{DANA}/assignments"),
            json!({"scope": STAGING, "roles": ["studio-viewer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ((status, headers, new), waited) = watcher.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(waited < Duration::from_secs(15), "{waited:?}");
    assert_eq!(
        headers["x-rolegate-revision"],
        (start + 1).to_string().as_str()
    );
    Snapshot::decode_trusted(&new, &trust, 0).unwrap();

    // The delta from the previous revision rebuilds the new snapshot, byte for byte.
    let (status, _, delta) = api.bytes(&format!("/snapshot.delta-{start}"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(apply_delta(&old, &delta).unwrap(), new);
    let (status, _, _) = api.bytes("/snapshot.delta-999999", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A burst coalesces and still ends at the last revision, with a delta from an older one.
    for i in 0..5 {
        let (status, _) = api
            .patch(
                &format!("/users/{SAM}"),
                json!({"name": format!("Sam {i}")}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let last = api.revision().await;
    let latest = published(api, last).await;
    let (_, headers, _) = api.bytes("/snapshot", &[]).await;
    assert_eq!(headers["x-rolegate-revision"], last.to_string().as_str());
    let (status, _, delta) = api
        .bytes(&format!("/snapshot.delta-{}", start + 1), &[])
        .await;
    if status == StatusCode::OK {
        assert_eq!(apply_delta(&new, &delta).unwrap(), latest);
    }

    // --publish-dir: the same bytes, and the deltas beside them.
    let file = dir.path().join(format!("{ACME}.rgs"));
    let mut on_disk = Vec::new();
    for _ in 0..100 {
        on_disk = std::fs::read(&file).unwrap_or_default();
        if on_disk == latest {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(on_disk, latest);
    let deltas: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("{ACME}.rgs.delta-")))
        .collect();
    assert!(!deltas.is_empty());
    for name in &deltas {
        let base: u64 = name.rsplit('-').next().unwrap().parse().unwrap();
        let (_, _, base_bytes) = api.bytes(&format!("/snapshot.delta-{base}"), &[]).await;
        assert_eq!(std::fs::read(dir.path().join(name)).unwrap(), base_bytes);
    }

    // The database keeps the newest snapshot and the deltas to it, nothing older: otherwise
    // every write would add a whole snapshot to it. (The publish directory is written after
    // the database, so the store of `last` is done.)
    let store = t.server.store();
    let newest = store.latest_snapshot(ACME).await.unwrap().unwrap();
    assert_eq!((newest.revision, &newest.bytes), (last, &latest));
    assert!(
        store
            .snapshots_before(ACME, last, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.deltas_to(ACME, start + 1).await.unwrap().is_empty());
    assert!(!store.deltas_to(ACME, last).await.unwrap().is_empty());

    // Slices: one's own, or anyone's for an Organization Owner or Administrator.
    let dana = t.client_as(DANA).await;
    let (status, _, own) = dana.bytes(&format!("/users/{DANA}/slice"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    // A slice is signed as Dana's slice: it never passes for the organization's snapshot.
    assert_eq!(
        Snapshot::decode_trusted(&own, &trust, 0)
            .unwrap_err()
            .code()
            .as_str(),
        "wrong-kind"
    );
    let as_dana = Trust {
        slice_of: Some(DANA.to_string()),
        ..trust.clone()
    };
    let slice = Snapshot::decode_trusted(&own, &as_dana, 0).unwrap();
    assert_eq!(slice.users().count(), 1);
    assert!(slice.user(DANA).is_some());
    let (status, _, _) = dana.bytes(&format!("/users/{SAM}/slice"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, other) = api.bytes(&format!("/users/{DANA}/slice"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(other, own);
    let (status, _, _) = api
        .bytes("/users/US99999999999999999999999999999999/slice", &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // With the database gone, the last published snapshot is still served.
    let report = rolegate_server::verify_audit(db.url(), ACME).await.unwrap();
    assert!(report.ok(), "{report:?}");
    t.server.store().close().await;
    let (status, _, bytes) = api.bytes("/snapshot", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, latest);
    let (status, body) = api.get("").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    t.stop().await;
}

both!(publishing_sqlite, publishing_postgres, run);
