//! The faults a production control plane meets, each with the state checked afterwards: the
//! database going away and coming back (writes get 503 with `Retry-After`, published
//! snapshots keep being served, an enforcement point keeps deciding, everything recovers by
//! itself), PostgreSQL restarted under a write burst (no acknowledged write lost, the audit
//! chain whole), an unwritable publish directory (served over HTTP meanwhile, written once it
//! can be), and a client holding more watches than the server allows.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rolegate_core::Request;
use rolegate_server::ServeOptions;
use rolegate_tests::pg::Cluster;
use serde_json::json;

use crate::harness::*;

/// A server on its own PostgreSQL cluster, which the test may halt and resume.
async fn on_own_cluster() -> (Arc<Cluster>, String, TestServer) {
    let cluster = tokio::task::spawn_blocking(|| Arc::new(Cluster::durable()))
        .await
        .unwrap();
    let url = {
        let c = cluster.clone();
        tokio::task::spawn_blocking(move || c.database())
            .await
            .unwrap()
    };
    let t = TestServer::with(ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        db_url: Some(url.clone()),
        demo: true,
        ..ServeOptions::default()
    })
    .await;
    (cluster, url, t)
}

async fn halt(cluster: &Arc<Cluster>) {
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.halt()).await.unwrap();
}

async fn resume(cluster: &Arc<Cluster>) {
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.resume())
        .await
        .unwrap();
}

/// Adds a user; the status.
async fn add_user(api: &Api, n: usize) -> StatusCode {
    let id = format!("US{:032x}", 0xfa17_0000 + n);
    let (status, _) = api
        .post(
            "/users",
            json!({"id": id, "name": format!("Fault {n}"), "email": format!("f{n}@acme.example")}),
        )
        .await;
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_unreachable_then_back() {
    let (cluster, url, t) = on_own_cluster().await;
    let api = &t.owner;
    let syncer = syncer(&t, Some(Duration::from_secs(5))).await;
    assert_eq!(add_user(api, 1).await, StatusCode::CREATED);
    let before = api.revision().await;
    let s = syncer.clone();
    assert!(
        tokio::task::spawn_blocking(move || s.wait_for_revision(before, Duration::from_secs(20)))
            .await
            .unwrap()
    );
    let allowed = || {
        syncer
            .authorizer()
            .unwrap()
            .can(&Request::new(
                OLIVIA,
                "iam/users/manage",
                "OR53bce4f1dfa0fe8e7ca126f91b35d3a6",
            ))
            .unwrap()
    };
    assert!(allowed());

    halt(&cluster).await;
    // The published snapshot keeps being served from memory.
    let (status, headers, _) = api.bytes("/snapshot", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-rolegate-revision"], before.to_string());
    // Writes are refused with a clear 503 and when to come back, quickly.
    let started = Instant::now();
    let r = api
        .http
        .post(api.org("/users"))
        .bearer_auth(&api.token)
        .json(&json!({"id": "USdown", "name": "Down", "email": "down@acme.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("retry-after"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "store-unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // The enforcement point keeps deciding from its last good snapshot.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(allowed());
    assert_eq!(syncer.status().revision, Some(before));

    resume(&cluster).await;
    // Everything recovers by itself: writes succeed again and reach the host.
    let mut recovered = false;
    for n in 0..60 {
        if add_user(api, 100 + n).await == StatusCode::CREATED {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(recovered, "writes succeed once the database is back");
    let after = api.revision().await;
    assert!(after > before);
    let s = syncer.clone();
    assert!(
        tokio::task::spawn_blocking(move || s.wait_for_revision(after, Duration::from_secs(30)))
            .await
            .unwrap(),
        "the host follows again"
    );
    t.stop().await;
    let report = rolegate_server::verify_audit(&url, ACME).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_a_write_burst() {
    let (cluster, url, t) = on_own_cluster().await;
    let start = t.owner.revision().await;
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..4usize {
        let api = t.owner.clone();
        writers.spawn(async move {
            let mut acked = Vec::new();
            let until = Instant::now() + Duration::from_secs(8);
            let mut n = 0;
            while Instant::now() < until {
                let i = w * 10_000 + n;
                n += 1;
                match add_user(&api, i).await {
                    StatusCode::CREATED => acked.push(i),
                    // Refused while the database is away: not acknowledged, tried no more.
                    StatusCode::SERVICE_UNAVAILABLE | StatusCode::INTERNAL_SERVER_ERROR => {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    other => panic!("unexpected {other}"),
                }
            }
            acked
        });
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    halt(&cluster).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    resume(&cluster).await;
    let mut acked = Vec::new();
    while let Some(r) = writers.join_next().await {
        acked.extend(r.unwrap());
    }
    assert!(acked.len() > 4, "writes were acknowledged: {}", acked.len());
    // Every acknowledged write is there, once.
    for i in &acked {
        let id = format!("US{:032x}", 0xfa17_0000 + i);
        let mut found = StatusCode::SERVICE_UNAVAILABLE;
        for _ in 0..20 {
            found = t.owner.get(&format!("/users/{id}")).await.0;
            if found != StatusCode::SERVICE_UNAVAILABLE {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert_eq!(found, StatusCode::OK, "acknowledged `{id}` lost");
    }
    let end = t.owner.revision().await;
    assert!(end >= start + acked.len() as u64);
    t.stop().await;
    let report = rolegate_server::verify_audit(&url, ACME).await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.revision, end);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unwritable_publish_directory() {
    let db = Db::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let publish = dir.path().join("public");
    // A file where the directory should be: every write into it fails (even as root).
    std::fs::write(&publish, b"not a directory").unwrap();
    let t = TestServer::with(ServeOptions {
        publish_dir: Some(publish.clone()),
        ..options(&db)
    })
    .await;
    let api = &t.owner;
    assert_eq!(add_user(api, 1).await, StatusCode::CREATED);
    let revision = api.revision().await;
    // Served over HTTP all the same.
    let mut served = 0;
    for _ in 0..100 {
        let (status, headers, _) = api.bytes("/snapshot", &[]).await;
        if status == StatusCode::OK {
            served = headers["x-rolegate-revision"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            if served == revision {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(served, revision);
    // The directory becomes writable: the current snapshot is written without a new write.
    std::fs::remove_file(&publish).unwrap();
    std::fs::create_dir(&publish).unwrap();
    let file = publish.join(format!("{ACME}.rgs"));
    let mut written = false;
    for _ in 0..100 {
        if let Ok(bytes) = std::fs::read(&file) {
            let (_, _, served) = api.bytes("/snapshot", &[]).await;
            written = bytes == served;
            if written {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(written, "the snapshot reaches the directory once it can");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_watches_than_allowed() {
    let db = Db::sqlite();
    let t = TestServer::with(ServeOptions {
        max_watchers: 200,
        ..options(&db)
    })
    .await;
    let api = &t.owner;
    let revision = api.revision().await;
    // Wait for the first publish.
    let (status, _, _) = api
        .bytes(&format!("/snapshot?after={}&wait=30", revision - 1), &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    let (results, mut answers) = tokio::sync::mpsc::unbounded_channel();
    for _ in 0..300 {
        let (api, results) = (api.clone(), results.clone());
        tokio::spawn(async move {
            let r = api
                .http
                .get(api.org(&format!("/snapshot?after={revision}&wait=60")))
                .bearer_auth(&api.token)
                .send()
                .await
                .unwrap();
            let _ = results.send((r.status(), r.headers().contains_key("retry-after")));
        });
    }
    // The 100 over the bound are refused at once, with when to come back.
    let mut refused = 0;
    while refused < 100 {
        let answer = tokio::time::timeout(Duration::from_secs(30), answers.recv())
            .await
            .expect("refusals come at once")
            .unwrap();
        assert_eq!(answer, (StatusCode::SERVICE_UNAVAILABLE, true));
        refused += 1;
    }
    // The server answers everyone else meanwhile.
    let started = Instant::now();
    let (status, _) = api.get("").await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() < Duration::from_secs(5));
    // A write releases every held watch with the new snapshot.
    assert_eq!(add_user(api, 7).await, StatusCode::CREATED);
    let mut served = 0;
    while served < 200 {
        let answer = tokio::time::timeout(Duration::from_secs(60), answers.recv())
            .await
            .expect("held watches answer")
            .unwrap();
        assert_eq!(answer.0, StatusCode::OK);
        served += 1;
    }
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_too_slow_to_send_its_request_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = Db::sqlite();
    let t = TestServer::with(ServeOptions {
        header_timeout: Duration::from_secs(1),
        ..options(&db)
    })
    .await;
    // Half a request head, then nothing: the server closes the connection.
    let mut slow = tokio::net::TcpStream::connect(t.server.addr())
        .await
        .unwrap();
    slow.write_all(b"GET /v1/keys HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 512];
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match slow.read(&mut buf).await {
                Ok(0) | Err(_) => return true,
                Ok(_) => {}
            }
        }
    })
    .await
    .unwrap_or(false);
    assert!(closed, "the slow connection was closed");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // Everyone else is served.
    let (status, _) = t.owner.get("").await;
    assert_eq!(status, StatusCode::OK);
    t.stop().await;
}
