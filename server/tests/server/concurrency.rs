//! 16 concurrent writers on one organization, spread over two server instances on the same
//! database (so both the in-process queue and the revision compare-and-swap are exercised):
//! every acknowledged write is present exactly once, revisions are contiguous, and the audit
//! chain verifies.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::harness::*;

const WRITERS: usize = 16;
const PER_WRITER: usize = 5;

pub async fn run(db: Db) {
    let a = TestServer::start(&db).await;
    let b = TestServer::start(&db).await;
    let start = a.owner.revision().await;
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..WRITERS {
        let api = if w % 2 == 0 {
            a.owner.clone()
        } else {
            b.owner.clone()
        };
        tasks.spawn(async move {
            let mut acked = Vec::new();
            for i in 0..PER_WRITER {
                let id = format!("US{:016x}{:016x}", w, i);
                let (status, body) = api
                    .post(
                        "/users",
                        json!({"id": id, "name": format!("Writer {w} #{i}"), "email": format!("w{w}-{i}@acme.example")}),
                    )
                    .await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
                acked.push((id, body["revision"].as_u64().unwrap()));
            }
            acked
        });
    }
    let mut acked = Vec::new();
    while let Some(r) = tasks.join_next().await {
        acked.extend(r.unwrap());
    }
    assert_eq!(acked.len(), WRITERS * PER_WRITER);
    let revisions: BTreeSet<u64> = acked.iter().map(|(_, r)| *r).collect();
    let expected: BTreeSet<u64> = (start + 1..=start + acked.len() as u64).collect();
    assert_eq!(
        revisions, expected,
        "each write has its own revision, contiguous"
    );
    assert_eq!(a.owner.revision().await, start + acked.len() as u64);
    assert_eq!(b.owner.revision().await, start + acked.len() as u64);

    let (status, page) = b.owner.get("/users?q=writer&page_size=200").await;
    assert_eq!(status, StatusCode::OK);
    let found: Vec<String> = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user"]["id"].as_str().unwrap().to_string())
        .collect();
    let unique: BTreeSet<&String> = found.iter().collect();
    assert_eq!(found.len(), unique.len(), "no write applied twice");
    for (id, _) in &acked {
        assert!(unique.contains(id), "acknowledged `{id}` is missing");
    }
    assert_eq!(found.len(), acked.len());

    a.stop().await;
    b.stop().await;
    let report = rolegate_server::verify_audit(db.url(), ACME).await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.revision, start + acked.len() as u64);
}

both!(concurrent_writers_sqlite, concurrent_writers_postgres, run);
