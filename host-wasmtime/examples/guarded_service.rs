//! An HTTP service whose routes are guarded by rolegate-host, its snapshot kept in sync from
//! a URL and accepted only when signed by the given key. The caller names themselves in
//! `x-user` (in real life: from your session).
//!
//!   cargo run -p rolegate-host --example guarded_service -- \
//!     http://127.0.0.1:8080/v1/organizations/OR…/snapshot KEY_ID PUBLIC_KEY_HEX
//!   curl -H 'x-user: US6c63…' http://127.0.0.1:3000/accounts/ACfd89…/messages
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use rolegate_core::{Request, Trust, TrustedKey};
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, key_id, public, ..] = args.as_slice() else {
        return Err("usage: guarded_service SNAPSHOT_URL KEY_ID PUBLIC_KEY_HEX [LISTEN]".into());
    };
    let listen = args.get(3).map_or("127.0.0.1:3000", String::as_str);
    let public: Vec<u8> = (0..public.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(public.get(i..i + 2).unwrap_or("x"), 16))
        .collect::<Result<_, _>>()?;
    let key = TrustedKey {
        id: key_id.clone(),
        public: public.try_into().map_err(|_| "a public key is 32 bytes")?,
    };
    let engine = Engine::new(EngineConfig::default())?;
    let sync = SyncConfig {
        cache_path: Some("acme.last-good.rgs".into()),
        trust: Trust::signed_by(vec![key]),
        watch: Some(std::time::Duration::from_secs(30)),
        ..SyncConfig::new(Source::Http(url.clone()))
    };
    let app = Router::new()
        .route("/accounts/{account}/{route}", get(guarded))
        .route("/healthz", get(health))
        .with_state(Arc::new(Syncer::start(&engine, sync)));
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("guarded service on http://{listen}");
    axum::serve(listener, app).await?;
    Ok(())
}
