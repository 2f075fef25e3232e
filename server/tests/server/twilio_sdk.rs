//! Twilio's official Node helper library (`twilio`, pinned in `server/tests/twilio`) as the
//! client of a real server, on SQLite and on PostgreSQL: role assignments, SCIM users and
//! accounts, every refusal as the library's own `RestException`. The scenario lives in
//! `server/tests/twilio/sdk.test.mjs`; this test gives it a server, OAuth clients, and an
//! enforcement point to ask — a wasmtime host `Syncer` watching the server, behind a small
//! HTTP probe (`GET /decide?user=&permission=&scope=&resource=type:id&at_least=REV`) that
//! answers once the host serves at least that revision.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use rolegate_core::Request;
use rolegate_host::Syncer;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::both;
use crate::harness::*;

fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/twilio")
}

/// Installs the suite's packages (the pinned library) when they are missing or older than
/// the lock file, as the test command does for the npm package.
fn install(dir: &Path) {
    let stamp = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let fresh = match (stamp.metadata(), lock.metadata()) {
        (Ok(s), Ok(l)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if !fresh {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir)
            .status()
            .expect("npm (Node.js) is needed for the Twilio library test");
        assert!(status.success(), "npm ci in {} failed", dir.display());
    }
}

#[derive(Debug, Deserialize)]
struct Ask {
    user: String,
    permission: String,
    scope: String,
    resource: Option<String>,
    at_least: u64,
}

/// The host's decision, once it serves `at_least`.
async fn decide(State(syncer): State<Arc<Syncer>>, Query(q): Query<Ask>) -> Json<Value> {
    let s = syncer.clone();
    let reached = tokio::task::spawn_blocking(move || {
        s.wait_for_revision(q.at_least, Duration::from_secs(20))
    })
    .await
    .unwrap_or(false);
    let Some(authorizer) = syncer.authorizer() else {
        return Json(json!({"error": "no snapshot"}));
    };
    let base = Request::new(&q.user, &q.permission, &q.scope);
    let request = match q.resource.as_deref().and_then(|r| r.split_once(':')) {
        Some((t, id)) => base.on(t, id),
        None => base,
    };
    match authorizer.check(&request) {
        Ok(d) => Json(json!({
            "reached": reached,
            "revision": d.revision,
            "allowed": d.allowed,
            "reason": serde_json::to_value(&d.reason).unwrap_or(Value::Null),
        })),
        Err(e) => Json(json!({"error": e.to_string()})),
    }
}

async fn credentials(t: &TestServer, user: &str) -> Value {
    let c = t
        .server
        .create_client(ACME, user, "sdk")
        .await
        .expect("client");
    json!({"id": c.client_id, "secret": c.client_secret})
}

pub async fn run(db: Db) {
    let dir = suite_dir();
    tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || install(&dir)
    })
    .await
    .unwrap();
    let t = TestServer::start(&db).await;
    let demo = t.server.demo().unwrap().client.clone();
    let syncer = syncer(&t, Some(Duration::from_secs(30))).await;
    let probe = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let probe_url = format!("http://{}", probe.local_addr().unwrap());
    let router = Router::new()
        .route("/decide", get(decide))
        .with_state(syncer.clone());
    let probe_task = tokio::spawn(async move { axum::serve(probe, router).await });

    let clients = json!({
        "owner": {"id": demo.client_id, "secret": demo.client_secret},
        "admin": credentials(&t, ADAM).await,
        "member": credentials(&t, DANA).await,
    });
    let output = tokio::task::spawn_blocking({
        let (url, dir) = (t.server.url(), dir.clone());
        move || {
            Command::new("node")
                .args(["--test", "--test-reporter=spec", "sdk.test.mjs"])
                .current_dir(&dir)
                .env("ROLEGATE_URL", url)
                .env("ROLEGATE_ORG", ACME)
                .env("ROLEGATE_CLIENTS", clients.to_string())
                .env("ROLEGATE_PROBE", probe_url)
                // The libraries put these into hostnames; they must not be set here.
                .env_remove("TWILIO_EDGE")
                .env_remove("TWILIO_REGION")
                .output()
                .expect("node runs")
        }
    })
    .await
    .unwrap();
    probe_task.abort();
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "the Twilio library scenario failed ({})",
        db.url()
    );
    t.stop().await;
}

both!(twilio_library_sqlite, twilio_library_postgres, run);
