//! The HTTP API: `POST /v1/token` and `/v2/token` (OAuth client credentials), and the `/v1`
//! JSON API, every route of which is scoped by organization
//! (`/v1/organizations/{OR}/…`) and needs `Authorization: Bearer …`.
//!
//! | route | what |
//! |---|---|
//! | `GET /v1/keys`, `GET …/{OR}/keys` | the snapshot signing keys, `{id, public_key_hex}` |
//! | `GET …/{OR}` | the organization: name, revision, counts |
//! | `GET …/{OR}/roles`, `GET …/{OR}/roles/{role}` | the role catalog (`kind`, `product`, `level` filters); one role's details |
//! | `GET …/{OR}/users?q=&page=&page_size=` | directory search (name, email, id, role name, scope name) |
//! | `GET …/{OR}/users/{US}` | one user's assignments, grouped by scope |
//! | `POST …/{OR}/users`, `PATCH`/`DELETE …/{OR}/users/{US}` | add, rename, remove a user |
//! | `POST …/{OR}/users/{US}/assignments` | assign roles at a scope (resource-based: with resources) |
//! | `DELETE …/{OR}/users/{US}/scopes/{scope}` | delete the user's assignments at a scope |
//! | `DELETE …/{OR}/users/{US}/scopes/{scope}/roles/{role}[?resource=type:id]` | remove one role |
//! | `POST …/{OR}/accounts/{AC}/owner` | transfer an account's ownership |
//! | `POST …/{OR}/operations` | any core operation (`{"op": "assign", …}`) |
//! | `POST …/dry-run` beside each of the POST routes above | the change and every violated rule; nothing changes |
//! | `GET`/`PUT …/{OR}/settings` | settings (`PUT` is the core's audited `update-settings` operation) |
//! | `GET …/{OR}/audit?before=&page_size=` | the audit log, newest first, with hashes |
//! | `POST …/{OR}/check`, `…/check/batch`, `…/explain`; `GET …/permissions`, `…/who-can`, `…/scopes-with` | decisions |
//! | `GET …/{OR}/snapshot[?after=&wait=]` | the signed snapshot (ETag, 304, watch) |
//! | `GET …/{OR}/snapshot.delta-{base}` | the delta from `base` to the current snapshot |
//! | `GET …/{OR}/users/{US}/slice` | a user's signed slice (their own, or anyone's for Org Owners/Admins) |
//! | `PUT …/{OR}/users/{US}/password` | set a user's console password (Org Owners/Admins) |
//! | `GET …/{OR}/scopes`, `GET …/{OR}/resources` | the organization's accounts and subaccounts (with owners); its resources |
//! | `GET`/`POST`/`DELETE /v1/session` | the console's session: who is signed in; sign in (email, password); sign out |
//! | `GET /v1/session/demo-users`, `POST /v1/session/demo` | `--demo` only: the sign-in picker |
//! | `GET /console/…` | the management console (see [`console`]) |
//!
//! Every route but the token endpoint and sign-in takes a bearer token or the console's
//! session cookie; with the cookie, a request that changes anything must carry the session's
//! CSRF token in `X-CSRF-Token`. Reading the directory (users, their assignments, the audit
//! log) needs `iam/users/read` at the organization's scope.
//!
//! Writes accept `If-Match: <revision>` (412 when stale) and answer with the new revision in
//! `X-Rolegate-Revision`. Errors are `{code, message, status}` (see [`error`]).

pub(crate) mod admin;
mod console;
mod decide;
pub mod error;
pub(crate) mod extract;
pub(crate) mod org;
mod session;
mod snapshot;
mod token;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tokio::sync::Semaphore;

use crate::auth::TokenKeys;
use crate::publish::Publisher;
use crate::store::Store;
use error::ApiError;

pub use console::default_dir as console_default_dir;
pub use session::hash_password;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What every handler shares.
#[derive(Debug)]
pub struct App {
    /// The database.
    pub store: Arc<Store>,
    /// The publisher.
    pub publisher: Arc<Publisher>,
    /// Access-token keys.
    pub tokens: TokenKeys,
    /// How long an access token lives.
    pub token_ttl: Duration,
    /// Permits for concurrent watchers.
    pub watchers: Semaphore,
    /// How long a console session lasts.
    pub session_ttl: Duration,
    /// Whether session cookies are marked `Secure` (served over HTTPS).
    pub secure_cookies: bool,
    /// The demo organization, when the server runs with `--demo`: its users may sign in to
    /// the console without a password.
    pub demo_org: Option<String>,
    /// Where the console's built files are, if anywhere.
    pub console_dir: Option<std::path::PathBuf>,
}

impl App {
    /// Whether `org` is the demo organization of a `--demo` server.
    pub fn is_demo(&self, org: &str) -> bool {
        self.demo_org.as_deref() == Some(org)
    }
}

/// The routes, with the body limit and panic guard.
pub fn router(app: Arc<App>) -> Router {
    let org = Router::new()
        .route("/", get(org::info))
        .route("/keys", get(org::keys))
        .route("/roles", get(org::roles))
        .route("/roles/{role}", get(org::role))
        .route("/users", get(org::search).post(admin::add_user))
        .route("/users/dry-run", post(admin::add_user_dry))
        .route(
            "/users/{user}",
            get(org::user)
                .patch(admin::update_user)
                .delete(admin::remove_user),
        )
        .route("/users/{user}/assignments", post(admin::assign))
        .route("/users/{user}/assignments/dry-run", post(admin::assign_dry))
        .route(
            "/users/{user}/scopes/{scope}",
            axum::routing::delete(admin::unassign),
        )
        .route(
            "/users/{user}/scopes/{scope}/roles/{role}",
            axum::routing::delete(admin::remove_role),
        )
        .route("/users/{user}/slice", get(snapshot::slice))
        .route(
            "/users/{user}/password",
            axum::routing::put(session::set_password),
        )
        .route("/scopes", get(org::scopes))
        .route("/resources", get(org::resources))
        .route("/accounts/{account}/owner", post(admin::transfer))
        .route(
            "/accounts/{account}/owner/dry-run",
            post(admin::transfer_dry),
        )
        .route("/operations", post(admin::operation))
        .route("/operations/dry-run", post(admin::operation_dry))
        .route("/settings", get(org::settings).put(admin::put_settings))
        .route("/audit", get(org::audit))
        .route("/check", post(decide::check))
        .route("/check/batch", post(decide::batch))
        .route("/explain", post(decide::explain))
        .route("/permissions", get(decide::permissions))
        .route("/who-can", get(decide::who_can))
        .route("/scopes-with", get(decide::scopes_with))
        .route("/snapshot", get(snapshot::snapshot))
        .route("/{file}", get(snapshot::file));
    Router::new()
        .route(
            "/v1/session",
            get(session::current)
                .post(session::create)
                .delete(session::delete),
        )
        .route("/v1/session/demo", post(session::demo_sign_in))
        .route("/v1/session/demo-users", get(session::demo_users))
        .route("/v1/token", post(token::token))
        .route("/v2/token", post(token::token))
        .route("/v1/keys", get(org::all_keys))
        .nest("/v1/organizations/{org}", org)
        .merge(crate::twilio::routes())
        .merge(console::routes(app.console_dir.clone()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .with_state(app)
}

async fn not_found() -> ApiError {
    ApiError::not_found("not-found", "no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this route does not take that method",
    )
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    ApiError::internal("a handler panicked").into_response()
}
