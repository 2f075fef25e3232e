//! `kill -9` of the `rolegate-server` binary in the middle of a write burst, then a restart
//! on the same database: every acknowledged write is there, the audit chain verifies, and the
//! publisher catches up with the last committed revision.

use std::process::Stdio;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::both;
use crate::harness::*;

struct Spawned {
    child: Child,
    api: Api,
}

async fn spawn(db: &Db) -> Spawned {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rolegate-server"))
        .args(["--demo", "--listen", "127.0.0.1:0", "--db", db.url()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn rolegate-server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut url, mut id, mut secret) = (None, None, None);
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(u) = line.strip_prefix("rolegate listening on ") {
                url = Some(u.to_string());
            } else if let Some(v) = line.strip_prefix("client_id: ") {
                id = Some(v.to_string());
            } else if let Some(v) = line.strip_prefix("client_secret: ") {
                secret = Some(v.to_string());
            } else if line == "ready" {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("the server starts");
    // Keep draining stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let api = Api::login(&url.unwrap(), &id.unwrap(), &secret.unwrap()).await;
    Spawned { child, api }
}

pub async fn run(db: Db) {
    let mut first = spawn(&db).await;
    let start = first.api.revision().await;
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..8usize {
        let api = first.api.clone();
        tasks.spawn(async move {
            let mut acked = Vec::new();
            for i in 0..1000usize {
                let id = format!("US{:016x}{:016x}", 0xdead_0000 + w, i);
                let sent = api
                    .http
                    .post(api.org("/users"))
                    .bearer_auth(&api.token)
                    .json(&json!({"id": id, "name": "Crash Test", "email": format!("c-{id}@acme.example")}))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == StatusCode::CREATED => acked.push(id),
                    // The server died mid-request (or before answering): not acknowledged.
                    _ => break,
                }
            }
            acked
        });
    }
    // Let the burst run, then kill -9 while writes are in flight.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    first.child.start_kill().expect("SIGKILL");
    first.child.wait().await.expect("reap");
    let mut acked = Vec::new();
    while let Some(r) = tasks.join_next().await {
        acked.extend(r.unwrap());
    }
    assert!(
        acked.len() >= 5,
        "the burst was acknowledged before the kill: {}",
        acked.len()
    );

    let mut second = spawn(&db).await;
    let api = &second.api;
    for id in &acked {
        let (status, body) = api.get(&format!("/users/{id}")).await;
        assert_eq!(status, StatusCode::OK, "acknowledged `{id}` lost: {body}");
    }
    let revision = api.revision().await;
    assert!(revision >= start + acked.len() as u64);
    // The publisher resumes and publishes the last committed revision.
    let mut published = 0;
    for _ in 0..100 {
        let (status, headers, _) = api.bytes("/snapshot", &[]).await;
        if status == StatusCode::OK {
            published = headers["x-rolegate-revision"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            if published == revision {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(published, revision);
    second.child.start_kill().expect("SIGKILL");
    second.child.wait().await.expect("reap");
    let report = rolegate_server::verify_audit(db.url(), ACME).await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.revision, revision);
}

both!(
    kill_9_during_writes_sqlite,
    kill_9_during_writes_postgres,
    run
);
