//! Enforcement points fed by the server: a wasmtime host `Syncer` signed in with OAuth client
//! credentials, watching (long polls) and, beside it, polling with `If-None-Match`. A write
//! through the API changes the host's decision as soon as it is published; a caller that just
//! wrote waits for its revision and reads its write.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use rolegate_core::Request;
use rolegate_host::{
    ClientCredentials, Engine, EngineConfig, Source, SyncConfig, SyncError, Syncer,
};
use serde_json::json;

use crate::both;
use crate::harness::*;

/// Dana may create calls in Production only while she holds Developer there.
const CALLS: &str = "voice/calls/create";

fn allowed(syncer: &Syncer) -> bool {
    syncer
        .authorizer()
        .expect("a snapshot is served")
        .can(&Request::new(DANA, CALLS, PRODUCTION))
        .expect("the guest answers")
}

/// Blocks (off the async runtime) until `syncer` serves `revision`.
async fn reaches(syncer: &Arc<Syncer>, revision: u64) -> bool {
    let s = syncer.clone();
    tokio::task::spawn_blocking(move || s.wait_for_revision(revision, Duration::from_secs(20)))
        .await
        .unwrap()
}

pub async fn run(db: Db) {
    let t = TestServer::start(&db).await;
    let api = &t.owner;
    let engine = tokio::task::spawn_blocking(|| Engine::new(EngineConfig::default()))
        .await
        .unwrap()
        .expect("engine");
    let demo = t.server.demo().unwrap().client.clone();
    let credentials = ClientCredentials {
        token_url: format!("{}/v1/token", api.base),
        client_id: demo.client_id.clone(),
        client_secret: demo.client_secret.clone(),
    };
    let trust = trust_of(api).await;
    let config = |watch: Option<Duration>| SyncConfig {
        trust: trust.clone(),
        credentials: Some(credentials.clone()),
        watch,
        interval: Duration::from_millis(100),
        ..SyncConfig::new(Source::Http(api.org("/snapshot")))
    };
    let watching = Arc::new(Syncer::start(
        &engine,
        config(Some(Duration::from_secs(25))),
    ));
    let polling = Arc::new(Syncer::start(&engine, config(None)));

    let start = api.revision().await;
    assert!(reaches(&watching, start).await, "{:?}", watching.status());
    assert!(reaches(&polling, start).await, "{:?}", polling.status());
    assert!(watching.status().watching, "{:?}", watching.status());
    assert!(!polling.status().watching);
    assert!(!allowed(&watching) && !allowed(&polling));

    // Grant, then take away, three times: each write reaches both within seconds.
    for round in 0..3u64 {
        let (status, body) = api
            .post(
                &format!("/users/{DANA}/assignments"),
                json!({"scope": PRODUCTION, "roles": ["developer"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let granted = body["revision"].as_u64().unwrap();
        assert_eq!(granted, start + 1 + 2 * round);
        for syncer in [&watching, &polling] {
            assert!(reaches(syncer, granted).await, "{:?}", syncer.status());
            assert!(allowed(syncer), "round {round}: the grant is enforced");
        }
        let (status, body) = api
            .delete(&format!(
                "/users/{DANA}/scopes/{PRODUCTION}/roles/developer"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let revoked = body["revision"].as_u64().unwrap();
        for syncer in [&watching, &polling] {
            assert!(reaches(syncer, revoked).await, "{:?}", syncer.status());
            assert!(!allowed(syncer), "round {round}: the removal is enforced");
        }
    }
    assert!(watching.status().healthy(), "{:?}", watching.status());
    assert_eq!(watching.status().failures, 0);

    // Without credentials the server refuses the snapshot, and nothing is served.
    let anonymous = Syncer::new(
        &engine,
        SyncConfig {
            trust: trust.clone(),
            ..SyncConfig::new(Source::Http(api.org("/snapshot")))
        },
    );
    let refused = tokio::task::spawn_blocking(move || {
        let outcome = anonymous.sync_now();
        (outcome, anonymous.authorizer().is_none())
    })
    .await
    .unwrap();
    assert!(
        matches!(refused.0, Err(SyncError::Status(401))),
        "{:?}",
        refused.0
    );
    assert!(refused.1);

    // Wrong credentials: the token endpoint's refusal, nothing served.
    let wrong = Syncer::new(
        &engine,
        SyncConfig {
            trust: trust.clone(),
            credentials: Some(ClientCredentials {
                client_secret: "0".repeat(64),
                ..credentials.clone()
            }),
            ..SyncConfig::new(Source::Http(api.org("/snapshot")))
        },
    );
    let refused = tokio::task::spawn_blocking(move || (wrong.sync_now(), wrong.authorizer()))
        .await
        .unwrap();
    assert!(refused.0.is_err() && refused.1.is_none(), "{:?}", refused.0);

    drop((watching, polling));
    t.stop().await;
}

both!(enforcement_sqlite, enforcement_postgres, run);
