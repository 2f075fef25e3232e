//! An HTTP service whose routes are guarded by rolegate-host, its snapshot kept in sync from
//! a URL. The caller names themselves in `x-user` (in real life: from your session).
//!
//!   cargo run -p rolegate-host --example guarded_service -- http://127.0.0.1:8080/acme.rgs
//!   curl -H 'x-user: US6c63…' http://127.0.0.1:3000/accounts/ACfd89…/messages
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use rolegate_core::Request;
use rolegate_host::{Engine, EngineConfig, Source, SyncConfig, Syncer};

/// What each route of an account needs.
const ROUTES: &[(&str, &str)] = &[
    ("messages", "messaging/messages/read"),
    ("numbers", "phone-numbers/numbers/buy"),
    ("billing", "billing/invoices/read"),
];

/// 200 when the caller may, 403 otherwise — also when no snapshot is loaded yet or the
/// guest fails: authorization fails closed.
async fn guarded(
    State(syncer): State<Arc<Syncer>>,
    headers: HeaderMap,
    Path((account, route)): Path<(String, String)>,
) -> StatusCode {
    let Some(&(_, permission)) = ROUTES.iter().find(|(r, _)| *r == route) else {
        return StatusCode::NOT_FOUND;
    };
    let user = headers.get("x-user").and_then(|v| v.to_str().ok());
    let request = Request::new(user.unwrap_or_default(), permission, &account);
    match syncer.authorizer().map(|a| a.can(&request)) {
        Some(Ok(true)) => StatusCode::OK,
        _ => StatusCode::FORBIDDEN,
    }
}

/// Which revision serves, how old it is, the last sync error.
async fn health(State(syncer): State<Arc<Syncer>>) -> Json<serde_json::Value> {
    let s = syncer.status();
    let age = s.age.map(|a| a.as_secs());
    Json(serde_json::json!({ "revision": s.revision, "age_seconds": age, "error": s.last_error }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or("http://127.0.0.1:8080/acme.rgs".into());
    let listen = args.next().unwrap_or("127.0.0.1:3000".into());
    let engine = Engine::new(EngineConfig::default())?;
    let sync = SyncConfig {
        cache_path: Some("acme.last-good.rgs".into()),
        ..SyncConfig::new(Source::Http(url))
    };
    let app = Router::new()
        .route("/accounts/{account}/{route}", get(guarded))
        .route("/healthz", get(health))
        .with_state(Arc::new(Syncer::start(&engine, sync)));
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("guarded service on http://{listen}");
    axum::serve(listener, app).await?;
    Ok(())
}
