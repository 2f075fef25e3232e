//! Two servers on one database: a write through one is seen by a watcher on the other (on
//! PostgreSQL the other is woken by a notification; on SQLite by its poll), and each
//! revision is compiled by one server only — the one holding the organization's publish
//! lease — and served byte for byte by both. Writers through both at once all get through.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::harness::*;

pub async fn run(db: Db) {
    let a = TestServer::start(&db).await;
    let b = TestServer::start(&db).await;
    let start = a.owner.revision().await;
    // Both serve the current revision first.
    for api in [&a.owner, &b.owner] {
        let (status, _, _) = api
            .bytes(&format!("/snapshot?after={}&wait=30", start - 1), &[])
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    // A watcher on B, waiting for the next revision…
    let watcher = {
        let b = b.owner.clone();
        tokio::spawn(async move {
            b.bytes(&format!("/snapshot?after={start}&wait=60"), &[])
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    // …and a write through A.
    let (status, body) = a
        .owner
        .post(
            &format!("/users/{DANA}/assignments"),
            json!({"scope": PRODUCTION, "roles": ["developer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, headers, bytes) = watcher.await.unwrap();
    assert_eq!(status, StatusCode::OK, "the watcher on B saw A's write");
    assert_eq!(headers["x-rolegate-revision"], (start + 1).to_string());
    // The same bytes from both: one server compiled and stored them, the other served them.
    let (_, a_headers, a_bytes) = a.owner.bytes("/snapshot", &[]).await;
    assert_eq!(a_bytes, bytes);
    assert_eq!(a_headers["etag"], headers["etag"]);
    // B's own reads see the write too (its live policy followed A's change).
    let (status, entry) = b.owner.get(&format!("/users/{DANA}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(entry.to_string().contains(PRODUCTION), "{entry}");
    // And B judges the next write on the organization as A left it.
    let (status, body) = b
        .owner
        .post(
            &format!("/users/{DANA}/assignments"),
            json!({"scope": PRODUCTION, "roles": ["developer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "already-assigned");

    // Writers through both at once: each replica's writes keep committing between the
    // other's catch-ups; every write is acknowledged (none turned away as busy), each at a
    // revision of its own, one after another.
    let before = a.owner.revision().await;
    let mut tasks = Vec::new();
    for (r, server) in [&a, &b].into_iter().enumerate() {
        for w in 0..6 {
            let api = server.owner.clone();
            tasks.push(tokio::spawn(async move {
                let mut revisions = Vec::new();
                for i in 0..12 {
                    let (status, body) = api
                        .patch(
                            &format!("/users/{GARY}"),
                            json!({"name": format!("Gary {r}.{w}.{i}")}),
                        )
                        .await;
                    assert_eq!(status, StatusCode::OK, "{body}");
                    revisions.push(body["revision"].as_u64().unwrap());
                }
                revisions
            }));
        }
    }
    let mut revisions = Vec::new();
    for t in tasks {
        revisions.extend(t.await.unwrap());
    }
    revisions.sort_unstable();
    let expected: Vec<u64> = (before + 1..=before + 144).collect();
    assert_eq!(
        revisions, expected,
        "every write at a revision of its own, none lost"
    );
    assert_eq!(b.owner.revision().await, before + 144);
    a.stop().await;
    b.stop().await;
}

both!(replicas_sqlite, replicas_postgres, run);
